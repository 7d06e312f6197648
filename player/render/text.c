/* Fonts with fallback: see text.h. This file opens the faces and finds the
 * one for a cluster (fontconfig for what the open faces lack); text_draw.c
 * cuts strings into runs, measures and draws them. */
#include "render/text_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fontconfig/fontconfig.h>

#include "base/log.h"
#include "base/xalloc.h"

/* Code points that draw nothing of their own: no font needs them. */
static bool ignorable(uint32_t cp)
{
    return cp == 0x200D || cp == 0x200C || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           (cp >= 0xE0020 && cp <= 0xE007F) || (cp >= 0xE0100 && cp <= 0xE01EF) || cp == 0x20E3 ||
           cp == '\n';
}

bool text_face_covers(const struct face *f, const struct cluster *c)
{
    for (int i = 0; i < c->n; i++) {
        if (ignorable(c->cps[i]) && !(f->bitmap && c->cps[i] == 0x20E3))
            continue;
        if (!TTF_GlyphIsProvided32(f->font, c->cps[i]))
            return false;
    }
    return true;
}

void text_face_set(struct face *f, int size, bool rtl, const char *script)
{
    if (f->bitmap)
        size = 0; /* SDL_ttf: the index of the strike */
    if (f->size != size) {
        TTF_SetFontSize(f->font, size);
        f->size = size;
    }
    int dir = rtl ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR;
    if (f->dir != dir) {
        TTF_SetFontDirection(f->font, (TTF_Direction)dir);
        f->dir = dir;
    }
    if (script && strncmp(f->script, script, 4) != 0) {
        if (TTF_SetFontScriptName(f->font, script) == 0)
            snprintf(f->script, sizeof f->script, "%.4s", script);
    }
}

/* Opens a face (or finds it open). Returns its index or -1. */
static int open_face(struct fontset *fs, const char *path, long index, bool bold, bool emulate)
{
    for (int i = 0; i < fs->n_faces; i++)
        if (fs->faces[i].index == index && fs->faces[i].bold == bold &&
            strcmp(fs->faces[i].path, path) == 0)
            return i;
    if (fs->n_faces >= TEXT_MAX_FACES)
        return -1;
    /* Mapped, not read: FreeType reads glyphs straight from the page cache
     * (no seek and read per glyph), and only the pages touched count. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -1;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < INT_MAX)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return -1;
    SDL_RWops *rw = SDL_RWFromConstMem(map, (int)st.st_size);
    TTF_Font *font = rw ? TTF_OpenFontIndexRW(rw, 1, 32, index) : NULL;
    if (!font) {
        LOG_W("render", "font %s: %s", path, TTF_GetError());
        munmap(map, (size_t)st.st_size);
        return -1;
    }
    if (emulate)
        TTF_SetFontStyle(font, TTF_STYLE_BOLD);
    struct face *f = &fs->faces[fs->n_faces];
    *f = (struct face){font, dp_strdup(path),   index, bold, false, 32, -1, "", NULL,
                       map,  (size_t)st.st_size};
    /* A font whose height does not follow its size has fixed strikes. */
    int h32 = TTF_FontHeight(font);
    TTF_SetFontSize(font, 96);
    f->bitmap = TTF_FontHeight(font) == h32;
    f->size = 96;
    LOG_D("render", "font %s (%ld)%s%s", path, index, bold ? " bold" : "",
          f->bitmap ? " bitmap" : "");
    return fs->n_faces++;
}

static void chain_add(int *chain, int *n, int face)
{
    for (int i = 0; i < *n; i++)
        if (chain[i] == face)
            return;
    if (face >= 0 && *n < TEXT_MAX_FACES)
        chain[(*n)++] = face;
}

/* fontconfig is started by the first fontset and stopped with the last one
 * (its configuration is process-wide). */
static void fontconfig_use(bool start)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static int users;
    pthread_mutex_lock(&lock);
    if (start && users++ == 0 && !FcInit())
        LOG_W("render", "fontconfig cannot start: no fallback fonts");
    if (!start && --users == 0)
        FcFini();
    pthread_mutex_unlock(&lock);
}

