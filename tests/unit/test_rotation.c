/* rotation.c: items and ids, order and wrapping, readiness, start/end
 * windows, max_items/max_age, durations, new_posts, the cursor across feeds.
 * Feeds are built by hand with feed_alloc/feed_add_post/post_add_media. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "feed/feed.h"
#include "rotation/rotation.h"

#define NOW 1700000000000LL /* 2023-11-14T22:13:20Z */
#define HOUR (3600LL * 1000)
#define NONE DP_TIME_NONE
#define MAXN 16

/* ---- building feeds ---------------------------------------------------- */

struct post_spec {
    const char *id;
    const char *media; /* one letter per attachment: 'i' image, 'v' video */
    int64_t published; /* 0: undated */
    bool pinned;
    int64_t start, end;  /* 0: not set */
    int64_t duration_ms; /* signage override */
    const char *text;    /* NULL: "text" */
};

static struct feed *make_feed(const struct post_spec *specs)
{
    struct feed *f = feed_alloc("jsonfeed");
    for (const struct post_spec *s = specs; s->id; s++) {
        struct post *p = feed_add_post(f);
        p->id = dp_strdup(s->id);
        p->text = dp_strdup(s->text ? s->text : "text");
        p->published_ms = s->published ? s->published : NONE;
        p->signage.pinned = s->pinned;
        p->signage.start_ms = s->start ? s->start : NONE;
        p->signage.end_ms = s->end ? s->end : NONE;
        p->signage.duration_ms = s->duration_ms;
        for (const char *k = s->media; k && *k; k++) {
            struct media_ref *m = post_add_media(p);
            m->url = dp_strfmt("https://media.example/%s/%zu", s->id, (size_t)(k - s->media) + 1);
            m->kind = *k == 'v' ? MEDIA_VIDEO : MEDIA_IMAGE;
        }
    }
    return f;
}

static const struct rotation_params default_params = {
    .image_duration_ms = 10000,
    .text_duration_ms = 0,
    .video_max_duration_ms = 0,
    .max_items = 50,
    .max_age_ms = 0,
    .new_posts = ROTATION_NEW_NEXT,
};

/* A rotation over specs; the feed reference is handed to the rotation. */
static struct rotation *make_rotation(const struct rotation_params *p,
                                      const struct post_spec *specs, int64_t now)
{
    struct rotation *r = rotation_create(p);
    struct feed *f = make_feed(specs);
    assert_false(rotation_set_feed(r, f, now));
    feed_unref(f);
    return r;
}

static bool set_feed(struct rotation *r, const struct post_spec *specs, int64_t now)
{
    struct feed *f = make_feed(specs);
    bool interrupt = rotation_set_feed(r, f, now);
    feed_unref(f);
    return interrupt;
}

/* Joins the ids of the rotation's items with spaces. */
static void items_string(const struct rotation *r, char *buf, size_t cap)
{
    const struct item *items;
    size_t n = rotation_items(r, &items);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%s%s", i ? " " : "", items[i].id);
    }
}

/* ---- readiness and skip callbacks --------------------------------------- */

struct ctx {
    const char *not_ready[MAXN]; /* ids the ready callback refuses */
    char skips[MAXN][64];        /* "id:reason" */
    int n_skips;
    int n_ready_calls;
};

static bool ready_cb(void *vctx, const struct item *it)
{
    struct ctx *c = vctx;
    c->n_ready_calls++;
    for (int i = 0; i < MAXN && c->not_ready[i]; i++)
        if (strcmp(c->not_ready[i], it->id) == 0)
            return false;
    return true;
}

static void skip_cb(void *vctx, const struct item *it, enum dp_reason why)
{
    struct ctx *c = vctx;
    const char *reason = dp_reason_name(why);
    if (c->n_skips < MAXN)
        snprintf(c->skips[c->n_skips], sizeof c->skips[0], "%s:%s", it->id, reason);
    c->n_skips++;
}

static bool has_skip(const struct ctx *c, const char *id, const char *reason)
{
    char key[64];
    snprintf(key, sizeof key, "%s:%s", id, reason ? reason : "");
    for (int i = 0; i < c->n_skips && i < MAXN; i++) {
        if (reason ? strcmp(c->skips[i], key) == 0 : strncmp(c->skips[i], key, strlen(key)) == 0)
            return true;
    }
    return false;
}

/* Shows the next item: rotation_next + rotation_commit; returns its id. */
static const char *show_next(struct rotation *r, int64_t now, struct ctx *c)
{
    const struct item *it = rotation_next(r, now, ready_cb, c, skip_cb);
    if (!it)
        return NULL;
    rotation_commit(r, it);
    return it->id;
}

