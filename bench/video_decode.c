/* Benchmark 1: deskplayer's demux + decode pipeline (threads, queues, no
 * pacing, no display, no audio) on one clip. Built and run by
 * bench/video_decode.sh.
 *
 * usage: video_decode CLIP [THREADS] [HWDEC]
 * prints: "frames=N seconds=S fps=F" */
#include <stdio.h>
#include <stdlib.h>

#include "media/video.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CLIP [THREADS] [HWDEC]\n", argv[0]);
        return 2;
    }
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    const char *hwdec = argc > 3 ? argv[3] : "none";
    char err[256];
    int64_t frames = 0;
    double secs = 0;
    if (video_benchmark_decode(argv[1], threads, hwdec, &frames, &secs, err, sizeof err) < 0) {
        fprintf(stderr, "video_decode: %s\n", err);
        return 1;
    }
    printf("frames=%lld seconds=%.3f fps=%.1f\n", (long long)frames, secs,
           secs > 0 ? (double)frames / secs : 0.0);
    return 0;
}
