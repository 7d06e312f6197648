/* Fonts with fallback, runs: see text.h. A string is cut into grapheme
 * clusters; consecutive clusters with one face and one script are a piece,
 * shaped by SDL_ttf (HarfBuzz) with that script and the run's direction.
 * The pieces of a right-to-left run are drawn from its right end. */
#include "render/text_internal.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include "base/xalloc.h"

#define ELLIPSIS "\xE2\x80\xA6"
#define LINE_RUNS 64

struct piece {
    size_t start, len;
    int face;       /* -1: a box for a missing cluster */
    char script[5]; /* ISO 15924, "" for common characters only */
};

struct pieces {
    struct piece *v;
    int n, cap;
};

static void cluster_read(const char *s, size_t a, size_t b, struct cluster *c)
{
    memset(c, 0, sizeof *c);
    int32_t i = (int32_t)a, end = (int32_t)b;
    bool zwj = false, modifier = false, vs16 = false, vs15 = false;
    while (i < end && c->n < TEXT_CLUSTER_MAX) {
        UChar32 cp;
        U8_NEXT_OR_FFFD((const uint8_t *)s, i, end, cp);
        c->cps[c->n++] = (uint32_t)cp;
        zwj |= cp == 0x200D;
        vs16 |= cp == 0xFE0F;
        vs15 |= cp == 0xFE0E;
        modifier |= cp >= 0x1F3FB && cp <= 0x1F3FF;
    }
    UChar32 first = (UChar32)c->cps[0];
    bool pict = u_hasBinaryProperty(first, UCHAR_EXTENDED_PICTOGRAPHIC);
    c->emoji = !vs15 && (vs16 || u_hasBinaryProperty(first, UCHAR_EMOJI_PRESENTATION) ||
                         (pict && (zwj || modifier)) ||
                         u_hasBinaryProperty(first, UCHAR_REGIONAL_INDICATOR));
    UErrorCode st = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(first, &st);
    c->common = !c->emoji && (sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED);
}

/* The fontconfig language for a script ("ja" for Han among kana). */
static const char *script_lang(UScriptCode sc, bool kana)
{
    switch (sc) {
    case USCRIPT_ARABIC:
        return "ar";
    case USCRIPT_HEBREW:
        return "he";
    case USCRIPT_HAN:
        return kana ? "ja" : "zh-cn";
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
        return "ja";
    case USCRIPT_HANGUL:
        return "ko";
    case USCRIPT_THAI:
        return "th";
    case USCRIPT_DEVANAGARI:
        return "hi";
    case USCRIPT_CYRILLIC:
        return "ru";
    case USCRIPT_GREEK:
        return "el";
    case USCRIPT_ARMENIAN:
        return "hy";
    case USCRIPT_GEORGIAN:
        return "ka";
    case USCRIPT_ETHIOPIC:
        return "am";
    default:
        return NULL;
    }
}

static void pieces_push(struct pieces *p, struct piece pc)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = dp_realloc(p->v, (size_t)p->cap * sizeof *p->v);
    }
    p->v[p->n++] = pc;
}

/* Cuts s[0..len) into pieces (logical order). */
static void itemize(struct fontset *fs, const char *s, size_t len, bool bold, struct pieces *out)
{
    out->n = 0;
    if (len == 0)
        return;
    bool kana = fs->japanese;
    UText ut = UTEXT_INITIALIZER;
    UErrorCode st = U_ZERO_ERROR;
    utext_openUTF8(&ut, s, (int64_t)len, &st);
    ubrk_setUText(fs->clusters, &ut, &st);
    size_t a = 0;
    struct piece cur = {0, 0, -2, ""};
    while (a < len) {
        size_t b;
        if (U_SUCCESS(st)) {
            int32_t nb = ubrk_following(fs->clusters, (int32_t)a);
            b = nb == UBRK_DONE || (size_t)nb > len ? len : (size_t)nb;
        } else {
            int32_t i = (int32_t)a;
            U8_FWD_1(s, i, (int32_t)len);
            b = (size_t)i;
        }
        struct cluster c;
        cluster_read(s, a, b, &c);
        UErrorCode e2 = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript((UChar32)c.cps[0], &e2);
        const char *script = c.common || c.emoji ? "" : uscript_getShortName(sc);
        if (!script)
            script = "";
        int face = text_face_for(fs, &c, bold, cur.face >= 0 ? cur.face : -1,
                                 script_lang(sc, kana));
        bool same = face >= 0 && face == cur.face &&
                    (!*script || !*cur.script || strcmp(script, cur.script) == 0);
        if (same) {
            cur.len = b - cur.start;
            if (!*cur.script && *script)
                snprintf(cur.script, sizeof cur.script, "%.4s", script);
        } else {
            if (cur.face != -2)
                pieces_push(out, cur);
            cur = (struct piece){a, b - a, face, ""};
            snprintf(cur.script, sizeof cur.script, "%.4s", script);
        }
        a = b;
    }
    pieces_push(out, cur);
    utext_close(&ut);
}

