/* Bidirectional order of laid-out lines (UAX #9, ICU's ubidi): see
 * layout.h. ICU works on UTF-16, the layout on UTF-8 byte offsets: each
 * paragraph is converted once with a table from UTF-16 units to bytes. */
#include "render/layout_internal.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/ubidi.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "base/xalloc.h"

struct bidi_para {
    UChar *u16;
    int32_t *to_byte; /* UTF-16 index -> byte offset in the paragraph */
    int32_t n16;
    UBiDi *para, *line;
    bool rtl;
};

static void para_close(struct bidi_para *p)
{
    if (p->line)
        ubidi_close(p->line);
    if (p->para)
        ubidi_close(p->para);
    free(p->to_byte);
    free(p->u16);
    memset(p, 0, sizeof *p);
}

/* Converts s[0..len) and runs the bidi algorithm on it. Returns false when
 * ICU fails (the caller then keeps the logical order). */
static bool para_open(struct bidi_para *p, const char *s, size_t len)
{
    memset(p, 0, sizeof *p);
    if (len > INT32_MAX / 2)
        return false;
    p->u16 = dp_malloc((len + 1) * sizeof *p->u16);
    p->to_byte = dp_malloc((len + 1) * sizeof *p->to_byte);
    int32_t i = 0, n = (int32_t)len;
    while (i < n) {
        int32_t at = i;
        UChar32 c;
        U8_NEXT_OR_FFFD((const uint8_t *)s, i, n, c);
        if (U_IS_BMP(c)) {
            p->to_byte[p->n16] = at;
            p->u16[p->n16++] = (UChar)c;
        } else {
            p->to_byte[p->n16] = at;
            p->u16[p->n16++] = U16_LEAD(c);
            p->to_byte[p->n16] = at;
            p->u16[p->n16++] = U16_TRAIL(c);
        }
    }
    p->to_byte[p->n16] = n;
    UErrorCode st = U_ZERO_ERROR;
    p->para = ubidi_openSized(p->n16, 0, &st);
    p->line = ubidi_openSized(p->n16, 0, &st);
    if (U_SUCCESS(st))
        ubidi_setPara(p->para, p->u16, p->n16, UBIDI_DEFAULT_LTR, NULL, &st);
    if (U_FAILURE(st)) {
        para_close(p);
        return false;
    }
    p->rtl = ubidi_getParaLevel(p->para) & 1;
    return true;
}

/* The UTF-16 index of byte offset b (a character boundary). */
static int32_t to_u16(const struct bidi_para *p, size_t b)
{
    int32_t lo = 0, hi = p->n16;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if ((size_t)p->to_byte[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The visual runs of the line [start, start+len) of the paragraph (offsets
 * relative to it); `base` is added to every run's start. */
static int para_line_runs(struct bidi_para *p, size_t base, size_t start, size_t len,
                          struct layout_run *runs, int max_runs)
{
    if (len == 0 || max_runs < 1)
        return 0;
    int32_t s16 = to_u16(p, start), e16 = to_u16(p, start + len);
    UErrorCode st = U_ZERO_ERROR;
    ubidi_setLine(p->para, s16, e16, p->line, &st);
    int32_t n = U_SUCCESS(st) ? ubidi_countRuns(p->line, &st) : 0;
    if (U_FAILURE(st) || n < 1 || n > max_runs) {
        /* Too many runs for the table: the line in its paragraph's order. */
        runs[0] = (struct layout_run){base + start, len, p->rtl};
        return 1;
    }
    for (int32_t i = 0; i < n; i++) {
        int32_t ls = 0, ll = 0;
        UBiDiDirection d = ubidi_getVisualRun(p->line, i, &ls, &ll);
        size_t b0 = (size_t)p->to_byte[s16 + ls], b1 = (size_t)p->to_byte[s16 + ls + ll];
        runs[i] = (struct layout_run){base + b0, b1 - b0, d == UBIDI_RTL};
    }
    return n;
}

void layout_add_runs(const char *text, struct layout *out)
{
    out->n_runs = 0;
    int i = 0;
    while (i < out->n_lines) {
        /* The paragraph of line i: from the newline before it to the next. */
        size_t ps = out->lines[i].start;
        while (ps > 0 && text[ps - 1] != '\n')
            ps--;
        const char *nl = strchr(text + ps, '\n');
        size_t pe = nl ? (size_t)(nl - text) : strlen(text);
        int j = i;
        while (j < out->n_lines && out->lines[j].start + out->lines[j].len <= pe &&
               out->lines[j].start >= ps)
            j++;
        if (j == i)
            j = i + 1;
        struct bidi_para p;
        bool ok = para_open(&p, text + ps, pe - ps);
        for (int k = i; k < j; k++) {
            struct layout_line *ln = &out->lines[k];
            ln->first_run = out->n_runs;
            ln->rtl = ok && p.rtl;
            int room = LAYOUT_MAX_RUNS - out->n_runs;
            int n = 0;
            if (ln->len && room > 0 && ok) {
                n = para_line_runs(&p, ps, ln->start - ps, ln->len, out->runs + out->n_runs, room);
            } else if (ln->len && room > 0) {
                out->runs[out->n_runs] = (struct layout_run){ln->start, ln->len, false};
                n = 1;
            }
            ln->n_runs = n;
            out->n_runs += n;
        }
        if (ok)
            para_close(&p);
        i = j;
    }
}

int layout_runs(const char *s, size_t len, struct layout_run *runs, int max_runs, bool *rtl)
{
    if (rtl)
        *rtl = false;
    if (len == 0 || max_runs < 1)
        return 0;
    struct bidi_para p;
    if (!para_open(&p, s, len)) {
        runs[0] = (struct layout_run){0, len, false};
        return 1;
    }
    if (rtl)
        *rtl = p.rtl;
    int n = para_line_runs(&p, 0, 0, len, runs, max_runs);
    para_close(&p);
    return n;
}

bool layout_is_rtl(const char *s, size_t len)
{
    int32_t i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
    while (i < n) {
        UChar32 c;
        U8_NEXT_OR_FFFD((const uint8_t *)s, i, n, c);
        UCharDirection d = u_charDirection(c);
        if (d == U_LEFT_TO_RIGHT)
            return false;
        if (d == U_RIGHT_TO_LEFT || d == U_RIGHT_TO_LEFT_ARABIC)
            return true;
    }
    return false;
}
