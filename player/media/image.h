/* Still images: sniffing, header checks, decoding at reduced scale, EXIF
 * orientation and a good-quality resize. Called on the loader thread (it
 * reads the disk and takes time); never on the drawing thread. */
#ifndef DP_IMAGE_H
#define DP_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

#include "base/reason.h"

enum image_format {
    IMAGE_UNKNOWN,
    IMAGE_JPEG,
    IMAGE_PNG,
    IMAGE_GIF,
    IMAGE_WEBP,
    IMAGE_BMP,
    IMAGE_HEIF, /* HEIC and AVIF (ISO BMFF "ftyp" brands), through libheif */
    IMAGE_JXL,  /* JPEG XL, codestream or container, through libjxl */
};

/* Looks at the first bytes (at least 32): the format, and the pixel size
 * when the header says it (JPEG: 0x0 until the frame header is parsed). */
enum image_format image_sniff(const unsigned char *data, size_t len, int *w, int *h);

/* Decodes the image at path, turned upright per its EXIF orientation, and
 * scaled (up or down, keeping its aspect ratio) to fit inside box_w x box_h.
 * Images larger than the box are decoded at a reduced scale when the format
 * allows (JPEG), and never held at full resolution when it does not need to.
 * Returns 0 and a new RGBA32 surface in *out (caller frees), or -1 with
 * why (DP_REASON_DECODE_ERROR, _TOO_LARGE, _NOT_AN_IMAGE, _UNREADABLE, or
 * _TOO_COSTLY: the load ran over DP_IMAGE_DECODE_MAX_MS or
 * image_budget_cancel was called) in *why. A truncated or corrupt file is
 * refused, never shown partly. Any thread. */
int image_load(const char *path, int box_w, int box_h, SDL_Surface **out, enum dp_reason *why);
/* The same, enlarging a small picture at most upscale_max times ([display]
 * upscale_max; 0: no cap): it is then smaller than the box, to be centred.
 * Reasons also include DP_REASON_UNSUPPORTED (a 12-bit JPEG, a HEIF codec
 * libheif has no decoder for). */
int image_load_capped(const char *path, int box_w, int box_h, double upscale_max,
                      SDL_Surface **out, enum dp_reason *why);

/* True when the file at path is an animated GIF or WebP (two frames or
 * more): video_open plays it as a silent loop (media/anim.c). Any thread. */
bool image_is_animated(const char *path);

/* Resizes src (RGBA32) to exactly w x h: area averaging when shrinking,
 * bilinear when growing. Returns a new surface or NULL. */
SDL_Surface *image_resize(SDL_Surface *src, int w, int h);

/* The largest w x h with src's aspect ratio that fits inside box. */
void image_fit(int src_w, int src_h, int box_w, int box_h, int *w, int *h);

#endif
