/* The display: see display.h. */
#include "render/display.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

void display_prepare(enum display_mode mode)
{
    if (mode == DISPLAY_HEADLESS) {
        /* --headless is asked for on the command line: it beats an
         * SDL_VIDEODRIVER in the environment (the service unit sets kmsdrm). */
        SDL_SetHintWithPriority(SDL_HINT_VIDEODRIVER, "offscreen", SDL_HINT_OVERRIDE);
        /* The software renderer draws into the window's own framebuffer;
         * without this SDL would emulate that framebuffer with an EGL
         * texture and load Mesa's llvmpipe (88 MB and two busy threads).
         * An SDL_FRAMEBUFFER_ACCELERATION in the environment still wins. */
        SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0", SDL_HINT_DEFAULT);
    }
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
}

int display_open(struct display *d, enum display_mode mode, int w, int h, int rotation, char *err,
                 size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->rotation = rotation;
    d->driver = SDL_GetCurrentVideoDriver();
    if (!d->driver) {
        snprintf(err, errlen, "no video driver");
        return -1;
    }
    /* SDL falls back to drawing nowhere when it finds no display; on screen
     * that would be a player showing nothing, silently. */
    if (mode != DISPLAY_HEADLESS &&
        (strcmp(d->driver, "offscreen") == 0 || strcmp(d->driver, "dummy") == 0)) {
        snprintf(err, errlen, "no display found (no X11, Wayland or KMS/DRM device)");
        return -1;
    }
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (mode == DISPLAY_FULLSCREEN) {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        if (w > 0 && h > 0)
            flags = (flags & ~SDL_WINDOW_FULLSCREEN_DESKTOP) | SDL_WINDOW_FULLSCREEN;
        SDL_DisplayMode dm;
        if ((w <= 0 || h <= 0) && SDL_GetDesktopDisplayMode(0, &dm) == 0) {
            w = dm.w;
            h = dm.h;
        }
    }
    if (w <= 0 || h <= 0) {
        w = 1920;
        h = 1080;
    }
    d->window = SDL_CreateWindow("deskplayer", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w,
                                 h, flags);
    if (!d->window) {
        snprintf(err, errlen, "cannot open a window: %s", SDL_GetError());
        return -1;
    }
    Uint32 rflags = mode == DISPLAY_HEADLESS
                        ? SDL_RENDERER_SOFTWARE
                        : SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC;
    d->renderer = SDL_CreateRenderer(d->window, -1, rflags);
    if (!d->renderer && mode != DISPLAY_HEADLESS)
        d->renderer = SDL_CreateRenderer(d->window, -1, 0);
    if (!d->renderer) {
        snprintf(err, errlen, "cannot create a renderer: %s", SDL_GetError());
        SDL_DestroyWindow(d->window);
        d->window = NULL;
        return -1;
    }
    if (SDL_GetRendererOutputSize(d->renderer, &d->out_w, &d->out_h) < 0) {
        d->out_w = w;
        d->out_h = h;
    }
    bool turned = rotation == 90 || rotation == 270;
    d->w = turned ? d->out_h : d->out_w;
    d->h = turned ? d->out_w : d->out_h;
    if (rotation) {
        d->canvas = SDL_CreateTexture(d->renderer, SDL_PIXELFORMAT_ARGB8888,
                                      SDL_TEXTUREACCESS_TARGET, d->w, d->h);
        if (!d->canvas) {
            LOG_W("render", "no render target for rotation (%s); not rotating", SDL_GetError());
            d->rotation = 0;
            d->w = d->out_w;
            d->h = d->out_h;
        }
    }
    /* Drivers whose event wait really sleeps; on the others (offscreen,
     * KMSDRM in SDL 2.26) SDL polls every millisecond, so app/ waits on its
     * own primitive instead. */
    d->can_wait = strcmp(d->driver, "x11") == 0 || strcmp(d->driver, "wayland") == 0;
    if (mode != DISPLAY_WINDOWED)
        SDL_ShowCursor(SDL_DISABLE);
    SDL_RendererInfo info;
    SDL_GetRendererInfo(d->renderer, &info);
    LOG_I("render", "display %dx%d (canvas %dx%d, rotation %d) on %s, renderer %s", d->out_w,
          d->out_h, d->w, d->h, d->rotation, d->driver, info.name);
    return 0;
}

void display_close(struct display *d)
{
    if (d->canvas)
        SDL_DestroyTexture(d->canvas);
    if (d->renderer)
        SDL_DestroyRenderer(d->renderer);
    if (d->window)
        SDL_DestroyWindow(d->window);
    memset(d, 0, sizeof *d);
}

void display_begin(struct display *d)
{
    SDL_SetRenderTarget(d->renderer, d->canvas);
}

void display_blank(struct display *d)
{
    SDL_SetRenderDrawColor(d->renderer, 0, 0, 0, 255);
    SDL_RenderClear(d->renderer);
}

void display_finish(struct display *d)
{
    if (!d->canvas)
        return;
    SDL_SetRenderTarget(d->renderer, NULL);
    SDL_SetRenderDrawColor(d->renderer, 0, 0, 0, 255);
    SDL_RenderClear(d->renderer);
    /* The canvas is turned clockwise around the output's centre. */
    SDL_Rect dst = {(d->out_w - d->w) / 2, (d->out_h - d->h) / 2, d->w, d->h};
    SDL_RenderCopyEx(d->renderer, d->canvas, NULL, &dst, d->rotation, NULL, SDL_FLIP_NONE);
}

void display_present(struct display *d)
{
    SDL_RenderPresent(d->renderer);
}

SDL_Surface *display_read(struct display *d)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, d->out_w, d->out_h, 24,
                                                    SDL_PIXELFORMAT_RGB24);
    if (!s)
        return NULL;
    if (SDL_RenderReadPixels(d->renderer, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) < 0) {
        LOG_W("render", "cannot read the screen: %s", SDL_GetError());
        SDL_FreeSurface(s);
        return NULL;
    }
    return s;
}
