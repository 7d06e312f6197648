/* The scene: see scene.h. */
#include "render/scene.h"

#include <string.h>

#include "base/log.h"
#include "render/scene_video.h"

static void slot_clear(struct scene_slot *sl)
{
    if (sl->tex)
        SDL_DestroyTexture(sl->tex);
    scene_video_destroy(sl->video);
    memset(sl, 0, sizeof *sl);
}

void scene_init(struct scene *s, SDL_Renderer *r, int w, int h, uint32_t background,
                enum render_transition transition, int64_t transition_ms)
{
    memset(s, 0, sizeof *s);
    s->renderer = r;
    s->w = w;
    s->h = h;
    s->background = background;
    s->transition = transition;
    s->transition_ms = transition == RENDER_TRANSITION_CUT ? 0 : transition_ms;
}

void scene_clear(struct scene *s)
{
    scene_finish(s);
    s->fade_start = 0;
}

void scene_set_style(struct scene *s, uint32_t background, enum render_transition transition,
                     int64_t transition_ms)
{
    s->background = background;
    s->transition = transition;
    s->transition_ms = transition == RENDER_TRANSITION_CUT ? 0 : transition_ms;
}

bool scene_has_current(const struct scene *s)
{
    return s->cur.used;
}

int64_t scene_transition_ms(const struct scene *s)
{
    return s->transition_ms;
}

void scene_finish(struct scene *s)
{
    slot_clear(&s->cur);
    slot_clear(&s->in);
    slot_clear(&s->next);
}

int scene_set_next(struct scene *s, SDL_Surface *surf)
{
    slot_clear(&s->next);
    SDL_Texture *t = SDL_CreateTextureFromSurface(s->renderer, surf);
    SDL_FreeSurface(surf);
    if (!t) {
        LOG_W("render", "texture upload failed: %s", SDL_GetError());
        return -1;
    }
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    s->next.tex = t;
    s->next.used = true;
    return 0;
}

bool scene_has_next(const struct scene *s)
{
    return s->next.used;
}

void scene_drop_next(struct scene *s)
{
    slot_clear(&s->next);
}

void scene_start(struct scene *s, int64_t now_ms)
{
    if (!s->next.used)
        return;
    if (s->in.used) {
        /* A transition was still running: its incoming item is now the base. */
        slot_clear(&s->cur);
        s->cur = s->in;
        memset(&s->in, 0, sizeof s->in);
    }
    s->in = s->next;
    memset(&s->next, 0, sizeof s->next);
    s->in.since_ms = now_ms;
    s->fade_start = now_ms;
    if (s->in.video)
        scene_video_start(s->in.video, now_ms);
    if (!s->cur.used || s->transition_ms <= 0) {
        /* Nothing to blend from, or a cut: the new item is on at once. */
        slot_clear(&s->cur);
        s->cur = s->in;
        memset(&s->in, 0, sizeof s->in);
    }
}

bool scene_in_transition(const struct scene *s)
{
    return s->in.used;
}

bool scene_tick(struct scene *s, int64_t now_ms)
{
    if (!s->in.used || now_ms - s->fade_start < s->transition_ms)
        return false;
    slot_clear(&s->cur);
    s->cur = s->in;
    memset(&s->in, 0, sizeof s->in);
    return true;
}

void scene_draw(struct scene *s, int64_t now_ms)
{
    SDL_Renderer *r = s->renderer;
    SDL_SetRenderDrawColor(r, (s->background >> 16) & 255, (s->background >> 8) & 255,
                           s->background & 255, 255);
    SDL_RenderClear(r);
    if (s->cur.video) {
        scene_video_draw(s->cur.video, r, s->w, s->h, s->background, 255);
    } else if (s->cur.used) {
        /* Canvases are opaque: the bottom layer is copied, not blended
         * (on a software renderer a full-screen blend costs milliseconds). */
        SDL_SetTextureBlendMode(s->cur.tex, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(r, s->cur.tex, NULL, NULL);
    }
    if (s->in.used) {
        int64_t t = now_ms - s->fade_start;
        int alpha = s->transition_ms > 0 ? (int)(t * 255 / s->transition_ms) : 255;
        if (alpha < 0)
            alpha = 0;
        if (alpha > 255)
            alpha = 255;
        if (s->in.video) {
            scene_video_draw(s->in.video, r, s->w, s->h, s->background, (Uint8)alpha);
        } else {
            SDL_SetTextureBlendMode(s->in.tex, SDL_BLENDMODE_BLEND);
            SDL_SetTextureAlphaMod(s->in.tex, (Uint8)alpha);
            SDL_RenderCopy(r, s->in.tex, NULL, NULL);
        }
    }
}
