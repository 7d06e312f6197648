/* Shared by the libFuzzer targets: run one format parser on the input, then
 * the rules of feed_finalize and the JSON rendering, and free everything. */
#ifndef DP_FUZZ_COMMON_H
#define DP_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>

#include "feed/feed.h"
#include "feed/feed_internal.h"

static void fuzz_drop(void *ctx, const char *post_id, const char *url, const char *reason)
{
    (void)ctx;
    (void)post_id;
    (void)url;
    (void)reason;
}

typedef int (*fuzz_parser)(const char *, size_t, struct feed **, char *, size_t);

static int fuzz_feed(fuzz_parser parse, const uint8_t *data, size_t size)
{
    struct feed *f = NULL;
    char err[256];
    if (parse((const char *)data, size, &f, err, sizeof err) == FEED_OK) {
        feed_finalize(f, (size & 1) ? "https://fuzz.example/a/feed" : "/srv/fuzz/feed", fuzz_drop,
                      NULL);
        free(feed_to_json(f));
        feed_unref(f);
    }
    return 0;
}

#endif
