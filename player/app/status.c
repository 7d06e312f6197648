/* The status endpoint: see status.h.
 *
 * DESIGN: one thread per server, sleeping in poll() on the listening socket,
 * an eventfd (status_stop's wakeup) and up to STATUS_MAX_CONNS client
 * sockets, all non-blocking. Each client has STATUS_HEAD_TIMEOUT_MS from
 * accept to send a complete request head of at most STATUS_HEAD_MAX bytes;
 * a slow client therefore costs one slot for two seconds and never stalls
 * the others. When the slots are full the listening socket is left out of
 * the poll set and new clients wait in the kernel backlog.
 * A complete head is answered on the spot: the source's callbacks run on
 * this thread (the screenshot one waits at most STATUS_SHOT_TIMEOUT_MS), the
 * answer is written with its own deadline (STATUS_SEND_TIMEOUT_MS), and the
 * connection is closed: HTTP/1.0 answers with Content-Length and
 * "Connection: close", no keep-alive, no request bodies.
 * Every wait also watches the eventfd, so status_stop wakes the thread at
 * once (or after the callback running at that moment) and joins it.
 * The token is compared in constant time: both sides are hashed (BLAKE2b)
 * and the digests compared with sodium_memcmp, so not even its length leaks.
 *
 * The board is a mutex around a struct status_info, written by the player
 * and copied out by status_board_snapshot. Its frame rendezvous hands one
 * frame from the main thread to the waiting status thread: a generation
 * number tells a frame for the current request from a late one, and a frame
 * nobody waits for any more is freed by whoever holds it last. */
#include "app/status.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <sodium.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#define STATUS_MAX_CONNS       8                         /* heads being read at once */
#define STATUS_HEAD_MAX        DP_HTTP_HEADER_MAX_BYTES  /* request line + headers */
#define STATUS_HEAD_TIMEOUT_MS 2000                      /* accept to complete head */
#define STATUS_SEND_TIMEOUT_MS 5000                      /* to write one answer */
#define STATUS_SHOT_TIMEOUT_MS 2000                      /* for the screenshot callback */
#define STATUS_TEXT_MAX        (64 * 1024)               /* /status and /metrics bodies */
#define STATUS_BACKLOG         16

struct conn {
    int fd;                       /* -1: free slot */
    int64_t deadline;             /* monotonic ms */
    size_t len;
    char head[STATUS_HEAD_MAX + 1];
};

struct status_server {
    int lfd;
    int wfd;                      /* eventfd: readable once stop is asked */
    int port;
    pthread_t thread;
    bool has_token;
    unsigned char token_hash[crypto_generichash_BYTES];
    struct status_source src;
    int64_t started_ms;
    struct conn conns[STATUS_MAX_CONNS];
};

struct request {
    char method[16];
    char path[256];               /* without the query; longer targets are 404 */
    bool path_too_long;
    const char *auth;             /* the Authorization value inside the head, or NULL */
    size_t auth_len;
    int auth_count;
};

/* ---- small helpers ------------------------------------------------------ */

/* Copies src into dst[cap], cut to fit at a UTF-8 character boundary. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        /* Cut before a character, not inside one: src[n] must not be a
         * continuation byte. */
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A copy of s with invalid UTF-8 replaced by U+FFFD (JSON must be UTF-8). */
static char *utf8_clean(const char *s)
{
    size_t len = strlen(s), i = 0, o = 0;
    uint32_t cp;
    char *out = dp_malloc(3 * len + 1);
    while (dp_utf8_next(s, len, &i, &cp))
        o += dp_utf8_put(out + o, cp);
    out[o] = '\0';
    return out;
}

static void add_text(cJSON *obj, const char *name, const char *s)
{
    char *clean = utf8_clean(s);
    cJSON_AddStringToObject(obj, name, clean);
    free(clean);
}

static void add_time(cJSON *obj, const char *name, int64_t unix_ms)
{
    if (unix_ms <= 0) {
        cJSON_AddNullToObject(obj, name);
        return;
    }
    char ts[40];
    dp_format_rfc3339(unix_ms, ts, sizeof ts);
    cJSON_AddStringToObject(obj, name, ts);
}

