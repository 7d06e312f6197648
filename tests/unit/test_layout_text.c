/* layout.c: word wrapping, auto-sizing and clamping with fake measuring
 * functions (no fonts). Every layout is also checked for its invariants:
 * no line wider than max_w, no line cut inside a UTF-8 character, words
 * kept whole and in order unless a word alone is wider than a line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "render/layout.h"

#define ELLIPSIS "\xE2\x80\xA6"

/* ---- fake fonts ------------------------------------------------------------ */

/* Widths are in tenths of the font size per character, so that width grows
 * strictly with the size: width = (size * units + 5) / 10. */
struct font {
    bool proportional; /* false: 6 units a character (CJK 10) */
    int calls;
    int bad_calls; /* measured a string cut inside a UTF-8 character */
};

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static int char_units(const struct font *f, uint32_t cp)
{
    if (cp >= 0x2E80 && cp < 0xA000)
        return 10; /* CJK: full width */
    if (!f->proportional)
        return 6;
    switch (cp) {
    case 'i':
    case 'l':
    case '.':
    case ',':
    case ' ':
    case '\'':
        return 3;
    case 'm':
    case 'w':
    case 'M':
    case 'W':
        return 9;
    default:
        return 6;
    }
}

static int measure(void *ctx, int size, const char *s, size_t len)
{
    struct font *f = ctx;
    const unsigned char *p = (const unsigned char *)s;
    f->calls++;
    if (len && is_cont(p[0]))
        f->bad_calls++;
    long units = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        if (i + n > len) {
            f->bad_calls++; /* a character cut at the end */
            break;
        }
        uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
        for (size_t k = 1; k < n; k++)
            cp = cp << 6 | (p[i + k] & 0x3Fu);
        units += char_units(f, cp);
        i += n;
    }
    return (int)((size * units + 5) / 10);
}

/* Does UAX #14 (ICU) allow a line break before text[pos]? */
static bool is_line_boundary(const char *text, size_t pos)
{
    UErrorCode st = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, text, -1, &st);
    UBreakIterator *bi = ubrk_open(UBRK_LINE, "", NULL, 0, &st);
    ubrk_setUText(bi, ut, &st);
    assert_true(U_SUCCESS(st));
    bool yes = ubrk_isBoundary(bi, (int32_t)pos);
    ubrk_close(bi);
    utext_close(ut);
    return yes;
}

/* ---- invariants ---------------------------------------------------------------- */

static void line_text(const char *text, const struct layout *l, int i, char *buf, size_t cap)
{
    size_t n = l->lines[i].len < cap - 1 ? l->lines[i].len : cap - 1;
    memcpy(buf, text + l->lines[i].start, n);
    buf[n] = '\0';
}

static void strip_spaces(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; *s && o + 1 < cap; s++)
        if (*s != ' ' && *s != '\n' && *s != '\t')
            out[o++] = *s;
    out[o] = '\0';
}

/* Checks every invariant of a layout of text at max_w. When full is true the
 * layout must hold all of the text (no ellipsis expected). */
