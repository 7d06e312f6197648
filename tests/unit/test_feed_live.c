/* feed: live streams (issue 11): which attachments are HLS playlists, and
 * that every format marks them live videos. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/feed.h"

static void test_is_live(void **state)
{
    (void)state;
    static const struct {
        const char *mime, *url;
        bool live;
    } cases[] = {
        {"application/vnd.apple.mpegurl", "https://x/a", true},
        {"application/x-mpegURL", "https://x/a", true},
        {"Application/X-MpegUrl; charset=utf-8", "https://x/a", true},
        {NULL, "https://x/live/stream.m3u8", true},
        {NULL, "https://x/live/STREAM.M3U8?token=1#t", true},
        {"video/mp4", "https://x/live/stream.m3u8", true},
        {"video/mp4", "https://x/clip.mp4", false},
        {NULL, "https://x/m3u8", false},
        {NULL, "https://x/a.m3u8.mp4", false},
        {"application/vnd.apple.mpegurlx", "https://x/a", false},
        {NULL, NULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (feed_is_live(cases[i].mime, cases[i].url) != cases[i].live)
            fail_msg("case %zu: %s %s", i, cases[i].mime, cases[i].url);
}

static const struct {
    const char *doc, *ct;
    bool live;
} docs[] = {
    {"{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":\"1\",\"attachments\":"
     "[{\"url\":\"live/s.m3u8\",\"mime_type\":\"application/vnd.apple.mpegurl\"}]}]}",
     "application/feed+json", true},
    {"{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":\"1\",\"attachments\":"
     "[{\"url\":\"live/s.m3u8\"}]}]}",
     "application/feed+json", true},
    {"{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":\"1\",\"attachments\":"
     "[{\"url\":\"v.mp4\",\"mime_type\":\"video/mp4\"}]}]}",
     "application/feed+json", false},
    {"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><guid>1</guid>"
     "<enclosure url=\"https://x/live.m3u8\" type=\"application/x-mpegURL\" length=\"0\"/>"
     "</item></channel></rss>",
     "application/rss+xml", true},
};

static void test_formats_mark_live(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct feed *f = NULL;
        char err[200] = "";
        int r = feed_parse(docs[i].doc, strlen(docs[i].doc), "https://desk.example/feed",
                           docs[i].ct, &f, err, sizeof err, NULL, NULL);
        if (r != FEED_OK || !f)
            fail_msg("doc %zu: %d %s", i, r, err);
        assert_int_equal(f->n_posts, 1);
        assert_int_equal(f->posts[0].n_media, 1);
        const struct media_ref *m = &f->posts[0].media[0];
        assert_int_equal(m->kind, MEDIA_VIDEO);
        if (m->live != docs[i].live)
            fail_msg("doc %zu: live %d, want %d (%s)", i, m->live, docs[i].live, m->url);
        feed_unref(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_live),
        cmocka_unit_test(test_formats_mark_live),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
