/* url.c: RFC 3986 §5.4 examples, scheme rules, local paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/url.h"

static const struct {
    const char *base, *ref, *expected; /* expected NULL: unusable */
} resolve_cases[] = {
    /* RFC 3986 §5.4.1 normal examples */
    {"http://a/b/c/d;p?q", "g:h", "g:h"},
    {"http://a/b/c/d;p?q", "g", "http://a/b/c/g"},
    {"http://a/b/c/d;p?q", "./g", "http://a/b/c/g"},
    {"http://a/b/c/d;p?q", "g/", "http://a/b/c/g/"},
    {"http://a/b/c/d;p?q", "/g", "http://a/g"},
    {"http://a/b/c/d;p?q", "//g", "http://g"},
    {"http://a/b/c/d;p?q", "?y", "http://a/b/c/d;p?y"},
    {"http://a/b/c/d;p?q", "g?y", "http://a/b/c/g?y"},
    {"http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s"},
    {"http://a/b/c/d;p?q", "g#s", "http://a/b/c/g#s"},
    {"http://a/b/c/d;p?q", "g?y#s", "http://a/b/c/g?y#s"},
    {"http://a/b/c/d;p?q", ";x", "http://a/b/c/;x"},
    {"http://a/b/c/d;p?q", "g;x", "http://a/b/c/g;x"},
    {"http://a/b/c/d;p?q", "g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"http://a/b/c/d;p?q", "", "http://a/b/c/d;p?q"},
    {"http://a/b/c/d;p?q", ".", "http://a/b/c/"},
    {"http://a/b/c/d;p?q", "./", "http://a/b/c/"},
    {"http://a/b/c/d;p?q", "..", "http://a/b/"},
    {"http://a/b/c/d;p?q", "../", "http://a/b/"},
    {"http://a/b/c/d;p?q", "../g", "http://a/b/g"},
    {"http://a/b/c/d;p?q", "../..", "http://a/"},
    {"http://a/b/c/d;p?q", "../../", "http://a/"},
    {"http://a/b/c/d;p?q", "../../g", "http://a/g"},
    /* §5.4.2 abnormal examples */
    {"http://a/b/c/d;p?q", "../../../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "../../../../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "/./g", "http://a/g"},
    {"http://a/b/c/d;p?q", "/../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "g.", "http://a/b/c/g."},
    {"http://a/b/c/d;p?q", ".g", "http://a/b/c/.g"},
    {"http://a/b/c/d;p?q", "g..", "http://a/b/c/g.."},
    {"http://a/b/c/d;p?q", "..g", "http://a/b/c/..g"},
    {"http://a/b/c/d;p?q", "./../g", "http://a/b/g"},
    {"http://a/b/c/d;p?q", "./g/.", "http://a/b/c/g/"},
    {"http://a/b/c/d;p?q", "g/./h", "http://a/b/c/g/h"},
    {"http://a/b/c/d;p?q", "g/../h", "http://a/b/c/h"},
    {"http://a/b/c/d;p?q", "g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"http://a/b/c/d;p?q", "g;x=1/../y", "http://a/b/c/y"},
    {"http://a/b/c/d;p?q", "g?y/./x", "http://a/b/c/g?y/./x"},
    {"http://a/b/c/d;p?q", "g?y/../x", "http://a/b/c/g?y/../x"},
    {"http://a/b/c/d;p?q", "g#s/./x", "http://a/b/c/g#s/./x"},
    {"http://a/b/c/d;p?q", "g#s/../x", "http://a/b/c/g#s/../x"},
    /* feeds */
    {"https://news.example/feed.json", "//cdn.example/a.jpg", "https://cdn.example/a.jpg"},
    {"https://news.example", "img/a.jpg", "https://news.example/img/a.jpg"},
    {"https://news.example/feeds/main.xml", "  /media/a b.jpg \n",
     "https://news.example/media/a%20b.jpg"},
    {"HTTPS://News.example/x", "HTTP://other/y", "http://other/y"},
    {"https://news.example/", "https://cdn.example/a/../b.jpg", "https://cdn.example/b.jpg"},
    {"/srv/desk/feed.json", "img/a.jpg", "file:///srv/desk/img/a.jpg"},
    {"file:///srv/desk/feed.json", "../b.png", "file:///srv/b.png"},
    {NULL, "https://x.example/a.jpg", "https://x.example/a.jpg"},
    {NULL, "a.jpg", "a.jpg"},
    {"https://a.example/", "java\nscript:alert(1)", NULL},
    {"https://a.example/", "a\x01.jpg", NULL},
};

static void test_resolve(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0]; i++) {
        char *r = url_resolve(resolve_cases[i].base, resolve_cases[i].ref);
        if (!resolve_cases[i].expected) {
            if (r)
                fail_msg("case %zu: expected NULL, got %s", i, r);
        } else {
            if (!r || strcmp(r, resolve_cases[i].expected) != 0)
                fail_msg("case %zu: %s + %s: expected %s, got %s", i,
                         resolve_cases[i].base ? resolve_cases[i].base : "(null)",
                         resolve_cases[i].ref, resolve_cases[i].expected, r ? r : "(null)");
        }
        free(r);
    }
}

static void test_resolve_too_long(void **state)
{
    (void)state;
    size_t n = 5000;
    char *ref = malloc(n + 1);
    memset(ref, 'a', n);
    ref[n] = '\0';
    assert_null(url_resolve("https://a.example/", ref));
    assert_null(url_resolve("https://a.example/", NULL));
    free(ref);
}

static const struct {
    const char *url;
    bool allow_file, expected;
} scheme_cases[] = {
    {"http://a.example/x.jpg", false, true},
    {"https://a.example/x.jpg", false, true},
    {"HTTPS://a.example/x.jpg", false, true},
    {"https:///x.jpg", false, false},
    {"https:x.jpg", false, false},
    {"javascript:alert(1)", false, false},
    {"data:image/png;base64,AAAA", false, false},
    {"ftp://a.example/x.jpg", false, false},
    {"file:///etc/passwd", false, false},
    {"file:///srv/a.jpg", true, true},
    {"x.jpg", true, false},
    {"", false, false},
    {NULL, true, false},
};

static void test_scheme(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scheme_cases / sizeof scheme_cases[0]; i++) {
        bool r = url_scheme_allowed(scheme_cases[i].url, scheme_cases[i].allow_file);
        if (r != scheme_cases[i].expected)
            fail_msg("case %zu (%s): expected %d", i,
                     scheme_cases[i].url ? scheme_cases[i].url : "(null)",
                     scheme_cases[i].expected);
    }
}

