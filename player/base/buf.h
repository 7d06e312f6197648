/* A growable byte buffer with a hard cap. Always NUL-terminated. */
#ifndef DP_BUF_H
#define DP_BUF_H

#include <stddef.h>

struct dp_buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* appends beyond this fail with -E2BIG; 0 = no cap */
};

void dp_buf_init(struct dp_buf *b, size_t max);
void dp_buf_finish(struct dp_buf *b);
/* Returns 0, or -E2BIG when len + n would exceed max (nothing is appended). */
int dp_buf_append(struct dp_buf *b, const void *data, size_t n);
int dp_buf_appendf(struct dp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (who frees it) and resets the buffer. */
char *dp_buf_steal(struct dp_buf *b, size_t *len);

#endif
