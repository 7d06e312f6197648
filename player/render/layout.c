/* Text layout: see layout.h. */
#include "render/layout.h"

#include <string.h>

#define ELLIPSIS "\xE2\x80\xA6"

static size_t utf8_char_len(const char *s, size_t avail)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    return n > avail ? avail : n;
}

/* Punctuation that must not start a line (French typography sets it after
 * a space) and quotes that must not end one. */
static bool starts_with_closing(const char *s, size_t avail)
{
    static const char *const closing[] = {"\xC2\xBB", "!", "?", ":", ";", "\xE2\x80\xBA"};
    for (size_t i = 0; i < sizeof closing / sizeof *closing; i++) {
        size_t n = strlen(closing[i]);
        if (n <= avail && memcmp(s, closing[i], n) == 0 && (n == avail || s[n] == ' '))
            return true;
    }
    return false;
}

static bool is_opening(const char *s, size_t len)
{
    return (len == 2 && memcmp(s, "\xC2\xAB", 2) == 0) ||
           (len == 3 && memcmp(s, "\xE2\x80\xB9", 3) == 0);
}

/* The end of the word at w0: a space ends it, except the space after an
 * opening « and the space before a closing », !, ?, :, ;. */
static size_t word_end(const char *text, size_t w0, size_t end)
{
    size_t w1 = w0;
    for (;;) {
        size_t start = w1;
        while (w1 < end && text[w1] != ' ')
            w1++;
        size_t next = w1;
        while (next < end && text[next] == ' ')
            next++;
        if (next >= end)
            return w1;
        if (is_opening(text + start, w1 - start) || starts_with_closing(text + next, end - next))
            w1 = next;
        else
            return w1;
    }
}

static bool add_line(struct layout *out, int max_lines, size_t start, size_t len,
                     const char *text)
{
    while (len && text[start + len - 1] == ' ')
        len--;
    if (out->n_lines >= max_lines || out->n_lines >= LAYOUT_MAX_LINES)
        return false;
    out->lines[out->n_lines].start = start;
    out->lines[out->n_lines].len = len;
    out->n_lines++;
    return true;
}

int layout_wrap(const char *text, int size, int max_w, int max_lines, layout_measure_fn measure,
                void *ctx, struct layout *out)
{
    out->n_lines = 0;
    out->size = size;
    out->broke_word = false;
    out->ellipsis = false;
    size_t len = strlen(text);
    size_t pos = 0;
    while (pos <= len) {
        /* One paragraph: up to the next newline. */
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t line_start = pos;
        size_t i = pos;
        if (pos == end && !add_line(out, max_lines, pos, 0, text))
            return -1;
        while (i < end) {
            /* The next word and the spaces before it. */
            size_t w0 = i;
            while (w0 < end && text[w0] == ' ')
                w0++;
            size_t w1 = word_end(text, w0, end);
            if (w0 == end)
                break;
            int width = measure(ctx, size, text + line_start, w1 - line_start);
            if (width <= max_w) {
                i = w1;
                continue;
            }
            if (i > line_start) {
                /* The word goes to the next line. */
                if (!add_line(out, max_lines, line_start, i - line_start, text))
                    return -1;
                line_start = w0;
                i = w0;
                continue;
            }
            /* A group glued by French punctuation ("« mot »") wider than a
             * whole line breaks at its own spaces after all. */
            size_t first = w0;
            while (first < w1 && text[first] != ' ')
                first++;
            if (first < w1) {
                /* At the last of its spaces that still fits, so that « stays
                 * with as much of its words as the line holds. */
                size_t best = 0;
                for (size_t k = first; k < w1; k++) {
                    if (text[k] != ' ' || text[k - 1] == ' ')
                        continue;   /* only the first space of a run */
                    if (measure(ctx, size, text + line_start, k - line_start) > max_w)
                        break;
                    best = k;
                }
                if (best) {
                    if (!add_line(out, max_lines, line_start, best - line_start, text))
                        return -1;
                    while (best < end && text[best] == ' ')
                        best++;
                    line_start = i = best;
                    continue;
                }
                w1 = first;
            }
            /* A word wider than a whole line: split it between characters. */
            out->broke_word = true;
            size_t cut = w0, next = w0;
            while (next < w1) {
                size_t c = next + utf8_char_len(text + next, w1 - next);
                if (cut > w0 && measure(ctx, size, text + w0, c - w0) > max_w)
                    break;
                cut = next = c;
            }
            if (cut == w0)
                cut = w0 + utf8_char_len(text + w0, w1 - w0);
            if (!add_line(out, max_lines, w0, cut - w0, text))
                return -1;
            line_start = cut;
            i = cut;
        }
        if (line_start < end && !add_line(out, max_lines, line_start, end - line_start, text))
            return -1;
        pos = end + 1;
    }
    return out->n_lines;
}

