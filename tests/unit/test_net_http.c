/* net/: the HTTP rules (sniffing, Retry-After, caps, redirects, resume) and
 * the poller/downloaders end to end, against tests/integration/faultserver.py
 * started on a loopback port it picks. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fileio.h"
#include "base/log.h"
#include "cache/cache.h"
#include "feed/feed.h"
#include "net/http.h"
#include "net/net.h"

#define FAULTSERVER DP_FIXTURES "/../integration/faultserver.py"

/* ---- pure helpers ---- */

static const struct {
    const char *data;
    bool html;
} sniffs[] = {
    {"<!DOCTYPE html><html>", true},
    {"\xef\xbb\xbf  \n<!doctype HTML>", true},
    {"<html lang=\"fr\">", true},
    {"<HTML>", true},
    {"<?xml version=\"1.0\"?><rss>", false},
    {"{\"version\": \"https://jsonfeed.org/version/1.1\"}", false},
    {"\x89PNG\r\n\x1a\n", false},
    {"<htmlish>", false},
    {"", false},
};

static void test_sniff(void **state)
{
    for (size_t i = 0; i < sizeof sniffs / sizeof *sniffs; i++) {
        if (http_looks_like_html(sniffs[i].data, strlen(sniffs[i].data)) != sniffs[i].html)
            fail_msg("sniff row %zu: %s", i, sniffs[i].data);
    }
}

static const struct {
    const char *value;
    int64_t ms;
} retry_afters[] = {
    {"120", 120000},
    {" 0", 0},
    {"abc", -1},
    {"-5", -1},
    {"Wed, 21 Oct 2015 07:28:00 GMT", 0},     /* in the past: now */
    {"Thu, 01 Jan 1970 00:01:40 GMT", 40000}, /* now = 60 s after the epoch */
};

static void test_retry_after(void **state)
{
    for (size_t i = 0; i < sizeof retry_afters / sizeof *retry_afters; i++) {
        int64_t now = i == 5 ? 60000 : dp_wall_ms();
        int64_t got = http_parse_retry_after(retry_afters[i].value, now);
        if (got != retry_afters[i].ms)
            fail_msg("Retry-After %s: %lld", retry_afters[i].value, (long long)got);
    }
}

/* ---- the server ---- */

struct server {
    pid_t pid;
    int to_child;
    int port;
    char root[256];
};

static struct server srv;