/* ---- the answers -------------------------------------------------------- */

static void gather(struct status_server *s, struct status_info *info)
{
    memset(info, 0, sizeof *info);
    copy_text(info->version, sizeof info->version, DP_VERSION);
    info->uptime_ms = dp_mono_ms() - s->started_ms;
    info->clock_suspect = dp_wall_clock_suspect(dp_wall_ms());
    if (s->src.snapshot)
        s->src.snapshot(s->src.ctx, info);
    /* Whatever the callback did, every string ends inside its array. */
    info->version[sizeof info->version - 1] = '\0';
    info->now_showing.item[sizeof info->now_showing.item - 1] = '\0';
    info->now_showing.kind[sizeof info->now_showing.kind - 1] = '\0';
    info->feed.url[sizeof info->feed.url - 1] = '\0';
    info->feed.last_error[sizeof info->feed.last_error - 1] = '\0';
    struct status_push *pushes[] = {&info->notify, &info->stream};
    for (int i = 0; i < 2; i++) {
        pushes[i]->state[sizeof pushes[i]->state - 1] = '\0';
        pushes[i]->last_error[sizeof pushes[i]->last_error - 1] = '\0';
    }
}

/* "notify" / "stream": null when the channel is off. */
static void add_push(cJSON *o, const char *name, const struct status_push *p)
{
    if (!p->state[0]) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    cJSON *n = cJSON_AddObjectToObject(o, name);
    add_text(n, "state", p->state);
    cJSON_AddNumberToObject(n, "messages", (double)p->messages);
    cJSON_AddNumberToObject(n, "connects", (double)p->connects);
    if (p->last_error[0])
        add_text(n, "last_error", p->last_error);
    else
        cJSON_AddNullToObject(n, "last_error");
}

static char *status_json(const struct status_info *in, size_t *len)
{
    cJSON *o = cJSON_CreateObject();
    add_text(o, "version", in->version);
    cJSON_AddNumberToObject(o, "uptime_s", (double)(in->uptime_ms / 1000));
    cJSON_AddBoolToObject(o, "clock_suspect", in->clock_suspect);
    if (in->now_showing.item[0]) {
        cJSON *ns = cJSON_AddObjectToObject(o, "now_showing");
        add_text(ns, "item", in->now_showing.item);
        add_text(ns, "kind", in->now_showing.kind);
        add_time(ns, "since", in->now_showing.since_ms);
    } else {
        cJSON_AddNullToObject(o, "now_showing");
    }
    cJSON *f = cJSON_AddObjectToObject(o, "feed");
    add_text(f, "url", in->feed.url);
    add_time(f, "last_poll", in->feed.last_poll_ms);
    add_time(f, "last_success", in->feed.last_success_ms);
    if (in->feed.last_error[0])
        add_text(f, "last_error", in->feed.last_error);
    else
        cJSON_AddNullToObject(f, "last_error");
    cJSON_AddNumberToObject(f, "items", (double)in->feed.items);
    cJSON *c = cJSON_AddObjectToObject(o, "cache");
    cJSON_AddNumberToObject(c, "bytes", (double)in->cache.bytes);
    cJSON_AddNumberToObject(c, "files", (double)in->cache.files);
    cJSON_AddNumberToObject(c, "max_bytes", (double)in->cache.max_bytes);
    cJSON_AddNumberToObject(o, "shows_total", (double)in->shows_total);
    cJSON_AddNumberToObject(o, "frames_dropped_total", (double)in->frames_dropped_total);
    add_push(o, "notify", &in->notify);
    add_push(o, "stream", &in->stream);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    /* A newline at the end, for people using curl. */
    char *out = dp_malloc(n + 2);
    memcpy(out, text, n);
    out[n] = '\n';
    out[n + 1] = '\0';
    free(text);
    *len = n + 1;
    return out;
}

static void metric(struct dp_buf *b, const char *name, const char *type, const char *help,
                   const char *value)
{
    dp_buf_appendf(b, "# HELP %s %s\n# TYPE %s %s\n%s %s\n", name, help, name, type, name,
                   value);
}

