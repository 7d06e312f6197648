/* ICC colour profiles (issue 10): a photo tagged Adobe RGB or Display P3
 * looks dull or wrong when its numbers are shown as sRGB. The embedded
 * profile is found in the file (JPEG APP2 "ICC_PROFILE" segments, PNG
 * iCCP, WebP ICCP) and the decoded pixels converted to sRGB with lcms2.
 * Profiles that are sRGB already, or not RGB (CMYK, grey), are left. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lcms2.h>
#include <zlib.h>

#include "media/image_check.h"
#include "media/image_formats.h"

#define ICC_MAX_BYTES (4u * 1024 * 1024)
#define ICC_BAND_ROWS 64 /* rows converted between two budget checks */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* JPEG: APP2 segments "ICC_PROFILE\0", sequence number, count, data. */
static unsigned char *jpeg_icc(const unsigned char *d, size_t len, size_t *out_len)
{
    unsigned char *icc = NULL;
    size_t n = 0;
    size_t pos = 2;
    while (pos + 4 <= len && d[pos] == 0xFF) {
        unsigned char m = d[pos + 1];
        size_t seg = (size_t)d[pos + 2] << 8 | d[pos + 3];
        if (m == 0xDA || seg < 2 || seg > len - pos - 2)
            break;
        if (m == 0xE2 && seg >= 16 && memcmp(d + pos + 4, "ICC_PROFILE\0", 12) == 0) {
            /* Segments in file order; real files keep them in sequence. */
            size_t part = seg - 16;
            unsigned char *grown = n + part <= ICC_MAX_BYTES ? realloc(icc, n + part) : NULL;
            if (!grown) {
                free(icc);
                return NULL;
            }
            icc = grown;
            memcpy(icc + n, d + pos + 18, part);
            n += part;
        }
        pos += 2 + seg;
    }
    *out_len = n;
    return icc;
}

/* PNG: iCCP is a name, a NUL, method 0, then the zlib-compressed profile. */
static unsigned char *png_icc(const unsigned char *d, size_t len, size_t *out_len)
{
    size_t pos = 8;
    while (pos + 12 <= len) {
        uint32_t n = be32(d + pos);
        if (n > len - pos - 12)
            return NULL;
        const unsigned char *c = d + pos + 8;
        if (memcmp(d + pos + 4, "iCCP", 4) == 0) {
            const unsigned char *z = memchr(c, 0, n < 80 ? n : 80);
            if (!z || (size_t)(z - c) + 2 > n || z[1] != 0)
                return NULL;
            uLongf cap = ICC_MAX_BYTES;
            unsigned char *icc = malloc(cap);
            if (!icc)
                return NULL;
            size_t zlen = n - (size_t)(z - c) - 2;
            if (uncompress(icc, &cap, z + 2, (uLong)zlen) != Z_OK) {
                free(icc);
                return NULL;
            }
            *out_len = cap;
            return icc;
        }
        if (memcmp(d + pos + 4, "IDAT", 4) == 0)
            return NULL;
        pos += 12 + (size_t)n;
    }
    return NULL;
}

static unsigned char *webp_icc(const unsigned char *d, size_t len, size_t *out_len)
{
    size_t pos = 12;
    while (pos + 8 <= len) {
        uint32_t n = (uint32_t)d[pos + 4] | (uint32_t)d[pos + 5] << 8 |
                     (uint32_t)d[pos + 6] << 16 | (uint32_t)d[pos + 7] << 24;
        if (n > len - pos - 8)
            return NULL;
        if (memcmp(d + pos, "ICCP", 4) == 0 && n <= ICC_MAX_BYTES) {
            unsigned char *icc = malloc(n ? n : 1);
            if (icc)
                memcpy(icc, d + pos + 8, n);
            *out_len = n;
            return icc;
        }
        pos += 8 + (size_t)n + (n & 1);
    }
    return NULL;
}

unsigned char *icc_profile_find(enum image_format fmt, const unsigned char *d, size_t len,
                                size_t *icc_len)
{
    *icc_len = 0;
    unsigned char *icc = fmt == IMAGE_JPEG   ? jpeg_icc(d, len, icc_len)
                         : fmt == IMAGE_PNG  ? png_icc(d, len, icc_len)
                         : fmt == IMAGE_WEBP ? webp_icc(d, len, icc_len)
                                             : NULL;
    if (icc && *icc_len < 128) { /* shorter than an ICC header: not one */
        free(icc);
        icc = NULL;
        *icc_len = 0;
    }
    return icc;
}

static bool is_srgb(cmsHPROFILE p)
{
    char desc[128] = "";
    cmsGetProfileInfoASCII(p, cmsInfoDescription, "en", "US", desc, sizeof desc);
    return strstr(desc, "sRGB") != NULL;
}

static void lcms_quiet(cmsContext ctx, cmsUInt32Number code, const char *text)
{
    (void)ctx;
    (void)code;
    (void)text;
}

int icc_to_srgb(SDL_Surface *s, const unsigned char *icc, size_t icc_len, struct image_budget *b)
{
    static SDL_atomic_t quiet;
    if (SDL_AtomicCAS(&quiet, 0, 1))
        cmsSetLogErrorHandler(lcms_quiet);
    if (!s || !icc || icc_len < 128 || icc_len > ICC_MAX_BYTES ||
        s->format->format != SDL_PIXELFORMAT_RGBA32)
        return 0;
    cmsHPROFILE in = cmsOpenProfileFromMem(icc, (cmsUInt32Number)icc_len);
    if (!in)
        return 0;
    int r = 0;
    if (cmsGetColorSpace(in) == cmsSigRgbData && !is_srgb(in)) {
        cmsHPROFILE out = cmsCreate_sRGBProfile();
        cmsHTRANSFORM t = out ? cmsCreateTransform(in, TYPE_RGBA_8, out, TYPE_RGBA_8,
                                                   INTENT_PERCEPTUAL, cmsFLAGS_COPY_ALPHA)
                              : NULL;
        if (t) {
            /* In bands of rows, the budget checked between them. */
            r = 1;
            for (int y = 0; y < s->h && r == 1; y += ICC_BAND_ROWS) {
                int n = s->h - y < ICC_BAND_ROWS ? s->h - y : ICC_BAND_ROWS;
                unsigned char *px = (unsigned char *)s->pixels + (size_t)y * (size_t)s->pitch;
                if (image_budget_over(b))
                    r = -1;
                else
                    cmsDoTransformLineStride(t, px, px, (cmsUInt32Number)s->w, (cmsUInt32Number)n,
                                             (cmsUInt32Number)s->pitch, (cmsUInt32Number)s->pitch,
                                             0, 0);
            }
            cmsDeleteTransform(t);
        } else {
            r = -1;
        }
        if (out)
            cmsCloseProfile(out);
    }
    cmsCloseProfile(in);
    return r;
}
