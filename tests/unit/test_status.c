/* status.c: the status endpoint over loopback sockets (127.0.0.1 only):
 * /status JSON, /metrics, /screenshot.png, 404/405/400/431, the token
 * (401 without or with a wrong one, 429 after too many wrong ones), SIGHUP's
 * reconfigure, slow clients that never hold up the others, idle clients
 * dropped after the idle timeout, the connection limit, a prompt stop, and
 * the board (setters, snapshot, the frame rendezvous).
 *
 * Links the status library (dpstatus), as the player does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "app/status.h"
#include "app/status_request.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/xalloc.h"

/* ---- a client ------------------------------------------------------------ */

struct reply {
    int code; /* 0: no answer (connection closed) */
    char head[2048];
    char *body; /* malloc'd, NUL-terminated */
    size_t body_len;
};

/* The client's own address is 127.0.0.<source_octet>: the failed-token
 * limit counts per client, so tests that fail on purpose use their own. */
static int source_octet = 1;

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + (uint32_t)source_octet);
    assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof src), 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* Reads until the server closes; parses status line, head and body. */
static void read_reply(int fd, struct reply *r)
{
    struct dp_buf b;
    dp_buf_init(&b, 0);
    char chunk[4096];
    ssize_t n;
    while ((n = recv(fd, chunk, sizeof chunk, 0)) > 0)
        dp_buf_append(&b, chunk, (size_t)n);
    close(fd);
    memset(r, 0, sizeof *r);
    size_t len = 0;
    char *all = dp_buf_steal(&b, &len);
    char *sep = all ? strstr(all, "\r\n\r\n") : NULL;
    if (sep) {
        size_t hlen = (size_t)(sep - all);
        assert_true(hlen < sizeof r->head);
        memcpy(r->head, all, hlen);
        sscanf(all, "HTTP/1.%*d %d", &r->code);
        r->body_len = len - hlen - 4;
        r->body = dp_malloc(r->body_len + 1);
        memcpy(r->body, sep + 4, r->body_len);
        r->body[r->body_len] = '\0';
    }
    free(all);
}

static void request(int port, const char *req, struct reply *r)
{
    int fd = connect_to(port);
    assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
    read_reply(fd, r);
}

static void get(int port, const char *path, const char *auth, struct reply *r)
{
    char req[512];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n%s%s%s\r\n", path,
             auth ? "Authorization: " : "", auth ? auth : "", auth ? "\r\n" : "");
    request(port, req, r);
}

/* The value of header name in r's head, or NULL (static buffer). */
static const char *header(const struct reply *r, const char *name)
{
    static char value[256];
    size_t nl = strlen(name);
    for (const char *l = strstr(r->head, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
        if (strncasecmp(l + 2, name, nl) == 0 && l[2 + nl] == ':') {
            const char *v = l + 3 + nl, *e = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            size_t vl = e ? (size_t)(e - v) : strlen(v);
            snprintf(value, sizeof value, "%.*s", (int)vl, v);
            return value;
        }
    }
    return NULL;
}

static void reply_free(struct reply *r)
{
    free(r->body);
    r->body = NULL;
}

/* ---- a fake player ------------------------------------------------------- */

static const unsigned char fake_png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0,
                                         0,    0,   'I', 'E', 'N',  'D',  0xae, 0x42, 0x60, 0x82};

struct fake {
    int snapshots;
    int shots;
    bool shot_fails;
    int shot_delay_ms;
};

static void fake_snapshot(void *ctx, struct status_info *out)
{
    struct fake *f = ctx;
    f->snapshots++;
    snprintf(out->now_showing.item, sizeof out->now_showing.item, "post-7#2");
    snprintf(out->now_showing.kind, sizeof out->now_showing.kind, "image");
    out->now_showing.since_ms = 1700000000123LL;
    snprintf(out->feed.url, sizeof out->feed.url, "https://feed.example/f.json");
    out->feed.last_poll_ms = 1700000060000LL;
    out->feed.last_success_ms = 1700000000000LL;
    snprintf(out->feed.last_error, sizeof out->feed.last_error, "HTTP 503");
    out->feed.items = 12;
    out->cache.bytes = 123456789;
    out->cache.files = 34;
    out->cache.max_bytes = 500LL * 1024 * 1024;
    out->shows_total = 56;
    out->frames_dropped_total = 7;
}

static int fake_screenshot(void *ctx, void **png, size_t *len, int timeout_ms)
{
    struct fake *f = ctx;
    f->shots++;
    assert_true(timeout_ms > 0);
    if (f->shot_fails)
        return -1;
    if (f->shot_delay_ms)
        usleep((useconds_t)f->shot_delay_ms * 1000);
    *png = dp_malloc(sizeof fake_png);
    memcpy(*png, fake_png, sizeof fake_png);
    *len = sizeof fake_png;
    return 0;
}

static struct status_server *start(struct fake *f, const char *token)
{
    struct status_source src = {
        .ctx = f, .snapshot = fake_snapshot, .screenshot = fake_screenshot};
    char err[256];
    struct status_server *s = status_start("127.0.0.1:0", token, &src, err, sizeof err);
    if (!s)
        fail_msg("status_start: %s", err);
    assert_true(status_port(s) > 0);
    return s;
}

