/* schedule.c: on_hours parsing (good and bad texts), is_on across days and
 * over midnight, next_change, the wrap from Sunday to Monday, times before
 * 1970 and far in the future. Local times are built from a known Monday. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rotation/schedule.h"

#define MIN_MS 60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define WEEK_MS (7 * DAY_MS)
#define MONDAY 1704067200000LL /* 2024-01-01T00:00 local, a Monday */

enum { MON, TUE, WED, THU, FRI, SAT, SUN };

/* Local ms of day d (MON..SUN) at h:m:s of the week `week` weeks from MONDAY. */
static int64_t at(int64_t week, int d, int h, int m, int s)
{
    return MONDAY + week * WEEK_MS + d * DAY_MS + h * HOUR_MS + m * MIN_MS + s * 1000LL;
}

static struct schedule parse_ok(const char *text)
{
    struct schedule s;
    char err[256] = "";
    memset(&s, 0xa5, sizeof s);
    if (schedule_parse(text, &s, err, sizeof err) != 0)
        fail_msg("\"%s\": unexpected error: %s", text, err);
    return s;
}

static int minutes_on(const struct schedule *s)
{
    int n = 0;
    for (int64_t m = 0; m < SCHEDULE_MINUTES_PER_WEEK; m++)
        n += schedule_is_on(s, MONDAY + m * MIN_MS);
    return n;
}

/* ---- parsing: good texts ----------------------------------------------- */

struct probe {
    int day, h, m;
    bool on;
};

struct good_case {
    const char *text;
    int minutes;            /* minutes on per week */
    struct probe probes[8]; /* ends at the first with h == -1 */
};

#define END             \
    {                   \
        0, -1, 0, false \
    }

static const struct good_case good_cases[] = {
    {"", 7 * 1440, {{MON, 0, 0, true}, {SUN, 23, 59, true}, END}},
    {"   ", 7 * 1440, {{WED, 12, 0, true}, END}},
    {"mon-fri 07:00-22:00, sat 09:00-18:00",
     5 * 900 + 540,
     {{MON, 6, 59, false},
      {MON, 7, 0, true},
      {FRI, 21, 59, true},
      {FRI, 22, 0, false},
      {SAT, 8, 59, false},
      {SAT, 9, 0, true},
      {SAT, 18, 0, false},
      {SUN, 12, 0, false}}},
    {"daily 08:00-20:00",
     7 * 720,
     {{MON, 8, 0, true}, {SUN, 19, 59, true}, {SUN, 20, 0, false}, {TUE, 7, 59, false}, END}},
    {"sun 10:00-16:00", 360, {{SUN, 10, 0, true}, {SAT, 10, 0, false}, {MON, 10, 0, false}, END}},
    {"mon,wed,fri 09:00-12:00",
     3 * 180,
     {{MON, 9, 0, true},
      {TUE, 9, 0, false},
      {WED, 11, 59, true},
      {THU, 9, 0, false},
      {FRI, 9, 30, true},
      END}},
    {"fri 20:00-02:00",
     360,
     {{FRI, 19, 59, false},
      {FRI, 20, 0, true},
      {SAT, 0, 0, true},
      {SAT, 1, 59, true},
      {SAT, 2, 0, false},
      {THU, 20, 0, false},
      {FRI, 1, 0, false},
      END}},
    {"sun 22:00-01:00", 180, {{SUN, 22, 0, true}, {MON, 0, 59, true}, {MON, 1, 0, false}, END}},
    {"mon 08:00-24:00", 960, {{MON, 23, 59, true}, {TUE, 0, 0, false}, END}},
    {"mon 00:00-24:00", 1440, {{MON, 0, 0, true}, {SUN, 23, 59, false}, END}},
    {"sat 22:00-00:00", 120, {{SAT, 23, 59, true}, {SUN, 0, 0, false}, END}},
    {"mon 08:00-12:00 14:00-18:00",
     480,
     {{MON, 12, 0, false}, {MON, 13, 59, false}, {MON, 14, 0, true}, END}},
    {"mon 08:00-12:00, 14:00-18:00", 480, {{MON, 11, 0, true}, {MON, 15, 0, true}, END}},
    {"mon 08:00-12:00, mon 14:00-18:00", 480, {{MON, 11, 0, true}, {MON, 15, 0, true}, END}},
    {"mon 08:00-12:00, mon 10:00-14:00", 360, {{MON, 13, 59, true}, END}}, /* a union */
    {"fri-mon 10:00-11:00",
     4 * 60,
     {{FRI, 10, 0, true}, {SUN, 10, 0, true}, {MON, 10, 0, true}, {TUE, 10, 0, false}, END}},
    {"Monday-Friday 9:00-17:00", 5 * 480, {{FRI, 9, 0, true}, {SAT, 9, 0, false}, END}},
    {"MON - FRI 07:00 - 08:00,SAT 07:00-08:00", 6 * 60, {{SAT, 7, 0, true}, END}},
    {"mon, wed 07:00-08:00 tue 09:00-10:00",
     3 * 60,
     {{MON, 7, 0, true}, {WED, 7, 0, true}, {TUE, 9, 0, true}, {TUE, 7, 0, false}, END}},
    {"daily 00:00-24:00", 7 * 1440, {{THU, 3, 0, true}, END}},
    {"\tsun 23:59-24:00 ", 1, {{SUN, 23, 59, true}, {SUN, 23, 58, false}, END}},
};

