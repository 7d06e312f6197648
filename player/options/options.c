/* The config file: one table of every key drives the defaults, INI parsing,
 * --check-config output and config/deskplayer.conf.example.
 *
 * The file is read (bounded, regular files only) and cut into lines by
 * conf_read.c, the one tokeniser; each line arrives here with its number,
 * so every message names file:line.
 *
 * The value parsers live in parse.c, the command line in cmdline.c.
 *
 * A load works on a copy of the config and replaces it only on success, so
 * a bad file (e.g. on SIGHUP) leaves the running settings untouched. */
#include "options/options.h"
#include "rotation/schedule.h"

#include "base/log.h"
#include "base/xalloc.h"
#include "options/conf_read.h"
#include "options/options_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum opt_type {
    OPT_STRING,  /* free text; empty -> NULL */
    OPT_SECRET,  /* free text printed as <set> by --check-config; empty -> NULL */
    OPT_HEADERS, /* "Name: value" lines; "\n" in the file separates them */
    OPT_ADDR,    /* HOST:PORT or empty (kept as "") */
    OPT_BOOL,
    OPT_INT,           /* int, min..max */
    OPT_SIZE,          /* int64_t bytes, K/M/G suffixes, min..max */
    OPT_DURATION,      /* int64_t ms, ms/s/m/h suffixes, min..max (0 always allowed if min 0) */
    OPT_TEXT_DURATION, /* "auto" (stored 0) or a duration, min..max */
    OPT_ENUM,          /* int, index into words */
    OPT_COLOUR,        /* uint32_t 0xRRGGBB from #RRGGBB */
    OPT_WXH,           /* two ints at offset and offset2; empty -> 0x0 */
    OPT_ROTATION,      /* int: 0, 90, 180, 270 */
    OPT_SCHEDULE,      /* string, checked by schedule_parse */
};

struct opt_def {
    const char *section;
    const char *key;
    enum opt_type type;
    const char *def;     /* the default, as it would be written in the file */
    const char *meaning; /* one line for the example file */
    const char *empty;   /* what an empty value stands for, or NULL */
    size_t offset;
    size_t offset2;           /* OPT_WXH: the height */
    int64_t min, max;         /* OPT_INT, OPT_SIZE, OPT_DURATION, OPT_TEXT_DURATION */
    const char *const *words; /* OPT_ENUM, NULL-terminated, in enum order */
};

#define KB 1024LL
#define MB (1024LL * KB)
#define GB (1024LL * MB)
#define SEC 1000LL
#define HOUR (3600LL * SEC)
#define OFF(field) offsetof(struct dp_config, field)

static const char *const transition_words[] = {"fade", "cut", NULL};
static const char *const new_posts_words[] = {"next", "interrupt", "queue", NULL};
static const char *const sync_words[] = {"none", "wallclock", NULL};
static const char *const hwdec_words[] = MEDIA_HWDEC_WORDS;

_Static_assert(sizeof(enum render_transition) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum rotation_new_posts) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum dp_sync) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum media_hwdec) == sizeof(int), "enums are stored as int");

static const char *const sections[] = {
    "feed", "cache", "display", "playback", "schedule", "status", NULL,
};