static void metric_int(struct dp_buf *b, const char *name, const char *type, const char *help,
                       int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)v);
    metric(b, name, type, help, num);
}

static void metric_time(struct dp_buf *b, const char *name, const char *help, int64_t unix_ms)
{
    char num[32];
    if (unix_ms < 0)
        unix_ms = 0;
    snprintf(num, sizeof num, "%lld.%03lld", (long long)(unix_ms / 1000),
             (long long)(unix_ms % 1000));
    metric(b, name, "gauge", help, num);
}

/* A push channel's figures (issue 11); nothing when it is off. */
static void push_metrics(struct dp_buf *b, const char *name, const char *what,
                         const char *messages, const struct status_push *p)
{
    if (!p->state[0])
        return;
    char key[64], help[128];
    snprintf(key, sizeof key, "deskplayer_%s_connected", name);
    snprintf(help, sizeof help, "1 while %s is up.", what);
    metric_int(b, key, "gauge", help, strcmp(p->state, "connected") == 0);
    snprintf(key, sizeof key, "deskplayer_%s_messages_total", name);
    snprintf(help, sizeof help, "%s that asked for a poll.", messages);
    metric_int(b, key, "counter", help, p->messages);
    snprintf(key, sizeof key, "deskplayer_%s_connects_total", name);
    snprintf(help, sizeof help, "Successful connections of %s.", what);
    metric_int(b, key, "counter", help, p->connects);
}

/* The Prometheus text format, version 0.0.4. */
static char *metrics_text(const struct status_info *in, size_t *len)
{
    struct dp_buf b;
    dp_buf_init(&b, STATUS_TEXT_MAX);
    /* The version as a label value: \, " and newlines escaped. */
    char label[2 * STATUS_VERSION_MAX + 1];
    size_t n = 0;
    for (const char *p = in->version; *p; p++) {
        if (*p == '\\' || *p == '"' || *p == '\n')
            label[n++] = '\\';
        label[n++] = *p == '\n' ? 'n' : *p;
    }
    label[n] = '\0';
    dp_buf_appendf(&b, "# HELP deskplayer_info The running version.\n"
                   "# TYPE deskplayer_info gauge\n"
                   "deskplayer_info{version=\"%s\"} 1\n", label);
    metric_int(&b, "deskplayer_uptime_seconds", "gauge", "Seconds since the player started.",
               in->uptime_ms / 1000);
    metric_int(&b, "deskplayer_clock_suspect", "gauge",
               "1 when the wall clock is before the build date.", in->clock_suspect);
    metric_int(&b, "deskplayer_shows_total", "counter", "Items shown since the start.",
               in->shows_total);
    metric_int(&b, "deskplayer_frames_dropped_total", "counter",
               "Video frames dropped since the start.", in->frames_dropped_total);
    metric_int(&b, "deskplayer_feed_items", "gauge", "Posts in the last good feed.",
               in->feed.items);
    metric_time(&b, "deskplayer_feed_last_poll_timestamp_seconds",
                "Unix time of the last feed poll, 0 before the first.", in->feed.last_poll_ms);
    metric_time(&b, "deskplayer_feed_last_success_timestamp_seconds",
                "Unix time of the last successful feed poll, 0 before the first.",
                in->feed.last_success_ms);
    metric_int(&b, "deskplayer_feed_last_poll_failed", "gauge",
               "1 when the last feed poll failed.", in->feed.last_error[0] != '\0');
    metric_int(&b, "deskplayer_cache_bytes", "gauge", "Bytes in the media cache.",
               in->cache.bytes);
    metric_int(&b, "deskplayer_cache_files", "gauge", "Files in the media cache.",
               in->cache.files);
    metric_int(&b, "deskplayer_cache_max_bytes", "gauge", "The media cache's size limit.",
               in->cache.max_bytes);
    push_metrics(&b, "notify", "the [feed] notify (MQTT) subscription", "MQTT messages",
                 &in->notify);
    push_metrics(&b, "stream", "the Mastodon streaming connection", "Streaming events",
                 &in->stream);
    return dp_buf_steal(&b, len);
}

