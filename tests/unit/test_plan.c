/* rotation_plan: the one planner of plain and synchronised rotation, driven
 * by an injected clock (now is an argument). Each case walks the planner the
 * way the player does (an item comes on at its slot's start, or at once when
 * the screen joins; the next is planned after it) and compares the sequence
 * "id@seconds" with the expected one. Times are seconds from BASE, a
 * multiple of every cycle below, so slots start at round numbers. */
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
#include "rotation/sync.h"

#define S 1000LL
#define BASE (1700000000LL * 1000 - 1700000000LL * 1000 % (3600 * S)) /* on the hour */
#define NONE DP_TIME_NONE

#define IMG(name)                \
    {                            \
        .id = name, .media = 'i' \
    }

/* One post per spec: "id" (a text card unless media is given). */
struct spec {
    const char *id;
    char media;         /* 0 text, 'i' image, 'v' video */
    double video_s;     /* the feed's length of a video, 0 unknown */
    int64_t start, end; /* seconds from BASE; 0 unset */
    int64_t published;  /* seconds from BASE; 0 undated */
    bool pinned;
    int64_t duration_ms; /* _signage.duration */
};

static struct feed *feed_of(const struct spec *sp)
{
    struct feed *f = feed_alloc("jsonfeed");
    for (; sp->id; sp++) {
        struct post *p = feed_add_post(f);
        p->id = dp_strdup(sp->id);
        p->text = dp_strdup("one two three");
        p->signage.start_ms = sp->start ? BASE + sp->start * S : NONE;
        p->signage.end_ms = sp->end ? BASE + sp->end * S : NONE;
        p->published_ms = sp->published ? BASE + sp->published * S : NONE;
        p->signage.pinned = sp->pinned;
        p->signage.duration_ms = sp->duration_ms;
        if (sp->media) {
            struct media_ref *m = post_add_media(p);
            m->url = dp_strfmt("https://m.example/%s", sp->id);
            m->kind = sp->media == 'v' ? MEDIA_VIDEO : MEDIA_IMAGE;
            m->duration_s = sp->video_s;
        }
    }
    return f;
}

static struct rotation *rotation_of(const struct rotation_params *rp, const struct spec *sp,
                                    int64_t now)
{
    struct rotation *r = rotation_create(rp);
    struct feed *f = feed_of(sp);
    rotation_set_feed(r, f, now);
    feed_unref(f);
    return r;
}

/* The ready callback: refuses the ids in the NULL-terminated list. */
static bool refuse(void *ctx, const struct item *it)
{
    for (const char *const *id = ctx; id && *id; id++)
        if (strcmp(*id, it->id) == 0)
            return false;
    return true;
}

static char skipped[256];

static void on_skip(void *ctx, const struct item *it, enum dp_reason why)
{
    char key[64];
    snprintf(key, sizeof key, "%s:%s ", it->id, dp_reason_name(why));
    if (!strstr(skipped, key) && strlen(skipped) + strlen(key) < sizeof skipped)
        strcat(skipped, key);
}

static void fmt_time(char *out, size_t cap, int64_t ms)
{
    int64_t rel = ms - BASE;
    if (rel % S)
        snprintf(out, cap, "%lld.%03lld", (long long)(rel / S), (long long)(rel % S));
    else
        snprintf(out, cap, "%lld", (long long)(rel / S));
}

/* Walks the planner for steps items from now (seconds from BASE), nothing on
 * screen at first, and returns "id@start id@start ..." (start: when it comes
 * on; "+N" appended when the item has a plan duration N s that is not its
 * slot, i.e. in plain rotation). */
/* How far from the switch the planner is asked (ms before it; negative:
 * after): a deadline computed from the wall clock may fire a little early. */
static int64_t wake_skew_ms;

