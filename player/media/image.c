/* Still images: see image.h.
 *
 * JPEG goes through libjpeg directly so that a photo larger than the screen
 * is decoded at 1/2, 1/4 or 1/8 scale in the DCT (a 6000x4000 photo for a
 * 1080p screen never exists at full size in memory). PNG, GIF and BMP go
 * through SDL_image, WebP through libwebp (image_webp.c), after their
 * header has been checked against the pixel limits, so that a file
 * claiming 30000x30000 pixels is never decoded.
 *
 * The whole load runs under one time budget (image_check.h): each decoder
 * and each step after it (colour profile, EXIF turn, resize) stops at its
 * next check once it has run out or the player is stopping. */
#include "media/image.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_image.h>
#include <jpeglib.h>
#include <jerror.h>
#include <libexif/exif-data.h>

#include "base/fileio.h"
#include "base/limits.h"
#include "base/log.h"
#include "media/image_formats.h"
#include "media/image_check.h"

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}
static unsigned le24(const unsigned char *p)
{
    return le16(p) | (unsigned)p[2] << 16;
}

enum image_format image_sniff(const unsigned char *d, size_t len, int *w, int *h)
{
    *w = *h = 0;
    if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return IMAGE_JPEG;
    if (len >= 24 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) {
        if (memcmp(d + 12, "IHDR", 4) != 0)
            return IMAGE_UNKNOWN;
        unsigned pw = be32(d + 16), ph = be32(d + 20);
        *w = pw > 0x7fffffff ? 0x7fffffff : (int)pw;
        *h = ph > 0x7fffffff ? 0x7fffffff : (int)ph;
        return IMAGE_PNG;
    }
    if (len >= 10 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) {
        *w = (int)le16(d + 6);
        *h = (int)le16(d + 8);
        return IMAGE_GIF;
    }
    if (len >= 30 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) {
        if (memcmp(d + 12, "VP8 ", 4) == 0) {
            *w = (int)(le16(d + 26) & 0x3fff);
            *h = (int)(le16(d + 28) & 0x3fff);
        } else if (memcmp(d + 12, "VP8L", 4) == 0) {
            unsigned bits = (unsigned)d[21] | (unsigned)d[22] << 8 | (unsigned)d[23] << 16 |
                            (unsigned)d[24] << 24;
            *w = (int)(bits & 0x3fff) + 1;
            *h = (int)((bits >> 14) & 0x3fff) + 1;
        } else if (memcmp(d + 12, "VP8X", 4) == 0) {
            *w = (int)le24(d + 24) + 1;
            *h = (int)le24(d + 27) + 1;
        }
        return IMAGE_WEBP;
    }
    if (len >= 12 && memcmp(d + 4, "ftyp", 4) == 0 &&
        (memcmp(d + 8, "hei", 3) == 0 || memcmp(d + 8, "hev", 3) == 0 ||
         memcmp(d + 8, "avi", 3) == 0 || memcmp(d + 8, "mif1", 4) == 0 ||
         memcmp(d + 8, "msf1", 4) == 0))
        return IMAGE_HEIF;
    if ((len >= 2 && d[0] == 0xFF && d[1] == 0x0A) ||
        (len >= 12 && memcmp(d, "\0\0\0\x0CJXL \r\n\x87\n", 12) == 0))
        return IMAGE_JXL;
    if (len >= 26 && d[0] == 'B' && d[1] == 'M') {
        *w = (int)(be32((const unsigned char[]){d[21], d[20], d[19], d[18]}));
        int32_t bh = (int32_t)be32((const unsigned char[]){d[25], d[24], d[23], d[22]});
        *h = bh < 0 ? (bh == INT32_MIN ? INT32_MAX : -bh) : bh;
        return IMAGE_BMP;
    }
    return IMAGE_UNKNOWN;
}

void image_fit(int src_w, int src_h, int box_w, int box_h, int *w, int *h)
{
    if (src_w <= 0 || src_h <= 0 || box_w <= 0 || box_h <= 0) {
        *w = *h = 0;
        return;
    }
    /* Compare src_w/src_h with box_w/box_h without rounding. */
    if ((int64_t)src_w * box_h >= (int64_t)box_w * src_h) {
        *w = box_w;
        *h = (int)(((int64_t)src_h * box_w + src_w / 2) / src_w);
    } else {
        *h = box_h;
        *w = (int)(((int64_t)src_w * box_h + src_h / 2) / src_h);
    }
    if (*w < 1)
        *w = 1;
    if (*h < 1)
        *h = 1;
}

