/* bench_image_decode FILE [BOX_W BOX_H [ROUNDS]]: decodes FILE to fit the box
 * (default 1920x1080) with image_load_capped, ROUNDS times (default 5) after
 * one warm-up, and prints "min_ms median_ms WxH". Used by
 * bench/image_formats.sh, which reads the peak memory with /usr/bin/time. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "media/image.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [BOX_W BOX_H [ROUNDS]]\n", argv[0]);
        return 2;
    }
    int bw = argc > 3 ? atoi(argv[2]) : 1920, bh = argc > 3 ? atoi(argv[3]) : 1080;
    int rounds = argc > 4 ? atoi(argv[4]) : 5;
    if (rounds < 1 || rounds > 100)
        rounds = 5;
    double t[100];
    int w = 0, h = 0;
    for (int i = -1; i < rounds; i++) {
        enum dp_reason why;
        SDL_Surface *s = NULL;
        double t0 = now_ms();
        if (image_load_capped(argv[1], bw, bh, 2, &s, &why) < 0) {
            fprintf(stderr, "%s: %s\n", argv[1], dp_reason_name(why));
            return 1;
        }
        double dt = now_ms() - t0;
        w = s->w;
        h = s->h;
        SDL_FreeSurface(s);
        if (i >= 0)
            t[i] = dt;
    }
    qsort(t, (size_t)rounds, sizeof t[0], cmp);
    printf("%.1f %.1f %dx%d\n", t[0], t[rounds / 2], w, h);
    return 0;
}
