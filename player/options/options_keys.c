/* The table of every config key: see options_keys.h. */
#include "options/options_keys.h"

#include <stddef.h>

#include "options/options.h"

#define KB 1024LL
#define MB (1024LL * KB)
#define GB (1024LL * MB)
#define SEC 1000LL
#define HOUR (3600LL * SEC)

static const char *const transition_words[] = {"fade", "cut", NULL};
static const char *const new_posts_words[] = {"next", "interrupt", "queue", NULL};
static const char *const sync_words[] = {"none", "wallclock", NULL};
static const char *const hwdec_words[] = MEDIA_HWDEC_WORDS;

_Static_assert(sizeof(enum render_transition) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum rotation_new_posts) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum dp_sync) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum media_hwdec) == sizeof(int), "enums are stored as int");

const char *const options_sections[] = {
    "feed", "cache", "display", "playback", "schedule", "status", NULL,
};

const struct opt_def options_keys[] = {
    {"feed", "url", OPT_STRING, "",
     "where to poll: an http(s):// or file:// URL, or a local feed file or folder",
     "the bundled demo feed", OFF(feed_url), 0, 0, 0, NULL},
    {"feed", "poll_interval", OPT_DURATION, "60s",
     "time between polls; each poll is jittered by up to +/-10%", NULL, OFF(poll_interval_ms), 0,
     1 * SEC, 24 * HOUR, NULL},
    {"feed", "public_key", OPT_STRING, "",
     "a minisign public key (the base64 line of a .pub file); unsigned feeds are rejected",
     "no signature check", OFF(public_key), 0, 0, 0, NULL},
    {"feed", "ca_file", OPT_STRING, "", "extra CA bundle (PEM) for TLS", "the system store only",
     OFF(ca_file), 0, 0, 0, NULL},
    {"feed", "headers", OPT_HEADERS, "",
     "extra request headers, \"Name: value\" separated by \\n or on indented lines", "none",
     OFF(headers), 0, 0, 0, NULL},
    /* issue 8 */
    {"feed", "follow_symlinks", OPT_BOOL, "false",
     "for a folder feed: follow symlinks that lead out of the folder", NULL, OFF(follow_symlinks),
     0, 0, 0, NULL},
    /* issue 11: push */
    {"feed", "notify", OPT_STRING, "",
     "mqtt://[user:password@]host[:port]/topic or mqtts://...: any message on the topic "
     "means \"poll now\" (bursts coalesce to one poll a second)",
     "no push; polls only", OFF(notify), 0, 0, 0, NULL},
    {"feed", "notify_jitter", OPT_DURATION, "500ms",
     "random delay before a pushed poll, so a fleet spreads its requests", NULL,
     OFF(notify_jitter_ms), 0, 0, 60 * SEC, NULL},

    {"cache", "dir", OPT_STRING, "", "where feeds and media are kept",
     "$XDG_CACHE_HOME/deskplayer, else ~/.cache/deskplayer, else /var/cache/deskplayer",
     OFF(cache_dir), 0, 0, 0, NULL},
    {"cache", "max_size", OPT_SIZE, "2G", "upper bound on cached media bytes", NULL, OFF(max_size),
     0, 1, 16384 * GB, NULL},
    {"cache", "max_media_size", OPT_SIZE, "1G", "a single download larger than this is refused",
     NULL, OFF(max_media_size), 0, 1, 16384 * GB, NULL},

    {"display", "size", OPT_WXH, "", "resolution to request, WxH", "the display's native mode",
     OFF(size_w), OFF(size_h), 0, 0, NULL},
    {"display", "rotation", OPT_ROTATION, "0",
     "0, 90, 180 or 270: the picture is turned clockwise by this angle", NULL, OFF(rotation), 0, 0,
     0, NULL},
    {"display", "margin", OPT_INT, "0", "safe-area margin in pixels (overscan)", NULL, OFF(margin),
     0, 0, 2000, NULL},
    {"display", "background", OPT_COLOUR, "#000000", "colour behind letterboxed media", NULL,
     OFF(background), 0, 0, 0, NULL},
    {"display", "transition", OPT_ENUM, "fade", "how one item gives way to the next: fade or cut",
     NULL, OFF(transition), 0, 0, 0, transition_words},
    {"display", "transition_time", OPT_DURATION, "600ms", "length of a transition", NULL,
     OFF(transition_ms), 0, 0, 60 * SEC, NULL},
    {"display", "font", OPT_STRING, "",
     "a TTF/OTF path; fallback fonts still apply for missing glyphs", "the bundled sans",
     OFF(font), 0, 0, 0, NULL},
    {"display", "show_qr", OPT_BOOL, "true",
     "a QR code of the post's link in the corner, when the post has one", NULL, OFF(show_qr), 0, 0,
     0, NULL},
    /* issue 12 */
    {"display", "cec", OPT_BOOL, "false",
     "drive the TV's power over HDMI-CEC (/dev/cec0) with [schedule] on_hours: "
     "Standby / Image View On",
     NULL, OFF(cec), 0, 0, 0, NULL},
    /* Issue 10. */
    {"display", "upscale_max", OPT_INT, "2",
     "a picture smaller than the screen is enlarged at most this many times (1: never)", NULL,
     OFF(upscale_max), 0, 1, 64, NULL},

    {"playback", "image_duration", OPT_DURATION, "10s", "how long an image is shown", NULL,
     OFF(image_duration_ms), 0, 100, 24 * HOUR, NULL},
    {"playback", "text_duration", OPT_TEXT_DURATION, "auto",
     "auto: reading time (about 200 words a minute), clamped to [6s, 30s]", NULL,
     OFF(text_duration_ms), 0, 100, 24 * HOUR, NULL},
    {"playback", "video_max_duration", OPT_DURATION, "0", "longest time a video plays; 0: no cap",
     NULL, OFF(video_max_duration_ms), 0, 0, 24 * HOUR, NULL},
    {"playback", "audio", OPT_BOOL, "true", "play video sound", NULL, OFF(audio), 0, 0, 0, NULL},
    {"playback", "volume", OPT_INT, "100", "video sound volume, 0 to 100", NULL, OFF(volume), 0, 0,
     100, NULL},
    {"playback", "max_items", OPT_INT, "50", "the newest N posts are kept in rotation", NULL,
     OFF(max_items), 0, 1, 10000, NULL},
    {"playback", "max_age", OPT_DURATION, "0",
     "posts older than this leave the rotation; 0: no limit", NULL, OFF(max_age_ms), 0, 0,
     87600 * HOUR, NULL},
    {"playback", "new_posts", OPT_ENUM, "next",
     "when a new post shows: next (after the current item), interrupt (at once), queue", NULL,
     OFF(new_posts), 0, 0, 0, new_posts_words},
    {"playback", "sync", OPT_ENUM, "none",
     "none, or wallclock: screens with the same feed and clock show the same item together", NULL,
     OFF(sync), 0, 0, 0, sync_words},
    {"playback", "hwdec", OPT_ENUM, "auto",
     "video decoder: auto (the platform's hardware decoder when there is one, else "
     "software), none, vaapi, v4l2m2m or drm",
     NULL, OFF(hwdec), 0, 0, 0, hwdec_words},
    /* issue 11: live streams */
    {"playback", "live_max_duration", OPT_DURATION, "10m",
     "longest time a live stream (HLS) holds the screen", NULL, OFF(live_max_duration_ms), 0,
     1 * SEC, 24 * HOUR, NULL},

    {"schedule", "on_hours", OPT_SCHEDULE, "",
     "e.g. mon-fri 07:00-22:00, sat 09:00-18:00; outside it the screen is black", "always on",
     OFF(on_hours), 0, 0, 0, NULL},

    {"status", "listen", OPT_ADDR, "127.0.0.1:8642", "the status endpoint, HOST:PORT", "off",
     OFF(status_listen), 0, 0, 0, NULL},
    {"status", "token", OPT_SECRET, "",
     "when set, required as Authorization: Bearer <token>; needed off loopback", "no token",
     OFF(status_token), 0, 0, 0, NULL},
};


_Static_assert(sizeof options_keys / sizeof options_keys[0] == OPTIONS_N_KEYS,
               "OPTIONS_N_KEYS is the number of keys");
