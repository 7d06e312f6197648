/* The time budget of a still-image load (issue 8, image_check.c): every
 * decoder image_load uses (libjpeg, SDL_image for PNG, GIF and BMP,
 * libwebp's incremental decoder for stills and first frames, libjxl fed in
 * steps, libheif through its reader) gives up with DP_REASON_TOO_COSTLY
 * when the budget is cancelled (shutdown) or has run out, and decodes the
 * same file once the budget is back. Also the budgeted SDL_RWops itself.
 *
 * The files: the repository's fixtures (tests/fixtures/images/make.sh), a
 * larger PNG and BMP written here with SDL_image, and the HEIC, AVIF and
 * animated WebP of make_image_fixtures.py (skipped, said so, when the
 * tools to make them are missing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <lcms2.h>

#include "media/image.h"
#include "media/image_check.h"
#include "media/image_formats.h"

#define IMAGES DP_FIXTURES "/images"

static char dir[512];

/* A 1600x1200 picture with a pattern that does not compress to nothing. */
static SDL_Surface *pattern(void)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1600, 1200, 32, SDL_PIXELFORMAT_RGBA32);
    assert_non_null(s);
    for (int y = 0; y < s->h; y++) {
        unsigned char *p = (unsigned char *)s->pixels + (size_t)y * (size_t)s->pitch;
        for (int x = 0; x < s->w; x++, p += 4) {
            p[0] = (unsigned char)(x * 7 + y);
            p[1] = (unsigned char)(x ^ y);
            p[2] = (unsigned char)(y * 3);
            p[3] = 255;
        }
    }
    return s;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dp-budget-%d", (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "python3 '%s/tests/unit/make_image_fixtures.py' '%s'", DP_SOURCE_DIR,
             dir);
    if (system(cmd) != 0)
        return -1;
    SDL_Surface *s = pattern();
    char p[600];
    snprintf(p, sizeof p, "%s/big.png", dir);
    int r = IMG_SavePNG(s, p);
    snprintf(p, sizeof p, "%s/big.bmp", dir);
    r |= SDL_SaveBMP(s, p);
    SDL_FreeSurface(s);
    return r == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    image_budget_cancel(false);
    image_budget_set_ms(-1);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Every decoder path of image_load: the file, and whether it is made at
 * test time (in dir) rather than a fixture. */
static const struct {
    const char *name;
    bool made;
} files[] = {
    {"rgb.jpg", false},  {"rgb-progressive.jpg", false},
    {"rgb.png", false},  {"rgba.png", false},
    {"rgb.gif", false},  {"rgb.bmp", false},
    {"rgb.webp", false}, {"orient6.jxl", false},
    {"big.png", true},   {"big.bmp", true},
    {"o6.webp", true},   {"anim.webp", true},
    {"t.heic", true},    {"t.avif", true},
    {"irot.heic", true},
};

/* Loads files[i]: returns image_load's result (the surface freed), or 77
 * when a made file is missing. */
static int load(size_t i, enum dp_reason *why)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", files[i].made ? dir : IMAGES, files[i].name);
    if (access(p, R_OK) != 0) {
        print_message("skip: %s could not be made here\n", files[i].name);
        return 77;
    }
    SDL_Surface *s = NULL;
    int r = image_load(p, 640, 360, &s, why);
    if (r == 0)
        assert_non_null(s);
    else
        assert_null(s);
    SDL_FreeSurface(s);
    return r;
}

/* The two ways a budget ends: the cancel at shutdown, and its time, run
 * out as it starts (a budget of 0 ms). */
static void cancel(bool on)
{
    image_budget_cancel(on);
}

static void no_time(bool on)
{
    image_budget_set_ms(on ? 0 : -1);
}

/* Every file is too_costly with the budget ended by stop, and loads once
 * it is back. */
static void every_file_stopped(void (*stop)(bool on), const char *how)
{
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        enum dp_reason why = DP_REASON_NONE;
        stop(true);
        int r = load(i, &why);
        stop(false);
        if (r == 77)
            continue;
        if (r != -1 || why != DP_REASON_TOO_COSTLY)
            fail_msg("%s, %s: %d, %s", files[i].name, how, r, dp_reason_name(why));
        r = load(i, &why);
        if (r != 0)
            fail_msg("%s, after %s: %s", files[i].name, how, dp_reason_name(why));
    }
}

static void test_cancelled(void **state)
{
    (void)state;
    every_file_stopped(cancel, "cancelled");
}

static void test_deadline_passed(void **state)
{
    (void)state;
    every_file_stopped(no_time, "out of time");
}

