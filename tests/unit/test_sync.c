/* sync.c: slots at various times (boundaries, before 1970, year 2100, the
 * ends of int64), zero-duration items, the transition's minimum, next slots,
 * two screens agreeing, and the timeline id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rotation/sync.h"

#define Y2100 4102444800000LL /* 2100-01-01T00:00:00Z */
#define NOW 1700000000000LL   /* 2023-11-14T22:13:20Z */

/* ---- slot_at ------------------------------------------------------------ */

struct slot_case {
    const char *what;
    int64_t durations[4];
    size_t n;
    int64_t transition_ms;
    int64_t now;
    int rc;
    size_t index;
    int64_t start, end;
};

/* durations {10 s, 20 s, 0, 30 s}: a 60 s cycle, item 2 takes no slot. */
#define A {10000, 20000, 0, 30000}, 4, 0
/* {7 s, 11 s, 13 s}: a 31 s cycle that does not divide round times. */
#define B {7000, 11000, 13000}, 3, 0

static const struct slot_case slot_cases[] = {
    {"epoch", A, 0, 0, 0, 0, 10000},
    {"inside the first", A, 9999, 0, 0, 0, 10000},
    {"boundary: the next starts", A, 10000, 0, 1, 10000, 30000},
    {"last ms of the second", A, 29999, 0, 1, 10000, 30000},
    {"zero-duration item skipped", A, 30000, 0, 3, 30000, 60000},
    {"last ms of the cycle", A, 59999, 0, 3, 30000, 60000},
    {"second cycle", A, 60000, 0, 0, 60000, 70000},
    {"1 ms before the epoch", A, -1, 0, 3, -30000, 0},
    {"one cycle before", A, -60000, 0, 0, -60000, -50000},
    {"before 1970, inside", A, -50001, 0, 0, -60000, -50000},
    {"before 1970, boundary", A, -50000, 0, 1, -50000, -30000},
    {"now", A, NOW, 0, 1, NOW - 10000, NOW + 10000}, /* NOW mod 60 s = 20 s */
    {"year 2100", B, Y2100, 0, 0, Y2100 - 1000, Y2100 + 6000},
    {"year 2100, later", B, Y2100 + 12345, 0, 1, Y2100 + 6000, Y2100 + 17000},
    {"year 2100, boundary", B, Y2100 + 17000, 0, 2, Y2100 + 17000, Y2100 + 30000},
    {"one item", {5000}, 1, 0, 12345, 0, 0, 10000, 15000},
    {"short items raised to transition + 1 s", {500, 10000}, 2, 600, 1599, 0, 0, 0, 1600},
    {"after the raised item", {500, 10000}, 2, 600, 1600, 0, 1, 1600, 11600},
    {"negative duration: no slot", {-5, 4000}, 2, 0, 4001, 0, 1, 4000, 8000},
    {"negative transition counts as 0", {1000}, 1, -500, 1500, 0, 0, 1000, 2000},
    /* The ends of int64: INT64_MAX is 55807 ms into a 60 s cycle, INT64_MIN
     * 4192 ms into one. */
    {"INT64_MIN + first cycle start", A, INT64_MIN + 55808, 0, 0, INT64_MIN + 55808,
     INT64_MIN + 65808},
    {"cycle starts before INT64_MIN", A, INT64_MIN, -1, 0, 0, 0},
    {"slot ends after INT64_MAX", A, INT64_MAX, -1, 0, 0, 0},
    {"the last whole cycle before INT64_MAX", A, INT64_MAX - 55807 + 29999, 0, 1,
     INT64_MAX - 55807 + 10000, INT64_MAX - 55807 + 30000},
    {"no items", {0}, 0, 0, NOW, -1, 0, 0, 0},
    {"all zero", {0, 0, 0}, 3, 0, NOW, -1, 0, 0, 0},
    {"cycle overflows", {INT64_MAX, 1}, 2, 0, NOW, -1, 0, 0, 0},
    {"cycle of INT64_MAX", {INT64_MAX - 1000, 1000}, 2, 0, NOW, 0, 0, 0, INT64_MAX - 1000},
};

