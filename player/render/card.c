/* Cards: see card.h. */
#include "render/card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qrencode.h>

#include "base/xalloc.h"
#include "render/card_emoji.h"
#include "render/layout.h"

#define LINE_SPACING 1.25

static const SDL_Color WHITE = {255, 255, 255, 255};
static const SDL_Color GREY = {176, 184, 196, 255};
static const SDL_Color ACCENT = {96, 165, 250, 255};

static SDL_Surface *new_canvas(int w, int h, uint32_t rgb, uint8_t alpha)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s)
        return NULL;
    SDL_FillRect(s, NULL,
                 SDL_MapRGBA(s->format, (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255, alpha));
    return s;
}

static void fill(SDL_Surface *s, int x, int y, int w, int h, uint8_t r, uint8_t g, uint8_t b,
                 uint8_t a)
{
    SDL_Rect rect = {x, y, w, h};
    SDL_FillRect(s, &rect, SDL_MapRGBA(s->format, r, g, b, a));
}

/* The caption band's colour: a dark grey, so that the band shows across
 * the whole width even on a black background (black shading there was
 * invisible: the band looked as wide as the picture, its text ran off it). */
static const SDL_Color BAND = {28, 32, 40, 255};

/* Blends the band colour over a band of s at alpha a, across its whole
 * width (s keeps its alpha, or gets at least a on a transparent overlay). */
static void shade(SDL_Surface *s, int y, int h, uint8_t a)
{
    /* Clipped to the canvas: a margin or a band larger than the canvas
     * (a tiny --size, a huge margin) leaves y negative or past the end. */
    int end = h > s->h - y ? s->h : y + h;
    for (int row = y < 0 ? 0 : y; row < end; row++) {
        uint8_t *p = (uint8_t *)s->pixels + (size_t)row * s->pitch;
        for (int x = 0; x < s->w; x++, p += 4) {
            if (p[3] == 0) { /* transparent overlay: the band itself */
                p[0] = BAND.r;
                p[1] = BAND.g;
                p[2] = BAND.b;
            } else {
                p[0] = (uint8_t)((p[0] * (255 - a) + BAND.r * a) / 255);
                p[1] = (uint8_t)((p[1] * (255 - a) + BAND.g * a) / 255);
                p[2] = (uint8_t)((p[2] * (255 - a) + BAND.b * a) / 255);
            }
            if (p[3] < a)
                p[3] = a;
        }
    }
}

void card_media_box(int canvas_w, int canvas_h, const struct card_style *st, int *w, int *h)
{
    int m = st->margin;
    if (2 * m > canvas_w / 2 || 2 * m > canvas_h / 2)
        m = 0;
    *w = canvas_w - 2 * m;
    *h = canvas_h - 2 * m;
}