static void check_layout(const char *text, const struct layout *l, int max_w, bool full,
                         struct font *f)
{
    static char joined[65536], want[65536], buf[8192];
    size_t tlen = strlen(text);
    assert_true(l->n_lines >= 0 && l->n_lines <= LAYOUT_MAX_LINES);
    joined[0] = '\0';
    size_t jo = 0;
    for (int i = 0; i < l->n_lines; i++) {
        size_t s = l->lines[i].start, n = l->lines[i].len;
        assert_true(s + n <= tlen);
        /* never inside a UTF-8 character */
        assert_false(s < tlen && is_cont((unsigned char)text[s]));
        assert_false(s + n < tlen && is_cont((unsigned char)text[s + n]));
        /* a line after a break starts with no space */
        if (s > 0 && text[s - 1] != '\n' && n)
            assert_false(text[s] == ' ');
        /* no trailing spaces, no newline inside a line */
        assert_false(n && text[s + n - 1] == ' ');
        assert_null(memchr(text + s, '\n', n));
        int w = measure(f, l->size, text + s, n);
        if (w > max_w) {
            /* only a single character wider than the whole line may overflow */
            char one[8];
            line_text(text, l, i, one, sizeof one);
            size_t first = 1;
            while (first < n && is_cont((unsigned char)text[s + first]))
                first++;
            if (first != n)
                print_error("line %d \"%.*s\" is %d px wide, max %d\n", i, (int)n, text + s, w,
                            max_w);
            assert_int_equal(first, n);
        }
        if (l->ellipsis && i == l->n_lines - 1 && n) {
            char with[8192];
            assert_true(n + 3 < sizeof with);
            memcpy(with, text + s, n);
            memcpy(with + n, ELLIPSIS, 3);
            assert_true(measure(f, l->size, with, n + 3) <= max_w);
        }
        if (jo + n + 2 < sizeof joined) {
            if (i)
                joined[jo++] = ' ';
            memcpy(joined + jo, text + s, n);
            jo += n;
            joined[jo] = '\0';
        }
    }
    assert_int_equal(f->bad_calls, 0);
    if (full)
        assert_false(l->ellipsis);
    /* every non-space byte there, in order (or the start of it, with an
     * ellipsis) */
    strip_spaces(joined, buf, sizeof buf);
    strip_spaces(text, want, sizeof want);
    if (full || !l->ellipsis)
        assert_string_equal(buf, want);
    else
        assert_true(strncmp(want, buf, strlen(buf)) == 0);
    if (!l->broke_word) {
        /* words intact: every line starts where UAX #14 allows a break, or
         * after a space (a glued group wider than a line) */
        for (int i = 1; i < l->n_lines; i++) {
            size_t s = l->lines[i].start;
            if (s == 0 || text[s - 1] == '\n' || text[s - 1] == ' ' || l->lines[i].len == 0)
                continue;
            if (!is_line_boundary(text, s))
                print_error("line %d starts at %zu, no break there: \"%s\"\n", i, s, text);
            assert_true(is_line_boundary(text, s));
        }
        if (l->ellipsis && !full && l->n_lines) {
            /* cut at a break, unless the last line is one word */
            const struct layout_line *last = &l->lines[l->n_lines - 1];
            size_t e = last->start + last->len;
            bool one_word = !memchr(text + last->start, ' ', last->len);
            assert_true(last->len == 0 || one_word || e == tlen || text[e] == ' ' ||
                        text[e] == '\n' || is_line_boundary(text, e));
        }
    }
}

/* ---- layout_wrap ----------------------------------------------------------------- */