static void test_slot_at(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof slot_cases / sizeof slot_cases[0]; i++) {
        const struct slot_case *c = &slot_cases[i];
        struct sync_slot s = {99, 1, 2};
        int rc = sync_slot_at(c->durations, c->n, c->transition_ms, c->now, &s);
        if (rc != c->rc)
            fail_msg("%s: rc %d, expected %d", c->what, rc, c->rc);
        if (rc < 0) {
            assert_int_equal(s.index, 99); /* unchanged */
            assert_true(s.start_ms == 1 && s.end_ms == 2);
            continue;
        }
        if (s.index != c->index || s.start_ms != c->start || s.end_ms != c->end)
            fail_msg("%s: slot %zu [%lld, %lld), expected %zu [%lld, %lld)", c->what, s.index,
                     (long long)s.start_ms, (long long)s.end_ms, c->index, (long long)c->start,
                     (long long)c->end);
        assert_true(s.start_ms <= c->now && c->now < s.end_ms);
    }
}

static void test_slot_length(void **state)
{
    (void)state;
    const struct {
        int64_t planned, transition, expected;
    } cases[] = {
        {0, 600, 0},       {-1, 600, 0},      {1, 600, 1600},
        {1600, 600, 1600}, {1601, 600, 1601}, {10000, 0, 10000},
        {1, 0, 1000},      {5, -3, 1000},     {1, INT64_MAX, INT64_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = sync_slot_length(cases[i].planned, cases[i].transition);
        assert_int_equal(got, cases[i].expected);
        /* Idempotent: the app may pass durations it has already raised. */
        assert_int_equal(sync_slot_length(got, cases[i].transition), got);
    }
}

/* ---- next_slot ---------------------------------------------------------- */

static void test_next_slot(void **state)
{
    (void)state;
    const int64_t d[] = {10000, 20000, 0, 30000};
    struct sync_slot s, next;
    assert_int_equal(sync_slot_at(d, 4, 0, 5000, &s), 0);
    assert_int_equal(sync_next_slot(d, 4, 0, &s, &next), 0);
    assert_int_equal(next.index, 1);
    assert_true(next.start_ms == 10000 && next.end_ms == 30000);
    assert_int_equal(sync_next_slot(d, 4, 0, &next, &next), 0); /* out may be cur */
    assert_int_equal(next.index, 3);                            /* 2 is skipped */
    assert_true(next.start_ms == 30000 && next.end_ms == 60000);
    assert_int_equal(sync_next_slot(d, 4, 0, &next, &next), 0);
    assert_int_equal(next.index, 0); /* wraps */
    assert_true(next.start_ms == 60000 && next.end_ms == 70000);
    /* Before the epoch, across it. */
    assert_int_equal(sync_slot_at(d, 4, 0, -1, &s), 0);
    assert_int_equal(sync_next_slot(d, 4, 0, &s, &next), 0);
    assert_int_equal(next.index, 0);
    assert_true(next.start_ms == 0 && next.end_ms == 10000);
    /* The timeline changed meanwhile: whatever it puts at cur's end. */
    const int64_t d2[] = {25000, 25000};
    assert_int_equal(sync_slot_at(d, 4, 0, 5000, &s), 0);
    assert_int_equal(sync_next_slot(d2, 2, 0, &s, &next), 0);
    assert_int_equal(next.index, 0);
    assert_true(next.start_ms == 0 && next.end_ms == 25000);
    assert_int_equal(sync_next_slot(d2, 0, 0, &s, &next), -1);
    /* No slot past INT64_MAX. */
    struct sync_slot last = {0, INT64_MAX - 20000, INT64_MAX - 10};
    assert_int_equal(sync_next_slot(d, 4, 0, &last, &next), -1);
}

/* Stepping slot by slot lays out exactly the same timeline as asking for
 * any moment directly: each slot follows the previous one with no gap. */
static void test_walk_matches_lookup(void **state)
{
    (void)state;
    const int64_t d[] = {7000, 0, 11000, 1, 13000, 0}; /* 1 ms is raised to 1.6 s */
    const int64_t tr = 600;
    struct sync_slot s;
    assert_int_equal(sync_slot_at(d, 6, tr, Y2100 - 3, &s), 0);
    for (int k = 0; k < 500; k++) {
        struct sync_slot direct, next;
        assert_true(s.start_ms < s.end_ms);
        assert_true(d[s.index] > 0);
        int64_t probes[3] = {s.start_ms, s.start_ms + (s.end_ms - s.start_ms) / 2, s.end_ms - 1};
        for (int j = 0; j < 3; j++) {
            assert_int_equal(sync_slot_at(d, 6, tr, probes[j], &direct), 0);
            assert_int_equal(direct.index, s.index);
            assert_true(direct.start_ms == s.start_ms && direct.end_ms == s.end_ms);
        }
        assert_int_equal(sync_next_slot(d, 6, tr, &s, &next), 0);
        assert_true(next.start_ms == s.end_ms);
        s = next;
    }
}

/* ---- two screens -------------------------------------------------------- */

/* Two screens with their own copies of the same rotation agree at every
 * moment, whenever each started and whether or not an item is ready on it
 * (readiness does not enter the timeline: a screen whose item 1 is not
 * cached passes the same durations and shows its fallback in that slot). */
static void test_two_screens(void **state)
{
    (void)state;
    int64_t screen_a[] = {10000, 8000, 45000, 6000, 6000}; /* video: 45 s fallback */
    int64_t screen_b[5];
    memcpy(screen_b, screen_a, sizeof screen_a);
    const int64_t times[] = {NOW,        NOW + 1,    NOW + 74999, NOW + 75000,  Y2100,
                             Y2100 + 37, -123456789, 0,           INT64_MAX / 2};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        struct sync_slot a, b;
        assert_int_equal(sync_slot_at(screen_a, 5, 600, times[i], &a), 0);
        assert_int_equal(sync_slot_at(screen_b, 5, 600, times[i], &b), 0);
        assert_int_equal(a.index, b.index);
        assert_true(a.start_ms == b.start_ms && a.end_ms == b.end_ms);
    }
    /* Screen B boots an hour later and walks from there; A looks up directly. */
    struct sync_slot b;
    assert_int_equal(sync_slot_at(screen_b, 5, 600, NOW + 3600000, &b), 0);
    for (int k = 0; k < 100; k++) {
        struct sync_slot a;
        assert_int_equal(sync_slot_at(screen_a, 5, 600, b.start_ms, &a), 0);
        assert_int_equal(a.index, b.index);
        assert_true(a.start_ms == b.start_ms && a.end_ms == b.end_ms);
        assert_int_equal(sync_next_slot(screen_b, 5, 600, &b, &b), 0);
    }
    assert_int_equal(sync_timeline_id(NULL, screen_a, 5, 600),
                     sync_timeline_id(NULL, screen_b, 5, 600));
}

