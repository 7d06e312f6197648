/* The wanted-media list of a large feed (issue 8): deduplicating the URL of
 * every attachment of every post in rotation, with the hash set net uses
 * (dp_strset) against the nested loop it replaced, in the same run.
 * Usage: bench_wanted_set [POSTS [MEDIA]]   (default 10000 x 20) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/strset.h"
#include "base/xalloc.h"

static size_t nested(char **urls, size_t n, const char **out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t j = 0; j < k && !dup; j++)
            dup = strcmp(out[j], urls[i]) == 0;
        if (!dup)
            out[k++] = urls[i];
    }
    return k;
}

static size_t hashed(char **urls, size_t n, const char **out)
{
    struct dp_strset s;
    dp_strset_init(&s, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (dp_strset_add(&s, urls[i], k, NULL))
            out[k++] = urls[i];
    dp_strset_finish(&s);
    return k;
}

int main(int argc, char **argv)
{
    size_t posts = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    size_t media = argc > 2 ? strtoul(argv[2], NULL, 10) : 20;
    size_t n = posts * media;
    char **urls = dp_calloc(n ? n : 1, sizeof *urls);
    for (size_t i = 0; i < n; i++) /* every tenth post repeats its neighbour's media */
        urls[i] = dp_strfmt("https://desk.example/media/%zu/%zu.jpg",
                            (i / media) - ((i / media) % 10 == 9), i % media);
    const char **out = dp_calloc(n ? n : 1, sizeof *out);
    int64_t t0 = dp_mono_ms();
    size_t kh = hashed(urls, n, out);
    int64_t t1 = dp_mono_ms();
    size_t kn = nested(urls, n, out);
    int64_t t2 = dp_mono_ms();
    printf("%zu posts x %zu media = %zu URLs, %zu distinct\n", posts, media, n, kh);
    printf("hash set:    %6lld ms\nnested loop: %6lld ms (%s)\nratio: %.0fx\n",
           (long long)(t1 - t0), (long long)(t2 - t1), kn == kh ? "same list" : "DIFFERENT",
           (double)(t2 - t1) / (double)(t1 - t0 > 0 ? t1 - t0 : 1));
    for (size_t i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
    free(out);
    return kn == kh ? 0 : 1;
}