/* Every key of interface.md's config table, in its order. */
static const struct opt_def defs[] = {
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

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static bool is_string_type(enum opt_type t)
{
    return t == OPT_STRING || t == OPT_SECRET || t == OPT_HEADERS || t == OPT_ADDR ||
           t == OPT_SCHEDULE;
}

static void *field(struct dp_config *cfg, size_t off)
{
    return (char *)cfg + off;
}

static const void *cfield(const struct dp_config *cfg, size_t off)
{
    return (const char *)cfg + off;
}

static char **str_field(struct dp_config *cfg, const struct opt_def *d)
{
    return field(cfg, d->offset);
}

/* ---- the table-driven setter ------------------------------------------ */

/* What a key takes, for "expected <what>" messages. */
static void describe(const struct opt_def *d, char *buf, size_t len)
{
    char lo[32], hi[32];
    switch (d->type) {
    case OPT_STRING:
    case OPT_SECRET:
        snprintf(buf, len, "text");
        break;
    case OPT_HEADERS:
        snprintf(buf, len, "\"Name: value\" headers separated by \\n");
        break;
    case OPT_ADDR:
        snprintf(buf, len, "HOST:PORT (e.g. 127.0.0.1:8642), or empty to turn it off");
        break;
    case OPT_BOOL:
        snprintf(buf, len, "true or false");
        break;
    case OPT_INT:
        snprintf(buf, len, "an integer from %lld to %lld", (long long)d->min, (long long)d->max);
        break;
    case OPT_SIZE:
        options_format_size(d->min, lo, sizeof(lo));
        options_format_size(d->max, hi, sizeof(hi));
        snprintf(buf, len, "a size from %s to %s (e.g. 500M; K, M, G suffixes)", lo, hi);
        break;
    case OPT_DURATION:
    case OPT_TEXT_DURATION:
        options_format_duration(d->min, lo, sizeof(lo));
        options_format_duration(d->max, hi, sizeof(hi));
        snprintf(buf, len, "%sa duration from %s to %s (e.g. 1.5s; ms, s, m, h suffixes)",
                 d->type == OPT_TEXT_DURATION ? "auto or " : "", lo, hi);
        break;
    case OPT_ENUM: {
        size_t n = 0, count = 0;
        while (d->words[count])
            count++;
        buf[0] = '\0';
        for (size_t i = 0; i < count && n < len; i++) {
            const char *sep = i == 0 ? "" : i + 1 == count ? " or " : ", ";
            n += (size_t)snprintf(buf + n, len - n, "%s%s", sep, d->words[i]);
        }
        break;
    }
    case OPT_COLOUR:
        snprintf(buf, len, "a colour #RRGGBB (e.g. #000000)");
        break;
    case OPT_WXH:
        snprintf(buf, len,
                 "WxH (e.g. 1920x1080, at most 7680x4320), or empty for the native mode");
        break;
    case OPT_ROTATION:
        snprintf(buf, len, "0, 90, 180 or 270");
        break;
    case OPT_SCHEDULE:
        snprintf(buf, len, "days and hours like mon-fri 07:00-22:00, sat 09:00-18:00");
        break;
    }
}

/* Sets one key from its text. Returns false (cfg unchanged) on a bad value. */
static bool set_value(struct dp_config *cfg, const struct opt_def *d, const char *v)
{
    int64_t n;
    switch (d->type) {
    case OPT_STRING:
    case OPT_SECRET: {
        char **p = str_field(cfg, d);
        free(*p);
        *p = *v ? dp_strdup(v) : NULL;
        return true;
    }
    case OPT_HEADERS: {
        char *res = NULL;
        if (!options_parse_headers(v, &res))
            return false;
        char **p = str_field(cfg, d);
        free(*p);
        *p = res;
        return true;
    }
    case OPT_SCHEDULE: {
        struct schedule sched;
        char msg[160];
        if (schedule_parse(v, &sched, msg, sizeof msg) < 0)
            return false;
        char **p = str_field(cfg, d);
        free(*p);
        *p = *v ? dp_strdup(v) : NULL;
        return true;
    }
    case OPT_ADDR: {
        if (!options_parse_addr(v))
            return false;
        char **p = str_field(cfg, d);
        free(*p);
        *p = dp_strdup(v);
        return true;
    }
    case OPT_BOOL:
        return options_parse_bool(v, field(cfg, d->offset));
    case OPT_INT:
        if (!options_parse_int(v, &n) || n < d->min || n > d->max)
            return false;
        *(int *)field(cfg, d->offset) = (int)n;
        return true;
    case OPT_SIZE:
        if (!options_parse_size(v, &n) || n < d->min || n > d->max)
            return false;
        *(int64_t *)field(cfg, d->offset) = n;
        return true;
    case OPT_TEXT_DURATION:
        if (!strcasecmp(v, "auto")) {
            *(int64_t *)field(cfg, d->offset) = 0;
            return true;
        }
        if (!options_parse_duration(v, &n) || (n != 0 && (n < d->min || n > d->max)))
            return false;
        *(int64_t *)field(cfg, d->offset) = n;
        return true;
    case OPT_DURATION:
        if (!options_parse_duration(v, &n) || n < d->min || n > d->max)
            return false;
        *(int64_t *)field(cfg, d->offset) = n;
        return true;
    case OPT_ENUM:
        for (int i = 0; d->words[i]; i++) {
            if (!strcasecmp(v, d->words[i])) {
                *(int *)field(cfg, d->offset) = i;
                return true;
            }
        }
        return false;
    case OPT_COLOUR:
        return options_parse_colour(v, field(cfg, d->offset));
    case OPT_WXH: {
        int w = 0, h = 0;
        if (*v && !options_parse_wxh(v, &w, &h))
            return false;
        *(int *)field(cfg, d->offset) = w;
        *(int *)field(cfg, d->offset2) = h;
        return true;
    }
    case OPT_ROTATION:
        if (!options_parse_int(v, &n) || (n != 0 && n != 90 && n != 180 && n != 270))
            return false;
        *(int *)field(cfg, d->offset) = (int)n;
        return true;
    }
    return false;
}

/* The value of a key as the file would say it; strings may be longer than
 * buf, so the result points either into buf or into cfg. */
static const char *format_value(const struct dp_config *cfg, const struct opt_def *d, char *buf,
                                size_t len)
{
    const void *f = cfield(cfg, d->offset);
    switch (d->type) {
    case OPT_STRING:
    case OPT_SECRET:
    case OPT_HEADERS:
    case OPT_SCHEDULE:
    case OPT_ADDR: {
        const char *s = *(char *const *)f;
        return s ? s : "";
    }
    case OPT_BOOL:
        return *(const bool *)f ? "true" : "false";
    case OPT_INT:
    case OPT_ROTATION:
        snprintf(buf, len, "%d", *(const int *)f);
        return buf;
    case OPT_SIZE:
        options_format_size(*(const int64_t *)f, buf, len);
        return buf;
    case OPT_TEXT_DURATION:
        if (*(const int64_t *)f == 0)
            return "auto";
        options_format_duration(*(const int64_t *)f, buf, len);
        return buf;
    case OPT_DURATION:
        options_format_duration(*(const int64_t *)f, buf, len);
        return buf;
    case OPT_ENUM: {
        int i = *(const int *)f, count = 0;
        while (d->words[count])
            count++;
        return i >= 0 && i < count ? d->words[i] : d->words[0];
    }
    case OPT_COLOUR:
        snprintf(buf, len, "#%06x", (unsigned)(*(const uint32_t *)f & 0xffffff));
        return buf;
    case OPT_WXH: {
        int w = *(const int *)f, h = *(const int *)cfield(cfg, d->offset2);
        if (w <= 0 || h <= 0)
            return "";
        snprintf(buf, len, "%dx%d", w, h);
        return buf;
    }
    }
    return "";
}

static const struct opt_def *find_def(const char *section, const char *key)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (!strcmp(defs[i].section, section) && !strcmp(defs[i].key, key))
            return &defs[i];
    return NULL;
}

