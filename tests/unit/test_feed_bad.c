/* Bad inputs (tests/fixtures/feeds/bad/): hostile XML (billion laughs,
 * quadratic blowup, external entities), broken encodings, ill-formed and
 * empty documents of every format. Each has a golden result: an error code,
 * or the posts that survive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/feed.h"
#include "test_feed_golden.h"

#define BAD_DIR DP_FIXTURES "/feeds/bad"
#define BASE "https://bad.example/feeds/feed"

static void test_golden_xml(void **state)
{
    (void)state;
    int count = 0;
    assert_int_equal(golden_run_dir(BAD_DIR, ".xml", BASE, &count), 0);
    assert_true(count >= 8);
}

static void test_golden_json(void **state)
{
    (void)state;
    int count = 0;
    assert_int_equal(golden_run_dir(BAD_DIR, ".json", BASE, &count), 0);
    assert_true(count >= 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_xml),
        cmocka_unit_test(test_golden_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