/* ---- starting ------------------------------------------------------------ */

static void test_disabled_and_bad_addresses(void **state)
{
    char err[256];
    struct fake f = {0};
    struct status_source src = {.ctx = &f, .snapshot = fake_snapshot};
    strcpy(err, "x");
    assert_null(status_start(NULL, NULL, &src, err, sizeof err));
    assert_string_equal(err, "");
    strcpy(err, "x");
    assert_null(status_start("", "tok", &src, err, sizeof err));
    assert_string_equal(err, "");

    static const char *const bad[] = {
        "127.0.0.1", "127.0.0.1:", ":8642", "127.0.0.1:99999", "127.0.0.1:80a", "[::1",
        "[::1]8642", "::1:8642",   "[]:1",  "127.0.0.1:-1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_null(status_start(bad[i], NULL, &src, err, sizeof err));
        if (!err[0])
            fail_msg("no error for \"%s\"", bad[i]);
    }
    /* Not loopback and no token: refused before anything is bound. */
    err[0] = '\0';
    assert_null(status_start("0.0.0.0:0", NULL, &src, err, sizeof err));
    assert_non_null(strstr(err, "token"));
    err[0] = '\0';
    assert_null(status_start("0.0.0.0:0", "", &src, err, sizeof err));
    assert_non_null(strstr(err, "token"));
    status_stop(NULL);
    assert_int_equal(status_port(NULL), -1);
}

static void test_ipv6_loopback(void **state)
{
    char err[256];
    struct status_server *s = status_start("[::1]:0", NULL, NULL, err, sizeof err);
    if (!s)
        skip(); /* no IPv6 here */
    assert_true(status_port(s) > 0);
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6,
                             .sin6_port = htons((uint16_t)status_port(s)),
                             .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    const char *req = "GET /status HTTP/1.0\r\n\r\n";
    assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
    struct reply r;
    read_reply(fd, &r);
    assert_int_equal(r.code, 200);
    reply_free(&r);
    status_stop(s);
}

/* ---- the routes ---------------------------------------------------------- */

static void test_status_json(void **state)
{
    struct fake f = {0};
    struct status_server *s = start(&f, NULL);
    struct reply r;
    get(status_port(s), "/status", NULL, &r);
    assert_int_equal(r.code, 200);
    assert_string_equal(header(&r, "Content-Type"), "application/json");
    assert_int_equal(atoi(header(&r, "Content-Length")), (int)r.body_len);
    assert_string_equal(header(&r, "Connection"), "close");
    cJSON *o = cJSON_Parse(r.body);
    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "version")->valuestring, DP_VERSION);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(o, "uptime_s")));
    assert_true(cJSON_IsBool(cJSON_GetObjectItem(o, "clock_suspect")));
    cJSON *ns = cJSON_GetObjectItem(o, "now_showing");
    assert_string_equal(cJSON_GetObjectItem(ns, "item")->valuestring, "post-7#2");
    assert_string_equal(cJSON_GetObjectItem(ns, "kind")->valuestring, "image");
    assert_string_equal(cJSON_GetObjectItem(ns, "since")->valuestring, "2023-11-14T22:13:20.123Z");
    cJSON *fd = cJSON_GetObjectItem(o, "feed");
    assert_string_equal(cJSON_GetObjectItem(fd, "url")->valuestring,
                        "https://feed.example/f.json");
    assert_string_equal(cJSON_GetObjectItem(fd, "last_poll")->valuestring,
                        "2023-11-14T22:14:20.000Z");
    assert_string_equal(cJSON_GetObjectItem(fd, "last_success")->valuestring,
                        "2023-11-14T22:13:20.000Z");
    assert_string_equal(cJSON_GetObjectItem(fd, "last_error")->valuestring, "HTTP 503");
    assert_int_equal(cJSON_GetObjectItem(fd, "items")->valuedouble, 12);
    cJSON *c = cJSON_GetObjectItem(o, "cache");
    assert_int_equal(cJSON_GetObjectItem(c, "bytes")->valuedouble, 123456789);
    assert_int_equal(cJSON_GetObjectItem(c, "files")->valuedouble, 34);
    assert_int_equal(cJSON_GetObjectItem(c, "max_bytes")->valuedouble, 500LL * 1024 * 1024);
    assert_int_equal(cJSON_GetObjectItem(o, "shows_total")->valuedouble, 56);
    assert_int_equal(cJSON_GetObjectItem(o, "frames_dropped_total")->valuedouble, 7);
    cJSON_Delete(o);
    reply_free(&r);

    /* A query string does not change the route. */
    get(status_port(s), "/status?x=1", NULL, &r);
    assert_int_equal(r.code, 200);
    reply_free(&r);
    status_stop(s);
    assert_int_equal(f.snapshots, 2);
}

