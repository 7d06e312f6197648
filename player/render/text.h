/* Fonts with fallback, text in every script. A string is cut into
 * grapheme clusters (UAX #29); each cluster is drawn with the first font
 * that has all of it: the configured font, the bundled DejaVu, then fonts
 * fontconfig finds for its characters and language (a colour emoji font
 * first for emoji sequences; a bold face for bold text where one exists).
 * Clusters of one font, script and direction form runs shaped by HarfBuzz
 * (SDL_ttf) with that script and direction. Bitmap colour fonts are scaled
 * to the line. A cluster no installed font has is one box, and the log
 * names its code point once.
 * A fontset is used by one thread only (the loader): SDL_ttf fonts are not
 * shared between threads. */
#ifndef DP_TEXT_H
#define DP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

#include "render/layout.h"

struct fontset;

/* main_path: the configured font or NULL; assets_dir holds the bundled
 * fonts. Returns NULL with a message in err when no font can be opened.
 * Requires TTF_Init. */
struct fontset *fontset_create(const char *main_path, const char *assets_dir, char *err,
                               size_t errlen);
void fontset_destroy(struct fontset *fs); /* NULL ok */

/* Width of s[0..len) (logical order) at size: a layout_measure_fn (ctx is
 * the fontset). */
int fontset_measure(void *fs, int size, const char *s, size_t len);
/* Width with the bold faces (for headers). */
int fontset_measure_bold(struct fontset *fs, int size, const char *s, size_t len);

/* Draws s[0..len) as one line in its bidirectional order (UAX #9), from x
 * to the right, with its top at y, blended onto dst. Returns its width. */
int fontset_draw(struct fontset *fs, SDL_Surface *dst, int x, int y, int size, bool bold,
                 const char *s, size_t len, SDL_Color color);

/* Width of line i of l (text is what l was laid out from), with its "…"
 * when it is the last line of a cut layout. */
int fontset_line_width(struct fontset *fs, bool bold, const char *text, const struct layout *l,
                       int i);
/* Draws line i of l from x (its left edge on screen), top at y: its runs in
 * visual order, the "…" at its logical end (the left of a right-to-left
 * line). Returns its width. */
int fontset_draw_line(struct fontset *fs, SDL_Surface *dst, int x, int y, bool bold,
                      const char *text, const struct layout *l, int i, SDL_Color color);

/* The whole text about to be set (a post, a title): ideographs are drawn
 * with a Japanese face when it has kana, else a Chinese one. NULL: none. */
void fontset_set_text(struct fontset *fs, const char *text);

/* Fonts opened so far (the bundled ones and the fallbacks found). */
int fontset_count(const struct fontset *fs);

#endif