/* ---- PNG structure ------------------------------------------------------------ */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    pthread_once(&crc_once, crc_init);
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 255] ^ (crc >> 8);
    return ~crc;
}

/* Walks every chunk before libpng sees the file: each must fit in the file
 * and carry a correct CRC, and IEND must be there. A chunk that declares a
 * huge length would otherwise make the decoder skip through gigabytes of
 * a short memory buffer; a truncated file would be half drawn. */
static bool png_well_formed(const unsigned char *d, size_t len)
{
    size_t pos = 8;
    while (pos + 12 <= len) {
        uint32_t n = be32(d + pos);
        if (n > 0x7fffffffu || n > len - pos - 12)
            return false;
        uint32_t crc = crc32_update(0, d + pos + 4, (size_t)n + 4);
        if (crc != be32(d + pos + 8 + n))
            return false;
        if (memcmp(d + pos + 4, "IEND", 4) == 0)
            return true;
        pos += 12 + (size_t)n;
    }
    return false;
}

/* ---- JPEG through libjpeg ------------------------------------------------ */

struct jpeg_err {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    bool corrupt; /* a warning that means missing or damaged data */
};

static void jpeg_error_exit(j_common_ptr cinfo)
{
    struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
    longjmp(e->jump, 1);
}

static void jpeg_emit(j_common_ptr cinfo, int level)
{
    struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
    if (level >= 0)
        return;
    int code = e->mgr.msg_code;
    /* Extraneous bytes are common in real files and harmless; truncation and
     * damaged entropy data would show a grey or smeared picture. */
    if (code != JWRN_EXTRANEOUS_DATA)
        e->corrupt = true;
}

static SDL_Surface *decode_jpeg(const unsigned char *data, size_t len, int box_w, int box_h,
                                struct image_budget *time, enum dp_reason *why)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_err jerr;
    struct image_jpeg_budget budget;
    SDL_Surface *volatile surf = NULL;
    JSAMPROW volatile cmyk_row = NULL;

    memset(&jerr, 0, sizeof jerr);
    cinfo.err = jpeg_std_error(&jerr.mgr);
    jerr.mgr.error_exit = jpeg_error_exit;
    jerr.mgr.emit_message = jpeg_emit;
    if (setjmp(jerr.jump)) {
        *why = budget.exceeded ? DP_REASON_TOO_COSTLY : DP_REASON_DECODE_ERROR;
        time->over = time->over || budget.time.over;
        jpeg_destroy_decompress(&cinfo);
        SDL_FreeSurface(surf);
        free(cmyk_row);
        return NULL;
    }
    budget.exceeded = false;
    jpeg_create_decompress(&cinfo);
    image_jpeg_budget_install(&cinfo, &budget);
    budget.time = *time; /* the load's budget, not one of its own */
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    if (image_jpeg_budget_check(&cinfo, why) < 0) {
        jpeg_destroy_decompress(&cinfo);
        return NULL;
    }
    if (cinfo.image_width == 0 || cinfo.image_height == 0 ||
        cinfo.image_width > DP_IMAGE_MAX_SIDE || cinfo.image_height > DP_IMAGE_MAX_SIDE ||
        (int64_t)cinfo.image_width * cinfo.image_height > DP_IMAGE_MAX_PIXELS) {
        *why = DP_REASON_TOO_LARGE;
        jpeg_destroy_decompress(&cinfo);
        return NULL;
    }
    /* The smallest DCT scale that still covers the box (the EXIF turn may
     * swap the sides: cover the larger box side with the smaller image side). */
    int need = box_w > box_h ? box_w : box_h;
    int img_small = (int)(cinfo.image_width < cinfo.image_height ? cinfo.image_width
                                                                 : cinfo.image_height);
    int img_large = (int)(cinfo.image_width > cinfo.image_height ? cinfo.image_width
                                                                 : cinfo.image_height);
    int fit_w, fit_h;
    image_fit(img_large, img_small, need, need, &fit_w, &fit_h);
    (void)fit_h;
    unsigned denom = 1;
    while (denom < 8 && img_large / (int)(denom * 2) >= fit_w)
        denom *= 2;
    cinfo.scale_num = 1;
    cinfo.scale_denom = denom;
    bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGBA;
    jpeg_start_decompress(&cinfo);

    surf = SDL_CreateRGBSurfaceWithFormat(0, (int)cinfo.output_width, (int)cinfo.output_height, 32,
                                          SDL_PIXELFORMAT_RGBA32);
    if (!surf)
        longjmp(jerr.jump, 1);
    if (cmyk)
        cmyk_row = malloc((size_t)cinfo.output_width * 4);
    while (cinfo.output_scanline < cinfo.output_height) {
        unsigned char *row = (unsigned char *)surf->pixels +
                             (size_t)cinfo.output_scanline * (size_t)surf->pitch;
        JSAMPROW rows[1] = {cmyk ? cmyk_row : row};
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1)
            longjmp(jerr.jump, 1);
        if (cmyk) {
            /* Adobe writes inverted CMYK. */
            for (unsigned x = 0; x < cinfo.output_width; x++) {
                unsigned k = cmyk_row[4 * x + 3];
                row[4 * x + 0] = (unsigned char)(cmyk_row[4 * x + 0] * k / 255);
                row[4 * x + 1] = (unsigned char)(cmyk_row[4 * x + 1] * k / 255);
                row[4 * x + 2] = (unsigned char)(cmyk_row[4 * x + 2] * k / 255);
                row[4 * x + 3] = 255;
            }
        }
        if (jerr.corrupt)
            longjmp(jerr.jump, 1);
    }
    jpeg_finish_decompress(&cinfo);
    if (jerr.corrupt)
        longjmp(jerr.jump, 1);
    jpeg_destroy_decompress(&cinfo);
    free(cmyk_row);
    return surf;
}