/* Nothing known yet: nulls, not made-up values. */
static void test_status_json_empty(void **state)
{
    char err[256];
    struct status_server *s = status_start("127.0.0.1:0", NULL, NULL, err, sizeof err);
    assert_non_null(s);
    struct reply r;
    get(status_port(s), "/status", NULL, &r);
    assert_int_equal(r.code, 200);
    cJSON *o = cJSON_Parse(r.body);
    assert_non_null(o);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "now_showing")));
    cJSON *fd = cJSON_GetObjectItem(o, "feed");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(fd, "last_poll")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(fd, "last_success")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(fd, "last_error")));
    cJSON_Delete(o);
    reply_free(&r);
    get(status_port(s), "/screenshot.png", NULL, &r);
    assert_int_equal(r.code, 503);
    reply_free(&r);
    status_stop(s);
}

static void test_metrics(void **state)
{
    static const char *const lines[] = {
        "# TYPE deskplayer_info gauge\n",
        "deskplayer_info{version=\"" DP_VERSION "\"} 1\n",
        "# HELP deskplayer_uptime_seconds ",
        "# TYPE deskplayer_uptime_seconds gauge\n",
        "\ndeskplayer_uptime_seconds ",
        "# TYPE deskplayer_shows_total counter\n",
        "\ndeskplayer_shows_total 56\n",
        "# TYPE deskplayer_frames_dropped_total counter\n",
        "\ndeskplayer_frames_dropped_total 7\n",
        "\ndeskplayer_cache_bytes 123456789\n",
        "\ndeskplayer_cache_files 34\n",
        "\ndeskplayer_cache_max_bytes 524288000\n",
        "\ndeskplayer_feed_items 12\n",
        "\ndeskplayer_feed_last_success_timestamp_seconds 1700000000.000\n",
        "\ndeskplayer_feed_last_poll_timestamp_seconds 1700000060.000\n",
        "\ndeskplayer_feed_last_poll_failed 1\n",
        "\ndeskplayer_clock_suspect ",
    };
    struct fake f = {0};
    struct status_server *s = start(&f, NULL);
    struct reply r;
    get(status_port(s), "/metrics", NULL, &r);
    assert_int_equal(r.code, 200);
    assert_non_null(strstr(header(&r, "Content-Type"), "text/plain; version=0.0.4"));
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (!strstr(r.body, lines[i]))
            fail_msg("no \"%s\" in:\n%s", lines[i], r.body);
    /* Every line is a comment or "name[{labels}] value". */
    for (char *l = r.body; *l; l = strchr(l, '\n') + 1) {
        assert_true(strchr(l, '\n') != NULL);
        if (*l != '#')
            assert_true(strncmp(l, "deskplayer_", 11) == 0 && strchr(l, ' ') < strchr(l, '\n'));
    }
    reply_free(&r);
    status_stop(s);
}

static void test_screenshot(void **state)
{
    struct fake f = {0};
    struct status_server *s = start(&f, NULL);
    struct reply r;
    get(status_port(s), "/screenshot.png", NULL, &r);
    assert_int_equal(r.code, 200);
    assert_string_equal(header(&r, "Content-Type"), "image/png");
    assert_int_equal(r.body_len, sizeof fake_png);
    assert_memory_equal(r.body, fake_png, sizeof fake_png);
    reply_free(&r);

    f.shot_fails = true;
    get(status_port(s), "/screenshot.png", NULL, &r);
    assert_int_equal(r.code, 503);
    reply_free(&r);
    status_stop(s);
    assert_int_equal(f.shots, 2);
}

/* A screenshot is made off the HTTP thread: /status answers while one is
 * being made, and a second screenshot meanwhile gets 503 at once. */
struct shot_client {
    int port;
    struct reply r;
};

static void *get_screenshot(void *arg)
{
    struct shot_client *c = arg;
    get(c->port, "/screenshot.png", NULL, &c->r);
    return NULL;
}

static void test_screenshot_off_thread(void **state)
{
    struct fake f = {.shot_delay_ms = 1500};
    struct status_server *s = start(&f, NULL);
    struct shot_client c = {.port = status_port(s)};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, get_screenshot, &c), 0);
    usleep(200 * 1000); /* the first screenshot is being made */
    int64_t t0 = dp_mono_ms();
    struct reply r;
    get(status_port(s), "/status", NULL, &r);
    assert_int_equal(r.code, 200);
    assert_true(dp_mono_ms() - t0 < 1000);
    reply_free(&r);
    get(status_port(s), "/screenshot.png", NULL, &r);
    assert_int_equal(r.code, 503);
    assert_string_equal(header(&r, "Retry-After"), "1");
    reply_free(&r);
    pthread_join(t, NULL);
    assert_int_equal(c.r.code, 200);
    assert_int_equal(c.r.body_len, sizeof fake_png);
    reply_free(&c.r);
    status_stop(s);

    /* Stopping while a screenshot is being made waits for that one only:
     * its connection is resumed and the daemon stops cleanly. */
    s = start(&f, NULL);
    c.port = status_port(s);
    assert_int_equal(pthread_create(&t, NULL, get_screenshot, &c), 0);
    usleep(200 * 1000);
    t0 = dp_mono_ms();
    status_stop(s);
    assert_true(dp_mono_ms() - t0 < 1500 + 2000);
    pthread_join(t, NULL);
    assert_true(c.r.code == 200 || c.r.code == 0);
    reply_free(&c.r);
}

