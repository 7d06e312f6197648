#include "base/mq.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "base/xalloc.h"

/* A must-deliver message past the bound. */
struct overflow {
    struct dp_msg msg;
    struct overflow *next;
};

/* DESIGN: the ring holds up to depth messages; the overflow list exists only
 * while the ring is full (each take moves its head into the ring), so the
 * order of posting is kept and ordinary posts still see a full queue. */
struct dp_mq {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct dp_msg *ring;
    unsigned depth, head, count;
    struct overflow *over, *over_tail;
    unsigned n_over;
    void (*wake)(void *ctx);
    void *ctx;
};

struct dp_mq *dp_mq_create(unsigned depth, void (*wake)(void *ctx), void *ctx)
{
    struct dp_mq *q = dp_calloc(1, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (depth == 0)
        depth = 1;
    q->ring = dp_calloc(depth, sizeof *q->ring);
    q->depth = depth;
    q->wake = wake;
    q->ctx = ctx;
    return q;
}

void dp_msg_free(struct dp_msg *msg)
{
    if (msg->payload && msg->free_payload)
        msg->free_payload(msg->payload);
    msg->payload = NULL;
}

void dp_mq_destroy(struct dp_mq *q)
{
    if (!q)
        return;
    struct dp_msg m;
    while (dp_mq_get(q, &m))
        dp_msg_free(&m);
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}

static int post(struct dp_mq *q, struct dp_msg msg, bool must)
{
    pthread_mutex_lock(&q->lock);
    if (q->count == q->depth) {
        if (!must) {
            pthread_mutex_unlock(&q->lock);
            dp_msg_free(&msg);
            return -ENOSPC;
        }
        struct overflow *o = dp_malloc(sizeof *o);
        o->msg = msg;
        o->next = NULL;
        if (q->over_tail)
            q->over_tail->next = o;
        else
            q->over = o;
        q->over_tail = o;
        q->n_over++;
    } else {
        q->ring[(q->head + q->count) % q->depth] = msg;
        q->count++;
    }
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    if (q->wake)
        q->wake(q->ctx);
    return 0;
}

int dp_mq_post(struct dp_mq *q, struct dp_msg msg)
{
    return post(q, msg, false);
}

int dp_mq_post_must(struct dp_mq *q, struct dp_msg msg)
{
    return post(q, msg, true);
}

unsigned dp_mq_count(struct dp_mq *q)
{
    pthread_mutex_lock(&q->lock);
    unsigned n = q->count + q->n_over;
    pthread_mutex_unlock(&q->lock);
    return n;
}

static bool take(struct dp_mq *q, struct dp_msg *msg)
{
    if (!q->count)
        return false;
    *msg = q->ring[q->head];
    q->head = (q->head + 1) % q->depth;
    q->count--;
    if (q->over) {
        /* The ring has room again: the oldest overflowed message joins it. */
        struct overflow *o = q->over;
        q->over = o->next;
        if (!q->over)
            q->over_tail = NULL;
        q->n_over--;
        q->ring[(q->head + q->count) % q->depth] = o->msg;
        q->count++;
        free(o);
    }
    return true;
}

bool dp_mq_get(struct dp_mq *q, struct dp_msg *msg)
{
    pthread_mutex_lock(&q->lock);
    bool ok = take(q, msg);
    pthread_mutex_unlock(&q->lock);
    return ok;
}

bool dp_mq_wait(struct dp_mq *q, struct dp_msg *msg, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout_ms > 0) {
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&q->lock);
    while (!q->count && timeout_ms != 0) {
        int r = timeout_ms < 0 ? pthread_cond_wait(&q->cond, &q->lock)
                               : pthread_cond_timedwait(&q->cond, &q->lock, &until);
        if (r == ETIMEDOUT)
            break;
    }
    bool ok = take(q, msg);
    pthread_mutex_unlock(&q->lock);
    return ok;
}
