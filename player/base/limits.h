/* Every limit deskplayer enforces, with its name and value in one place. */
#ifndef DP_LIMITS_H
#define DP_LIMITS_H

#define DP_FEED_MAX_BYTES (10L * 1024 * 1024) /* a larger feed is rejected */
#define DP_JSON_MAX_DEPTH 64                  /* nesting in a feed document */
#define DP_TEXT_MAX_CHARS 5000                /* post text, after sanitising */
#define DP_FIELD_MAX_CHARS 1000               /* titles, names, alt texts */
#define DP_URL_MAX_BYTES 4096
#define DP_MAX_POSTS 1000 /* posts kept from one feed */
#define DP_MAX_MEDIA_PER_POST 20
#define DP_IMAGE_MAX_PIXELS (100L * 1000 * 1000)     /* JPEG (decoded at reduced scale) */
#define DP_IMAGE_MAX_PIXELS_FULL (40L * 1000 * 1000) /* formats decoded at full size */
#define DP_IMAGE_MAX_SIDE 30000
#define DP_IMAGE_MAX_FILE_BYTES (256L * 1024 * 1024)
#define DP_MQ_DEPTH 256 /* messages waiting for main */
#define DP_DOWNLOADERS 2
#define DP_REDIRECTS_MAX 5
#define DP_CONNECT_TIMEOUT_S 10
#define DP_LOW_SPEED_BYTES 1024 /* below this per second ... */
#define DP_LOW_SPEED_TIME_S 30  /* ... for this long: abandoned */
#define DP_BACKOFF_MAX_MS (10 * 60 * 1000)
#define DP_REVALIDATE_MS (24LL * 3600 * 1000) /* cached media re-checked daily */
#define DP_CAPTION_MAX_LINES 3
#define DP_HTTP_HEADER_MAX_BYTES 8192

/* net/: polls and downloads */
#define NET_FEED_TIMEOUT_MS (5LL * 60 * 1000)     /* a trickling feed poll still ends */
#define NET_RETRY_AFTER_MAX_MS (60LL * 60 * 1000) /* a longer Retry-After is cut */
#define NET_MEDIA_BACKOFF_MIN_MS (5LL * 1000)     /* first retry of a failed download */
#define NET_DISK_FULL_PAUSE_MS (60LL * 1000)      /* downloads pause after ENOSPC */
#define NET_CHECKPOINT_MS (1LL * 1000)            /* part fsynced and recorded ... */
#define NET_CHECKPOINT_BYTES (16LL * 1024 * 1024) /* ... or after this much */
#define NET_IDLE_RECHECK_MS (10LL * 1000)         /* downloaders look for due work */
#define NET_PROGRESS_LOG_MS (10LL * 1000)         /* a long download's log line */
#define NET_FLUSH_INTERVAL_MS (15LL * 60 * 1000)  /* shown times written (flash wear) */

/* render/: text in every script (issue 9). A post full of distinct
 * characters no open font has must not keep the loader asking fontconfig
 * (about a millisecond a question): a bucket of look-ups, refilled with
 * time; a cluster refused a look-up is a box this time, asked again later. */
#define TEXT_FONT_LOOKUPS_BURST 64 /* look-ups at once ... */
#define TEXT_FONT_LOOKUPS_PER_S 16 /* ... then this many a second */
#define TEXT_MAX_FALLBACK_FONTS 20 /* fonts opened for fallback */
/* Issue 10: animated pictures are played frame by frame; a canvas larger
 * than a 4K screen is shown as a still instead (each queued frame is one). */
#define DP_ANIM_MAX_PIXELS (3840L * 2160)
/* Issue 8: hostile input never costs more than a named bound. */
#define DP_DISPLAY_MAX_SIDE 7680 /* --size, --windowed, [display] size */
#define DP_DISPLAY_MAX_PIXELS (7680L * 4320)
#define DP_MARGIN_MAX_FRACTION 4                /* margin <= shorter side / 4 */
#define DP_IMAGE_MAX_FRAMES 5000                /* GIF / WebP frames in one file */
#define DP_JPEG_MAX_SCANS 100                   /* a progressive JPEG has ~10 */
#define DP_JPEG_MAX_MEMORY (256L * 1024 * 1024) /* libjpeg's working memory */
#define DP_IMAGE_DECODE_MAX_MS (10LL * 1000)    /* one still load, any format: then too_costly */
#define DP_VIDEO_MAX_PIXELS (8192L * 8192)      /* declared or decoded, per frame */
#define DP_VIDEO_MAX_SIDE 8192
#define DP_VIDEO_MAX_ATTACHMENT_BYTES (32L * 1024 * 1024) /* Matroska attachments, whole */
#define DP_VIDEO_MAX_ALLOC (192UL * 1024 * 1024)          /* FFmpeg's largest single allocation */
#define DP_VIDEO_PROBE_BYTES (5L * 1000 * 1000)           /* read to find the streams */
#define DP_VIDEO_ANALYZE_US (5LL * 1000 * 1000)           /* of stream time, probing */
/* app/status.c, config files (issues 13 and 8) */
#define DP_STATUS_MAX_CONNS 256            /* connections served at once */
#define DP_STATUS_IDLE_TIMEOUT_S 5         /* a connection silent this long is closed */
#define DP_STATUS_CONN_MEMORY (32 * 1024)  /* per connection: request head + buffers */
#define DP_CONFIG_MAX_BYTES (1024L * 1024) /* a larger config file is refused */
#define DP_CONFIG_LINE_MAX (64 * 1024)     /* a longer config line is refused */
/* Issue 11: push (MQTT, Mastodon streaming) and live streams */
#define NET_POLL_COALESCE_MS (1LL * 1000)        /* requested polls: at most one a second */
#define NET_NOTIFY_KEEPALIVE_S 30                /* MQTT keep-alive */
#define NET_NOTIFY_RETRY_MIN_MS (1LL * 1000)     /* first reconnection; doubles to the cap */
#define NET_NOTIFY_LOOP_MS 250                   /* MQTT loop slice (how soon stop is seen) */
#define NET_NOTIFY_URL_MAX 1024                  /* a longer notify URL is refused */
#define NET_STREAM_IDLE_S 60                     /* a silent SSE stream is dropped */
#define NET_STREAM_LINE_MAX (64 * 1024)          /* one SSE line (a status JSON) */
#define NET_STREAM_EVENT_MAX (256 * 1024)        /* one SSE event's data */
#define MEDIA_LIVE_OPEN_TIMEOUT_MS (10LL * 1000) /* opening a live stream */
#define MEDIA_LIVE_STALL_MS (6LL * 1000)         /* no packet this long: a stall */

#endif
