/* Post ids (issue 8): a lone UTF-16 surrogate escape is repaired to U+FFFD
 * like text (the post and the feed stay; before, one rejected the whole
 * feed), a NUL in an id refuses that post only (before, "a\u0000b" was cut
 * to "a" and collided), and ids that sanitising changes (cut, repaired,
 * spaces) keep a hash of their source, so two different ids never become
 * one. Table-driven over small JSON Feed documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "feed/feed.h"
#include "feed/feed_internal.h"

static struct feed *parse_items(const char *items)
{
    char *doc = dp_strfmt("{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\","
                          "\"items\":[%s]}",
                          items);
    struct feed *f = NULL;
    char err[256] = "";
    int r = feed_parse(doc, strlen(doc), "https://ids.example/feed.json", NULL, &f, err,
                       sizeof err, NULL, NULL);
    free(doc);
    if (r != FEED_OK)
        fail_msg("feed refused: %s (%s)", err, items);
    return f;
}

static const struct post *post_with_text(const struct feed *f, const char *text)
{
    for (size_t i = 0; i < f->n_posts; i++)
        if (strcmp(f->posts[i].text, text) == 0)
            return &f->posts[i];
    return NULL;
}

static void test_ids(void **state)
{
    (void)state;
    static const struct {
        const char *items;
        size_t n_posts;
        const char *text, *id; /* the post with this text has this id (NULL: absent) */
    } cases[] = {
        /* A lone surrogate: the post stays, with U+FFFD and the hash of a
         * repaired id ("~": then 16 hex digits). */
        {"{\"id\":\"x\\ud800y\",\"content_text\":\"one\"},{\"id\":\"b\",\"content_text\":\"two\"}",
         2, "one", "x\xEF\xBF\xBDy~"},
        {"{\"id\":\"\\udc00\",\"content_text\":\"low\"}", 1, "low", "\xEF\xBF\xBD~"},
        {"{\"id\":\"\\ud800\\u0041\",\"content_text\":\"hi\"}", 1, "hi",
         "\xEF\xBF\xBD"
         "A~"},
        /* A literal U+FFFD is an id of its own, left as it is. */
        {"{\"id\":\"x\\ufffdy\",\"content_text\":\"lit\"}", 1, "lit", "x\xEF\xBF\xBDy"},
        /* A real pair is left alone. */
        {"{\"id\":\"\\ud83d\\ude00\",\"content_text\":\"pair\"}", 1, "pair", "\xF0\x9F\x98\x80"},
        /* In text too: the feed is not rejected. */
        {"{\"id\":\"t\",\"content_text\":\"a\\ud800b\"}", 1,
         "a\xEF\xBF\xBD"
         "b",
         "t"},
        /* A NUL: that post is refused, the real "a" stays. */
        {"{\"id\":\"a\\u0000b\",\"content_text\":\"nul\"},"
         "{\"id\":\"a\",\"content_text\":\"real\"}",
         1, "real", "a"},
        /* A NUL in text is dropped, the rest of the text kept. */
        {"{\"id\":\"n\",\"content_text\":\"left\\u0000right\"}", 1, "leftright", "n"},
        /* Ids that sanitising changes stay apart from the ids they resemble. */
        {"{\"id\":\"a\\tb\",\"content_text\":\"tab\"},{\"id\":\"a b\",\"content_text\":\"space\"}",
         2, "space", "a b"},
        /* An escaped quote or backslash before \u is not an escape of it. */
        {"{\"id\":\"q\\\\ud800\",\"content_text\":\"bs\"}", 1, "bs", "q\\ud800"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct feed *f = parse_items(cases[i].items);
        if (f->n_posts != cases[i].n_posts)
            fail_msg("case %zu: %zu posts, want %zu", i, f->n_posts, cases[i].n_posts);
        const struct post *p = post_with_text(f, cases[i].text);
        if (cases[i].id) {
            if (!p)
                fail_msg("case %zu: no post with text \"%s\"", i, cases[i].text);
            size_t n = strlen(cases[i].id);
            bool hashed = n && cases[i].id[n - 1] == '~';
            if (hashed ? strncmp(p->id, cases[i].id, n) != 0 || strlen(p->id) != n + 16
                       : strcmp(p->id, cases[i].id) != 0)
                fail_msg("case %zu: id \"%s\", want \"%s\"", i, p->id, cases[i].id);
        } else if (p) {
            fail_msg("case %zu: post \"%s\" should be refused", i, cases[i].text);
        }
        feed_unref(f);
    }
}