static void server_start(void)
{
    snprintf(srv.root, sizeof srv.root, "/tmp/dp-test-net-XXXXXX");
    assert_non_null(mkdtemp(srv.root));
    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    srv.pid = fork();
    assert_true(srv.pid >= 0);
    if (srv.pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("python3", "python3", FAULTSERVER, "--root", srv.root, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    srv.to_child = in[1];
    char line[64] = "";
    size_t n = 0;
    while (n + 1 < sizeof line) {
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(out[0]);
    assert_int_equal(sscanf(line, "PORT %d", &srv.port), 1);
}

static void server_stop(void)
{
    close(srv.to_child);
    kill(srv.pid, SIGTERM);
    waitpid(srv.pid, NULL, 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", srv.root);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", srv.root);
}

static void url_of(const char *path, char *out, size_t cap)
{
    int n = snprintf(out, cap, "http://127.0.0.1:%d%s", srv.port, path);
    assert_true(n > 0 && (size_t)n < cap);
}

static void put_file(const char *name, const void *data, size_t len)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", srv.root, name);
    assert_int_equal(dp_write_atomic(p, data, len), 0);
}

static atomic_bool no_stop;

static int buf_write(void *ctx, const void *data, size_t n)
{
    return dp_buf_append(ctx, data, n) < 0 ? -EFBIG : 0;
}

static enum http_result get(const char *path, int64_t cap, int64_t from, const char *if_range,
                            struct dp_buf *body, struct http_resp *r)
{
    static struct http_client *h;
    if (!h)
        h = http_client_create();
    char url[256];
    url_of(path, url, sizeof url);
    struct http_req q = {
        .url = url,
        .cap = cap,
        .refuse_html = true,
        .stop = &no_stop,
        .range_from = from,
        .if_range = if_range,
        .sink = {.write = buf_write, .ctx = body},
    };
    return http_perform(h, &q, r);
}

static void set_mode(const char *path, const char *mode)
{
    char p[256];
    snprintf(p, sizeof p, "/_ctl/mode?path=%s&mode=%s", path, mode);
    struct dp_buf b;
    dp_buf_init(&b, 1024);
    struct http_resp r;
    assert_int_equal(get(p, 1024, 0, NULL, &b, &r), HTTP_DONE);
    dp_buf_finish(&b);
}

/* {mode, cap, expected result, expected status} on /blob (1000 bytes) */
static const struct {
    const char *mode;
    int64_t cap;
    enum http_result result;
    long status;
} answers[] = {
    {"ok", 1 << 20, HTTP_DONE, 200},
    {"ok", 999, HTTP_E_TOO_LARGE, 200},
    {"big_cl", 1 << 20, HTTP_E_TOO_LARGE, 200},
    {"big_nocl", 1 << 20, HTTP_E_TOO_LARGE, 200},
    {"chunked_forever", 1 << 20, HTTP_E_TOO_LARGE, 200},
    {"html", 1 << 20, HTTP_E_HTML, 200},
    {"cut", 1 << 20, HTTP_E_TRANSPORT, 200},
    {"status_503_ra", 1 << 20, HTTP_DONE, 503},
    {"status_429", 1 << 20, HTTP_DONE, 429},
    {"redirect_loop", 1 << 20, HTTP_E_REDIRECT, 302},
    {"redirect_file", 1 << 20, HTTP_E_REDIRECT, 302},
    {"redirect_ok", 1 << 20, HTTP_DONE, 200},
};

static void test_answers(void **state)
{
    char data[1000];
    memset(data, 'b', sizeof data);
    put_file("blob", data, sizeof data);
    for (size_t i = 0; i < sizeof answers / sizeof *answers; i++) {
        set_mode("/blob", answers[i].mode);
        struct dp_buf b;
        dp_buf_init(&b, 0);
        struct http_resp r;
        enum http_result res = get("/blob", answers[i].cap, 0, NULL, &b, &r);
        if (res != answers[i].result || r.status != answers[i].status)
            fail_msg("mode %s: result %d status %ld (%s)", answers[i].mode, res, r.status,
                     r.error);
        if (res == HTTP_DONE && r.status == 200)
            assert_int_equal(b.len, sizeof data);
        if (strcmp(answers[i].mode, "status_503_ra") == 0)
            assert_int_equal(r.retry_after_ms, 2000);
        assert_true(b.len <= (size_t)answers[i].cap);
        dp_buf_finish(&b);
    }
    set_mode("/blob", "ok");
}

static void test_range(void **state)
{
    char data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    put_file("ranged", data, sizeof data);
    struct dp_buf b;
    dp_buf_init(&b, 0);
    struct http_resp r;
    assert_int_equal(get("/ranged", 1 << 20, 0, NULL, &b, &r), HTTP_DONE);
    char etag[256];
    snprintf(etag, sizeof etag, "%s", r.etag);
    dp_buf_finish(&b);

    /* supported, validator matches: 206 from 400 */
    dp_buf_init(&b, 0);
    assert_int_equal(get("/ranged", 1 << 20, 400, etag, &b, &r), HTTP_DONE);
    assert_int_equal(r.status, 206);
    assert_int_equal(r.range_start, 400);
    assert_int_equal(b.len, 600);
    assert_memory_equal(b.data, data + 400, 600);
    dp_buf_finish(&b);
    /* validator changed: the whole body */
    dp_buf_init(&b, 0);
    assert_int_equal(get("/ranged", 1 << 20, 400, "\"other\"", &b, &r), HTTP_DONE);
    assert_int_equal(r.status, 200);
    assert_int_equal(b.len, 1000);
    dp_buf_finish(&b);
    /* not supported */
    set_mode("/ranged", "norange");
    dp_buf_init(&b, 0);
    assert_int_equal(get("/ranged", 1 << 20, 400, etag, &b, &r), HTTP_DONE);
    assert_int_equal(r.status, 200);
    assert_int_equal(b.len, 1000);
    dp_buf_finish(&b);
    set_mode("/ranged", "ok");
}

/* ---- net end to end ---- */

struct events {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int feeds, polls, media, downloads;
    char last_poll[32];
    long last_items;
    char last_download[32];
};

static void on_feed(void *ctx, struct feed *f)
{
    struct events *e = ctx;
    pthread_mutex_lock(&e->lock);
    e->feeds++;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
    feed_unref(f);
}

static void on_media(void *ctx, const char *url)
{
    struct events *e = ctx;
    pthread_mutex_lock(&e->lock);
    e->media++;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
}

static void on_event(void *ctx, const struct net_event *ev)
{
    struct events *e = ctx;
    pthread_mutex_lock(&e->lock);
    if (ev->type == NET_EV_POLL) {
        e->polls++;
        snprintf(e->last_poll, sizeof e->last_poll, "%s", ev->result);
        e->last_items = ev->items;
    } else if (ev->type == NET_EV_DOWNLOAD) {
        e->downloads++;
        snprintf(e->last_download, sizeof e->last_download, "%s", ev->result);
    }
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
}

/* Waits (generously) until *counter reaches want. */
static bool wait_for(struct events *e, int *counter, int want)
{
    int64_t end = dp_mono_ms() + 20000;
    pthread_mutex_lock(&e->lock);
    while (*counter < want && dp_mono_ms() < end) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&e->cond, &e->lock, &ts);
    }
    bool ok = *counter >= want;
    pthread_mutex_unlock(&e->lock);
    return ok;
}

