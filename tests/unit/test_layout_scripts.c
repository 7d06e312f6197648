/* layout.c in every script: golden line breaks and visual run orders for
 * Hebrew, Arabic with digits, mixed English/Hebrew both ways, Chinese,
 * Japanese with kana, emoji sequences and a combining accent at a line end;
 * auto-fit sizes of each against a Latin text of the same length. A fake
 * monospaced font: 6 px a character at size 10, ideographs, kana and emoji
 * 10 px, joiners and variation selectors nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"
#include "render/layout.h"

static int units(uint32_t cp)
{
    if (cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF))
        return 0;
    if ((cp >= 0x2E80 && cp < 0xA000) || (cp >= 0xFF00 && cp < 0xFF61) || cp >= 0x1F000)
        return 10;
    return 6;
}

static int measure(void *ctx, int size, const char *s, size_t len)
{
    (void)ctx;
    long u = 0;
    size_t i = 0;
    uint32_t cp;
    while (i < len && dp_utf8_next(s, len, &i, &cp))
        u += units(cp);
    return (int)((size * u + 5) / 10);
}

/* "[line one] [line two]" with each line's runs: "<rtl>" or "(ltr)". */
static void describe(const char *text, const struct layout *l, bool with_runs, char *out,
                     size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < l->n_lines && o < cap; i++) {
        const struct layout_line *ln = &l->lines[i];
        o += (size_t)snprintf(out + o, cap - o, "%s[%.*s]", i ? " " : "", (int)ln->len,
                              text + ln->start);
        if (!with_runs)
            continue;
        for (int r = 0; r < ln->n_runs && o < cap; r++) {
            const struct layout_run *run = &l->runs[ln->first_run + r];
            o += (size_t)snprintf(out + o, cap - o, run->rtl ? "<%.*s>" : "(%.*s)", (int)run->len,
                                  text + run->start);
        }
        if (o < cap && ln->rtl)
            o += (size_t)snprintf(out + o, cap - o, "R");
    }
}

#define HE "שלום לכולם וברוכים הבאים לכנס השנתי"
#define AR "مرحبا بكم في المؤتمر الساعة 19:30 اليوم"
#define MIXED_LTR "The keynote נאום פתיחה starts at 19:30"
#define MIXED_RTL "הכנס של Open Source מתחיל ב-19:30"
#define ZH "欢迎大家参加今年的年度大会，下午两点在主会场开始。"
#define JA "本日の「基調講演」は午後七時半から大ホールで始まります。"
#define FAMILY "👨‍👩‍👧"
#define FLAG "🏳️‍🌈"
#define THUMB "👍🏽"

static const struct {
    const char *name, *text;
    int max_w;
    const char *want; /* lines and runs, as describe() writes them */
    bool broke_word;
} cases[] = {
    {"hebrew", HE, 120,
     "[שלום לכולם וברוכים]<שלום לכולם וברוכים>R [הבאים לכנס השנתי]<הבאים לכנס השנתי>R", false},
    /* the digits stay 19:30, left of the word before them: a reader goes
     * right to left, "الساعة" then "19:30" then "اليوم" */
    {"arabic with digits", AR, 1000,
     "[مرحبا بكم في المؤتمر الساعة 19:30 اليوم]< اليوم>(19:30)<مرحبا بكم في المؤتمر الساعة >R",
     false},
    {"arabic wrapped", AR, 130,
     "[مرحبا بكم في المؤتمر]<مرحبا بكم في المؤتمر>R "
     "[الساعة 19:30 اليوم]< اليوم>(19:30)<الساعة >R",
     false},
    {"english with hebrew", MIXED_LTR, 1000,
     "[The keynote נאום פתיחה starts at 19:30](The keynote )<נאום פתיחה>( starts at 19:30)",
     false},
    {"hebrew with english", MIXED_RTL, 1000,
     "[הכנס של Open Source מתחיל ב-19:30](19:30)< מתחיל ב->(Open Source)<הכנס של >R", false},
    /* ideographs break anywhere, never before "，" or "。" */
    {"chinese", ZH, 100,
     "[欢迎大家参加今年的年](欢迎大家参加今年的年) [度大会，下午两点在主](度大会，下午两点在主) "
     "[会场开始。](会场开始。)",
     false},
    {"chinese narrow", ZH, 40,
     "[欢迎大家](欢迎大家) [参加今年](参加今年) [的年度大](的年度大) [会，下午](会，下午) "
     "[两点在主](两点在主) [会场开](会场开) [始。](始。)",
     false},
    /* kana and kanji break anywhere, never after "「", never before "」" or "。" */
    {"japanese", JA, 100,
     "[本日の「基調講演」は](本日の「基調講演」は) [午後七時半から大ホー](午後七時半から大ホー) "
     "[ルで始まります。](ルで始まります。)",
     false},
    {"japanese narrow", JA, 50,
     "[本日の「基](本日の「基) [調講演」は](調講演」は) [午後七時半](午後七時半) "
     "[から大ホー](から大ホー) [ルで始まり](ルで始まり) [ます。](ます。)",
     false},
    /* Thai has no spaces between words: ICU's dictionary finds them */
    {"thai", "สวัสดีครับยินดีต้อนรับ", 45, "[สวัสดี](สวัสดี) [ครับ](ครับ) [ยินดี](ยินดี) [ต้อนรับ](ต้อนรับ)", false},
    /* emoji sequences are one cluster each: never split */
    {"emoji sequences", FAMILY FLAG THUMB FAMILY FLAG, 50,
     "[" FAMILY FLAG "](" FAMILY FLAG ") [" THUMB FAMILY "](" THUMB FAMILY ") [" FLAG "](" FLAG
     ")",
     false},
    {"emoji in words", "go " FAMILY " now " FLAG, 60,
     "[go " FAMILY "](go " FAMILY ") [now " FLAG "](now " FLAG ")", false},
    /* a word split at a line end keeps e and its combining accent together */
    {"combining accent at a line end",
     "abcde\xCC\x81"
     "fgh",
     30,
     "[abcd](abcd) [e\xCC\x81"
     "fgh](e\xCC\x81"
     "fgh)",
     true},
    {"combining accent before a break", "voila\xCC\x80 tout", 36,
     "[voila\xCC\x80](voila\xCC\x80) [tout](tout)", false},
};

