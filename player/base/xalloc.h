/* Allocation that never returns NULL: out of memory aborts with a message.
 * Used for small bookkeeping; large buffers from outside have named caps. */
#ifndef DP_XALLOC_H
#define DP_XALLOC_H

#include <stddef.h>

void *dp_malloc(size_t n);
void *dp_calloc(size_t count, size_t size);
void *dp_realloc(void *p, size_t n);
char *dp_strdup(const char *s); /* NULL in, NULL out */
char *dp_strndup(const char *s, size_t n);
/* printf into a fresh heap string; caller frees. */
char *dp_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