/* Shows n items and compares the sequence of ids with want (space-separated). */
static void assert_sequence(struct rotation *r, int64_t now, struct ctx *c, const char *want)
{
    char got[512] = "";
    char copy[512];
    snprintf(copy, sizeof copy, "%s", want);
    int n = 0;
    for (char *t = strtok(copy, " "); t; t = strtok(NULL, " "))
        n++;
    for (int i = 0; i < n; i++) {
        const char *id = show_next(r, now, c);
        size_t l = strlen(got);
        snprintf(got + l, sizeof got - l, "%s%s", i ? " " : "", id ? id : "(null)");
    }
    assert_string_equal(got, want);
}

/* ---- items and ids ------------------------------------------------------- */

static const struct {
    struct post_spec posts[6];
    const char *ids;   /* expected item ids, in order */
    const char *kinds; /* t text, i image, v video */
} expand_cases[] = {
    {{{.id = "a"}, {0}}, "a", "t"},
    {{{.id = "a", .media = "i"}, {0}}, "a#1", "i"},
    {{{.id = "a", .media = "iv"}, {0}}, "a#1 a#2", "iv"},
    {{{.id = "p1"}, {.id = "p2", .media = "vii"}, {.id = "p3", .media = "i"}, {0}},
     "p1 p2#1 p2#2 p2#3 p3#1",
     "tviii"},
    {{{.id = "https://x.example/status/7"}, {.id = "42", .media = "v"}, {0}},
     "https://x.example/status/7 42#1",
     "tv"},
    /* ten attachments: n counts from 1 with no padding */
    {{{.id = "g", .media = "iiiiiiiiii"}, {0}},
     "g#1 g#2 g#3 g#4 g#5 g#6 g#7 g#8 g#9 g#10",
     "iiiiiiiiii"},
    {{{0}}, "", ""},
};

static void test_items_and_ids(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof expand_cases / sizeof expand_cases[0]; c++) {
        struct rotation *r = make_rotation(&default_params, expand_cases[c].posts, NOW);
        char buf[512];
        items_string(r, buf, sizeof buf);
        assert_string_equal(buf, expand_cases[c].ids);
        const struct item *items;
        size_t n = rotation_items(r, &items);
        assert_int_equal(n, strlen(expand_cases[c].kinds));
        for (size_t i = 0; i < n; i++) {
            char k = expand_cases[c].kinds[i];
            enum item_kind want = k == 't' ? ITEM_TEXT : k == 'i' ? ITEM_IMAGE : ITEM_VIDEO;
            assert_int_equal(items[i].kind, want);
            assert_non_null(items[i].post);
            if (want == ITEM_TEXT) {
                assert_null(items[i].media);
                assert_string_equal(items[i].id, items[i].post->id);
            } else {
                /* id "<post id>#<n>" points at the n-th attachment */
                assert_non_null(items[i].media);
                size_t m = (size_t)(items[i].media - items[i].post->media);
                assert_true(m < items[i].post->n_media);
                char want_id[256];
                snprintf(want_id, sizeof want_id, "%s#%zu", items[i].post->id, m + 1);
                assert_string_equal(items[i].id, want_id);
            }
            assert_int_equal(items[i].duration_ms,
                             rotation_duration(&default_params, items[i].post, items[i].kind));
        }
        rotation_destroy(r);
    }
}

/* ---- order, wrapping, cycles --------------------------------------------- */

static void test_order_and_wrap(void **state)
{
    (void)state;
    static const struct post_spec posts[] = {
        {.id = "A"}, {.id = "B", .media = "ii"}, {.id = "C", .media = "v"}, {0}};
    static const struct {
        const char *id;
        bool wraps;     /* rotation_wraps before commit */
        int64_t cycles; /* rotation_cycles after commit */
    } steps[] = {
        {"A", false, 0}, {"B#1", false, 0}, {"B#2", false, 0}, {"C#1", false, 0},
        {"A", true, 1},  {"B#1", false, 1}, {"B#2", false, 1}, {"C#1", false, 1},
        {"A", true, 2},  {"B#1", false, 2},
    };
    struct rotation *r = make_rotation(&default_params, posts, NOW);
    struct ctx c = {0};
    assert_int_equal(rotation_cycles(r), 0);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        const struct item *it = rotation_next(r, NOW, ready_cb, &c, skip_cb);
        assert_non_null(it);
        assert_string_equal(it->id, steps[i].id);
        assert_int_equal(rotation_wraps(r, it), steps[i].wraps);
        /* rotation_next alone does not move the cursor */
        assert_ptr_equal(rotation_next(r, NOW, ready_cb, &c, skip_cb), it);
        rotation_commit(r, it);
        assert_int_equal(rotation_cycles(r), steps[i].cycles);
    }
    assert_int_equal(c.n_skips, 0);
    rotation_destroy(r);
}

