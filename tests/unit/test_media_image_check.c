/* image_check.c (issue 8): every GIF frame and every WebP chunk checked
 * against the pixel budget before a decoder sees it, the JPEG memory
 * estimate of progressive files, and the time budget and cancellation of a
 * libjpeg decode (the progress monitor), through image_load as the loader
 * calls it. The hostile files of the integration test (hostile.py) are
 * built here in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <SDL.h>
#include <jerror.h>

#include "base/limits.h"
#include "media/image_check.h"

#define IMAGES DP_FIXTURES "/images"

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put24(unsigned char *p, unsigned v)
{
    put16(p, v);
    p[2] = (unsigned char)(v >> 16);
}

static void put32(unsigned char *p, uint32_t v)
{
    put24(p, v);
    p[3] = (unsigned char)(v >> 24);
}

/* A GIF with a 10x10 screen and frames of the given sizes; returns its length. */
static size_t make_gif(unsigned char *out, const unsigned (*frames)[2], int n)
{
    size_t pos = 0;
    memcpy(out, "GIF89a", 6);
    put16(out + 6, 10);
    put16(out + 8, 10);
    out[10] = 0x80;
    out[11] = out[12] = 0;
    pos = 13;
    memcpy(out + pos, "\0\0\0\xff\xff\xff", 6);
    pos += 6;
    for (int i = 0; i < n; i++) {
        out[pos++] = 0x21; /* a graphic control extension first */
        memcpy(out + pos, "\xf9\x04\x00\x0a\x00\x00\x00", 7);
        pos += 7;
        out[pos++] = 0x2c;
        put16(out + pos, 0);
        put16(out + pos + 2, 0);
        put16(out + pos + 4, frames[i][0]);
        put16(out + pos + 6, frames[i][1]);
        out[pos + 8] = 0;
        pos += 9;
        memcpy(out + pos, "\x02\x02\x4c\x01\x00", 5);
        pos += 5;
    }
    out[pos++] = 0x3b;
    return pos;
}

