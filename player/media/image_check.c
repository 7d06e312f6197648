/* Budgets for still-image decoders: see image_check.h.
 *
 * DESIGN: every check reads the declared sizes only, with every offset
 * bounded by len, so that it costs O(file) and nothing else; a structure
 * cut short is left to the decoder (image.c refuses truncated first frames
 * itself), except where the walk cannot go on safely. */
#include "media/image_check.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <jerror.h>

#include "base/clock.h"
#include "base/limits.h"
#include "media/image_formats.h"

static atomic_bool cancelled;
static _Atomic int64_t budget_ms = -1;

void image_budget_cancel(bool on)
{
    atomic_store(&cancelled, on);
}

void image_budget_set_ms(int64_t ms)
{
    atomic_store(&budget_ms, ms);
}

void image_budget_start(struct image_budget *b)
{
    int64_t ms = atomic_load(&budget_ms);
    b->deadline_ms = dp_mono_ms() + (ms >= 0 ? ms : DP_IMAGE_DECODE_MAX_MS);
    b->over = false;
}

bool image_budget_passed(const struct image_budget *b)
{
    return atomic_load(&cancelled) || (b && dp_mono_ms() >= b->deadline_ms);
}

bool image_budget_over(struct image_budget *b)
{
    if (b && b->over)
        return true;
    bool over = image_budget_passed(b);
    if (b && over)
        b->over = true;
    return over;
}

/* ---- SDL_RWops that stop reading when the budget is over ------------------ */

struct budget_rw {
    const unsigned char *d;
    size_t len, pos;
    struct image_budget *b;
};

static Sint64 brw_size(SDL_RWops *rw)
{
    return (Sint64)((struct budget_rw *)rw->hidden.unknown.data1)->len;
}

static Sint64 brw_seek(SDL_RWops *rw, Sint64 off, int whence)
{
    struct budget_rw *m = rw->hidden.unknown.data1;
    Sint64 base = whence == RW_SEEK_SET   ? 0
                  : whence == RW_SEEK_CUR ? (Sint64)m->pos
                                          : (Sint64)m->len;
    if (off < -base || off > (Sint64)m->len - base)
        return SDL_SetError("seek out of the buffer");
    m->pos = (size_t)(base + off);
    return (Sint64)m->pos;
}

static size_t brw_read(SDL_RWops *rw, void *ptr, size_t size, size_t maxnum)
{
    struct budget_rw *m = rw->hidden.unknown.data1;
    if (size == 0 || maxnum == 0)
        return 0;
    if (maxnum > SIZE_MAX / size)
        maxnum = SIZE_MAX / size;
    if (image_budget_over(m->b)) {
        /* Zeroes too, for a caller that does not look at the count: no
         * chunk, block or deflate stream is valid as all zeroes. */
        memset(ptr, 0, size * maxnum);
        SDL_SetError("decode budget over");
        return 0;
    }
    size_t n = (m->len - m->pos) / size;
    if (n > maxnum)
        n = maxnum;
    memcpy(ptr, m->d + m->pos, n * size);
    m->pos += n * size;
    return n;
}

static size_t brw_write(SDL_RWops *rw, const void *ptr, size_t size, size_t num)
{
    (void)rw;
    (void)ptr;
    (void)size;
    (void)num;
    SDL_SetError("read-only");
    return 0;
}

static int brw_close(SDL_RWops *rw)
{
    SDL_free(rw->hidden.unknown.data1);
    SDL_FreeRW(rw);
    return 0;
}

SDL_RWops *image_budget_rw(const void *d, size_t len, struct image_budget *b)
{
    struct budget_rw *m = SDL_calloc(1, sizeof *m);
    SDL_RWops *rw = m ? SDL_AllocRW() : NULL;
    if (!rw) {
        SDL_free(m);
        return NULL;
    }
    *m = (struct budget_rw){d, len, 0, b};
    rw->size = brw_size;
    rw->seek = brw_seek;
    rw->read = brw_read;
    rw->write = brw_write;
    rw->close = brw_close;
    rw->type = SDL_RWOPS_UNKNOWN;
    rw->hidden.unknown.data1 = m;
    return rw;
}

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}
static unsigned le24(const unsigned char *p)
{
    return le16(p) | (unsigned)p[2] << 16;
}
static uint32_t le32(const unsigned char *p)
{
    return le24(p) | (uint32_t)p[3] << 24;
}