/* ---- writing ------------------------------------------------------------ */

/* Writes all of data before the deadline, or gives up (stop asked, peer
 * gone, too slow). Returns 0 or -1. */
static int send_all(struct status_server *s, int fd, const char *data, size_t len,
                    int64_t deadline)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return -1;
        int64_t left = deadline - dp_mono_ms();
        if (left <= 0)
            return -1;
        struct pollfd p[2] = {{.fd = fd, .events = POLLOUT}, {.fd = s->wfd, .events = POLLIN}};
        if (poll(p, 2, (int)left) < 0 && errno != EINTR)
            return -1;
        if (p[1].revents)
            return -1;
    }
    return 0;
}

static void respond(struct status_server *s, int fd, int code, const char *reason,
                    const char *ctype, const char *extra, const char *body, size_t blen,
                    bool head_only)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 %d %s\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %zu\r\n"
                     "Cache-Control: no-store\r\n"
                     "X-Content-Type-Options: nosniff\r\n"
                     "%s"
                     "Connection: close\r\n\r\n",
                     code, reason, ctype, blen, extra ? extra : "");
    int64_t deadline = dp_mono_ms() + STATUS_SEND_TIMEOUT_MS;
    if (n < 0 || (size_t)n >= sizeof head)
        return;
    if (send_all(s, fd, head, (size_t)n, deadline) == 0 && !head_only && blen)
        send_all(s, fd, body, blen, deadline);
}

static void respond_text(struct status_server *s, int fd, int code, const char *reason,
                         const char *extra, bool head_only)
{
    char body[64];
    int n = snprintf(body, sizeof body, "%d %s\n", code, reason);
    respond(s, fd, code, reason, "text/plain; charset=utf-8", extra, body, (size_t)n,
            head_only);
}

/* ---- reading a request -------------------------------------------------- */

/* Parses the head (NUL-terminated, without NUL bytes inside). Returns 0, or
 * -1 when it is not an HTTP request. */
static int parse_request(const char *head, struct request *rq)
{
    memset(rq, 0, sizeof *rq);
    const char *eol = head + strcspn(head, "\r\n");
    const char *sp1 = strchr(head, ' ');
    if (!sp1 || sp1 > eol || sp1 == head || (size_t)(sp1 - head) >= sizeof rq->method)
        return -1;
    memcpy(rq->method, head, (size_t)(sp1 - head));
    const char *target = sp1 + 1;
    const char *sp2 = memchr(target, ' ', (size_t)(eol - target));
    if (!sp2 || sp2 == target || strncmp(sp2 + 1, "HTTP/", 5) != 0)
        return -1;
    size_t tlen = strcspn(target, "? ");
    if (tlen >= sizeof rq->path)
        rq->path_too_long = true;
    else
        memcpy(rq->path, target, tlen);

    /* Header lines: only Authorization matters. */
    const char *line = eol + (eol[0] == '\r' && eol[1] == '\n' ? 2 : eol[0] ? 1 : 0);
    while (*line && *line != '\r' && *line != '\n') {
        size_t llen = strcspn(line, "\r\n");
        const char *colon = memchr(line, ':', llen);
        if (colon && colon - line == 13 && strncasecmp(line, "Authorization", 13) == 0) {
            const char *v = colon + 1, *end = line + llen;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            rq->auth = v;
            rq->auth_len = (size_t)(end - v);
            rq->auth_count++;
        }
        line += llen;
        line += line[0] == '\r' && line[1] == '\n' ? 2 : line[0] ? 1 : 0;
    }
    return 0;
}

static bool authorized(const struct status_server *s, const struct request *rq)
{
    if (!s->has_token)
        return true;
    if (rq->auth_count != 1 || rq->auth_len < 7 || strncasecmp(rq->auth, "Bearer", 6) != 0 ||
        (rq->auth[6] != ' ' && rq->auth[6] != '\t'))
        return false;
    const char *t = rq->auth + 7, *end = rq->auth + rq->auth_len;
    while (t < end && (*t == ' ' || *t == '\t'))
        t++;
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)t, (unsigned long long)(end - t),
                       NULL, 0);
    return sodium_memcmp(h, s->token_hash, sizeof h) == 0;
}