static void test_errors(void **state)
{
    static const struct {
        const char *req;
        int code;
        const char *allow;
    } cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", 404, NULL},
        {"GET /statusx HTTP/1.1\r\n\r\n", 404, NULL},
        {"GET /status/ HTTP/1.1\r\n\r\n", 404, NULL},
        {"GET /../status HTTP/1.1\r\n\r\n", 404, NULL},
        {"GET http://x/status HTTP/1.1\r\n\r\n", 404, NULL},
        {"POST /status HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, "GET, HEAD"},
        {"DELETE /metrics HTTP/1.1\r\n\r\n", 405, "GET, HEAD"},
        {"HEAD /status HTTP/1.1\r\n\r\n", 200, NULL},
        {"GET /status HTTP/1.0\n\n", 200, NULL}, /* bare newlines */
        /* Not HTTP: 400, or closed without a word (-1). */
        {"hello\r\n\r\n", -1, NULL},
        {"GET /status\r\n\r\n", -1, NULL},
        {"GET  HTTP/1.1\r\n\r\n", -1, NULL},
        {"GET /status HTTP/1.1\r\nno colon\r\n\r\n", -1, NULL},
        {"VERYLONGMETHODNAME /status HTTP/1.1\r\n\r\n", 405, "GET, HEAD"},
    };
    struct fake f = {0};
    struct status_server *s = start(&f, NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct reply r;
        request(status_port(s), cases[i].req, &r);
        bool ok = cases[i].code < 0 ? r.code == 400 || r.code == 0 : r.code == cases[i].code;
        if (!ok)
            fail_msg("\"%s\": %d, expected %d", cases[i].req, r.code, cases[i].code);
        if (cases[i].allow)
            assert_string_equal(header(&r, "Allow"), cases[i].allow);
        if (strncmp(cases[i].req, "HEAD", 4) == 0) {
            assert_int_equal(r.body_len, 0);
            assert_true(atoi(header(&r, "Content-Length")) > 0);
        }
        reply_free(&r);
    }
    /* A long path is a 404, not a crash. */
    char *req = dp_strfmt("GET /%04000d HTTP/1.1\r\n\r\n", 0);
    struct reply r;
    request(status_port(s), req, &r);
    assert_int_equal(r.code, 404);
    reply_free(&r);
    free(req);
    status_stop(s);
}

static void test_oversized_head(void **state)
{
    struct fake f = {0};
    struct status_server *s = start(&f, NULL);
    size_t n = 2 * DP_STATUS_CONN_MEMORY;
    char *req = dp_malloc(n + 1);
    strcpy(req, "GET /status HTTP/1.1\r\nX-Pad: ");
    size_t k = strlen(req);
    memset(req + k, 'a', n - k);
    req[n] = '\0';
    int fd = connect_to(status_port(s));
    /* The server may close while the rest is still coming: ignore send errors. */
    ssize_t sent = send(fd, req, n, MSG_NOSIGNAL);
    (void)sent;
    struct reply r;
    read_reply(fd, &r);
    assert_int_equal(r.code, 431);
    reply_free(&r);
    free(req);
    assert_int_equal(f.snapshots, 0);
    status_stop(s);
}

/* ---- the token ----------------------------------------------------------- */

static void test_token(void **state)
{
    static const struct {
        const char *auth; /* NULL: no Authorization header */
        int code;
    } cases[] = {
        {NULL, 401},
        {"Bearer wrong", 401},
        {"Bearer s3cret-tok", 200},
        {"bearer s3cret-tok", 200},
        {"Bearer   s3cret-tok  ", 200},
        {"Bearer s3cret-to", 401},
        {"Bearer s3cret-tokk", 401},
        {"Bearer ", 401},
        {"Basic s3cret-tok", 401},
        {"Bearers3cret-tok", 401},
        {"s3cret-tok", 401},
    };
    struct fake f = {0};
    struct status_server *s = start(&f, "s3cret-tok");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct reply r;
        source_octet = 10 + (int)i; /* one client each: no 429 here */
        get(status_port(s), "/status", cases[i].auth, &r);
        if (r.code != cases[i].code)
            fail_msg("\"%s\": %d, expected %d", cases[i].auth ? cases[i].auth : "(none)", r.code,
                     cases[i].code);
        if (r.code == 401)
            assert_non_null(strstr(header(&r, "WWW-Authenticate"), "Bearer"));
        reply_free(&r);
    }
    /* Every route is behind the token, unknown ones and other methods too. */
    static const char *const reqs[] = {
        "GET /metrics HTTP/1.1\r\n\r\n",
        "GET /screenshot.png HTTP/1.1\r\n\r\n",
        "GET /nope HTTP/1.1\r\n\r\n",
        "POST /status HTTP/1.1\r\n\r\n",
        /* Two Authorization headers are not a way around it. */
        "GET /status HTTP/1.1\r\nAuthorization: Bearer x\r\n"
        "Authorization: Bearer s3cret-tok\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        struct reply r;
        source_octet = 30 + (int)i;
        request(status_port(s), reqs[i], &r);
        assert_int_equal(r.code, 401);
        reply_free(&r);
    }
    source_octet = 1;
    assert_int_equal(f.snapshots, 3);
    assert_int_equal(f.shots, 0);
    struct reply r;
    request(status_port(s),
            "GET /screenshot.png HTTP/1.1\r\n"
            "authorization: Bearer s3cret-tok\r\n\r\n",
            &r);
    assert_int_equal(r.code, 200);
    reply_free(&r);
    status_stop(s);
}