/* At size 10 every character of the mono font is 6 px (CJK 10 px). */
static const struct {
    const char *text;
    int max_w;
    const char *lines[8]; /* expected, NULL-terminated */
    bool broke_word;
} wrap_cases[] = {
    {"hello", 600, {"hello"}, false},
    {"hello world", 600, {"hello world"}, false},
    {"hello world", 66, {"hello world"}, false}, /* exactly full */
    {"hello world", 65, {"hello", "world"}, false},
    {"the quick brown fox jumps over the lazy dog",
     60,
     {"the quick", "brown fox", "jumps over", "the lazy", "dog"},
     false},
    {"aaaa    bbbb", 60, {"aaaa", "bbbb"}, false}, /* spaces at the break */
    {"aaaa    bbbb", 600, {"aaaa    bbbb"}, false},
    {"hello   ", 600, {"hello"}, false}, /* trailing spaces */
    /* explicit newlines are kept, empty lines too */
    {"a\nb", 600, {"a", "b"}, false},
    {"a\n\nb", 600, {"a", "", "b"}, false},
    {"line one\nline two", 600, {"line one", "line two"}, false},
    {"one two three\nfour", 48, {"one two", "three", "four"}, false},
    /* words wider than a line are split, and only those */
    {"abcdefghij", 60, {"abcdefghij"}, false},
    {"abcdefghijklmnopqrstuvwxyz", 60, {"abcdefghij", "klmnopqrst", "uvwxyz"}, true},
    {"hi abcdefghijklmno yo", 60, {"hi", "abcdefghij", "klmno yo"}, true},
    /* UAX #14 breaks a URL after a slash: no word is split */
    {"https://example.com/a/very/long/path",
     120,
     {"https://example.com/", "a/very/long/path"},
     false},
    /* UTF-8: split between characters, never inside one */
    {"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
     24,
     {"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", "\xC3\xA9\xC3\xA9\xC3\xA9"},
     true},
    {"« l’été » est là", 60, {"« l’été »", "est là"}, false},
    /* ideographs break between any two (UAX #14), no word is split */
    {"漢字漢字漢字漢字", 35, {"漢字漢", "字漢字", "漢字"}, false},
    {"漢字 漢字", 25, {"漢字", "漢字"}, false},
    /* French typography: « and the word after it, a word and the », !, ?, :, ;
     * after it, stay together */
    {"aaaa « bbbb »", 60, {"aaaa", "« bbbb »"}, false},
    {"aaaaaa bbb !", 60, {"aaaaaa", "bbb !"}, false},
    {"Quoi ? Oui ; non : bon !", 36, {"Quoi ?", "Oui ;", "non :", "bon !"}, false},
    {"aaaaaaaa ‹ b ›", 60, {"aaaaaaaa", "‹ b ›"}, false},
    /* UAX #14 (LB13): never a break before "!", even after a space */
    {"aa !b", 24, {"aa !", "b"}, false},
    /* a character wider than the line still goes somewhere, one per line */
    {"漢字", 5, {"漢", "字"}, false},
};

static void test_wrap_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof wrap_cases / sizeof wrap_cases[0]; k++) {
        struct font f = {0};
        struct layout l;
        int n = layout_wrap(wrap_cases[k].text, 10, wrap_cases[k].max_w, LAYOUT_MAX_LINES, measure,
                            &f, &l);
        int want_n = 0;
        while (wrap_cases[k].lines[want_n])
            want_n++;
        char got[1024] = "";
        for (int i = 0; i < l.n_lines; i++) {
            char line[256];
            line_text(wrap_cases[k].text, &l, i, line, sizeof line);
            size_t o = strlen(got);
            snprintf(got + o, sizeof got - o, "%s[%s]", i ? " " : "", line);
        }
        char want[1024] = "";
        for (int i = 0; i < want_n; i++) {
            size_t o = strlen(want);
            snprintf(want + o, sizeof want - o, "%s[%s]", i ? " " : "", wrap_cases[k].lines[i]);
        }
        if (strcmp(got, want) != 0 || l.broke_word != wrap_cases[k].broke_word)
            print_error("case %zu: \"%s\": %s broke %d\n", k, wrap_cases[k].text, got,
                        l.broke_word);
        assert_string_equal(got, want);
        assert_int_equal(n, want_n);
        assert_int_equal(l.n_lines, want_n);
        assert_int_equal(l.size, 10);
        assert_int_equal(l.broke_word, wrap_cases[k].broke_word);
        assert_false(l.ellipsis);
        check_layout(wrap_cases[k].text, &l, wrap_cases[k].max_w, true, &f);
    }
}

/* A long text in prose, wrapped at many widths with both fonts. */
static const char *const prose[] = {
    "Deskplayer shows the posts of a desk on a screen in the hall: text, images and "
    "video, one after the other, and goes on with what it has cached when the network "
    "is gone. Nothing here is cut in the middle of a word, ever.",
    "Le conseil municipal se réunira jeudi à 18 h 30 « en séance publique » ; l’ordre "
    "du jour — voté à l’unanimité — est affiché à l’accueil… Café offert.",
    "会議は木曜日の午後六時半から始まります。 漢字 と かな が 混ざった 文章 です。",
    "Short.\nTwo lines.\n\nAnd a paragraph after an empty line, long enough to wrap "
    "more than once at the narrower widths of this test.",
    "Supercalifragilisticexpialidocious and pneumonoultramicroscopicsilicovolcanoconiosis "
    "are long words; https://example.org/a/really/long/link/that/never/fits is longer.",
};

