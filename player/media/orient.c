/* Orientation and header details outside JPEG's own EXIF path (issue 10):
 * a WebP's "EXIF" chunk and a PNG's "eXIf" chunk carry the same TIFF block
 * as a JPEG's APP1, which libexif reads once given the "Exif\0\0" header.
 * Phones and editors write both (a WebP with orientation 6 showed
 * sideways, a PNG with orientation 3 upside down). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libexif/exif-data.h>

#include "media/image_formats.h"

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int orient_from_exif(const unsigned char *exif, size_t len)
{
    static const unsigned char head[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (!exif || len < 8 || len > 16 * 1024 * 1024)
        return 1;
    unsigned char *buf = NULL;
    if (memcmp(exif, head, 6) != 0) {
        buf = malloc(len + 6);
        if (!buf)
            return 1;
        memcpy(buf, head, 6);
        memcpy(buf + 6, exif, len);
        exif = buf;
        len += 6;
    }
    ExifData *ed = exif_data_new_from_data(exif, (unsigned)len);
    int o = 1;
    if (ed) {
        ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
        if (e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->size >= 2)
            o = exif_get_short(e->data, exif_data_get_byte_order(ed));
        exif_data_unref(ed);
    }
    free(buf);
    return o >= 1 && o <= 8 ? o : 1;
}

/* PNG: chunks of length, type, data, CRC (checked by image.c already). */
static int png_orientation(const unsigned char *d, size_t len)
{
    size_t pos = 8;
    while (pos + 12 <= len) {
        uint32_t n = be32(d + pos);
        if (n > len - pos - 12)
            return 1;
        if (memcmp(d + pos + 4, "eXIf", 4) == 0)
            return orient_from_exif(d + pos + 8, n);
        if (memcmp(d + pos + 4, "IDAT", 4) == 0 || memcmp(d + pos + 4, "IEND", 4) == 0)
            return 1; /* eXIf must come before the image data */
        pos += 12 + (size_t)n;
    }
    return 1;
}

/* WebP: RIFF chunks of fourcc, little-endian size, data padded to even. */
static int webp_orientation(const unsigned char *d, size_t len)
{
    size_t pos = 12;
    while (pos + 8 <= len) {
        uint32_t n = le32(d + pos + 4);
        if (n > len - pos - 8)
            return 1;
        if (memcmp(d + pos, "EXIF", 4) == 0)
            return orient_from_exif(d + pos + 8, n);
        pos += 8 + (size_t)n + (n & 1);
    }
    return 1;
}

int orient_from_container(enum image_format fmt, const unsigned char *d, size_t len)
{
    if (fmt == IMAGE_PNG && len > 8)
        return png_orientation(d, len);
    if (fmt == IMAGE_WEBP && len > 12)
        return webp_orientation(d, len);
    return 1;
}

int jpeg_precision(const unsigned char *d, size_t len)
{
    size_t pos = 2;
    while (pos + 4 <= len) {
        if (d[pos] != 0xFF)
            return 0;
        unsigned char m = d[pos + 1];
        if (m == 0xFF) { /* fill byte */
            pos++;
            continue;
        }
        size_t seg = (size_t)d[pos + 2] << 8 | d[pos + 3];
        /* SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC)
            return pos + 4 < len ? d[pos + 4] : 0;
        if (m == 0xDA || seg < 2)
            return 0;
        pos += 2 + seg;
    }
    return 0;
}
