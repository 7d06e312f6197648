#include "base/mq.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "base/xalloc.h"

struct dp_mq {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct dp_msg *ring;
    unsigned depth, head, count;
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

int dp_mq_post(struct dp_mq *q, struct dp_msg msg)
{
    pthread_mutex_lock(&q->lock);
    if (q->count == q->depth) {
        pthread_mutex_unlock(&q->lock);
        dp_msg_free(&msg);
        return -ENOSPC;
    }
    q->ring[(q->head + q->count) % q->depth] = msg;
    q->count++;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    if (q->wake)
        q->wake(q->ctx);
    return 0;
}

static bool take(struct dp_mq *q, struct dp_msg *msg)
{
    if (!q->count)
        return false;
    *msg = q->ring[q->head];
    q->head = (q->head + 1) % q->depth;
    q->count--;
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