static bool frame_fits(int64_t w, int64_t h)
{
    return w <= DP_IMAGE_MAX_SIDE && h <= DP_IMAGE_MAX_SIDE && w * h <= DP_IMAGE_MAX_PIXELS_FULL;
}

static int refuse(enum dp_reason *why, enum dp_reason r)
{
    *why = r;
    return -1;
}

/* ---- GIF: every image descriptor ------------------------------------------ */

/* Skips the data sub-blocks at *pos; false when they run past the end. */
static bool gif_sub_blocks(const unsigned char *d, size_t len, size_t *pos)
{
    while (*pos < len) {
        size_t n = d[(*pos)++];
        if (n == 0)
            return true;
        if (n > len - *pos)
            return false;
        *pos += n;
    }
    return false;
}

/* The one walk over a GIF's blocks. frame(ctx, w, h), when not NULL, sees
 * each image descriptor before its data; false stops the walk (-1).
 * Returns the frames whose data is all there, counted up to enough; a
 * structure cut short ends the walk. */
static int gif_walk(const unsigned char *d, size_t len, int enough,
                    bool (*frame)(void *ctx, unsigned w, unsigned h), void *ctx)
{
    if (len < 13)
        return 0;
    size_t pos = 13;
    if (d[10] & 0x80)
        pos += 3u * (1u << ((d[10] & 7) + 1)); /* global colour table */
    int whole = 0;
    while (pos < len && whole < enough) {
        unsigned char block = d[pos++];
        if (block == 0x21) { /* extension: label, sub-blocks */
            if (pos >= len)
                break;
            pos++;
            if (!gif_sub_blocks(d, len, &pos))
                break;
        } else if (block == 0x2C) { /* image descriptor */
            if (len - pos < 9)
                break;
            if (frame && !frame(ctx, le16(d + pos + 4), le16(d + pos + 6)))
                return -1;
            unsigned char flags = d[pos + 8];
            pos += 9;
            if (flags & 0x80)
                pos += 3u * (1u << ((flags & 7) + 1));
            if (pos >= len)
                break;
            pos++; /* LZW minimum code size */
            if (!gif_sub_blocks(d, len, &pos))
                break;
            whole++;
        } else {
            break; /* the trailer, or junk after it */
        }
    }
    return whole;
}

int gif_count_frames(const unsigned char *d, size_t len, int enough)
{
    return gif_walk(d, len, enough, NULL, NULL);
}

/* SDL_image allocates each frame's own size, whatever the logical screen
 * says: every frame within the pixel budget, and not too many of them. */
static bool gif_frame_fits(void *ctx, unsigned w, unsigned h)
{
    long *frames = ctx;
    return frame_fits(w, h) && ++*frames <= DP_IMAGE_MAX_FRAMES;
}

static int check_gif(const unsigned char *d, size_t len, enum dp_reason *why)
{
    long frames = 0;
    if (gif_walk(d, len, INT_MAX, gif_frame_fits, &frames) < 0)
        return refuse(why, DP_REASON_TOO_LARGE);
    return 0;
}

/* ---- WebP: every chunk that declares a size ------------------------------ */

/* The size a VP8 or VP8L bitstream declares; false when it is too short. */
static bool webp_bitstream_size(const unsigned char *fourcc, const unsigned char *p, size_t n,
                                int64_t *w, int64_t *h)
{
    if (memcmp(fourcc, "VP8 ", 4) == 0) {
        if (n < 10)
            return false;
        *w = le16(p + 6) & 0x3fff;
        *h = le16(p + 8) & 0x3fff;
        return true;
    }
    if (memcmp(fourcc, "VP8L", 4) == 0) {
        if (n < 5)
            return false;
        uint32_t bits = le32(p + 1);
        *w = (bits & 0x3fff) + 1;
        *h = ((bits >> 14) & 0x3fff) + 1;
        return true;
    }
    return false;
}

/* Walks the chunks of p[0..n) (the file after "RIFF....WEBP", or an ANMF
 * frame's payload); canvas_w/h are 0 until VP8X sets them. */
