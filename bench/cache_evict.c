/* Cache eviction with a large rotation (issue 8): N cached files, all in
 * the rotation's keep list, and a max size 100 files short, so that
 * cache_set_rotation evicts 100. The keep check was a loop over the list
 * for every file for every victim (O(victims x files x keep)), holding the
 * lock the drawing thread's cheap calls take; it is now a hash set. Then
 * cache_has for every URL, as the standby card asks on the drawing thread
 * (a linear search: O(files) a look-up, now a hash index).
 * Usage: bench_cache_evict [FILES]   (default 20000; in /dev/shm if there) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cache/cache.h"

#define FILE_BYTES 10
#define VICTIMS 100

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    if (n <= VICTIMS)
        n = VICTIMS + 1;
    char dir[64];
    snprintf(dir, sizeof dir, "%s/dp-bench-evict-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    dp_log_set_level(DP_LOG_ERROR);
    char err[256];
    struct cache *c = cache_open(dir, 0, 0, err, sizeof err);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    char **urls = dp_calloc((size_t)n, sizeof *urls);
    int64_t t0 = dp_mono_ms();
    for (int i = 0; i < n; i++) {
        urls[i] = dp_strfmt("https://desk.example/media/%06d.png", i);
        struct cache_part p;
        int fd = cache_part_begin(c, urls[i], &p) == 0 ? cache_part_open(c, urls[i], O_WRONLY)
                                                       : -1;
        if (fd < 0 || write(fd, "0123456789", FILE_BYTES) != FILE_BYTES)
            return 1;
        close(fd);
        if (cache_commit(c, urls[i], "\"e\"", NULL, "image/png") < 0)
            return 1;
    }
    int64_t t1 = dp_mono_ms();
    cache_close(c);
    c = cache_open(dir, (int64_t)FILE_BYTES * (n - VICTIMS), 0, err, sizeof err);
    int64_t t2 = dp_mono_ms();
    cache_set_rotation(c, (const char *const *)urls, (size_t)n);
    int64_t t3 = dp_mono_ms();
    struct cache_stats st;
    cache_get_stats(c, &st);
    /* What the standby card asks on the drawing thread: every wanted URL. */
    int64_t t4 = dp_mono_ms();
    int have = 0;
    for (int r = 0; r < 10; r++)
        for (int i = 0; i < n; i++)
            have += cache_has(c, urls[i]);
    int64_t t5 = dp_mono_ms();
    printf("cache_has: %d look-ups in %lld ms (%d found)\n", 10 * n, (long long)(t5 - t4), have);
    printf("cache_evict: %d files stored in %lld ms; %d kept in rotation, %lld evicted in %lld ms "
           "(%.2f ms a file)\n",
           n, (long long)(t1 - t0), n, (long long)(n - st.files), (long long)(t3 - t2),
           (double)(t3 - t2) / (double)(n - st.files > 0 ? n - st.files : 1));
    cache_close(c);
    for (int i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