static void test_single_item_wraps_every_time(void **state)
{
    (void)state;
    static const struct post_spec posts[] = {{.id = "only"}, {0}};
    struct rotation *r = make_rotation(&default_params, posts, NOW);
    for (int i = 0; i < 4; i++) {
        const struct item *it = rotation_next(r, NOW, NULL, NULL, NULL);
        assert_non_null(it);
        assert_string_equal(it->id, "only");
        assert_int_equal(rotation_wraps(r, it), i > 0);
        rotation_commit(r, it);
        assert_int_equal(rotation_cycles(r), i);
    }
    rotation_destroy(r);
}

static void test_empty_rotation(void **state)
{
    (void)state;
    struct rotation *r = rotation_create(&default_params);
    assert_null(rotation_next(r, NOW, NULL, NULL, NULL));
    assert_null(rotation_find(r, "x"));
    struct feed *f = feed_alloc("jsonfeed");
    assert_false(rotation_set_feed(r, f, NOW));
    feed_unref(f);
    assert_null(rotation_next(r, NOW, NULL, NULL, NULL));
    rotation_destroy(r);
    rotation_destroy(NULL);
}

/* ---- readiness -------------------------------------------------------------- */

static const struct {
    const char *not_ready[4];
    const char *first;      /* the item rotation_next picks first; NULL: none */
    const char *skipped[4]; /* items passed over on the way */
} ready_cases[] = {
    {{NULL}, "A", {NULL}},
    {{"A"}, "B#1", {"A"}},
    {{"A", "B#1"}, "B#2", {"A", "B#1"}},
    {{"B#1"}, "A", {NULL}},
    {{"A", "B#1", "B#2"}, "C", {"A", "B#1", "B#2"}},
    {{"A", "B#1", "B#2", "C"}, NULL, {"A", "B#1", "B#2", "C"}},
};

static void test_not_ready_items_skipped(void **state)
{
    (void)state;
    static const struct post_spec posts[] = {
        {.id = "A"}, {.id = "B", .media = "ii"}, {.id = "C"}, {0}};
    for (size_t k = 0; k < sizeof ready_cases / sizeof ready_cases[0]; k++) {
        struct rotation *r = make_rotation(&default_params, posts, NOW);
        struct ctx c = {0};
        for (int i = 0; i < 4; i++)
            c.not_ready[i] = ready_cases[k].not_ready[i];
        const struct item *it = rotation_next(r, NOW, ready_cb, &c, skip_cb);
        if (ready_cases[k].first) {
            assert_non_null(it);
            assert_string_equal(it->id, ready_cases[k].first);
        } else {
            assert_null(it);
        }
        /* no item was reported as expired */
        for (int i = 0; i < c.n_skips && i < MAXN; i++)
            assert_null(strstr(c.skips[i], ":expired"));
        rotation_destroy(r);
    }
}

/* rotation.h: items that are not ready are for the ready callback to report
 * (it knows why); the rotation itself reports only expired ones. */
static void test_not_ready_items_reported(void **state)
{
    (void)state;
    static const struct post_spec posts[] = {
        {.id = "A"}, {.id = "B", .media = "ii"}, {.id = "C"}, {0}};
    for (size_t k = 0; k < sizeof ready_cases / sizeof ready_cases[0]; k++) {
        struct rotation *r = make_rotation(&default_params, posts, NOW);
        struct ctx c = {0};
        for (int i = 0; i < 4; i++)
            c.not_ready[i] = ready_cases[k].not_ready[i];
        rotation_next(r, NOW, ready_cb, &c, skip_cb);
        assert_int_equal(c.n_skips, 0);
        rotation_destroy(r);
    }
}

static void test_ready_null_means_all_ready(void **state)
{
    (void)state;
    static const struct post_spec posts[] = {{.id = "A"}, {.id = "B", .media = "v"}, {0}};
    struct rotation *r = make_rotation(&default_params, posts, NOW);
    const struct item *it = rotation_next(r, NOW, NULL, NULL, NULL);
    assert_non_null(it);
    assert_string_equal(it->id, "A");
    rotation_destroy(r);
}

/* ---- start/end windows ----------------------------------------------------- */

