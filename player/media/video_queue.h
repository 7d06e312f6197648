/* The bounded, abortable queues between the video threads (see video.h).
 *
 * packet queue: AVPackets from the demux thread to one decode thread. Put
 *   never blocks (the demux thread bounds the total itself, ffplay-style,
 *   from the sizes kept here); get blocks until a packet, the end of the
 *   stream or the abort. A "loop" entry (no packet) marks a restart.
 * frame queue: decoded AVFrames from the video decode thread to the drawing
 *   thread, VIDEO_FRAME_QUEUE_DEPTH deep. Push blocks while full; the
 *   drawing thread only peeks and pops, which never block.
 * Abort wakes every waiter at once; after it puts are dropped and gets
 * return -1. All functions are thread-safe. */
#ifndef DP_MEDIA_VIDEO_QUEUE_H
#define DP_MEDIA_VIDEO_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>

struct video_pkt_node;

struct video_pkt_queue {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct video_pkt_node *head, *tail;
    int count;
    int64_t bytes;
    int64_t duration; /* in the stream's time base */
    bool eof;         /* the demux thread will put no more */
    bool aborted;
};

enum video_pkt_kind { VIDEO_PKT_DATA, VIDEO_PKT_LOOP };

void video_pkt_queue_init(struct video_pkt_queue *q);
void video_pkt_queue_finish(struct video_pkt_queue *q); /* frees what is left */
/* Takes ownership of pkt (NULL with kind LOOP). Returns 0, or -1 when
 * aborted (pkt freed). */
int video_pkt_queue_put(struct video_pkt_queue *q, AVPacket *pkt, enum video_pkt_kind kind);
void video_pkt_queue_set_eof(struct video_pkt_queue *q);
/* Blocks for the next entry: 1 with *pkt (owned by the caller; NULL for a
 * LOOP marker) and *kind, 0 at the end of the stream, -1 when aborted. */
int video_pkt_queue_get(struct video_pkt_queue *q, AVPacket **pkt, enum video_pkt_kind *kind);
void video_pkt_queue_abort(struct video_pkt_queue *q);
/* Snapshot of the fill level, for the demux thread's "enough" test. */
void video_pkt_queue_level(struct video_pkt_queue *q, int *count, int64_t *bytes,
                           int64_t *duration, bool *eof);

struct video_frame {
    AVFrame *frame; /* software frame in its decoded format */
    double pts_ms;  /* presentation time (loops included) */
    double duration_ms;
};

#define VIDEO_FQ_MAX 16

struct video_frame_queue {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct video_frame q[VIDEO_FQ_MAX];
    int depth, rindex, size;
    int limit; /* push waits while size >= limit (<= depth) */
    bool eof;  /* the decoder will push no more */
    bool aborted;
};

void video_frame_queue_init(struct video_frame_queue *q, int depth);
void video_frame_queue_finish(struct video_frame_queue *q);
/* Blocks while full; takes the frame (unref'd into the queue). Returns 0,
 * or -1 when aborted (frame left to the caller). */
int video_frame_queue_push(struct video_frame_queue *q, AVFrame *frame, double pts_ms,
                           double duration_ms);
void video_frame_queue_set_eof(struct video_frame_queue *q);
/* Lets push fill the queue up to n frames only (1..depth); wakes a pusher
 * when raised. */
void video_frame_queue_set_limit(struct video_frame_queue *q, int n);
/* Non-blocking: the i-th queued frame (0 = oldest) or NULL. The pointer is
 * valid until that frame is popped. */
const struct video_frame *video_frame_queue_peek(struct video_frame_queue *q, int i);
/* Non-blocking: frees the oldest frame, if any. */
void video_frame_queue_pop(struct video_frame_queue *q);
/* Blocks until a frame is queued, the end, or the abort, or timeout_ms pass:
 * 1 frame ready, 0 end of stream, -1 aborted, -2 timed out. */
int video_frame_queue_wait(struct video_frame_queue *q, int64_t timeout_ms);
int video_frame_queue_size(struct video_frame_queue *q);
bool video_frame_queue_ended(struct video_frame_queue *q); /* eof and empty */
void video_frame_queue_abort(struct video_frame_queue *q);

#endif
