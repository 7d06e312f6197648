/* The still-image formats and container details that image.c hands off
 * (issue 10): orientation outside JPEG, HEIF/AVIF (libheif), JPEG XL
 * (libjxl), ICC colour profiles (lcms2), animation probes. Internal to
 * media/; every function is for the loader thread (any thread, no state). */
#ifndef DP_MEDIA_IMAGE_FORMATS_H
#define DP_MEDIA_IMAGE_FORMATS_H

#include <stddef.h>

#include <SDL.h>

#include "media/image.h"

struct image_budget; /* media/image_check.h */

/* The EXIF orientation (1..8, 1 when none) of a PNG (eXIf chunk) or WebP
 * (EXIF chunk) file; JPEG's is read by image.c. orient.c */
int orient_from_container(enum image_format fmt, const unsigned char *d, size_t len);
/* The orientation in a raw EXIF block (TIFF header, with or without the
 * "Exif\0\0" prefix), 1 when none. orient.c */
int orient_from_exif(const unsigned char *exif, size_t len);

/* The sample precision of a JPEG's frame header (8, 12, 16), 0 when none
 * is found. orient.c */
int jpeg_precision(const unsigned char *d, size_t len);

/* Every decoder below runs under the load's time budget b (may be NULL:
 * only image_budget_cancel stops it) and returns NULL when it ran out;
 * the caller tells that from a damaged file with image_budget_over(b). */

/* Decodes a HEIC or AVIF primary image at full size, turned upright
 * (irot/imir applied by libheif), its ICC profile applied. Returns a new
 * RGBA32 surface, or NULL with a reason (DP_REASON_TOO_LARGE,
 * _DECODE_ERROR, _UNSUPPORTED: no decoder for its codec). image_heif.c */
SDL_Surface *image_heif_decode(const unsigned char *d, size_t len, struct image_budget *b,
                               enum dp_reason *why);

/* Decodes a JPEG XL image (upright, colour in sRGB) to a new RGBA32
 * surface, or NULL with a reason. image_jxl.c */
SDL_Surface *image_jxl_decode(const unsigned char *d, size_t len, struct image_budget *b,
                              enum dp_reason *why);

/* Decodes a still WebP (lossy, lossless, with alpha; one with the
 * animation flag gives its first frame) to a new RGBA32 surface, or NULL
 * with a reason (DP_REASON_TOO_LARGE, _DECODE_ERROR). image_webp.c */
SDL_Surface *image_webp_decode(const unsigned char *d, size_t len, struct image_budget *b,
                               enum dp_reason *why);

/* The ICC profile embedded in a JPEG (APP2), PNG (iCCP) or WebP (ICCP)
 * file: a new buffer (caller frees) and its size, or NULL. image_icc.c */
unsigned char *icc_profile_find(enum image_format fmt, const unsigned char *d, size_t len,
                                size_t *icc_len);
/* Converts s (RGBA32) in place from the colours of profile icc to sRGB;
 * nothing when the profile is sRGB, unusable, or not RGB. Returns 1 when
 * converted, 0 when left, -1 on error or when b ran out (s then partly
 * converted: the caller drops it). image_icc.c */
int icc_to_srgb(SDL_Surface *s, const unsigned char *icc, size_t icc_len, struct image_budget *b);

/* The GIF frames whose data is all there, counted up to enough: the first
 * frame of a cut GIF would be drawn partly (the rest transparent) by
 * SDL_image, so 0 means refuse. image_check.c (one walk with the frame budget) */
int gif_count_frames(const unsigned char *d, size_t len, int enough);
/* A WebP with the animation flag and two frames or more. anim.c */
bool webp_is_animated(const unsigned char *d, size_t len);
/* The first frame of an animated WebP, composed on its canvas: a new RGBA32
 * surface, or NULL (corrupt, over DP_IMAGE_MAX_PIXELS_FULL, or b ran out).
 * image_webp.c */
SDL_Surface *webp_first_frame(const unsigned char *d, size_t len, struct image_budget *b);

#endif
