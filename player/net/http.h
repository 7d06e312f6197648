/* net/ internal: one HTTP GET with every rule of playback.md "Network"
 * applied: only http/https, redirects followed here (at most
 * DP_REDIRECTS_MAX, never https -> http), connect and low-speed limits,
 * a body cap counted in the write callback, HTML refused where media or a
 * feed was expected, User-Agent, extra headers (sent to the feed's origin
 * only), and an abort within a fraction of a second when *stop is set.
 *
 * A client is a curl easy + multi handle pair used by one thread at a time;
 * http_client_wake may be called from any thread while the client exists. */
#ifndef DP_NET_HTTP_H
#define DP_NET_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"

struct http_resp;

/* Where the body of the final 2xx answer goes. */
struct http_sink {
    /* Called once before the first body byte of the final 2xx answer (or
     * after the transfer when that body was empty). Non-zero aborts. */
    int (*begin)(void *ctx, const struct http_resp *resp);
    /* 0, or a negative errno that aborts the transfer (kept in sink_error). */
    int (*write)(void *ctx, const void *data, size_t n);
    void *ctx;
};

struct http_req {
    const char *url;
    const char *origin_url;    /* extra headers only go to this origin */
    const char *extra_headers; /* "Name: value\n..." or NULL */
    const char *ca_file;       /* or NULL */
    const char *if_none_match; /* or NULL */
    const char *if_modified_since;
    int64_t range_from;   /* > 0: Range: bytes=N- */
    const char *if_range; /* with range_from */
    bool accept_encoding; /* feeds: gzip, deflate, br as libcurl has them */
    bool refuse_html;
    int64_t cap;        /* the whole body, range_from included */
    int64_t timeout_ms; /* whole transfer, per hop; 0: none (media) */
    int idle_s;         /* > 0: a stream (SSE): abandoned only after
                                     idle_s seconds without a byte */
    const atomic_bool *stop;
    struct http_sink sink;
};

enum http_result {
    HTTP_DONE,        /* an answer came (any status); see resp.status */
    HTTP_E_TRANSPORT, /* connection, timeout, TLS, truncated body */
    HTTP_E_STOPPED,   /* *stop was set */
    HTTP_E_TOO_LARGE, /* over cap (Content-Length or counted) */
    HTTP_E_HTML,      /* an HTML page */
    HTTP_E_REDIRECT,  /* too many, bad scheme, https -> http */
    HTTP_E_SINK,      /* the sink failed (sink_error) */
};

struct http_resp {
    enum http_result result;
    long status; /* of the final answer, 0 when none */
    char effective_url[DP_URL_MAX_BYTES];
    char etag[256];
    char last_modified[64];
    char content_type[128];
    int64_t retry_after_ms;           /* -1 when absent */
    int64_t content_length;           /* -1 when unknown */
    int64_t range_start, range_total; /* Content-Range of a 206, -1 when absent */
    int64_t body_bytes;               /* handed to the sink */
    int redirects;
    int sink_error;  /* negative errno from the sink */
    bool tls_error;  /* a certificate or TLS failure */
    char error[256]; /* text for the log and play log */
};

struct http_client;

/* NULL when libcurl cannot be set up. Any thread. */
struct http_client *http_client_create(void);
void http_client_destroy(struct http_client *h); /* NULL ok */
/* Wakes a transfer waiting in h so that it sees *stop. Any thread. */
void http_client_wake(struct http_client *h);
/* Runs req; fills resp. Returns resp->result. The calling thread blocks
 * until the answer, a limit, or *stop. */
enum http_result http_perform(struct http_client *h, const struct http_req *req,
                              struct http_resp *resp);

/* True when the first bytes look like an HTML page ("<!doctype html",
 * "<html", after a BOM and white space; any case). Pure. */
bool http_looks_like_html(const char *data, size_t len);
/* Parses a Retry-After value (seconds or an HTTP date) into milliseconds
 * from now_wall_ms; -1 when unusable. Pure. */
int64_t http_parse_retry_after(const char *value, int64_t now_wall_ms);

void http_global_init(void); /* once, before any thread uses curl */

#endif
