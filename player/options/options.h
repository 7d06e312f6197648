/* The one option table: every config key with its type, default and range
 * lives in options.c, and drives INI parsing, --check-config output and
 * config/deskplayer.conf.example. The command line is parsed here too.
 * Not thread-safe; app/ loads options before starting other threads and
 * hands each module a copy of what it needs. */
#ifndef DP_OPTIONS_H
#define DP_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "media/hwdec.h"
#include "render/transition.h"
#include "rotation/rotation.h"

/* The enums of what a key configures live with that module (transition in
 * render, new_posts in rotation, hwdec in media); sync is the app's. */
enum dp_sync { DP_SYNC_NONE, DP_SYNC_WALLCLOCK };

struct dp_config {
    /* [feed] */
    char *feed_url; /* NULL: the bundled demo feed */
    int64_t poll_interval_ms;
    char *public_key;
    char *ca_file;
    char *headers;        /* "Name: value\nName: value" */
    bool follow_symlinks; /* issue 8: folder feeds may link out of the folder */
    char *notify;         /* mqtt(s):// push URL, "" off (issue 11) */
    int64_t notify_jitter_ms;
    /* [cache] */
    char *cache_dir; /* NULL: the platform default, see options_default_cache_dir */
    int64_t max_size;
    int64_t max_media_size;
    /* [display] */
    int size_w, size_h; /* 0: native mode */
    int rotation;       /* 0, 90, 180, 270 */
    int margin;
    uint32_t background; /* 0xRRGGBB */
    enum render_transition transition;
    int64_t transition_ms;
    char *font;
    bool show_qr;
    bool cec;        /* issue 12: HDMI-CEC power with on_hours */
    int upscale_max; /* small pictures are enlarged at most this many times */
    /* [playback] */
    int64_t image_duration_ms;
    int64_t text_duration_ms;      /* 0: auto (reading time) */
    int64_t video_max_duration_ms; /* 0: no cap */
    bool audio;
    int volume; /* 0..100 */
    int max_items;
    int64_t max_age_ms; /* 0: no limit */
    enum rotation_new_posts new_posts;
    enum dp_sync sync;
    enum media_hwdec hwdec;       /* video decoding: auto tries the platform's decoder */
    int64_t live_max_duration_ms; /* a live stream's longest turn (issue 11) */
    /* [schedule] */
    char *on_hours;
    /* [status] */
    char *status_listen; /* "" turns it off */
    char *status_token;
};

/* Everything the command line says. Strings point into argv. */
struct dp_cmdline {
    const char *config_path; /* -c / --config */
    const char *cache_dir;
    bool windowed;
    int windowed_w, windowed_h;
    bool headless;
    int size_w, size_h; /* --size, headless output */
    const char *snapshot_dir;
    int64_t snapshot_interval_ms;
    const char *play_log;
    int64_t run_for_ms; /* 0: forever */
    int64_t cycles;     /* 0: forever */
    bool check_config;
    const char *log_level;
    bool help, version;
    const char *feed;  /* positional FEED */
    int64_t benchmark; /* test/bench hooks: see options.c */
};

/* Fills cfg with the built-in defaults (owned strings; options_finish frees).
 * Any thread, on a cfg it owns; cannot fail (a bad built-in default aborts). */
void options_defaults(struct dp_config *cfg);
/* Frees the strings of cfg and sets them to NULL; cfg itself stays the
 * caller's. NULL is fine. */
void options_finish(struct dp_config *cfg);

/* Loads an INI file over cfg. On error returns -1 and writes a one-line
 * message naming file:line, the key, what was expected and the closest
 * known key into err. -2 when the file cannot be read. cfg is unchanged on
 * failure (safe for a SIGHUP reload); on success replaced strings are freed.
 * A key set twice, a key before any [section], a line longer than
 * DP_CONFIG_LINE_MAX, an unclosed quote and a non-loopback listen without a
 * token are errors too. The file must be a regular file of at most
 * DP_CONFIG_MAX_BYTES (a FIFO or device is refused at once: -2). Any
 * thread, on a cfg it owns. */
