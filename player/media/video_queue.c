/* Packet and frame queues of the video pipeline (see video_queue.h). */
#include "media/video_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "base/xalloc.h"

struct video_pkt_node {
    AVPacket *pkt;
    enum video_pkt_kind kind;
    struct video_pkt_node *next;
};

void video_pkt_queue_init(struct video_pkt_queue *q)
{
    *q = (struct video_pkt_queue){0};
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cond, NULL);
}

void video_pkt_queue_finish(struct video_pkt_queue *q)
{
    struct video_pkt_node *n = q->head;
    while (n) {
        struct video_pkt_node *next = n->next;
        av_packet_free(&n->pkt);
        free(n);
        n = next;
    }
    q->head = q->tail = NULL;
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->mu);
}

int video_pkt_queue_put(struct video_pkt_queue *q, AVPacket *pkt, enum video_pkt_kind kind)
{
    pthread_mutex_lock(&q->mu);
    if (q->aborted) {
        pthread_mutex_unlock(&q->mu);
        av_packet_free(&pkt);
        return -1;
    }
    struct video_pkt_node *n = dp_calloc(1, sizeof *n);
    n->pkt = pkt;
    n->kind = kind;
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    q->count++;
    if (pkt) {
        q->bytes += pkt->size + (int64_t)sizeof *n;
        q->duration += pkt->duration;
    }
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

void video_pkt_queue_set_eof(struct video_pkt_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->eof = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->mu);
}

int video_pkt_queue_get(struct video_pkt_queue *q, AVPacket **pkt, enum video_pkt_kind *kind)
{
    int rc;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        if (q->aborted) {
            rc = -1;
            break;
        }
        struct video_pkt_node *n = q->head;
        if (n) {
            q->head = n->next;
            if (!q->head)
                q->tail = NULL;
            q->count--;
            if (n->pkt) {
                q->bytes -= n->pkt->size + (int64_t)sizeof *n;
                q->duration -= n->pkt->duration;
            }
            *pkt = n->pkt;
            *kind = n->kind;
            free(n);
            rc = 1;
            break;
        }
        if (q->eof) {
            rc = 0;
            break;
        }
        pthread_cond_wait(&q->cond, &q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

void video_pkt_queue_abort(struct video_pkt_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->aborted = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->mu);
}

void video_pkt_queue_level(struct video_pkt_queue *q, int *count, int64_t *bytes,
                           int64_t *duration, bool *eof)
{
    pthread_mutex_lock(&q->mu);
    *count = q->count;
    *bytes = q->bytes;
    *duration = q->duration;
    *eof = q->eof;
    pthread_mutex_unlock(&q->mu);
}

void video_frame_queue_init(struct video_frame_queue *q, int depth)
{
    *q = (struct video_frame_queue){0};
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cond, NULL);
    q->depth = depth < 1 ? 1 : depth > VIDEO_FQ_MAX ? VIDEO_FQ_MAX : depth;
    q->limit = q->depth;
    for (int i = 0; i < q->depth; i++)
        q->q[i].frame = av_frame_alloc();
}

void video_frame_queue_finish(struct video_frame_queue *q)
{
    for (int i = 0; i < q->depth; i++)
        av_frame_free(&q->q[i].frame);
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->mu);
}

int video_frame_queue_push(struct video_frame_queue *q, AVFrame *frame, double pts_ms,
                           double duration_ms)
{
    pthread_mutex_lock(&q->mu);
    while (!q->aborted && q->size >= q->limit)
        pthread_cond_wait(&q->cond, &q->mu);
    if (q->aborted) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    struct video_frame *f = &q->q[(q->rindex + q->size) % q->depth];
    pthread_mutex_unlock(&q->mu);
    /* The slot is free: only this thread writes it until size grows. */
    av_frame_move_ref(f->frame, frame);
    f->pts_ms = pts_ms;
    f->duration_ms = duration_ms;
    pthread_mutex_lock(&q->mu);
    q->size++;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

void video_frame_queue_set_limit(struct video_frame_queue *q, int n)
{
    pthread_mutex_lock(&q->mu);
    q->limit = n < 1 ? 1 : n > q->depth ? q->depth : n;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->mu);
}

void video_frame_queue_set_eof(struct video_frame_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->eof = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->mu);
}

const struct video_frame *video_frame_queue_peek(struct video_frame_queue *q, int i)
{
    const struct video_frame *f = NULL;
    pthread_mutex_lock(&q->mu);
    if (i < q->size)
        f = &q->q[(q->rindex + i) % q->depth];
    pthread_mutex_unlock(&q->mu);
    return f;
}

void video_frame_queue_pop(struct video_frame_queue *q)
{
    pthread_mutex_lock(&q->mu);
    if (q->size == 0) {
        pthread_mutex_unlock(&q->mu);
        return;
    }
    struct video_frame *f = &q->q[q->rindex];
    pthread_mutex_unlock(&q->mu);
    /* Only this thread pops: the slot stays ours until size shrinks. */
    av_frame_unref(f->frame);
    pthread_mutex_lock(&q->mu);
    q->rindex = (q->rindex + 1) % q->depth;
    q->size--;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->mu);
}

int video_frame_queue_wait(struct video_frame_queue *q, int64_t timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(timeout_ms / 1000);
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    int rc;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        if (q->aborted) {
            rc = -1;
            break;
        }
        if (q->size > 0) {
            rc = 1;
            break;
        }
        if (q->eof) {
            rc = 0;
            break;
        }
        if (pthread_cond_timedwait(&q->cond, &q->mu, &ts) == ETIMEDOUT) {
            rc = q->size > 0 ? 1 : q->eof ? 0 : -2;
            break;
        }
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

int video_frame_queue_size(struct video_frame_queue *q)
{
    pthread_mutex_lock(&q->mu);
    int n = q->size;
    pthread_mutex_unlock(&q->mu);
    return n;
}

bool video_frame_queue_ended(struct video_frame_queue *q)
{
    pthread_mutex_lock(&q->mu);
    bool e = q->eof && q->size == 0;
    pthread_mutex_unlock(&q->mu);
    return e;
}

void video_frame_queue_abort(struct video_frame_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->aborted = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->mu);
}