void card_relative_time(int64_t then_ms, int64_t now_ms, char *out, size_t cap)
{
    if (then_ms == DP_TIME_NONE) {
        out[0] = '\0';
        return;
    }
    int64_t s = (now_ms - then_ms) / 1000;
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(out, cap, "just now");
    else if (s < 3600)
        snprintf(out, cap, "%d min ago", (int)(s / 60));
    else if (s < 86400)
        snprintf(out, cap, "%d h ago", (int)(s / 3600));
    else if (s < 7 * 86400)
        snprintf(out, cap, "%d day%s ago", (int)(s / 86400), s < 2 * 86400 ? "" : "s");
    else {
        time_t t = (time_t)(then_ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(out, cap, "%d %b %Y", &tm);
    }
}

/* Measures the bytes before bold_end with the bold face: a title set above
 * the text. */
struct mixed {
    struct fontset *fs;
    const char *base;
    size_t bold_end;
};

static int measure_mixed(void *ctx, int size, const char *s, size_t len)
{
    struct mixed *m = ctx;
    return card_emoji_measure(m->fs, size, s < m->base + m->bold_end, s, len);
}

/* Draws the lines of l in the box from x, w wide: left-aligned, a line of a
 * right-to-left paragraph right-aligned; the bytes before bold_end in bold;
 * each U+FFFC as the custom emoji em has for it. */
static void draw_layout_bold(struct fontset *fs, SDL_Surface *dst, const char *text,
                             const struct layout *l, int x, int y, int w, SDL_Color c,
                             size_t bold_end, const struct card_emoji *em)
{
    char buf[4096];
    for (int i = 0; i < l->n_lines; i++) {
        const struct layout_line *ln = &l->lines[i];
        int ly = y + i * l->line_height;
        size_t nb = ln->start < bold_end ? bold_end - ln->start : 0;
        size_t e = card_emoji_count(text, ln->start);
        bool pictures = card_emoji_count(text + ln->start, ln->len) > 0;
        if (!pictures && (nb == 0 || nb >= ln->len)) {
            /* One weight, no pictures: the runs in their visual order. */
            bool bold = nb > 0;
            int lx = x;
            if (ln->rtl)
                lx = x + w - fontset_line_width(fs, bold, text, l, i);
            fontset_draw_line(fs, dst, lx, ly, bold, text, l, i, c);
            continue;
        }
        /* A line with custom emoji or where the bold title ends: its pieces
         * in logical order (the bold part, then the rest), pictures inline. */
        size_t n = ln->len < sizeof buf - 4 ? ln->len : sizeof buf - 4;
        memcpy(buf, text + ln->start, n);
        if (l->ellipsis && i == l->n_lines - 1) {
            memcpy(buf + n, "\xE2\x80\xA6", 3);
            n += 3;
        }
        if (nb > n)
            nb = n;
        int lx = x;
        if (ln->rtl)
            lx = x + w - card_emoji_measure(fs, l->size, true, buf, nb) -
                 card_emoji_measure(fs, l->size, false, buf + nb, n - nb);
        int bx = nb ? card_emoji_draw(fs, dst, lx, ly, l->size, true, buf, nb, c, em, e) : 0;
        if (nb < n)
            card_emoji_draw(fs, dst, lx + bx, ly, l->size, false, buf + nb, n - nb, c, em,
                            e + card_emoji_count(buf, nb));
    }
}

/* The QR code of link in the bottom-right corner of the safe area. Returns
 * the width it takes (0 when there is none). */
static int draw_qr(SDL_Surface *s, const struct card_style *st, const char *link, int opaque_bg)
{
    if (!st->show_qr || !link || !*link)
        return 0;
    QRcode *qr = QRcode_encodeString(link, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return 0;
    int quiet = 2;
    int target = (s->h < s->w ? s->h : s->w) / 7;
    int mod = target / (qr->width + 2 * quiet);
    if (mod < 2)
        mod = 2;
    int size = mod * (qr->width + 2 * quiet);
    int pad = st->margin + (s->h < s->w ? s->h : s->w) / 40;
    int x0 = s->w - pad - size, y0 = s->h - pad - size;
    fill(s, x0, y0, size, size, 255, 255, 255, 255);
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++)
            if (qr->data[y * qr->width + x] & 1)
                fill(s, x0 + (x + quiet) * mod, y0 + (y + quiet) * mod, mod, mod, 0, 0, 0, 255);
    QRcode_free(qr);
    (void)opaque_bg;
    return size + pad;
}

SDL_Surface *card_text(struct fontset *fs, int w, int h, const struct card_style *st,
                       const struct post *post, int64_t now_wall_ms)
{
    uint32_t bg = st->background;
    SDL_Surface *s = new_canvas(w, h, bg == 0 ? 0x111827 : bg, 255);
    if (!s)
        return NULL;
    int unit = (w < h ? w : h);
    int pad = st->margin + unit / 16;
    int qr_w = draw_qr(s, st, post->link, 1);

    /* Header: an accent bar, the author in bold, the relative time; from
     * the right edge, mirrored, when the post is right-to-left; none at all
     * without an author and a date (a text file in a folder). */
    int head = unit / 24;
    fontset_set_text(fs, post->text);
    bool rtl = layout_is_rtl(post->text, strlen(post->text));
    int bar = head / 4 > 3 ? head / 4 : 3;
    const char *author = post->author && *post->author ? post->author : "";
    char when[64], sep[16] = "";
    card_relative_time(post->published_ms, now_wall_ms, when, sizeof when);
    if (*author || *when)
        fill(s, rtl ? w - pad - bar : pad, pad, bar, head * 3 / 2, ACCENT.r, ACCENT.g, ACCENT.b,
             255);
    if (*author && *when)
        snprintf(sep, sizeof sep, "  \xC2\xB7  ");
    int aw = fontset_measure_bold(fs, head, author, strlen(author));
    int sw = fontset_measure(fs, head, sep, strlen(sep));
    int tw = fontset_measure(fs, head, when, strlen(when));
    int hx = rtl ? w - pad - head - aw - sw - tw : pad + head;
    int ax = rtl ? hx + tw + sw : hx, tx = rtl ? hx : hx + aw + sw;
    if (*author)
        fontset_draw(fs, s, ax, pad, head, true, author, strlen(author), WHITE);
    if (*sep)
        fontset_draw(fs, s, rtl ? hx + tw : hx + aw, pad, head, false, sep, strlen(sep), GREY);
    if (*when)
        fontset_draw(fs, s, tx, pad, head, false, when, strlen(when), GREY);

    /* Body: the title and the text, as large as fits. */
    char *body;
    size_t bold_end = 0;
    if (post->title && *post->title && strncmp(post->title, post->text, strlen(post->title))) {
        body = *post->text ? dp_strfmt("%s\n%s", post->title, post->text) : dp_strdup(post->title);
        bold_end = strlen(post->title);
    } else {
        body = dp_strdup(post->text);
    }
    struct mixed mctx = {fs, body, bold_end};
    int top = pad + head * 5 / 2;
    int bw = w - 2 * pad, bh = h - top - pad;
    if (qr_w)
        bw -= qr_w;
    if (bw < unit / 4)
        bw = w - 2 * pad;
    struct layout *l = dp_malloc(sizeof *l);
    layout_fit(body, unit / 30, unit / 7, bw, bh, LINE_SPACING, measure_mixed, &mctx, l);
    int used = l->n_lines * l->line_height;
    int y = top + (bh - used) / 2;
    if (y < top)
        y = top;
    draw_layout_bold(fs, s, body, l, pad, y, bw, WHITE, bold_end, st->emoji);
    free(l);
    free(body);
    return s;
}

/* The caption band: the post's text, at most three lines, at the bottom. */
static void draw_caption(struct fontset *fs, SDL_Surface *s, const struct card_style *st,
                         const struct post *post, int qr_w)
{
    const char *text = post->text && *post->text ? post->text : NULL;
    const char *title = post->title && *post->title ? post->title : NULL;
    if (title && text && strncmp(title, text, strlen(title)) == 0)
        title = NULL; /* the text starts with its title already */
    if (!text && !title)
        return;
    int unit = s->w < s->h ? s->w : s->h;
    int size = unit / 26;
    int pad = st->margin + unit / 40;
    int max_w = s->w - 2 * pad - qr_w;
    struct layout *l = dp_malloc(sizeof *l);
    /* The title (bold) leads; newlines become spaces: a caption is one
     * flowing paragraph. */
    char *flat = title && text ? dp_strfmt("%s \xE2\x80\x94 %s", title, text)
                               : dp_strdup(text ? text : title);
    size_t bold_end = title ? strlen(title) : 0;
    for (char *p = flat; *p; p++)
        if (*p == '\n')
            *p = ' ';
    fontset_set_text(fs, flat);
    struct mixed mctx = {fs, flat, bold_end};
    layout_clamp(flat, size, max_w, 3, LINE_SPACING, measure_mixed, &mctx, l);
    int band = l->n_lines * l->line_height + 2 * (unit / 40);
    int y = s->h - st->margin - band;
    shade(s, y, band + st->margin, 190);
    draw_layout_bold(fs, s, flat, l, pad, y + unit / 40, max_w, WHITE, bold_end, st->emoji);
    free(flat);
    free(l);
}

SDL_Surface *card_media(struct fontset *fs, int w, int h, const struct card_style *st,
                        SDL_Surface *media, const struct post *post)
{
    SDL_Surface *s = new_canvas(w, h, st->background, 255);
    if (!s)
        return NULL;
    SDL_Rect r = {(w - media->w) / 2, (h - media->h) / 2, media->w, media->h};
    SDL_SetSurfaceBlendMode(media, SDL_BLENDMODE_BLEND);
    SDL_BlitSurface(media, NULL, s, &r);
    int qr_w = draw_qr(s, st, post->link, 0);
    draw_caption(fs, s, st, post, qr_w);
    return s;
}

SDL_Surface *card_overlay(struct fontset *fs, int w, int h, const struct card_style *st,
                          const struct post *post)
{
    SDL_Surface *s = new_canvas(w, h, 0, 0);
    if (!s)
        return NULL;
    int qr_w = draw_qr(s, st, post->link, 0);
    draw_caption(fs, s, st, post, qr_w);
    return s;
}

SDL_Surface *card_standby(struct fontset *fs, int w, int h, const struct card_style *st,
                          const char *feed_title, int64_t now_wall_ms, int downloading,
                          int percent)
{
    SDL_Surface *s = new_canvas(w, h, 0x0b1020, 255);
    if (!s)
        return NULL;
    int unit = w < h ? w : h;
    int max_w = w - 2 * (st->margin + unit / 16);
    const char *title = feed_title && *feed_title ? feed_title : "deskplayer";
    fontset_set_text(fs, title);
    struct layout *l = dp_malloc(sizeof *l);
    layout_clamp(title, unit / 12, max_w, 2, LINE_SPACING, fontset_measure, fs, l);
    int y = h / 4;
    for (int i = 0; i < l->n_lines; i++) {
        int lw = fontset_line_width(fs, false, title, l, i);
        fontset_draw_line(fs, s, (w - lw) / 2, y + i * l->line_height, false, title, l, i, WHITE);
    }
    y += l->n_lines * l->line_height + unit / 20;
    free(l);

    char clock[16];
    time_t t = (time_t)(now_wall_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(clock, sizeof clock, "%H:%M", &tm);
    int cs = unit / 6;
    int cw = fontset_measure_bold(fs, cs, clock, strlen(clock));
    fontset_draw(fs, s, (w - cw) / 2, y, cs, true, clock, strlen(clock), WHITE);
    y += cs * 3 / 2;

    const char *wait = "waiting for content";
    int ws = unit / 22;
    int ww = fontset_measure(fs, ws, wait, strlen(wait));
    fontset_draw(fs, s, (w - ww) / 2, y, ws, false, wait, strlen(wait), GREY);
    y += ws * 2;
    if (downloading > 0) {
        char line[96];
        if (percent >= 0)
            snprintf(line, sizeof line, "%d media file%s downloading (%d%%)", downloading,
                     downloading == 1 ? "" : "s", percent);
        else
            snprintf(line, sizeof line, "%d media file%s downloading", downloading,
                     downloading == 1 ? "" : "s");
        int lw = fontset_measure(fs, ws, line, strlen(line));
        fontset_draw(fs, s, (w - lw) / 2, y, ws, false, line, strlen(line), ACCENT);
    }
    return s;
}