static bool known_section(const char *s)
{
    for (int i = 0; sections[i]; i++)
        if (!strcmp(sections[i], s))
            return true;
    return false;
}

/* ---- public: defaults, finish, set ------------------------------------- */

void options_defaults(struct dp_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < NDEFS; i++) {
        if (!set_value(cfg, &defs[i], defs[i].def)) {
            LOG_E("options", "bad built-in default [%s] %s = %s", defs[i].section, defs[i].key,
                  defs[i].def);
            abort();
        }
    }
}

void options_finish(struct dp_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < NDEFS; i++) {
        if (is_string_type(defs[i].type)) {
            char **p = str_field(cfg, &defs[i]);
            free(*p);
            *p = NULL;
        }
    }
}

static void config_copy(struct dp_config *dst, const struct dp_config *src)
{
    *dst = *src;
    for (size_t i = 0; i < NDEFS; i++)
        if (is_string_type(defs[i].type)) {
            char **p = str_field(dst, &defs[i]);
            *p = dp_strdup(*p);
        }
}

/* Writes `expected ..., got "..."` for a bad value of d into err. */
static void bad_value(const struct opt_def *d, const char *v, const char *prefix, char *err,
                      size_t errlen)
{
    char what[160], q[72];
    describe(d, what, sizeof(what));
    options_quote(v, q, sizeof(q));
    snprintf(err, errlen, "%s[%s] %s: expected %s, got \"%s\"", prefix, d->section, d->key, what,
             q);
}