static void test_wrap_invariants(void **state)
{
    (void)state;
    static const int widths[] = {13, 40, 61, 100, 157, 300, 641, 2000};
    static const int sizes[] = {8, 10, 17, 32};
    for (size_t t = 0; t < sizeof prose / sizeof prose[0]; t++)
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
                for (int prop = 0; prop < 2; prop++) {
                    struct font f = {.proportional = prop};
                    struct layout l;
                    int n = layout_wrap(prose[t], sizes[s], widths[w], LAYOUT_MAX_LINES, measure,
                                        &f, &l);
                    assert_true(n > 0);
                    assert_int_equal(n, l.n_lines);
                    check_layout(prose[t], &l, widths[w], true, &f);
                }
}

/* Breaks only where needed: a line and the next word do not fit together. */
static void test_wrap_lines_are_full(void **state)
{
    (void)state;
    const char *text = prose[0];
    struct font f = {.proportional = true};
    struct layout l;
    int max_w = 157;
    assert_true(layout_wrap(text, 10, max_w, LAYOUT_MAX_LINES, measure, &f, &l) > 1);
    for (int i = 0; i + 1 < l.n_lines; i++) {
        /* the first word of the next line, added to this line, overflows */
        size_t s = l.lines[i].start;
        size_t ns = l.lines[i + 1].start;
        size_t e = ns;
        while (text[e] && text[e] != ' ' && text[e] != '\n')
            e++;
        assert_true(measure(&f, 10, text + s, e - s) > max_w);
    }
}

static void test_wrap_max_lines(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int max_w, max_lines, ret, n_lines;
    } cases[] = {
        {"one two three four five six", 30, 10, 6, 6},
        {"one two three four five six", 30, 6, 6, 6},
        {"one two three four five six", 30, 5, -1, 5},
        {"one two three four five six", 30, 1, -1, 1},
        {"a\nb\nc", 600, 2, -1, 2},
        {"a\nb\nc", 600, 3, 3, 3},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct font f = {0};
        struct layout l;
        int n = layout_wrap(cases[k].text, 10, cases[k].max_w, cases[k].max_lines, measure, &f,
                            &l);
        assert_int_equal(n, cases[k].ret);
        assert_int_equal(l.n_lines, cases[k].n_lines);
    }
}

/* ---- layout_fit ---------------------------------------------------------------------- */

/* Does text fit at size (all lines in max_w x max_h), and does it split a word? */
static bool fits_at(const char *text, int size, int max_w, int max_h, double spacing,
                    bool allow_split, struct font *f)
{
    struct layout l;
    int lh = (int)(size * spacing + 0.5);
    if (lh < 1)
        lh = 1;
    if (max_h / lh < 1)
        return false;
    int n = layout_wrap(text, size, max_w, max_h / lh, measure, f, &l);
    if (n < 0 || n * lh > max_h)
        return false;
    return allow_split || !l.broke_word;
}

static const struct {
    const char *text;
    int min_size, max_size, max_w, max_h;
    double spacing;
    int expected; /* 0: only the properties are checked */
    bool broke_word;
    bool ellipsis;
} fit_cases[] = {
    /* one word, 30 units: 3 px per size point, so 100 fills 300 px */
    {"hello", 10, 200, 300, 1000, 1.2, 100, false, false},
    /* two lines of "aaaa" (2.4 px per point): 125 is 300 px wide, 250 high */
    {"aaaa aaaa", 10, 300, 300, 300, 1.0, 125, false, false},
    /* bounded by max_size */
    {"hi", 10, 48, 1920, 1080, 1.25, 48, false, false},
    /* bounded by the height: 3 lines of 1.5 x size in 450 px -> 100 */
    {"a\nb\nc", 10, 400, 1000, 450, 1.5, 100, false, false},
    /* a long word: largest size where it still fits whole (60 units, 300 px) */
    {"abcdefghij ab", 10, 200, 300, 10000, 1.2, 50, false, false},
    /* no size keeps the word whole: split, as large as fits */
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv", 40, 200, 300,
     1000, 1.2, 0, true, false},
    {NULL, 16, 120, 1000, 600, 1.25, 0, false, false}, /* prose[0] */
    {NULL, 16, 120, 640, 360, 1.3, 0, false, false},   /* prose[1] */
    {NULL, 16, 120, 400, 900, 1.2, 0, false, false},   /* prose[2] */
    {NULL, 16, 120, 1500, 800, 1.2, 0, false, false},  /* prose[3] */
    {NULL, 16, 120, 1800, 900, 1.2, 0, false, false},  /* prose[4] */
};

