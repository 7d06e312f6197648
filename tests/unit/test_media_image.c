/* image.c: sniffing, fitting, decoding of every format with its colours and
 * EXIF orientation, refusal of bad inputs (truncated, not an image, a header
 * claiming huge sizes), memory use of a large JPEG, and the PngSuite and
 * crasher corpora from ../shared/corpus.
 *
 * Fixtures: tests/fixtures/images (see make.sh there). The upright picture
 * is 80x60: top half red, bottom half blue, a green square in the middle and
 * a white mark at the top left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>

#include "media/image.h"

#define IMAGES DP_FIXTURES "/images"
#define BAD IMAGES "/bad"

static char tmp_dir[512];

/* ---- helpers ------------------------------------------------------------------ */

struct rgba {
    int r, g, b, a;
};

static const struct rgba RED = {255, 0, 0, 255}, BLUE = {0, 0, 255, 255}, GREEN = {0, 255, 0, 255},
                         WHITE = {255, 255, 255, 255};

/* The pixel at fractions (fx, fy) of the surface. */
static struct rgba pixel_at(const SDL_Surface *s, double fx, double fy)
{
    int x = (int)(fx * s->w), y = (int)(fy * s->h);
    if (x >= s->w)
        x = s->w - 1;
    if (y >= s->h)
        y = s->h - 1;
    const unsigned char *p = (const unsigned char *)s->pixels + (size_t)y * s->pitch + 4 * x;
    return (struct rgba){p[0], p[1], p[2], p[3]};
}

static void assert_colour(const SDL_Surface *s, double fx, double fy, struct rgba want,
                          int tolerance, const char *what)
{
    struct rgba got = pixel_at(s, fx, fy);
    if (abs(got.r - want.r) > tolerance || abs(got.g - want.g) > tolerance ||
        abs(got.b - want.b) > tolerance || abs(got.a - want.a) > tolerance) {
        print_error("%s at (%.2f, %.2f) of %dx%d: got %d,%d,%d,%d want %d,%d,%d,%d\n", what, fx,
                    fy, s->w, s->h, got.r, got.g, got.b, got.a, want.r, want.g, want.b, want.a);
        fail();
    }
}

/* The upright test picture, whatever the output size. */
static void assert_upright(const SDL_Surface *s, int tolerance, const char *what)
{
    assert_int_equal(s->format->format, SDL_PIXELFORMAT_RGBA32);
    assert_colour(s, 0.5, 0.5, GREEN, tolerance, what);
    assert_colour(s, 0.85, 0.15, RED, tolerance, what);
    assert_colour(s, 0.5, 0.85, BLUE, tolerance, what);
    assert_colour(s, 0.15, 0.85, BLUE, tolerance, what);
    assert_colour(s, 0.15, 0.2, WHITE, tolerance, what); /* the mark: top left */
    assert_colour(s, 0.85, 0.85, BLUE, tolerance, what);
}

