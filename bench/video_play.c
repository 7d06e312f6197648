/* A stand-in player for bench/video_play.sh: one window, the scene and the
 * video module exactly as the app drives them (scene_set_next_video,
 * scene_start, scene_video_tick, scene_draw, sleeping in
 * SDL_WaitEventTimeout until the next frame is due), without feed, cache
 * or network. Measures what video playback itself costs.
 *
 * usage: video_play CLIP [WxH]
 * prints: "frames=N dropped=D seconds=S" */
#include <stdio.h>
#include <stdlib.h>

#include <SDL.h>

#include "base/clock.h"
#include "base/log.h"
#include "media/audio.h"
#include "media/video.h"
#include "render/scene.h"
#include "render/scene_video.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CLIP [WxH]\n", argv[0]);
        return 2;
    }
    enum dp_log_level level;
    if (getenv("DP_LOG_LEVEL") && dp_log_parse_level(getenv("DP_LOG_LEVEL"), &level))
        dp_log_set_level(level);
    int w = 1920, h = 1080;
    if (argc > 2 && sscanf(argv[2], "%dx%d", &w, &h) != 2)
        return 2;
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    int rc = 1;
    SDL_Window *win = SDL_CreateWindow("video_play", 0, 0, w, h, SDL_WINDOW_BORDERLESS);
    SDL_Renderer *r = win ? SDL_CreateRenderer(win, -1, 0) : NULL;
    if (!r) {
        fprintf(stderr, "window: %s\n", SDL_GetError());
        goto out_win;
    }
    char err[256];
    struct audio_out *ao = audio_out_create(err, sizeof err);
    struct video_opts o;
    video_opts_defaults(&o);
    o.audio_out = ao;
    struct video *v = video_open(argv[1], &o, NULL, err, sizeof err);
    if (!v) {
        fprintf(stderr, "video_open: %s\n", err);
        goto out_audio;
    }
    struct scene sc;
    scene_init(&sc, r, w, h, 0x000000, RENDER_TRANSITION_CUT, 0);
    if (scene_set_next_video(&sc, v, NULL, w, h) < 0)
        goto out_scene;
    int64_t t0 = dp_mono_ms();
    scene_start(&sc, t0);
    bool dirty = true, quit = false;
    while (!quit) {
        int64_t now = dp_mono_ms(), due;
        scene_tick(&sc, now);
        int f = scene_video_tick(&sc, now, &due);
        if (f & SCENE_VIDEO_ENDED)
            break;
        if ((f & SCENE_VIDEO_FRAME) || dirty) {
            scene_draw(&sc, now);
            SDL_RenderPresent(r);
            dirty = false;
        }
        int64_t wait = due == INT64_MAX ? 100 : due - dp_mono_ms();
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, wait > 0 ? (int)wait : 0)) {
            quit = e.type == SDL_QUIT;
            dirty = e.type == SDL_WINDOWEVENT;
        }
    }
    int64_t frames = 0, dropped = 0;
    scene_video_stats(&sc, &frames, &dropped);
    printf("frames=%lld dropped=%lld seconds=%.2f\n", (long long)frames, (long long)dropped,
           (double)(dp_mono_ms() - t0) / 1000.0);
    rc = 0;
out_scene:
    scene_finish(&sc);
out_audio:
    audio_out_destroy(ao);
    SDL_DestroyRenderer(r);
out_win:
    if (win)
        SDL_DestroyWindow(win);
    SDL_Quit();
    return rc;
}
