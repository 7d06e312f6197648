/* The play log (interface.md): one JSON object per line, each with ts and
 * event. Thread-safe: net's threads and main write to it. */
#ifndef DP_PLAYLOG_H
#define DP_PLAYLOG_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct playlog;

/* path: a file (appended), "-" for standard output, NULL for none.
 * Returns NULL with errno set when the file cannot be opened. */
struct playlog *playlog_open(const char *path);
void playlog_close(struct playlog *pl); /* NULL ok */
/* Writes obj (adding ts and event first) and frees it. pl may be NULL (the
 * object is freed). */
void playlog_write(struct playlog *pl, const char *event, cJSON *obj);

/* Typed events (interface.md's fields). Strings are borrowed for the call;
 * a NULL optional string leaves its field out. Any thread; pl may be NULL. */
struct playlog_start {
    const char *version, *feed, *cache_dir;
    int w, h; /* the output size */
};
void playlog_start(struct playlog *pl, const struct playlog_start *f);
void playlog_stop(struct playlog *pl, const char *reason);
/* error: where (required), error (optional). */
void playlog_error(struct playlog *pl, const char *where, const char *error);

struct playlog_skip {
    const char *item, *reason; /* required ("" when unknown) */
    const char *media, *error; /* optional */
};
void playlog_skip(struct playlog *pl, const struct playlog_skip *f);

struct playlog_show {
    const char *item, *post, *kind;
    const char *media; /* optional */
    int64_t duration_ms;
    const char *snapshot; /* optional: the per-item PNG's name */
    bool live;            /* a live stream: "live": true */
};
void playlog_show(struct playlog *pl, const struct playlog_show *f);

struct playlog_shown {
    const char *item, *kind;
    int64_t elapsed_ms;
    bool has_frames; /* a video: frames and dropped are written */
    int64_t frames, dropped;
    bool live; /* a live stream: "live": true */
};
void playlog_shown(struct playlog *pl, const struct playlog_shown *f);

struct playlog_poll {
    const char *url, *result; /* required ("" / "error" when unknown) */
    int status;               /* HTTP status or 0 */
    int64_t items;            /* < 0: left out */
    const char *error;        /* optional */
};
void playlog_poll(struct playlog *pl, const struct playlog_poll *f);

struct playlog_download {
    const char *url, *result;
    int64_t bytes;     /* < 0: left out */
    const char *error; /* optional */
};
void playlog_download(struct playlog *pl, const struct playlog_download *f);

#endif