static int line_height(int size, double spacing)
{
    int h = (int)(size * spacing + 0.5);
    return h < 1 ? 1 : h;
}

static bool fits(const char *text, int size, int max_w, int max_h, double spacing,
                 layout_measure_fn measure, void *ctx, struct layout *out, bool allow_split)
{
    int lh = line_height(size, spacing);
    int max_lines = max_h / lh;
    if (max_lines < 1)
        return false;
    if (layout_wrap(text, size, max_w, max_lines, measure, ctx, out) < 0)
        return false;
    out->line_height = lh;
    return allow_split || !out->broke_word;
}

/* Cuts the layout after its last line and marks an ellipsis, shortening the
 * last line at a word boundary until it and the ellipsis fit. */
static void cut_with_ellipsis(const char *text, int max_w, layout_measure_fn measure, void *ctx,
                              struct layout *out)
{
    if (out->n_lines == 0)
        return;
    struct layout_line *last = &out->lines[out->n_lines - 1];
    char buf[1024];
    for (;;) {
        size_t n = last->len < sizeof buf - 4 ? last->len : sizeof buf - 4;
        memcpy(buf, text + last->start, n);
        memcpy(buf + n, ELLIPSIS, 3);
        if (measure(ctx, out->size, buf, n + 3) <= max_w || last->len == 0)
            break;
        size_t sp = last->len;
        while (sp > 0 && text[last->start + sp - 1] != ' ')
            sp--;
        if (sp == 0) {
            /* A single long word: drop characters from its end. */
            size_t l = last->len - 1;
            while (l > 0 && ((unsigned char)text[last->start + l] & 0xC0) == 0x80)
                l--;
            last->len = l;
        } else {
            last->len = sp;
            while (last->len && text[last->start + last->len - 1] == ' ')
                last->len--;
        }
    }
    out->ellipsis = true;
}

int layout_fit(const char *text, int min_size, int max_size, int max_w, int max_h,
               double line_spacing, layout_measure_fn measure, void *ctx, struct layout *out)
{
    /* Binary search for the largest size that fits without splitting words. */
    int lo = min_size, hi = max_size, best = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (fits(text, mid, max_w, max_h, line_spacing, measure, ctx, out, false)) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (best < 0) {
        /* Words longer than a line (a URL): allow splitting them. */
        lo = min_size, hi = max_size;
        while (lo <= hi) {
            int mid = lo + (hi - lo) / 2;
            if (fits(text, mid, max_w, max_h, line_spacing, measure, ctx, out, true)) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
    }
    if (best >= 0) {
        fits(text, best, max_w, max_h, line_spacing, measure, ctx, out, true);
        return best;
    }
    /* Too long even at the smallest size: as much as fits, then "…". */
    layout_clamp(text, min_size, max_w, max_h / line_height(min_size, line_spacing),
                 line_spacing, measure, ctx, out);
    return min_size;
}

void layout_clamp(const char *text, int size, int max_w, int max_lines, double line_spacing,
                  layout_measure_fn measure, void *ctx, struct layout *out)
{
    if (max_lines < 1)
        max_lines = 1;
    int n = layout_wrap(text, size, max_w, max_lines, measure, ctx, out);
    out->line_height = line_height(size, line_spacing);
    if (n < 0)
        cut_with_ellipsis(text, max_w, measure, ctx, out);
}
