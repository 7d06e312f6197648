/* Text layout benchmark (issue 9): a 5,000-character post in each script
 * laid out as a 1920x1080 text card does (layout_fit with the real fonts:
 * ICU line breaks and bidi, fontconfig fallbacks, SDL_ttf/HarfBuzz widths),
 * then the whole card (layout and drawing). Five rounds, each the median of
 * three runs after a warm-up; the first, cold layout (fallback fonts found
 * and opened) is printed apart. Ratios are against Latin text of the same
 * length and against one frame at 60 Hz (16.7 ms). Times are the thread's
 * CPU time (a loaded machine stretches wall time, not the work done).
 * Usage: bench_text_layout ASSETS_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "base/clock.h"
#include "base/utf8.h"
#include "render/card.h"
#include "render/layout.h"
#include "render/text.h"

#define CHARS 5000
#define ROUNDS 5
#define RUNS 3

static const struct {
    const char *name, *sentence;
} scripts[] = {
    {"latin", "Welcome to the annual meeting, which starts at two in the main hall. "},
    {"hebrew", "ברוכים הבאים לכנס השנתי, שמתחיל בשעה שתיים באולם המרכזי. "},
    {"arabic", "مرحبا بكم في المؤتمر السنوي الذي يبدأ الساعة 19:30 في القاعة الكبرى. "},
    {"mixed", "The keynote נאום פתיחה starts at 19:30 in Hall A, doors open at 19:00. "},
    {"chinese", "欢迎大家参加今年的年度大会，下午两点在主会场开始。"},
    {"japanese", "本日の基調講演は午後七時半から大ホールで始まります。ぜひご参加ください。"},
    {"emoji",
     "Party 🎉 family 👨‍👩‍👧 pride 🏳️‍🌈 alarm 🚨 thumbs 👍🏽 flag 🇫🇷 "},
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *make_text(const char *sentence)
{
    size_t cap = CHARS * 4 + 64, o = 0, n = 0;
    char *t = malloc(cap);
    while (n < CHARS) {
        size_t i = 0;
        uint32_t cp;
        size_t sl = strlen(sentence);
        while (n < CHARS && i < sl) {
            size_t at = i;
            dp_utf8_next(sentence, sl, &i, &cp);
            memcpy(t + o, sentence + at, i - at);
            o += i - at;
            n++;
        }
    }
    t[o] = '\0';
    return t;
}

static double time_layout(struct fontset *fs, const char *text, struct layout *l)
{
    double t0 = now_ms();
    layout_fit(text, 36, 154, 1786, 834, 1.25, fontset_measure, fs, l);
    return now_ms() - t0;
}

static double time_card(struct fontset *fs, struct post *p)
{
    struct card_style st = {.background = 0x111827};
    double t0 = now_ms();
    SDL_Surface *s = card_text(fs, 1920, 1080, &st, p, p->published_ms);
    double t = now_ms() - t0;
    SDL_FreeSurface(s);
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ASSETS_DIR\n", argv[0]);
        return 2;
    }
    if (TTF_Init() < 0)
        return 1;
    char err[256];
    struct fontset *fs = fontset_create(NULL, argv[1], err, sizeof err);
    if (!fs) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct layout *l = malloc(sizeof *l);
    size_t n = sizeof scripts / sizeof *scripts;
    double lay[16], card[16];
    printf("%-9s %8s %9s %9s %10s %9s %8s\n", "script", "cold ms", "layout ms", "range", "card ms",
           "vs latin", "frames");
    for (size_t k = 0; k < n; k++) {
        char *text = make_text(scripts[k].sentence);
        struct post p = {0};
        p.text = text;
        p.author = "Desk";
        p.published_ms = 1764000000000LL;
        double cold = time_layout(fs, text, l);
        double med[ROUNDS], cmed[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            double v[RUNS], c[RUNS];
            for (int i = 0; i < RUNS; i++)
                v[i] = time_layout(fs, text, l);
            for (int i = 0; i < RUNS; i++)
                c[i] = time_card(fs, &p);
            qsort(v, RUNS, sizeof *v, cmp);
            qsort(c, RUNS, sizeof *c, cmp);
            med[r] = v[RUNS / 2];
            cmed[r] = c[RUNS / 2];
        }
        qsort(med, ROUNDS, sizeof *med, cmp);
        qsort(cmed, ROUNDS, sizeof *cmed, cmp);
        lay[k] = med[ROUNDS / 2];
        card[k] = cmed[ROUNDS / 2];
        char range[32];
        snprintf(range, sizeof range, "%.2f-%.2f", med[0], med[ROUNDS - 1]);
        printf("%-9s %8.2f %9.2f %9s %10.2f %8.2fx %7.2f   (size %d, %d lines%s)\n",
               scripts[k].name, cold, lay[k], range, card[k], lay[k] / lay[0], lay[k] / 16.7,
               l->size, l->n_lines, l->ellipsis ? ", cut" : "");
        free(text);
    }
    printf("fonts open: %d\n", fontset_count(fs));
    free(l);
    fontset_destroy(fs);
    TTF_Quit();
    return 0;
}
