/* The status endpoint: see status.h.
 *
 * DESIGN: libmicrohttpd does the HTTP: one internal epoll thread for every
 * connection (up to STATUS_MAX_CONNS at once, each closed after
 * STATUS_IDLE_TIMEOUT_S without a byte either way, each head bounded by
 * STATUS_CONN_MEMORY), so a slow client costs one slot and a little memory,
 * never the others' time. Answers are HTTP/1.1 with Content-Length and
 * "Connection: close": one request per connection, no request bodies.
 *
 * Nothing on the HTTP thread waits: /status and /metrics copy the board
 * under its lock and format; /screenshot.png suspends its connection and
 * hands it to the screenshot thread, which calls the source's screenshot
 * callback (it waits for the main thread's frame and encodes the PNG) and
 * resumes the connection with the result. One screenshot is made at a time;
 * a request while one is being made is answered 503 with Retry-After.
 *
 * The listening socket is ours (the loopback-or-token rule, IPV6_V6ONLY)
 * and handed to the daemon. The token and the failed-attempt limiter
 * (status_request.h) sit under a mutex, so SIGHUP changes the token at once
 * without dropping the socket. */
#include "app/status.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <sodium.h>

#include "app/status_request.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#define STATUS_MAX_CONNS DP_STATUS_MAX_CONNS
#define STATUS_IDLE_TIMEOUT_S DP_STATUS_IDLE_TIMEOUT_S
#define STATUS_CONN_MEMORY DP_STATUS_CONN_MEMORY
#define STATUS_SHOT_TIMEOUT_MS 2000 /* for the screenshot callback */
#define STATUS_TEXT_MAX (64 * 1024) /* /status and /metrics bodies */
#define STATUS_BACKLOG 64
#define STATUS_LISTEN_MAX 300

struct shot;

struct status_server {
    struct MHD_Daemon *daemon;
    int lfd; /* ours until the daemon runs, then the daemon's */
    int port;
    bool loopback; /* every address bound is a loopback one */
    char listen[STATUS_LISTEN_MAX];
    struct status_source src;
    int64_t started_ms;
    /* Under lock: the token, the limiter and the screenshot hand-over. */
    pthread_mutex_t lock;
    bool has_token;
    unsigned char token_hash[STATUS_TOKEN_HASH_BYTES];
    struct status_limiter limiter;
    pthread_cond_t shot_wake;
    struct shot *shot_job; /* handed to the screenshot thread, not yet taken */
    bool shot_busy;        /* a screenshot is being made */
    bool quit;
    pthread_t shot_thread;
    bool shot_thread_started;
};

/* A /screenshot.png request while its connection is suspended. */
struct shot {
    struct MHD_Connection *conn;
    bool done;
    int rc;
    void *png;
    size_t len;
};

/* ---- the answers -------------------------------------------------------- */

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

static void gather(struct status_server *s, struct status_info *info)
{
    memset(info, 0, sizeof *info);
    status_copy_text(info->version, sizeof info->version, DP_VERSION);
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
    dp_buf_appendf(b, "# HELP %s %s\n# TYPE %s %s\n%s %s\n", name, help, name, type, name, value);
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
    dp_buf_appendf(&b,
                   "# HELP deskplayer_info The running version.\n"
                   "# TYPE deskplayer_info gauge\n"
                   "deskplayer_info{version=\"%s\"} 1\n",
                   label);
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

/* ---- answering ------------------------------------------------------------ */

/* Queues an answer; body (len bytes) is copied, or taken over (and freed
 * with free) when owned. extra_name/extra_value: one more header, or NULL. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned code, const char *ctype,
                              void *body, size_t len, bool owned, const char *extra_name,
                              const char *extra_value)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
    if (!r) {
        if (owned)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (extra_name)
        MHD_add_response_header(r, extra_name, extra_value);
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

/* A short text answer: "401 Unauthorized\n". */
static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned code, const char *reason,
                                   const char *extra_name, const char *extra_value)
{
    char body[64];
    int n = snprintf(body, sizeof body, "%u %s\n", code, reason);
    return answer(c, code, "text/plain; charset=utf-8", body, (size_t)n, false, extra_name,
                  extra_value);
}

static enum MHD_Result answer_figures(struct status_server *s, struct MHD_Connection *c,
                                      bool is_status)
{
    struct status_info *info = dp_malloc(sizeof *info);
    gather(s, info);
    size_t len = 0;
    char *body = is_status ? status_json(info, &len) : metrics_text(info, &len);
    free(info);
    if (!body)
        return answer_text(c, 500, "Internal Server Error", NULL, NULL);
    return answer(c, 200,
                  is_status ? "application/json" : "text/plain; version=0.0.4; charset=utf-8",
                  body, len, true, NULL, NULL);
}

/* ---- the token ------------------------------------------------------------ */

struct auth_scan {
    const char *value;
    size_t len;
    int count;
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    struct auth_scan *a = cls;
    if (key && strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION) == 0) {
        a->value = value;
        a->len = value ? value_size : 0;
        a->count++;
    }
    return MHD_YES;
}

