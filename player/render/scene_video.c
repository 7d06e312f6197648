/* Video in the scene: see scene_video.h. */
#include "render/scene_video.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"

struct scene_video {
    struct video *v;
    SDL_Texture *frame;   /* streaming, filled by video_update */
    SDL_Texture *overlay; /* caption band; NULL: none */
    SDL_Rect overlay_at;  /* where: only the opaque part is kept */
    int box_w, box_h;
    bool started, ended;
    float fade; /* the sound's share in a cross-fade */
};

/* The bounding box of the pixels with alpha > 0; false when none. Blending
 * a whole-screen, mostly transparent overlay over every video frame would
 * cost a software renderer milliseconds a frame: only the band is kept. */
static bool opaque_box(SDL_Surface *s, SDL_Rect *box)
{
    SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGBA32, 0);
    if (!c)
        return false;
    int x0 = c->w, y0 = c->h, x1 = -1, y1 = -1;
    SDL_LockSurface(c);
    for (int y = 0; y < c->h; y++) {
        const Uint8 *row = (const Uint8 *)c->pixels + (size_t)y * c->pitch;
        for (int x = 0; x < c->w; x++) {
            if (row[x * 4 + 3] == 0)
                continue;
            if (x < x0)
                x0 = x;
            if (x > x1)
                x1 = x;
            if (y < y0)
                y0 = y;
            y1 = y;
        }
    }
    SDL_UnlockSurface(c);
    SDL_FreeSurface(c);
    *box = (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    return x1 >= 0;
}

struct scene_video *scene_video_create(SDL_Renderer *r, struct video *v, SDL_Surface *overlay,
                                       int box_w, int box_h)
{
    struct scene_video *sv = dp_calloc(1, sizeof *sv);
    sv->v = v;
    sv->box_w = box_w;
    sv->box_h = box_h;
    sv->fade = 1.0f;
    if (overlay && opaque_box(overlay, &sv->overlay_at)) {
        SDL_Surface *band = SDL_CreateRGBSurfaceWithFormat(0, sv->overlay_at.w, sv->overlay_at.h,
                                                           32, SDL_PIXELFORMAT_RGBA32);
        if (band) {
            SDL_SetSurfaceBlendMode(overlay, SDL_BLENDMODE_NONE);
            SDL_BlitSurface(overlay, &sv->overlay_at, band, NULL);
            sv->overlay = SDL_CreateTextureFromSurface(r, band);
            SDL_FreeSurface(band);
        }
        SDL_FreeSurface(overlay);
        overlay = NULL;
        if (!sv->overlay) {
            LOG_W("render", "video overlay texture: %s", SDL_GetError());
            goto fail;
        }
        SDL_SetTextureBlendMode(sv->overlay, SDL_BLENDMODE_BLEND);
    }
    SDL_FreeSurface(overlay);
    /* The pre-rolled first frame: on screen from the transition's start. */
    if (video_update(v, r, &sv->frame, 0) < 0 || !sv->frame)
        goto fail;
    return sv;

fail:
    scene_video_destroy(sv);
    return NULL;
}

void scene_video_destroy(struct scene_video *sv)
{
    if (!sv)
        return;
    video_close(sv->v);
    if (sv->frame)
        SDL_DestroyTexture(sv->frame);
    if (sv->overlay)
        SDL_DestroyTexture(sv->overlay);
    free(sv);
}

void scene_video_start(struct scene_video *sv, int64_t now_ms)
{
    if (sv->started)
        return;
    sv->started = true;
    video_start(sv->v, now_ms);
}

