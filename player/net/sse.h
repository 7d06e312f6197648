/* net/ internal: a bounded parser of server-sent events (the
 * text/event-stream format of the WHATWG HTML standard), as Mastodon's
 * streaming API speaks it (stream.c). One parser per stream, one thread. */
#ifndef DP_NET_SSE_H
#define DP_NET_SSE_H

#include <stdbool.h>
#include <stddef.h>

struct sse {
    void (*on_event)(void *ctx, const char *event, const char *data, size_t len);
    void *ctx;
    char *line; /* the line being read */
    size_t line_len, line_cap;
    char *data; /* the event's data lines, joined by \n */
    size_t data_len, data_cap;
    bool has_data;
    bool after_cr;
    char event[64]; /* the event's name, cut to fit */
};

/* on_event(ctx, name, data, len) is called for each complete event that
 * has data; name is "message" when the event named none. Never fails. */
void sse_init(struct sse *s,
              void (*on_event)(void *ctx, const char *event, const char *data, size_t len),
              void *ctx);
/* Frees what s holds. */
void sse_finish(struct sse *s);
/* Feeds n bytes (any split: lines may span calls; \n, \r\n or \r ends a
 * line). 0, or -EFBIG (a line over NET_STREAM_LINE_MAX or an event over
 * NET_STREAM_EVENT_MAX) or -EINVAL (a NUL byte): the stream is to be dropped. */
int sse_feed(struct sse *s, const char *p, size_t n);

#endif
