/* Custom emoji in card text (issue 10): each U+FFFC of a post's text stands
 * for the picture post->emoji[i] (Mastodon); the loader decodes them from
 * the cache and the cards draw them inline, scaled to the text's size.
 * Loader thread (with the cards). */
#ifndef DP_CARD_EMOJI_H
#define DP_CARD_EMOJI_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

#include "render/text.h"

struct card_emoji {
    SDL_Surface **pics; /* pics[i] for the i-th U+FFFC; NULL entries: not drawn */
    size_t n;
};

/* How many U+FFFC are in s[0..n). */
size_t card_emoji_count(const char *s, size_t n);
/* The width of s[0..n) at size, each U+FFFC a square of the size. */
int card_emoji_measure(struct fontset *fs, int size, bool bold, const char *s, size_t n);
/* Draws s[0..n) with its top at y, the U+FFFC from em->pics[first] on
 * (em may be NULL: nothing drawn for them). Returns the width. */
int card_emoji_draw(struct fontset *fs, SDL_Surface *dst, int x, int y, int size, bool bold,
                    const char *s, size_t n, SDL_Color c, const struct card_emoji *em,
                    size_t first);

#endif
