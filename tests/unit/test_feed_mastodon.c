/* Mastodon statuses: golden fixtures and hostile JSON. */
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

#define BASE "https://social.example/api/v1/accounts/1/statuses"

static void test_golden(void **state)
{
    (void)state;
    int count = 0;
    int bad = golden_run_dir(DP_FIXTURES "/feeds/mastodon", ".json", BASE, &count);
    assert_true(count >= 1);
    assert_int_equal(bad, 0);
}

static void test_hostile(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "[",
        "[{",
        "[{\"id\":",
        "[{\"id\":\"1\",\"reblog\":{\"reblog\":{\"reblog\":null}}}]",
        "[{\"id\":\"1\",\"content\":123,\"account\":[],\"media_attachments\":{}}]",
        "[{\"id\":\"1\",\"content\":\"x\",\"media_attachments\":[{\"type\":\"image\"},"
        "{\"url\":\"https://a/b.jpg\"},{\"type\":\"image\",\"url\":\"https://a/c.jpg\","
        "\"meta\":{\"original\":{\"width\":1e300,\"height\":-5,\"duration\":\"x\"}}}]}]",
        "[1, 2, 3]",
        "[null]",
        "[[]]",
        "[] []",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct feed *f = NULL;
        char err[256];
        int r = feed_parse(docs[i], strlen(docs[i]), BASE, NULL, &f, err, sizeof err, NULL, NULL);
        if (r == FEED_OK)
            feed_unref(f);
    }
    /* 100,000 opening brackets: refused by the depth scan. */
    size_t n = 100000;
    char *deep = malloc(n);
    memset(deep, '[', n);
    struct feed *f = NULL;
    char err[256];
    assert_int_equal(feed_parse(deep, n, BASE, NULL, &f, err, sizeof err, NULL, NULL),
                     FEED_ERR_REJECTED);
    free(deep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
