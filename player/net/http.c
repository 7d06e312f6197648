/* One GET through libcurl with deskplayer's rules (see http.h).
 *
 * DESIGN: each client owns an easy handle and a multi handle; a transfer
 * runs in curl_multi_poll with a one-second timeout, and http_client_wake
 * (curl_multi_wakeup) interrupts the wait, so a stop is seen at once even
 * while a server stalls. Redirects are not followed by libcurl: each hop is
 * a transfer of its own, checked before it starts (scheme, downgrade,
 * count). Bodies of non-2xx answers are discarded (capped). */
#include "net/http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"

#define HTTP_DISCARD_MAX (256 * 1024) /* body of an error or redirect answer */
#define HTTP_SNIFF_BYTES 64
#define HTTP_RECV_BUFFER (128L * 1024) /* fewer, larger writes into a part */

struct http_client {
    CURL *easy;
    CURLM *multi;
};

/* State of one transfer (one hop). */
struct xfer {
    const struct http_req *req;
    struct http_resp *resp;
    CURL *easy;
    bool begun;
    int64_t base; /* the offset the body starts at (206) */
    int64_t discarded;
    char head[HTTP_SNIFF_BYTES];
    size_t head_len;
    bool sniffed;
    enum http_result fail; /* set by a callback that aborted */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_global_init(void)
{
    pthread_once(&global_once, global_init_once);
}

struct http_client *http_client_create(void)
{
    http_global_init();
    struct http_client *h = dp_calloc(1, sizeof *h);
    h->easy = curl_easy_init();
    h->multi = curl_multi_init();
    if (!h->easy || !h->multi) {
        http_client_destroy(h);
        return NULL;
    }
    return h;
}

void http_client_destroy(struct http_client *h)
{
    if (!h)
        return;
    if (h->multi)
        curl_multi_cleanup(h->multi);
    if (h->easy)
        curl_easy_cleanup(h->easy);
    free(h);
}

void http_client_wake(struct http_client *h)
{
    if (h && h->multi)
        curl_multi_wakeup(h->multi);
}

bool http_looks_like_html(const char *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && (unsigned char)data[0] == 0xef && (unsigned char)data[1] == 0xbb &&
        (unsigned char)data[2] == 0xbf)
        i = 3;
    while (i < len && isspace((unsigned char)data[i]))
        i++;
    static const char *starts[] = {"<!doctype html", "<html"};
    for (size_t k = 0; k < sizeof starts / sizeof *starts; k++) {
        size_t n = strlen(starts[k]);
        if (len - i >= n && strncasecmp(data + i, starts[k], n) == 0) {
            char next = len - i > n ? data[i + n] : ' ';
            if (isspace((unsigned char)next) || next == '>')
                return true;
        }
    }
    return false;
}