static void test_parse_good(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
        const struct good_case *c = &good_cases[i];
        struct schedule s = parse_ok(c->text);
        int n = minutes_on(&s);
        if (n != c->minutes)
            fail_msg("\"%s\": %d minutes on, expected %d", c->text, n, c->minutes);
        for (const struct probe *p = c->probes; p < c->probes + 8 && p->h >= 0; p++) {
            bool on = schedule_is_on(&s, at(0, p->day, p->h, p->m, 0));
            if (on != p->on)
                fail_msg("\"%s\": day %d %02d:%02d is %s, expected %s", c->text, p->day, p->h,
                         p->m, on ? "on" : "off", p->on ? "on" : "off");
        }
    }
}

static void test_parse_null_is_always_on(void **state)
{
    (void)state;
    struct schedule s;
    assert_int_equal(schedule_parse(NULL, &s, NULL, 0), 0);
    assert_int_equal(minutes_on(&s), 7 * 1440);
}

/* ---- parsing: bad texts ------------------------------------------------ */

struct bad_case {
    const char *text;
    const char *message; /* the whole error */
};

static const struct bad_case bad_cases[] = {
    {"xyz 07:00-08:00", "expected a day (mon..sun, daily) at \"xyz\""},
    {"07:00-08:00", "expected a day (mon..sun, daily) at \"07:00-08:00\""},
    {"mon", "expected a time range (HH:MM-HH:MM, hours 00..24, minutes 00..59) at end of text"},
    {"mon-fri", "expected a time range (HH:MM-HH:MM, hours 00..24, minutes 00..59) at end of "
                "text"},
    {"mon-xyz 07:00-08:00", "expected a day (mon..sun) after \"-\" at \"xyz\""},
    {"mon-daily 07:00-08:00", "expected a day (mon..sun) after \"-\" at \"daily\""},
    {"mo 07:00-08:00", "expected a day (mon..sun, daily) at \"mo\""},
    {"mon 25:00-26:00", "expected a time range (HH:MM-HH:MM, hours 00..24, minutes 00..59) at "
                        "\"25:00-26:00\""},
    {"mon 07:60-08:00", "expected a time range (HH:MM-HH:MM, hours 00..24, minutes 00..59) at "
                        "\"07:60-08:00\""},
    {"mon 7-8", "expected a time range (HH:MM-HH:MM, hours 00..24, minutes 00..59) at \"7-8\""},
    {"mon 07:00", "expected a time range (HH:MM-HH:MM) at \"07:00\""},
    {"mon 07:00-", "expected an end time (HH:MM, hours 00..24, minutes 00..59) at end of text"},
    {"mon 07:00-24:01", "expected an end time (HH:MM, hours 00..24, minutes 00..59) at "
                        "\"24:01\""},
    {"mon 07:00-8", "expected an end time (HH:MM, hours 00..24, minutes 00..59) at \"8\""},
    {"mon 07:000-08:00", "expected a time range (HH:MM-HH:MM, hours 00..24, minutes 00..59) "
                         "at \"07:000-08:00\""},
    {"mon 24:00-02:00", "expected a start before 24:00 (24:00 is only an end) at "
                        "\"24:00-02:00\""},
    {"mon 09:00-09:00", "expected an end time different from the start at \"09:00-09:00\""},
    {"mon 07:00-08:00,",
     "expected a day (mon..sun, daily) or a time range (HH:MM-HH:MM) at end of text"},
    {"mon 07:00-08:00,, tue 07:00-08:00",
     "expected a day (mon..sun, daily) or a time range (HH:MM-HH:MM) at \",\""},
    {"mon,,tue 07:00-08:00", "expected a day (mon..sun, daily) at \",\""},
    {",mon 07:00-08:00", "expected a day (mon..sun, daily) at \",\""},
    {"mon 07:00-08:00; tue 07:00-08:00",
     "expected a day (mon..sun, daily) or a time range (HH:MM-HH:MM) at \";\""},
    {"mon 07:00-08:00 xyz", "expected a day (mon..sun, daily) at \"xyz\""},
    {"mon 07:00-08:00 tue", "expected a time range (HH:MM-HH:MM, hours 00..24, minutes "
                            "00..59) at end of text"},
    {"abcdefghijklmnopqrstuvwxyz0123 07:00-08:00",
     "expected a day (mon..sun, daily) at \"abcdefghijklmnopqrstuvwx...\""},
};

