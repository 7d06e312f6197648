/* The formats and containers of issue 10: orientation from WebP and PNG,
 * HEIC and AVIF, JPEG XL, ICC profiles, animated GIF and WebP, 12-bit JPEG,
 * upscale_max. Fixtures are made at test time (make_image_fixtures.py with
 * ImageMagick and ffmpeg; JPEG XL and the ICC profile here, with libjxl and
 * lcms2); a case whose fixture could not be made is skipped, said so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jxl/encode.h>
#include <lcms2.h>

#include "base/fileio.h"
#include "media/image.h"
#include "media/video.h"

static char dir[512];

static void path_of(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static bool have(const char *name)
{
    char p[600];
    path_of(p, sizeof p, name);
    if (access(p, R_OK) == 0)
        return true;
    print_message("skip: %s could not be made here\n", name);
    return false;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dp-formats-%d", (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "python3 '%s/tests/unit/make_image_fixtures.py' '%s'", DP_SOURCE_DIR,
             dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

struct rgb {
    int r, g, b;
};

static struct rgb at(const SDL_Surface *s, double fx, double fy)
{
    int x = (int)(fx * (s->w - 1)), y = (int)(fy * (s->h - 1));
    const unsigned char *p = (const unsigned char *)s->pixels + (size_t)y * s->pitch + 4 * x;
    return (struct rgb){p[0], p[1], p[2]};
}

static bool near(struct rgb a, struct rgb b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

static SDL_Surface *load(const char *name, int bw, int bh, double cap, enum dp_reason *reason)
{
    char p[600];
    path_of(p, sizeof p, name);
    SDL_Surface *s = NULL;
    if (image_load_capped(p, bw, bh, cap, &s, reason) < 0)
        return NULL;
    return s;
}

static const struct rgb RED = {255, 0, 0}, BLUE = {0, 0, 255};

/* Each file shows the base picture (red left, blue right, 2:1) upright,
 * whatever its container and the turn it was stored with. */
static const struct {
    const char *name;
    int tol;
} upright[] = {
    {"o6.webp", 8}, /* EXIF orientation 6 in a WebP: stored turned */
    {"o3.png", 8},  /* eXIf orientation 3 in a PNG: stored upside down */
    {"t.heic", 40}, /* lossy: the colours are near, not exact */
    {"t.avif", 40}, {"t.jxl", 8}, {"irot.heic", 40}, /* stored turned, with an irot box */
};

static void test_upright(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof upright / sizeof upright[0]; i++) {
        if (!have(upright[i].name))
            continue;
        enum dp_reason reason = DP_REASON_NONE;
        SDL_Surface *s = load(upright[i].name, 640, 640, 0, &reason);
        if (!s)
            fail_msg("%s: refused (%s)", upright[i].name, dp_reason_name(reason));
        if (s->w != 640 || s->h != 320)
            fail_msg("%s: %dx%d, not 640x320 (upright 2:1)", upright[i].name, s->w, s->h);
        struct rgb l = at(s, 0.1, 0.5), r = at(s, 0.9, 0.5);
        if (!near(l, RED, upright[i].tol) || !near(r, BLUE, upright[i].tol))
            fail_msg("%s: left %d,%d,%d right %d,%d,%d: not red | blue", upright[i].name, l.r, l.g,
                     l.b, r.r, r.g, r.b);
        SDL_FreeSurface(s);
    }
}

/* JPEG XL: the base picture, encoded here with libjxl (no cjxl in Debian's
 * libjxl-dev), stored turned left (orientation 6) to check the decoder
 * turns it back. */
static void make_jxl(void)
{
    const int w = 32, h = 64; /* stored turned left: blue on top */
    unsigned char *px = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *p = px + 3 * ((size_t)y * w + x);
            bool top = y < h / 2;
            p[0] = top ? 0 : 255;
            p[1] = 0;
            p[2] = top ? 255 : 0;
        }
    JxlEncoder *enc = JxlEncoderCreate(NULL);
    JxlBasicInfo info;
    JxlEncoderInitBasicInfo(&info);
    info.xsize = w;
    info.ysize = h;
    info.bits_per_sample = 8;
    info.uses_original_profile = JXL_TRUE;
    /* Orientation 6: turned 90 degrees clockwise to show, the stored top
     * (blue) goes right. */
    info.orientation = JXL_ORIENT_ROTATE_90_CW;
    JxlColorEncoding c;
    JxlColorEncodingSetToSRGB(&c, JXL_FALSE);
    JxlPixelFormat pf = {3, JXL_TYPE_UINT8, JXL_NATIVE_ENDIAN, 0};
    JxlEncoderFrameSettings *fs = JxlEncoderFrameSettingsCreate(enc, NULL);
    bool ok = JxlEncoderSetBasicInfo(enc, &info) == JXL_ENC_SUCCESS &&
              JxlEncoderSetColorEncoding(enc, &c) == JXL_ENC_SUCCESS &&
              JxlEncoderSetFrameLossless(fs, JXL_TRUE) == JXL_ENC_SUCCESS &&
              JxlEncoderAddImageFrame(fs, &pf, px, (size_t)w * h * 3) == JXL_ENC_SUCCESS;
    JxlEncoderCloseInput(enc);
    unsigned char out[65536];
    uint8_t *next = out;
    size_t avail = sizeof out;
    ok = ok && JxlEncoderProcessOutput(enc, &next, &avail) == JXL_ENC_SUCCESS;
    if (ok) {
        char p[600];
        path_of(p, sizeof p, "t.jxl");
        FILE *f = fopen(p, "wb");
        fwrite(out, 1, (size_t)(next - out), f);
        fclose(f);
    }
    JxlEncoderDestroy(enc);
    free(px);
}