static void tmp_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmp_dir, name);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    unsigned char *d = malloc((size_t)n + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return d;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static uint32_t crc32_png(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A PNG signature and a valid IHDR (correct CRC) claiming w x h, then
 * garbage_len bytes of garbage. Returns the length written into buf. */
static size_t craft_png(unsigned char *buf, uint32_t w, uint32_t h, size_t garbage_len)
{
    memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
    put_be32(buf + 8, 13);
    memcpy(buf + 12, "IHDR", 4);
    put_be32(buf + 16, w);
    put_be32(buf + 20, h);
    memcpy(buf + 24, "\x08\x06\x00\x00\x00", 5); /* 8-bit RGBA, no interlace */
    put_be32(buf + 29, crc32_png(buf + 12, 17));
    uint32_t x = 12345;
    for (size_t i = 0; i < garbage_len; i++) {
        x = x * 1103515245u + 12345u;
        buf[33 + i] = (unsigned char)(x >> 16);
    }
    return 33 + garbage_len;
}

static int setup(void **state)
{
    (void)state;
    if (SDL_Init(0) != 0)
        return -1;
    IMG_Init(IMG_INIT_JPG | IMG_INIT_PNG | IMG_INIT_WEBP);
    snprintf(tmp_dir, sizeof tmp_dir, "%s/test_media_image.%d", DP_BUILD_DIR, (int)getpid());
    if (mkdir(tmp_dir, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(tmp_dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char p[1024];
            snprintf(p, sizeof p, "%s/%s", tmp_dir, e->d_name);
            unlink(p);
        }
        closedir(d);
        rmdir(tmp_dir);
    }
    IMG_Quit();
    SDL_Quit();
    return 0;
}

/* ---- a large JPEG: downscaled in the decoder, memory bounded -------------------- */

static void test_large_jpeg(void **state)
{
    (void)state;
    char path[1024], cmd[4096];
    tmp_path(path, sizeof path, "large.jpg");
    snprintf(cmd, sizeof cmd,
             "convert -size 6000x4000 gradient:red-blue -quality 90 '%s' >/dev/null 2>&1 || "
             "ffmpeg -v error -y -f lavfi -i 'gradients=s=6000x4000:c0=red:c1=blue:x0=0:y0=0:"
             "x1=0:y1=3999:nb_colors=2' -frames:v 1 -q:v 3 '%s' >/dev/null 2>&1",
             path, path);
    if (system(cmd) != 0) {
        print_message("neither convert nor ffmpeg could make a 6000x4000 JPEG\n");
        skip();
    }
    size_t len;
    unsigned char *d = read_all(path, &len);
    int w, h;
    assert_int_equal(image_sniff(d, len, &w, &h), IMAGE_JPEG);
    free(d);

    long before = max_rss_kb();
    double t0 = now_ms();
    SDL_Surface *s = NULL;
    enum dp_reason why = DP_REASON_NONE;
    int r = image_load(path, 1920, 1080, &s, &why);
    double t1 = now_ms();
    long after = max_rss_kb();
    assert_int_equal(r, 0);
    assert_non_null(s);
    assert_int_equal(s->w, 1620);
    assert_int_equal(s->h, 1080);
    assert_colour(s, 0.5, 0.02, RED, 40, "large top");
    assert_colour(s, 0.5, 0.98, BLUE, 40, "large bottom");
    SDL_FreeSurface(s);
    print_message("6000x4000 JPEG (%zu bytes) into 1920x1080: %.0f ms, max RSS %ld -> %ld KB "
                  "(+%ld KB; full size RGBA would be 93750 KB)\n",
                  len, t1 - t0, before, after, after - before);
    /* never held at full resolution: 96 MB would be the full RGBA image */
    assert_true(after - before < 80L * 1024);
    unlink(path);
}

/* ---- image_sniff ----------------------------------------------------------------- */

static const struct {
    const char *name;
    unsigned char head[40];
    size_t len;
    enum image_format fmt;
    int w, h;
} sniff_cases[] = {
    {"jpeg jfif", {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F'}, 32, IMAGE_JPEG, 0, 0},
    {"jpeg exif", {0xFF, 0xD8, 0xFF, 0xE1, 0, 16, 'E', 'x', 'i', 'f'}, 32, IMAGE_JPEG, 0, 0},
    {"jpeg short", {0xFF, 0xD8, 0xFF}, 3, IMAGE_JPEG, 0, 0},
    {"png 640x480",
     {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0,    13, 'I',
      'H',  'D', 'R', 0,   0,    2,    0x80, 0,    0, 1, 0xE0, 8,  6},
     32,
     IMAGE_PNG,
     640,
     480},
    {"png 30000x30000",
     {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0,    0,    13, 'I',
      'H',  'D', 'R', 0,   0,    0x75, 0x30, 0,    0, 0x75, 0x30, 8,  6},
     32,
     IMAGE_PNG,
     30000,
     30000},
    {"png 2^31+ clamped",
     {0x89, 'P', 'N', 'G',  '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I',
      'H',  'D', 'R', 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 0, 8,  6},
     32,
     IMAGE_PNG,
     0x7fffffff,
     0x7fffffff},
    {"png without IHDR first",
     {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 4, 'g', 'A', 'M', 'A'},
     32,
     IMAGE_UNKNOWN,
     0,
     0},
    {"png too short", {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, 8, IMAGE_UNKNOWN, 0, 0},
    {"gif89a 320x200",
     {'G', 'I', 'F', '8', '9', 'a', 0x40, 0x01, 0xC8, 0x00},
     32,
     IMAGE_GIF,
     320,
     200},
    {"gif87a 1x65535", {'G', 'I', 'F', '8', '7', 'a', 1, 0, 0xFF, 0xFF}, 32, IMAGE_GIF, 1, 65535},
    {"gif90a", {'G', 'I', 'F', '9', '0', 'a', 1, 0, 1, 0}, 32, IMAGE_UNKNOWN, 0, 0},
    /* RIFF size WEBP "VP8 " size, frame tag (3), start code 9d 01 2a, w, h (14 bits) */
    {"webp lossy 640x480",
     {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W',  'E',  'B',  'P',  'V',  'P',  '8',
      ' ', 0,   0,   0,   0, 0, 0, 0, 0x9D, 0x01, 0x2A, 0x80, 0x42, 0xE0, 0x01},
     32,
     IMAGE_WEBP,
     640,
     480},
    /* "VP8L" size, 0x2f, then (w-1) | (h-1) << 14: 100x50 */
    {"webp lossless 100x50",
     {'R', 'I', 'F', 'F', 0, 0, 0, 0,    'W',  'E',  'B',  'P', 'V',
      'P', '8', 'L', 0,   0, 0, 0, 0x2F, 0x63, 0x40, 0x0C, 0x00},
     32,
     IMAGE_WEBP,
     100,
     50},
    /* "VP8X" size, flags (4), canvas w-1 (24 bits), h-1 (24 bits): 4000x3000 */
    {"webp extended 4000x3000",
     {'R', 'I', 'F', 'F', 0, 0,    0, 0, 'W', 'E',  'B',  'P',  'V',  'P',  '8',
      'X', 10,  0,   0,   0, 0x10, 0, 0, 0,   0x9F, 0x0F, 0x00, 0xB7, 0x0B, 0x00},
     32,
     IMAGE_WEBP,
     4000,
     3000},
    {"riff wave", {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'}, 32, IMAGE_UNKNOWN, 0, 0},
    {"bmp 80x60", {'B', 'M', [18] = 80, [22] = 60}, 32, IMAGE_BMP, 80, 60},
    {"bmp top-down", {'B', 'M', [18] = 80, [22] = 0xC4, 0xFF, 0xFF, 0xFF}, 32, IMAGE_BMP, 80, 60},
    {"html", "<!DOCTYPE html><html><head><title>x", 32, IMAGE_UNKNOWN, 0, 0},
    {"json", "{\"version\": \"https://jsonfeed.org/", 32, IMAGE_UNKNOWN, 0, 0},
    {"empty", {0}, 0, IMAGE_UNKNOWN, 0, 0},
    {"zeros", {0}, 32, IMAGE_UNKNOWN, 0, 0},
};

static void test_sniff_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof sniff_cases / sizeof sniff_cases[0]; k++) {
        int w = -1, h = -1;
        enum image_format f = image_sniff(sniff_cases[k].head, sniff_cases[k].len, &w, &h);
        if (f != sniff_cases[k].fmt || w != sniff_cases[k].w || h != sniff_cases[k].h)
            print_error("%s: format %d %dx%d, want %d %dx%d\n", sniff_cases[k].name, f, w, h,
                        sniff_cases[k].fmt, sniff_cases[k].w, sniff_cases[k].h);
        assert_int_equal(f, sniff_cases[k].fmt);
        assert_int_equal(w, sniff_cases[k].w);
        assert_int_equal(h, sniff_cases[k].h);
    }
}

static const struct {
    const char *file;
    enum image_format fmt;
    int w, h; /* from the header; JPEG: 0x0 */
} sniff_files[] = {
    {"rgb.png", IMAGE_PNG, 80, 60},          {"rgba.png", IMAGE_PNG, 80, 60},
    {"rgb.gif", IMAGE_GIF, 80, 60},          {"rgb.webp", IMAGE_WEBP, 80, 60},
    {"rgb.bmp", IMAGE_BMP, 80, 60},          {"rgb.jpg", IMAGE_JPEG, 0, 0},
    {"exif-orient-6.jpg", IMAGE_JPEG, 0, 0}, {"bad/html.jpg", IMAGE_UNKNOWN, 0, 0},
};

static void test_sniff_fixtures(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof sniff_files / sizeof sniff_files[0]; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", IMAGES, sniff_files[k].file);
        size_t len;
        unsigned char *d = read_all(path, &len);
        int w, h;
        assert_int_equal(image_sniff(d, len, &w, &h), sniff_files[k].fmt);
        assert_int_equal(w, sniff_files[k].w);
        assert_int_equal(h, sniff_files[k].h);
        free(d);
    }
}

/* ---- image_fit ------------------------------------------------------------------- */

static const struct {
    int src_w, src_h, box_w, box_h, w, h;
} fit_cases[] = {
    {6000, 4000, 1920, 1080, 1620, 1080},
    {4000, 6000, 1920, 1080, 720, 1080},
    {1920, 1080, 1920, 1080, 1920, 1080},
    {1280, 720, 1920, 1080, 1920, 1080}, /* scaled up */
    {3840, 2160, 1920, 1080, 1920, 1080},
    {100, 100, 1920, 1080, 1080, 1080},
    {800, 600, 1080, 1920, 1080, 810},  /* portrait screen */
    {1000, 333, 1920, 1080, 1920, 639}, /* 639.36 */
    {1000, 334, 1920, 1080, 1920, 641}, /* 641.28 */
    {3, 2, 1920, 1080, 1620, 1080},
    {1, 10000, 1920, 1080, 1, 1080}, /* never 0 wide */
    {10000, 1, 1920, 1080, 1920, 1},
    {30000, 30000, 3840, 2160, 2160, 2160},
    {30000, 1, 30000, 30000, 30000, 1},
    {80, 60, 200, 100, 133, 100}, /* 133.3 */
    {80, 60, 40, 30, 40, 30},
    {0, 100, 1920, 1080, 0, 0},
    {100, 0, 1920, 1080, 0, 0},
    {100, 100, 0, 1080, 0, 0},
    {100, 100, 1920, -1, 0, 0},
    {-5, 100, 1920, 1080, 0, 0},
};

static void test_fit_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof fit_cases / sizeof fit_cases[0]; k++) {
        int w = -7, h = -7;
        image_fit(fit_cases[k].src_w, fit_cases[k].src_h, fit_cases[k].box_w, fit_cases[k].box_h,
                  &w, &h);
        if (w != fit_cases[k].w || h != fit_cases[k].h)
            print_error("%dx%d in %dx%d: %dx%d, want %dx%d\n", fit_cases[k].src_w,
                        fit_cases[k].src_h, fit_cases[k].box_w, fit_cases[k].box_h, w, h,
                        fit_cases[k].w, fit_cases[k].h);
        assert_int_equal(w, fit_cases[k].w);
        assert_int_equal(h, fit_cases[k].h);
        if (w > 0) {
            assert_true(w <= fit_cases[k].box_w && h <= fit_cases[k].box_h);
            /* one side touches the box */
            assert_true(w == fit_cases[k].box_w || h == fit_cases[k].box_h);
        }
    }
}

/* ---- decoding -------------------------------------------------------------------- */

static const struct {
    const char *file;
    int tolerance;
} load_files[] = {
    {"rgb.png", 2}, {"rgb.gif", 2},  {"rgb.webp", 2},
    {"rgb.bmp", 2}, {"rgb.jpg", 40}, {"rgb-progressive.jpg", 40},
};

static const struct {
    int box_w, box_h, w, h;
} load_boxes[] = {
    {80, 60, 80, 60},     /* as is */
    {160, 120, 160, 120}, /* up */
    {40, 30, 40, 30},     /* down (JPEG: at 1/2 scale in the decoder) */
    {200, 100, 133, 100}, /* letterboxed */
    {1920, 1080, 1440, 1080}, {20, 400, 20, 15},
};

static void test_load_formats(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof load_files / sizeof load_files[0]; k++) {
        for (size_t b = 0; b < sizeof load_boxes / sizeof load_boxes[0]; b++) {
            char path[1024], what[256];
            snprintf(path, sizeof path, "%s/%s", IMAGES, load_files[k].file);
            snprintf(what, sizeof what, "%s in %dx%d", load_files[k].file, load_boxes[b].box_w,
                     load_boxes[b].box_h);
            SDL_Surface *s = NULL;
            enum dp_reason why = DP_REASON_NONE;
            int r = image_load(path, load_boxes[b].box_w, load_boxes[b].box_h, &s, &why);
            const char *reason = dp_reason_name(why);
            if (r != 0)
                print_error("%s: %s\n", what, reason);
            assert_int_equal(r, 0);
            assert_non_null(s);
            assert_int_equal(s->w, load_boxes[b].w);
            assert_int_equal(s->h, load_boxes[b].h);
            /* a tiny output blends the regions: check the middle only */
            if (s->w >= 40)
                assert_upright(s, load_files[k].tolerance + (s->w != 80 ? 30 : 0), what);
            else
                assert_colour(s, 0.5, 0.5, GREEN, 80, what);
            SDL_FreeSurface(s);
        }
    }
}

static void test_load_alpha(void **state)
{
    (void)state;
    SDL_Surface *s = NULL;
    enum dp_reason why = DP_REASON_NONE;
    assert_int_equal(image_load(IMAGES "/rgba.png", 160, 120, &s, &why), 0);
    assert_int_equal(s->w, 160);
    assert_int_equal(s->h, 120);
    assert_colour(s, 0.85, 0.15, RED, 2, "rgba top");
    assert_colour(s, 0.15, 0.2, WHITE, 2, "rgba mark");
    assert_int_equal(pixel_at(s, 0.5, 0.9).a, 0);
    SDL_FreeSurface(s);
    /* shrinking weighs colours by alpha: no dark fringe at the edge */
    assert_int_equal(image_load(IMAGES "/rgba.png", 40, 30, &s, &why), 0);
    assert_colour(s, 0.85, 0.15, RED, 2, "rgba small top");
    assert_int_equal(pixel_at(s, 0.5, 0.9).a, 0);
    SDL_FreeSurface(s);
}

/* Every EXIF orientation: the stored pixels are turned so that, honoured,
 * the picture is upright and 80x60. */
static void test_exif_orientation(void **state)
{
    (void)state;
    static const struct {
        int box_w, box_h, w, h;
    } boxes[] = {
        {80, 60, 80, 60}, {160, 120, 160, 120}, {1920, 1080, 1440, 1080}, {40, 30, 40, 30}};
    for (int o = 1; o <= 8; o++) {
        for (size_t b = 0; b < sizeof boxes / sizeof boxes[0]; b++) {
            char path[1024], what[256];
            snprintf(path, sizeof path, "%s/exif-orient-%d.jpg", IMAGES, o);
            snprintf(what, sizeof what, "orientation %d in %dx%d", o, boxes[b].box_w,
                     boxes[b].box_h);
            SDL_Surface *s = NULL;
            enum dp_reason why = DP_REASON_NONE;
            int r = image_load(path, boxes[b].box_w, boxes[b].box_h, &s, &why);
            assert_int_equal(r, 0);
            assert_int_equal(s->w, boxes[b].w);
            assert_int_equal(s->h, boxes[b].h);
            assert_upright(s, 70, what);
            SDL_FreeSurface(s);
        }
    }
}

/* ---- refusals -------------------------------------------------------------------- */

static const struct {
    const char *path;
    const char *reason;
} bad_files[] = {
    {BAD "/truncated.jpg", "decode_error"},    {BAD "/truncated-progressive.jpg", "decode_error"},
    {BAD "/truncated.png", "decode_error"},    {BAD "/truncated.webp", "decode_error"},
    {BAD "/html.jpg", "not_an_image"},         {BAD "/empty.png", "not_an_image"},
    {BAD "/does-not-exist.png", "unreadable"}, {IMAGES, "unreadable"}, /* a directory */
};

static void test_bad_files(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_files / sizeof bad_files[0]; k++) {
        SDL_Surface *s = (SDL_Surface *)&s; /* must be reset to NULL */
        enum dp_reason why = DP_REASON_NONE;
        int r = image_load(bad_files[k].path, 1920, 1080, &s, &why);
        const char *reason = dp_reason_name(why);
        if (r != -1 || strcmp(reason, bad_files[k].reason) != 0)
            print_error("%s: %d \"%s\", want -1 \"%s\"\n", bad_files[k].path, r, reason,
                        bad_files[k].reason);
        assert_int_equal(r, -1);
        assert_null(s);
        assert_string_equal(reason, bad_files[k].reason);
    }
}

/* A GIF cut in half is refused, never shown partly (SDL_image would return
 * the rows it got): image_load checks that the first frame is all there. */
static void test_truncated_gif(void **state)
{
    (void)state;
    SDL_Surface *s = NULL;
    enum dp_reason why = DP_REASON_NONE;
    int r = image_load(BAD "/truncated.gif", 1920, 1080, &s, &why);
    const char *reason = dp_reason_name(why);
    if (r == 0) {
        print_message("truncated.gif decodes (%dx%d): shown partly\n", s->w, s->h);
        SDL_FreeSurface(s);
    }
    assert_int_equal(r, -1);
    assert_string_equal(reason, "decode_error");
}

/* Headers that claim huge or empty pictures: refused before decoding. */
static void test_crafted_headers(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint32_t w, h;
        const char *reason;
    } png_cases[] = {
        {"ihdr-30000x30000.png", 30000, 30000, "too_large"},
        {"ihdr-30001x1.png", 30001, 1, "too_large"},
        {"ihdr-7000x7000.png", 7000, 7000, "too_large"}, /* 49 Mpx > 40 Mpx */
        {"ihdr-2147483648x1.png", 0x80000000u, 1, "too_large"},
        {"ihdr-0x100.png", 0, 100, "decode_error"},
        {"ihdr-100x100.png", 100, 100, "decode_error"}, /* within limits: garbage */
    };
    static unsigned char buf[33 + 65536];
    for (size_t k = 0; k < sizeof png_cases / sizeof png_cases[0]; k++) {
        char path[1024];
        tmp_path(path, sizeof path, png_cases[k].name);
        write_file(path, buf, craft_png(buf, png_cases[k].w, png_cases[k].h, 65536));
        SDL_Surface *s = NULL;
        enum dp_reason why = DP_REASON_NONE;
        double t0 = now_ms();
        int r = image_load(path, 1920, 1080, &s, &why);
        const char *reason = dp_reason_name(why);
        double ms = now_ms() - t0;
        if (r != -1 || strcmp(reason, png_cases[k].reason) != 0)
            print_error("%s: %d \"%s\"\n", png_cases[k].name, r, reason);
        assert_int_equal(r, -1);
        assert_null(s);
        assert_string_equal(reason, png_cases[k].reason);
        assert_true(ms < 1000); /* refused, not decoded */
        unlink(path);
    }

    /* the same for a JPEG whose frame header (SOF) is patched */
    static const struct {
        const char *name;
        unsigned w, h;
        int ret;
        const char *reason;
    } jpeg_cases[] = {
        {"sof-65000x65000.jpg", 65000, 65000, -1, "too_large"},
        {"sof-30001x8.jpg", 30001, 8, -1, "too_large"},
        {"sof-12000x9000.jpg", 12000, 9000, -1, "too_large"},  /* 108 Mpx > 100 Mpx */
        {"sof-4000x3000.jpg", 4000, 3000, -1, "decode_error"}, /* data missing */
        {"sof-0x60.jpg", 0, 60, -1, "decode_error"},
    };
    size_t len;
    unsigned char *orig = read_all(IMAGES "/rgb.jpg", &len);
    size_t sof = 0;
    for (size_t i = 2; i + 9 < len; i++) {
        if (orig[i] == 0xFF && orig[i + 1] == 0xC0) {
            sof = i;
            break;
        }
    }
    assert_true(sof > 0);
    for (size_t k = 0; k < sizeof jpeg_cases / sizeof jpeg_cases[0]; k++) {
        unsigned char *d = malloc(len);
        assert_non_null(d);
        memcpy(d, orig, len);
        /* FF C0, length (2), precision (1), height (2), width (2) */
        d[sof + 5] = (unsigned char)(jpeg_cases[k].h >> 8);
        d[sof + 6] = (unsigned char)jpeg_cases[k].h;
        d[sof + 7] = (unsigned char)(jpeg_cases[k].w >> 8);
        d[sof + 8] = (unsigned char)jpeg_cases[k].w;
        char path[1024];
        tmp_path(path, sizeof path, jpeg_cases[k].name);
        write_file(path, d, len);
        free(d);
        SDL_Surface *s = NULL;
        enum dp_reason why = DP_REASON_NONE;
        double t0 = now_ms();
        int r = image_load(path, 1920, 1080, &s, &why);
        const char *reason = dp_reason_name(why);
        double ms = now_ms() - t0;
        if (r != jpeg_cases[k].ret || strcmp(reason, jpeg_cases[k].reason) != 0)
            print_error("%s: %d \"%s\"\n", jpeg_cases[k].name, r, reason);
        assert_int_equal(r, jpeg_cases[k].ret);
        assert_null(s);
        assert_string_equal(reason, jpeg_cases[k].reason);
        assert_true(ms < 2000);
        unlink(path);
    }
    free(orig);

    /* GIF: logical screen 30000x30000 */
    static const unsigned char gif[] = {'G', 'I', 'F', '8',  '9', 'a', 0x30, 0x75, 0x30, 0x75, 0,
                                        0,   0,   ',', 0,    0,   0,   0,    1,    0,    1,    0,
                                        0,   2,   2,   0x44, 1,   0,   ';',  0,    0,    0};
    char path[1024];
    tmp_path(path, sizeof path, "screen-30000.gif");
    write_file(path, gif, sizeof gif);
    SDL_Surface *s = NULL;
    enum dp_reason why = DP_REASON_NONE;
    assert_int_equal(image_load(path, 1920, 1080, &s, &why), -1);
    const char *reason = dp_reason_name(why);
    assert_string_equal(reason, "too_large");
    unlink(path);
}