static const char FEED[] =
    "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":["
    "{\"id\":\"a\",\"date_published\":\"2026-01-02T00:00:00Z\",\"content_text\":\"A\","
    "\"attachments\":[{\"url\":\"a.png\",\"mime_type\":\"image/png\"}]},"
    "{\"id\":\"b\",\"date_published\":\"2026-01-01T00:00:00Z\",\"content_text\":\"B\"}]}";

static void test_net_end_to_end(void **state)
{
    put_file("feed.json", FEED, strlen(FEED));
    char png[3000];
    memset(png, 'p', sizeof png);
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    put_file("a.png", png, sizeof png);

    char cdir[512];
    snprintf(cdir, sizeof cdir, "%s/cache", srv.root);
    char err[256];
    struct cache *c = cache_open(cdir, 0, 0, err, sizeof err);
    assert_non_null(c);
    char feed_url[256], media_url[256];
    url_of("/feed.json", feed_url, sizeof feed_url);
    url_of("/a.png", media_url, sizeof media_url);

    struct events ev = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    struct net_config cfg = {
        .feed_url = feed_url, .poll_interval_ms = 60000, .max_media_size = 1 << 20};
    struct net_callbacks cb = {
        .on_feed = on_feed, .on_media = on_media, .on_event = on_event, .ctx = &ev};
    struct net *n = net_start(&cfg, c, &cb);
    assert_non_null(n);
    assert_true(wait_for(&ev, &ev.polls, 1));
    assert_string_equal(ev.last_poll, "updated");
    assert_int_equal(ev.last_items, 2);
    assert_int_equal(ev.feeds, 1);

    const char *wanted[] = {media_url};
    net_set_wanted(n, wanted, 1);
    assert_true(wait_for(&ev, &ev.media, 1));
    assert_true(cache_has(c, media_url));
    assert_string_equal(ev.last_download, "ok");

    /* A cached file is revalidated once its last check is a day old: a
     * conditional request, a 304, and a new check time. */
    int downloads = ev.downloads;
    net_set_wanted(n, wanted, 1);
    usleep(300 * 1000);
    assert_int_equal(ev.downloads, downloads); /* checked just now: nothing */
    int64_t day_ago = dp_wall_ms() - 25LL * 3600 * 1000, checked = 0;
    cache_mark_checked(c, media_url, day_ago);
    net_set_wanted(n, NULL, 0); /* wakes the downloaders */
    net_set_wanted(n, wanted, 1);
    assert_true(wait_for(&ev, &ev.downloads, downloads + 1));
    assert_string_equal(ev.last_download, "not_modified");
    char etag[256], lm[64];
    assert_true(cache_validators(c, media_url, etag, sizeof etag, lm, sizeof lm, &checked));
    assert_true(checked > day_ago + 3600 * 1000);

    /* Unchanged feed: 304, no new feed. */
    net_poll_now(n);
    assert_true(wait_for(&ev, &ev.polls, 2));
    assert_string_equal(ev.last_poll, "not_modified");
    assert_int_equal(ev.feeds, 1);

    /* A broken answer keeps the last good feed. */
    set_mode("/feed.json", "html");
    net_poll_now(n);
    assert_true(wait_for(&ev, &ev.polls, 3));
    assert_string_equal(ev.last_poll, "rejected");
    set_mode("/feed.json", "status_502");
    net_poll_now(n);
    assert_true(wait_for(&ev, &ev.polls, 4));
    assert_string_equal(ev.last_poll, "error");
    struct net_progress prog;
    net_get_progress(n, &prog);
    assert_int_equal(prog.pending, 0);
    assert_string_equal(prog.last_error, "HTTP 502");

    /* net_stop while a poll stalls on a silent server: about a second. */
    set_mode("/feed.json", "silence");
    net_poll_now(n);
    usleep(300 * 1000);
    int64_t t0 = dp_mono_ms();
    net_stop(n);
    int64_t took = dp_mono_ms() - t0;
    if (took > 2500)
        fail_msg("net_stop took %lld ms", (long long)took);
    set_mode("/feed.json", "ok");

    /* A restart with the server unreachable plays the cached feed at once. */
    cache_close(c);
    c = cache_open(cdir, 0, 0, err, sizeof err);
    int feeds_before = ev.feeds;
    char dead[256];
    snprintf(dead, sizeof dead, "http://127.0.0.1:1/feed.json");
    cfg.feed_url = feed_url;
    set_mode("/feed.json", "status_500");
    n = net_start(&cfg, c, &cb);
    assert_true(wait_for(&ev, &ev.feeds, feeds_before + 1));
    assert_true(cache_has(c, media_url));
    net_stop(n);
    set_mode("/feed.json", "ok");
    cache_close(c);
}

/* A minisign key pair and legacy ("Ed") signatures made here with
 * libsodium, so that the signed feed can be any test feed. */
struct signer {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    unsigned char id[8];
};

static void signer_init(struct signer *s, unsigned char id0)
{
    crypto_sign_keypair(s->pk, s->sk);
    memset(s->id, id0, sizeof s->id);
}

static void b64(const unsigned char *bin, size_t len, char *out, size_t cap)
{
    sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_ORIGINAL);
}