static void serve_screenshot(struct status_server *s, int fd, bool head_only)
{
    void *png = NULL;
    size_t len = 0;
    if (!s->src.screenshot ||
        s->src.screenshot(s->src.ctx, &png, &len, STATUS_SHOT_TIMEOUT_MS) != 0 || !png) {
        free(png);
        respond_text(s, fd, 503, "Service Unavailable", "Retry-After: 1\r\n", head_only);
        return;
    }
    respond(s, fd, 200, "OK", "image/png", NULL, png, len, head_only);
    free(png);
}

/* Answers one complete head. */
static void serve(struct status_server *s, int fd, const char *head)
{
    struct request rq;
    if (parse_request(head, &rq) < 0) {
        respond_text(s, fd, 400, "Bad Request", NULL, false);
        return;
    }
    bool head_only = strcmp(rq.method, "HEAD") == 0;
    if (!authorized(s, &rq)) {
        LOG_D("status", "%s %s: unauthorized", rq.method, rq.path);
        respond_text(s, fd, 401, "Unauthorized",
                     "WWW-Authenticate: Bearer realm=\"deskplayer\"\r\n", head_only);
        return;
    }
    if (strcmp(rq.method, "GET") != 0 && !head_only) {
        respond_text(s, fd, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", false);
        return;
    }
    if (rq.path_too_long) {
        respond_text(s, fd, 404, "Not Found", NULL, head_only);
        return;
    }
    LOG_D("status", "%s %s", rq.method, rq.path);
    if (strcmp(rq.path, "/screenshot.png") == 0) {
        serve_screenshot(s, fd, head_only);
        return;
    }
    bool is_status = strcmp(rq.path, "/status") == 0;
    if (!is_status && strcmp(rq.path, "/metrics") != 0) {
        respond_text(s, fd, 404, "Not Found", NULL, head_only);
        return;
    }
    struct status_info *info = dp_malloc(sizeof *info);
    gather(s, info);
    size_t len = 0;
    char *body = is_status ? status_json(info, &len) : metrics_text(info, &len);
    free(info);
    if (!body) {
        respond_text(s, fd, 500, "Internal Server Error", NULL, head_only);
        return;
    }
    respond(s, fd, 200, "OK",
            is_status ? "application/json" : "text/plain; version=0.0.4; charset=utf-8", NULL,
            body, len, head_only);
    free(body);
}

static void conn_close(struct conn *c)
{
    if (c->fd < 0)
        return;
    /* Unread bytes would turn close() into a reset that can destroy the
     * answer before the client reads it: end our side, drop what is there. */
    shutdown(c->fd, SHUT_WR);
    char sink[4096];
    for (int i = 0; i < 16 && recv(c->fd, sink, sizeof sink, MSG_DONTWAIT) > 0; i++)
        ;
    close(c->fd);
    c->fd = -1;
    c->len = 0;
}

/* Reads what c's socket has. Answers and closes it once the head is
 * complete, too large, or the peer went away. */
static void conn_read(struct status_server *s, struct conn *c)
{
    size_t before = c->len;
    bool eof = false;
    while (c->len < STATUS_HEAD_MAX) {
        ssize_t n = recv(c->fd, c->head + c->len, STATUS_HEAD_MAX - c->len, 0);
        if (n > 0) {
            c->len += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        eof = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
        break;
    }
    c->head[c->len] = '\0';
    size_t from = before > 3 ? before - 3 : 0;
    char *end = memmem(c->head + from, c->len - from, "\r\n\r\n", 4);
    char *end_lf = memmem(c->head + from, c->len - from, "\n\n", 2);
    if (!end || (end_lf && end_lf < end))
        end = end_lf;
    if (end) {
        *end = '\0';
        if (memchr(c->head, '\0', (size_t)(end - c->head)))
            respond_text(s, c->fd, 400, "Bad Request", NULL, false);
        else
            serve(s, c->fd, c->head);
        conn_close(c);
    } else if (c->len >= STATUS_HEAD_MAX) {
        LOG_D("status", "request head over %d bytes", STATUS_HEAD_MAX);
        respond_text(s, c->fd, 431, "Request Header Fields Too Large", NULL, false);
        conn_close(c);
    } else if (eof) {
        conn_close(c);                /* gone before a complete head */
    }
}

static void accept_new(struct status_server *s)
{
    for (int i = 0; i < STATUS_MAX_CONNS; i++) {
        struct conn *c = &s->conns[i];
        if (c->fd >= 0)
            continue;
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED)
                LOG_W("status", "accept: %s", strerror(errno));
            return;
        }
        c->fd = fd;
        c->len = 0;
        c->deadline = dp_mono_ms() + STATUS_HEAD_TIMEOUT_MS;
    }
}