/* ---- corpora ----------------------------------------------------------------------- */

/* Loads every *.ext file of dir; calls back with each result. Returns the
 * number of files, or -1 when the folder is absent. */
static int each_file(const char *dir, const char *ext,
                     void (*cb)(const char *name, int r, const SDL_Surface *s, const char *reason,
                                void *ctx),
                     void *ctx)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        return -1;
    int count = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t l = strlen(name), el = strlen(ext);
        if (l > el && strcmp(name + l - el, ext) == 0) {
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            SDL_Surface *s = NULL;
            enum dp_reason why = DP_REASON_NONE;
            int r = image_load(path, 1920, 1080, &s, &why);
            const char *reason = dp_reason_name(why);
            if (r == 0)
                assert_non_null(s);
            else
                assert_true(reason[0] != '\0');
            cb(name, r, s, reason, ctx);
            SDL_FreeSurface(s);
            count++;
        }
        free(names[i]);
    }
    free(names);
    return count;
}

struct tally {
    int decoded, refused;
    char decoded_names[4096], refused_names[4096];
    int unexpected;
};

static void add_name(char *list, size_t cap, const char *name, const char *reason)
{
    size_t l = strlen(list);
    if (reason)
        snprintf(list + l, cap - l, "%s%s(%s)", l ? " " : "", name, reason);
    else
        snprintf(list + l, cap - l, "%s%s", l ? " " : "", name);
}