static const struct {
    int64_t start, end; /* 0: not set */
    int64_t now;
    bool shown;
    const char *skip; /* reason reported, NULL: none */
} window_cases[] = {
    {0, 0, NOW, true, NULL},
    {NOW - HOUR, 0, NOW, true, NULL},
    {NOW + HOUR, 0, NOW, false, NULL}, /* before start: waits silently */
    {NOW + 1, 0, NOW, false, NULL},
    {NOW, 0, NOW, true, NULL}, /* start is inclusive */
    {0, NOW + HOUR, NOW, true, NULL},
    {0, NOW - HOUR, NOW, false, "expired"}, /* after end */
    {0, NOW, NOW, false, "expired"},        /* end is exclusive */
    {0, NOW + 1, NOW, true, NULL},
    {NOW - HOUR, NOW + HOUR, NOW, true, NULL},
    {NOW + HOUR, NOW + 2 * HOUR, NOW, false, NULL},
    {NOW - 2 * HOUR, NOW - HOUR, NOW, false, "expired"},
};

static void test_windows(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof window_cases / sizeof window_cases[0]; k++) {
        struct post_spec posts[] = {
            {.id = "W", .media = "i", .start = window_cases[k].start, .end = window_cases[k].end},
            {.id = "X"},
            {0},
        };
        struct rotation *r = make_rotation(&default_params, posts, NOW);
        struct ctx c = {0};
        const struct item *it = rotation_next(r, window_cases[k].now, ready_cb, &c, skip_cb);
        assert_non_null(it);
        assert_string_equal(it->id, window_cases[k].shown ? "W#1" : "X");
        if (window_cases[k].skip) {
            assert_true(has_skip(&c, "W#1", window_cases[k].skip));
        } else {
            assert_int_equal(c.n_skips, 0);
        }
        /* the window does not remove the item from the rotation */
        assert_non_null(rotation_find(r, "W#1"));
        rotation_destroy(r);
    }
}

static void test_window_opens_later(void **state)
{
    (void)state;
    static const struct post_spec posts[] = {
        {.id = "A"}, {.id = "S", .start = NOW + HOUR, .end = NOW + 2 * HOUR}, {.id = "B"}, {0}};
    struct rotation *r = make_rotation(&default_params, posts, NOW);
    struct ctx c = {0};
    assert_sequence(r, NOW, &c, "A B A B");
    assert_int_equal(c.n_skips, 0);
    assert_sequence(r, NOW + HOUR, &c, "A S B A");
    assert_int_equal(c.n_skips, 0);
    assert_sequence(r, NOW + 2 * HOUR, &c, "B A B");
    assert_true(has_skip(&c, "S", "expired"));
    rotation_destroy(r);
}

/* ---- max_items, max_age ------------------------------------------------------ */

static const struct {
    int max_items;
    int64_t max_age_ms;
    struct post_spec posts[6];
    const char *ids;
} limit_cases[] = {
    /* max_items counts posts, not items */
    {2, 0, {{.id = "a", .media = "ii"}, {.id = "b"}, {.id = "c"}, {0}}, "a#1 a#2 b"},
    {3, 0, {{.id = "a"}, {.id = "b"}, {0}}, "a b"},
    {0, 0, {{.id = "a"}, {.id = "b"}, {.id = "c"}, {0}}, "a b c"}, /* 0: no limit */
    {1, 0, {{.id = "a"}, {.id = "b"}, {.id = "c"}, {0}}, "a"},
    /* pinned posts count against max_items (issue 8) but come first */
    {1, 0, {{.id = "a"}, {.id = "b"}, {.id = "p", .pinned = true}, {0}}, "p"},
    {2, 0, {{.id = "p", .pinned = true}, {.id = "a"}, {.id = "b"}, {.id = "c"}, {0}}, "p a"},
    {2,
     0,
     {{.id = "a"},
      {.id = "p", .pinned = true},
      {.id = "q", .pinned = true},
      {.id = "r", .pinned = true},
      {0}},
     "p q"},
    /* max_age: older posts leave; pinned and undated stay */
    {50,
     24 * HOUR,
     {{.id = "new", .published = NOW - HOUR},
      {.id = "old", .published = NOW - 48 * HOUR},
      {.id = "oldpin", .published = NOW - 48 * HOUR, .pinned = true},
      {.id = "undated"},
      {0}},
     "new oldpin undated"},
    {50,
     24 * HOUR,
     {{.id = "edge", .published = NOW - 24 * HOUR},
      {.id = "past", .published = NOW - 24 * HOUR - 1},
      {0}},
     "edge"},
    {50, 0, {{.id = "ancient", .published = 1000}, {0}}, "ancient"}, /* 0: no limit */
    /* both: old posts do not use up max_items */
    {2,
     24 * HOUR,
     {{.id = "a", .published = NOW - 1},
      {.id = "old", .published = NOW - 30 * HOUR},
      {.id = "b", .published = NOW - 2},
      {.id = "c", .published = NOW - 3},
      {0}},
     "a b"},
};

