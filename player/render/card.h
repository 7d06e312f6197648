/* Cards: whole-screen pictures composed off the drawing thread (on the
 * loader thread): text cards, media with their caption band, the overlay
 * drawn over a video, and the standby card. Each returns a new RGBA32
 * surface of the canvas size (caller frees), or NULL when out of memory. */
#ifndef DP_CARD_H
#define DP_CARD_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>

#include "feed/feed.h"
#include "render/text.h"

struct card_emoji;

struct card_style {
    uint32_t background; /* 0xRRGGBB */
    int margin;          /* safe-area margin, pixels */
    bool show_qr;
    const struct card_emoji *emoji; /* the post's custom emoji pictures (set per card by
                                       the loader; NULL: none drawn), card_emoji.h */
};

/* The box media must fit in (the safe area). */
void card_media_box(int canvas_w, int canvas_h, const struct card_style *st, int *w, int *h);

SDL_Surface *card_text(struct fontset *fs, int w, int h, const struct card_style *st,
                       const struct post *post, int64_t now_wall_ms);
/* media: already fitted to card_media_box (not freed). */
SDL_Surface *card_media(struct fontset *fs, int w, int h, const struct card_style *st,
                        SDL_Surface *media, const struct post *post);
/* Transparent except for the caption band and QR code: drawn over video. */
SDL_Surface *card_overlay(struct fontset *fs, int w, int h, const struct card_style *st,
                          const struct post *post);
SDL_Surface *card_standby(struct fontset *fs, int w, int h, const struct card_style *st,
                          const char *feed_title, int64_t now_wall_ms, int downloading,
                          int percent);
/* "just now", "5 min ago", "3 h ago", "2 days ago", or the date. */
void card_relative_time(int64_t then_ms, int64_t now_ms, char *out, size_t cap);

#endif