static void walk(struct rotation *r, int64_t now_s, int steps, const char *const *not_ready,
                 char *out, size_t cap)
{
    int64_t now = BASE + now_s * S; /* when the planner is asked */
    int64_t next_on = now;          /* plain: when the planned item comes on */
    int64_t cur_end = 0;
    bool on = false;
    out[0] = '\0';
    for (int k = 0; k < steps; k++) {
        struct rotation_ask ask = {.now_ms = now,
                                   .on_screen = on,
                                   .cur_end_ms = cur_end,
                                   .ready = refuse,
                                   .skip = on_skip,
                                   .ctx = (void *)not_ready};
        struct rotation_plan plan;
        assert_int_equal(rotation_plan(r, &ask, &plan), 0);
        size_t l = strlen(out);
        if (!plan.item) {
            snprintf(out + l, cap - l, "%s-", k ? " " : "");
            return;
        }
        bool synced = plan.start_ms > 0;
        int64_t at = !synced ? next_on : on || !plan.at_once ? plan.start_ms : now;
        char t[32], d[32] = "";
        fmt_time(t, sizeof t, at);
        if (!synced && plan.until_ended)
            snprintf(d, sizeof d, "+video");
        else if (!synced)
            snprintf(d, sizeof d, "+%lld.%03lld", (long long)(plan.duration_ms / S),
                     (long long)(plan.duration_ms % S));
        snprintf(out + l, cap - l, "%s%s@%s%s", k ? " " : "", plan.item->id, t, d);
        rotation_commit(r, plan.item);
        on = true;
        cur_end = plan.end_ms;
        now = at - wake_skew_ms; /* the next item is planned right after the switch */
        next_on = at + (plan.until_ended ? 30 * S : plan.duration_ms);
    }
}

/* ---- the table ---------------------------------------------------------------------- */

static const struct rotation_params synced_fade = {.image_duration_ms = 10 * S,
                                                   .text_duration_ms = 10 * S,
                                                   .max_items = 50,
                                                   .new_posts = ROTATION_NEW_NEXT,
                                                   .transition_ms = 500,
                                                   .synced = true};
static const struct rotation_params synced_cut = {.image_duration_ms = 200,
                                                  .text_duration_ms = 200,
                                                  .max_items = 50,
                                                  .new_posts = ROTATION_NEW_NEXT,
                                                  .transition_ms = 0,
                                                  .synced = true};
static const struct rotation_params plain_fade = {.image_duration_ms = 10 * S,
                                                  .text_duration_ms = 10 * S,
                                                  .max_items = 50,
                                                  .new_posts = ROTATION_NEW_NEXT,
                                                  .transition_ms = 500};
static const struct rotation_params plain_cut = {.image_duration_ms = 200,
                                                 .text_duration_ms = 200,
                                                 .max_items = 50,
                                                 .new_posts = ROTATION_NEW_NEXT,
                                                 .transition_ms = 0};
static const struct rotation_params synced_video = {.image_duration_ms = 10 * S,
                                                    .text_duration_ms = 10 * S,
                                                    .video_max_duration_ms = 20 * S,
                                                    .max_items = 50,
                                                    .new_posts = ROTATION_NEW_NEXT,
                                                    .transition_ms = 500,
                                                    .synced = true};
static const struct rotation_params synced_aged = {.image_duration_ms = 10 * S,
                                                   .text_duration_ms = 10 * S,
                                                   .max_items = 50,
                                                   .max_age_ms = 3600 * S,
                                                   .new_posts = ROTATION_NEW_NEXT,
                                                   .transition_ms = 500,
                                                   .synced = true};
static const struct rotation_params plain_aged = {.image_duration_ms = 10 * S,
                                                  .text_duration_ms = 10 * S,
                                                  .max_items = 3,
                                                  .max_age_ms = 3600 * S,
                                                  .new_posts = ROTATION_NEW_NEXT,
                                                  .transition_ms = 500};

static const char *const none_refused[] = {NULL};
static const char *const b_refused[] = {"b#1", NULL};