static void test_limits(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof limit_cases / sizeof limit_cases[0]; k++) {
        struct rotation_params p = default_params;
        p.max_items = limit_cases[k].max_items;
        p.max_age_ms = limit_cases[k].max_age_ms;
        struct rotation *r = make_rotation(&p, limit_cases[k].posts, NOW);
        char buf[512];
        items_string(r, buf, sizeof buf);
        assert_string_equal(buf, limit_cases[k].ids);
        rotation_destroy(r);
    }
}

/* ---- durations ---------------------------------------------------------------- */

/* "word word ... word", n times; caller frees. */
static char *words(int n)
{
    char *buf = dp_malloc((size_t)n * 5 + 1);
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        memcpy(buf + (i ? 5 * i - 1 : 0), i ? " word" : "word", i ? 6 : 5);
    return buf;
}

static void test_duration(void **state)
{
    (void)state;
    static const struct {
        int64_t text_ms;     /* params.text_duration_ms */
        int64_t override_ms; /* signage.duration_ms */
        enum item_kind kind;
        const char *title;
        const char *text;
        int n_words; /* instead of text: "word" n times */
        int64_t expected;
    } cases[] = {
        {0, 15000, ITEM_IMAGE, NULL, "", 0, 15000},
        {0, 15000, ITEM_VIDEO, NULL, "", 0, 15000},
        {0, 2500, ITEM_TEXT, NULL, NULL, 200, 2500},
        {0, 0, ITEM_IMAGE, NULL, NULL, 500, 10000},
        {0, 0, ITEM_VIDEO, NULL, "", 0, 0},          /* its own length */
        {8000, 0, ITEM_TEXT, NULL, NULL, 500, 8000}, /* fixed text_duration */
        {8000, 0, ITEM_IMAGE, NULL, "", 0, 10000},
        {0, 0, ITEM_TEXT, NULL, "", 0, 6000}, /* auto: at least 6 s */
        {0, 0, ITEM_TEXT, NULL, NULL, 1, 6000},
        {0, 0, ITEM_TEXT, NULL, NULL, 20, 6000},
        {0, 0, ITEM_TEXT, NULL, NULL, 21, 6300}, /* 300 ms a word */
        {0, 0, ITEM_TEXT, NULL, NULL, 50, 15000},
        {0, 0, ITEM_TEXT, NULL, NULL, 99, 29700},
        {0, 0, ITEM_TEXT, NULL, NULL, 100, 30000},
        {0, 0, ITEM_TEXT, NULL, NULL, 101, 30000}, /* at most 30 s */
        {0, 0, ITEM_TEXT, NULL, NULL, 1000, 30000},
        {0, 0, ITEM_TEXT, "five words in the title", NULL, 20, 7500},
        {0, 0, ITEM_TEXT, NULL,
         "  one\ttwo\n\nthree   four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one  twenty-two ",
         0, 6600},
        {0, 0, ITEM_TEXT, NULL, "« Bonjour » — l’été, 漢字 …", 0, 6000},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct rotation_params p = default_params;
        p.text_duration_ms = cases[k].text_ms;
        char *text = cases[k].n_words ? words(cases[k].n_words) : dp_strdup(cases[k].text);
        struct post post = {
            .id = (char *)"p",
            .title = (char *)cases[k].title,
            .text = text,
            .published_ms = NONE,
            .signage = {.duration_ms = cases[k].override_ms, .start_ms = NONE, .end_ms = NONE},
        };
        int64_t got = rotation_duration(&p, &post, cases[k].kind);
        if (got != cases[k].expected)
            print_error("case %zu: %lld, want %lld\n", k, (long long)got,
                        (long long)cases[k].expected);
        assert_int_equal(got, cases[k].expected);
        free(text);
    }
}

static void test_item_durations_in_rotation(void **state)
{
    (void)state;
    struct post_spec posts[] = {
        {.id = "t", .text = "short"},
        {.id = "i", .media = "iv"},
        {.id = "o", .media = "i", .duration_ms = 4000},
        {0},
    };
    struct rotation *r = make_rotation(&default_params, posts, NOW);
    static const struct {
        const char *id;
        int64_t ms;
    } want[] = {{"t", 6000}, {"i#1", 10000}, {"i#2", 0}, {"o#1", 4000}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        const struct item *it = rotation_find(r, want[k].id);
        assert_non_null(it);
        assert_int_equal(it->duration_ms, want[k].ms);
    }
    rotation_destroy(r);
}