/* ---- the pure parts: routes, the Authorization value, the limiter ------- */

static void test_route_and_auth(void **state)
{
    static const struct {
        const char *method, *path;
        enum status_route want;
    } routes[] = {
        {"GET", "/status", STATUS_ROUTE_STATUS},
        {"HEAD", "/status", STATUS_ROUTE_STATUS},
        {"GET", "/metrics", STATUS_ROUTE_METRICS},
        {"GET", "/screenshot.png", STATUS_ROUTE_SCREENSHOT},
        {"GET", "/status/", STATUS_ROUTE_NOT_FOUND},
        {"GET", "/STATUS", STATUS_ROUTE_NOT_FOUND},
        {"GET", "", STATUS_ROUTE_NOT_FOUND},
        {"GET", NULL, STATUS_ROUTE_NOT_FOUND},
        {"get", "/status", STATUS_ROUTE_BAD_METHOD},
        {"POST", "/status", STATUS_ROUTE_BAD_METHOD},
        {NULL, "/status", STATUS_ROUTE_BAD_METHOD},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        assert_int_equal(status_route(routes[i].method, routes[i].path), routes[i].want);

    unsigned char h[STATUS_TOKEN_HASH_BYTES];
    assert_int_equal(status_token_hash("tok", h), 0);
    static const struct {
        const char *value;
        bool ok;
    } auths[] = {
        {"Bearer tok", true},        {"bearer tok", true}, {"BEARER\ttok", true},
        {"  Bearer   tok \t", true}, {"Bearer to", false}, {"Bearer tokk", false},
        {"Bearer", false},           {"Bearer ", false},   {"Bearertok", false},
        {"Basic tok", false},        {"tok", false},       {"", false},
    };
    for (size_t i = 0; i < sizeof auths / sizeof auths[0]; i++)
        if (status_auth_ok(h, auths[i].value, strlen(auths[i].value)) != auths[i].ok)
            fail_msg("\"%s\": expected %d", auths[i].value, auths[i].ok);
    assert_false(status_auth_ok(h, NULL, 0));
    /* Not NUL-terminated: only len bytes count. */
    assert_true(status_auth_ok(h, "Bearer tokXYZ", 10));

    /* The limiter with an injected clock. */
    struct status_limiter *l = dp_malloc(sizeof *l);
    status_limiter_init(l);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(0x0a000001);
    unsigned char k[STATUS_ADDR_MAX], k2[STATUS_ADDR_MAX];
    size_t kl = status_limiter_key(&a, sizeof a, k);
    assert_int_equal(kl, 4);
    for (int i = 0; i < STATUS_AUTH_BURST; i++) {
        assert_true(status_limiter_allowed(l, k, kl, 1000));
        status_limiter_failed(l, k, kl, 1000);
    }
    assert_false(status_limiter_allowed(l, k, kl, 1000));
    assert_false(status_limiter_allowed(l, k, kl, 1000 + STATUS_AUTH_REFILL_MS - 1));
    assert_true(status_limiter_allowed(l, k, kl, 1000 + STATUS_AUTH_REFILL_MS));
    a.sin_addr.s_addr = htonl(0x0a000002);
    size_t kl2 = status_limiter_key(&a, sizeof a, k2);
    assert_true(status_limiter_allowed(l, k2, kl2, 1000)); /* per client */
    /* IPv6: one /64 is one client; v4-mapped is the v4 address. */
    struct sockaddr_in6 b6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "2001:db8::1", &b6.sin6_addr);
    assert_int_equal(status_limiter_key(&b6, sizeof b6, k2), 8);
    inet_pton(AF_INET6, "::ffff:10.0.0.1", &b6.sin6_addr);
    assert_int_equal(status_limiter_key(&b6, sizeof b6, k2), 4);
    assert_memory_equal(k, k2, 4);
    assert_int_equal(status_limiter_key(NULL, 0, k2), 1);
    /* A full table forgets the quietest client, never crashes. */
    for (uint32_t i = 0; i < 2 * STATUS_AUTH_CLIENTS; i++) {
        a.sin_addr.s_addr = htonl(0x0b000000 + i);
        kl2 = status_limiter_key(&a, sizeof a, k2);
        status_limiter_failed(l, k2, kl2, 2000 + i);
    }
    assert_true(status_limiter_allowed(l, k, kl, 2000));
    free(l);
}

/* ---- slow clients and stopping ------------------------------------------- */

/* Sends all of text, or fails. */
static void send_text(int fd, const char *text)
{
    assert_int_equal(send(fd, text, strlen(text), MSG_NOSIGNAL), (ssize_t)strlen(text));
}

/* A silent client is closed after the idle timeout, without a word; others
 * are served meanwhile. */
