#include "base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p, size_t n)
{
    if (!p && n) {
        fprintf(stderr, "deskplayer: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

void *dp_malloc(size_t n)
{
    return check(malloc(n ? n : 1), n);
}
void *dp_calloc(size_t c, size_t s)
{
    return check(calloc(c ? c : 1, s ? s : 1), c * s);
}
void *dp_realloc(void *p, size_t n)
{
    return check(realloc(p, n ? n : 1), n);
}

char *dp_strdup(const char *s)
{
    if (!s)
        return NULL;
    return dp_strndup(s, strlen(s));
}

char *dp_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *d = dp_malloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *dp_strfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = dp_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