/* ---- new posts ------------------------------------------------------------------- */

static const struct post_spec feed_abcd[] = {
    {.id = "A"}, {.id = "B"}, {.id = "C"}, {.id = "D"}, {0}};
static const struct post_spec feed_nabcd[] = {
    {.id = "N", .media = "ii"}, {.id = "A"}, {.id = "B"}, {.id = "C"}, {.id = "D"}, {0}};

static const struct {
    enum rotation_new_posts mode;
    bool interrupt;    /* rotation_set_feed's answer */
    const char *after; /* items shown after the new feed (A, B shown before) */
} new_post_cases[] = {
    /* next: the new post's items right after the current one, then the order
     * goes on where it was; in the next cycle the post has its normal place */
    {ROTATION_NEW_NEXT, false, "N#1 N#2 C D N#1 N#2 A B C"},
    {ROTATION_NEW_INTERRUPT, true, "N#1 N#2 C D N#1 N#2 A B C"},
    /* queue: normal order */
    {ROTATION_NEW_QUEUE, false, "C D N#1 N#2 A B C"},
};

static void test_new_posts(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof new_post_cases / sizeof new_post_cases[0]; k++) {
        struct rotation_params p = default_params;
        p.new_posts = new_post_cases[k].mode;
        struct rotation *r = make_rotation(&p, feed_abcd, NOW);
        struct ctx c = {0};
        assert_sequence(r, NOW, &c, "A B");
        assert_int_equal(set_feed(r, feed_nabcd, NOW), new_post_cases[k].interrupt);
        assert_sequence(r, NOW, &c, new_post_cases[k].after);
        rotation_destroy(r);
    }
}

static void test_new_post_out_of_turn_not_a_wrap(void **state)
{
    (void)state;
    struct rotation *r = make_rotation(&default_params, feed_abcd, NOW);
    struct ctx c = {0};
    assert_sequence(r, NOW, &c, "A B");
    set_feed(r, feed_nabcd, NOW);
    static const struct {
        const char *id;
        bool wraps;
        int64_t cycles;
    } steps[] = {
        {"N#1", false, 0}, {"N#2", false, 0}, {"C", false, 0}, {"D", false, 0},
        {"N#1", true, 1},  {"N#2", false, 1}, {"A", false, 1},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        const struct item *it = rotation_next(r, NOW, ready_cb, &c, skip_cb);
        assert_non_null(it);
        assert_string_equal(it->id, steps[i].id);
        assert_int_equal(rotation_wraps(r, it), steps[i].wraps);
        rotation_commit(r, it);
        assert_int_equal(rotation_cycles(r), steps[i].cycles);
    }
    rotation_destroy(r);
}

static const struct {
    const struct post_spec *second;
    enum rotation_new_posts mode;
    bool interrupt;
} interrupt_cases[] = {
    {feed_nabcd, ROTATION_NEW_INTERRUPT, true},
    {feed_abcd, ROTATION_NEW_INTERRUPT, false}, /* nothing new */
    {feed_nabcd, ROTATION_NEW_NEXT, false},
    {feed_nabcd, ROTATION_NEW_QUEUE, false},
};

static void test_interrupt(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof interrupt_cases / sizeof interrupt_cases[0]; k++) {
        struct rotation_params p = default_params;
        p.new_posts = interrupt_cases[k].mode;
        /* the first feed is never "new" */
        struct rotation *r = make_rotation(&p, feed_abcd, NOW);
        struct ctx c = {0};
        assert_sequence(r, NOW, &c, "A");
        assert_int_equal(set_feed(r, interrupt_cases[k].second, NOW),
                         interrupt_cases[k].interrupt);
        rotation_destroy(r);
    }
}

static void test_new_post_waits_until_ready(void **state)
{
    (void)state;
    struct rotation *r = make_rotation(&default_params, feed_abcd, NOW);
    struct ctx c = {0};
    assert_sequence(r, NOW, &c, "A B");
    set_feed(r, feed_nabcd, NOW);
    c.not_ready[0] = "N#1";
    c.not_ready[1] = "N#2";
    assert_sequence(r, NOW, &c, "C"); /* not downloaded yet: go on meanwhile */
    c.not_ready[0] = c.not_ready[1] = NULL;
    assert_sequence(r, NOW, &c, "N#1 N#2 D");
    rotation_destroy(r);
}