static void pngsuite_cb(const char *name, int r, const SDL_Surface *s, const char *reason,
                        void *ctx)
{
    struct tally *t = ctx;
    (void)s;
    if (r == 0) {
        t->decoded++;
        add_name(t->decoded_names, sizeof t->decoded_names, name, NULL);
    } else {
        t->refused++;
        add_name(t->refused_names, sizeof t->refused_names, name, reason);
    }
    /* PngSuite: bas* are valid basic images, x* are corrupt */
    bool want_ok = strncmp(name, "bas", 3) == 0;
    if ((r == 0) != want_ok) {
        print_error("pngsuite %s: %d (%s)\n", name, r, reason);
        t->unexpected++;
    }
    if (r == 0)
        assert_true(s->w > 0 && s->h > 0 && s->w <= 1920 && s->h <= 1080);
}

static void test_pngsuite(void **state)
{
    (void)state;
    struct tally t = {0};
    int n = each_file(DP_CORPUS "/pngsuite/tests/pngsuite", ".png", pngsuite_cb, &t);
    if (n < 0) {
        print_message("no %s: skipped\n", DP_CORPUS "/pngsuite/tests/pngsuite");
        skip();
    }
    print_message("pngsuite: %d files, %d decoded, %d refused\n", n, t.decoded, t.refused);
    print_message("  decoded: %s\n", t.decoded_names);
    print_message("  refused: %s\n", t.refused_names);
    assert_true(n > 0);
    assert_int_equal(t.unexpected, 0);
}

