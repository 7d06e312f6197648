/* Budgets for still-image decoders (issue 8): checks of an image's bytes
 * before any decoder sees them, and the limits a libjpeg decode runs under.
 *
 * The header of a file says how large its pictures are; image.c already
 * checks the first one (image_sniff). This module walks the rest: every
 * frame of a GIF (a 10x10 screen may hold a 30000x30000 frame), every chunk
 * of a WebP (canvas, animation frames, the bitstreams themselves), and for
 * JPEG the memory a progressive decode keeps whole (its coefficients) and
 * the number of scans, with a time budget checked by libjpeg's progress
 * monitor. The checks are pure functions of the bytes (fuzzed by
 * tests/fuzz/fuzz_image_check.c). */
#ifndef DP_IMAGE_CHECK_H
#define DP_IMAGE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <jpeglib.h>

#include <SDL.h>

#include "base/reason.h"
#include "media/image.h"

/* Checks every frame a GIF or WebP declares against DP_IMAGE_MAX_SIDE and
 * DP_IMAGE_MAX_PIXELS_FULL, and the frame count against DP_IMAGE_MAX_FRAMES.
 * Other formats pass (their one size is checked by image_load). Returns 0,
 * or -1 with DP_REASON_TOO_LARGE or DP_REASON_DECODE_ERROR (a structure
 * that runs past the end) in *why. Pure; any thread. */
int image_check_frames(enum image_format fmt, const unsigned char *d, size_t len,
                       enum dp_reason *why);

/* The time budget of one still-image load: decode, colour transform,
 * orientation and resize all run under it, on the caller's thread. It is
 * over once DP_IMAGE_DECODE_MAX_MS have passed since image_budget_start, or
 * once image_budget_cancel(true) has been called (shutdown); then every
 * decoder gives up at its next check and the image is DP_REASON_TOO_COSTLY.
 * Embedded in the caller's frame; nothing to free. */
struct image_budget {
    int64_t deadline_ms; /* dp_mono_ms() after which it is over */
    bool over;           /* sticky: set by the first image_budget_over that saw it */
};

/* Starts a budget of DP_IMAGE_DECODE_MAX_MS (or what image_budget_set_ms
 * set) from now. Any thread. */
void image_budget_start(struct image_budget *b);
/* True when b is past its deadline or cancelled (and from then on). b may
 * be NULL: never over, unless cancelled. Cheap (one clock read): meant to
 * be called between rows. Any thread; b belongs to the caller's thread. */
bool image_budget_over(struct image_budget *b);
/* The same without marking b (reads only: safe from a decoder's own
 * threads while the owner runs it). */
bool image_budget_passed(const struct image_budget *b);
/* The length of budgets started from now: ms >= 0, or < 0 for the default
 * DP_IMAGE_DECODE_MAX_MS. For tests (a budget already run out without a
 * slow file). Any thread. */
void image_budget_set_ms(int64_t ms);

/* A read-only SDL_RWops over d[0..len) whose reads fail (0 objects, the
 * buffer zeroed) once b is over, so that an SDL_image decoder (libpng reads
 * IDAT 8 KB at a time, the GIF and BMP loaders as they go) stops at its
 * next read. Closing it frees it, never d; d and b must outlive it.
 * Returns NULL when out of memory. Any thread. */
SDL_RWops *image_budget_rw(const void *d, size_t len, struct image_budget *b);

/* The limits one libjpeg decode runs under. Embedded in the caller's frame;
 * image_jpeg_budget_install hooks it on cinfo (after jpeg_create_decompress). */
struct image_jpeg_budget {
    struct jpeg_progress_mgr progress; /* first: libjpeg calls through it */
    struct image_budget time;          /* started by install; may be replaced */
    bool exceeded;                     /* set when a budget stopped the decode */
};

/* Sets the progress monitor (scan count, time budget DP_IMAGE_DECODE_MAX_MS,
 * image_budget_cancel) and libjpeg's memory cap (DP_JPEG_MAX_MEMORY) on
 * cinfo. Over a budget the monitor sets b->exceeded and calls the error
 * handler (error_exit must not return). The loader thread, or any thread
 * decoding. */
void image_jpeg_budget_install(struct jpeg_decompress_struct *cinfo, struct image_jpeg_budget *b);

/* After jpeg_read_header: 0, or -1 with DP_REASON_TOO_LARGE in *why when a
 * progressive (multi-scan) file's coefficient array would not fit in
 * DP_JPEG_MAX_MEMORY (libjpeg keeps it whole, at full size, whatever the
 * output scale). Pure. */
int image_jpeg_budget_check(const struct jpeg_decompress_struct *cinfo, enum dp_reason *why);

/* Makes every decode in progress or to come give up (true) or run
 * again (false): set at shutdown, so that SIGTERM or --run-for never wait
 * for a decoder. Any thread. */
void image_budget_cancel(bool on);

#endif