int64_t http_parse_retry_after(const char *value, int64_t now_wall_ms)
{
    while (*value == ' ' || *value == '\t')
        value++;
    if (!*value)
        return -1;
    if (isdigit((unsigned char)*value)) {
        char *end;
        long long s = strtoll(value, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (*end || s < 0)
            return -1;
        if (s > 365LL * 86400)
            s = 365LL * 86400;
        return s * 1000;
    }
    time_t t = curl_getdate(value, NULL);
    if (t == (time_t)-1)
        return -1;
    int64_t ms = (int64_t)t * 1000 - now_wall_ms;
    return ms < 0 ? 0 : ms;
}

static bool is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static bool is_final_2xx(long status)
{
    return status >= 200 && status < 300;
}

/* Copies a header value (trimmed) into out. */
static void header_value(const char *line, size_t len, size_t name_len, char *out, size_t cap)
{
    size_t i = name_len;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    size_t end = len;
    while (end > i && (line[end - 1] == '\r' || line[end - 1] == '\n' || line[end - 1] == ' ' ||
                       line[end - 1] == '\t'))
        end--;
    size_t n = end - i < cap - 1 ? end - i : cap - 1;
    memcpy(out, line + i, n);
    out[n] = '\0';
}

static bool header_is(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);
    return len > n && strncasecmp(line, name, n) == 0 && line[n] == ':';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    struct http_resp *r = x->resp;
    size_t len = size * nmemb;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* A new answer (after 1xx): forget the previous one's headers. */
        r->etag[0] = r->last_modified[0] = r->content_type[0] = '\0';
        r->retry_after_ms = r->content_length = r->range_start = r->range_total = -1;
        return len;
    }
    char v[512];
    if (header_is(data, len, "ETag")) {
        header_value(data, len, 5, r->etag, sizeof r->etag);
    } else if (header_is(data, len, "Last-Modified")) {
        header_value(data, len, 14, r->last_modified, sizeof r->last_modified);
    } else if (header_is(data, len, "Content-Type")) {
        header_value(data, len, 13, r->content_type, sizeof r->content_type);
    } else if (header_is(data, len, "Retry-After")) {
        header_value(data, len, 12, v, sizeof v);
        r->retry_after_ms = http_parse_retry_after(v, dp_wall_ms());
    } else if (header_is(data, len, "Content-Length")) {
        header_value(data, len, 15, v, sizeof v);
        char *end;
        long long n = strtoll(v, &end, 10);
        r->content_length = (*end || n < 0) ? -1 : n;
    } else if (header_is(data, len, "Content-Range")) {
        header_value(data, len, 14, v, sizeof v);
        long long a, b, t;
        char star;
        if (sscanf(v, "bytes %lld-%lld/%lld", &a, &b, &t) == 3 && a >= 0 && b >= a) {
            r->range_start = a;
            r->range_total = t;
        } else if (sscanf(v, "bytes %lld-%lld/%c", &a, &b, &star) == 3 && star == '*') {
            r->range_start = a;
            r->range_total = -1;
        }
    }
    return len;
}

static bool sniff(struct xfer *x)
{
    x->sniffed = true;
    if (x->req->refuse_html && x->resp->status == 200 &&
        http_looks_like_html(x->head, x->head_len)) {
        x->fail = HTTP_E_HTML;
        snprintf(x->resp->error, sizeof x->resp->error, "an HTML page where %s was expected",
                 "media or a feed");
        return false;
    }
    return true;
}

static bool begin_body(struct xfer *x)
{
    struct http_resp *r = x->resp;
    const struct http_req *q = x->req;
    x->begun = true;
    x->base = 0;
    if (r->status == 206) {
        if (r->range_start < 0 || r->range_start != q->range_from) {
            x->fail = HTTP_E_TRANSPORT;
            snprintf(r->error, sizeof r->error, "206 answer for another range");
            return false;
        }
        x->base = r->range_start;
        if (r->range_total > q->cap) {
            x->fail = HTTP_E_TOO_LARGE;
            snprintf(r->error, sizeof r->error, "%lld bytes announced, limit %lld",
                     (long long)r->range_total, (long long)q->cap);
            return false;
        }
    } else if (r->content_length > q->cap) {
        x->fail = HTTP_E_TOO_LARGE;
        snprintf(r->error, sizeof r->error, "%lld bytes announced, limit %lld",
                 (long long)r->content_length, (long long)q->cap);
        return false;
    }
    if (q->sink.begin && q->sink.begin(q->sink.ctx, r) != 0) {
        x->fail = HTTP_E_SINK;
        if (!r->error[0])
            snprintf(r->error, sizeof r->error, "cannot store the answer");
        return false;
    }
    return true;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    struct http_resp *r = x->resp;
    const struct http_req *q = x->req;
    size_t n = size * nmemb;
    long status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    r->status = status;
    if (!is_final_2xx(status)) {
        x->discarded += (int64_t)n;
        return x->discarded > HTTP_DISCARD_MAX ? 0 : n;
    }
    if (!x->begun && !begin_body(x))
        return 0;
    if (x->base + r->body_bytes + (int64_t)n > q->cap) {
        x->fail = HTTP_E_TOO_LARGE;
        snprintf(r->error, sizeof r->error, "body over the limit of %lld bytes",
                 (long long)q->cap);
        return 0;
    }
    if (!x->sniffed && x->base == 0) {
        size_t take = sizeof x->head - x->head_len;
        if (take > n)
            take = n;
        memcpy(x->head + x->head_len, data, take);
        x->head_len += take;
        if (x->head_len == sizeof x->head && !sniff(x))
            return 0;
    }
    if (q->sink.write) {
        int e = q->sink.write(q->sink.ctx, data, n);
        if (e < 0) {
            r->sink_error = e;
            x->fail = HTTP_E_SINK;
            snprintf(r->error, sizeof r->error, "cannot store: %s", strerror(-e));
            return 0;
        }
    }
    r->body_bytes += (int64_t)n;
    return n;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    struct xfer *x = ud;
    if (x->req->stop && atomic_load(x->req->stop)) {
        x->fail = HTTP_E_STOPPED;
        return 1;
    }
    return 0;
}

