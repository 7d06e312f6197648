/* JPEG XL through libjxl (issue 10; Debian 12 ships libjxl 0.7). The
 * decoder turns the picture upright itself (it honours the codestream's
 * orientation unless told to keep it); XYB-encoded images are asked for
 * in sRGB, others keep their profile and are converted with lcms2. Only
 * the first frame of an animation is shown.
 *
 * The decoder is given the file JXL_STEP bytes more at a time (it decodes
 * the groups whose data it has, keeps what it has not used, and asks for
 * more), with the load's time budget checked before each step (issue 8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jxl/decode.h>

#include "base/limits.h"
#include "base/log.h"
#include "media/image_check.h"
#include "media/image_formats.h"

#define JXL_STEP (64 * 1024)

/* Gives dec the file up to JXL_STEP bytes further than it has, from the
 * first byte it has not used; the whole file closes the input. Returns
 * false when there is nothing more (the file is cut short). */
static bool jxl_feed(JxlDecoder *dec, const unsigned char *d, size_t len, size_t *given)
{
    size_t kept = JxlDecoderReleaseInput(dec); /* 0 before the first call */
    if (*given >= len)
        return false;
    size_t from = *given - kept;
    *given = len - *given > JXL_STEP ? *given + JXL_STEP : len;
    if (JxlDecoderSetInput(dec, d + from, *given - from) != JXL_DEC_SUCCESS)
        return false;
    if (*given == len)
        JxlDecoderCloseInput(dec);
    return true;
}

/* The profile of the decoded pixels (after the sRGB request), or NULL. */
static unsigned char *jxl_icc(JxlDecoder *dec, size_t *n)
{
    *n = 0;
    if (JxlDecoderGetICCProfileSize(dec, NULL, JXL_COLOR_PROFILE_TARGET_DATA, n) !=
            JXL_DEC_SUCCESS ||
        *n < 128 || *n > 4 * 1024 * 1024)
        return NULL;
    unsigned char *icc = malloc(*n);
    if (icc && JxlDecoderGetColorAsICCProfile(dec, NULL, JXL_COLOR_PROFILE_TARGET_DATA, icc, *n) !=
                   JXL_DEC_SUCCESS) {
        free(icc);
        icc = NULL;
    }
    return icc;
}

SDL_Surface *image_jxl_decode(const unsigned char *d, size_t len, struct image_budget *b,
                              enum dp_reason *why)
{
    JxlDecoder *dec = JxlDecoderCreate(NULL);
    SDL_Surface *s = NULL;
    unsigned char *icc = NULL;
    size_t icc_len = 0;
    bool done = false;
    size_t given = 0;
    *why = DP_REASON_DECODE_ERROR;
    if (!dec)
        return NULL;
    JxlPixelFormat pf = {4, JXL_TYPE_UINT8, JXL_NATIVE_ENDIAN, 0};
    if (JxlDecoderSubscribeEvents(dec, JXL_DEC_BASIC_INFO | JXL_DEC_COLOR_ENCODING |
                                           JXL_DEC_FULL_IMAGE) != JXL_DEC_SUCCESS ||
        !jxl_feed(dec, d, len, &given))
        goto fail;
    while (!done) {
        if (image_budget_over(b))
            goto fail;
        JxlDecoderStatus st = JxlDecoderProcessInput(dec);
        switch (st) {
        case JXL_DEC_BASIC_INFO: {
            JxlBasicInfo info;
            if (JxlDecoderGetBasicInfo(dec, &info) != JXL_DEC_SUCCESS)
                goto fail;
            if (info.xsize == 0 || info.ysize == 0 || info.xsize > DP_IMAGE_MAX_SIDE ||
                info.ysize > DP_IMAGE_MAX_SIDE ||
                (long long)info.xsize * info.ysize > DP_IMAGE_MAX_PIXELS_FULL) {
                *why = DP_REASON_TOO_LARGE;
                goto fail;
            }
            break;
        }
        case JXL_DEC_COLOR_ENCODING: {
            JxlColorEncoding srgb = {
                .color_space = JXL_COLOR_SPACE_RGB,
                .white_point = JXL_WHITE_POINT_D65,
                .primaries = JXL_PRIMARIES_SRGB,
                .transfer_function = JXL_TRANSFER_FUNCTION_SRGB,
                .rendering_intent = JXL_RENDERING_INTENT_PERCEPTUAL,
            };
            JxlDecoderSetPreferredColorProfile(dec, &srgb); /* XYB images only */
            icc = jxl_icc(dec, &icc_len);
            break;
        }
        case JXL_DEC_NEED_IMAGE_OUT_BUFFER: {
            JxlBasicInfo info;
            size_t need;
            if (JxlDecoderGetBasicInfo(dec, &info) != JXL_DEC_SUCCESS ||
                JxlDecoderImageOutBufferSize(dec, &pf, &need) != JXL_DEC_SUCCESS)
                goto fail;
            /* Upright size: orientations 5..8 swap the sides. */
            int w = (int)(info.orientation >= 5 ? info.ysize : info.xsize);
            int h = (int)(info.orientation >= 5 ? info.xsize : info.ysize);
            s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
            if (!s || (size_t)s->pitch != (size_t)w * 4 || need != (size_t)s->pitch * h ||
                JxlDecoderSetImageOutBuffer(dec, &pf, s->pixels, need) != JXL_DEC_SUCCESS)
                goto fail;
            break;
        }
        case JXL_DEC_FULL_IMAGE:
            done = true; /* the first frame */
            break;
        case JXL_DEC_SUCCESS:
            done = s != NULL;
            if (!done)
                goto fail;
            break;
        case JXL_DEC_NEED_MORE_INPUT:
            if (!jxl_feed(dec, d, len, &given))
                goto fail; /* truncated */
            break;
        default: /* JXL_DEC_ERROR */
            LOG_D("media", "jxl: status %d", (int)st);
            goto fail;
        }
    }
    if (icc)
        icc_to_srgb(s, icc, icc_len, b);
    free(icc);
    JxlDecoderDestroy(dec);
    *why = DP_REASON_NONE;
    return s;
fail:
    free(icc);
    SDL_FreeSurface(s);
    JxlDecoderDestroy(dec);
    return NULL;
}