/* ---- timeline id -------------------------------------------------------- */

static void test_timeline_id(void **state)
{
    (void)state;
    const char *ids[] = {"p1", "p2#1", "p3"};
    const int64_t d[] = {10000, 20000, 30000};
    uint64_t base = sync_timeline_id(ids, d, 3, 0);
    /* Stable across builds and platforms: FNV-1a over id, NUL, 8 LE bytes. */
    assert_true(base == 0xc36d67a546c50333ULL);
    assert_true(sync_timeline_id(ids, d, 0, 0) == 0xcbf29ce484222325ULL);

    const char *swapped[] = {"p2#1", "p1", "p3"};
    const int64_t d_swapped[] = {20000, 10000, 30000};
    assert_true(sync_timeline_id(swapped, d_swapped, 3, 0) != base);
    const int64_t longer[] = {10000, 20000, 30001};
    assert_true(sync_timeline_id(ids, longer, 3, 0) != base);
    /* A transition that raises a duration changes the timeline... */
    const int64_t shortish[] = {1000, 20000, 30000};
    assert_true(sync_timeline_id(ids, shortish, 3, 600) != sync_timeline_id(ids, shortish, 3, 0));
    /* ...one that does not, does not. */
    assert_true(sync_timeline_id(ids, d, 3, 600) == base);
    /* Items without a slot do not count. */
    const char *with_gap[] = {"p1", "gone", "p2#1", "p3"};
    const int64_t d_gap[] = {10000, 0, 20000, 30000};
    assert_true(sync_timeline_id(with_gap, d_gap, 4, 0) == base);
    /* Ids are delimited: "ab","c" is not "a","bc". */
    const char *ab_c[] = {"ab", "c"}, *a_bc[] = {"a", "bc"};
    const int64_t two[] = {5000, 5000};
    assert_true(sync_timeline_id(ab_c, two, 2, 0) != sync_timeline_id(a_bc, two, 2, 0));
    /* NULL ids count as "". */
    const char *empty[] = {"", ""};
    assert_true(sync_timeline_id(NULL, two, 2, 0) == sync_timeline_id(empty, two, 2, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slot_at),     cmocka_unit_test(test_slot_length),
        cmocka_unit_test(test_next_slot),   cmocka_unit_test(test_walk_matches_lookup),
        cmocka_unit_test(test_two_screens), cmocka_unit_test(test_timeline_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