/* ---- EXIF orientation ----------------------------------------------------- */

static int exif_orientation(const unsigned char *data, size_t len)
{
    ExifData *ed = exif_data_new_from_data(data, (unsigned)len);
    if (!ed)
        return 1;
    int o = 1;
    ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    if (e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->size >= 2)
        o = exif_get_short(e->data, exif_data_get_byte_order(ed));
    exif_data_unref(ed);
    return o >= 1 && o <= 8 ? o : 1;
}

/* Returns src turned upright (a new surface; src is freed), or src (out of
 * memory, or the budget ran out: the caller looks at it). */
static SDL_Surface *apply_orientation(SDL_Surface *src, int o, struct image_budget *b)
{
    if (o <= 1)
        return src;
    int w = src->w, h = src->h;
    bool swap = o >= 5;
    SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormat(0, swap ? h : w, swap ? w : h, 32,
                                                      SDL_PIXELFORMAT_RGBA32);
    if (!dst)
        return src;
    for (int y = 0; y < dst->h; y++) {
        if (image_budget_over(b)) {
            SDL_FreeSurface(dst);
            return src;
        }
        uint32_t *out = (uint32_t *)((unsigned char *)dst->pixels + (size_t)y * dst->pitch);
        for (int x = 0; x < dst->w; x++) {
            int sx, sy;
            switch (o) {
            case 2:
                sx = w - 1 - x;
                sy = y;
                break;
            case 3:
                sx = w - 1 - x;
                sy = h - 1 - y;
                break;
            case 4:
                sx = x;
                sy = h - 1 - y;
                break;
            case 5:
                sx = y;
                sy = x;
                break;
            case 6:
                sx = y;
                sy = h - 1 - x;
                break;
            case 7:
                sx = w - 1 - y;
                sy = h - 1 - x;
                break;
            default:
                sx = w - 1 - y;
                sy = x;
                break; /* 8 */
            }
            out[x] = ((uint32_t *)((unsigned char *)src->pixels + (size_t)sy * src->pitch))[sx];
        }
    }
    SDL_FreeSurface(src);
    return dst;
}

/* ---- resizing --------------------------------------------------------------- */