struct fontset *fontset_create(const char *main_path, const char *assets_dir, char *err,
                               size_t errlen)
{
    struct fontset *fs = dp_calloc(1, sizeof *fs);
    char path[4096];
    if (main_path) {
        int f = open_face(fs, main_path, 0, false, false);
        if (f < 0)
            LOG_W("render", "font %s cannot be opened; using the bundled font", main_path);
        chain_add(fs->regular, &fs->n_regular, f);
    }
    snprintf(path, sizeof path, "%s/fonts/DejaVuSans.ttf", assets_dir);
    chain_add(fs->regular, &fs->n_regular, open_face(fs, path, 0, false, false));
    if (fs->n_regular == 0) {
        snprintf(err, errlen, "no font found (looked for %s/fonts/DejaVuSans.ttf)", assets_dir);
        fontset_destroy(fs);
        return NULL;
    }
    /* Bold: the configured font made bold, else the bundled bold face. */
    if (main_path && fs->regular[0] == 0)
        chain_add(fs->bold, &fs->n_bold, open_face(fs, main_path, 0, true, true));
    snprintf(path, sizeof path, "%s/fonts/DejaVuSans-Bold.ttf", assets_dir);
    chain_add(fs->bold, &fs->n_bold, open_face(fs, path, 0, true, false));
    if (fs->n_bold == 0)
        chain_add(fs->bold, &fs->n_bold, fs->regular[0]);
    fontconfig_use(true);
    fs->fc = true;
    UErrorCode st = U_ZERO_ERROR;
    fs->clusters = ubrk_open(UBRK_CHARACTER, "", NULL, 0, &st);
    if (U_FAILURE(st)) {
        snprintf(err, errlen, "ICU: %s", u_errorName(st));
        fontset_destroy(fs);
        return NULL;
    }
    fs->ref_size = -1;
    fs->lookups = TEXT_FONT_LOOKUPS_BURST;
    fs->lookups_ms = SDL_GetTicks64();
    return fs;
}

void fontset_destroy(struct fontset *fs)
{
    if (!fs)
        return;
    for (int i = 0; i < fs->n_faces; i++) {
        TTF_CloseFont(fs->faces[i].font);
        munmap(fs->faces[i].map, fs->faces[i].map_len);
        free(fs->faces[i].path);
    }
    if (fs->clusters)
        ubrk_close(fs->clusters);
    if (fs->fc)
        fontconfig_use(false);
    free(fs->buf);
    free(fs);
}

void fontset_set_text(struct fontset *fs, const char *text)
{
    fs->japanese = false;
    /* U+3040..U+30FF (kana) is E3 81 80 .. E3 83 BF */
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++)
        if (p[0] == 0xE3 && p[1] >= 0x81 && p[1] <= 0x83) {
            fs->japanese = true;
            break;
        }
}

int fontset_count(const struct fontset *fs)
{
    return fs->n_faces;
}

/* Asks fontconfig for a font with every code point of the cluster, in the
 * language of its script, bold or not, in colour for emoji. Returns the
 * face opened, or -1. */
static int fontconfig_find(struct fontset *fs, const struct cluster *c, bool bold,
                           const char *lang)
{
    int face = -1;
    FcPattern *pat = FcPatternCreate();
    FcCharSet *cs = FcCharSetCreate();
    if (!pat || !cs)
        goto out;
    for (int i = 0; i < c->n; i++)
        if (!ignorable(c->cps[i]))
            FcCharSetAddChar(cs, c->cps[i]);
    FcPatternAddCharSet(pat, FC_CHARSET, cs);
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)"sans-serif");
    if (lang)
        FcPatternAddString(pat, FC_LANG, (const FcChar8 *)lang);
    FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    if (c->emoji)
        FcPatternAddBool(pat, FC_COLOR, FcTrue);
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcFontSet *set = FcFontSort(NULL, pat, FcFalse, NULL, &res);
    for (int i = 0; set && i < set->nfont && face < 0; i++) {
        FcPattern *f = set->fonts[i];
        FcCharSet *fcs;
        FcChar8 *file;
        int index = 0, weight = FC_WEIGHT_REGULAR;
        if (FcPatternGetCharSet(f, FC_CHARSET, 0, &fcs) != FcResultMatch ||
            FcPatternGetString(f, FC_FILE, 0, &file) != FcResultMatch)
            continue;
        if (FcCharSetIntersectCount(fcs, cs) != FcCharSetCount(cs))
            continue;
        FcBool outline = FcTrue, color = FcFalse;
        FcPatternGetBool(f, FC_OUTLINE, 0, &outline);
        FcPatternGetBool(f, FC_COLOR, 0, &color);
        if (!outline && !color)
            continue; /* old bitmap fonts: one size, no scaling */
        FcPatternGetInteger(f, FC_INDEX, 0, &index);
        FcPatternGetInteger(f, FC_WEIGHT, 0, &weight);
        face = open_face(fs, (const char *)file, index, bold && weight >= FC_WEIGHT_DEMIBOLD,
                         false);
        if (face >= 0 && !fs->faces[face].lang)
            fs->faces[face].lang = lang;
    }
    if (set)
        FcFontSetDestroy(set);
