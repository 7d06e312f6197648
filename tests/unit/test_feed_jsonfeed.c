/* JSON Feed: golden fixtures, API behaviour and the external corpus
 * (jsonfeed-examples, JSONTestSuite). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/limits.h"
#include "feed/feed.h"
#include "feed/feed_internal.h"
#include "test_feed_golden.h"

#define BASE "https://desk.example/feeds/main.json"

static void test_golden(void **state)
{
    (void)state;
    int count = 0;
    int bad = golden_run_dir(DP_FIXTURES "/feeds/jsonfeed", ".json", BASE, &count);
    assert_true(count >= 7);
    assert_int_equal(bad, 0);
}

static int parse(const char *doc, const char *base, struct feed **f)
{
    char err[256];
    return feed_parse(doc, strlen(doc), base, NULL, f, err, sizeof err, NULL, NULL);
}

static void test_local_feed_allows_file(void **state)
{
    (void)state;
    const char *doc = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":["
                      "{\"id\":\"1\",\"attachments\":[{\"url\":\"pics/a.jpg\","
                      "\"mime_type\":\"image/jpeg\"},{\"url\":\"file:///srv/b.png\","
                      "\"mime_type\":\"image/png\"}]}]}";
    struct feed *f = NULL;
    assert_int_equal(parse(doc, "/srv/desk/feed.json", &f), FEED_OK);
    assert_int_equal(f->n_posts, 1);
    assert_int_equal(f->posts[0].n_media, 2);
    assert_string_equal(f->posts[0].media[0].url, "file:///srv/desk/pics/a.jpg");
    assert_string_equal(f->posts[0].media[1].url, "file:///srv/b.png");
    feed_unref(f);
    /* The same feed from the network: the file URL is dropped. */
    assert_int_equal(parse(doc, "https://desk.example/feed.json", &f), FEED_OK);
    assert_int_equal(f->posts[0].n_media, 1);
    assert_string_equal(f->posts[0].media[0].url, "https://desk.example/pics/a.jpg");
    feed_unref(f);
}

static void test_errors(void **state)
{
    (void)state;
    struct feed *f = NULL;
    char err[128];
    assert_int_equal(feed_parse("", 0, NULL, NULL, &f, err, sizeof err, NULL, NULL),
                     FEED_ERR_SYNTAX);
    assert_int_equal(parse("hello", NULL, &f), FEED_ERR_SYNTAX);
    assert_int_equal(parse("{\"version\":\"https://jsonfeed.org/version/1.1\"}", NULL, &f),
                     FEED_ERR_EMPTY);
    assert_int_equal(
        parse("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":{}}", NULL, &f),
        FEED_ERR_EMPTY);
    assert_int_equal(parse("{\"version\":2,\"items\":[]}", NULL, &f), FEED_ERR_SYNTAX);
    assert_int_equal(
        parse("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[]}x", NULL, &f),
        FEED_ERR_SYNTAX);
    /* Too large: refused before anything is read. */
    size_t big = (size_t)DP_FEED_MAX_BYTES + 1;
    char *data = malloc(big);
    memset(data, ' ', big);
    data[0] = '{';
    assert_int_equal(feed_parse(data, big, NULL, NULL, &f, err, sizeof err, NULL, NULL),
                     FEED_ERR_TOO_LARGE);
    assert_true(strlen(err) > 0);
    free(data);
    assert_null(f);
}

