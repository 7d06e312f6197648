/* Text layout: line breaking, bidirectional order and auto-sizing, free of
 * any font library (a measuring callback gives widths), so that it is
 * unit-tested without SDL. The Unicode rules come from ICU: line breaks of
 * UAX #14 (breaks between ideographs, none before 。、，」） or after 「（,
 * dictionaries for Thai and the like) with the French rules on top (« and »
 * stay with their words), grapheme clusters of UAX #29 (never split), and
 * the bidirectional algorithm of UAX #9 (each line's runs in visual order).
 * Pure; any thread. */
#ifndef DP_LAYOUT_H
#define DP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#define LAYOUT_MAX_LINES 256
#define LAYOUT_MAX_RUNS 1024 /* runs of all lines together */

/* Width in pixels of s[0..len) at font size `size`; s is in logical order
 * and holds whole grapheme clusters. */
typedef int (*layout_measure_fn)(void *ctx, int size, const char *s, size_t len);

/* A directional run: bytes of the text in logical order, drawn left to
 * right when !rtl, right to left (shaped as right-to-left) when rtl. */
struct layout_run {
    size_t start, len;
    bool rtl;
};

struct layout_line {
    size_t start, len;     /* bytes of the text, trailing spaces excluded */
    bool rtl;              /* its paragraph is right-to-left: align it right */
    int first_run, n_runs; /* runs[first_run..+n_runs), left to right on screen */
};

struct layout {
    int size;        /* font size chosen */
    int line_height; /* pixels from one baseline to the next */
    int n_lines;
    bool broke_word; /* a word wider than the line had to be split */
    bool ellipsis;   /* the last line must be drawn with a trailing "…" */
    struct layout_line lines[LAYOUT_MAX_LINES];
    int n_runs;
    struct layout_run runs[LAYOUT_MAX_RUNS];
};

/* Wraps text at `size` into lines no wider than max_w: breaks where UAX #14
 * allows (and the French rules do not forbid), keeps explicit newlines,
 * splits a word between grapheme clusters only when the word alone is wider
 * than a line. Fills each line's visual runs. Returns the number of lines,
 * or -1 when more than max_lines would be needed (out holds the first
 * max_lines). */
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

/* The visual runs of s[0..len) set as one line (a paragraph of its own):
 * at most max_runs, left to right on screen (the rest of the text, if any,
 * joins the last run). *rtl tells the paragraph's direction (may be NULL).
 * Returns the number of runs (0 for an empty string). */
int layout_runs(const char *s, size_t len, struct layout_run *runs, int max_runs, bool *rtl);

/* The direction of a paragraph of s[0..len) per UAX #9 (its first strong
 * character; left-to-right when it has none). */
bool layout_is_rtl(const char *s, size_t len);

#endif