static void signer_pub(const struct signer *s, char *out, size_t cap)
{
    unsigned char raw[2 + 8 + 32];
    memcpy(raw, "Ed", 2);
    memcpy(raw + 2, s->id, 8);
    memcpy(raw + 10, s->pk, 32);
    char line[128];
    b64(raw, sizeof raw, line, sizeof line);
    snprintf(out, cap, "untrusted comment: test key\n%s\n", line);
}

static void signer_sign(const struct signer *s, const char *msg, size_t len, char *out, size_t cap)
{
    unsigned char raw[2 + 8 + 64], global[64 + 64];
    const char *tc = "timestamp:1 file:feed.json";
    memcpy(raw, "Ed", 2);
    memcpy(raw + 2, s->id, 8);
    crypto_sign_detached(raw + 10, NULL, (const unsigned char *)msg, len, s->sk);
    memcpy(global, raw + 10, 64);
    memcpy(global + 64, tc, strlen(tc));
    unsigned char gsig[64];
    crypto_sign_detached(gsig, NULL, global, 64 + strlen(tc), s->sk);
    char l2[160], l4[128];
    b64(raw, sizeof raw, l2, sizeof l2);
    b64(gsig, sizeof gsig, l4, sizeof l4);
    snprintf(out, cap, "untrusted comment: sig\n%s\ntrusted comment: %s\n%s\n", l2, tc, l4);
}