static void test_fit_table(void **state)
{
    (void)state;
    size_t next_prose = 0;
    for (size_t k = 0; k < sizeof fit_cases / sizeof fit_cases[0]; k++) {
        const char *text = fit_cases[k].text ? fit_cases[k].text : prose[next_prose++];
        int max_w = fit_cases[k].max_w, max_h = fit_cases[k].max_h;
        double sp = fit_cases[k].spacing;
        for (int prop = 0; prop < 2; prop++) {
            if (fit_cases[k].expected && prop)
                continue; /* exact sizes are for the mono font */
            struct font f = {.proportional = prop};
            struct layout l;
            int size = layout_fit(text, fit_cases[k].min_size, fit_cases[k].max_size, max_w, max_h,
                                  sp, measure, &f, &l);
            if (fit_cases[k].expected)
                assert_int_equal(size, fit_cases[k].expected);
            assert_int_equal(l.size, size);
            assert_true(size >= fit_cases[k].min_size && size <= fit_cases[k].max_size);
            assert_int_equal(l.line_height, (int)(size * sp + 0.5));
            assert_true(l.n_lines * l.line_height <= max_h);
            assert_int_equal(l.ellipsis, fit_cases[k].ellipsis);
            assert_int_equal(l.broke_word, fit_cases[k].broke_word);
            check_layout(text, &l, max_w, true, &f);
            /* the largest: one point more does not fit (the same way) */
            if (size < fit_cases[k].max_size)
                assert_false(fits_at(text, size + 1, max_w, max_h, sp, l.broke_word, &f));
            /* a split word only when no size keeps every word whole */
            if (l.broke_word)
                for (int s = fit_cases[k].min_size; s <= fit_cases[k].max_size; s++)
                    assert_false(fits_at(text, s, max_w, max_h, sp, false, &f));
        }
    }
}

/* Too long even at the smallest size: as much as fits, then an ellipsis. */
static void test_fit_ellipsis(void **state)
{
    (void)state;
    static char text[20000];
    text[0] = '\0';
    for (int i = 0; i < 400; i++)
        strcat(text, i % 7 ? " lorem" : " ipsum dolor");
    static const struct {
        int min_size, max_w, max_h;
        double spacing;
        int lines; /* max_h / line height */
    } cases[] = {
        {10, 300, 100, 1.2, 8},
        {20, 1000, 300, 1.25, 12},
        {12, 250, 31, 1.3, 1},
        {16, 640, 360, 1.0, 22},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (int prop = 0; prop < 2; prop++) {
            struct font f = {.proportional = prop};
            struct layout l;
            int size = layout_fit(text + 1, cases[k].min_size, 100, cases[k].max_w, cases[k].max_h,
                                  cases[k].spacing, measure, &f, &l);
            assert_int_equal(size, cases[k].min_size);
            assert_true(l.ellipsis);
            assert_false(l.broke_word);
            assert_int_equal(l.n_lines, cases[k].lines);
            assert_true(l.n_lines * l.line_height <= cases[k].max_h);
            check_layout(text + 1, &l, cases[k].max_w, false, &f);
        }
    }
}

/* ---- layout_clamp ---------------------------------------------------------------------- */