static void *serve_thread(void *arg)
{
    struct status_server *s = arg;
    struct pollfd p[2 + STATUS_MAX_CONNS];
    int slot[2 + STATUS_MAX_CONNS];
    for (;;) {
        int n = 0, busy = 0;
        int64_t now = dp_mono_ms(), next = -1;
        p[n++] = (struct pollfd){.fd = s->wfd, .events = POLLIN};
        for (int i = 0; i < STATUS_MAX_CONNS; i++) {
            struct conn *c = &s->conns[i];
            if (c->fd < 0)
                continue;
            busy++;
            slot[n] = i;
            p[n++] = (struct pollfd){.fd = c->fd, .events = POLLIN};
            if (next < 0 || c->deadline < next)
                next = c->deadline;
        }
        int lidx = -1;
        if (busy < STATUS_MAX_CONNS) {
            lidx = n;
            p[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
        }
        int timeout = next < 0 ? -1 : next <= now ? 0 : (int)(next - now);
        if (poll(p, (nfds_t)n, timeout) < 0) {
            if (errno == EINTR)
                continue;
            LOG_E("status", "poll: %s; the status endpoint stops", strerror(errno));
            break;
        }
        if (p[0].revents)
            break;
        for (int k = 1; k < n; k++)
            if (k != lidx && p[k].revents)
                conn_read(s, &s->conns[slot[k]]);
        now = dp_mono_ms();
        for (int i = 0; i < STATUS_MAX_CONNS; i++) {
            struct conn *c = &s->conns[i];
            if (c->fd < 0 || now < c->deadline)
                continue;
            /* Too slow: a word to a client that started, nothing to one that did not. */
            if (c->len > 0)
                respond_text(s, c->fd, 408, "Request Timeout", NULL, false);
            conn_close(c);
        }
        if (lidx >= 0 && p[lidx].revents)
            accept_new(s);
    }
    for (int i = 0; i < STATUS_MAX_CONNS; i++)
        conn_close(&s->conns[i]);
    return NULL;
}

/* ---- starting and stopping ---------------------------------------------- */

/* Splits "HOST:PORT" or "[V6]:PORT". Returns 0 or -1. */
static int split_listen(const char *addr, char *host, size_t hcap, char *port, size_t pcap)
{
    const char *colon, *h = addr;
    size_t hlen;
    if (addr[0] == '[') {
        const char *rb = strchr(addr, ']');
        if (!rb || rb[1] != ':')
            return -1;
        h = addr + 1;
        hlen = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
            return -1;
        hlen = (size_t)(colon - addr);
    }
    const char *p = colon + 1;
    size_t plen = strlen(p);
    if (hlen == 0 || hlen >= hcap || plen == 0 || plen >= pcap || strspn(p, "0123456789") != plen)
        return -1;
    if (strtol(p, NULL, 10) > 65535)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    memcpy(port, p, plen + 1);
    return 0;
}

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a))
            return true;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return false;
}

