/* net/ push helpers (issue 11): the [feed] notify URL, its redaction, the
 * Mastodon streaming URL, and the SSE parser fed in every split. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/limits.h"
#include "net/net_internal.h"
#include "net/notify.h"
#include "net/sse.h"

static const struct {
    const char *url;
    int ok;
    bool tls;
    const char *host;
    int port;
    const char *user, *password, *topic;
} url_cases[] = {
    {"mqtt://broker.example/desk/updates", 1, false, "broker.example", 1883, NULL, NULL,
     "desk/updates"},
    {"mqtts://broker.example/t", 1, true, "broker.example", 8883, NULL, NULL, "t"},
    {"mqtt://127.0.0.1:1884/a/b/c", 1, false, "127.0.0.1", 1884, NULL, NULL, "a/b/c"},
    {"mqtt://screen:s%40cret@h:2000/desk/%23", 1, false, "h", 2000, "screen", "s@cret", "desk/#"},
    {"mqtt://screen@h/t", 1, false, "h", 1883, "screen", NULL, "t"},
    {"mqtts://u:p:q@[::1]:8884/t", 1, true, "::1", 8884, "u", "p:q", "t"},
    {"mqtt://[::1]/t", 1, false, "::1", 1883, NULL, NULL, "t"},
    {"mqtt://h/desk/+/new", 1, false, "h", 1883, NULL, NULL, "desk/+/new"},
    {"http://h/t", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h/", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt:///t", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h:0/t", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h:65536/t", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h:99999999999999999999/t", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h:12x/t", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://[::1/t", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h/t%00x", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h/t%4", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h/t%zz", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://h/a b", 0, false, NULL, 0, NULL, NULL, NULL},
    {"mqtt://:pw@h/t", 0, false, NULL, 0, NULL, NULL, NULL},
    {"", 0, false, NULL, 0, NULL, NULL, NULL},
};

static void test_parse_url(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof url_cases / sizeof url_cases[0]; i++) {
        struct notify_url u;
        char err[200] = "";
        int r = notify_parse_url(url_cases[i].url, &u, err, sizeof err);
        if ((r == 0) != url_cases[i].ok)
            fail_msg("%s: got %d (%s)", url_cases[i].url, r, err);
        if (r < 0) {
            assert_true(err[0] != '\0');
            continue;
        }
        assert_int_equal(u.tls, url_cases[i].tls);
        assert_string_equal(u.host, url_cases[i].host);
        assert_int_equal(u.port, url_cases[i].port);
        assert_int_equal(u.has_user, url_cases[i].user != NULL);
        if (url_cases[i].user)
            assert_string_equal(u.user, url_cases[i].user);
        assert_int_equal(u.has_password, url_cases[i].password != NULL);
        if (url_cases[i].password)
            assert_string_equal(u.password, url_cases[i].password);
        assert_string_equal(u.topic, url_cases[i].topic);
    }
    /* Too long. */
    char *big = malloc(NET_NOTIFY_URL_MAX + 64);
    strcpy(big, "mqtt://h/");
    memset(big + 9, 'a', NET_NOTIFY_URL_MAX);
    big[9 + NET_NOTIFY_URL_MAX] = '\0';
    struct notify_url u;
    char err[200];
    assert_int_equal(notify_parse_url(big, &u, err, sizeof err), -1);
    free(big);
}

static void test_redact(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"mqtt://u:secret@h:1/t", "mqtt://<login>@h:1/t"},
        {"mqtts://h/t", "mqtts://h/t"},
        {"mqtt://h/t@x", "mqtt://h/t@x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[128];
        notify_redact_url(cases[i][0], out, sizeof out);
        assert_string_equal(out, cases[i][1]);
    }
}