/* Hostile files are loaded in child processes, a few at a time, each with a
 * time limit, so that a crash or a hang is reported instead of ending or
 * stalling the test. */
#define CRASHER_TIMEOUT_S 10
#define CRASHER_JOBS 4

struct child {
    pid_t pid;
    int fd;
    char name[256];
    double start;
};

static void child_load(const char *path, int fd)
{
    alarm(CRASHER_TIMEOUT_S);
    SDL_Surface *s = NULL;
    enum dp_reason why = DP_REASON_NONE;
    int r = image_load(path, 1920, 1080, &s, &why);
    const char *reason = dp_reason_name(why);
    char msg[128];
    int n = snprintf(msg, sizeof msg, "%d %dx%d %s", r, s ? s->w : 0, s ? s->h : 0,
                     r ? reason : "-");
    SDL_FreeSurface(s);
    if (write(fd, msg, (size_t)n) != n)
        _exit(3);
    _exit(0);
}

struct crash_tally {
    int files, decoded, refused, hangs, crashes;
    char decoded_names[4096], refused_names[4096], hang_names[4096], crash_names[4096];
};

static void reap(struct child *c, int status, struct crash_tally *t)
{
    char msg[128] = "";
    ssize_t n = read(c->fd, msg, sizeof msg - 1);
    close(c->fd);
    msg[n > 0 ? n : 0] = '\0';
    double ms = now_ms() - c->start;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        t->hangs++;
        add_name(t->hang_names, sizeof t->hang_names, c->name, NULL);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !msg[0]) {
        t->crashes++;
        char why[64];
        snprintf(why, sizeof why, "status %d", status);
        add_name(t->crash_names, sizeof t->crash_names, c->name, why);
    } else if (msg[0] == '0') {
        t->decoded++;
        add_name(t->decoded_names, sizeof t->decoded_names, c->name, NULL);
    } else {
        t->refused++;
        char *reason = strrchr(msg, ' ');
        add_name(t->refused_names, sizeof t->refused_names, c->name, reason ? reason + 1 : "");
    }
    if (ms > 1000)
        print_message("  %s: %s after %.0f ms\n", c->name, WIFSIGNALED(status) ? "killed" : msg,
                      ms);
}