void scene_video_draw(struct scene_video *sv, SDL_Renderer *r, int w, int h, uint32_t background,
                      Uint8 alpha)
{
    int vw, vh, rot;
    video_get_size(sv->v, &vw, &vh, &rot);
    bool quarter = rot == 90 || rot == 270;
    double shown_w = quarter ? vh : vw, shown_h = quarter ? vw : vh;
    double sx = sv->box_w / shown_w, sy = sv->box_h / shown_h;
    double scale = sx < sy ? sx : sy;
    /* sw x sh: the picture's footprint on the canvas, upright. */
    int sw = (int)(shown_w * scale + 0.5), sh = (int)(shown_h * scale + 0.5);
    /* The texture may still need turning (SDL turns the destination
     * rectangle about its centre) or come upright already. */
    int trot = video_texture_rotation(sv->v);
    bool tquarter = trot == 90 || trot == 270;
    int dw = tquarter ? sh : sw, dh = tquarter ? sw : sh;
    SDL_Rect dst = {(w - dw) / 2, (h - dh) / 2, dw, dh};
    if (alpha < 255) {
        /* An opaque canvas at alpha: the background, but only around the
         * picture (a software renderer blends every pixel it is given). */
        int x0 = (w - sw) / 2, y0 = (h - sh) / 2;
        SDL_Rect bars[4] = {
            {0, 0, w, y0},
            {0, y0 + sh, w, h - y0 - sh},
            {0, y0, x0, sh},
            {x0 + sw, y0, w - x0 - sw, sh},
        };
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(r, (background >> 16) & 255, (background >> 8) & 255,
                               background & 255, alpha);
        for (int i = 0; i < 4; i++) {
            if (bars[i].w > 0 && bars[i].h > 0)
                SDL_RenderFillRect(r, &bars[i]);
        }
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    }
    if (sv->frame) {
        /* Blending only while fading: a plain copy costs a software
         * renderer a fraction of an alpha blend. */
        SDL_SetTextureBlendMode(sv->frame, alpha < 255 ? SDL_BLENDMODE_BLEND : SDL_BLENDMODE_NONE);
        SDL_SetTextureAlphaMod(sv->frame, alpha);
        if (trot)
            SDL_RenderCopyEx(r, sv->frame, NULL, &dst, trot, NULL, SDL_FLIP_NONE);
        else
            SDL_RenderCopy(r, sv->frame, NULL, &dst);
    }
    if (sv->overlay) {
        SDL_SetTextureAlphaMod(sv->overlay, alpha);
        SDL_RenderCopy(r, sv->overlay, NULL, &sv->overlay_at);
    }
}

int scene_set_next_video(struct scene *s, struct video *v, SDL_Surface *overlay, int box_w,
                         int box_h)
{
    struct scene_video *sv = scene_video_create(s->renderer, v, overlay, box_w, box_h);
    if (!sv)
        return -1;
    scene_drop_next(s);
    s->next.video = sv;
    s->next.used = true;
    return 0;
}

/* The slot of the item on screen: the incoming one during a transition. */
static const struct scene_slot *on_screen(const struct scene *s)
{
    return s->in.used ? &s->in : s->cur.used ? &s->cur : NULL;
}

static int slot_tick(struct scene *s, struct scene_slot *sl, int64_t now_ms, int64_t *due)
{
    struct scene_video *sv = sl->video;
    if (!sl->used || !sv || !sv->started || sv->ended)
        return 0;
    int rc = video_update(sv->v, s->renderer, &sv->frame, now_ms);
    if (rc < 0) {
        sv->ended = true; /* the last frame stays on screen */
        return 0;
    }
    int64_t d = video_next_due_ms(sv->v, now_ms);
    if (d < *due)
        *due = d;
    return rc == 1 ? SCENE_VIDEO_FRAME : 0;
}

static void set_fade(struct scene_slot *sl, float f)
{
    if (sl->used && sl->video && sl->video->fade != f) {
        sl->video->fade = f;
        video_set_fade(sl->video->v, f);
    }
}

int scene_video_tick(struct scene *s, int64_t now_ms, int64_t *due)
{
    *due = INT64_MAX;
    /* The sounds cross-fade with the pictures. */
    if (s->in.used && s->transition_ms > 0) {
        double a = (double)(now_ms - s->fade_start) / (double)s->transition_ms;
        a = a < 0 ? 0 : a > 1 ? 1 : a;
        set_fade(&s->in, (float)a);
        set_fade(&s->cur, (float)(1 - a));
    } else {
        set_fade(&s->cur, 1.0f);
    }
    int flags = slot_tick(s, &s->cur, now_ms, due) | slot_tick(s, &s->in, now_ms, due);
    const struct scene_slot *sl = on_screen(s);
    if (sl && sl->video && sl->video->ended)
        flags |= SCENE_VIDEO_ENDED;
    return flags;
}

bool scene_video_stats(const struct scene *s, int64_t *frames, int64_t *dropped)
{
    const struct scene_slot *sl = on_screen(s);
    if (!sl || !sl->video)
        return false;
    video_get_stats(sl->video->v, frames, dropped);
    return true;
}

int64_t scene_video_duration_ms(const struct scene *s)
{
    const struct scene_slot *sl = on_screen(s);
    return sl && sl->video ? video_duration_ms(sl->video->v) : 0;
}
