/* Fonts with fallback: see text.h. */
#include "render/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_ttf.h>

#include "base/log.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#define MAX_FONTS 12
#define RUN_MAX 4096

struct fontset {
    TTF_Font *fonts[MAX_FONTS];
    TTF_Font *bold;       /* bold face of the bundled font, or NULL */
    int n;
};

/* System fonts used for glyphs the main fonts lack, when installed. */
static const char *const fallback_paths[] = {
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/share/fonts/truetype/unifont/unifont.ttf",
};

static TTF_Font *open_font(const char *path)
{
    if (access(path, R_OK) != 0)
        return NULL;
    TTF_Font *f = TTF_OpenFont(path, 32);
    if (!f)
        LOG_W("render", "font %s: %s", path, TTF_GetError());
    return f;
}

struct fontset *fontset_create(const char *main_path, const char *assets_dir, char *err,
                               size_t errlen)
{
    struct fontset *fs = dp_calloc(1, sizeof *fs);
    char path[4096];
    if (main_path) {
        TTF_Font *f = open_font(main_path);
        if (f)
            fs->fonts[fs->n++] = f;
        else
            LOG_W("render", "font %s cannot be opened; using the bundled font", main_path);
    }
    snprintf(path, sizeof path, "%s/fonts/DejaVuSans.ttf", assets_dir);
    TTF_Font *bundled = open_font(path);
    if (bundled)
        fs->fonts[fs->n++] = bundled;
    snprintf(path, sizeof path, "%s/fonts/DejaVuSans-Bold.ttf", assets_dir);
    fs->bold = open_font(path);
    for (size_t i = 0; i < sizeof fallback_paths / sizeof *fallback_paths; i++) {
        if (fs->n >= MAX_FONTS)
            break;
        TTF_Font *f = open_font(fallback_paths[i]);
        if (f)
            fs->fonts[fs->n++] = f;
    }
    if (fs->n == 0) {
        snprintf(err, errlen, "no font found (looked for %s/fonts/DejaVuSans.ttf)", assets_dir);
        fontset_destroy(fs);
        return NULL;
    }
    return fs;
}

void fontset_destroy(struct fontset *fs)
{
    if (!fs)
        return;
    for (int i = 0; i < fs->n; i++)
        TTF_CloseFont(fs->fonts[i]);
    if (fs->bold)
        TTF_CloseFont(fs->bold);
    free(fs);
}

static int font_for(struct fontset *fs, uint32_t cp)
{
    if (cp < 0x80)
        return 0;
    for (int i = 0; i < fs->n; i++)
        if (TTF_GlyphIsProvided32(fs->fonts[i], cp))
            return i;
    return 0;
}

/* Calls fn for each run of s that one font can draw. */
typedef int (*run_fn)(struct fontset *fs, TTF_Font *font, const char *run, int x, void *arg);

static int for_each_run(struct fontset *fs, bool bold, int size, const char *s, size_t len,
                        run_fn fn, void *arg)
{
    size_t i = 0;
    int x = 0;
    char run[RUN_MAX];
    while (i < len) {
        size_t start = i, probe = i;
        uint32_t cp;
        dp_utf8_next(s, len, &probe, &cp);
        int which = font_for(fs, cp);
        size_t end = probe;
        while (end < len && end - start < RUN_MAX - 8) {
            size_t next = end;
            dp_utf8_next(s, len, &next, &cp);
            int w = font_for(fs, cp);
            /* Spaces and ASCII punctuation stay in the current run. */
            if (w != which && !(cp < 0x80 && cp != 0 && which != 0))
                break;
            end = next;
        }
        memcpy(run, s + start, end - start);
        run[end - start] = '\0';
        TTF_Font *font = (bold && which == 0 && fs->bold) ? fs->bold : fs->fonts[which];
        TTF_SetFontSize(font, size);
        x += fn(fs, font, run, x, arg);
        i = end;
    }
    return x;
}

static int measure_run(struct fontset *fs, TTF_Font *font, const char *run, int x, void *arg)
{
    int w = 0, h = 0;
    if (TTF_SizeUTF8(font, run, &w, &h) < 0)
        return 0;
    return w;
}

int fontset_measure(void *ctx, int size, const char *s, size_t len)
{
    return for_each_run(ctx, false, size, s, len, measure_run, NULL);
}

int fontset_measure_bold(struct fontset *fs, int size, const char *s, size_t len)
{
    return for_each_run(fs, true, size, s, len, measure_run, NULL);
}

struct draw_arg {
    SDL_Surface *dst;
    int x, y, baseline;
    SDL_Color color;
};

static int draw_run(struct fontset *fs, TTF_Font *font, const char *run, int x, void *argp)
{
    struct draw_arg *a = argp;
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, run, a->color);
    if (!s)
        return 0;
    SDL_SetSurfaceBlendMode(s, SDL_BLENDMODE_BLEND);
    SDL_Rect r = {a->x + x, a->y + a->baseline - TTF_FontAscent(font), s->w, s->h};
    SDL_BlitSurface(s, NULL, a->dst, &r);
    int w = s->w;
    SDL_FreeSurface(s);
    return w;
}

int fontset_draw(struct fontset *fs, SDL_Surface *dst, int x, int y, int size, bool bold,
                 const char *s, size_t len, SDL_Color color)
{
    TTF_Font *first = bold && fs->bold ? fs->bold : fs->fonts[0];
    TTF_SetFontSize(first, size);
    struct draw_arg a = {dst, x, y, TTF_FontAscent(first), color};
    return for_each_run(fs, bold, size, s, len, draw_run, &a);
}
