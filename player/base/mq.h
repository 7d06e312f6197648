/* A bounded, thread-safe message queue. Messages own what they carry: the
 * receiver frees the payload with the message's free function. Posting
 * never blocks: when the queue is full the message is dropped (its payload
 * freed) and -ENOSPC returned. A message that must not be lost (a loaded
 * item, a signal, a feed) is posted with dp_mq_post_must: past the bound it
 * waits in an overflow list, so it is never dropped; messages come out in
 * the order they were posted either way. A wake callback is called after
 * each post so that the receiving thread can be woken from its own wait
 * primitive. */
#ifndef DP_MQ_H
#define DP_MQ_H

#include <stdbool.h>
#include <stdint.h>

struct dp_msg {
    int type;
    int64_t arg;   /* a number, meaning per type */
    void *payload; /* owned by the message */
    void (*free_payload)(void *payload);
};

struct dp_mq;

/* wake may be NULL; it is called from the posting thread. */
struct dp_mq *dp_mq_create(unsigned depth, void (*wake)(void *ctx), void *ctx);
void dp_mq_destroy(struct dp_mq *q); /* frees pending payloads; NULL ok */
/* Any thread. 0, or -ENOSPC when full (msg's payload freed). */
int dp_mq_post(struct dp_mq *q, struct dp_msg msg);
/* Any thread. Never drops: when the queue is full msg joins the overflow
 * list (memory grows with it: for messages whose producers are bounded,
 * such as one result per request). Always 0. */
int dp_mq_post_must(struct dp_mq *q, struct dp_msg msg);
/* Messages waiting (ring and overflow). Any thread. */
unsigned dp_mq_count(struct dp_mq *q);
/* Non-blocking: false when empty. The caller owns msg->payload after. */
bool dp_mq_get(struct dp_mq *q, struct dp_msg *msg);
/* Blocks up to timeout_ms (-1: forever) for a message. */
bool dp_mq_wait(struct dp_mq *q, struct dp_msg *msg, int timeout_ms);
void dp_msg_free(struct dp_msg *msg);

#endif
