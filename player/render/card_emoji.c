/* Custom emoji in card text: see card_emoji.h. */
#include "render/card_emoji.h"

#include <string.h>

#include "feed/feed.h"
#include "media/image.h"

static const char *next_mark(const char *s, size_t n)
{
    for (size_t i = 0; i + 3 <= n; i++)
        if (memcmp(s + i, POST_EMOJI_CHAR, 3) == 0)
            return s + i;
    return NULL;
}

size_t card_emoji_count(const char *s, size_t n)
{
    size_t k = 0;
    for (const char *p = s, *m; (m = next_mark(p, n - (size_t)(p - s))); p = m + 3)
        k++;
    return k;
}

static int text_width(struct fontset *fs, int size, bool bold, const char *s, size_t n)
{
    if (n == 0)
        return 0;
    return bold ? fontset_measure_bold(fs, size, s, n) : fontset_measure(fs, size, s, n);
}

int card_emoji_measure(struct fontset *fs, int size, bool bold, const char *s, size_t n)
{
    int w = 0;
    const char *p = s, *end = s + n, *m;
    while ((m = next_mark(p, (size_t)(end - p)))) {
        w += text_width(fs, size, bold, p, (size_t)(m - p)) + size;
        p = m + 3;
    }
    return w + text_width(fs, size, bold, p, (size_t)(end - p));
}

/* The picture fitted into a size x size square, its top at y. */
static void blit_emoji(SDL_Surface *dst, SDL_Surface *pic, int x, int y, int size)
{
    int w, h;
    image_fit(pic->w, pic->h, size, size, &w, &h);
    SDL_Surface *fit = image_resize(pic, w, h);
    if (!fit)
        return;
    SDL_Rect r = {x + (size - w) / 2, y + (size - h) / 2, w, h};
    SDL_SetSurfaceBlendMode(fit, SDL_BLENDMODE_BLEND);
    SDL_BlitSurface(fit, NULL, dst, &r);
    SDL_FreeSurface(fit);
}

int card_emoji_draw(struct fontset *fs, SDL_Surface *dst, int x, int y, int size, bool bold,
                    const char *s, size_t n, SDL_Color c, const struct card_emoji *em,
                    size_t first)
{
    int x0 = x;
    const char *p = s, *end = s + n, *m;
    while ((m = next_mark(p, (size_t)(end - p)))) {
        if (m > p)
            x += fontset_draw(fs, dst, x, y, size, bold, p, (size_t)(m - p), c);
        if (em && first < em->n && em->pics[first])
            blit_emoji(dst, em->pics[first], x, y, size);
        first++;
        x += size;
        p = m + 3;
    }
    if (end > p)
        x += fontset_draw(fs, dst, x, y, size, bold, p, (size_t)(end - p), c);
    return x - x0;
}