/* `unknown key "[s] k" (did you mean ...?)`: the closest key of all, the
 * same section winning ties; when nothing is close, the section's keys. */
static void unknown_key(const char *section, const char *key, const char *prefix, char *err,
                        size_t errlen)
{
    const struct opt_def *best = NULL;
    int best_cost = 1 << 20, best_d = 0;
    char q[72], qs[72];
    for (size_t i = 0; i < NDEFS; i++) {
        int dist = options_distance(key, defs[i].key);
        int cost = dist * 2 + (strcmp(defs[i].section, section) != 0);
        if (cost < best_cost) {
            best_cost = cost;
            best_d = dist;
            best = &defs[i];
        }
    }
    options_quote(key, q, sizeof(q));
    options_quote(section, qs, sizeof(qs));
    if (best && options_close_enough(strlen(key), best_d)) {
        if (strcmp(best->section, section))
            snprintf(err, errlen, "%sunknown key \"[%s] %s\" (did you mean \"[%s] %s\"?)", prefix,
                     qs, q, best->section, best->key);
        else
            snprintf(err, errlen, "%sunknown key \"[%s] %s\" (did you mean \"%s\"?)", prefix, qs,
                     q, best->key);
        return;
    }
    char list[400];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; i < NDEFS && n < sizeof(list); i++)
        if (!strcmp(defs[i].section, section))
            n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", defs[i].key);
    snprintf(err, errlen, "%sunknown key \"[%s] %s\" (the keys of [%s] are: %s)", prefix, qs, q,
             qs, list);
}

static void unknown_section(const char *section, const char *prefix, char *err, size_t errlen)
{
    const char *best = NULL;
    int best_d = 1 << 20;
    char q[72];
    for (int i = 0; sections[i]; i++) {
        int dist = options_distance(section, sections[i]);
        if (dist < best_d) {
            best_d = dist;
            best = sections[i];
        }
    }
    options_quote(section, q, sizeof(q));
    if (best && options_close_enough(strlen(section), best_d))
        snprintf(err, errlen, "%sunknown section [%s] (did you mean [%s]?)", prefix, q, best);
    else
        snprintf(err, errlen,
                 "%sunknown section [%s] (known: [feed], [cache], [display], "
                 "[playback], [schedule], [status])",
                 prefix, q);
}

int options_set(struct dp_config *cfg, const char *section, const char *key, const char *value,
                char *err, size_t errlen)
{
    if (!known_section(section)) {
        unknown_section(section, "", err, errlen);
        return -1;
    }
    const struct opt_def *d = find_def(section, key);
    if (!d) {
        unknown_key(section, key, "", err, errlen);
        return -1;
    }
    if (!set_value(cfg, d, value)) {
        bad_value(d, value, "", err, errlen);
        return -1;
    }
    return 0;
}

/* ---- loading a file ---------------------------------------------------- */

struct load_ctx {
    const char *path;
    int lineno;
    bool failed;
    int set_on[sizeof(defs) / sizeof(defs[0])]; /* line of each key, 0: not set */
    struct dp_config cfg;
    char *err;
    size_t errlen;
};