/* A JPEG tagged with a wide-gamut profile (Adobe RGB (1998) primaries,
 * gamma 2.2, made with lcms2) shows different, corrected colours from the
 * same JPEG untagged; one tagged sRGB shows the same. */
static size_t adobe_rgb_profile(unsigned char *buf, size_t cap, bool srgb)
{
    cmsHPROFILE p;
    if (srgb) {
        p = cmsCreate_sRGBProfile();
    } else {
        cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
        cmsCIExyYTRIPLE prim = {{0.64, 0.33, 1.0}, {0.21, 0.71, 1.0}, {0.15, 0.06, 1.0}};
        cmsToneCurve *g = cmsBuildGamma(NULL, 2.2);
        cmsToneCurve *curves[3] = {g, g, g};
        p = cmsCreateRGBProfile(&d65, &prim, curves);
        cmsFreeToneCurve(g);
        cmsMLU *mlu = cmsMLUalloc(NULL, 1);
        cmsMLUsetASCII(mlu, "en", "US", "Adobe RGB (1998) compatible");
        cmsWriteTag(p, cmsSigProfileDescriptionTag, mlu);
        cmsMLUfree(mlu);
    }
    cmsUInt32Number n = (cmsUInt32Number)cap;
    bool ok = cmsSaveProfileToMem(p, buf, &n);
    cmsCloseProfile(p);
    return ok ? n : 0;
}

static bool jpeg_with_icc(const char *src, const char *dst, const unsigned char *icc, size_t n)
{
    char *d;
    size_t len;
    if (dp_read_file(src, 1 << 20, &d, &len) < 0)
        return false;
    FILE *f = fopen(dst, "wb");
    size_t seg = 2 + 12 + 2 + n;
    unsigned char head[18] = {0xFF, 0xE2, (unsigned char)(seg >> 8), (unsigned char)seg};
    memcpy(head + 4, "ICC_PROFILE\0", 12);
    head[16] = 1;
    head[17] = 1;
    fwrite(d, 1, 2, f);
    fwrite(head, 1, sizeof head, f);
    fwrite(icc, 1, n, f);
    fwrite(d + 2, 1, len - 2, f);
    fclose(f);
    free(d);
    return true;
}

static void test_icc(void **state)
{
    (void)state;
    char plain[600], cmd[1400];
    path_of(plain, sizeof plain, "colour.jpg");
    snprintf(cmd, sizeof cmd,
             "/usr/bin/convert -size 64x64 'xc:rgb(60,160,90)' -quality 95 "
             "'%s' >/dev/null 2>&1",
             plain);
    if (system(cmd) != 0) {
        print_message("skip: no ImageMagick\n");
        return;
    }
    static unsigned char icc[8192];
    for (int srgb = 0; srgb <= 1; srgb++) {
        size_t n = adobe_rgb_profile(icc, sizeof icc, srgb);
        assert_true(n > 128);
        char tagged[600];
        path_of(tagged, sizeof tagged, srgb ? "srgb.jpg" : "adobe.jpg");
        assert_true(jpeg_with_icc(plain, tagged, icc, n));
        enum dp_reason reason = DP_REASON_NONE;
        SDL_Surface *a = load("colour.jpg", 64, 64, 0, &reason);
        SDL_Surface *b = load(srgb ? "srgb.jpg" : "adobe.jpg", 64, 64, 0, &reason);
        assert_non_null(a);
        assert_non_null(b);
        struct rgb pa = at(a, 0.5, 0.5), pb = at(b, 0.5, 0.5);
        print_message("%s: %d,%d,%d -> %d,%d,%d\n", srgb ? "sRGB" : "Adobe RGB", pa.r, pa.g, pa.b,
                      pb.r, pb.g, pb.b);
        if (srgb)
            assert_true(near(pa, pb, 1));
        else /* Adobe RGB's green is wider: the same numbers are greener in sRGB */
            assert_true(!near(pa, pb, 10) && pb.g > pa.g && pb.r < pa.r);
        SDL_FreeSurface(a);
        SDL_FreeSurface(b);
    }
}