/* scheme://host:port of url into out; false when it does not parse. */
static bool origin_of(const char *url, char *out, size_t cap)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK;
    if (ok)
        snprintf(out, cap, "%s://%s:%s", scheme, host, port);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return ok;
}

static bool same_origin(const char *a, const char *b)
{
    char oa[1024], ob[1024];
    return a && b && origin_of(a, oa, sizeof oa) && origin_of(b, ob, sizeof ob) &&
           strcasecmp(oa, ob) == 0;
}

static bool scheme_is(const char *url, const char *scheme)
{
    size_t n = strlen(scheme);
    return strncasecmp(url, scheme, n) == 0 && strncmp(url + n, "://", 3) == 0;
}

static struct curl_slist *build_headers(const struct http_req *q, const char *url)
{
    struct curl_slist *list = NULL;
    char line[2048];
    if (q->extra_headers && same_origin(url, q->origin_url)) {
        const char *p = q->extra_headers;
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
                n--;
            if (n > 0 && n < sizeof line && memchr(p, ':', n)) {
                memcpy(line, p, n);
                line[n] = '\0';
                list = curl_slist_append(list, line);
            }
            p += nl ? (size_t)(nl - p) + 1 : strlen(p);
        }
    }
    if (q->if_none_match && *q->if_none_match) {
        snprintf(line, sizeof line, "If-None-Match: %s", q->if_none_match);
        list = curl_slist_append(list, line);
    }
    if (q->if_modified_since && *q->if_modified_since) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", q->if_modified_since);
        list = curl_slist_append(list, line);
    }
    if (q->range_from > 0 && q->if_range && *q->if_range) {
        snprintf(line, sizeof line, "If-Range: %s", q->if_range);
        list = curl_slist_append(list, line);
    }
    return list;
}

/* Runs one hop; CURLE_* result. */
static CURLcode run_hop(struct http_client *h, struct xfer *x, const char *url, char *errbuf)
{
    const struct http_req *q = x->req;
    CURL *e = h->easy;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, HTTP_RECV_BUFFER);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)DP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, q->idle_s > 0 ? 1L : (long)DP_LOW_SPEED_BYTES);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                     q->idle_s > 0 ? (long)q->idle_s : (long)DP_LOW_SPEED_TIME_S);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "deskplayer/" DP_VERSION);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (q->timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)q->timeout_ms);
    if (q->ca_file && *q->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, q->ca_file);
    if (q->accept_encoding)
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    if (q->range_from > 0) {
        char range[64];
        snprintf(range, sizeof range, "%lld-", (long long)q->range_from);
        curl_easy_setopt(e, CURLOPT_RANGE, range);
    }
    struct curl_slist *hdrs = build_headers(q, url);
    if (hdrs)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    errbuf[0] = '\0';

    CURLcode result = CURLE_OK;
    curl_multi_add_handle(h->multi, e);
    for (;;) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(h->multi, &running);
        if (mc != CURLM_OK) {
            result = CURLE_FAILED_INIT;
            break;
        }
        int left;
        CURLMsg *m = curl_multi_info_read(h->multi, &left);
        if (m && m->msg == CURLMSG_DONE) {
            result = m->data.result;
            break;
        }
        if (q->stop && atomic_load(q->stop)) {
            x->fail = HTTP_E_STOPPED;
            result = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        if (!running)
            continue;
        curl_multi_poll(h->multi, NULL, 0, 1000, NULL);
    }
    curl_multi_remove_handle(h->multi, e);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    return result;
}