static void load_fail(struct load_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void load_fail(struct load_ctx *c, const char *fmt, ...)
{
    va_list ap;
    if (c->failed)
        return;
    c->failed = true;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
}

static void load_prefix(struct load_ctx *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%d: ", c->path, c->lineno);
}

/* A key line, or the continuation of one. */
static int on_key(struct load_ctx *c, const struct conf_line *l)
{
    char prefix[300], q[72];
    const char *section = l->section, *key = l->key, *value = l->value;
    load_prefix(c, prefix, sizeof(prefix));
    if (!*section) {
        const struct opt_def *best = NULL;
        for (size_t i = 0; i < NDEFS && !best; i++)
            if (!strcmp(defs[i].key, key))
                best = &defs[i];
        options_quote(key, q, sizeof(q));
        if (best)
            load_fail(c, "%skey \"%s\" before any [section] (did you mean \"[%s] %s\"?)", prefix,
                      q, best->section, best->key);
        else
            load_fail(c, "%skey \"%s\" before any [section]", prefix, q);
        return -1;
    }
    const struct opt_def *d = find_def(section, key);
    if (!d) {
        unknown_key(section, key, prefix, c->err, c->errlen);
        c->failed = true;
        return -1;
    }
    size_t idx = (size_t)(d - defs);
    if (l->kind == CONF_CONTINUATION) {
        char **p = str_field(&c->cfg, d);
        if (d->type != OPT_HEADERS) {
            options_quote(value, q, sizeof(q));
            load_fail(c,
                      "%s[%s] %s: expected the value on one line (an indented line "
                      "continues the one above), got \"%s\"",
                      prefix, section, key, q);
            return -1;
        }
        if (!options_parse_headers(value, p)) {
            bad_value(d, value, prefix, c->err, c->errlen);
            c->failed = true;
            return -1;
        }
        return 0;
    }
    if (c->set_on[idx]) {
        load_fail(c, "%s[%s] %s: set twice (first on line %d)", prefix, section, key,
                  c->set_on[idx]);
        return -1;
    }
    c->set_on[idx] = c->lineno;
    if (!set_value(&c->cfg, d, value)) {
        bad_value(d, value, prefix, c->err, c->errlen);
        c->failed = true;
        return -1;
    }
    return 0;
}

/* The tokeniser's callback: one section, key or continuation line. */
static int on_line(void *ctx, const struct conf_line *l)
{
    struct load_ctx *c = ctx;
    c->lineno = l->lineno;
    if (l->kind != CONF_SECTION)
        return on_key(c, l);
    if (!known_section(l->section)) {
        char prefix[300];
        load_prefix(c, prefix, sizeof(prefix));
        unknown_section(l->section, prefix, c->err, c->errlen);
        c->failed = true;
        return -1;
    }
    return 0;
}

/* Checks across keys, once the whole file is read. */
static void check_whole(struct load_ctx *c)
{
    const struct opt_def *listen = find_def("status", "listen");
    const char *addr = c->cfg.status_listen ? c->cfg.status_listen : "";
    if (!options_addr_is_loopback(addr) && !c->cfg.status_token) {
        char q[72];
        int line = c->set_on[listen - defs];
        options_quote(addr, q, sizeof(q));
        if (line)
            load_fail(c,
                      "%s:%d: [status] listen: expected a loopback address unless "
                      "[status] token is set, got \"%s\"",
                      c->path, line, q);
        else
            load_fail(c,
                      "%s: [status] token: expected a token, since listen \"%s\" is "
                      "not a loopback address",
                      c->path, q);
    }
}

int options_load_file(struct dp_config *cfg, const char *path, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    if (errlen)
        err[0] = '\0';
    if (options_read_file(path, &text, &len, err, errlen) < 0)
        return -2;
    struct load_ctx *c = dp_calloc(1, sizeof(*c));
    int rc = 0;
    c->path = path;
    c->err = err;
    c->errlen = errlen;
    config_copy(&c->cfg, cfg);
    if (options_tokenise(path, text, len, on_line, c, err, errlen) == -2)
        c->failed = true;
    if (!c->failed)
        check_whole(c);
    if (c->failed) {
        options_finish(&c->cfg);
        rc = -1;
    } else {
        options_finish(cfg);
        *cfg = c->cfg;
    }
    free(text);
    free(c);
    return rc;
}

/* ---- printing ---------------------------------------------------------- */

/* A value as written to a file: headers get their "\n" escapes back (and
 * "<set>" for their values when secrets are hidden); the login in [feed]
 * notify is hidden as "<login>" (issue 11); a value that would not read back
 * the same (a quote first, " ;" inside, blanks around) is quoted. */
static void put_value(FILE *out, const struct opt_def *d, const char *v,
                      enum options_secrets secrets)
{
    bool hide = secrets == OPTIONS_HIDE_SECRETS;
    if (d->type == OPT_SECRET && hide) {
        fputs(*v ? "<set>" : "", out);
        return;
    }
    const char *scheme = hide && d->offset == OFF(notify) ? strstr(v, "://") : NULL;
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    if (at && (!slash || at < slash)) {
        fprintf(out, "%.*s<login>%s", (int)(scheme + 3 - v), v, at);
        return;
    }
    if (d->type == OPT_HEADERS) {
        for (const char *line = v; *line;) {
            size_t n = strcspn(line, "\n");
            const char *colon = memchr(line, ':', n);
            if (line != v)
                fputs("\\n", out);
            if (hide && colon)
                fprintf(out, "%.*s: <set>", (int)(colon - line), line);
            else
                fwrite(line, 1, n, out);
            line += n + (line[n] == '\n');
        }
        return;
    }
    size_t n = strlen(v);
    bool quote = n && (v[0] == '"' || v[0] == '\'' || isspace((unsigned char)v[0]) ||
                       isspace((unsigned char)v[n - 1]) || strstr(v, " ;") || strstr(v, "\t;"));
    if (quote)
        fprintf(out, strchr(v, '"') ? "'%s'" : "\"%s\"", v);
    else
        fputs(v, out);
}

void options_print(const struct dp_config *cfg, FILE *out, enum options_secrets secrets)
{
    const char *section = NULL;
    char buf[64];
    fputs("# deskplayer: the effective settings\n", out);
    for (size_t i = 0; i < NDEFS; i++) {
        const struct opt_def *d = &defs[i];
        if (!section || strcmp(section, d->section)) {
            section = d->section;
            fprintf(out, "\n[%s]\n", section);
        }
        const char *v = format_value(cfg, d, buf, sizeof(buf));
        if (!*v && d->empty) {
            if (d->offset == OFF(cache_dir)) {
                char *dir = options_default_cache_dir();
                fprintf(out, "# %s: empty = %s\n", d->key, dir);
                free(dir);
            } else {
                fprintf(out, "# %s: empty = %s\n", d->key, d->empty);
            }
        }
        fprintf(out, "%s =%s", d->key, *v ? " " : "");
        put_value(out, d, v, secrets);
        fputc('\n', out);
    }
}

void options_write_example(FILE *out)
{
    const char *section = NULL;
    fputs("# deskplayer configuration: every key, its meaning and its default.\n"
          "# A line starting with ';' shows a default; remove the ';' to change it.\n"
          "# Sizes take K, M, G suffixes; durations take ms, s, m, h (a bare number\n"
          "# is seconds). Unknown sections or keys are an error.\n"
          "# Check a file with: deskplayer --config FILE --check-config\n",
          out);
    for (size_t i = 0; i < NDEFS; i++) {
        const struct opt_def *d = &defs[i];
        if (!section || strcmp(section, d->section)) {
            section = d->section;
            fprintf(out, "\n[%s]\n", section);
        } else {
            fputc('\n', out);
        }
        fprintf(out, "# %s\n", d->meaning);
        if (d->empty)
            fprintf(out, "# empty: %s\n", d->empty);
        fprintf(out, ";%s =%s%s\n", d->key, *d->def ? " " : "", d->def);
    }
}

char *options_default_cache_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        return dp_strfmt("%s/deskplayer", xdg);
    if (home && home[0] == '/')
        return dp_strfmt("%s/.cache/deskplayer", home);
    return dp_strdup("/var/cache/deskplayer");
}

void options_apply_cmdline(struct dp_config *cfg, const struct dp_cmdline *cl)
{
    if (cl->feed) {
        free(cfg->feed_url);
        cfg->feed_url = dp_strdup(cl->feed);
    }
    if (cl->cache_dir) {
        free(cfg->cache_dir);
        cfg->cache_dir = cl->cache_dir[0] ? dp_strdup(cl->cache_dir) : NULL;
    }
}
