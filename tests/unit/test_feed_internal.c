/* feed/ helpers shared by the parsers: UTF-8 repair, the JSON grammar
 * check, media kinds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/feed_internal.h"

#define S(x) x, sizeof(x) - 1

static const struct {
    const char *in;
    size_t len;
    bool clean;
    const char *repaired;
} utf8_cases[] = {
    {S(""), true, ""},
    {S("plain ascii"), true, "plain ascii"},
    {S("caf\xC3\xA9 \xE2\x80\x99 \xF0\x9F\x98\x80"), true,
     "caf\xC3\xA9 \xE2\x80\x99 \xF0\x9F\x98\x80"},
    {S("real \xEF\xBF\xBD"), true, "real \xEF\xBF\xBD"},
    {S("bad \xFF end"), false, "bad \xEF\xBF\xBD end"},
    {S("cut \xC3"), false, "cut \xEF\xBF\xBD"},
    {S("overlong \xC0\xAF"), false, "overlong \xEF\xBF\xBD\xEF\xBF\xBD"},
    {S("surrogate \xED\xA0\x80"), false, "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    {S("nul\0byte"), false, "nulbyte"},
};

static void test_utf8(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
        assert_int_equal(feed_utf8_clean(utf8_cases[i].in, utf8_cases[i].len),
                         utf8_cases[i].clean);
        size_t n;
        char *r = feed_utf8_repair(utf8_cases[i].in, utf8_cases[i].len, &n);
        if (strcmp(r, utf8_cases[i].repaired) != 0)
            fail_msg("case %zu: got '%s'", i, r);
        assert_int_equal(n, strlen(utf8_cases[i].repaired));
        free(r);
    }
}

static const struct {
    const char *json;
    int result;
} json_cases[] = {
    {"{}", FEED_OK},
    {" [1, -0.5e+3, \"a\\u00e9\\n\", true, false, null, {\"k\": []}] ", FEED_OK},
    {"\xEF\xBB\xBF{\"bom\": 1}", FEED_OK},
    {"\"caf\xC3\xA9 \xFF raw bytes pass\"", FEED_OK},
    {"", FEED_ERR_SYNTAX},
    {"[1,]", FEED_ERR_SYNTAX},
    {"{\"a\":1,}", FEED_ERR_SYNTAX},
    {"[01]", FEED_ERR_SYNTAX},
    {"[1.]", FEED_ERR_SYNTAX},
    {"[.5]", FEED_ERR_SYNTAX},
    {"[1e]", FEED_ERR_SYNTAX},
    {"[\"tab\there\"]", FEED_ERR_SYNTAX},
    {"[\"\\x\"]", FEED_ERR_SYNTAX},
    {"[\"\\u12\"]", FEED_ERR_SYNTAX},
    {"[\"open", FEED_ERR_SYNTAX},
    {"{\"a\" 1}", FEED_ERR_SYNTAX},
    {"{1: 2}", FEED_ERR_SYNTAX},
    {"[tru]", FEED_ERR_SYNTAX},
    {"[1] [2]", FEED_ERR_SYNTAX},
    {"[1}", FEED_ERR_SYNTAX},
    {"\f[]", FEED_ERR_SYNTAX},
    {"[[[[[[[[[[]]]]]]]]]]", FEED_OK},             /* depth 10: the limit */
    {"[[[[[[[[[[[]]]]]]]]]]]", FEED_ERR_REJECTED}, /* depth 11 */
    {"[\"[[[[[[[[[[[[[[[[\"]", FEED_OK},           /* brackets in strings */
};

static void test_json_check(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
        int r = feed_json_check(json_cases[i].json, strlen(json_cases[i].json), 10);
        if (r != json_cases[i].result)
            fail_msg("case %zu '%s': %d, want %d", i, json_cases[i].json, r, json_cases[i].result);
    }
}

static const struct {
    const char *s;
    bool ok;
    enum media_kind kind;
} mime_cases[] =
    {
        {"image/jpeg", true, MEDIA_IMAGE},       {"IMAGE/PNG", true, MEDIA_IMAGE},
        {"video/mp4", true, MEDIA_VIDEO},        {" video/webm", true, MEDIA_VIDEO},
        {"image/", false, MEDIA_IMAGE},          {"audio/mpeg", false, MEDIA_IMAGE},
        {"application/pdf", false, MEDIA_IMAGE}, {NULL, false, MEDIA_IMAGE},
},
  ext_cases[] = {
      {"https://a/b.JPG", true, MEDIA_IMAGE},  {"https://a/b.jpeg?x=1#y", true, MEDIA_IMAGE},
      {"/srv/clip.mp4", true, MEDIA_VIDEO},    {"https://a/b.webm#t=5", true, MEDIA_VIDEO},
      {"https://a/b.mp3", false, MEDIA_IMAGE}, {"https://a/jpg", false, MEDIA_IMAGE},
      {"https://a.jpg/x", false, MEDIA_IMAGE}, {"noext", false, MEDIA_IMAGE},
};

static void test_kinds(void **state)
{
    (void)state;
    enum media_kind k;
    for (size_t i = 0; i < sizeof mime_cases / sizeof mime_cases[0]; i++) {
        k = MEDIA_IMAGE;
        assert_int_equal(feed_kind_from_mime(mime_cases[i].s, &k), mime_cases[i].ok);
        if (mime_cases[i].ok)
            assert_int_equal(k, mime_cases[i].kind);
    }
    for (size_t i = 0; i < sizeof ext_cases / sizeof ext_cases[0]; i++) {
        k = MEDIA_IMAGE;
        if (feed_kind_from_ext(ext_cases[i].s, &k) != ext_cases[i].ok)
            fail_msg("ext case %zu (%s)", i, ext_cases[i].s);
        if (ext_cases[i].ok)
            assert_int_equal(k, ext_cases[i].kind);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_json_check),
        cmocka_unit_test(test_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