static const struct {
    const char *text;
    int max_w;
    bool ellipsis;
    const char *last; /* expected last line, NULL: not checked */
} clamp_cases[] = {
    {"short caption", 600, false, "short caption"},
    {"one two three four five six", 60, false, "five six"},      /* exactly 3 lines */
    {"one two three four five six seven", 60, true, "five six"}, /* "five six…" fits */
    {"one two three four five sixxx seven", 60, true, "five"},   /* "five sixxx…" not */
    {"aaaa bbbb cccc dddd eeeee ffff gggg", 60, true, "eeeee"},
    {"aaaa bbbb cccc dddddddddd eeee", 60, true, "ddddddddd"}, /* one word: chars off */
    {"a\nb\nc\nd", 600, true, "c"},
    {"éééé ééé\nàààà\nçççç ççç ççç", 60, true, "çççç ççç"},
    {NULL, 400, true, NULL}, /* prose[0] */
    {NULL, 200, true, NULL}, /* prose[1] */
    {NULL, 100, true, NULL}, /* prose[2] */
};

static void test_clamp_three_lines(void **state)
{
    (void)state;
    size_t next_prose = 0;
    for (size_t k = 0; k < sizeof clamp_cases / sizeof clamp_cases[0]; k++) {
        const char *text = clamp_cases[k].text ? clamp_cases[k].text : prose[next_prose++];
        struct font f = {0};
        struct layout l;
        layout_clamp(text, 10, clamp_cases[k].max_w, 3, 1.2, measure, &f, &l);
        assert_int_equal(l.size, 10);
        assert_int_equal(l.line_height, 12);
        assert_true(l.n_lines >= 1 && l.n_lines <= 3);
        if (l.ellipsis != clamp_cases[k].ellipsis)
            print_error("case %zu: \"%s\"\n", k, text);
        assert_int_equal(l.ellipsis, clamp_cases[k].ellipsis);
        if (l.ellipsis)
            assert_int_equal(l.n_lines, 3);
        if (clamp_cases[k].last) {
            char last[256];
            line_text(text, &l, l.n_lines - 1, last, sizeof last);
            assert_string_equal(last, clamp_cases[k].last);
        }
        check_layout(text, &l, clamp_cases[k].max_w, !clamp_cases[k].ellipsis, &f);
    }
}

static void test_clamp_zero_lines_means_one(void **state)
{
    (void)state;
    struct font f = {0};
    struct layout l;
    layout_clamp("one two three", 10, 60, 0, 1.2, measure, &f, &l);
    assert_int_equal(l.n_lines, 1);
    assert_true(l.ellipsis);
    check_layout("one two three", &l, 60, false, &f);
}

/* A group glued by French punctuation ("« aaaaaaaa »") wider than a line
 * breaks at the last of its own spaces that fits, and no line starts with a
 * space: "x « aaaaaaaa » y" at 10 characters a line gives "x", "« aaaaaaaa",
 * "» y"; only a single word wider than the line is split. */
static void test_split_unit_with_spaces(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool broke_word;
    } cases[] = {
        {"x « aaaaaaaa » y", false},
        {"« aaaaaaaaaaaaaa »", true},
        {"« aaaaaaaa bbbbbbbbb » y", false},
        {"aaaaaaaaa ! y", false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct font f = {0};
        struct layout l;
        layout_wrap(cases[k].text, 10, 60, LAYOUT_MAX_LINES, measure, &f, &l);
        for (int i = 0; i < l.n_lines; i++) {
            char line[256];
            line_text(cases[k].text, &l, i, line, sizeof line);
            if (line[0] == ' ')
                print_error("\"%s\": line %d is \"%s\"\n", cases[k].text, i, line);
            assert_false(line[0] == ' ');
        }
        if (l.broke_word != cases[k].broke_word)
            print_error("\"%s\": broke_word %d\n", cases[k].text, l.broke_word);
        assert_int_equal(l.broke_word, cases[k].broke_word);
        check_layout(cases[k].text, &l, 60, true, &f);
    }
}

/* ---- UTF-8 --------------------------------------------------------------------------------- */