/* A listening, non-blocking socket on addr, or -1 with err set. */
static int open_listener(const char *addr, bool has_token, char *err, size_t errlen)
{
    char host[256], port[8];
    if (split_listen(addr, host, sizeof host, port, sizeof port) < 0) {
        snprintf(err, errlen, "status listen \"%.80s\": expected HOST:PORT", addr);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "status listen \"%.80s\": %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved = 0;
    bool refused = false;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (!has_token && !is_loopback(ai->ai_addr)) {
            refused = true;
            continue;
        }
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, STATUS_BACKLOG) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        return fd;
    if (refused && !saved)
        snprintf(err, errlen, "status listen \"%.80s\": not a loopback address, and no "
                 "[status] token is set", addr);
    else
        snprintf(err, errlen, "status listen \"%.80s\": %s", addr, strerror(saved));
    return -1;
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

struct status_server *status_start(const char *addr, const char *token,
                                   const struct status_source *src, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    if (!addr || !*addr)
        return NULL;
    if (sodium_init() < 0) {
        snprintf(err, errlen, "status: libsodium cannot start");
        return NULL;
    }
    struct status_server *s = dp_calloc(1, sizeof *s);
    s->lfd = s->wfd = -1;
    for (int i = 0; i < STATUS_MAX_CONNS; i++)
        s->conns[i].fd = -1;
    if (src)
        s->src = *src;
    s->started_ms = dp_mono_ms();
    s->has_token = token && *token;
    if (s->has_token)
        crypto_generichash(s->token_hash, sizeof s->token_hash, (const unsigned char *)token,
                           strlen(token), NULL, 0);

    s->lfd = open_listener(addr, s->has_token, err, errlen);
    if (s->lfd < 0)
        goto fail;
    s->port = bound_port(s->lfd);
    s->wfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->wfd < 0) {
        snprintf(err, errlen, "status: eventfd: %s", strerror(errno));
        goto fail;
    }
    /* Signals go to the other threads: this one only serves. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->thread, NULL, serve_thread, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "status: cannot start the thread: %s", strerror(rc));
        goto fail;
    }
    LOG_I("status", "serving on %s (port %d)%s", addr, s->port,
          s->has_token ? ", token required" : "");
    return s;

fail:
    if (s->wfd >= 0)
        close(s->wfd);
    if (s->lfd >= 0)
        close(s->lfd);
    sodium_memzero(s->token_hash, sizeof s->token_hash);
    free(s);
    return NULL;
}

int status_port(const struct status_server *s)
{
    return s ? s->port : -1;
}

void status_stop(struct status_server *s)
{
    if (!s)
        return;
    uint64_t one = 1;
    ssize_t r = write(s->wfd, &one, sizeof one);
    (void)r;
    pthread_join(s->thread, NULL);
    close(s->wfd);
    close(s->lfd);
    sodium_memzero(s->token_hash, sizeof s->token_hash);
    free(s);
}

/* ---- the board ---------------------------------------------------------- */

struct status_board {
    pthread_mutex_t lock;
    struct status_info info;      /* version, uptime, clock_suspect unused */
    int64_t started_ms;
    void (*wake)(void *ctx);
    void *wake_ctx;
    /* The frame rendezvous, under lock (wanted is also read without it). */
    pthread_cond_t frame_ready;
    atomic_bool wanted;
    uint64_t want_gen;            /* the request being waited for */
    uint64_t frame_gen;           /* the request frame answers */
    void *frame;
    void (*free_frame)(void *);
};

struct status_board *status_board_create(void (*wake)(void *ctx), void *wake_ctx)
{
    struct status_board *b = dp_calloc(1, sizeof *b);
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&b->frame_ready, &attr);
    pthread_condattr_destroy(&attr);
    atomic_init(&b->wanted, false);
    b->started_ms = dp_mono_ms();
    b->wake = wake;
    b->wake_ctx = wake_ctx;
    return b;
}