static void test_idle_client(void **state)
{
    struct fake f = {0};
    struct status_server *s = start(&f, NULL);
    int idle = connect_to(status_port(s));
    int partial = connect_to(status_port(s));
    send_text(partial, "GET /sta");
    int64_t t0 = dp_mono_ms();
    struct reply r;
    get(status_port(s), "/status", NULL, &r);
    assert_int_equal(r.code, 200);
    reply_free(&r);
    assert_true(dp_mono_ms() - t0 < 1000);

    read_reply(idle, &r);
    int64_t waited = dp_mono_ms() - t0;
    assert_int_equal(r.code, 0);
    if (waited < DP_STATUS_IDLE_TIMEOUT_S * 1000 - 1500 ||
        waited > DP_STATUS_IDLE_TIMEOUT_S * 1000 + 5000)
        fail_msg("an idle client was closed after %lld ms", (long long)waited);
    reply_free(&r);
    read_reply(partial, &r); /* half a request: closed too */
    assert_int_equal(r.code, 0);
    reply_free(&r);
    status_stop(s);
}

/* 40 clients that each send one header line a second (issue 13: 40 of them
 * kept the old 8-slot server from answering for 6.5 s): /status answers
 * within a second all along. */
#define SLOW_CLIENTS 40
static void test_slow_clients(void **state)
{
    struct fake f = {0};
    struct status_server *s = start(&f, NULL);
    int slow[SLOW_CLIENTS];
    for (int i = 0; i < SLOW_CLIENTS; i++) {
        slow[i] = connect_to(status_port(s));
        send_text(slow[i], "GET /status HTTP/1.1\r\n");
    }
    int64_t worst = 0;
    for (int round = 0; round < 6; round++) {
        for (int i = 0; i < SLOW_CLIENTS; i++)
            send_text(slow[i], "X-Slow: one more line\r\n");
        for (int k = 0; k < 4; k++) {
            int64_t t0 = dp_mono_ms();
            struct reply r;
            get(status_port(s), "/status", NULL, &r);
            int64_t took = dp_mono_ms() - t0;
            assert_int_equal(r.code, 200);
            reply_free(&r);
            if (took > worst)
                worst = took;
            usleep(250 * 1000);
        }
    }
    if (worst >= 1000)
        fail_msg("/status took %lld ms with %d slow clients", (long long)worst, SLOW_CLIENTS);
    /* The slow ones were kept, not dropped: each still gets its answer. */
    for (int i = 0; i < SLOW_CLIENTS; i++) {
        send_text(slow[i], "\r\n");
        struct reply r;
        read_reply(slow[i], &r);
        assert_int_equal(r.code, 200);
        reply_free(&r);
    }
    status_stop(s);
}

/* As many idle clients as the limit: the next one waits in the backlog
 * until a slot frees (the idle ones time out), then is served. */
static void test_connection_limit(void **state)
{
    struct fake f = {0};
    struct status_server *s = start(&f, NULL);
    static int idle[DP_STATUS_MAX_CONNS];
    for (int i = 0; i < DP_STATUS_MAX_CONNS; i++)
        idle[i] = connect_to(status_port(s));
    int64_t t0 = dp_mono_ms();
    struct reply r;
    get(status_port(s), "/status", NULL, &r);
    assert_int_equal(r.code, 200);
    assert_true(dp_mono_ms() - t0 < DP_STATUS_IDLE_TIMEOUT_S * 1000 + 5000);
    reply_free(&r);
    for (int i = 0; i < DP_STATUS_MAX_CONNS; i++)
        close(idle[i]);
    status_stop(s);
}

/* Failed token attempts: STATUS_AUTH_BURST at once, then one a second per
 * client; a limited client gets 429 even with the right token, others are
 * not affected, and the limit wears off. (The old server took ~6,800 tries
 * a second.) */
static void test_token_rate_limit(void **state)
{
    struct fake f = {0};
    struct status_server *s = start(&f, "s3cret-tok");
    source_octet = 50;
    int n401 = 0, n429 = 0;
    int64_t t0 = dp_mono_ms();
    for (int i = 0; i < 40; i++) {
        char auth[64];
        snprintf(auth, sizeof auth, "Bearer guess-%d", i);
        struct reply r;
        get(status_port(s), "/status", auth, &r);
        if (r.code == 401)
            n401++;
        else if (r.code == 429)
            n429++, assert_string_equal(header(&r, "Retry-After"), "1");
        else
            fail_msg("a wrong token: %d", r.code);
        reply_free(&r);
    }
    int64_t took = dp_mono_ms() - t0;
    int allowed = STATUS_AUTH_BURST + (int)(took / STATUS_AUTH_REFILL_MS) + 1;
    if (n401 > allowed || n429 == 0)
        fail_msg("%d tokens checked in %lld ms (at most %d), %d refused", n401, (long long)took,
                 allowed, n429);
    struct reply r;
    get(status_port(s), "/status", "Bearer s3cret-tok", &r);
    assert_int_equal(r.code, 429); /* not even looked at */
    reply_free(&r);
    source_octet = 51; /* another client */
    get(status_port(s), "/status", "Bearer s3cret-tok", &r);
    assert_int_equal(r.code, 200);
    reply_free(&r);
    source_octet = 50;
    usleep((STATUS_AUTH_REFILL_MS + 200) * 1000);
    get(status_port(s), "/status", "Bearer s3cret-tok", &r);
    assert_int_equal(r.code, 200); /* worn off */
    reply_free(&r);
    source_octet = 1;
    status_stop(s);
}