int options_load_file(struct dp_config *cfg, const char *path, char *err, size_t errlen);

/* Sets one key from its text as the file would give it, through the same
 * table and parsers as options_load_file. Returns 0, or -1 with
 * "[section] key: expected ..., got ..." (or an unknown key/section message,
 * with a suggestion) in err; cfg is unchanged on failure. */
int options_set(struct dp_config *cfg, const char *section, const char *key, const char *value,
                char *err, size_t errlen);

/* Parses argv. Returns 0, or -1 with a message in err (exit 2). cl is
 * cleared first, then gets the defaults (--windowed 1280x720, --size
 * 1920x1080); its strings point into argv, which getopt_long may reorder.
 * Resets getopt's global state, so it may be called again; main thread only. */
int options_parse_cmdline(int argc, char **argv, struct dp_cmdline *cl, char *err, size_t errlen);

/* Applies what the command line overrides in the config: FEED -> feed_url,
 * --cache-dir -> cache_dir (copied; old strings freed). */
void options_apply_cmdline(struct dp_config *cfg, const struct dp_cmdline *cl);

/* Checks what depends on both the config and the command line: the margin
 * must leave at least a quarter of the output (margin <= shorter side / 4)
 * when the output size is known (--headless --size, --windowed, [display]
 * size; the native mode is only known once the display is open, where the
 * drawing clips). Returns 0, or -1 with a message in err. Pure. */
int options_check_display(const struct dp_config *cfg, const struct dp_cmdline *cl, char *err,
                          size_t errlen);

/* Picks the config path: --config, else $DESKPLAYER_CONFIG, else the first
 * of /etc/deskplayer/deskplayer.conf, /boot/firmware/deskplayer.conf that
 * exists, else NULL (built-in defaults).
 * The result points into cl, the environment or a static string: not owned. */
const char *options_config_path(const struct dp_cmdline *cl);
/* The same with the system places given (NULL-terminated; NULL: the two
 * above) and *origin (when origin is not NULL) set to a static phrase saying
 * why: "--config", "$DESKPLAYER_CONFIG", "the first system file that
 * exists" or "built-in defaults". Any thread. */
const char *options_config_find(const struct dp_cmdline *cl, const char *const *system_paths,
                                const char **origin);


/* Whether options_print writes secrets ([status] token, the values of
 * [feed] headers) or "<set>" in their place. */
enum options_secrets { OPTIONS_HIDE_SECRETS, OPTIONS_SHOW_SECRETS };

/* Prints the effective settings as INI (for --check-config, which hides
 * secrets): every key, in the table's order, re-loadable by
 * options_load_file (with OPTIONS_SHOW_SECRETS: to the same settings).
 * Writes to out only. */
void options_print(const struct dp_config *cfg, FILE *out, enum options_secrets secrets);
/* Writes the example config: every key, its default and its meaning; the
 * same text as config/deskplayer.conf.example. */
void options_write_example(FILE *out);
/* Writes the --help text: every option with a one-line meaning. */
void options_usage(FILE *out);

/* Parsers shared with the command line; pure, any thread; return false on a
 * bad value (and leave the outputs alone). Decimals are accepted ("1.5G",
 * "2.5s"); K, M, G are powers of 1024; WxH sides are 1..32767. */
bool options_parse_size(const char *s, int64_t *bytes);  /* 10, 5K, 2M, 1G */
bool options_parse_duration(const char *s, int64_t *ms); /* 10, 600ms, 5s, 2m, 1h */
bool options_parse_wxh(const char *s, int *w, int *h);   /* 1920x1080 */
/* The default cache dir: $XDG_CACHE_HOME/deskplayer, else ~/.cache/deskplayer,
 * else /var/cache/deskplayer. Caller frees. */
char *options_default_cache_dir(void);

#endif