/* Issue 10: on a cold start the newest post, still downloading, was passed
 * over and came back only after a whole rotation; once its media is
 * verified it takes the next slot. */
static void test_media_ready_takes_next_slot(void **state)
{
    (void)state;
    static const struct post_spec posts[] = {{.id = "N", .media = "v", .published = NOW - 1000},
                                             {.id = "A", .media = "i", .published = NOW - 2000},
                                             {.id = "B", .media = "i", .published = NOW - 3000},
                                             {.id = "C", .media = "i", .published = NOW - 4000},
                                             {0}};
    struct rotation *r = make_rotation(&default_params, posts, NOW);
    struct ctx c = {.not_ready = {"N#1"}};
    assert_sequence(r, NOW, &c, "A#1");
    c.not_ready[0] = NULL;
    /* Older media, or one already ahead in the cycle, changes nothing. */
    assert_false(rotation_media_ready(r, "https://media.example/C/1"));
    assert_false(rotation_media_ready(r, "https://media.example/none"));
    assert_true(rotation_media_ready(r, "https://media.example/N/1"));
    assert_false(rotation_media_ready(r, "https://media.example/N/1")); /* queued once */
    /* N out of turn, then the cycle goes on where it was; not a wrap. */
    assert_sequence(r, NOW, &c, "N#1 B#1 C#1 N#1 A#1");
    assert_int_equal(rotation_cycles(r), 1);
    rotation_destroy(r);
}

static void test_new_post_expired_not_queued(void **state)
{
    (void)state;
    static const struct post_spec second[] = {
        {.id = "N", .end = NOW - HOUR}, {.id = "A"}, {.id = "B"}, {.id = "C"}, {.id = "D"}, {0}};
    struct rotation *r = make_rotation(&default_params, feed_abcd, NOW);
    struct ctx c = {0};
    assert_sequence(r, NOW, &c, "A B");
    set_feed(r, second, NOW);
    assert_sequence(r, NOW, &c, "C D A");
    assert_true(has_skip(&c, "N", "expired"));
    rotation_destroy(r);
}

/* ---- the cursor across feeds ---------------------------------------------------- */

static const struct {
    struct post_spec first[6];
    const char *shown; /* shown from the first feed */
    struct post_spec second[6];
    const char *after; /* shown after the second feed */
} cursor_cases[] = {
    /* the same feed again: nothing changes */
    {{{.id = "A"}, {.id = "B"}, {.id = "C"}, {0}},
     "A B",
     {{.id = "A"}, {.id = "B"}, {.id = "C"}, {0}},
     "C A B"},
    /* a post before the current one: the cursor follows the current item */
    {{{.id = "A"}, {.id = "B"}, {.id = "C"}, {0}},
     "A B",
     {{.id = "Z"}, {.id = "A"}, {.id = "B"}, {.id = "C"}, {0}},
     "C Z A B"},
    /* reordered */
    {{{.id = "A"}, {.id = "B"}, {.id = "C"}, {0}},
     "A B",
     {{.id = "C"}, {.id = "B"}, {.id = "A"}, {0}},
     "A C B"},
    /* the current item removed: on from the same position */
    {{{.id = "A"}, {.id = "B"}, {.id = "C"}, {.id = "D"}, {0}},
     "A B",
     {{.id = "A"}, {.id = "C"}, {.id = "D"}, {0}},
     "C D A"},
    /* the current item and the one after removed */
    {{{.id = "A"}, {.id = "B"}, {.id = "C"}, {.id = "D"}, {0}},
     "A B",
     {{.id = "A"}, {.id = "D"}, {0}},
     "D A"},
    /* the last item removed while on screen: wraps to the first */
    {{{.id = "A"}, {.id = "B"}, {.id = "C"}, {0}},
     "A B C",
     {{.id = "A"}, {.id = "B"}, {0}},
     "A B A"},
    /* the first item removed while on screen */
    {{{.id = "A"}, {.id = "B"}, {.id = "C"}, {0}}, "A", {{.id = "B"}, {.id = "C"}, {0}}, "B C B"},
    /* one attachment of the current post removed */
    {{{.id = "A"}, {.id = "M", .media = "iii"}, {.id = "C"}, {0}},
     "A M#1 M#2 M#3",
     {{.id = "A"}, {.id = "M", .media = "ii"}, {.id = "C"}, {0}},
     "C A M#1"},
    /* everything removed, then posts again */
    {{{.id = "A"}, {.id = "B"}, {0}}, "A B", {{0}}, "(null)"},
};