/* Two ids alike in their first DP_URL_MAX_BYTES characters stay two posts
 * with different ids; so do "a\tb" and "a b". */
static void test_long_ids_stay_apart(void **state)
{
    (void)state;
    size_t n = DP_URL_MAX_BYTES + 50;
    char *a = dp_malloc(n + 2), *b = dp_malloc(n + 2);
    memset(a, 'x', n);
    memset(b, 'x', n);
    a[n] = 'A';
    b[n] = 'B';
    a[n + 1] = b[n + 1] = '\0';
    char *items = dp_strfmt("{\"id\":\"%s\",\"content_text\":\"one\"},"
                            "{\"id\":\"%s\",\"content_text\":\"two\"},"
                            "{\"id\":\"a\\tb\",\"content_text\":\"tab\"}",
                            a, b);
    struct feed *f = parse_items(items);
    assert_int_equal(f->n_posts, 3);
    const struct post *one = post_with_text(f, "one"), *two = post_with_text(f, "two");
    assert_non_null(one);
    assert_non_null(two);
    assert_string_not_equal(one->id, two->id);
    assert_string_not_equal(post_with_text(f, "tab")->id, "a b");
    feed_unref(f);
    free(items);
    free(a);
    free(b);
}

/* "a\uD800", "a\uD801", a literal "a\uFFFD", "a\uFFFE" and one posing as
 * a repaired surrogate are five ids; a surrogate shows as one U+FFFD in
 * text. (Before: the first three were all "a\uFFFD".) */
static void test_repaired_ids_stay_apart(void **state)
{
    (void)state;
    struct feed *f = parse_items("{\"id\":\"a\\ud800\",\"content_text\":\"s1 \\ud800.\"},"
                                 "{\"id\":\"a\\ud801\",\"content_text\":\"s2\"},"
                                 "{\"id\":\"a\\ufffd\",\"content_text\":\"lit\"},"
                                 "{\"id\":\"a\\ufffe\",\"content_text\":\"nc\"},"
                                 "{\"id\":\"a\\ufffe\\ue000\",\"content_text\":\"pose\"}");
    assert_int_equal(f->n_posts, 5);
    for (size_t i = 0; i < f->n_posts; i++)
        for (size_t j = i + 1; j < f->n_posts; j++)
            if (strcmp(f->posts[i].id, f->posts[j].id) == 0)
                fail_msg("posts %zu and %zu share the id \"%s\"", i, j, f->posts[i].id);
    assert_non_null(post_with_text(f, "s1 \xEF\xBF\xBD."));
    feed_unref(f);
}

static void test_fix_escapes(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out; /* out NULL: nothing to fix */
    } cases[] = {
        {"\"\\ud800\"", "\"\\uFFFE\\uE000\""},
        {"\"\\udfff\"", "\"\\uFFFE\\uE7FF\""},
        {"\"\\ufffe\"", "\"\\uFFFE\\uF000\""},
        {"\"a\xEF\xBF\xBE\"", "\"a\\uFFFE\\uF000\""}, /* raw U+FFFE */
        {"\"\\ufffd\"", NULL},
        {"\"\\\"\\ud800\"", "\"\\\"\\uFFFE\\uE000\""}, /* after an escaped quote */
        {"\"\\u0000\"", "\"\\uFFFF\""},
        {"\"\\ud83d\\ude00\"", NULL},
        {"\"\\\\ud800\"", NULL},
        {"{\"k\\ud800\":1}", "{\"k\\uFFFE\\uE000\":1}"},
        {"\\ud800", NULL}, /* outside a string */
        {"\"\\ud800\\ud801\"", "\"\\uFFFE\\uE000\\uFFFE\\uE001\""},
        {"\"\\ud8", NULL}, /* cut short */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got_len = 0;
        char *got = feed_json_fix_escapes(cases[i].in, strlen(cases[i].in), &got_len);
        if (got && got_len != strlen(got))
            fail_msg("case %zu: length %zu for %zu bytes", i, got_len, strlen(got));
        if (!cases[i].out && got)
            fail_msg("case %zu: changed to %s", i, got);
        if (cases[i].out && (!got || strcmp(got, cases[i].out) != 0))
            fail_msg("case %zu: %s, want %s", i, got ? got : "(unchanged)", cases[i].out);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_long_ids_stay_apart),
        cmocka_unit_test(test_fix_escapes),
        cmocka_unit_test(test_repaired_ids_stay_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
