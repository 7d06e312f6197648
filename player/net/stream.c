/* The Mastodon streaming thread: when the feed is a Mastodon account's
 * statuses and [feed] headers carry a token, GET /api/v1/streaming/user
 * (server-sent events) is followed and an `update`, `delete` or
 * `status.update` event of that account asks the poller for a poll
 * (interface.md; issue 11).
 *
 * DESIGN: one thread, one long GET through http.c (same rules as feeds:
 * the token goes to the feed's origin only, certificates as for feeds,
 * redirects checked) with no total timeout; a stream silent for
 * NET_STREAM_IDLE_S is dropped (Mastodon sends a comment line every 15 s).
 * The body goes through a bounded SSE parser (sse_*, below). An event
 * carries no content for the player: `update` and `status.update` are
 * matched on the status's account id, `delete` (only an id) always asks; the
 * feed poll stays the only source of truth. A dropped or refused stream is
 * an `error` event and a reconnection after the poll backoff; the normal
 * polls go on meanwhile. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "net/net_internal.h"
#include "net/sse.h"

/* ---- the SSE parser ----------------------------------------------------------- */

void sse_init(struct sse *s,
              void (*on_event)(void *ctx, const char *event, const char *data, size_t len),
              void *ctx)
{
    memset(s, 0, sizeof *s);
    s->on_event = on_event;
    s->ctx = ctx;
}

void sse_finish(struct sse *s)
{
    free(s->line);
    free(s->data);
    memset(s, 0, sizeof *s);
}

static int append(char **buf, size_t *len, size_t *cap, const char *p, size_t n, size_t max)
{
    if (*len + n + 1 > max)
        return -EFBIG;
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 256;
        while (c < *len + n + 1)
            c *= 2;
        if (c > max)
            c = max;
        *buf = dp_realloc(*buf, c);
        *cap = c;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static void dispatch(struct sse *s)
{
    if (s->has_data && s->on_event)
        s->on_event(s->ctx, s->event[0] ? s->event : "message", s->data ? s->data : "",
                    s->data_len);
    s->event[0] = '\0';
    s->data_len = 0;
    s->has_data = false;
    if (s->data)
        s->data[0] = '\0';
}

/* One complete line (without its end). */
static int take_line(struct sse *s, const char *line, size_t len)
{
    if (len == 0) {
        dispatch(s);
        return 0;
    }
    if (line[0] == ':')
        return 0; /* a comment: the heartbeat */
    const char *colon = memchr(line, ':', len);
    size_t flen = colon ? (size_t)(colon - line) : len;
    const char *v = colon ? colon + 1 : line + len;
    size_t vlen = colon ? len - flen - 1 : 0;
    if (vlen && *v == ' ') {
        v++;
        vlen--;
    }
    if (flen == 5 && memcmp(line, "event", 5) == 0) {
        size_t n = vlen < sizeof s->event - 1 ? vlen : sizeof s->event - 1;
        memcpy(s->event, v, n);
        s->event[n] = '\0';
    } else if (flen == 4 && memcmp(line, "data", 4) == 0) {
        if (s->has_data &&
            append(&s->data, &s->data_len, &s->data_cap, "\n", 1, NET_STREAM_EVENT_MAX) < 0)
            return -EFBIG;
        if (append(&s->data, &s->data_len, &s->data_cap, v, vlen, NET_STREAM_EVENT_MAX) < 0)
            return -EFBIG;
        s->has_data = true;
    }
    return 0; /* id:, retry: and unknown fields are ignored */
}

int sse_feed(struct sse *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (s->after_cr && c == '\n') {
            s->after_cr = false;
            continue;
        }
        s->after_cr = c == '\r';
        if (c == '\n' || c == '\r') {
            int e = take_line(s, s->line ? s->line : "", s->line_len);
            s->line_len = 0;
            if (e < 0)
                return e;
            continue;
        }
        if (c == '\0')
            return -EINVAL;
        /* Runs of plain bytes go in at once. */
        size_t j = i;
        while (j < n && p[j] != '\n' && p[j] != '\r' && p[j] != '\0')
            j++;
        if (append(&s->line, &s->line_len, &s->line_cap, p + i, j - i, NET_STREAM_LINE_MAX) < 0)
            return -EFBIG;
        i = j - 1;
    }
    return 0;
}

/* ---- where the stream is ---------------------------------------------------- */

