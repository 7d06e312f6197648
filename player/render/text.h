/* Fonts with fallback: text is split into runs, each drawn with the first
 * font of the set that has its glyphs (the main font, the bundled font, then
 * system fallbacks for emoji, CJK, Arabic, Hebrew when installed).
 * A fontset is used by one thread only (the loader): SDL_ttf fonts are not
 * shared between threads. */
#ifndef DP_TEXT_H
#define DP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

struct fontset;

/* main_path: the configured font or NULL; assets_dir holds the bundled
 * fonts. Returns NULL with a message in err when no font can be opened.
 * Requires TTF_Init. */
struct fontset *fontset_create(const char *main_path, const char *assets_dir, char *err,
                               size_t errlen);
void fontset_destroy(struct fontset *fs);       /* NULL ok */

/* Width of s[0..len) at size: a layout_measure_fn (ctx is the fontset). */
int fontset_measure(void *fs, int size, const char *s, size_t len);
/* Draws s[0..len) with its top at y, blended onto dst. Returns its width. */
int fontset_draw(struct fontset *fs, SDL_Surface *dst, int x, int y, int size, bool bold,
                 const char *s, size_t len, SDL_Color color);
/* Width with the bold face (for headers). */
int fontset_measure_bold(struct fontset *fs, int size, const char *s, size_t len);

#endif