static const struct {
    const char *url;
    bool local;
    const char *path;
} local_cases[] = {
    {"file:///srv/a%20b.jpg", true, "/srv/a b.jpg"},
    {"file://localhost/srv/a.jpg", true, "/srv/a.jpg"},
    {"file://otherhost/srv/a.jpg", true, NULL},
    {"file:///srv/a.jpg?x#y", true, "/srv/a.jpg"},
    {"file:///srv/a%00b", true, NULL},
    {"/srv/desk", true, "/srv/desk"},
    {"desk/feed.json", true, "desk/feed.json"},
    {"https://a.example/feed", false, NULL},
    {"//a.example/feed", false, NULL},
    {"", false, NULL},
};

static void test_local(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof local_cases / sizeof local_cases[0]; i++) {
        assert_int_equal(url_is_local(local_cases[i].url), local_cases[i].local);
        char *p = url_to_path(local_cases[i].url);
        if (local_cases[i].path) {
            if (!p || strcmp(p, local_cases[i].path) != 0)
                fail_msg("case %zu: expected %s, got %s", i, local_cases[i].path,
                         p ? p : "(null)");
        } else if (p) {
            fail_msg("case %zu: expected NULL, got %s", i, p);
        }
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_resolve_too_long),
        cmocka_unit_test(test_scheme),
        cmocka_unit_test(test_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
