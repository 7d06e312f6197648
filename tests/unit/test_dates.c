/* dates.c: RFC 3339 and the real-world RFC 822 of RSS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "feed/dates.h"

#define BAD INT64_MIN

/* 2002-10-02T13:00:00Z */
#define T0 1033563600000LL

static const struct {
    const char *s;
    int64_t ms; /* BAD: must be refused */
} rfc3339_cases[] = {
    {"2002-10-02T13:00:00Z", T0},
    {"2002-10-02t13:00:00z", T0},
    {"2002-10-02 13:00:00Z", T0},
    {"2002-10-02T13:00:00.5Z", T0 + 500},
    {"2002-10-02T13:00:00.123456Z", T0 + 123},
    {"2002-10-02T15:00:00+02:00", T0},
    {"2002-10-02T08:00:00-05:00", T0},
    {"2002-10-02T08:00:00-0500", T0},
    {"2002-10-02T13:00Z", T0},
    {"2002-10-02T13:00:00", T0},
    {"  2002-10-02T13:00:00Z  ", T0},
    {"2002-10-02", T0 - 13 * 3600000LL},
    {"1970-01-01T00:00:00Z", 0},
    {"1969-12-31T23:59:59Z", -1000},
    {"2024-02-29T00:00:00Z", 1709164800000LL},
    {"2016-12-31T23:59:60Z", 1483228799000LL},
    {"2023-02-29T00:00:00Z", BAD},
    {"2002-13-02T13:00:00Z", BAD},
    {"2002-10-32T13:00:00Z", BAD},
    {"2002-10-02T25:00:00Z", BAD},
    {"2002-10-02T13:61:00Z", BAD},
    {"2002-10-02T13:00:00+25:00", BAD},
    {"2002-10-02T13:00:00Zjunk", BAD},
    {"2002-10-02T13:00:00.Z", BAD},
    {"02-10-02T13:00:00Z", BAD},
    {"Wed, 02 Oct 2002 13:00:00 GMT", BAD},
    {"", BAD},
};

static const struct {
    const char *s;
    int64_t ms;
} rfc822_cases[] = {
    {"Wed, 02 Oct 2002 13:00:00 GMT", T0},
    {"Wed, 02 Oct 2002 13:00:00 +0000", T0},
    {"Wed, 02 Oct 2002 13:00:00 UT", T0},
    {"Wed, 02 Oct 2002 13:00:00 UTC", T0},
    {"Wed, 02 Oct 2002 13:00:00 Z", T0},
    {"Wed, 02 Oct 2002 08:00:00 EST", T0},
    {"Wed, 02 Oct 2002 09:00:00 EDT", T0},
    {"Wed, 02 Oct 2002 07:00:00 CST", T0},
    {"Wed, 02 Oct 2002 08:00:00 CDT", T0},
    {"Wed, 02 Oct 2002 06:00:00 MST", T0},
    {"Wed, 02 Oct 2002 07:00:00 MDT", T0},
    {"Wed, 02 Oct 2002 05:00:00 PST", T0},
    {"Wed, 02 Oct 2002 06:00:00 PDT", T0},
    {"Wed, 02 Oct 2002 15:00:00 +0200", T0},
    {"Wed, 02 Oct 2002 15:00:00 +02:00", T0},
    {"Wed, 02 Oct 2002 13:00 GMT", T0},
    {"02 Oct 2002 13:00:00 GMT", T0},
    {"Wed 02 Oct 2002 13:00:00 GMT", T0},
    {"Wednesday, 02 October 2002 13:00:00 GMT", T0},
    {"Wed, 2 Oct 2002 13:00:00 GMT", T0},
    {"Wed, 02 Oct 02 13:00:00 GMT", T0},
    {"Wed, 02 Oct 2002 13:00:00", T0},
    {"Wed, 02 oct 2002 13:00:00 gmt", T0},
    {"Wed, 02-Oct-2002 13:00:00 GMT", T0},
    {"Wed, 02 Oct 2002 13:00:00 GMT+0000", T0},
    {"Wed, 02 Oct 2002 14:00:00 N", T0}, /* military, RFC 822 signs */
    {"Wed, 02 Oct 2002 12:00:00 A", T0},
    {"Wed, 02 Oct 2002 01:00:00 M", T0},
    {"Wed, 02 Oct 2002 13:00:00 GMT (Greenwich)", T0},
    {"Wed, 02 Oct 99 13:00:00 GMT", 938869200000LL},
    {"Wed, 02 Oct 2002", T0 - 13 * 3600000LL},
    {"Wed, 31 Feb 2002 13:00:00 GMT", BAD},
    {"Wed, 02 Foo 2002 13:00:00 GMT", BAD},
    {"Wed, 02 Oct 2002 13:00:00 XYZ", T0}, /* unknown zone: UTC (RFC 2822 4.3) */
    {"Wed, 02 Oct 2002 13:00:00 CEST", T0},
    {"Wed, 02 Oct 2002 13:00:00 Greenwich", BAD},
    {"Wed, 02 Oct 2002 1300 GMT", BAD},
    {"Wed, 02 Oct 2002 13:00:00 +99", BAD},
    {"2002-10-02T13:00:00Z", BAD},
    {"yesterday", BAD},
    {"", BAD},
};

static void test_rfc3339(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc3339_cases / sizeof rfc3339_cases[0]; i++) {
        int64_t ms = 0;
        bool ok = date_parse_rfc3339(rfc3339_cases[i].s, &ms);
        if (rfc3339_cases[i].ms == BAD) {
            if (ok)
                fail_msg("case %zu '%s' accepted", i, rfc3339_cases[i].s);
        } else if (!ok || ms != rfc3339_cases[i].ms) {
            fail_msg("case %zu '%s': ok=%d ms=%lld want %lld", i, rfc3339_cases[i].s, ok,
                     (long long)ms, (long long)rfc3339_cases[i].ms);
        }
    }
}

static void test_rfc822(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc822_cases / sizeof rfc822_cases[0]; i++) {
        int64_t ms = 0;
        bool ok = date_parse_rfc822(rfc822_cases[i].s, &ms);
        if (rfc822_cases[i].ms == BAD) {
            if (ok)
                fail_msg("case %zu '%s' accepted", i, rfc822_cases[i].s);
        } else if (!ok || ms != rfc822_cases[i].ms) {
            fail_msg("case %zu '%s': ok=%d ms=%lld want %lld", i, rfc822_cases[i].s, ok,
                     (long long)ms, (long long)rfc822_cases[i].ms);
        }
    }
}

static void test_any(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(date_parse_any("2002-10-02T13:00:00Z", &ms));
    assert_int_equal(ms, T0);
    assert_true(date_parse_any("Wed, 02 Oct 2002 13:00:00 GMT", &ms));
    assert_int_equal(ms, T0);
    assert_false(date_parse_any("not a date", &ms));
    assert_false(date_parse_any(NULL, &ms));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_rfc822),
        cmocka_unit_test(test_any),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