/* NULL when out of memory or when b ran out (checked every row). */
static SDL_Surface *shrink_area(SDL_Surface *src, int w, int h, struct image_budget *b)
{
    SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    if (!dst)
        return NULL;
    for (int y = 0; y < h; y++) {
        if (image_budget_over(b)) {
            SDL_FreeSurface(dst);
            return NULL;
        }
        int y0 = (int)((int64_t)y * src->h / h);
        int y1 = (int)((int64_t)(y + 1) * src->h / h);
        if (y1 <= y0)
            y1 = y0 + 1;
        unsigned char *out = (unsigned char *)dst->pixels + (size_t)y * dst->pitch;
        for (int x = 0; x < w; x++) {
            int x0 = (int)((int64_t)x * src->w / w);
            int x1 = (int)((int64_t)(x + 1) * src->w / w);
            if (x1 <= x0)
                x1 = x0 + 1;
            uint64_t r = 0, g = 0, b = 0, a = 0, n = 0;
            for (int sy = y0; sy < y1; sy++) {
                const unsigned char *p = (const unsigned char *)src->pixels +
                                         (size_t)sy * src->pitch + 4 * x0;
                for (int sx = x0; sx < x1; sx++, p += 4) {
                    /* Weighted by alpha, so transparent pixels add no colour. */
                    r += (uint64_t)p[0] * p[3];
                    g += (uint64_t)p[1] * p[3];
                    b += (uint64_t)p[2] * p[3];
                    a += p[3];
                    n++;
                }
            }
            unsigned char *o = out + 4 * x;
            o[0] = a ? (unsigned char)(r / a) : 0;
            o[1] = a ? (unsigned char)(g / a) : 0;
            o[2] = a ? (unsigned char)(b / a) : 0;
            o[3] = (unsigned char)(a / n);
        }
    }
    return dst;
}

static SDL_Surface *resize_budgeted(SDL_Surface *src, int w, int h, struct image_budget *b)
{
    if (src->w == w && src->h == h)
        return SDL_ConvertSurfaceFormat(src, SDL_PIXELFORMAT_RGBA32, 0);
    if (w <= src->w && h <= src->h)
        return shrink_area(src, w, h, b);
    SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    if (!dst)
        return NULL;
    if (SDL_SoftStretchLinear(src, NULL, dst, NULL) < 0) {
        SDL_FreeSurface(dst);
        return NULL;
    }
    return dst;
}

SDL_Surface *image_resize(SDL_Surface *src, int w, int h)
{
    return resize_budgeted(src, w, h, NULL);
}

/* ---- the entry point --------------------------------------------------------- */

/* The file's ICC profile, when it has one that is not sRGB, applied. */
static void image_apply_icc(SDL_Surface *s, enum image_format fmt, const unsigned char *d,
                            size_t len, struct image_budget *b)
{
    size_t n;
    unsigned char *icc = icc_profile_find(fmt, d, len, &n);
    if (icc)
        icc_to_srgb(s, icc, n, b);
    free(icc);
}

/* Through SDL_image (PNG, GIF, BMP), reading through a budgeted RWops. */
static SDL_Surface *decode_sdl(const char *path, const unsigned char *d, size_t len,
                               struct image_budget *b, enum dp_reason *why)
{
    SDL_RWops *rw = image_budget_rw(d, len, b);
    SDL_Surface *raw = rw ? IMG_Load_RW(rw, 1) : NULL;
    SDL_Surface *surf = raw && !image_budget_over(b)
                            ? SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGBA32, 0)
                            : NULL;
    if (!raw)
        LOG_D("media", "%s: %s", path, IMG_GetError());
    SDL_FreeSurface(raw);
    if (!surf)
        *why = DP_REASON_DECODE_ERROR;
    return surf;
}

int image_load(const char *path, int box_w, int box_h, SDL_Surface **out, enum dp_reason *why)
{
    return image_load_capped(path, box_w, box_h, 0, out, why);
}

