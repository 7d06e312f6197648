/* HEIC and AVIF through libheif (issue 10): every iPhone photo is a HEIC,
 * and AVIF is common on the web. Debian's libheif decodes HEVC with
 * libde265 and AV1 with libaom or dav1d. libheif applies the container's
 * irot/imir (and clap) transformations itself, so the picture comes out
 * upright; its pixel limit is set to ours before anything is decoded.
 *
 * Time budget (issue 8): libheif 1.15 has no way to stop a decode (its
 * progress callbacks return nothing). It reads the file through a
 * heif_reader, also while decoding: each tile of a grid image (what phones
 * write: 512x512 tiles) has its data read just before it is decoded, after
 * asking the reader whether the file is long enough. Once the load's
 * budget is over our reader answers "not yet" (a timeout: libheif returns
 * an error), so a grid image stops at its next tile; one single-tile image
 * is decoded whole by libde265 or the AV1 decoder and bounded by the pixel
 * limits only. Reads themselves never fail in range: libheif asserts that
 * a read it was told it could make succeeds (Debian builds keep asserts). */
#include <stdio.h>
#include <string.h>

#include <libheif/heif.h>

#include "base/limits.h"
#include "base/log.h"
#include "media/image_check.h"
#include "media/image_formats.h"

/* The file in memory, read through the budget. */
struct heif_src {
    const unsigned char *d;
    size_t len, pos;
    struct image_budget *b;
};

static int64_t src_position(void *u)
{
    return (int64_t)((struct heif_src *)u)->pos;
}

static int src_read(void *data, size_t size, void *u)
{
    struct heif_src *s = u;
    if (size > s->len - s->pos)
        return -1;
    if (size == 0) /* libheif asks for empty boxes' bodies, with data NULL */
        return 0;
    memcpy(data, s->d + s->pos, size);
    s->pos += size;
    return 0;
}

static int src_seek(int64_t position, void *u)
{
    struct heif_src *s = u;
    if (position < 0 || (uint64_t)position > s->len)
        return -1;
    s->pos = (size_t)position;
    return 0;
}

static enum heif_reader_grow_status src_grow(int64_t target, void *u)
{
    struct heif_src *s = u;
    if (target < 0 || (uint64_t)target > s->len)
        return heif_reader_grow_status_size_beyond_eof;
    return image_budget_passed(s->b) ? heif_reader_grow_status_timeout
                                     : heif_reader_grow_status_size_reached;
}

static const struct heif_reader src_reader = {
    .reader_api_version = 1,
    .get_position = src_position,
    .read = src_read,
    .seek = src_seek,
    .wait_for_file_size = src_grow,
};

static void heif_icc(struct heif_image_handle *h, SDL_Surface *s, struct image_budget *b)
{
    enum heif_color_profile_type t = heif_image_handle_get_color_profile_type(h);
    if (t != heif_color_profile_type_prof && t != heif_color_profile_type_rICC)
        return;
    size_t n = heif_image_handle_get_raw_color_profile_size(h);
    if (n == 0 || n > 4 * 1024 * 1024)
        return;
    unsigned char *icc = SDL_malloc(n);
    if (!icc)
        return;
    struct heif_error e = heif_image_handle_get_raw_color_profile(h, icc);
    if (e.code == heif_error_Ok)
        icc_to_srgb(s, icc, n, b);
    SDL_free(icc);
}

SDL_Surface *image_heif_decode(const unsigned char *d, size_t len, struct image_budget *b,
                               enum dp_reason *why)
{
    struct heif_context *ctx = heif_context_alloc();
    struct heif_image_handle *h = NULL;
    struct heif_image *img = NULL;
    SDL_Surface *s = NULL;
    *why = DP_REASON_DECODE_ERROR;
    if (!ctx)
        return NULL;
    heif_context_set_maximum_image_size_limit(ctx, DP_IMAGE_MAX_SIDE);
    struct heif_src src = {d, len, 0, b};
    struct heif_error e = heif_context_read_from_reader(ctx, &src_reader, &src, NULL);
    if (e.code != heif_error_Ok) {
        LOG_D("media", "heif: %s", e.message);
        if (e.code == heif_error_Memory_allocation_error ||
            e.subcode == heif_suberror_Security_limit_exceeded)
            *why = DP_REASON_TOO_LARGE;
        goto done;
    }
    if (heif_context_get_primary_image_handle(ctx, &h).code != heif_error_Ok)
        goto done;
    int w = heif_image_handle_get_width(h), hh = heif_image_handle_get_height(h);
    if (w <= 0 || hh <= 0)
        goto done;
    if (w > DP_IMAGE_MAX_SIDE || hh > DP_IMAGE_MAX_SIDE ||
        (long long)w * hh > DP_IMAGE_MAX_PIXELS_FULL) {
        *why = DP_REASON_TOO_LARGE;
        goto done;
    }
    e = heif_decode_image(h, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGBA, NULL);
    if (e.code != heif_error_Ok) {
        LOG_I("media", "heif decode: %s", e.message);
        if (e.code == heif_error_Unsupported_feature)
            *why = DP_REASON_UNSUPPORTED;
        goto done;
    }
    int stride = 0;
    const uint8_t *px = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    int iw = heif_image_get_width(img, heif_channel_interleaved);
    int ih = heif_image_get_height(img, heif_channel_interleaved);
    if (!px || iw <= 0 || ih <= 0 || stride < iw * 4)
        goto done;
    s = SDL_CreateRGBSurfaceWithFormat(0, iw, ih, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s)
        goto done;
    for (int y = 0; y < ih; y++)
        memcpy((unsigned char *)s->pixels + (size_t)y * s->pitch, px + (size_t)y * stride,
               (size_t)iw * 4);
    heif_icc(h, s, b);
    *why = DP_REASON_NONE;
done:
    heif_image_release(img);
    heif_image_handle_release(h);
    heif_context_free(ctx);
    return s;
}