static void test_gif_frames(void **state)
{
    (void)state;
    static const struct {
        unsigned frames[3][2];
        int n;
        int want;
        const char *reason;
    } cases[] = {
        {{{10, 10}}, 1, 0, ""},
        {{{30000, 30000}}, 1, -1, "too_large"},                  /* the 66-byte bomb */
        {{{10, 10}, {10, 10}, {40000, 10}}, 3, -1, "too_large"}, /* a later frame */
        {{{6000, 6000}}, 1, 0, ""},                              /* 36 MP: within budget */
        {{{7000, 6000}}, 1, -1, "too_large"},                    /* 42 MP */
        {{{10, 10}, {200, 200}}, 2, 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char buf[256];
        size_t len = make_gif(buf, cases[i].frames, cases[i].n);
        enum dp_reason why = DP_REASON_NONE;
        int rc = image_check_frames(IMAGE_GIF, buf, len, &why);
        if (rc != cases[i].want || strcmp(dp_reason_name(why), cases[i].reason) != 0)
            fail_msg("gif case %zu: rc %d reason \"%s\"", i, rc, &why);
        /* Every prefix is safe (no read past the end) and never refused for
         * a size it did not reach. */
        for (size_t cut = 0; cut < len; cut++)
            (void)image_check_frames(IMAGE_GIF, buf, cut, &why);
    }
}

/* RIFF/WEBP with a VP8X canvas and a VP8L (or ANMF) chunk. */
static size_t make_webp(unsigned char *out, unsigned cw, unsigned ch, unsigned bw, unsigned bh,
                        bool anmf)
{
    size_t pos = 12;
    memcpy(out, "RIFF", 4);
    memcpy(out + 8, "WEBP", 4);
    memcpy(out + pos, "VP8X", 4);
    put32(out + pos + 4, 10);
    memset(out + pos + 8, 0, 10);
    out[pos + 8] = anmf ? 0x02 : 0;
    put24(out + pos + 12, cw - 1);
    put24(out + pos + 15, ch - 1);
    pos += 18;
    size_t anmf_at = pos;
    if (anmf) {
        memcpy(out + pos, "ANMF", 4);
        memset(out + pos + 8, 0, 16);
        put24(out + pos + 14, bw - 1);
        put24(out + pos + 17, bh - 1);
        pos += 24;
    }
    memcpy(out + pos, "VP8L", 4);
    put32(out + pos + 4, 6);
    out[pos + 8] = 0x2f;
    put32(out + pos + 9, (bw - 1) | (bh - 1) << 14);
    out[pos + 13] = 0;
    pos += 14;
    if (anmf)
        put32(out + anmf_at + 4, (uint32_t)(pos - anmf_at - 8));
    put32(out + 4, (uint32_t)(pos - 8));
    return pos;
}

static void test_webp_chunks(void **state)
{
    (void)state;
    static const struct {
        unsigned cw, ch, bw, bh;
        bool anmf;
        int want;
    } cases[] = {
        {16, 16, 16, 16, false, 0},
        {16, 16, 16384, 16384, false, -1}, /* a bitstream larger than its canvas */
        {20000, 20000, 16, 16, false, -1}, /* a 400 MP canvas */
        {100, 100, 50, 50, true, 0},
        {100, 100, 200, 50, true, -1}, /* a frame outside the canvas */
        {4000, 4000, 4000, 4000, true, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char buf[128];
        size_t len = make_webp(buf, cases[i].cw, cases[i].ch, cases[i].bw, cases[i].bh,
                               cases[i].anmf);
        enum dp_reason why = DP_REASON_NONE;
        int rc = image_check_frames(IMAGE_WEBP, buf, len, &why);
        if (rc != cases[i].want)
            fail_msg("webp case %zu: rc %d reason \"%s\"", i, rc, &why);
        for (size_t cut = 0; cut < len; cut++)
            (void)image_check_frames(IMAGE_WEBP, buf, cut, &why);
    }
    /* A chunk that claims to run past the end of the file. */
    unsigned char buf[128];
    size_t len = make_webp(buf, 16, 16, 16, 16, false);
    put32(buf + 30 + 4, 0x7fffffff);
    enum dp_reason why = DP_REASON_NONE;
    assert_int_equal(image_check_frames(IMAGE_WEBP, buf, len, &why), -1);
    assert_int_equal(why, DP_REASON_DECODE_ERROR);
}

/* ---- JPEG: the budget of a libjpeg decode ------------------------------------ */

struct jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
};

static void jerr_exit(j_common_ptr c)
{
    longjmp(((struct jerr *)c->err)->jump, 1);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *d = malloc(1 << 20);
    *len = fread(d, 1, 1 << 20, f);
    fclose(f);
    return d;
}

/* Decodes path with the budget installed; deadline_ms replaces the budget's
 * own when >= 0. Returns whether the budget stopped it. */
static bool decode_with_budget(const char *path, int64_t deadline_ms, bool *refused_early)
{
    size_t len;
    char *data = slurp(path, &len);
    struct jpeg_decompress_struct cinfo;
    struct jerr e;
    struct image_jpeg_budget b;
    volatile bool stopped = false;
    unsigned char *volatile row = NULL; /* freed after a longjmp too */
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = jerr_exit;
    jpeg_create_decompress(&cinfo);
    image_jpeg_budget_install(&cinfo, &b);
    if (deadline_ms >= 0)
        b.time.deadline_ms = deadline_ms;
    if (setjmp(e.jump)) {
        stopped = b.exceeded;
        goto done;
    }
    jpeg_mem_src(&cinfo, (unsigned char *)data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    enum dp_reason why = DP_REASON_NONE;
    *refused_early = image_jpeg_budget_check(&cinfo, &why) < 0;
    jpeg_start_decompress(&cinfo);
    row = malloc((size_t)cinfo.output_width * cinfo.output_components);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[1] = {row};
        jpeg_read_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_decompress(&cinfo);
done:
    free(row);
    jpeg_destroy_decompress(&cinfo);
    free(data);
    return stopped;
}

static void test_jpeg_deadline(void **state)
{
    (void)state;
    bool early = true;
    /* Within its budget, a progressive file decodes. */
    assert_false(decode_with_budget(IMAGES "/rgb-progressive.jpg", -1, &early));
    assert_false(early);
    /* Past its deadline, the monitor stops it (a progressive file is
     * monitored while its scans are read; a baseline one per row). */
    assert_true(decode_with_budget(IMAGES "/rgb-progressive.jpg", 0, &early));
    assert_true(decode_with_budget(IMAGES "/rgb.jpg", 0, &early));
    /* Cancelled (shutdown): stopped too; then decodes run again. */
    image_budget_cancel(true);
    assert_true(decode_with_budget(IMAGES "/rgb.jpg", -1, &early));
    image_budget_cancel(false);
    assert_false(decode_with_budget(IMAGES "/rgb.jpg", -1, &early));
}

static void test_image_load_reasons(void **state)
{
    (void)state;
    SDL_Surface *s = NULL;
    enum dp_reason why = DP_REASON_NONE;
    image_budget_cancel(true);
    assert_int_equal(image_load(IMAGES "/rgb.jpg", 640, 360, &s, &why), -1);
    assert_int_equal(why, DP_REASON_TOO_COSTLY);
    assert_null(s);
    image_budget_cancel(false);
    assert_int_equal(image_load(IMAGES "/rgb.jpg", 640, 360, &s, &why), 0);
    assert_non_null(s);
    SDL_FreeSurface(s);
}

/* The coefficient estimate of a progressive file: a 10000x10000 colour
 * progressive JPEG (600 MB of coefficients) is refused up front; the same
 * size in greyscale (200 MB) fits. Headers only: an SOF2 then an SOS. */
static bool progressive_refused(unsigned w, unsigned h, int comps)
{
    unsigned char d[128];
    size_t p = 0;
    static const unsigned char soi[] = {0xFF, 0xD8};
    memcpy(d, soi, 2);
    p = 2;
    d[p++] = 0xFF;
    d[p++] = 0xC2;
    d[p++] = 0;
    d[p++] = (unsigned char)(8 + 3 * comps);
    d[p++] = 8;
    d[p++] = (unsigned char)(h >> 8);
    d[p++] = (unsigned char)h;
    d[p++] = (unsigned char)(w >> 8);
    d[p++] = (unsigned char)w;
    d[p++] = (unsigned char)comps;
    for (int i = 0; i < comps; i++) {
        d[p++] = (unsigned char)(i + 1);
        d[p++] = 0x11;
        d[p++] = 0;
    }
    d[p++] = 0xFF;
    d[p++] = 0xDA;
    d[p++] = 0;
    d[p++] = 8;
    d[p++] = 1;
    d[p++] = 1;
    d[p++] = 0;
    d[p++] = 0;
    d[p++] = 0;
    d[p++] = 0;
    struct jpeg_decompress_struct cinfo;
    struct jerr e;
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = jerr_exit;
    jpeg_create_decompress(&cinfo);
    volatile bool refused = false;
    if (setjmp(e.jump) == 0) {
        jpeg_mem_src(&cinfo, d, (unsigned long)p);
        jpeg_read_header(&cinfo, TRUE);
        enum dp_reason why = DP_REASON_NONE;
        refused = image_jpeg_budget_check(&cinfo, &why) < 0;
    } else {
        fail_msg("header %ux%u x%d not read", w, h, comps);
    }
    jpeg_destroy_decompress(&cinfo);
    return refused;
}

static void test_jpeg_memory_estimate(void **state)
{
    (void)state;
    assert_true(progressive_refused(10000, 10000, 3));
    assert_false(progressive_refused(10000, 10000, 1));
    assert_false(progressive_refused(6000, 4000, 3)); /* a 24 MP photo: 144 MB */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gif_frames),           cmocka_unit_test(test_webp_chunks),
        cmocka_unit_test(test_jpeg_deadline),        cmocka_unit_test(test_image_load_reasons),
        cmocka_unit_test(test_jpeg_memory_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
