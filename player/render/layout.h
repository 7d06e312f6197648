/* Text layout: word wrapping and auto-sizing, independent of any font
 * library (a measuring callback gives widths), so that it is unit-tested
 * without SDL. Pure; any thread. */
#ifndef DP_LAYOUT_H
#define DP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#define LAYOUT_MAX_LINES 256

/* Width in pixels of s[0..len) at font size `size`. */
typedef int (*layout_measure_fn)(void *ctx, int size, const char *s, size_t len);

struct layout_line {
    size_t start, len;      /* bytes of the text, trailing spaces excluded */
};

struct layout {
    int size;               /* font size chosen */
    int line_height;        /* pixels from one baseline to the next */
    int n_lines;
    bool broke_word;        /* a word wider than the line had to be split */
    bool ellipsis;          /* the last line must be drawn with a trailing "…" */
    struct layout_line lines[LAYOUT_MAX_LINES];
};

/* Wraps text at `size` into lines no wider than max_w: breaks at spaces,
 * keeps explicit newlines, splits a word between characters only when the
 * word alone is wider than a line. Returns the number of lines, or -1 when
 * more than max_lines would be needed (out holds the first max_lines). */
int layout_wrap(const char *text, int size, int max_w, int max_lines, layout_measure_fn measure,
                void *ctx, struct layout *out);

/* The largest size in [min_size, max_size] at which text, wrapped, fits in
 * max_w x max_h with lines of size*line_spacing pixels, preferring sizes
 * where no word is split. When even min_size overflows, the text is laid out
 * at min_size and cut after the last line that fits, with an ellipsis.
 * Returns the size chosen. */
int layout_fit(const char *text, int min_size, int max_size, int max_w, int max_h,
               double line_spacing, layout_measure_fn measure, void *ctx, struct layout *out);

/* At a fixed size, at most max_lines lines; when the text is longer the last
 * line is shortened at a word boundary so that it and a trailing "…" fit. */
void layout_clamp(const char *text, int size, int max_w, int max_lines, double line_spacing,
                  layout_measure_fn measure, void *ctx, struct layout *out);

#endif