/* A damaged file stays a decode_error, whatever the budget. */
static void test_damaged_not_costly(void **state)
{
    (void)state;
    char p[600];
    snprintf(p, sizeof p, "%s/cut.png", dir);
    FILE *in = fopen(IMAGES "/rgb.png", "rb");
    assert_non_null(in);
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    FILE *out = fopen(p, "wb");
    assert_non_null(out);
    fwrite(buf, 1, n / 2, out);
    fclose(out);
    SDL_Surface *s = NULL;
    enum dp_reason why = DP_REASON_NONE;
    assert_int_equal(image_load(p, 640, 360, &s, &why), -1);
    assert_int_equal(why, DP_REASON_DECODE_ERROR);
}

/* A budget that runs out while the decoder works: 2 ms is far less than
 * libpng needs for 1600x1200 pixels (tens of ms), so the stop comes from a
 * check during the decode, not from one before it. */
static void test_runs_out_midway(void **state)
{
    (void)state;
    image_budget_set_ms(2);
    enum dp_reason why = DP_REASON_NONE;
    int r = load(8, &why); /* big.png */
    image_budget_set_ms(-1);
    assert_string_equal(files[8].name, "big.png");
    assert_int_equal(r, -1);
    assert_int_equal(why, DP_REASON_TOO_COSTLY);
}

/* The colour transform stops between its bands of rows. */
static void test_icc_stops(void **state)
{
    (void)state;
    cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
    cmsCIExyYTRIPLE wide = {{0.64, 0.33, 1.0}, {0.21, 0.71, 1.0}, {0.15, 0.06, 1.0}};
    cmsToneCurve *g = cmsBuildGamma(NULL, 2.2);
    cmsToneCurve *curves[3] = {g, g, g};
    cmsHPROFILE prof = cmsCreateRGBProfile(&d65, &wide, curves);
    cmsFreeToneCurve(g);
    static unsigned char icc[8192];
    cmsUInt32Number n = sizeof icc;
    assert_true(cmsSaveProfileToMem(prof, icc, &n));
    cmsCloseProfile(prof);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 64, 256, 32, SDL_PIXELFORMAT_RGBA32);
    assert_non_null(s);
    SDL_FillRect(s, NULL, SDL_MapRGBA(s->format, 60, 160, 90, 255));
    struct image_budget b;
    image_budget_start(&b);
    image_budget_cancel(true);
    assert_int_equal(icc_to_srgb(s, icc, n, &b), -1);
    image_budget_cancel(false);
    const unsigned char *px = s->pixels;
    assert_int_equal(px[1], 160); /* left as it was */
    image_budget_start(&b);
    assert_int_equal(icc_to_srgb(s, icc, n, &b), 1);
    assert_int_not_equal(px[1], 160); /* converted */
    SDL_FreeSurface(s);
}

static void test_budget_rw(void **state)
{
    (void)state;
    static const unsigned char data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    struct image_budget b;
    image_budget_start(&b);
    SDL_RWops *rw = image_budget_rw(data, sizeof data, &b);
    assert_non_null(rw);
    unsigned char got[8];
    assert_int_equal(SDL_RWsize(rw), 10);
    assert_int_equal(SDL_RWread(rw, got, 4, 1), 1);
    assert_memory_equal(got, data, 4);
    assert_int_equal(SDL_RWseek(rw, 8, RW_SEEK_SET), 8);
    assert_int_equal(SDL_RWread(rw, got, 1, 8), 2); /* only two left */
    assert_int_equal(SDL_RWseek(rw, -3, RW_SEEK_END), 7);
    assert_true(SDL_RWseek(rw, 1, RW_SEEK_END) < 0);
    assert_int_equal(SDL_RWwrite(rw, data, 1, 1), 0);
    assert_false(b.over);
    image_budget_cancel(true);
    memset(got, 0xAA, sizeof got);
    assert_int_equal(SDL_RWread(rw, got, 1, 3), 0);
    static const unsigned char zero[3];
    assert_memory_equal(got, zero, 3); /* zeroed, for a caller that reads on */
    assert_true(b.over);
    image_budget_cancel(false);
    assert_true(image_budget_over(&b)); /* sticky: that load is over */
    image_budget_start(&b);
    assert_false(image_budget_over(&b));
    SDL_RWclose(rw);
    assert_true(image_budget_over(NULL) == false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancelled),          cmocka_unit_test(test_deadline_passed),
        cmocka_unit_test(test_damaged_not_costly), cmocka_unit_test(test_runs_out_midway),
        cmocka_unit_test(test_icc_stops),          cmocka_unit_test(test_budget_rw),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