/* The first regular face at size: the baseline and the line's height. */
static void ref_metrics(struct fontset *fs, int size)
{
    if (fs->ref_size == size)
        return;
    struct face *f = &fs->faces[fs->regular[0]];
    text_face_set(f, size, false, NULL);
    fs->ref_size = size;
    fs->ref_ascent = TTF_FontAscent(f->font);
    fs->ref_height = TTF_FontHeight(f->font);
}

static const char *piece_text(struct fontset *fs, const char *s, const struct piece *p)
{
    if (p->len + 1 > fs->buf_cap) {
        fs->buf_cap = p->len + 1 < 256 ? 256 : p->len + 1;
        free(fs->buf);
        fs->buf = dp_malloc(fs->buf_cap);
    }
    memcpy(fs->buf, s + p->start, p->len);
    fs->buf[p->len] = '\0';
    return fs->buf;
}

static bool script_rtl(const char *script)
{
    if (!*script)
        return false;
    return uscript_isRightToLeft((UScriptCode)u_getPropertyValueEnum(UCHAR_SCRIPT, script));
}

/* The scale of a bitmap face: its strike fitted to the line's height. */
static double bitmap_scale(struct fontset *fs, struct face *f)
{
    int h = TTF_FontHeight(f->font);
    return h > 0 ? (double)fs->ref_height / h : 1.0;
}

static int box_width(int size)
{
    return size * 3 / 5 > 1 ? size * 3 / 5 : 1;
}

static int piece_width(struct fontset *fs, const char *s, const struct piece *p, int size,
                       bool rtl)
{
    if (p->face < 0)
        return box_width(size);
    struct face *f = &fs->faces[p->face];
    ref_metrics(fs, size);
    text_face_set(f, size, rtl, *p->script ? p->script : NULL);
    int w = 0, h = 0;
    if (TTF_SizeUTF8(f->font, piece_text(fs, s, p), &w, &h) < 0)
        return 0;
    return f->bitmap ? (int)(w * bitmap_scale(fs, f) + 0.5) : w;
}

static int measure_with(struct fontset *fs, bool bold, int size, const char *s, size_t len)
{
    struct pieces ps = {0};
    itemize(fs, s, len, bold, &ps);
    int w = 0;
    for (int i = 0; i < ps.n; i++)
        w += piece_width(fs, s, &ps.v[i], size, script_rtl(ps.v[i].script));
    free(ps.v);
    return w;
}

int fontset_measure(void *ctx, int size, const char *s, size_t len)
{
    return measure_with(ctx, false, size, s, len);
}

int fontset_measure_bold(struct fontset *fs, int size, const char *s, size_t len)
{
    return measure_with(fs, true, size, s, len);
}

/* src scaled to dw x dh by averaging the source pixels each one covers
 * (premultiplied alpha). Returns NULL when out of memory. */
static SDL_Surface *scale_area(SDL_Surface *src, int dw, int dh)
{
    SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormat(0, dw, dh, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!dst)
        return NULL;
    int sw = src->w, sh = src->h;
    for (int y = 0; y < dh; y++) {
        int y0 = (int)((int64_t)y * sh / dh), y1 = (int)((int64_t)(y + 1) * sh / dh);
        if (y1 <= y0)
            y1 = y0 + 1;
        uint32_t *out = (uint32_t *)((uint8_t *)dst->pixels + (size_t)y * dst->pitch);
        for (int x = 0; x < dw; x++) {
            int x0 = (int)((int64_t)x * sw / dw), x1 = (int)((int64_t)(x + 1) * sw / dw);
            if (x1 <= x0)
                x1 = x0 + 1;
            uint64_t sa = 0, sr = 0, sg = 0, sb = 0, n = 0;
            for (int yy = y0; yy < y1 && yy < sh; yy++) {
                const uint32_t *in = (const uint32_t *)((const uint8_t *)src->pixels +
                                                        (size_t)yy * src->pitch);
                for (int xx = x0; xx < x1 && xx < sw; xx++) {
                    uint32_t p = in[xx], a = p >> 24;
                    sa += a;
                    sr += ((p >> 16) & 255) * a;
                    sg += ((p >> 8) & 255) * a;
                    sb += (p & 255) * a;
                    n++;
                }
            }
            uint32_t a = n ? (uint32_t)(sa / n) : 0;
            uint32_t r = sa ? (uint32_t)(sr / sa) : 0, g = sa ? (uint32_t)(sg / sa) : 0,
                     b = sa ? (uint32_t)(sb / sa) : 0;
            out[x] = a << 24 | r << 16 | g << 8 | b;
        }
    }
    return dst;
}