/* SIGHUP's reconfigure: the same listen changes the token at once on the
 * same port; a new listen answers on its own port, the old one is closed. */
static void test_reconfigure(void **state)
{
    struct fake f = {0};
    struct status_source src = {.ctx = &f, .snapshot = fake_snapshot};
    char err[256];
    struct status_server *s = status_start("127.0.0.1:0", "old-tok", &src, err, sizeof err);
    assert_non_null(s);
    int port = status_port(s);
    char listen[64];
    struct status_server *first = s;
    /* The listen as started with: the token changes in place. */
    assert_int_equal(status_reconfigure(&s, "127.0.0.1:0", "new-tok", &src, err, sizeof err), 0);
    assert_ptr_equal(s, first);
    assert_int_equal(status_port(s), port);
    struct reply r;
    source_octet = 60;
    get(port, "/status", "Bearer old-tok", &r);
    assert_int_equal(r.code, 401);
    reply_free(&r);
    get(port, "/status", "Bearer new-tok", &r);
    assert_int_equal(r.code, 200);
    reply_free(&r);
    /* A new listen: a new socket. */
    int other = port;
    for (int i = 0; i < 20 && other == port; i++) {
        int probe = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t al = sizeof a;
        assert_int_equal(bind(probe, (struct sockaddr *)&a, sizeof a), 0);
        getsockname(probe, (struct sockaddr *)&a, &al);
        other = ntohs(a.sin_port);
        close(probe);
    }
    snprintf(listen, sizeof listen, "127.0.0.1:%d", other);
    assert_int_equal(status_reconfigure(&s, listen, "new-tok", &src, err, sizeof err), 0);
    assert_non_null(s);
    assert_int_equal(status_port(s), other);
    get(other, "/status", "Bearer new-tok", &r);
    assert_int_equal(r.code, 200);
    reply_free(&r);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_not_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0); /* closed */
    close(fd);
    /* Empty listen: off. */
    assert_int_equal(status_reconfigure(&s, "", NULL, &src, err, sizeof err), 0);
    assert_null(s);
    source_octet = 1;
}

static void test_stop_is_prompt(void **state)
{
    struct fake f = {0};
    struct status_server *s = start(&f, NULL);
    int idle = connect_to(status_port(s));
    usleep(50 * 1000);
    int64_t t0 = dp_mono_ms();
    status_stop(s);
    assert_true(dp_mono_ms() - t0 < 300);
    struct reply r;
    read_reply(idle, &r);
    assert_int_equal(r.code, 0);
    reply_free(&r);
    /* Start-stop with nothing in between. */
    for (int i = 0; i < 20; i++)
        status_stop(start(&f, NULL));
}

/* ---- the board ------------------------------------------------------------ */

static void test_board(void **state)
{
    struct status_board *b = status_board_create(NULL, NULL);
    struct status_info in;
    memset(&in, 0, sizeof in);
    status_board_snapshot(b, &in);
    assert_string_equal(in.now_showing.item, "");
    assert_int_equal(in.shows_total, 0);

    status_board_set_showing(b, "p1#1", "video", 1700000000000LL);
    status_board_add_shows(b, 1);
    status_board_add_shows(b, 2);
    status_board_add_dropped(b, 5);
    status_board_set_cache(b, 10, 2, 100);
    status_board_feed_polled(b, "https://f.example/", 1000, NULL, 9);
    status_board_feed_polled(b, "https://f.example/", 2000, "timeout", 3);
    status_board_snapshot(b, &in);
    assert_string_equal(in.now_showing.item, "p1#1");
    assert_string_equal(in.now_showing.kind, "video");
    assert_int_equal(in.now_showing.since_ms, 1700000000000LL);
    assert_int_equal(in.shows_total, 3);
    assert_int_equal(in.frames_dropped_total, 5);
    assert_int_equal(in.cache.bytes, 10);
    assert_int_equal(in.cache.files, 2);
    assert_int_equal(in.cache.max_bytes, 100);
    assert_string_equal(in.feed.url, "https://f.example/");
    assert_int_equal(in.feed.last_poll_ms, 2000);
    assert_int_equal(in.feed.last_success_ms, 1000);
    assert_string_equal(in.feed.last_error, "timeout");
    assert_int_equal(in.feed.items, 9); /* a failed poll keeps the count */
    status_board_feed_polled(b, "https://f.example/", 3000, "", -1);
    status_board_snapshot(b, &in);
    assert_string_equal(in.feed.last_error, "");
    assert_int_equal(in.feed.last_success_ms, 3000);
    assert_int_equal(in.feed.items, 9); /* -1: not modified */

    /* Long strings are cut at a character boundary; NULL reads as "". */
    char big[STATUS_ITEM_MAX + 10];
    memset(big, 'x', sizeof big);
    memcpy(big + STATUS_ITEM_MAX - 3, "\xc3\xa9\xc3\xa9", 4); /* "éé" across the cut */
    big[sizeof big - 1] = '\0';
    status_board_set_showing(b, big, NULL, 0);
    status_board_snapshot(b, &in);
    assert_int_equal(strlen(in.now_showing.item), STATUS_ITEM_MAX - 1);
    assert_memory_equal(in.now_showing.item + STATUS_ITEM_MAX - 3, "\xc3\xa9", 2);
    assert_string_equal(in.now_showing.kind, "");
    status_board_set_showing(b, big + 1, NULL, 0); /* the cut falls inside "é" */
    status_board_snapshot(b, &in);
    assert_int_equal(strlen(in.now_showing.item), STATUS_ITEM_MAX - 2);
    assert_memory_equal(in.now_showing.item + STATUS_ITEM_MAX - 4, "\xc3\xa9", 2);
    status_board_destroy(b);
    status_board_destroy(NULL);
}

