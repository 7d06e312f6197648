/* The status board: the figures the status endpoint serves, written by the
 * player from its own threads, and a rendezvous that hands one frame from
 * the main thread to the status side (interface.md "Status endpoint").
 *
 * A mutex-protected struct status_info that setters fill; its
 * status_board_snapshot() is a ready-made status_source.snapshot. Uses only
 * libc and pthreads. */
#ifndef DP_APP_STATUS_BOARD_H
#define DP_APP_STATUS_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATUS_ITEM_MAX 512 /* item ids: "<post id>#<n>", cut to fit */
#define STATUS_KIND_MAX 16  /* "text", "image", "video" */
#define STATUS_URL_MAX 4096 /* DP_URL_MAX_BYTES */
#define STATUS_ERROR_MAX 256
#define STATUS_VERSION_MAX 32

/* The figures of one answer. Plain data: strings are copied in (cut to fit,
 * always NUL-terminated); times are Unix milliseconds, 0 meaning "never". */
struct status_info {
    char version[STATUS_VERSION_MAX]; /* preset to DP_VERSION */
    int64_t uptime_ms;                /* preset to the server's own uptime */
    bool clock_suspect;               /* preset: wall clock before the build */
    struct {
        char item[STATUS_ITEM_MAX]; /* "" when nothing is on screen */
        char kind[STATUS_KIND_MAX];
        int64_t since_ms;
    } now_showing;
    struct {
        char url[STATUS_URL_MAX];
        int64_t last_poll_ms;
        int64_t last_success_ms;
        char last_error[STATUS_ERROR_MAX]; /* of the last poll; "" when it worked */
        int64_t items;                     /* posts in the last good feed */
    } feed;
    struct {
        int64_t bytes, files, max_bytes;
    } cache;
    int64_t shows_total;
    int64_t frames_dropped_total;
    /* issue 11: the push channels ([feed] notify's MQTT link, Mastodon's
     * stream); state "" when the channel is off. */
    struct status_push {
        char state[16]; /* connecting, connected, down */
        int64_t messages, connects;
        char last_error[STATUS_ERROR_MAX];
    } notify, stream;
};

/* Copies src (NULL reads as "") into dst[cap], cut to fit at a UTF-8
 * character boundary, always NUL-terminated. Pure. */
void status_copy_text(char *dst, size_t cap, const char *src);

struct status_board;

/* wake(wake_ctx) is called (from the status side) when a frame is wanted,
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

/* The frame rendezvous. The status side (screenshot callback) calls
 * status_board_wait_frame; the main thread sees status_board_frame_wanted()
 * (cheap, lock-free) and answers with status_board_put_frame.
 *
 * Status side: asks for a frame, wakes the main thread and waits up to
 * timeout_ms. Returns the frame put (the caller owns it and frees it the way
 * the main thread made it), or NULL on timeout. */
void *status_board_wait_frame(struct status_board *b, int timeout_ms);
/* Main thread: true while a frame is asked for. */
bool status_board_frame_wanted(struct status_board *b);
/* Main thread: hands frame over (ownership passes). When nobody waits any
 * more (timed out), free_frame(frame) is called at once, before this
 * returns. */
void status_board_put_frame(struct status_board *b, void *frame, void (*free_frame)(void *));

#endif
