/* The status endpoint ([status] listen, interface.md "Status endpoint"):
 * GET /status (JSON), GET /metrics (Prometheus text), GET /screenshot.png.
 *
 * Two parts:
 * - struct status_server: one thread that serves HTTP on the listen address
 *   and gets its figures through a struct status_source (callbacks).
 * - struct status_board: a mutex-protected struct status_info that the
 *   player fills with setters from its own threads, plus a rendezvous that
 *   hands one frame from the main thread to the status thread. Its
 *   status_board_snapshot() is a ready-made status_source.snapshot.
 *
 * The module uses only libc, pthreads, cJSON and libsodium (tested with the
 * core library alone); the PNG encoding is the player's screenshot callback. */
#ifndef DP_APP_STATUS_H
#define DP_APP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATUS_ITEM_MAX  512   /* item ids: "<post id>#<n>", cut to fit */
#define STATUS_KIND_MAX  16    /* "text", "image", "video" */
#define STATUS_URL_MAX   4096  /* DP_URL_MAX_BYTES */
#define STATUS_ERROR_MAX 256
#define STATUS_VERSION_MAX 32

/* The figures of one answer. Plain data: strings are copied in (cut to fit,
 * always NUL-terminated); times are Unix milliseconds, 0 meaning "never". */
struct status_info {
    char version[STATUS_VERSION_MAX];   /* preset to DP_VERSION */
    int64_t uptime_ms;                  /* preset to the server's own uptime */
    bool clock_suspect;                 /* preset: wall clock before the build */
    struct {
        char item[STATUS_ITEM_MAX];     /* "" when nothing is on screen */
        char kind[STATUS_KIND_MAX];
        int64_t since_ms;
    } now_showing;
    struct {
        char url[STATUS_URL_MAX];
        int64_t last_poll_ms;
        int64_t last_success_ms;
        char last_error[STATUS_ERROR_MAX];  /* of the last poll; "" when it worked */
        int64_t items;                      /* posts in the last good feed */
    } feed;
    struct {
        int64_t bytes, files, max_bytes;
    } cache;
    int64_t shows_total;
    int64_t frames_dropped_total;
    /* issue 11: the push channels ([feed] notify's MQTT link, Mastodon's
     * stream); state "" when the channel is off. */
    struct status_push {
        char state[16];                     /* connecting, connected, down */
        int64_t messages, connects;
        char last_error[STATUS_ERROR_MAX];
    } notify, stream;
};

/* Where the server gets its data. Both callbacks run on the status thread,
 * one request at a time, so they must be thread-safe and must not wait on
 * the main thread for longer than they are told. */
struct status_source {
    void *ctx;
    /* Fills out, which arrives zeroed except for the preset fields.
     * NULL: only the preset fields are served. */
    void (*snapshot)(void *ctx, struct status_info *out);
    /* Returns 0 and a malloc'd PNG in *png (the server frees it) and its size
     * in *len, or -1 (answered 503) when no frame comes within timeout_ms.
     * NULL: /screenshot.png answers 503. */
    int (*screenshot)(void *ctx, void **png, size_t *len, int timeout_ms);
};

/* ---- the server ---------------------------------------------------------- */

struct status_server;

/* Binds listen ("HOST:PORT", "[v6]:PORT"; port 0 picks a free one) and starts
 * the status thread. token: when non-empty, every request needs
 * "Authorization: Bearer <token>"; a non-loopback address without a token is
 * refused. src is copied; src->ctx must outlive the server.
 * Returns the server, or NULL: with err empty when listen is NULL or "" (the
 * endpoint is off), else with a message in err. Any thread; HOST may be a
 * name (resolved here, blocking), a numeric address does not block. */
struct status_server *status_start(const char *listen, const char *token,
                                   const struct status_source *src, char *err, size_t errlen);
/* The bound port (useful with port 0), or -1 for NULL. Any thread. */
int status_port(const struct status_server *s);
/* Wakes and joins the status thread (within the time of one callback at most),
 * closes the sockets, frees s. NULL ok. The thread that called status_start. */
void status_stop(struct status_server *s);

/* ---- the board ----------------------------------------------------------- */

struct status_board;

/* wake(wake_ctx) is called (from the status thread) when a frame is wanted,
 * so that the main loop runs and calls status_board_frame_wanted(); may be
 * NULL. Never fails. Any thread. */
struct status_board *status_board_create(void (*wake)(void *ctx), void *wake_ctx);
/* Frees b and a frame nobody took. Stop the server first. NULL ok. */
void status_board_destroy(struct status_board *b);

/* Setters: strings are copied (NULL reads as ""). Any thread. */
void status_board_set_showing(struct status_board *b, const char *item, const char *kind,
                              int64_t since_ms);
void status_board_add_shows(struct status_board *b, int64_t n);
void status_board_add_dropped(struct status_board *b, int64_t n);
/* One feed poll at when_ms: error NULL or "" means it worked (last_success
 * and the item count are updated, last_error cleared), else last_error is
 * set. items < 0 keeps the count (e.g. 304 not modified). */
void status_board_feed_polled(struct status_board *b, const char *url, int64_t when_ms,
                              const char *error, long items);
void status_board_set_cache(struct status_board *b, int64_t bytes, int64_t files,
                            int64_t max_bytes);
/* A push channel's state: channel "mqtt" (status "notify") or "stream". */
void status_board_set_push(struct status_board *b, const char *channel, const char *state,
                           int64_t messages, int64_t connects, const char *error);

/* A status_source.snapshot: ctx is the board. Copies the board's figures over
 * out's (uptime counts from status_board_create). Any thread. */
void status_board_snapshot(void *board, struct status_info *out);

/* The frame rendezvous. The status thread (screenshot callback) calls
 * status_board_wait_frame; the main thread sees status_board_frame_wanted()
 * (cheap, lock-free) and answers with status_board_put_frame.
 *
 * Status thread: asks for a frame, wakes the main thread and waits up to
 * timeout_ms. Returns the frame put (the caller owns it and frees it the way
 * the main thread made it), or NULL on timeout. */
void *status_board_wait_frame(struct status_board *b, int timeout_ms);
/* Main thread: true while a frame is asked for. */
bool status_board_frame_wanted(struct status_board *b);
/* Main thread: hands frame over (ownership passes). When nobody waits any
 * more (timed out), free_frame(frame) is called at once. */
void status_board_put_frame(struct status_board *b, void *frame, void (*free_frame)(void *));

#endif