out:
    if (cs)
        FcCharSetDestroy(cs);
    if (pat)
        FcPatternDestroy(pat);
    return face;
}

static void log_missing(struct fontset *fs, const struct cluster *c)
{
    for (int i = 0; i < c->n; i++) {
        uint32_t cp = c->cps[i];
        if (ignorable(cp))
            continue;
        bool seen = false;
        for (int k = 0; k < fs->n_missing && !seen; k++)
            seen = fs->missing[k] == cp;
        if (seen || fs->n_missing >= TEXT_MISSING_LOGGED)
            continue;
        fs->missing[fs->n_missing++] = cp;
        LOG_W("render", "no installed font has U+%04X: drawn as a box", (unsigned)cp);
    }
}

/* One fontconfig look-up from the bucket, if any is left. */
static bool take_lookup(struct fontset *fs)
{
    uint64_t now = SDL_GetTicks64();
    fs->lookups += (double)(now - fs->lookups_ms) * TEXT_FONT_LOOKUPS_PER_S / 1000.0;
    if (fs->lookups > TEXT_FONT_LOOKUPS_BURST)
        fs->lookups = TEXT_FONT_LOOKUPS_BURST;
    fs->lookups_ms = now;
    if (fs->lookups < 1)
        return false;
    fs->lookups -= 1;
    return true;
}

/* Han, kana and Hangul take the face found for their language: Chinese
 * and Japanese draw some ideographs differently. */
static bool wrong_language(const struct face *f, const char *lang)
{
    bool cjk = lang && (!strcmp(lang, "ja") || !strcmp(lang, "zh-cn") || !strcmp(lang, "ko"));
    return cjk && f->lang && strcmp(f->lang, lang) != 0;
}

int text_face_for(struct fontset *fs, const struct cluster *c, bool bold, int prefer,
                  const char *lang)
{
    const int *chain = bold ? fs->bold : fs->regular;
    int n = bold ? fs->n_bold : fs->n_regular;
    /* Spaces and punctuation go on with the run's font, but not with an
     * emoji font (its space is a picture's width). */
    if (prefer >= 0 && c->common && !c->emoji && !fs->faces[prefer].bitmap &&
        text_face_covers(&fs->faces[prefer], c))
        return prefer;
    if (c->emoji)
        for (int i = 0; i < n; i++)
            if (fs->faces[chain[i]].bitmap && text_face_covers(&fs->faces[chain[i]], c))
                return chain[i];
    for (int i = 0; i < n; i++)
        if (fs->faces[chain[i]].bitmap == c->emoji &&
            !wrong_language(&fs->faces[chain[i]], lang) &&
            text_face_covers(&fs->faces[chain[i]], c))
            return chain[i];
    /* Not in the open faces: fontconfig, once per first code point. */
    uint8_t flags = (uint8_t)((bold ? 1 : 0) | (c->emoji ? 2 : 0));
    uint32_t key = c->cps[0];
    for (int i = 1; i < c->n; i++)
        key = key * 31 + c->cps[i];
    for (const char *l = lang; l && *l; l++)
        key = key * 31 + (uint8_t)*l;
    struct fallback_slot *slot = &fs->cache[(key * 2654435761u >> 7) % TEXT_CACHE_SLOTS];
    int face;
    bool refused = false;
    if (slot->cp == key && slot->flags == flags) {
        face = slot->face;
    } else if (!take_lookup(fs)) {
        face = -1; /* over budget: a box now, asked again later */
        refused = true;
    } else {
        face = fontconfig_find(fs, c, bold, lang);
        if (face < 0 && c->emoji) {
            /* No colour font: any font that has it. */
            struct cluster plain = *c;
            plain.emoji = false;
            face = fontconfig_find(fs, &plain, bold, lang);
        }
        if (face < 0 && bold)
            face = text_face_for(fs, c, false, -1, lang);
        *slot = (struct fallback_slot){key, flags, (int8_t)face};
        if (face >= 0)
            chain_add(bold ? fs->bold : fs->regular, bold ? &fs->n_bold : &fs->n_regular, face);
    }
    if (face >= 0 && !text_face_covers(&fs->faces[face], c))
        face = -1; /* a hash collision: another cluster's answer */
    if (face < 0 && !refused)
        log_missing(fs, c);
    return face;
}