char *net_stream_url(const char *feed_url, const char *headers, char **account)
{
    *account = NULL;
    if (!feed_url || !headers)
        return NULL;
    bool token = false;
    for (const char *h = headers; h && *h;) {
        while (*h == ' ' || *h == '\t' || *h == '\n')
            h++;
        if (strncasecmp(h, "Authorization:", 14) == 0)
            token = true;
        h = strchr(h, '\n');
    }
    if (!token)
        return NULL;
    const char *rest;
    if (strncmp(feed_url, "https://", 8) == 0)
        rest = feed_url + 8;
    else if (strncmp(feed_url, "http://", 7) == 0)
        rest = feed_url + 7;
    else
        return NULL;
    const char *path = strchr(rest, '/');
    if (!path || strncmp(path, "/api/v1/accounts/", 17) != 0)
        return NULL;
    const char *id = path + 17;
    size_t idlen = strcspn(id, "/?#");
    if (idlen == 0 || idlen > 64 || strncmp(id + idlen, "/statuses", 9) != 0)
        return NULL;
    char *a = dp_malloc(idlen + 1);
    memcpy(a, id, idlen);
    a[idlen] = '\0';
    *account = a;
    return dp_strfmt("%.*s/api/v1/streaming/user", (int)(path - feed_url), feed_url);
}

/* ---- the thread --------------------------------------------------------------- */

struct stream {
    struct net *n;
    struct sse sse;
    bool connected;
    int64_t events, connects;
    char error[256];
};

static void report(struct stream *st, const char *state)
{
    net_push_report(st->n, "stream", state, st->events, st->connects, st->error);
}

/* Is data (a status) one of the feed's account? */
static bool of_account(const char *data, size_t len, const char *account)
{
    cJSON *o = cJSON_ParseWithLength(data, len);
    const cJSON *acc = cJSON_GetObjectItemCaseSensitive(o, "account");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(acc, "id");
    bool yes = cJSON_IsString(id) && strcmp(id->valuestring, account) == 0;
    cJSON_Delete(o);
    return yes;
}

static void on_event(void *ctx, const char *event, const char *data, size_t len)
{
    struct stream *st = ctx;
    bool ask = false;
    if (strcmp(event, "delete") == 0)
        ask = true; /* only an id: it may be one of ours */
    else if (strcmp(event, "update") == 0 || strcmp(event, "status.update") == 0)
        ask = of_account(data, len, st->n->stream_account);
    if (!ask)
        return;
    st->events++;
    LOG_D("net", "stream: %s event: poll", event);
    net_push_poll(st->n);
    report(st, "connected");
}

static int stream_begin(void *ctx, const struct http_resp *r)
{
    struct stream *st = ctx;
    if (r->status != 200) {
        snprintf(st->error, sizeof st->error, "stream: HTTP %ld", r->status);
        return -1;
    }
    if (strncasecmp(r->content_type, "text/event-stream", 17) != 0) {
        snprintf(st->error, sizeof st->error, "stream: not an event stream (%.60s)",
                 r->content_type);
        return -1;
    }
    st->connected = true;
    st->connects++;
    st->error[0] = '\0';
    LOG_I("net", "stream: following %s", st->n->stream_url);
    report(st, "connected");
    net_push_poll(st->n); /* what happened while the stream was down */
    return 0;
}

static int stream_write(void *ctx, const void *data, size_t n)
{
    struct stream *st = ctx;
    int e = sse_feed(&st->sse, data, n);
    if (e < 0)
        snprintf(st->error, sizeof st->error, "stream: %s",
                 e == -EFBIG ? "an event over the size limit" : "a NUL byte in the stream");
    return e;
}

static void session(struct stream *st)
{
    struct net *n = st->n;
    st->connected = false;
    st->error[0] = '\0';
    sse_init(&st->sse, on_event, st);
    report(st, "connecting");
    struct http_req q = {
        .url = n->stream_url,
        .origin_url = n->cfg.feed_url,
        .extra_headers = n->cfg.headers,
        .ca_file = n->cfg.ca_file,
        .refuse_html = true,
        .cap = INT64_MAX / 2,
        .timeout_ms = 0,
        .idle_s = NET_STREAM_IDLE_S,
        .stop = &n->stop,
        .sink = {.begin = stream_begin, .write = stream_write, .ctx = st},
    };
    struct http_resp r;
    enum http_result hr = http_perform(n->stream_client, &q, &r);
    if (!st->error[0]) {
        if (hr == HTTP_DONE && r.status == 200)
            snprintf(st->error, sizeof st->error, "stream: closed by the server");
        else if (hr == HTTP_DONE)
            snprintf(st->error, sizeof st->error, "stream: HTTP %ld", r.status);
        else
            snprintf(st->error, sizeof st->error, "stream: %.200s",
                     r.error[0] ? r.error : "failed");
    }
    sse_finish(&st->sse);
}

void *net_stream_main(void *arg)
{
    struct net *n = arg;
    struct stream *st = dp_calloc(1, sizeof *st);
    st->n = n;
    int failures = 0;
    while (!net_stopping(n)) {
        session(st);
        if (net_stopping(n))
            break;
        failures = st->connected ? 1 : failures + 1;
        int64_t delay = net_push_backoff(n, failures);
        LOG_W("net", "%s; again in %.1f s", st->error, (double)delay / 1000);
        struct net_event ev = {
            .type = NET_EV_ERROR, .item = "stream", .items = -1, .bytes = -1, .error = st->error};
        net_emit(n, &ev);
        report(st, "down");
        if (!net_sleep(n, delay))
            break;
    }
    free(st);
    return NULL;
}