enum http_result http_perform(struct http_client *h, const struct http_req *q, struct http_resp *r)
{
    memset(r, 0, sizeof *r);
    r->retry_after_ms = r->content_length = r->range_start = r->range_total = -1;
    char url[DP_URL_MAX_BYTES];
    snprintf(url, sizeof url, "%s", q->url);
    char errbuf[CURL_ERROR_SIZE];

    for (;;) {
        if (!scheme_is(url, "http") && !scheme_is(url, "https")) {
            snprintf(r->error, sizeof r->error, "refused: only http and https");
            return r->result = HTTP_E_REDIRECT;
        }
        struct xfer x = {.req = q, .resp = r, .easy = h->easy, .fail = HTTP_DONE};
        r->status = 0;
        r->body_bytes = 0;
        r->error[0] = '\0';
        snprintf(r->effective_url, sizeof r->effective_url, "%s", url);
        CURLcode cc = run_hop(h, &x, url, errbuf);
        long status = 0;
        curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
        r->status = status;
        if (x.fail != HTTP_DONE) {
            if (x.fail == HTTP_E_STOPPED)
                snprintf(r->error, sizeof r->error, "stopped");
            return r->result = x.fail;
        }
        if (cc != CURLE_OK) {
            r->tls_error = cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CONNECT_ERROR ||
                           cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_CACERT_BADFILE;
            snprintf(r->error, sizeof r->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
            size_t el = strlen(r->error);
            while (el && r->error[el - 1] == '\n')
                r->error[--el] = '\0';
            return r->result = HTTP_E_TRANSPORT;
        }
        if (is_redirect(status)) {
            char *loc = NULL;
            curl_easy_getinfo(h->easy, CURLINFO_REDIRECT_URL, &loc);
            if (!loc) {
                snprintf(r->error, sizeof r->error, "redirect %ld without Location", status);
                return r->result = HTTP_E_REDIRECT;
            }
            if (++r->redirects > DP_REDIRECTS_MAX) {
                snprintf(r->error, sizeof r->error, "more than %d redirects", DP_REDIRECTS_MAX);
                return r->result = HTTP_E_REDIRECT;
            }
            if (!scheme_is(loc, "http") && !scheme_is(loc, "https")) {
                snprintf(r->error, sizeof r->error, "redirect to a refused scheme: %.80s", loc);
                return r->result = HTTP_E_REDIRECT;
            }
            if (scheme_is(url, "https") && scheme_is(loc, "http")) {
                snprintf(r->error, sizeof r->error, "redirect from https to http refused");
                return r->result = HTTP_E_REDIRECT;
            }
            if (strlen(loc) >= sizeof url) {
                snprintf(r->error, sizeof r->error, "redirect URL too long");
                return r->result = HTTP_E_REDIRECT;
            }
            LOG_D("net", "redirect %ld: %s -> %s", status, url, loc);
            snprintf(url, sizeof url, "%s", loc);
            continue;
        }
        if (is_final_2xx(status)) {
            if (!x.begun && !begin_body(&x))
                return r->result = x.fail;
            if (!x.sniffed && x.base == 0 && !sniff(&x))
                return r->result = x.fail;
        }
        return r->result = HTTP_DONE;
    }
}