/* The player side of a screenshot: a "main thread" that answers frame
 * requests, and a screenshot callback that waits for the frame. */
struct fake_main {
    struct status_board *board;
    atomic_int wakes;
    atomic_bool quit;
    bool answer;
};

static void fake_wake(void *ctx)
{
    struct fake_main *m = ctx;
    atomic_fetch_add(&m->wakes, 1);
}

static void *fake_main_thread(void *arg)
{
    struct fake_main *m = arg;
    while (!atomic_load(&m->quit)) {
        if (m->answer && status_board_frame_wanted(m->board)) {
            char *frame = dp_strdup("PIXELS");
            status_board_put_frame(m->board, frame, free);
        }
        usleep(2000);
    }
    return NULL;
}

static int board_screenshot(void *ctx, void **png, size_t *len, int timeout_ms)
{
    char *frame = status_board_wait_frame(ctx, timeout_ms);
    if (!frame)
        return -1;
    /* "Encoding": the frame becomes the body. */
    *len = strlen(frame);
    *png = frame;
    return 0;
}

static int frees;

static void count_free(void *p)
{
    frees++;
    free(p);
}

static void test_board_frames(void **state)
{
    struct fake_main m = {.answer = true};
    m.board = status_board_create(fake_wake, &m);
    status_board_set_showing(m.board, "p9", "text", 1700000000000LL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fake_main_thread, &m), 0);
    struct status_source src = {
        .ctx = m.board, .snapshot = status_board_snapshot, .screenshot = board_screenshot};
    char err[256];
    struct status_server *s = status_start("127.0.0.1:0", NULL, &src, err, sizeof err);
    assert_non_null(s);
    struct reply r;
    get(status_port(s), "/screenshot.png", NULL, &r);
    assert_int_equal(r.code, 200);
    assert_string_equal(r.body, "PIXELS");
    reply_free(&r);
    assert_int_equal(atomic_load(&m.wakes), 1);
    assert_false(status_board_frame_wanted(m.board));
    get(status_port(s), "/status", NULL, &r);
    assert_int_equal(r.code, 200);
    assert_non_null(strstr(r.body, "\"item\":\"p9\""));
    reply_free(&r);
    status_stop(s);
    atomic_store(&m.quit, true);
    pthread_join(t, NULL);

    /* Nobody answers: NULL after the timeout, and a late frame is freed. */
    int64_t t0 = dp_mono_ms();
    assert_null(status_board_wait_frame(m.board, 100));
    assert_true(dp_mono_ms() - t0 >= 90);
    assert_false(status_board_frame_wanted(m.board));
    /* A frame put with nobody asking is freed at once, not kept: the free
     * function has run when put_frame returns, and a later request does
     * not get that stale frame either. */
    frees = 0;
    status_board_put_frame(m.board, dp_strdup("late"), count_free);
    assert_int_equal(frees, 1);
    assert_null(status_board_wait_frame(m.board, 10));
    status_board_destroy(m.board);
    assert_int_equal(frees, 1);
}

/* A main thread that says "no frame" (put NULL) ends the wait at once. */
static void *null_answer(void *arg)
{
    struct status_board *b = arg;
    while (!status_board_frame_wanted(b))
        usleep(1000);
    status_board_put_frame(b, NULL, NULL);
    return NULL;
}

static void test_board_no_frame(void **state)
{
    struct status_board *b = status_board_create(NULL, NULL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, null_answer, b), 0);
    int64_t t0 = dp_mono_ms();
    assert_null(status_board_wait_frame(b, 5000));
    assert_true(dp_mono_ms() - t0 < 2000);
    pthread_join(t, NULL);
    status_board_destroy(b);
}

int main(void)
{
    dp_log_set_level(DP_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disabled_and_bad_addresses),
        cmocka_unit_test(test_ipv6_loopback),
        cmocka_unit_test(test_status_json),
        cmocka_unit_test(test_status_json_empty),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_screenshot),
        cmocka_unit_test(test_screenshot_off_thread),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_oversized_head),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_route_and_auth),
        cmocka_unit_test(test_idle_client),
        cmocka_unit_test(test_slow_clients),
        cmocka_unit_test(test_connection_limit),
        cmocka_unit_test(test_token_rate_limit),
        cmocka_unit_test(test_reconfigure),
        cmocka_unit_test(test_stop_is_prompt),
        cmocka_unit_test(test_board),
        cmocka_unit_test(test_board_frames),
        cmocka_unit_test(test_board_no_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