static void test_utf8_never_split(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "ééééééééééééééééééééééééééééééééééééééééééééééé",
        "«««««««»»»»»»»»’’’’’’’’’’’’——————————…………………",
        "漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字",
        "a漢bé«c’d»e漢字f……g😀h😀😀i𝄞j",
        "l’été « à Zürich » — 東京 ‘quoted’ “double” naïve café crème brûlée",
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        for (int w = 1; w <= 200; w += 3) {
            for (int prop = 0; prop < 2; prop++) {
                struct font f = {.proportional = prop};
                struct layout l;
                assert_true(layout_wrap(texts[t], 10, w, LAYOUT_MAX_LINES, measure, &f, &l) > 0 ||
                            l.n_lines == LAYOUT_MAX_LINES);
                if (l.n_lines < LAYOUT_MAX_LINES)
                    check_layout(texts[t], &l, w, true, &f);
                layout_clamp(texts[t], 10, w, 3, 1.2, measure, &f, &l);
                check_layout(texts[t], &l, w, false, &f);
                layout_fit(texts[t], 4, 40, w, 60, 1.2, measure, &f, &l);
                check_layout(texts[t], &l, w, false, &f);
            }
        }
    }
}

static uint32_t rnd(uint32_t *seed, uint32_t n)
{
    *seed = *seed * 1664525u + 1013904223u;
    return (*seed >> 8) % n;
}

/* Random texts (fixed seed): words of 1 to 30 characters mixing ASCII,
 * Latin-1, punctuation, CJK and emoji, with newlines; every invariant holds
 * for wrap, fit and clamp at random widths and sizes. */
static void test_random_texts(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "m",  "i",  "W", "é", "«", "»", "’", "—",
                                         "…", "漢", "字", "😀", "x", "e", ".", ","};
    uint32_t seed = 20240601;
#define RND(n) rnd(&seed, (uint32_t)(n))
    static char text[4096];
    for (int round = 0; round < 400; round++) {
        size_t o = 0;
        int n_words = 1 + (int)RND(60);
        for (int w = 0; w < n_words && o < sizeof text - 200; w++) {
            if (w)
                text[o++] = RND(12) == 0 ? '\n' : ' ';
            uint32_t longest = RND(4) == 0 ? 30 : 8;
            int len = 1 + (int)RND(longest);
            for (int c = 0; c < len; c++) {
                const char *p = pieces[RND(sizeof pieces / sizeof pieces[0])];
                memcpy(text + o, p, strlen(p));
                o += strlen(p);
            }
        }
        text[o] = '\0';
        int max_w = 20 + (int)RND(600);
        int size = 6 + (int)RND(40);
        struct font f = {.proportional = RND(2) == 0};
        struct layout l;
        if (layout_wrap(text, size, max_w, LAYOUT_MAX_LINES, measure, &f, &l) > 0)
            check_layout(text, &l, max_w, true, &f);
        layout_clamp(text, size, max_w, 3, 1.2, measure, &f, &l);
        assert_true(l.n_lines >= 1 && l.n_lines <= 3);
        check_layout(text, &l, max_w, false, &f);
        int max_h = 40 + (int)RND(800);
        int got = layout_fit(text, 8, 96, max_w, max_h, 1.25, measure, &f, &l);
        assert_true(got >= 8 && got <= 96);
        check_layout(text, &l, max_w, false, &f);
        if (!l.ellipsis) {
            assert_true(l.n_lines * l.line_height <= max_h);
            if (got < 96)
                assert_false(fits_at(text, got + 1, max_w, max_h, 1.25, l.broke_word, &f));
        }
    }
#undef RND
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_table),
        cmocka_unit_test(test_wrap_invariants),
        cmocka_unit_test(test_wrap_lines_are_full),
        cmocka_unit_test(test_wrap_max_lines),
        cmocka_unit_test(test_fit_table),
        cmocka_unit_test(test_fit_ellipsis),
        cmocka_unit_test(test_clamp_three_lines),
        cmocka_unit_test(test_clamp_zero_lines_means_one),
        cmocka_unit_test(test_split_unit_with_spaces),
        cmocka_unit_test(test_utf8_never_split),
        cmocka_unit_test(test_random_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
