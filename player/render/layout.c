/* Text layout: see layout.h.
 *
 * The text's break opportunities are found once (ICU's line break iterator
 * on the UTF-8 text, French rules on top); wrapping at a size then measures
 * each piece between two opportunities once and adds widths, checking the
 * whole line once when it is closed. Only the text that fits is measured,
 * so a long post costs no more than a full screen. */
#include "render/layout_internal.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "base/xalloc.h"

#define ELLIPSIS "\xE2\x80\xA6"

enum { BRK_SOFT, BRK_HARD, BRK_WEAK };

/* Every boundary of the text (after offset 0; the last is len) and its kind:
 * a line may end there (soft), must (hard: after a newline), or may only to
 * save a French group wider than a line (weak). */
struct breaks {
    const char *text;
    size_t len;
    size_t *pos;
    unsigned char *kind;
    int n;
    UText *ut;
    UBreakIterator *chars; /* grapheme clusters, NULL when ICU failed */
};

/* Punctuation that must not start a line (French typography sets it after
 * a space) and quotes that must not end one. */
static bool starts_with_closing(const char *s, size_t avail)
{
    static const char *const closing[] = {"\xC2\xBB", "!", "?", ":", ";", "\xE2\x80\xBA"};
    for (size_t i = 0; i < sizeof closing / sizeof *closing; i++) {
        size_t n = strlen(closing[i]);
        if (n <= avail && memcmp(s, closing[i], n) == 0 &&
            (n == avail || s[n] == ' ' || s[n] == '\n'))
            return true;
    }
    return false;
}

static bool is_opening(const char *s, size_t len)
{
    return (len == 2 && memcmp(s, "\xC2\xAB", 2) == 0) ||
           (len == 3 && memcmp(s, "\xE2\x80\xB9", 3) == 0);
}

/* A break at p after spaces that French typography forbids: after an
 * opening « or before a closing », !, ?, :, ;. */
static bool french_glue(const char *t, size_t p, size_t len)
{
    if (p == 0 || p >= len || t[p - 1] != ' ')
        return false;
    size_t q = p;
    while (q > 0 && t[q - 1] == ' ')
        q--;
    size_t t0 = q;
    while (t0 > 0 && t[t0 - 1] != ' ' && t[t0 - 1] != '\n')
        t0--;
    return is_opening(t + t0, q - t0) || starts_with_closing(t + p, len - p);
}

static void breaks_close(struct breaks *b)
{
    if (b->chars)
        ubrk_close(b->chars);
    if (b->ut)
        utext_close(b->ut);
    free(b->pos);
    free(b->kind);
}

static void breaks_push(struct breaks *b, int *cap, size_t pos, unsigned char kind)
{
    if (b->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        b->pos = dp_realloc(b->pos, (size_t)*cap * sizeof *b->pos);
        b->kind = dp_realloc(b->kind, (size_t)*cap);
    }
    b->pos[b->n] = pos;
    b->kind[b->n++] = kind;
}

static void breaks_open(struct breaks *b, const char *text)
{
    memset(b, 0, sizeof *b);
    b->text = text;
    b->len = strlen(text);
    int cap = 0;
    UErrorCode st = U_ZERO_ERROR;
    b->ut = utext_openUTF8(NULL, text, (int64_t)b->len, &st);
    UBreakIterator *lines = ubrk_open(UBRK_LINE, "", NULL, 0, &st);
    if (U_SUCCESS(st))
        ubrk_setUText(lines, b->ut, &st);
    if (U_SUCCESS(st)) {
        for (int32_t p = ubrk_next(lines); p != UBRK_DONE; p = ubrk_next(lines)) {
            int32_t rule = ubrk_getRuleStatus(lines);
            unsigned char kind = rule >= UBRK_LINE_HARD && rule < UBRK_LINE_HARD_LIMIT ? BRK_HARD
                                                                                       : BRK_SOFT;
            if (kind == BRK_SOFT && french_glue(text, (size_t)p, b->len))
                kind = BRK_WEAK;
            breaks_push(b, &cap, (size_t)p, kind);
        }
    }
    if (lines)
        ubrk_close(lines);
    st = U_ZERO_ERROR;
    b->chars = ubrk_open(UBRK_CHARACTER, "", NULL, 0, &st);
    if (U_SUCCESS(st))
        ubrk_setUText(b->chars, b->ut, &st);
    if (U_FAILURE(st) && b->chars) {
        ubrk_close(b->chars);
        b->chars = NULL;
    }
    if (b->n == 0 || b->pos[b->n - 1] != b->len)
        breaks_push(b, &cap, b->len, BRK_SOFT);
}