static const struct {
    const char *name;
    const struct rotation_params *rp;
    struct spec posts[6];
    int64_t built; /* when the feed arrived (s from BASE) */
    int64_t now;   /* when the walk starts */
    int steps;
    const char *const *not_ready;
    const char *want;
    const char *want_skips; /* NULL: not checked */
} cases[] = {
    /* Synced: 10 s slots, a cycle of 30 s from the epoch (BASE is on one). */
    {"synced: slots from the epoch",
     &synced_fade,
     {IMG("a"), IMG("b"), IMG("c"), {0}},
     0,
     3,
     5,
     none_refused,
     "a#1@3 b#1@10 c#1@20 a#1@30 b#1@40",
     NULL},
    {"synced: a join near a slot's end waits for the next slot",
     &synced_fade,
     {IMG("a"), IMG("b"), IMG("c"), {0}},
     0,
     9,
     3,
     none_refused,
     "b#1@10 c#1@20 a#1@30",
     NULL},
    {"synced: an expired post has no slot",
     &synced_fade,
     {IMG("a"), {.id = "old", .media = 'i', .end = -86400}, IMG("c"), {0}},
     0,
     0,
     4,
     none_refused,
     "a#1@0 c#1@10 a#1@20 c#1@30",
     "old#1:expired "},
    {"synced: a post not yet started has no slot until it starts",
     &synced_fade,
     {IMG("a"), {.id = "new", .media = 'i', .start = 40}, IMG("c"), {0}},
     0,
     0,
     6,
     none_refused,
     /* a c until 40 s; from then a new c (30 s): 40 = 30 + 10 is new's slot */
     "a#1@0 c#1@10 a#1@20 c#1@30 new#1@40 c#1@50",
     NULL},
    {"synced: a post ends mid-run",
     &synced_fade,
     {IMG("a"), {.id = "b", .media = 'i', .end = 25}, IMG("c"), {0}},
     0,
     0,
     5,
     none_refused,
     "a#1@0 b#1@10 c#1@20 c#1@30 a#1@40",
     NULL},
    {"synced: an item not ready keeps its slot",
     &synced_fade,
     {IMG("a"), IMG("b"), IMG("c"), {0}},
     0,
     0,
     3,
     b_refused,
     "a#1@0 c#1@20 a#1@30",
     NULL},
    {"synced: cut: the minimum is 1 s, not transition + 1 s",
     &synced_cut,
     {IMG("a"), IMG("b"), {0}},
     0,
     0,
     3,
     none_refused,
     "a#1@0 b#1@1 a#1@2",
     NULL},
    {"synced: fade: the minimum is transition + 1 s",
     &synced_fade,
     {{.id = "a", .media = 'i', .duration_ms = 300},
      {.id = "b", .media = 'i', .duration_ms = 300},
      {0}},
     0,
     0,
     3,
     none_refused,
     "a#1@0 b#1@1.500 a#1@3",
     NULL},
    {"synced: video lengths: the feed's, else the cap",
     &synced_video,
     {{.id = "v", .media = 'v', .video_s = 7.5}, {.id = "w", .media = 'v'}, {.id = "t"}, {0}},
     0,
     0,
     4,
     none_refused,
     "v#1@0 w#1@7.500 t@27.500 v#1@37.500",
     NULL},
    {"synced: max_age as of each slot (pinned stays)",
     &synced_aged,
     {{.id = "a", .media = 'i', .published = -3580},
      {.id = "p", .media = 'i', .published = -7200, .pinned = true},
      IMG("c"),
      {0}},
     0,
     0,
     6,
     none_refused,
     /* a is too old from 20 s on: from then the cycle is p c (20 s) */
     "a#1@0 p#1@10 c#1@20 c#1@30 p#1@40 c#1@50",
     NULL},
    {"synced: the same plan from a rotation built later",
     &synced_fade,
     {IMG("a"), IMG("b"), IMG("c"), {0}},
     47,
     53,
     3,
     none_refused,
     "c#1@53 a#1@60 b#1@70",
     NULL},
    /* Plain: one after the other, each for its time. */
    {"plain: order, windows and durations",
     &plain_fade,
     {IMG("a"),
      {.id = "old", .media = 'i', .end = -5},
      {.id = "t", .duration_ms = 4000},
      {.id = "v", .media = 'v'},
      {0}},
     0,
     0,
     4,
     none_refused,
     "a#1@0+10.000 t@10+4.000 v#1@14+video a#1@44+10.000",
     "old#1:expired "},
    {"plain: cut: the minimum is 1 s",
     &plain_cut,
     {IMG("a"), IMG("b"), {0}},
     0,
     0,
     3,
     none_refused,
     "a#1@0+1.000 b#1@1+1.000 a#1@2+1.000",
     NULL},
    {"plain: max_age as of now, max_items, pinned",
     &plain_aged,
     {{.id = "a", .media = 'i', .published = -3590},
      {.id = "p", .media = 'i', .published = -7200, .pinned = true},
      IMG("b"),
      IMG("c"),
      {0}},
     0,
     0,
     4,
     none_refused,
     /* max_items 3, pinned p counted (issue 8): p, a and b (c is over the
      * limit); a ages out at 10 s */
     "a#1@0+10.000 p#1@10+10.000 b#1@20+10.000 p#1@30+10.000",
     NULL},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rotation *r = rotation_of(cases[i].rp, cases[i].posts, BASE + cases[i].built * S);
        char got[512];
        skipped[0] = '\0';
        walk(r, cases[i].now, cases[i].steps, cases[i].not_ready, got, sizeof got);
        if (strcmp(got, cases[i].want) != 0)
            print_error("case \"%s\"\n", cases[i].name);
        assert_string_equal(got, cases[i].want);
        if (cases[i].want_skips)
            assert_string_equal(skipped, cases[i].want_skips);
        rotation_destroy(r);
    }
}

