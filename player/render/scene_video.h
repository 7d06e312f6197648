/* Video in the scene: a slot whose picture is a playing video, letterboxed
 * (and turned by its display matrix) inside the safe area, on the
 * background, under a caption overlay (card_overlay).
 *
 * How the app drives it (main thread throughout, nothing here blocks but
 * scene_video_destroy, which joins the video's threads):
 *   loader thread:  v = video_open(path, &opts, ...); overlay = card_overlay(...)
 *   main, result:   scene_set_next_video(scene, v, overlay, box_w, box_h)
 *                   (uploads the pre-rolled first frame: no black frame)
 *   scene_start():  starts the incoming video's clock and sound
 *   every loop:     flags = scene_video_tick(scene, now, &due); redraw on
 *                   SCENE_VIDEO_FRAME; end the item on SCENE_VIDEO_ENDED;
 *                   sleep no later than due
 *   shown event:    scene_video_stats(scene, &frames, &dropped) before the
 *                   next scene_start (it reports the item on screen).
 * The slot owns the video: clearing the slot closes it. */
#ifndef DP_SCENE_VIDEO_H
#define DP_SCENE_VIDEO_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>

#include "media/video.h"
#include "render/scene.h"

struct scene_video;

/* Wraps v and overlay (both owned from here; overlay may be NULL) and
 * uploads v's first frame. box: the safe area's size, centred on the
 * canvas. Main thread. Returns NULL on texture failure (v and overlay
 * are freed then). */
struct scene_video *scene_video_create(SDL_Renderer *r, struct video *v, SDL_Surface *overlay,
                                       int box_w, int box_h);
void scene_video_destroy(struct scene_video *sv); /* NULL ok; closes the video */

/* Starts the clock and sound; later calls do nothing. */
void scene_video_start(struct scene_video *sv, int64_t now_ms);
/* Draws background, picture and overlay at alpha (0..255) on a canvas of
 * w x h. Main thread. */
void scene_video_draw(struct scene_video *sv, SDL_Renderer *r, int w, int h, uint32_t background,
                      Uint8 alpha);

/* Puts the video item into the `next` slot (replacing what was there).
 * Takes ownership of v and overlay. Returns 0 or -1 (both freed). */
int scene_set_next_video(struct scene *s, struct video *v, SDL_Surface *overlay, int box_w,
                         int box_h);

enum { SCENE_VIDEO_FRAME = 1, SCENE_VIDEO_ENDED = 2 };

/* Uploads the frames due at now for every playing slot. Returns
 * SCENE_VIDEO_FRAME when a new frame went up (redraw) and
 * SCENE_VIDEO_ENDED when the video of the item on screen (the incoming one
 * during a transition) has ended. *due: when to call again (INT64_MAX
 * when nothing plays). */
int scene_video_tick(struct scene *s, int64_t now_ms, int64_t *due);

/* Frames presented and dropped by the item on screen; false when it is
 * not a video. */
bool scene_video_stats(const struct scene *s, int64_t *frames, int64_t *dropped);

/* The item on screen's video length in ms (capped), 0 when unknown or not
 * a video. */
int64_t scene_video_duration_ms(const struct scene *s);

#endif
