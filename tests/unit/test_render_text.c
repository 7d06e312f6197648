/* text.c with the real fonts (the bundled DejaVu and what fontconfig finds):
 * an emoji ZWJ sequence or flag measures as one picture, colour emoji scale
 * with the size, a bold run and a right-to-left run draw, a character no
 * font has is one box. Skips when the Noto fonts are not installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "render/text.h"

#define EMOJI_FONT "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"

static int setup(void **state)
{
    if (TTF_Init() < 0)
        return -1;
    char err[256];
    *state = fontset_create(NULL, DP_SOURCE_DIR "/assets", err, sizeof err);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    fontset_destroy(*state);
    TTF_Quit();
    return 0;
}

static int width(struct fontset *fs, int size, const char *s)
{
    return fontset_measure(fs, size, s, strlen(s));
}

/* A sequence is one glyph of the emoji font: as wide as one emoji. */
static void test_sequences_are_one_picture(void **state)
{
    struct fontset *fs = *state;
    if (access(EMOJI_FONT, R_OK) != 0)
        skip();
    static const struct {
        const char *seq, *one;
    } cases[] = {
        {"👨‍👩‍👧", "👨"}, /* ZWJ family */
        {"🏳️‍🌈", "🏳"},  /* rainbow flag */
        {"👍🏽", "👍"},           /* skin tone */
        {"🇫🇷", "👍"},                 /* regional indicators */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int ws = width(fs, 40, cases[k].seq), w1 = width(fs, 40, cases[k].one);
        if (ws > w1 * 13 / 10 || ws < w1 * 7 / 10)
            print_error("%s: %d px, one emoji %d px\n", cases[k].seq, ws, w1);
        assert_true(ws <= w1 * 13 / 10 && ws >= w1 * 7 / 10);
    }
}

/* Colour emoji (a bitmap font at one size) follow the text size. */
static void test_emoji_scale_with_size(void **state)
{
    struct fontset *fs = *state;
    if (access(EMOJI_FONT, R_OK) != 0)
        skip();
    int w20 = width(fs, 20, "🚨"), w80 = width(fs, 80, "🚨");
    int m20 = width(fs, 20, "M"), m80 = width(fs, 80, "M");
    assert_true(w20 > 0 && w80 > 0);
    assert_true(w80 > w20 * 3 && w80 < w20 * 5);
    /* about the size of a capital of the text around it */
    assert_true(w20 < m20 * 3 && w80 < m80 * 3);
}

/* A character no font has measures as one box, a sequence of them as one
 * box each; drawing it paints something. */
static void test_missing_is_a_box(void **state)
{
    struct fontset *fs = *state;
    int one = width(fs, 30, "\xCD\xB8"), two = width(fs, 30, "\xCD\xB8\xCD\xB8");
    assert_true(one > 0);
    assert_int_equal(two, 2 * one);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 200, 60, 32, SDL_PIXELFORMAT_RGBA32);
    assert_non_null(s);
    SDL_FillRect(s, NULL, 0);
    SDL_Color white = {255, 255, 255, 255};
    assert_int_equal(fontset_draw(fs, s, 10, 10, 30, false, "\xCD\xB8", 2, white), one);
    int lit = 0;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++)
            lit += ((uint8_t *)s->pixels)[y * s->pitch + x * 4] > 128;
    assert_true(lit > 20);
    SDL_FreeSurface(s);
}

/* Right-to-left and bold text draw with the width they measure; a bold
 * run is wider than the regular one. */
static void test_draw_width_matches_measure(void **state)
{
    struct fontset *fs = *state;
    static const char *const texts[] = {
        "שלום לכולם", "مرحبا بكم 19:30", "The keynote נאום פתיחה at 19:30",
        "欢迎大家。", "𝐒𝐚𝐫𝐚 さくら",     "café crème",
    };
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1200, 80, 32, SDL_PIXELFORMAT_RGBA32);
    assert_non_null(s);
    SDL_Color white = {255, 255, 255, 255};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        size_t n = strlen(texts[k]);
        int w = fontset_measure(fs, 32, texts[k], n);
        assert_true(w > 0);
        assert_int_equal(fontset_draw(fs, s, 0, 0, 32, false, texts[k], n, white), w);
        int wb = fontset_measure_bold(fs, 32, texts[k], n);
        assert_int_equal(fontset_draw(fs, s, 0, 0, 32, true, texts[k], n, white), wb);
    }
    assert_true(fontset_measure_bold(fs, 32, "Sara", 4) > fontset_measure(fs, 32, "Sara", 4));
    SDL_FreeSurface(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequences_are_one_picture),
        cmocka_unit_test(test_emoji_scale_with_size),
        cmocka_unit_test(test_missing_is_a_box),
        cmocka_unit_test(test_draw_width_matches_measure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