static int webp_chunks(const unsigned char *p, size_t n, int64_t *canvas_w, int64_t *canvas_h,
                       long *frames, int depth, enum dp_reason *why)
{
    size_t pos = 0;
    while (n - pos >= 8) {
        const unsigned char *cc = p + pos;
        uint32_t size = le32(p + pos + 4);
        pos += 8;
        if (size > n - pos)
            return refuse(why, DP_REASON_DECODE_ERROR); /* a chunk past the end */
        const unsigned char *body = p + pos;
        int64_t w, h;
        if (memcmp(cc, "VP8X", 4) == 0 && depth == 0 && size >= 10) {
            *canvas_w = (int64_t)le24(body + 4) + 1;
            *canvas_h = (int64_t)le24(body + 7) + 1;
            if (!frame_fits(*canvas_w, *canvas_h))
                return refuse(why, DP_REASON_TOO_LARGE);
        } else if (memcmp(cc, "ANMF", 4) == 0 && depth == 0) {
            if (size < 16)
                return refuse(why, DP_REASON_DECODE_ERROR);
            int64_t x = 2 * (int64_t)le24(body), y = 2 * (int64_t)le24(body + 3);
            w = (int64_t)le24(body + 6) + 1;
            h = (int64_t)le24(body + 9) + 1;
            if (++*frames > DP_IMAGE_MAX_FRAMES || !frame_fits(w, h) ||
                (*canvas_w && (x + w > *canvas_w || y + h > *canvas_h)))
                return refuse(why, DP_REASON_TOO_LARGE);
            if (webp_chunks(body + 16, size - 16, canvas_w, canvas_h, frames, 1, why) < 0)
                return -1;
        } else if (webp_bitstream_size(cc, body, size, &w, &h)) {
            if (!frame_fits(w, h) || (*canvas_w && (w > *canvas_w || h > *canvas_h)))
                return refuse(why, DP_REASON_TOO_LARGE);
        }
        pos += size + (size & 1); /* chunks are padded to even */
        if (pos > n)
            break;
    }
    return 0;
}

static int check_webp(const unsigned char *d, size_t len, enum dp_reason *why)
{
    if (len < 12)
        return 0;
    /* The RIFF size bounds the chunks; a file longer than it has junk after. */
    size_t riff = le32(d + 4);
    size_t n = riff >= 4 && riff - 4 <= len - 12 ? riff - 4 : len - 12;
    int64_t cw = 0, ch = 0;
    long frames = 0;
    return webp_chunks(d + 12, n, &cw, &ch, &frames, 0, why);
}

int image_check_frames(enum image_format fmt, const unsigned char *d, size_t len,
                       enum dp_reason *why)
{
    if (fmt == IMAGE_GIF)
        return check_gif(d, len, why);
    if (fmt == IMAGE_WEBP)
        return check_webp(d, len, why);
    return 0;
}

/* ---- JPEG: scans, time and memory ----------------------------------------- */

static void jpeg_progress(j_common_ptr cinfo)
{
    struct image_jpeg_budget *b = (struct image_jpeg_budget *)cinfo->progress;
    bool over = image_budget_over(&b->time);
    if (cinfo->is_decompressor && ((j_decompress_ptr)cinfo)->input_scan_number > DP_JPEG_MAX_SCANS)
        over = true; /* what libjpeg-turbo's djpeg -maxscans and its fuzzers do */
    if (over) {
        b->exceeded = true;
        cinfo->err->msg_code = JERR_BAD_PROGRESSION;
        (*cinfo->err->error_exit)(cinfo);
    }
}

void image_jpeg_budget_install(struct jpeg_decompress_struct *cinfo, struct image_jpeg_budget *b)
{
    memset(b, 0, sizeof *b);
    b->progress.progress_monitor = jpeg_progress;
    image_budget_start(&b->time);
    cinfo->progress = &b->progress;
    /* Beyond this libjpeg would need a backing store, which it has not:
     * the decode fails instead of growing. */
    cinfo->mem->max_memory_to_use = DP_JPEG_MAX_MEMORY;
}

int image_jpeg_budget_check(const struct jpeg_decompress_struct *cinfo, enum dp_reason *why)
{
    if (!jpeg_has_multiple_scans((j_decompress_ptr)cinfo))
        return 0;
    /* One 64-coefficient block of 16-bit values per 8x8 block of each
     * component, for the whole image. */
    int64_t bytes = 0;
    for (int i = 0; i < cinfo->num_components; i++) {
        const jpeg_component_info *c = &cinfo->comp_info[i];
        bytes += (int64_t)c->width_in_blocks * c->height_in_blocks * DCTSIZE2 *
                 (int64_t)sizeof(JCOEF);
    }
    if (bytes > DP_JPEG_MAX_MEMORY)
        return refuse(why, DP_REASON_TOO_LARGE);
    return 0;
}
