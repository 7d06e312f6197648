/* WebP stills and the first frame of an animated WebP, decoded by libwebp's
 * incremental decoder under the load's time budget (issue 8).
 *
 * DESIGN: WebPDecode and WebPAnimDecoder decode a picture in one call that
 * nothing can stop (a 40 MP picture takes seconds on a Raspberry Pi). The
 * incremental decoder (WebPIDecoder) decodes what it has been given so far
 * and returns; it is given the file a step more at a time (the bytes stay
 * in the caller's buffer: WebPIUpdate copies nothing), and the budget is
 * checked before each step. Rows are decoded as their data arrives, so the
 * time between checks is that of one step of bitstream: a 64th of the
 * file, between 64 KB and 1 MB (smaller steps cost a lossless picture
 * time: on each suspension the decoder goes back to its last saved row;
 * 16 KB steps made a 119 MB lossless file decode in 3.8 s instead of 1.3). */
#include <stdint.h>
#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>

#include "base/limits.h"
#include "base/log.h"
#include "media/image_check.h"
#include "media/image_formats.h"

#define WEBP_STEP_MIN ((size_t)64 * 1024)
#define WEBP_STEP_MAX ((size_t)1024 * 1024)

/* Decodes the bitstream bits[0..n) (a RIFF file, or a frame's ALPH + VP8 /
 * VP8L chunks) as RGBA into out (stride bytes a row, size bytes in all).
 * Returns 0, or -1: damaged, cut short, or b ran out. */
static int webp_decode_into(const uint8_t *bits, size_t n, uint8_t *out, size_t size, int stride,
                            struct image_budget *b)
{
    WebPIDecoder *idec = WebPINewRGB(MODE_RGBA, out, size, stride);
    if (!idec)
        return -1;
    size_t step = n / 64;
    step = step < WEBP_STEP_MIN ? WEBP_STEP_MIN : step > WEBP_STEP_MAX ? WEBP_STEP_MAX : step;
    VP8StatusCode st = VP8_STATUS_SUSPENDED;
    for (size_t given = 0; given < n && st == VP8_STATUS_SUSPENDED;) {
        if (image_budget_over(b))
            break;
        given = n - given > step ? given + step : n;
        st = WebPIUpdate(idec, bits, given);
    }
    WebPIDelete(idec);
    if (st != VP8_STATUS_OK)
        LOG_D("media", "webp: status %d", (int)st);
    return st == VP8_STATUS_OK ? 0 : -1;
}

static bool canvas_fits(int64_t w, int64_t h)
{
    return w > 0 && h > 0 && w <= DP_IMAGE_MAX_SIDE && h <= DP_IMAGE_MAX_SIDE &&
           w * h <= DP_IMAGE_MAX_PIXELS_FULL;
}

SDL_Surface *webp_first_frame(const unsigned char *d, size_t len, struct image_budget *b)
{
    WebPData wd = {d, len};
    WebPDemuxer *dmx = WebPDemux(&wd);
    if (!dmx)
        return NULL;
    int64_t cw = WebPDemuxGetI(dmx, WEBP_FF_CANVAS_WIDTH);
    int64_t ch = WebPDemuxGetI(dmx, WEBP_FF_CANVAS_HEIGHT);
    WebPIterator it;
    SDL_Surface *s = NULL;
    if (!canvas_fits(cw, ch) || !WebPDemuxGetFrame(dmx, 1, &it)) {
        WebPDemuxDelete(dmx);
        return NULL;
    }
    /* The first frame is a key frame: drawn on a transparent canvas at its
     * offset, not blended (what WebPAnimDecoder does). */
    if (it.width > 0 && it.height > 0 && it.x_offset >= 0 && it.y_offset >= 0 &&
        it.x_offset + it.width <= cw && it.y_offset + it.height <= ch)
        s = SDL_CreateRGBSurfaceWithFormat(0, (int)cw, (int)ch, 32, SDL_PIXELFORMAT_RGBA32);
    if (s) {
        memset(s->pixels, 0, (size_t)s->pitch * (size_t)s->h);
        uint8_t *at = (uint8_t *)s->pixels + (size_t)it.y_offset * (size_t)s->pitch +
                      (size_t)it.x_offset * 4;
        size_t size = (size_t)s->pitch * (size_t)(it.height - 1) + (size_t)it.width * 4;
        if (webp_decode_into(it.fragment.bytes, it.fragment.size, at, size, s->pitch, b) < 0) {
            SDL_FreeSurface(s);
            s = NULL;
        }
    }
    WebPDemuxReleaseIterator(&it);
    WebPDemuxDelete(dmx);
    return s;
}

SDL_Surface *image_webp_decode(const unsigned char *d, size_t len, struct image_budget *b,
                               enum dp_reason *why)
{
    WebPBitstreamFeatures f;
    *why = DP_REASON_DECODE_ERROR;
    if (WebPGetFeatures(d, len, &f) != VP8_STATUS_OK)
        return NULL;
    if (f.has_animation) /* the flag with one frame: its first frame is it */
        return webp_first_frame(d, len, b);
    if (!canvas_fits(f.width, f.height)) {
        *why = DP_REASON_TOO_LARGE;
        return NULL;
    }
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, f.width, f.height, 32,
                                                    SDL_PIXELFORMAT_RGBA32);
    if (!s)
        return NULL;
    if (webp_decode_into(d, len, s->pixels, (size_t)s->pitch * (size_t)s->h, s->pitch, b) < 0) {
        SDL_FreeSurface(s);
        return NULL;
    }
    *why = DP_REASON_NONE;
    return s;
}