/* 0: authorized; else the answer has been queued (401 or 429) and its
 * result is in *ret. */
static int check_token(struct status_server *s, struct MHD_Connection *c, enum MHD_Result *ret)
{
    pthread_mutex_lock(&s->lock);
    bool need = s->has_token;
    pthread_mutex_unlock(&s->lock);
    if (!need)
        return 0;
    struct auth_scan a = {0};
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_header, &a);
    if (a.count > 0) {
        unsigned char key[STATUS_ADDR_MAX];
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
            c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        size_t klen = status_limiter_key(ci ? ci->client_addr : NULL,
                                         ci ? sizeof(struct sockaddr_in6) : 0, key);
        int64_t now = dp_mono_ms();
        pthread_mutex_lock(&s->lock);
        bool allowed = status_limiter_allowed(&s->limiter, key, klen, now);
        bool ok = allowed && a.count == 1 && status_auth_ok(s->token_hash, a.value, a.len);
        if (allowed && !ok)
            status_limiter_failed(&s->limiter, key, klen, now);
        pthread_mutex_unlock(&s->lock);
        if (ok)
            return 0;
        if (!allowed) {
            LOG_D("status", "too many failed token attempts: 429");
            *ret = answer_text(c, 429, "Too Many Requests", MHD_HTTP_HEADER_RETRY_AFTER, "1");
            return -1;
        }
    }
    *ret = answer_text(c, 401, "Unauthorized", MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                       "Bearer realm=\"deskplayer\"");
    return -1;
}

/* ---- the screenshot thread ------------------------------------------------ */

static void *shot_thread(void *arg)
{
    struct status_server *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->shot_job && !s->quit)
            pthread_cond_wait(&s->shot_wake, &s->lock);
        struct shot *job = s->shot_job;
        if (!job)
            break;
        s->shot_job = NULL;
        bool quit = s->quit;
        pthread_mutex_unlock(&s->lock);
        job->rc = quit ? -1
                       : s->src.screenshot(s->src.ctx, &job->png, &job->len,
                                           STATUS_SHOT_TIMEOUT_MS);
        job->done = true;
        /* Outside the lock: the HTTP thread takes it while the daemon holds
         * its own. */
        MHD_resume_connection(job->conn);
        pthread_mutex_lock(&s->lock);
        s->shot_busy = false;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static enum MHD_Result serve_screenshot(struct status_server *s, struct MHD_Connection *c,
                                        void **req_cls)
{
    struct shot *job = *req_cls;
    if (job) { /* resumed: the screenshot is made */
        if (job->rc != 0 || !job->png)
            return answer_text(c, 503, "Service Unavailable", MHD_HTTP_HEADER_RETRY_AFTER, "1");
        void *png = job->png;
        job->png = NULL;
        return answer(c, 200, "image/png", png, job->len, true, NULL, NULL);
    }
    if (!s->src.screenshot || !s->shot_thread_started)
        return answer_text(c, 503, "Service Unavailable", MHD_HTTP_HEADER_RETRY_AFTER, "1");
    pthread_mutex_lock(&s->lock);
    bool free_now = !s->shot_busy && !s->quit;
    if (free_now)
        s->shot_busy = true;
    pthread_mutex_unlock(&s->lock);
    if (!free_now)
        return answer_text(c, 503, "Service Unavailable", MHD_HTTP_HEADER_RETRY_AFTER, "1");
    job = dp_calloc(1, sizeof *job);
    job->conn = c;
    *req_cls = job; /* freed by request_done */
    MHD_suspend_connection(c);
    pthread_mutex_lock(&s->lock);
    s->shot_job = job;
    pthread_cond_signal(&s->shot_wake);
    pthread_mutex_unlock(&s->lock);
    return MHD_YES;
}

/* ---- the request handler -------------------------------------------------- */

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    struct status_server *s = cls;
    if (*req_cls) /* a screenshot coming back */
        return serve_screenshot(s, c, req_cls);
    enum MHD_Result ret = MHD_NO;
    if (check_token(s, c, &ret) < 0) {
        LOG_D("status", "%s %s: unauthorized", method, url);
        return ret;
    }
    switch (status_route(method, url)) {
    case STATUS_ROUTE_BAD_METHOD:
        return answer_text(c, 405, "Method Not Allowed", MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    case STATUS_ROUTE_NOT_FOUND:
        return answer_text(c, 404, "Not Found", NULL, NULL);
    case STATUS_ROUTE_STATUS:
        return answer_figures(s, c, true);
    case STATUS_ROUTE_METRICS:
        return answer_figures(s, c, false);
    case STATUS_ROUTE_SCREENSHOT:
        return serve_screenshot(s, c, req_cls);
    }
    return MHD_NO;
}

