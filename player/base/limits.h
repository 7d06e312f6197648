/* Every limit deskplayer enforces, with its name and value in one place. */
#ifndef DP_LIMITS_H
#define DP_LIMITS_H

#define DP_FEED_MAX_BYTES        (10L * 1024 * 1024) /* a larger feed is rejected */
#define DP_JSON_MAX_DEPTH        64                  /* nesting in a feed document */
#define DP_TEXT_MAX_CHARS        5000                /* post text, after sanitising */
#define DP_FIELD_MAX_CHARS       1000                /* titles, names, alt texts */
#define DP_URL_MAX_BYTES         4096
#define DP_MAX_POSTS             1000                /* posts kept from one feed */
#define DP_MAX_MEDIA_PER_POST    20
#define DP_IMAGE_MAX_PIXELS      (100L * 1000 * 1000) /* JPEG (decoded at reduced scale) */
#define DP_IMAGE_MAX_PIXELS_FULL (40L * 1000 * 1000)  /* formats decoded at full size */
#define DP_IMAGE_MAX_SIDE        30000
#define DP_IMAGE_MAX_FILE_BYTES  (256L * 1024 * 1024)
#define DP_MQ_DEPTH              256                 /* messages waiting for main */
#define DP_DOWNLOADERS           2
#define DP_REDIRECTS_MAX         5
#define DP_CONNECT_TIMEOUT_S     10
#define DP_LOW_SPEED_BYTES       1024                /* below this per second ... */
#define DP_LOW_SPEED_TIME_S      30                  /* ... for this long: abandoned */
#define DP_BACKOFF_MAX_MS        (10 * 60 * 1000)
#define DP_REVALIDATE_MS         (24LL * 3600 * 1000) /* cached media re-checked daily */
#define DP_CAPTION_MAX_LINES     3
#define DP_HTTP_HEADER_MAX_BYTES 8192

/* net/: polls and downloads */
#define NET_FEED_TIMEOUT_MS      (5LL * 60 * 1000)   /* a trickling feed poll still ends */
#define NET_RETRY_AFTER_MAX_MS   (60LL * 60 * 1000)  /* a longer Retry-After is cut */
#define NET_MEDIA_BACKOFF_MIN_MS (5LL * 1000)        /* first retry of a failed download */
#define NET_DISK_FULL_PAUSE_MS   (60LL * 1000)       /* downloads pause after ENOSPC */
#define NET_CHECKPOINT_MS        (1LL * 1000)        /* part fsynced and recorded ... */
#define NET_CHECKPOINT_BYTES     (16LL * 1024 * 1024) /* ... or after this much */
#define NET_IDLE_RECHECK_MS      (10LL * 1000)       /* downloaders look for due work */
#define NET_PROGRESS_LOG_MS      (10LL * 1000)       /* a long download's log line */
#define NET_FLUSH_INTERVAL_MS    (15LL * 60 * 1000)  /* shown times written (flash wear) */

/* Issue 11: push (MQTT, Mastodon streaming) and live streams */
#define NET_POLL_COALESCE_MS     (1LL * 1000)        /* requested polls: at most one a second */
#define NET_NOTIFY_KEEPALIVE_S   30                  /* MQTT keep-alive */
#define NET_NOTIFY_RETRY_MIN_MS  (1LL * 1000)        /* first reconnection; doubles to the cap */
#define NET_NOTIFY_LOOP_MS       250                 /* MQTT loop slice (how soon stop is seen) */
#define NET_NOTIFY_URL_MAX       1024                /* a longer notify URL is refused */
#define NET_STREAM_IDLE_S        60                  /* a silent SSE stream is dropped */
#define NET_STREAM_LINE_MAX      (64 * 1024)         /* one SSE line (a status JSON) */
#define NET_STREAM_EVENT_MAX     (256 * 1024)        /* one SSE event's data */
#define MEDIA_LIVE_OPEN_TIMEOUT_MS (10LL * 1000)     /* opening a live stream */
#define MEDIA_LIVE_STALL_MS      (6LL * 1000)        /* no packet this long: a stall */

#endif
