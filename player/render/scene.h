/* The scene: what is on screen (the current item), what comes next (already
 * uploaded, so that a switch never shows a black or empty frame) and the
 * transition between them. Main thread only; nothing here blocks: pictures
 * arrive decoded and composed from the loader thread.
 *
 * Slots: `cur` is on screen, `in` is coming in during a transition, `next`
 * is ready and waiting for its turn. */
#ifndef DP_SCENE_H
#define DP_SCENE_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>

#include "render/transition.h"

struct scene_video;

struct scene_slot {
    SDL_Texture *tex;          /* the whole canvas, opaque (NULL: empty slot) */
    struct scene_video *video; /* a video item (render/scene_video.h), drawn
                                  instead of tex; owned; NULL for stills */
    int64_t since_ms;          /* when it started coming in (monotonic) */
    bool used;
};

struct scene {
    SDL_Renderer *renderer;
    int w, h;
    uint32_t background;
    enum render_transition transition;
    int64_t transition_ms;
    struct scene_slot cur, in, next;
    int64_t fade_start;
};

void scene_init(struct scene *s, SDL_Renderer *r, int w, int h, uint32_t background,
                enum render_transition transition, int64_t transition_ms);
void scene_finish(struct scene *s);
/* Empties every slot (nothing on screen); the settings stay. */
void scene_clear(struct scene *s);
/* New settings (SIGHUP) for the transitions that follow. */
void scene_set_style(struct scene *s, uint32_t background, enum render_transition transition,
                     int64_t transition_ms);
/* The time a transition into an item takes: 0 for a cut. */
int64_t scene_transition_ms(const struct scene *s);
/* True when a picture is on screen (the cur slot is in use). */
bool scene_has_current(const struct scene *s);
/* Uploads a composed canvas into the `next` slot (replacing what was
 * there). Takes ownership of surf. Returns 0 or -1 (texture failure). */
int scene_set_next(struct scene *s, SDL_Surface *surf);
bool scene_has_next(const struct scene *s);
/* Forgets the prepared picture (the plan changed). */
void scene_drop_next(struct scene *s);
/* Starts the transition from cur to next. */
void scene_start(struct scene *s, int64_t now_ms);
/* Advances time: returns true when a transition has just completed. */
bool scene_tick(struct scene *s, int64_t now_ms);
bool scene_in_transition(const struct scene *s);
/* Draws the frame for now (does not present). */
void scene_draw(struct scene *s, int64_t now_ms);

#endif