static void test_detection(void **state)
{
    (void)state;
    static const struct {
        const char *doc, *content_type;
        int result;
        const char *format;
    } cases[] = {
        {"\xEF\xBB\xBF {\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":"
         "[{\"id\":\"1\",\"content_text\":\"x\"}]}",
         NULL, FEED_OK, "jsonfeed"},
        {"\n\t[{\"id\":\"1\",\"content\":\"<p>x</p>\"}]", "text/html", FEED_OK, "mastodon"},
        {"  <rss><channel><item><guid>1</guid><title>x</title></item></channel></rss>",
         "application/json", FEED_OK, "rss"},
        {"\xEF\xBB\xBF<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>1</id>"
         "<title>x</title></entry></feed>",
         NULL, FEED_OK, "atom"},
        {"{\"items\":[{\"id\":\"1\",\"content_text\":\"x\"}]}", "application/feed+json",
         FEED_ERR_SYNTAX, NULL},
        {"plain text", "application/rss+xml", FEED_ERR_SYNTAX, NULL},
        {"<html><body>x</body></html>", NULL, FEED_ERR_SYNTAX, NULL},
        {"[]", NULL, FEED_ERR_EMPTY, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct feed *f = NULL;
        char err[256];
        int r = feed_parse(cases[i].doc, strlen(cases[i].doc), NULL, cases[i].content_type, &f,
                           err, sizeof err, NULL, NULL);
        if (r != cases[i].result)
            fail_msg("case %zu: %d (%s)", i, r, err);
        if (f) {
            assert_string_equal(f->format, cases[i].format);
            feed_unref(f);
        }
    }
}

static void test_deep_nesting_fast(void **state)
{
    (void)state;
    size_t n = 1000000;
    char *data = malloc(n + 64);
    strcpy(data, "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":");
    size_t off = strlen(data);
    memset(data + off, '[', n);
    struct feed *f = NULL;
    char err[128];
    clock_t t0 = clock();
    int r = feed_parse(data, off + n, NULL, NULL, &f, err, sizeof err, NULL, NULL);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(r, FEED_ERR_REJECTED);
    assert_true(secs < 0.5);
    /* Brackets inside strings do not count. */
    const char *ok = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":["
                     "{\"id\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                     "[[[[[[[[[[[[[[[[[[[[\\\"\",\"content_text\":\"x\"}]}";
    assert_int_equal(parse(ok, NULL, &f), FEED_OK);
    feed_unref(f);
    free(data);
}

static void test_refcount(void **state)
{
    (void)state;
    struct feed *f = NULL;
    assert_int_equal(parse("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":"
                           "[{\"id\":\"1\",\"content_text\":\"x\"}]}",
                           NULL, &f),
                     FEED_OK);
    assert_ptr_equal(feed_ref(f), f);
    assert_int_equal(f->refs, 2);
    feed_unref(f);
    assert_int_equal(f->refs, 1);
    feed_unref(f);
    feed_unref(NULL);
    assert_null(feed_ref(NULL));
}

static void test_many_posts_capped(void **state)
{
    (void)state;
    size_t n = 3000;
    char *doc = malloc(n * 96 + 128);
    size_t o = (size_t)sprintf(doc, "{\"version\":\"https://jsonfeed.org/version/1.1\","
                                    "\"items\":[");
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(doc + o, "%s{\"id\":\"p%zu\",\"content_text\":\"x\"%s}", i ? "," : "",
                             i, i == n - 1 ? ",\"_signage\":{\"pinned\":true}" : "");
    strcpy(doc + o, "]}");
    struct feed *f = NULL;
    assert_int_equal(parse(doc, NULL, &f), FEED_OK);
    /* Pinned posts count against the cap (issue 8), but are kept first. */
    assert_int_equal(f->n_posts, DP_MAX_POSTS);
    assert_string_equal(f->posts[0].id, "p0");
    assert_string_equal(f->posts[DP_MAX_POSTS - 2].id, "p998");
    assert_string_equal(f->posts[DP_MAX_POSTS - 1].id, "p2999");
    feed_unref(f);
    free(doc);
}

static bool corpus_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d)
        closedir(d);
    return d != NULL;
}

static void test_corpus_examples(void **state)
{
    (void)state;
    const char *dir = DP_CORPUS "/jsonfeed-examples/test/examples/v1.1";
    if (!corpus_dir(dir))
        skip();
    const char *names[] = {"simple.json", "microblog.json", "podcast.json"};
    for (size_t i = 0; i < 3; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len;
        char *data = golden_read(path, &len);
        assert_non_null(data);
        struct feed *f = NULL;
        char err[256];
        int r = feed_parse(data, len, "https://example.org/feed.json", "application/feed+json", &f,
                           err, sizeof err, NULL, NULL);
        if (r != FEED_OK)
            fail_msg("%s: %d %s", names[i], r, err);
        assert_true(f->n_posts > 0);
        feed_unref(f);
        free(data);
    }
}

static void test_corpus_jsontestsuite(void **state)
{
    (void)state;
    const char *dir = DP_CORPUS "/jsontestsuite/test_parsing";
    if (!corpus_dir(dir))
        skip();
    DIR *d = opendir(dir);
    struct dirent *e;
    int n_y = 0, n_n = 0, n_i = 0, n_bad = 0;
    while ((e = readdir(d))) {
        char c = e->d_name[0];
        if ((c != 'y' && c != 'n' && c != 'i') || e->d_name[1] != '_')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *data = golden_read(path, &len);
        assert_non_null(data);
        struct feed *f = NULL;
        char err[256];
        int r = feed_parse(data, len, NULL, "application/json", &f, err, sizeof err, NULL, NULL);
        if (c == 'n' && r == FEED_OK) {
            fprintf(stderr, "accepted: %s\n", e->d_name);
            n_bad++;
        }
        /* Our JSON layer itself: y_ accepted, n_ refused. */
        int j = feed_json_check(data, len, 64);
        if ((c == 'y' && j != FEED_OK) || (c == 'n' && j == FEED_OK)) {
            fprintf(stderr, "json check wrong on %s: %d\n", e->d_name, j);
            n_bad++;
        }
        feed_unref(f);
        free(data);
        n_y += c == 'y';
        n_n += c == 'n';
        n_i += c == 'i';
    }
    closedir(d);
    fprintf(stderr, "jsontestsuite: %d y, %d n, %d i run\n", n_y, n_n, n_i);
    assert_int_equal(n_bad, 0);
    assert_true(n_y + n_n + n_i > 300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_local_feed_allows_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_detection),
        cmocka_unit_test(test_deep_nesting_fast),
        cmocka_unit_test(test_refcount),
        cmocka_unit_test(test_many_posts_capped),
        cmocka_unit_test(test_corpus_examples),
        cmocka_unit_test(test_corpus_jsontestsuite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
