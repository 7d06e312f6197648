/* bench_feed_parse: times feed_parse on one file.
 * Usage: bench_feed_parse FILE [RUNS]
 * One untimed warm-up parse, then RUNS timed parses (default 3); prints the
 * mean milliseconds per parse and the number of posts on one line:
 *   "ms=<mean> posts=<n>". Exit status 1 when the file does not parse. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "feed/feed.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *data = malloc(cap);
    while (data && (got = fread(data + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            char *bigger = realloc(data, cap);
            if (!bigger) {
                free(data);
                data = NULL;
            }
            data = bigger;
        }
    }
    fclose(fp);
    *len = n;
    return data;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [RUNS]\n", argv[0]);
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (runs < 1)
        runs = 1;
    size_t len;
    char *data = read_all(argv[1], &len);
    if (!data) {
        perror(argv[1]);
        return 1;
    }
    const char *base = "https://bench.example/feed.xml";
    char err[256];
    struct feed *f = NULL;
    if (feed_parse(data, len, base, NULL, &f, err, sizeof err, NULL, NULL) != FEED_OK) {
        fprintf(stderr, "parse failed: %s\n", err);
        free(data);
        return 1;
    }
    size_t posts = f->n_posts;
    feed_unref(f);
    double t0 = now_ms();
    for (int i = 0; i < runs; i++) {
        feed_parse(data, len, base, NULL, &f, err, sizeof err, NULL, NULL);
        feed_unref(f);
    }
    double ms = (now_ms() - t0) / runs;
    printf("ms=%.3f posts=%zu\n", ms, posts);
    free(data);
    return 0;
}