/* Two screens: rotations built at different moments, asked at the same
 * moments, give the same item and slot every time; and a screen that joins
 * late shows the same items from its first switch on. */
static void test_two_screens_agree(void **state)
{
    (void)state;
    const struct spec posts[] = {IMG("a"),
                                 {.id = "x", .media = 'i', .end = 35},
                                 {.id = "b", .media = 'v', .video_s = 12.25},
                                 {.id = "c", .start = 50},
                                 IMG("d"),
                                 {0}};
    struct rotation *r1 = rotation_of(&synced_video, posts, BASE);
    struct rotation *r2 = rotation_of(&synced_video, posts, BASE + 17 * S);
    char w1[512], w2[512];
    walk(r1, 0, 14, none_refused, w1, sizeof w1);
    walk(r2, 23, 12, none_refused, w2, sizeof w2);
    /* the late screen's sequence is the tail of the first one's, after its
     * join (its first item) */
    const char *tail = strchr(w2, ' ');
    assert_non_null(tail);
    assert_non_null(strstr(w1, tail + 1));
    rotation_destroy(r1);
    rotation_destroy(r2);
}

/* The player switched a millisecond before the slot's wall-clock start (its
 * monotonic deadline fired early) and asks then: the next item is still the
 * one after the current slot, not the current item again (which logged a
 * second show at once, a fade's length early, and reloaded a video). */
static void test_early_or_late_wake(void **state)
{
    (void)state;
    static const int64_t skews[] = {-40, -1, 0, 1, 16, 400};
    const struct spec posts[] = {IMG("a"), IMG("b"), IMG("c"), {0}};
    for (size_t i = 0; i < sizeof skews / sizeof skews[0]; i++) {
        struct rotation *r = rotation_of(&synced_fade, posts, BASE);
        char got[256];
        wake_skew_ms = skews[i];
        walk(r, 3, 5, none_refused, got, sizeof got);
        wake_skew_ms = 0;
        if (strcmp(got, "a#1@3 b#1@10 c#1@20 a#1@30 b#1@40") != 0)
            print_error("skew %lld ms\n", (long long)skews[i]);
        assert_string_equal(got, "a#1@3 b#1@10 c#1@20 a#1@30 b#1@40");
        rotation_destroy(r);
    }
}

static void test_item_ms(void **state)
{
    (void)state;
    struct post post = {.id = "p"};
    struct media_ref m = {.kind = MEDIA_VIDEO, .duration_s = 90};
    struct item video = {.id = "p#1", .post = &post, .media = &m, .kind = ITEM_VIDEO};
    struct item image = {.id = "q", .post = &post, .kind = ITEM_IMAGE, .duration_ms = 100};
    assert_int_equal(rotation_item_ms(&synced_video, &video), 20 * S); /* capped */
    assert_int_equal(rotation_item_ms(&plain_fade, &video), 0);        /* its own */
    assert_int_equal(rotation_item_ms(&plain_fade, &image), 500 + SYNC_MIN_SHOW_MS);
    assert_int_equal(rotation_item_ms(&plain_cut, &image), SYNC_MIN_SHOW_MS);
}

static void test_empty(void **state)
{
    (void)state;
    const struct spec posts[] = {{.id = "old", .media = 'i', .end = -5}, {0}};
    struct rotation *r = rotation_of(&synced_fade, posts, BASE);
    char got[64];
    walk(r, 0, 2, none_refused, got, sizeof got);
    assert_string_equal(got, "-");
    rotation_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_two_screens_agree),
        cmocka_unit_test(test_early_or_late_wake),
        cmocka_unit_test(test_item_ms),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
