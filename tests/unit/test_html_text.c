/* html_text.c: HTML to plain text and the first <img>. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/html_text.h"

static const struct {
    const char *html, *text;
} text_cases[] = {
    {"", ""},
    {"Hello", "Hello"},
    {"<p>Hello</p><p>World</p>", "Hello\nWorld"},
    {"a<br>b<br/>c", "a\nb\nc"},
    {"a<br><br>b", "a\n\nb"},
    {"<p>one</p><br><p>two</p>", "one\n\ntwo"},
    {"<p>  lots   of\n\n  space  </p>", "lots of space"},
    {"<b>bold</b> and <i>it</i>", "bold and it"},
    {"<a href=\"https://x.example/\">the link</a>.", "the link."},
    {"<script>alert(1)</script>safe", "safe"},
    {"<style>p{color:red}</style>text", "text"},
    {"<html><head><title>T</title></head><body>body</body></html>", "body"},
    {"caf&eacute; &amp; cr&egrave;me &#8217; &#x00AB;", "café & crème ’ «"},
    {"<ul><li>one</li><li>two</li></ul>", "one\ntwo"},
    {"<h1>Title</h1>text", "Title\ntext"},
    {"<div>a<div>b</div>c</div>", "a\nb\nc"},
    {"<blockquote>quoted</blockquote>after", "quoted\nafter"},
    {"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "ab\nc"},
    {"<p>unclosed <b>bold", "unclosed bold"},
    {"</p></div>stray", "stray"},
    {"a &lt;b&gt; c", "a <b> c"},
    {"x\xff\xfey", "x\xEF\xBF\xBD\xEF\xBF\xBDy"},
    {"left\xE2\x80\xAEright", "leftright"},
    {"« Bonjour » à l’école", "« Bonjour » à l’école"},
    {"<img src=\"a.jpg\" alt=\"pic\">caption", "caption"},
    {"<!-- comment -->text", "text"},
    {"<P>Upper<BR>case</P>", "Upper\ncase"},
    {"don\xC2\x92t \xC2\x93quote\xC2\x94 \xC2\x80", "don’t “quote” €"}, /* C1 as cp1252 */
    {"<p>don&#146;t</p>", "don’t"},
    {"<p>See <a href=\"https://example.com/a/very/long/path\"><span class=\"invisible\">"
     "https://</span><span class=\"ellipsis\">example.com/a/very/lo</span><span "
     "class=\"invisible\">ng/path</span></a></p>",
     "See example.com/a/very/lo\xE2\x80\xA6"},
    {"<span class=\"h-card\"><a class=\"u-url mention\">@<span>bob</span></a></span> hi",
     "@bob hi"},
};

static void test_to_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
        char *t = html_to_text(text_cases[i].html, strlen(text_cases[i].html));
        assert_non_null(t);
        if (strcmp(t, text_cases[i].text) != 0)
            fail_msg("case %zu: '%s' -> '%s', want '%s'", i, text_cases[i].html, t,
                     text_cases[i].text);
        free(t);
    }
    char *t = html_to_text(NULL, 0);
    assert_string_equal(t, "");
    free(t);
}

static void test_deep_and_long(void **state)
{
    (void)state;
    /* 100,000 nested <div>s: no recursion, no crash. */
    size_t n = 100000;
    char *html = malloc(n * 5 + 2);
    for (size_t i = 0; i < n; i++)
        memcpy(html + i * 5, "<div>", 5);
    html[n * 5] = 'x';
    html[n * 5 + 1] = '\0';
    char *t = html_to_text(html, n * 5 + 1);
    assert_non_null(t);
    free(t);
    free(html);
    /* Long text is capped at DP_TEXT_MAX_CHARS plus an ellipsis. */
    size_t m = 20000;
    char *lots = malloc(m + 1);
    memset(lots, 'a', m);
    lots[m] = '\0';
    t = html_to_text(lots, m);
    assert_int_equal(strlen(t), 5000 + 3);
    free(t);
    free(lots);
}

static const struct {
    const char *html, *src;
} img_cases[] = {
    {"<p>x</p><img src=\"a.jpg\"><img src=\"b.jpg\">", "a.jpg"},
    {"<div><p><IMG SRC='https://x.example/c.png'></p></div>", "https://x.example/c.png"},
    {"<img alt=\"no src\"><img src=\"d.gif\">", "d.gif"},
    {"<img src=\"\">", NULL},
    {"<img src=\"https://feeds.example/~r/pixel\" height=\"1\" width=\"1\" alt=\"\">"
     "<img src=\"real.jpg\" width=\"100\">",
     "real.jpg"},
    {"<img src=\"t.gif\" width=\"0\"><img src=\"w10.png\" width=\"10\">", "w10.png"},
    {"<img src=\"px.gif\" style=\"x\" height=\"1px\">", NULL},
    {"no images", NULL},
    {"", NULL},
};

static void test_first_img(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof img_cases / sizeof img_cases[0]; i++) {
        char *s = html_first_img(img_cases[i].html, strlen(img_cases[i].html));
        if (img_cases[i].src) {
            if (!s || strcmp(s, img_cases[i].src) != 0)
                fail_msg("case %zu: got %s", i, s ? s : "(null)");
        } else if (s) {
            fail_msg("case %zu: expected NULL, got %s", i, s);
        }
        free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_text),
        cmocka_unit_test(test_deep_and_long),
        cmocka_unit_test(test_first_img),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
