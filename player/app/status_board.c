/* The status board: see status_board.h.
 *
 * A mutex around a struct status_info, written by the player and copied out
 * by status_board_snapshot. Its frame rendezvous hands one frame from the
 * main thread to the waiting status side: a generation number tells a frame
 * for the current request from a late one, and a frame nobody waits for any
 * more is freed by whoever holds it last. */
#include "app/status_board.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/xalloc.h"

void status_copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        /* Cut before a character, not inside one: src[n] must not be a
         * continuation byte. */
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}


struct status_board {
    pthread_mutex_t lock;
    struct status_info info; /* version, uptime, clock_suspect unused */
    int64_t started_ms;
    void (*wake)(void *ctx);
    void *wake_ctx;
    /* The frame rendezvous, under lock (wanted is also read without it). */
    pthread_cond_t frame_ready;
    atomic_bool wanted;
    uint64_t want_gen;  /* the request being waited for */
    uint64_t frame_gen; /* the request frame answers */
    void *frame;
    void (*free_frame)(void *);
};

struct status_board *status_board_create(void (*wake)(void *ctx), void *wake_ctx)
{
    struct status_board *b = dp_calloc(1, sizeof *b);
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&b->frame_ready, &attr);
    pthread_condattr_destroy(&attr);
    atomic_init(&b->wanted, false);
    b->started_ms = dp_mono_ms();
    b->wake = wake;
    b->wake_ctx = wake_ctx;
    return b;
}

void status_board_destroy(struct status_board *b)
{
    if (!b)
        return;
    if (b->frame && b->free_frame)
        b->free_frame(b->frame);
    pthread_cond_destroy(&b->frame_ready);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

void status_board_set_showing(struct status_board *b, const char *item, const char *kind,
                              int64_t since_ms)
{
    pthread_mutex_lock(&b->lock);
    status_copy_text(b->info.now_showing.item, sizeof b->info.now_showing.item, item);
    status_copy_text(b->info.now_showing.kind, sizeof b->info.now_showing.kind, kind);
    b->info.now_showing.since_ms = since_ms;
    pthread_mutex_unlock(&b->lock);
}

void status_board_add_shows(struct status_board *b, int64_t n)
{
    pthread_mutex_lock(&b->lock);
    b->info.shows_total += n;
    pthread_mutex_unlock(&b->lock);
}

void status_board_add_dropped(struct status_board *b, int64_t n)
{
    pthread_mutex_lock(&b->lock);
    b->info.frames_dropped_total += n;
    pthread_mutex_unlock(&b->lock);
}

void status_board_feed_polled(struct status_board *b, const char *url, int64_t when_ms,
                              const char *error, long items)
{
    pthread_mutex_lock(&b->lock);
    status_copy_text(b->info.feed.url, sizeof b->info.feed.url, url);
    b->info.feed.last_poll_ms = when_ms;
    status_copy_text(b->info.feed.last_error, sizeof b->info.feed.last_error, error);
    if (!error || !*error) {
        b->info.feed.last_success_ms = when_ms;
        if (items >= 0)
            b->info.feed.items = items;
    }
    pthread_mutex_unlock(&b->lock);
}

void status_board_set_cache(struct status_board *b, int64_t bytes, int64_t files,
                            int64_t max_bytes)
{
    pthread_mutex_lock(&b->lock);
    b->info.cache.bytes = bytes;
    b->info.cache.files = files;
    b->info.cache.max_bytes = max_bytes;
    pthread_mutex_unlock(&b->lock);
}

void status_board_set_push(struct status_board *b, const char *channel, const char *state,
                           int64_t messages, int64_t connects, const char *error)
{
    pthread_mutex_lock(&b->lock);
    struct status_push *p = channel && strcmp(channel, "mqtt") == 0 ? &b->info.notify
                                                                    : &b->info.stream;
    status_copy_text(p->state, sizeof p->state, state);
    p->messages = messages;
    p->connects = connects;
    status_copy_text(p->last_error, sizeof p->last_error, error);
    pthread_mutex_unlock(&b->lock);
}

void status_board_snapshot(void *board, struct status_info *out)
{
    struct status_board *b = board;
    pthread_mutex_lock(&b->lock);
    out->now_showing = b->info.now_showing;
    out->feed = b->info.feed;
    out->cache = b->info.cache;
    out->shows_total = b->info.shows_total;
    out->frames_dropped_total = b->info.frames_dropped_total;
    out->notify = b->info.notify;
    out->stream = b->info.stream;
    pthread_mutex_unlock(&b->lock);
    out->uptime_ms = dp_mono_ms() - b->started_ms;
}

void *status_board_wait_frame(struct status_board *b, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&b->lock);
    uint64_t gen = ++b->want_gen;
    atomic_store(&b->wanted, true);
    pthread_mutex_unlock(&b->lock);
    if (b->wake)
        b->wake(b->wake_ctx);

    pthread_mutex_lock(&b->lock);
    while (b->frame_gen != gen)
        if (pthread_cond_timedwait(&b->frame_ready, &b->lock, &until) == ETIMEDOUT)
            break;
    void *frame = NULL;
    if (b->frame_gen == gen) {
        frame = b->frame;
        b->frame = NULL;
    }
    atomic_store(&b->wanted, false);
    pthread_mutex_unlock(&b->lock);
    return frame;
}

bool status_board_frame_wanted(struct status_board *b)
{
    return b && atomic_load(&b->wanted);
}

void status_board_put_frame(struct status_board *b, void *frame, void (*free_frame)(void *))
{
    pthread_mutex_lock(&b->lock);
    bool taken = atomic_load(&b->wanted) && b->frame_gen != b->want_gen;
    if (taken) {
        b->frame = frame;
        b->free_frame = free_frame;
        b->frame_gen = b->want_gen;
        atomic_store(&b->wanted, false);
        pthread_cond_broadcast(&b->frame_ready);
    }
    pthread_mutex_unlock(&b->lock);
    if (!taken && frame && free_frame)
        free_frame(frame);
}