static int run_crashers(const char *dir, const char *ext, struct crash_tally *t)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        return -1;
    struct child kids[CRASHER_JOBS];
    int running = 0;
    fflush(NULL);
    for (int i = 0; i <= n; i++) {
        const char *name = i < n ? names[i]->d_name : NULL;
        size_t l = name ? strlen(name) : 0, el = strlen(ext);
        bool wanted = name && l > el && strcmp(name + l - el, ext) == 0;
        /* wait for a free slot, or for everyone at the end */
        while (running > 0 && (running == CRASHER_JOBS || (!wanted && i == n))) {
            int status;
            pid_t pid = waitpid(-1, &status, 0);
            assert_true(pid > 0);
            for (int k = 0; k < running; k++) {
                if (kids[k].pid == pid) {
                    reap(&kids[k], status, t);
                    kids[k] = kids[--running];
                    break;
                }
            }
        }
        if (wanted) {
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            int fds[2];
            assert_int_equal(pipe(fds), 0);
            pid_t pid = fork();
            assert_true(pid >= 0);
            if (pid == 0) {
                close(fds[0]);
                child_load(path, fds[1]);
            }
            close(fds[1]);
            struct child *c = &kids[running++];
            c->pid = pid;
            c->fd = fds[0];
            snprintf(c->name, sizeof c->name, "%s", name);
            c->start = now_ms();
            t->files++;
        }
        if (i < n)
            free(names[i]);
    }
    free(names);
    return t->files;
}