static void draw_box(SDL_Surface *dst, int x, int baseline, int size, SDL_Color c)
{
    int w = box_width(size), t = size / 16 > 1 ? size / 16 : 1;
    int h = size * 7 / 10 > 2 ? size * 7 / 10 : 2;
    int bx = x + w / 8, bw = w - w / 4 > 2 ? w - w / 4 : 2, by = baseline - h;
    Uint32 col = SDL_MapRGBA(dst->format, c.r, c.g, c.b, c.a);
    SDL_Rect edges[4] = {
        {bx, by, bw, t}, {bx, by + h - t, bw, t}, {bx, by, t, h}, {bx + bw - t, by, t, h}};
    SDL_FillRects(dst, edges, 4, col);
}

static int draw_piece(struct fontset *fs, SDL_Surface *dst, int x, int baseline, int size,
                      const char *s, const struct piece *p, bool rtl, SDL_Color color)
{
    int w = piece_width(fs, s, p, size, rtl);
    if (p->face < 0) {
        draw_box(dst, x, baseline, size, color);
        return w;
    }
    struct face *f = &fs->faces[p->face];
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f->font, piece_text(fs, s, p), color);
    if (!surf)
        return w;
    int top = baseline - TTF_FontAscent(f->font);
    if (f->bitmap) {
        double k = bitmap_scale(fs, f);
        int dw = (int)(surf->w * k + 0.5), dh = (int)(surf->h * k + 0.5);
        SDL_Surface *conv = surf;
        if (surf->format->format != SDL_PIXELFORMAT_ARGB8888)
            conv = SDL_ConvertSurfaceFormat(surf, SDL_PIXELFORMAT_ARGB8888, 0);
        SDL_Surface *scaled = conv && dw > 0 && dh > 0 ? scale_area(conv, dw, dh) : NULL;
        if (conv && conv != surf)
            SDL_FreeSurface(conv);
        SDL_FreeSurface(surf);
        if (!scaled)
            return w;
        surf = scaled;
        top = baseline - (int)(TTF_FontAscent(f->font) * k + 0.5);
    }
    SDL_SetSurfaceBlendMode(surf, SDL_BLENDMODE_BLEND);
    SDL_Rect r = {x, top, surf->w, surf->h};
    SDL_BlitSurface(surf, NULL, dst, &r);
    SDL_FreeSurface(surf);
    return w;
}

/* One directional run: its pieces from the left on screen. */
static int draw_run(struct fontset *fs, SDL_Surface *dst, int x, int baseline, int size, bool bold,
                    const char *s, size_t len, bool rtl, SDL_Color color)
{
    struct pieces ps = {0};
    itemize(fs, s, len, bold, &ps);
    int w = 0;
    for (int k = 0; k < ps.n; k++) {
        const struct piece *p = &ps.v[rtl ? ps.n - 1 - k : k];
        w += draw_piece(fs, dst, x + w, baseline, size, s, p, rtl, color);
    }
    free(ps.v);
    return w;
}

static int draw_runs(struct fontset *fs, SDL_Surface *dst, int x, int y, int size, bool bold,
                     const char *text, const struct layout_run *runs, int n_runs, SDL_Color color)
{
    ref_metrics(fs, size);
    int baseline = y + fs->ref_ascent, w = 0;
    for (int i = 0; i < n_runs; i++) {
        w += draw_run(fs, dst, x + w, baseline, size, bold, text + runs[i].start, runs[i].len,
                      runs[i].rtl, color);
        ref_metrics(fs, size);
    }
    return w;
}

int fontset_draw(struct fontset *fs, SDL_Surface *dst, int x, int y, int size, bool bold,
                 const char *s, size_t len, SDL_Color color)
{
    struct layout_run runs[LINE_RUNS];
    int n = layout_runs(s, len, runs, LINE_RUNS, NULL);
    return draw_runs(fs, dst, x, y, size, bold, s, runs, n, color);
}

static bool has_ellipsis(const struct layout *l, int i)
{
    return l->ellipsis && i == l->n_lines - 1;
}

int fontset_line_width(struct fontset *fs, bool bold, const char *text, const struct layout *l,
                       int i)
{
    const struct layout_line *ln = &l->lines[i];
    int w = measure_with(fs, bold, l->size, text + ln->start, ln->len);
    if (has_ellipsis(l, i))
        w += measure_with(fs, bold, l->size, ELLIPSIS, 3);
    return w;
}

int fontset_draw_line(struct fontset *fs, SDL_Surface *dst, int x, int y, bool bold,
                      const char *text, const struct layout *l, int i, SDL_Color color)
{
    const struct layout_line *ln = &l->lines[i];
    struct layout_run dots = {0, 3, ln->rtl};
    int w = 0;
    if (has_ellipsis(l, i) && ln->rtl)
        w += draw_runs(fs, dst, x, y, l->size, bold, ELLIPSIS, &dots, 1, color);
    w += draw_runs(fs, dst, x + w, y, l->size, bold, text, l->runs + ln->first_run, ln->n_runs,
                   color);
    if (has_ellipsis(l, i) && !ln->rtl)
        w += draw_runs(fs, dst, x + w, y, l->size, bold, ELLIPSIS, &dots, 1, color);
    return w;
}