int image_load_capped(const char *path, int box_w, int box_h, double upscale_max,
                      SDL_Surface **out, enum dp_reason *why)
{
    char *data = NULL;
    size_t len = 0;
    SDL_Surface *surf = NULL;
    struct image_budget budget;
    bool decoding = false; /* past the checks: a failure may be the budget's */
    *out = NULL;
    *why = DP_REASON_NONE;

    image_budget_start(&budget);
    int r = dp_read_file(path, DP_IMAGE_MAX_FILE_BYTES, &data, &len);
    if (r == -EFBIG) {
        *why = DP_REASON_TOO_LARGE;
        return -1;
    }
    if (r < 0) {
        *why = DP_REASON_UNREADABLE;
        return -1;
    }
    int w, h;
    enum image_format fmt = image_sniff((unsigned char *)data, len, &w, &h);
    if (fmt == IMAGE_UNKNOWN) {
        *why = DP_REASON_NOT_AN_IMAGE;
        goto fail;
    }
    if (image_check_frames(fmt, (const unsigned char *)data, len, why) < 0)
        goto fail;
    const unsigned char *ud = (const unsigned char *)data;
    if (fmt == IMAGE_JPEG && jpeg_precision(ud, len) > 8) {
        LOG_I("media", "%s: %d-bit JPEG is not supported", path, jpeg_precision(ud, len));
        *why = DP_REASON_UNSUPPORTED;
        goto fail;
    }
    int orientation = 1;
    bool icc = fmt != IMAGE_HEIF && fmt != IMAGE_JXL; /* those two apply theirs */
    decoding = true;
    if (fmt == IMAGE_HEIF || fmt == IMAGE_JXL) {
        surf = fmt == IMAGE_HEIF ? image_heif_decode(ud, len, &budget, why)
                                 : image_jxl_decode(ud, len, &budget, why);
    } else if (fmt == IMAGE_WEBP && webp_is_animated(ud, len)) {
        surf = webp_first_frame(ud, len, &budget);
        icc = false; /* as the animation itself plays */
        if (!surf)
            *why = DP_REASON_DECODE_ERROR;
    } else if (fmt == IMAGE_JPEG) {
        surf = decode_jpeg((unsigned char *)data, len, box_w, box_h, &budget, why);
        orientation = exif_orientation(ud, len);
    } else {
        if (w <= 0 || h <= 0 || w > DP_IMAGE_MAX_SIDE || h > DP_IMAGE_MAX_SIDE ||
            (int64_t)w * h > DP_IMAGE_MAX_PIXELS_FULL) {
            *why = w <= 0 || h <= 0 ? DP_REASON_DECODE_ERROR : DP_REASON_TOO_LARGE;
            goto fail;
        }
        if ((fmt == IMAGE_PNG && !png_well_formed((unsigned char *)data, len)) ||
            (fmt == IMAGE_GIF && gif_count_frames((unsigned char *)data, len, 1) < 1)) {
            *why = DP_REASON_DECODE_ERROR;
            goto fail;
        }
        surf = fmt == IMAGE_WEBP ? image_webp_decode(ud, len, &budget, why)
                                 : decode_sdl(path, ud, len, &budget, why);
        orientation = orient_from_container(fmt, ud, len);
    }
    if (!surf)
        goto fail;
    if (icc)
        image_apply_icc(surf, fmt, ud, len, &budget);
    surf = apply_orientation(surf, orientation, &budget); /* HEIF, JXL: 1, turned by theirs */
    if (image_budget_over(&budget))
        goto fail;
    int fw, fh;
    image_fit(surf->w, surf->h, box_w, box_h, &fw, &fh);
    if (upscale_max > 0 && fw > surf->w * upscale_max) {
        /* A small picture is enlarged this much at most, then centred. */
        fw = (int)(surf->w * upscale_max);
        fh = (int)(surf->h * upscale_max);
    }
    SDL_Surface *fitted = resize_budgeted(surf, fw, fh, &budget);
    SDL_FreeSurface(surf);
    surf = NULL;
    if (!fitted) {
        *why = DP_REASON_DECODE_ERROR;
        goto fail;
    }
    free(data);
    *out = fitted;
    return 0;
fail:
    /* Whatever failed, a budget that ran out is the reason (a decoder
     * stopped by it reports a damaged stream). */
    if (decoding && image_budget_over(&budget))
        *why = DP_REASON_TOO_COSTLY;
    SDL_FreeSurface(surf);
    free(data);
    return -1;
}