static void test_cursor_across_feeds(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cursor_cases / sizeof cursor_cases[0]; k++) {
        struct rotation_params p = default_params;
        p.new_posts = ROTATION_NEW_QUEUE; /* keep new posts in normal order here */
        struct rotation *r = make_rotation(&p, cursor_cases[k].first, NOW);
        struct ctx c = {0};
        assert_sequence(r, NOW, &c, cursor_cases[k].shown);
        set_feed(r, cursor_cases[k].second, NOW);
        assert_sequence(r, NOW, &c, cursor_cases[k].after);
        rotation_destroy(r);
    }
}

static void test_cycles_after_removed_last(void **state)
{
    (void)state;
    static const struct post_spec first[] = {{.id = "A"}, {.id = "B"}, {.id = "C"}, {0}};
    static const struct post_spec second[] = {{.id = "A"}, {.id = "B"}, {0}};
    struct rotation *r = make_rotation(&default_params, first, NOW);
    struct ctx c = {0};
    assert_sequence(r, NOW, &c, "A B C");
    assert_int_equal(rotation_cycles(r), 0);
    set_feed(r, second, NOW);
    const struct item *it = rotation_next(r, NOW, NULL, NULL, NULL);
    assert_string_equal(it->id, "A");
    assert_true(rotation_wraps(r, it));
    rotation_commit(r, it);
    assert_int_equal(rotation_cycles(r), 1);
    rotation_destroy(r);
}

/* A poll that returns the same feed while a new post shown out of turn
 * (new_posts=next) is on screen: the rest of that post follows, then the
 * rotation goes on where it was (N#2 C D, not N#2 N#2 A). */
static void test_repoll_during_new_post(void **state)
{
    (void)state;
    struct rotation *r = make_rotation(&default_params, feed_abcd, NOW);
    struct ctx c = {0};
    assert_sequence(r, NOW, &c, "A B");
    set_feed(r, feed_nabcd, NOW);
    assert_sequence(r, NOW, &c, "N#1");
    set_feed(r, feed_nabcd, NOW);
    assert_sequence(r, NOW, &c, "N#2 C D");
    rotation_destroy(r);
}

/* ---- rotation_find ------------------------------------------------------------------ */

static void test_find(void **state)
{
    (void)state;
    static const struct post_spec posts[] = {
        {.id = "A"}, {.id = "B", .media = "iv"}, {.id = "C#1"}, {0}};
    static const struct {
        const char *id;
        bool found;
        enum item_kind kind;
    } cases[] = {
        {"A", true, ITEM_TEXT},   {"B#1", true, ITEM_IMAGE}, {"B#2", true, ITEM_VIDEO},
        {"C#1", true, ITEM_TEXT}, {"B", false, 0},           {"B#3", false, 0},
        {"B#0", false, 0},        {"A#1", false, 0},         {"", false, 0},
        {"a", false, 0},          {"B#1 ", false, 0},
    };
    struct rotation *r = make_rotation(&default_params, posts, NOW);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const struct item *it = rotation_find(r, cases[k].id);
        if (!cases[k].found) {
            assert_null(it);
            continue;
        }
        assert_non_null(it);
        assert_string_equal(it->id, cases[k].id);
        assert_int_equal(it->kind, cases[k].kind);
    }
    /* after a new feed, ids are looked up in the new items */
    static const struct post_spec second[] = {{.id = "B", .media = "i"}, {0}};
    set_feed(r, second, NOW);
    assert_null(rotation_find(r, "A"));
    assert_null(rotation_find(r, "B#2"));
    const struct item *it = rotation_find(r, "B#1");
    assert_non_null(it);
    const struct item *items;
    assert_int_equal(rotation_items(r, &items), 1);
    assert_ptr_equal(it, &items[0]);
    rotation_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items_and_ids),
        cmocka_unit_test(test_order_and_wrap),
        cmocka_unit_test(test_single_item_wraps_every_time),
        cmocka_unit_test(test_empty_rotation),
        cmocka_unit_test(test_not_ready_items_skipped),
        cmocka_unit_test(test_not_ready_items_reported),
        cmocka_unit_test(test_ready_null_means_all_ready),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_window_opens_later),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_item_durations_in_rotation),
        cmocka_unit_test(test_new_posts),
        cmocka_unit_test(test_new_post_out_of_turn_not_a_wrap),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_new_post_waits_until_ready),
        cmocka_unit_test(test_new_post_expired_not_queued),
        cmocka_unit_test(test_media_ready_takes_next_slot),
        cmocka_unit_test(test_cursor_across_feeds),
        cmocka_unit_test(test_cycles_after_removed_last),
        cmocka_unit_test(test_repoll_during_new_post),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