static void test_stream_url(void **state)
{
    (void)state;
    static const struct {
        const char *feed, *headers, *url, *account;
    } cases[] = {
        {"https://social.example/api/v1/accounts/42/statuses?limit=40", "Authorization: Bearer x",
         "https://social.example/api/v1/streaming/user", "42"},
        {"http://127.0.0.1:8080/api/v1/accounts/1099/statuses", "A: b\nauthorization: Bearer t",
         "http://127.0.0.1:8080/api/v1/streaming/user", "1099"},
        {"https://social.example/api/v1/accounts/42/statuses", NULL, NULL, NULL},
        {"https://social.example/api/v1/accounts/42/statuses", "X-Token: t", NULL, NULL},
        {"https://social.example/feed.json", "Authorization: Bearer x", NULL, NULL},
        {"https://social.example/api/v1/accounts//statuses", "Authorization: Bearer x", NULL,
         NULL},
        {"file:///api/v1/accounts/42/statuses", "Authorization: Bearer x", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *account = NULL;
        char *url = net_stream_url(cases[i].feed, cases[i].headers, &account);
        if (!cases[i].url) {
            assert_null(url);
            assert_null(account);
            continue;
        }
        assert_non_null(url);
        assert_string_equal(url, cases[i].url);
        assert_string_equal(account, cases[i].account);
        free(url);
        free(account);
    }
}

struct seen {
    char log[1024];
    int count;
};

static void on_event(void *ctx, const char *event, const char *data, size_t len)
{
    struct seen *s = ctx;
    s->count++;
    size_t n = strlen(s->log);
    snprintf(s->log + n, sizeof s->log - n, "[%s|%.*s]", event, (int)len, data);
}

static const struct {
    const char *stream, *expected;
} sse_cases[] = {
    {"event: update\ndata: {\"id\":\"1\"}\n\n", "[update|{\"id\":\"1\"}]"},
    {"event: delete\r\ndata: 123\r\n\r\n", "[delete|123]"},
    {"event: delete\rdata: 123\r\r", "[delete|123]"},
    {":)\n:thump\n\nevent: status.update\ndata:x\n\n", "[status.update|x]"},
    {"data: a\ndata: b\n\n", "[message|a\nb]"},
    {"event: update\n\n", ""},        /* no data: nothing */
    {"event: update\ndata: 1\n", ""}, /* not finished */
    {"id: 5\nretry: 10\nevent: x\nfoo: bar\ndata: 2\n\n", "[x|2]"},
    {"event: a\ndata: 1\n\nevent: b\ndata: 2\n\n", "[a|1][b|2]"},
};

static void test_sse_splits(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sse_cases / sizeof sse_cases[0]; i++) {
        const char *s = sse_cases[i].stream;
        size_t len = strlen(s);
        /* Whole, then cut at every place, then a byte at a time. */
        for (size_t cut = 0; cut <= len + 1; cut++) {
            struct seen seen = {{0}, 0};
            struct sse p;
            sse_init(&p, on_event, &seen);
            if (cut == len + 1) {
                for (size_t k = 0; k < len; k++)
                    assert_int_equal(sse_feed(&p, s + k, 1), 0);
            } else {
                assert_int_equal(sse_feed(&p, s, cut), 0);
                assert_int_equal(sse_feed(&p, s + cut, len - cut), 0);
            }
            if (strcmp(seen.log, sse_cases[i].expected) != 0)
                fail_msg("case %zu cut %zu: %s", i, cut, seen.log);
            sse_finish(&p);
        }
    }
}

static void test_sse_limits(void **state)
{
    (void)state;
    struct seen seen = {{0}, 0};
    struct sse p;
    sse_init(&p, on_event, &seen);
    char *chunk = malloc(4096);
    memset(chunk, 'x', 4096);
    int r = 0;
    for (int i = 0; i < NET_STREAM_LINE_MAX / 4096 + 2 && r == 0; i++)
        r = sse_feed(&p, chunk, 4096);
    assert_int_equal(r, -EFBIG); /* one endless line */
    sse_finish(&p);

    sse_init(&p, on_event, &seen);
    r = 0;
    memcpy(chunk, "data: ", 6);
    chunk[4095] = '\n';
    for (int i = 0; i < NET_STREAM_EVENT_MAX / 4096 + 2 && r == 0; i++)
        r = sse_feed(&p, chunk, 4096);
    assert_int_equal(r, -EFBIG); /* one endless event */
    assert_int_equal(seen.count, 0);
    sse_finish(&p);

    sse_init(&p, on_event, &seen);
    assert_int_equal(sse_feed(&p, "data: a\0b\n\n", 11), -EINVAL);
    sse_finish(&p);
    free(chunk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_url),  cmocka_unit_test(test_redact),
        cmocka_unit_test(test_stream_url), cmocka_unit_test(test_sse_splits),
        cmocka_unit_test(test_sse_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