static void test_small_not_blown_up(void **state)
{
    (void)state;
    static const struct {
        double cap;
        int w, h;
    } cases[] = {{2, 200, 136}, {1, 100, 68}, {0, 1588, 1080}, {64, 1588, 1080}};
    if (!have("small.png"))
        return;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum dp_reason reason = DP_REASON_NONE;
        SDL_Surface *s = load("small.png", 1920, 1080, cases[i].cap, &reason);
        assert_non_null(s);
        if (s->w != cases[i].w || s->h != cases[i].h)
            fail_msg("cap %g: %dx%d, want %dx%d", cases[i].cap, s->w, s->h, cases[i].w,
                     cases[i].h);
        SDL_FreeSurface(s);
    }
}

static void test_twelve_bit(void **state)
{
    (void)state;
    if (!have("p12.jpg"))
        return;
    enum dp_reason reason = DP_REASON_NONE;
    SDL_Surface *s = load("p12.jpg", 64, 64, 0, &reason);
    assert_null(s);
    assert_int_equal(reason, DP_REASON_UNSUPPORTED);
}

static void test_animations(void **state)
{
    (void)state;
    char p[600];
    static const char *const anims[] = {"anim.gif", "anim.webp"};
    for (size_t i = 0; i < 2; i++) {
        if (!have(anims[i]))
            continue;
        path_of(p, sizeof p, anims[i]);
        assert_true(image_is_animated(p));
        struct video_opts o;
        video_opts_defaults(&o);
        o.audio = false;
        o.repeat = true;
        o.max_duration_ms = 60000;
        char err[256];
        struct video *v = video_open(p, &o, NULL, err, sizeof err);
        if (!v)
            fail_msg("%s as video: %s", anims[i], err);
        int w, h, rot;
        video_get_size(v, &w, &h, &rot);
        assert_int_equal(w, 64);
        assert_int_equal(h, 64);
        video_close(v);
    }
    path_of(p, sizeof p, "base.png");
    assert_false(image_is_animated(p));
    if (have("anim.webp")) {
        /* Was a decode_error: now its first frame (red). */
        enum dp_reason reason = DP_REASON_NONE;
        SDL_Surface *s = load("anim.webp", 64, 64, 0, &reason);
        if (!s)
            fail_msg("animated WebP refused: %s", dp_reason_name(reason));
        assert_true(near(at(s, 0.5, 0.5), RED, 8));
        SDL_FreeSurface(s);
    }
}

/* Cut or damaged files of the new formats are refused whole, never shown
 * partly and never a crash. */
static void test_damaged(void **state)
{
    (void)state;
    static const char *const names[] = {"t.heic", "t.avif", "t.jxl", "anim.webp", "o6.webp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!have(names[i]))
            continue;
        char p[600], q[620], *d;
        size_t len;
        path_of(p, sizeof p, names[i]);
        assert_int_equal(dp_read_file(p, 1 << 20, &d, &len), 0);
        for (int cut = 0; cut < 3; cut++) {
            snprintf(q, sizeof q, "%s.cut%d", p, cut);
            size_t n = cut == 0 ? len / 2 : cut == 1 ? len - 9 : 40;
            FILE *f = fopen(q, "wb");
            fwrite(d, 1, n, f);
            fclose(f);
            enum dp_reason reason = DP_REASON_NONE;
            SDL_Surface *s = NULL;
            int r = image_load_capped(q, 320, 240, 2, &s, &reason);
            if (r == 0)
                fail_msg("%s cut to %zu bytes: shown", names[i], n);
            assert_true(reason != DP_REASON_NONE);
        }
        free(d);
    }
}

static void test_sniff(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum image_format fmt;
    } t[] = {{"t.heic", IMAGE_HEIF},
             {"t.avif", IMAGE_HEIF},
             {"t.jxl", IMAGE_JXL},
             {"o6.webp", IMAGE_WEBP},
             {"o3.png", IMAGE_PNG}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (!have(t[i].name))
            continue;
        char p[600], *d;
        size_t len;
        path_of(p, sizeof p, t[i].name);
        assert_int_equal(dp_read_file(p, 1 << 20, &d, &len), 0);
        int w, h;
        assert_int_equal(image_sniff((unsigned char *)d, len, &w, &h), t[i].fmt);
        free(d);
    }
}

int main(void)
{
    setenv("SDL_VIDEODRIVER", "offscreen", 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),      cmocka_unit_test(test_upright),
        cmocka_unit_test(test_icc),        cmocka_unit_test(test_small_not_blown_up),
        cmocka_unit_test(test_twelve_bit), cmocka_unit_test(test_animations),
        cmocka_unit_test(test_damaged),
    };
    if (setup(NULL) != 0)
        return 1;
    make_jxl();
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    teardown(NULL);
    return r;
}
