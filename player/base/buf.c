#include "base/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void dp_buf_init(struct dp_buf *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

void dp_buf_finish(struct dp_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int dp_buf_append(struct dp_buf *b, const void *data, size_t n)
{
    if (b->max && (n > b->max || b->len > b->max - n))
        return -E2BIG;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = dp_realloc(b->data, cap);
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int dp_buf_appendf(struct dp_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    if ((size_t)n < sizeof small)
        return dp_buf_append(b, small, (size_t)n);
    char *big = dp_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int r = dp_buf_append(b, big, (size_t)n);
    free(big);
    return r;
}

char *dp_buf_steal(struct dp_buf *b, size_t *len)
{
    if (!b->data)
        dp_buf_append(b, "", 0);
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
