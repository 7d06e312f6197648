/* Benchmark 9: deskplayer's still-image path (media/image.c: sniff, reduced-
 * scale JPEG decode, EXIF orientation, resize) bringing one picture to a
 * screen-size RGBA surface, the loader thread's work before main uploads
 * it. Built by CMake (bench_image_load), run by bench/image_memory.sh.
 *
 * usage: bench_image_load FILE [W H]     (default 1920 1080)
 * prints: "ms=<decode+resize> w=<out w> h=<out h>"; exit 1 when refused. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "media/image.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [W H]\n", argv[0]);
        return 2;
    }
    int w = argc > 3 ? atoi(argv[2]) : 1920, h = argc > 3 ? atoi(argv[3]) : 1080;
    struct timespec t0, t1;
    enum dp_reason why;
    SDL_Surface *s = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = image_load(argv[1], w, h, &s, &why);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc < 0) {
        fprintf(stderr, "bench_image_load: %s\n", dp_reason_name(why));
        return 1;
    }
    printf("ms=%.1f w=%d h=%d\n",
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, s->w,
           s->h);
    SDL_FreeSurface(s);
    return 0;
}
