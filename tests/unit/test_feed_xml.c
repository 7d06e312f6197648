/* RSS, RDF and Atom: golden fixtures and hostile XML. */
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

#include "feed/feed.h"
#include "test_feed_golden.h"

#define BASE "https://news.example/feeds/rss.xml"

static void test_golden(void **state)
{
    (void)state;
    int count = 0;
    int bad = golden_run_dir(DP_FIXTURES "/feeds/xml", ".xml", BASE, &count);
    assert_true(count >= 10);
    assert_int_equal(bad, 0);
}

static int parse_file(const char *name, struct feed **f, double *secs)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/feeds/bad/%s", DP_FIXTURES, name);
    size_t len;
    char *data = golden_read(path, &len);
    assert_non_null(data);
    char err[256];
    clock_t t0 = clock();
    int r = feed_parse(data, len, BASE, "application/rss+xml", f, err, sizeof err, NULL, NULL);
    if (secs)
        *secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    free(data);
    return r;
}

static void test_hostile(void **state)
{
    (void)state;
    static const char *const rejected[] = {"billion_laughs.xml", "xxe.xml", "xxe_parameter.xml",
                                           "quadratic_blowup.xml"};
    for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++) {
        struct feed *f = NULL;
        double secs;
        int r = parse_file(rejected[i], &f, &secs);
        if (r != FEED_ERR_REJECTED)
            fail_msg("%s: %d", rejected[i], r);
        assert_null(f);
        assert_true(secs < 0.5);
    }
}

/* Many references to one flat entity (no nesting), in text and in an
 * attribute: refused by count, fast, before anything expands them; a
 * moderate number is accepted and the expansion stays capped. */
static char *refs_doc(size_t n, bool in_attr)
{
    const char *head = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \""
                       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\">]>"
                       "<rss version=\"2.0\"><channel><item><guid>x</guid>";
    const char *open = in_attr ? "<enclosure type=\"image/png\" url=\"" : "<description>";
    const char *close = in_attr ? "\"/>" : "</description>";
    const char *tail = "</item></channel></rss>";
    char *doc = malloc(strlen(head) + strlen(open) + n * 3 + strlen(close) + strlen(tail) + 1);
    char *p = doc + sprintf(doc, "%s%s", head, open);
    for (size_t i = 0; i < n; i++, p += 3)
        memcpy(p, "&a;", 3);
    sprintf(p, "%s%s", close, tail);
    return doc;
}

static void test_many_references(void **state)
{
    (void)state;
    for (int attr = 0; attr < 2; attr++) {
        char *doc = refs_doc(2000000, attr);
        struct feed *f = NULL;
        char err[256];
        clock_t t0 = clock();
        int r = feed_parse(doc, strlen(doc), BASE, NULL, &f, err, sizeof err, NULL, NULL);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        if (r != FEED_ERR_REJECTED)
            fail_msg("attr=%d: %d %s", attr, r, err);
        assert_true(secs < 3);
        free(doc);
        doc = refs_doc(50000, attr);
        r = feed_parse(doc, strlen(doc), BASE, NULL, &f, err, sizeof err, NULL, NULL);
        if (attr) {
            assert_int_equal(r, FEED_ERR_EMPTY); /* a 3 MB URL is no URL */
        } else {
            assert_int_equal(r, FEED_OK);
            assert_true(strlen(f->posts[0].text) <= 5003);
            feed_unref(f);
        }
        free(doc);
    }
}

static void test_xxe_never_reads(void **state)
{
    (void)state;
    /* Even when accepted, no content may come from an external file. */
    const char *docs[] = {
        "<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM \"file:///etc/passwd\">"
        "<rss version=\"2.0\"><channel><item><guid>a</guid><title>t</title></item>"
        "</channel></rss>",
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x SYSTEM \"/etc/passwd\">]>"
        "<rss><channel><item><guid>a</guid><title>&x;</title></item></channel></rss>",
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x PUBLIC \"-//x\" "
        "\"http://127.0.0.1:1/x\">]><rss><channel><item><guid>a</guid><title>&x;</title>"
        "</item></channel></rss>",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct feed *f = NULL;
        char err[256];
        int r = feed_parse(docs[i], strlen(docs[i]), BASE, NULL, &f, err, sizeof err, NULL, NULL);
        if (f) {
            for (size_t j = 0; j < f->n_posts; j++) {
                assert_null(strstr(f->posts[j].text, "root:"));
                assert_true(!f->posts[j].title || !strstr(f->posts[j].title, "root:"));
            }
            feed_unref(f);
        } else {
            assert_true(r < 0);
        }
    }
}

/* A document with no BOM and no encoding declaration that is not UTF-8:
 * the charset of the Content-Type decides; without one it is repaired. */
static void test_http_charset(void **state)
{
    (void)state;
    const char *doc = "<rss><channel><item><guid>c</guid><title>caf\xE9 \x93ok\x94</title>"
                      "</item></channel></rss>";
    static const struct {
        const char *content_type, *title;
    } cases[] = {
        {"application/rss+xml; charset=ISO-8859-1", "café “ok”"},
        {"text/xml; charset=\"windows-1252\"", "café “ok”"},
        {"text/xml; charset=utf-8", "caf\xEF\xBF\xBD \xEF\xBF\xBDok\xEF\xBF\xBD"},
        {"text/xml; charset=no-such-charset", "caf\xEF\xBF\xBD \xEF\xBF\xBDok\xEF\xBF\xBD"},
        {NULL, "caf\xEF\xBF\xBD \xEF\xBF\xBDok\xEF\xBF\xBD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct feed *f = NULL;
        char err[256];
        assert_int_equal(feed_parse(doc, strlen(doc), BASE, cases[i].content_type, &f, err,
                                    sizeof err, NULL, NULL),
                         FEED_OK);
        if (strcmp(f->posts[0].title, cases[i].title) != 0)
            fail_msg("case %zu: '%s'", i, f->posts[0].title);
        feed_unref(f);
    }
    /* A declared encoding wins over the header. */
    const char *declared = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><channel><item>"
                           "<guid>d</guid><title>caf\xC3\xA9</title></item></channel></rss>";
    struct feed *f = NULL;
    char err[256];
    assert_int_equal(feed_parse(declared, strlen(declared), BASE, "text/xml; charset=koi8-r", &f,
                                err, sizeof err, NULL, NULL),
                     FEED_OK);
    assert_string_equal(f->posts[0].title, "café");
    feed_unref(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),          cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_many_references), cmocka_unit_test(test_xxe_never_reads),
        cmocka_unit_test(test_http_charset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