/* The end of the grapheme cluster after pos (at most end). */
static size_t cluster_after(struct breaks *b, size_t pos, size_t end)
{
    size_t next;
    if (b->chars) {
        int32_t c = ubrk_following(b->chars, (int32_t)pos);
        next = c == UBRK_DONE ? b->len : (size_t)c;
    } else {
        next = pos + 1;
        while (next < b->len && ((unsigned char)b->text[next] & 0xC0) == 0x80)
            next++;
    }
    return next > end ? end : next;
}

/* The start of the grapheme cluster that ends at pos (at least start). */
static size_t cluster_before(struct breaks *b, size_t pos, size_t start)
{
    size_t prev;
    if (b->chars) {
        int32_t c = ubrk_preceding(b->chars, (int32_t)pos);
        prev = c == UBRK_DONE ? 0 : (size_t)c;
    } else {
        prev = pos ? pos - 1 : 0;
        while (prev > 0 && ((unsigned char)b->text[prev] & 0xC0) == 0x80)
            prev--;
    }
    return prev < start ? start : prev;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static size_t trim_end(const char *t, size_t a, size_t e)
{
    while (e > a && is_ws(t[e - 1]))
        e--;
    return e;
}

static bool add_line(struct layout *out, int max_lines, size_t start, size_t len)
{
    if (out->n_lines >= max_lines || out->n_lines >= LAYOUT_MAX_LINES)
        return false;
    out->lines[out->n_lines++] = (struct layout_line){.start = start, .len = len};
    return true;
}

/* One wrapping pass at one size. */
struct wrapper {
    struct breaks *b;
    int size, max_w, max_lines;
    layout_measure_fn measure;
    void *ctx;
    struct layout *out;
    int space_w; /* width of " ", -1 until measured */
};

static int measure(struct wrapper *w, size_t a, size_t e)
{
    return e > a ? w->measure(w->ctx, w->size, w->b->text + a, e - a) : 0;
}

/* Width of the spaces between two words on a line. */
static int gap_width(struct wrapper *w, size_t a, size_t e)
{
    for (size_t i = a; i < e; i++)
        if (w->b->text[i] != ' ')
            return measure(w, a, e);
    if (w->space_w < 0)
        w->space_w = w->measure(w->ctx, w->size, " ", 1);
    return (int)(e - a) * w->space_w;
}

/* A word (or a group glued by French or UAX #14 rules across spaces, like
 * "« mot »" or "mot !") [a, e) wider than a line: the end of the first line
 * it gives, and where the rest starts. */
static void split_word(struct wrapper *w, size_t a, size_t e, size_t *cut, size_t *next)
{
    struct breaks *b = w->b;
    /* A group glued by French punctuation breaks at the last of its own
     * spaces that still fits, so that « stays with as much as the line holds. */
    size_t best = 0;
    for (size_t p = a + 1; p < e; p++) {
        if (b->text[p - 1] != ' ' || b->text[p] == ' ')
            continue;
        if (measure(w, a, trim_end(b->text, a, p)) > w->max_w)
            break;
        best = p;
    }
    if (best) {
        *cut = trim_end(b->text, a, best);
        *next = best;
        return;
    }
    /* Between grapheme clusters, as many as fit (at least one). */
    size_t c = cluster_after(b, a, e), end = c;
    if (end < e)
        w->out->broke_word = true; /* not for one cluster wider than a line */
    while (c < e) {
        size_t n = cluster_after(b, c, e);
        if (measure(w, a, n) > w->max_w)
            break;
        c = n;
    }
    c = c > end ? c : end;
    /* A French group split this way loses the spaces at its cut. */
    *cut = trim_end(b->text, a, c);
    if (*cut == a)
        *cut = c;
    while (c < e && b->text[c] == ' ')
        c++;
    *next = c;
}

/* The line being filled. */
struct open_line {
    bool open;
    size_t ls, le; /* its text, trailing spaces excluded */
    int lw, words; /* width as the sum of its pieces */
};

/* The index of the first boundary after pos. */
static int first_after(const struct breaks *b, size_t pos)
{
    int lo = 0, hi = b->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (b->pos[mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Closes the line: measured whole once (kerning and shaping across pieces,
 * rounding), and when it overflows after all, cut at the last break that
 * fits. Returns 0, 1 when the text must be taken up again at *a (words
 * moved down; *k is the index of that boundary), -1 when no line is left. */
static int close_line(struct wrapper *w, struct open_line *ol, size_t *a, int *k)
{
    struct breaks *b = w->b;
    int ret = 0;
    ol->open = false;
    if (ol->words > 1 && measure(w, ol->ls, ol->le) > w->max_w) {
        /* Rare (a few pixels of rounding): the breaks from the end. */
        int lo = first_after(b, ol->ls), best = first_after(b, ol->le) - 1;
        while (best >= lo &&
               (b->kind[best] == BRK_WEAK ||
                measure(w, ol->ls, trim_end(b->text, ol->ls, b->pos[best])) > w->max_w))
            best--;
        if (best < lo)
            best = -1;
        if (best >= 0) {
            ol->le = trim_end(b->text, ol->ls, b->pos[best]);
            *a = b->pos[best];
            *k = best;
            ret = 1;
        }
    }
    if (!add_line(w->out, w->max_lines, ol->ls, ol->le - ol->ls))
        return -1;
    return ret;
}

static int wrap(struct wrapper *w)
{
    struct breaks *b = w->b;
    struct layout *out = w->out;
    const char *t = b->text;
    out->n_lines = 0;
    out->n_runs = 0;
    out->size = w->size;
    out->broke_word = false;
    out->ellipsis = false;
    w->space_w = -1;
    struct open_line ol = {0};
    size_t a = 0;
    int k = 0;
again:
    while (a < b->len) {
        while (k < b->n && (b->pos[k] <= a || b->kind[k] == BRK_WEAK))
            k++;
        size_t bnd = k < b->n ? b->pos[k] : b->len;
        bool hard = k < b->n && b->kind[k] == BRK_HARD;
        size_t e = trim_end(t, a, bnd);
        if (e > a) {
            int ww = measure(w, a, e);
            int gap = ol.open ? gap_width(w, ol.le, a) : 0;
            if (ol.open && ol.lw + gap + ww > w->max_w) {
                if (close_line(w, &ol, &a, &k) < 0)
                    return -1;
                continue;
            }
            if (!ol.open && ww > w->max_w) {
                size_t cut, next;
                split_word(w, a, e, &cut, &next);
                if (!add_line(out, w->max_lines, a, cut - a))
                    return -1;
                a = next;
                continue;
            }
            if (!ol.open) {
                ol = (struct open_line){true, a, e, ww, 1};
            } else {
                ol.lw += gap + ww;
                ol.words++;
                ol.le = e;
            }
        }
        if (hard && !ol.open && !add_line(out, w->max_lines, a, 0))
            return -1;
        if (hard && ol.open) {
            int r = close_line(w, &ol, &a, &k);
            if (r != 0) {
                if (r < 0)
                    return -1;
                continue;
            }
        }
        a = bnd;
    }
    int r = ol.open ? close_line(w, &ol, &a, &k) : 0;
    if (r < 0)
        return -1;
    if (r > 0)
        goto again; /* the word moved down and what follows it */
    if (out->n_lines == 0 && !add_line(out, w->max_lines, 0, 0))
        return -1;
    return out->n_lines;
}

int layout_wrap(const char *text, int size, int max_w, int max_lines, layout_measure_fn measure,
                void *ctx, struct layout *out)
{
    struct breaks b;
    breaks_open(&b, text);
    struct wrapper w = {&b, size, max_w, max_lines, measure, ctx, out, -1};
    int n = wrap(&w);
    layout_add_runs(text, out);
    breaks_close(&b);
    return n;
}

static int line_height(int size, double spacing)
{
    int h = (int)(size * spacing + 0.5);
    return h < 1 ? 1 : h;
}

static bool fits(struct wrapper *w, int size, int max_h, double spacing, bool allow_split)
{
    int lh = line_height(size, spacing);
    w->size = size;
    w->max_lines = max_h / lh;
    if (w->max_lines < 1)
        return false;
    if (wrap(w) < 0)
        return false;
    w->out->line_height = lh;
    return allow_split || !w->out->broke_word;
}

/* Cuts the layout after its last line and marks an ellipsis, shortening the
 * last line at a word boundary until it and the ellipsis fit. */
static void cut_with_ellipsis(struct wrapper *w)
{
    struct layout *out = w->out;
    const char *text = w->b->text;
    if (out->n_lines == 0)
        return;
    struct layout_line *last = &out->lines[out->n_lines - 1];
    char *buf = dp_malloc(last->len + 4);
    for (;;) {
        memcpy(buf, text + last->start, last->len);
        memcpy(buf + last->len, ELLIPSIS, 3);
        if (w->measure(w->ctx, out->size, buf, last->len + 3) <= w->max_w || last->len == 0)
            break;
        size_t sp = last->len;
        while (sp > 0 && text[last->start + sp - 1] != ' ')
            sp--;
        if (sp == 0) {
            /* A single long word: drop grapheme clusters from its end. */
            last->len = cluster_before(w->b, last->start + last->len, last->start) - last->start;
        } else {
            last->len = trim_end(text, last->start, last->start + sp) - last->start;
        }
    }
    free(buf);
    out->ellipsis = true;
}

static void clamp(struct wrapper *w, int size, int max_lines, double spacing)
{
    w->size = size;
    w->max_lines = max_lines < 1 ? 1 : max_lines;
    int n = wrap(w);
    w->out->line_height = line_height(size, spacing);
    if (n < 0)
        cut_with_ellipsis(w);
}

/* Binary search for the largest size that fits; -1 when none does. */
static int largest_fit(struct wrapper *w, int lo, int hi, int max_h, double spacing,
                       bool allow_split)
{
    int best = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (fits(w, mid, max_h, spacing, allow_split)) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

int layout_fit(const char *text, int min_size, int max_size, int max_w, int max_h,
               double line_spacing, layout_measure_fn measure, void *ctx, struct layout *out)
{
    struct breaks b;
    breaks_open(&b, text);
    struct wrapper w = {&b, min_size, max_w, 1, measure, ctx, out, -1};
    /* Words kept whole if any size allows, else (a URL) split; nothing to
     * search when even the smallest size overflows (a long post). */
    int best = -1;
    if (fits(&w, min_size, max_h, line_spacing, true)) {
        best = largest_fit(&w, min_size, max_size, max_h, line_spacing, false);
        if (best < 0)
            best = largest_fit(&w, min_size, max_size, max_h, line_spacing, true);
    }
    if (best >= 0) {
        fits(&w, best, max_h, line_spacing, true);
    } else {
        /* Too long even at the smallest size: as much as fits, then "…". */
        best = min_size;
        clamp(&w, min_size, max_h / line_height(min_size, line_spacing), line_spacing);
    }
    layout_add_runs(text, out);
    breaks_close(&b);
    return best;
}

void layout_clamp(const char *text, int size, int max_w, int max_lines, double line_spacing,
                  layout_measure_fn measure, void *ctx, struct layout *out)
{
    struct breaks b;
    breaks_open(&b, text);
    struct wrapper w = {&b, size, max_w, max_lines, measure, ctx, out, -1};
    clamp(&w, size, max_lines, line_spacing);
    layout_add_runs(text, out);
    breaks_close(&b);
}