static void request_done(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct shot *job = *req_cls;
    if (job) {
        free(job->png);
        free(job);
        *req_cls = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    LOG_D("status", "%s", msg);
}

/* ---- the listening socket ------------------------------------------------- */

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

/* A listening, non-blocking socket on addr, or -1 with err set; *loopback
 * tells whether its address is a loopback one. */
static int open_listener(const char *addr, bool has_token, bool *loopback, char *err,
                         size_t errlen)
{
    char host[256], port[8];
    if (split_listen(addr, host, sizeof host, port, sizeof port) < 0) {
        snprintf(err, errlen, "status listen \"%.80s\": expected HOST:PORT", addr);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *res = NULL;
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
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, STATUS_BACKLOG) == 0) {
            *loopback = is_loopback(ai->ai_addr);
            break;
        }
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        return fd;
    if (refused && !saved)
        snprintf(err, errlen,
                 "status listen \"%.80s\": not a loopback address, and no "
                 "[status] token is set",
                 addr);
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

/* ---- starting and stopping ------------------------------------------------ */

static void server_free(struct status_server *s)
{
    if (s->lfd >= 0)
        close(s->lfd);
    sodium_memzero(s->token_hash, sizeof s->token_hash);
    pthread_cond_destroy(&s->shot_wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Starts the daemon and the screenshot thread with every signal blocked:
 * they only serve, signals go to the player's threads. */
static int start_threads(struct status_server *s, char *err, size_t errlen)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = 0;
    if (s->src.screenshot) {
        rc = pthread_create(&s->shot_thread, NULL, shot_thread, s);
        s->shot_thread_started = rc == 0;
    }
    if (rc == 0) {
        s->daemon = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                MHD_USE_ERROR_LOG,
            0, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)NULL,
            MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->lfd, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned)STATUS_MAX_CONNS, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)STATUS_IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
            (size_t)STATUS_CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, request_done, (void *)NULL,
            MHD_OPTION_END);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "status: cannot start the screenshot thread: %s", strerror(rc));
        return -1;
    }
    if (!s->daemon) {
        snprintf(err, errlen, "status: libmicrohttpd cannot start on %s", s->listen);
        return -1;
    }
    s->lfd = -1; /* the daemon's now: it closes it */
    return 0;
}

static void stop_shot_thread(struct status_server *s)
{
    if (!s->shot_thread_started)
        return;
    pthread_mutex_lock(&s->lock);
    s->quit = true;
    pthread_cond_signal(&s->shot_wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->shot_thread, NULL);
    s->shot_thread_started = false;
}

struct status_server *status_start(const char *addr, const char *token,
                                   const struct status_source *src, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    if (!addr || !*addr)
        return NULL;
    if (strlen(addr) >= STATUS_LISTEN_MAX) {
        snprintf(err, errlen, "status listen: longer than %d bytes", STATUS_LISTEN_MAX - 1);
        return NULL;
    }
    struct status_server *s = dp_calloc(1, sizeof *s);
    s->lfd = -1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->shot_wake, NULL);
    status_limiter_init(&s->limiter);
    snprintf(s->listen, sizeof s->listen, "%s", addr);
    if (src)
        s->src = *src;
    s->started_ms = dp_mono_ms();
    s->has_token = token && *token;
    if (s->has_token && status_token_hash(token, s->token_hash) < 0) {
        snprintf(err, errlen, "status: libsodium cannot start");
        goto fail;
    }
    s->lfd = open_listener(addr, s->has_token, &s->loopback, err, errlen);
    if (s->lfd < 0)
        goto fail;
    s->port = bound_port(s->lfd);
    if (start_threads(s, err, errlen) < 0)
        goto fail_threads;
    LOG_I("status", "serving on %s (port %d)%s", addr, s->port,
          s->has_token ? ", token required" : "");
    return s;

fail_threads:
    stop_shot_thread(s);
fail:
    server_free(s);
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
    /* The screenshot thread first: it resumes the connection it holds, and
     * the daemon may only stop with none suspended. */
    stop_shot_thread(s);
    MHD_stop_daemon(s->daemon);
    server_free(s);
}

int status_reconfigure(struct status_server **sp, const char *listen, const char *token,
                       const struct status_source *src, char *err, size_t errlen)
{
    struct status_server *s = *sp;
    if (errlen)
        err[0] = '\0';
    if (s && listen && strcmp(listen, s->listen) == 0) {
        bool has = token && *token;
        if (!has && !s->loopback) {
            snprintf(err, errlen,
                     "status listen \"%.80s\": not a loopback address, and no "
                     "[status] token is set; the old token stays",
                     listen);
            return -1;
        }
        unsigned char hash[STATUS_TOKEN_HASH_BYTES] = {0};
        if (has && status_token_hash(token, hash) < 0) {
            snprintf(err, errlen, "status: libsodium cannot start; the old token stays");
            return -1;
        }
        pthread_mutex_lock(&s->lock);
        s->has_token = has;
        memcpy(s->token_hash, hash, sizeof hash);
        pthread_mutex_unlock(&s->lock);
        sodium_memzero(hash, sizeof hash);
        LOG_I("status", "token %s", has ? "changed" : "removed");
        return 0;
    }
    status_stop(s);
    *sp = status_start(listen, token, src, err, errlen);
    return *sp || !err[0] ? 0 : -1;
}