static void test_parse_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        struct schedule s, before;
        memset(&s, 0x5a, sizeof s);
        before = s;
        char err[256] = "";
        int rc = schedule_parse(c->text, &s, err, sizeof err);
        if (rc != -1)
            fail_msg("\"%s\": accepted", c->text);
        if (strcmp(err, c->message) != 0)
            fail_msg("\"%s\": error \"%s\", expected \"%s\"", c->text, err, c->message);
        assert_memory_equal(&s, &before, sizeof s); /* unchanged on failure */
        /* No buffer for the message is fine too, and a short one is cut. */
        assert_int_equal(schedule_parse(c->text, &s, NULL, 0), -1);
        char tiny[8];
        assert_int_equal(schedule_parse(c->text, &s, tiny, sizeof tiny), -1);
        assert_int_equal(strlen(tiny), sizeof tiny - 1);
    }
}

/* ---- is_on across weeks, seconds, before 1970 --------------------------- */

struct on_case {
    const char *text;
    int64_t local_ms;
    bool on;
};

static void test_is_on(void **state)
{
    (void)state;
    /* 1970-01-01 was a Thursday; 1969-12-31 a Wednesday. */
    const struct on_case cases[] = {
        {"thu 00:00-00:01", 0, true},
        {"thu 00:00-00:01", 59999, true},
        {"thu 00:00-00:01", 60000, false},
        {"wed 23:59-24:00", -1, true},
        {"wed 23:59-24:00", -60000, true},
        {"wed 23:59-24:00", -60001, false},
        {"wed 23:00-01:00", -1, true},
        {"wed 23:00-01:00", 0, true},
        {"mon-fri 07:00-22:00", at(0, FRI, 21, 59, 59) + 999, true},
        {"mon-fri 07:00-22:00", at(0, FRI, 22, 0, 0), false},
        {"mon-fri 07:00-22:00", at(-2800, MON, 7, 0, 0), true},  /* 1970s */
        {"mon-fri 07:00-22:00", at(-2900, SAT, 7, 0, 0), false}, /* 1968 */
        {"mon-fri 07:00-22:00", at(4000, TUE, 12, 0, 0), true},  /* 2100 */
        {"sun 22:00-01:00", at(1, MON, 0, 30, 0), true},
        {"sun 22:00-01:00", at(-1, SUN, 23, 0, 0), true},
        /* INT64_MIN is a Sunday 16:47:04.192, INT64_MAX a Sunday 07:12:55.807. */
        {"daily 08:00-20:00", INT64_MIN, true},
        {"daily 08:00-20:00", INT64_MAX, false},
        {"sun 07:00-08:00", INT64_MAX, true},
        {"sun 16:00-17:00", INT64_MIN, true},
        {"sat 16:00-17:00", INT64_MIN, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct schedule s = parse_ok(cases[i].text);
        bool on = schedule_is_on(&s, cases[i].local_ms);
        if (on != cases[i].on)
            fail_msg("\"%s\" at %lld: %s, expected %s", cases[i].text,
                     (long long)cases[i].local_ms, on ? "on" : "off", cases[i].on ? "on" : "off");
    }
}

/* ---- next_change -------------------------------------------------------- */

struct next_case {
    const char *text;
    int64_t from;
    int64_t expected;
};

static void test_next_change(void **state)
{
    (void)state;
    const struct next_case cases[] = {
        {"", at(0, MON, 12, 0, 0), INT64_MAX},
        {"daily 00:00-24:00", at(0, MON, 12, 0, 0), INT64_MAX},
        {"mon-fri 07:00-22:00", at(0, MON, 6, 0, 0), at(0, MON, 7, 0, 0)},
        {"mon-fri 07:00-22:00", at(0, MON, 6, 59, 59) + 999, at(0, MON, 7, 0, 0)},
        {"mon-fri 07:00-22:00", at(0, MON, 7, 0, 0), at(0, MON, 22, 0, 0)}, /* > from */
        {"mon-fri 07:00-22:00", at(0, MON, 7, 0, 0) + 1, at(0, MON, 22, 0, 0)},
        {"mon-fri 07:00-22:00", at(0, MON, 22, 0, 0), at(0, TUE, 7, 0, 0)},
        {"mon-fri 07:00-22:00", at(0, FRI, 22, 0, 0), at(1, MON, 7, 0, 0)}, /* week wrap */
        {"mon-fri 07:00-22:00", at(0, SUN, 23, 59, 59), at(1, MON, 7, 0, 0)},
        {"fri 20:00-02:00", at(0, FRI, 20, 30, 0), at(0, SAT, 2, 0, 0)},
        {"sun 22:00-01:00", at(0, SUN, 22, 30, 0), at(1, MON, 1, 0, 0)},
        {"sun 22:00-01:00", at(0, MON, 0, 30, 0), at(0, MON, 1, 0, 0)},
        {"sun 22:00-01:00", at(0, MON, 1, 0, 0), at(0, SUN, 22, 0, 0)},
        {"sun 22:00-01:00", at(0, SUN, 22, 0, 0) - 1, at(0, SUN, 22, 0, 0)},
        /* Contiguous days merge: no change at midnight. */
        {"mon 00:00-24:00, tue 00:00-24:00", at(0, MON, 5, 0, 0), at(0, WED, 0, 0, 0)},
        {"mon 08:00-24:00, tue 00:00-02:00", at(0, MON, 9, 0, 0), at(0, TUE, 2, 0, 0)},
        /* Once a week: the change is almost a week away. */
        {"wed 10:00-10:01", at(0, WED, 10, 1, 0), at(1, WED, 10, 0, 0)},
        /* Before 1970 and around zero. */
        {"thu 00:00-01:00", -1, 0},
        {"thu 00:00-01:00", 0, HOUR_MS},
        {"mon-fri 07:00-22:00", at(-2900, SAT, 7, 0, 0), at(-2899, MON, 7, 0, 0)},
        /* Year 2100. */
        {"sat 09:00-18:00", at(4000, SAT, 12, 0, 0), at(4000, SAT, 18, 0, 0)},
        /* Past the end of int64: never. */
        {"mon 09:00-10:00", INT64_MAX - 1000, INT64_MAX},
        {"daily 08:00-20:00", INT64_MIN, INT64_MIN + 193 * MIN_MS - 4192}, /* Sun 20:00 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct next_case *c = &cases[i];
        struct schedule s = parse_ok(c->text);
        int64_t got = schedule_next_change(&s, c->from);
        if (got != c->expected)
            fail_msg("\"%s\" from %lld: %lld, expected %lld", c->text, (long long)c->from,
                     (long long)got, (long long)c->expected);
        if (got != INT64_MAX) {
            assert_true(got > c->from);
            assert_int_equal(got % MIN_MS, 0);
            assert_true(schedule_is_on(&s, got) != schedule_is_on(&s, c->from));
            assert_true(schedule_is_on(&s, got - 1) == schedule_is_on(&s, c->from));
        }
    }
}

/* Walking change to change over two weeks meets every edge and nothing else. */
static void test_next_change_walk(void **state)
{
    (void)state;
    struct schedule s = parse_ok("mon-fri 07:00-22:00, sat 09:00-18:00, sun 22:00-01:00");
    int64_t t = at(0, MON, 0, 0, 0);
    int changes = 0;
    for (;;) {
        int64_t next = schedule_next_change(&s, t);
        assert_true(next > t);
        bool on = schedule_is_on(&s, t);
        for (int64_t m = t; m < next && m < at(2, MON, 0, 0, 0); m += MIN_MS)
            assert_true(schedule_is_on(&s, m) == on);
        if (next >= at(2, MON, 0, 0, 0))
            break;
        t = next;
        changes++;
    }
    /* Per week: 5 weekdays, Saturday and Sunday night, each on and off. */
    assert_int_equal(changes, 28);
}

/* A zeroed schedule is never on and never changes. */
static void test_zeroed(void **state)
{
    (void)state;
    struct schedule s;
    memset(&s, 0, sizeof s);
    assert_false(schedule_is_on(&s, at(0, TUE, 12, 0, 0)));
    assert_true(schedule_next_change(&s, 0) == INT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),  cmocka_unit_test(test_parse_null_is_always_on),
        cmocka_unit_test(test_parse_bad),   cmocka_unit_test(test_is_on),
        cmocka_unit_test(test_next_change), cmocka_unit_test(test_next_change_walk),
        cmocka_unit_test(test_zeroed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