/* {feed name, how it is signed, expected result of the first poll} */
enum sig_kind { SIG_GOOD, SIG_OTHER_KEY, SIG_FLIPPED, SIG_NONE };
static const struct {
    const char *name;
    enum sig_kind sig;
    const char *result;
} signed_feeds[] = {
    {"s_good.json", SIG_GOOD, "updated"},
    {"s_other.json", SIG_OTHER_KEY, "rejected"},
    {"s_flipped.json", SIG_FLIPPED, "rejected"},
    {"s_none.json", SIG_NONE, "rejected"},
};

static void test_signed_feeds(void **state)
{
    assert_true(sodium_init() >= 0);
    struct signer good, other;
    signer_init(&good, 1);
    signer_init(&other, 2);
    char key[512], other_key[512], sig[1024];
    signer_pub(&good, key, sizeof key);
    signer_pub(&other, other_key, sizeof other_key);
    for (size_t i = 0; i < sizeof signed_feeds / sizeof *signed_feeds; i++) {
        put_file(signed_feeds[i].name, FEED, strlen(FEED));
        char name[128];
        snprintf(name, sizeof name, "%s.minisig", signed_feeds[i].name);
        if (signed_feeds[i].sig != SIG_NONE) {
            signer_sign(signed_feeds[i].sig == SIG_OTHER_KEY ? &other : &good, FEED, strlen(FEED),
                        sig, sizeof sig);
            if (signed_feeds[i].sig == SIG_FLIPPED) {
                char *l2 = strchr(sig, '\n') + 1;
                l2[40] = l2[40] == 'A' ? 'B' : 'A';
            }
            put_file(name, sig, strlen(sig));
        }
        char cdir[512], err[256], url[256], path[160];
        snprintf(cdir, sizeof cdir, "%s/cache-sig-%zu", srv.root, i);
        snprintf(path, sizeof path, "/%s", signed_feeds[i].name);
        url_of(path, url, sizeof url);
        struct cache *c = cache_open(cdir, 0, 0, err, sizeof err);
        assert_non_null(c);
        struct events ev = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
        struct net_config cfg = {.feed_url = url,
                                 .poll_interval_ms = 60000,
                                 .max_media_size = 1 << 20,
                                 .public_key = key};
        struct net_callbacks cb = {
            .on_feed = on_feed, .on_media = on_media, .on_event = on_event, .ctx = &ev};
        struct net *n = net_start(&cfg, c, &cb);
        assert_true(wait_for(&ev, &ev.polls, 1));
        if (strcmp(ev.last_poll, signed_feeds[i].result) != 0)
            fail_msg("%s: %s", signed_feeds[i].name, ev.last_poll);
        assert_int_equal(ev.feeds, strcmp(signed_feeds[i].result, "updated") == 0);
        net_stop(n);
        if (ev.feeds) {
            /* The cached feed is checked again at start: with its signature
             * it plays at once; under another key it is not used. */
            set_mode(path, "status_500");
            n = net_start(&cfg, c, &cb);
            assert_true(wait_for(&ev, &ev.polls, 2));
            assert_int_equal(ev.feeds, 2);
            net_stop(n);
            cfg.public_key = other_key;
            n = net_start(&cfg, c, &cb);
            assert_true(wait_for(&ev, &ev.polls, 3));
            assert_int_equal(ev.feeds, 2);
            net_stop(n);
            set_mode(path, "ok");
        }
        cache_close(c);
    }
}

static int group_setup(void **state)
{
    dp_log_set_level(DP_LOG_ERROR);
    atomic_init(&no_stop, false);
    server_start();
    return 0;
}

static int group_teardown(void **state)
{
    server_stop();
    return 0;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),          cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_answers),        cmocka_unit_test(test_range),
        cmocka_unit_test(test_net_end_to_end), cmocka_unit_test(test_signed_feeds),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
