/* Shared by text.c (faces and fallback) and text_draw.c (runs, measuring,
 * drawing); not for other modules. */
#ifndef DP_TEXT_INTERNAL_H
#define DP_TEXT_INTERNAL_H

#include <stdint.h>

#include <SDL_ttf.h>
#include <unicode/ubrk.h>

#include "base/limits.h"
#include "render/text.h"

#define TEXT_MAX_FACES (TEXT_MAX_FALLBACK_FONTS + 4)
#define TEXT_CLUSTER_MAX 16     /* code points of a cluster looked at */
#define TEXT_CACHE_SLOTS 512    /* fallback look-ups remembered */
#define TEXT_MISSING_LOGGED 256 /* missing code points named in the log */

struct face {
    TTF_Font *font;
    char *path;
    long index;
    bool bold;        /* a bold face (or the configured font made bold) */
    bool bitmap;      /* fixed strikes only (colour emoji): scaled to the line */
    int size;         /* size last set, -1 before */
    int dir;          /* TTF_Direction last set, -1 before */
    char script[5];   /* script last set */
    const char *lang; /* the language fontconfig found it for (static), or NULL */
    void *map;        /* the font file, mapped read-only */
    size_t map_len;
};

struct fallback_slot {
    uint32_t cp;   /* 0: empty */
    uint8_t flags; /* bit 0 bold, bit 1 emoji */
    int8_t face;   /* -1: no font has it */
};

struct fontset {
    struct face faces[TEXT_MAX_FACES];
    int n_faces;
    int regular[TEXT_MAX_FACES], n_regular; /* faces tried in order */
    int bold[TEXT_MAX_FACES], n_bold;
    struct fallback_slot cache[TEXT_CACHE_SLOTS];
    uint32_t missing[TEXT_MISSING_LOGGED];
    int n_missing;
    UBreakIterator *clusters;
    char *buf; /* NUL-terminated copies of runs for SDL_ttf */
    size_t buf_cap;
    int ref_size, ref_ascent, ref_height; /* the first face at ref_size */
    bool fc;                              /* holds a use of fontconfig */
    bool japanese;                        /* the text being set has kana: Han is Japanese */
    double lookups;                       /* fontconfig look-ups left (TEXT_FONT_LOOKUPS_*) */
    uint64_t lookups_ms;                  /* when the bucket was last filled */
};

/* A cluster's code points (ignorables such as ZWJ and variation selectors
 * included) and what it asks for. */
struct cluster {
    uint32_t cps[TEXT_CLUSTER_MAX];
    int n;
    bool emoji;  /* drawn with a colour emoji font when one exists */
    bool common; /* spaces, punctuation, digits: any font's will do */
};

/* The face to draw the cluster with for bold or regular text (prefer, when
 * >= 0, is the face of the run it would continue), or -1 when no installed
 * font has it (logged once per code point). */
int text_face_for(struct fontset *fs, const struct cluster *c, bool bold, int prefer,
                  const char *lang);
bool text_face_covers(const struct face *f, const struct cluster *c);
/* Sets the face's size (bitmap faces keep their strike), direction, script. */
void text_face_set(struct face *f, int size, bool rtl, const char *script);

#endif