void status_board_destroy(struct status_board *b)
{
    if (!b)
        return;
    if (b->frame && b->free_frame)
        b->free_frame(b->frame);
    pthread_cond_destroy(&b->frame_ready);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

void status_board_set_showing(struct status_board *b, const char *item, const char *kind,
                              int64_t since_ms)
{
    pthread_mutex_lock(&b->lock);
    copy_text(b->info.now_showing.item, sizeof b->info.now_showing.item, item);
    copy_text(b->info.now_showing.kind, sizeof b->info.now_showing.kind, kind);
    b->info.now_showing.since_ms = since_ms;
    pthread_mutex_unlock(&b->lock);
}

void status_board_add_shows(struct status_board *b, int64_t n)
{
    pthread_mutex_lock(&b->lock);
    b->info.shows_total += n;
    pthread_mutex_unlock(&b->lock);
}

void status_board_add_dropped(struct status_board *b, int64_t n)
{
    pthread_mutex_lock(&b->lock);
    b->info.frames_dropped_total += n;
    pthread_mutex_unlock(&b->lock);
}

void status_board_feed_polled(struct status_board *b, const char *url, int64_t when_ms,
                              const char *error, long items)
{
    pthread_mutex_lock(&b->lock);
    copy_text(b->info.feed.url, sizeof b->info.feed.url, url);
    b->info.feed.last_poll_ms = when_ms;
    copy_text(b->info.feed.last_error, sizeof b->info.feed.last_error, error);
    if (!error || !*error) {
        b->info.feed.last_success_ms = when_ms;
        if (items >= 0)
            b->info.feed.items = items;
    }
    pthread_mutex_unlock(&b->lock);
}

void status_board_set_cache(struct status_board *b, int64_t bytes, int64_t files,
                            int64_t max_bytes)
{
    pthread_mutex_lock(&b->lock);
    b->info.cache.bytes = bytes;
    b->info.cache.files = files;
    b->info.cache.max_bytes = max_bytes;
    pthread_mutex_unlock(&b->lock);
}

void status_board_set_push(struct status_board *b, const char *channel, const char *state,
                           int64_t messages, int64_t connects, const char *error)
{
    pthread_mutex_lock(&b->lock);
    struct status_push *p = channel && strcmp(channel, "mqtt") == 0 ? &b->info.notify
                                                                    : &b->info.stream;
    copy_text(p->state, sizeof p->state, state);
    p->messages = messages;
    p->connects = connects;
    copy_text(p->last_error, sizeof p->last_error, error);
    pthread_mutex_unlock(&b->lock);
}

void status_board_snapshot(void *board, struct status_info *out)
{
    struct status_board *b = board;
    pthread_mutex_lock(&b->lock);
    out->now_showing = b->info.now_showing;
    out->feed = b->info.feed;
    out->cache = b->info.cache;
    out->shows_total = b->info.shows_total;
    out->frames_dropped_total = b->info.frames_dropped_total;
    out->notify = b->info.notify;
    out->stream = b->info.stream;
    pthread_mutex_unlock(&b->lock);
    out->uptime_ms = dp_mono_ms() - b->started_ms;
}

void *status_board_wait_frame(struct status_board *b, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&b->lock);
    uint64_t gen = ++b->want_gen;
    atomic_store(&b->wanted, true);
    pthread_mutex_unlock(&b->lock);
    if (b->wake)
        b->wake(b->wake_ctx);

    pthread_mutex_lock(&b->lock);
    while (b->frame_gen != gen)
        if (pthread_cond_timedwait(&b->frame_ready, &b->lock, &until) == ETIMEDOUT)
            break;
    void *frame = NULL;
    if (b->frame_gen == gen) {
        frame = b->frame;
        b->frame = NULL;
    }
    atomic_store(&b->wanted, false);
    pthread_mutex_unlock(&b->lock);
    return frame;
}

bool status_board_frame_wanted(struct status_board *b)
{
    return b && atomic_load(&b->wanted);
}

void status_board_put_frame(struct status_board *b, void *frame, void (*free_frame)(void *))
{
    pthread_mutex_lock(&b->lock);
    bool taken = atomic_load(&b->wanted) && b->frame_gen != b->want_gen;
    if (taken) {
        b->frame = frame;
        b->free_frame = free_frame;
        b->frame_gen = b->want_gen;
        atomic_store(&b->wanted, false);
        pthread_cond_broadcast(&b->frame_ready);
    }
    pthread_mutex_unlock(&b->lock);
    if (!taken && frame && free_frame)
        free_frame(frame);
}