/* Hostile files: no crash and no hang; any answer is accepted.
 * Before f020403 (image.c: PNG chunks checked before libpng), 8 to 12 of
 * libpng's crashers (huge_*_chunk.png, 57 bytes, a chunk length of
 * 0xFFFFFFxx) kept image_load busy for minutes (huge_tEXt_chunk.png: over
 * 180 s): SDL_image's read callback ignores short reads, so libpng went on
 * "reading" past the end of the memory buffer. This test keeps it fixed. */
static void test_crashers(void **state)
{
    (void)state;
    static const struct {
        const char *dir, *ext;
    } dirs[] = {
        {DP_CORPUS "/libpng-crashers/contrib/testpngs/crashers", ".png"},
        {DP_CORPUS "/jpeg-crashtest/tests/crashtest/images", ".jpg"},
    };
    int found = 0, hangs = 0, crashes = 0;
    for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
        struct crash_tally t = {0};
        double t0 = now_ms();
        int n = run_crashers(dirs[k].dir, dirs[k].ext, &t);
        if (n < 0) {
            print_message("no %s: skipped\n", dirs[k].dir);
            continue;
        }
        found++;
        print_message("%s: %d files, %d decoded, %d refused, %d hang, %d crash, %.0f ms\n",
                      dirs[k].dir, n, t.decoded, t.refused, t.hangs, t.crashes, now_ms() - t0);
        print_message("  decoded: %s\n", t.decoded_names);
        print_message("  refused: %s\n", t.refused_names);
        if (t.hangs)
            print_error("  not done in %d s: %s\n", CRASHER_TIMEOUT_S, t.hang_names);
        if (t.crashes)
            print_error("  crashed: %s\n", t.crash_names);
        hangs += t.hangs;
        crashes += t.crashes;
    }
    if (!found)
        skip();
    assert_int_equal(crashes, 0);
    assert_int_equal(hangs, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first, so that the peak RSS is not already set by other tests */
        cmocka_unit_test(test_large_jpeg),       cmocka_unit_test(test_sniff_table),
        cmocka_unit_test(test_sniff_fixtures),   cmocka_unit_test(test_fit_table),
        cmocka_unit_test(test_load_formats),     cmocka_unit_test(test_load_alpha),
        cmocka_unit_test(test_exif_orientation), cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_truncated_gif),    cmocka_unit_test(test_crafted_headers),
        cmocka_unit_test(test_pngsuite),         cmocka_unit_test(test_crashers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