static void test_golden_lines_and_runs(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct layout *l = malloc(sizeof *l);
        layout_wrap(cases[k].text, 10, cases[k].max_w, LAYOUT_MAX_LINES, measure, NULL, l);
        char got[4096];
        describe(cases[k].text, l, true, got, sizeof got);
        if (strcmp(got, cases[k].want) != 0 || l->broke_word != cases[k].broke_word)
            print_error("%s:\n got  %s (broke %d)\n want %s\n", cases[k].name, got, l->broke_word,
                        cases[k].want);
        assert_string_equal(got, cases[k].want);
        assert_int_equal(l->broke_word, cases[k].broke_word);
        for (int i = 0; i < l->n_lines; i++)
            assert_true(measure(NULL, 10, cases[k].text + l->lines[i].start, l->lines[i].len) <=
                        cases[k].max_w);
        free(l);
    }
}

/* Runs cover each line exactly once, whatever the text. */
static void test_runs_cover_lines(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (int w = 20; w < 400; w += 37) {
            struct layout *l = malloc(sizeof *l);
            layout_wrap(cases[k].text, 10, w, LAYOUT_MAX_LINES, measure, NULL, l);
            for (int i = 0; i < l->n_lines; i++) {
                const struct layout_line *ln = &l->lines[i];
                size_t total = 0;
                for (int r = 0; r < ln->n_runs; r++) {
                    const struct layout_run *run = &l->runs[ln->first_run + r];
                    assert_true(run->start >= ln->start);
                    assert_true(run->start + run->len <= ln->start + ln->len);
                    total += run->len;
                }
                assert_int_equal(total, ln->len);
            }
            free(l);
        }
    }
}

static void test_single_line_runs(void **state)
{
    (void)state;
    struct layout_run runs[8];
    bool rtl = false;
    int n = layout_runs(MIXED_LTR, strlen(MIXED_LTR), runs, 8, &rtl);
    assert_int_equal(n, 3);
    assert_false(rtl);
    assert_true(runs[1].rtl);
    n = layout_runs(HE, strlen(HE), runs, 8, &rtl);
    assert_int_equal(n, 1);
    assert_true(rtl);
    assert_int_equal(layout_runs("", 0, runs, 8, &rtl), 0);
    assert_true(layout_is_rtl(AR, strlen(AR)));
    assert_true(layout_is_rtl("19:30 " HE, strlen("19:30 " HE)));
    assert_false(layout_is_rtl(MIXED_LTR, strlen(MIXED_LTR)));
    assert_false(layout_is_rtl(ZH, strlen(ZH)));
    assert_false(layout_is_rtl("12:00", 5));
}

/* Auto-fit gives every script about the size a Latin text of the same
 * length gets (ideographs are wider: a little smaller, never a sliver). */
static void test_fit_like_latin(void **state)
{
    (void)state;
    static const char latin[] =
        "Welcome everyone to the annual conference of this year and its many talks "
        "in the main hall this afternoon at two o clock sharp.";
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *text = cases[k].text;
        size_t n = dp_utf8_count(text);
        char lat[256];
        assert_true(n < sizeof latin);
        memcpy(lat, latin, n);
        lat[n] = '\0';
        struct layout *l = malloc(sizeof *l);
        int want = layout_fit(lat, 8, 400, 1200, 500, 1.25, measure, NULL, l);
        int got = layout_fit(text, 8, 400, 1200, 500, 1.25, measure, NULL, l);
        if (got * 10 < want * 6)
            print_error("%s: size %d, Latin of the same length %d\n", cases[k].name, got, want);
        assert_true(got * 10 >= want * 6);
        assert_false(l->ellipsis);
        free(l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_lines_and_runs),
        cmocka_unit_test(test_runs_cover_lines),
        cmocka_unit_test(test_single_line_runs),
        cmocka_unit_test(test_fit_like_latin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
