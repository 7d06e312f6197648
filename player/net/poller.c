/* The poller thread: the last good feed at start, then one poll per
 * interval (playback.md "Network").
 *
 * DESIGN: a single thread owns the poll state (validators and hash of the
 * last good feed, failure count); only the figures for net_get_progress
 * are shared, under net->lock. Between polls it waits on poll_cond until the
 * next deadline (monotonic), a requested poll (net_poll_now, net_push_poll:
 * coalesced, at most one a NET_POLL_COALESCE_MS) or net_stop(). A poll that
 * fails keeps the last good feed: on_feed is called only with a feed that
 * parsed. A 304, or a 200 whose body hashes like the last good one, costs
 * no parsing and no new feed. Local feeds are read from disk each time.
 *
 * With a public key, a new feed body is used only when <feed url>.minisig
 * verifies it; the signature is kept in the cache beside the feed (as the
 * "feed" of <feed url>.minisig) and checked again when the cached feed is
 * loaded at start. Folders are not signed documents and are not checked. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fileio.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/xalloc.h"
#include "cache/cache.h"
#include "feed/feed.h"
#include "feed/minisign.h"
#include "feed/url.h"
#include "net/net_internal.h"

enum poll_outcome { POLL_UPDATED, POLL_NOT_MODIFIED, POLL_ERROR, POLL_REJECTED };

static const char *outcome_name[] = {"updated", "not_modified", "error", "rejected"};

struct poll_state {
    struct net *n;
    char *etag, *last_modified; /* validators of the last good remote feed */
    char sha[DP_SHA256_HEX];    /* hash of its body ("" when none) */
    char *base;                 /* its effective URL */
    bool have_feed;
    long items;
    int failures;
    bool verify; /* a public key is configured */
    bool key_ok; /* ... and it parsed */
    struct minisign_key key;
    char key_error[160];
    char *sig_url; /* <feed url>.minisig */
    /* the outcome of the poll in progress */
    long status;
    int64_t retry_after_ms;
    bool tls_error;
    char error[256];
};

static void on_drop(void *ctx, const char *post_id, const char *url, const char *reason)
{
    struct net *n = ctx;
    struct net_event ev = {
        .type = NET_EV_SKIP,
        .url = url,
        .item = post_id,
        .reason = reason,
        .items = -1,
        .bytes = -1,
    };
    net_emit(n, &ev);
}

static void set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src && *src ? dp_strdup(src) : NULL;
}

static void publish(struct poll_state *ps, struct feed *feed)
{
    ps->have_feed = true;
    ps->items = (long)feed->n_posts;
    if (ps->n->cb.on_feed)
        ps->n->cb.on_feed(ps->n->cb.ctx, feed);
    else
        feed_unref(feed);
}

/* 0 when sig verifies body with the configured key; else a message. */
static int verify_signature(struct poll_state *ps, const char *body, size_t len, const char *sig,
                            size_t sig_len, char *err, size_t errlen)
{
    if (!ps->key_ok) {
        snprintf(err, errlen, "public_key unusable: %s", ps->key_error);
        return -1;
    }
    if (!sig) {
        snprintf(err, errlen, "signature missing");
        return -1;
    }
    char why[160] = "";
    if (minisign_verify(&ps->key, body, len, sig, sig_len, why, sizeof why) != 0) {
        snprintf(err, errlen, "signature: %s", why);
        return -1;
    }
    return 0;
}

static int sig_write(void *ctx, const void *data, size_t len)
{
    return dp_buf_append(ctx, data, len) < 0 ? -EFBIG : 0;
}

/* Fetches <feed url>.minisig (remote or local). NULL when it cannot be had;
 * the reason goes into err. Caller frees. */
static char *fetch_signature(struct poll_state *ps, bool local, size_t *len, char *err,
                             size_t errlen)
{
    struct net *n = ps->n;
    if (local) {
        char *path = url_to_path(ps->sig_url);
        char *data = NULL;
        int e = path ? dp_read_file(path, MINISIGN_SIG_TEXT_MAX, &data, len) : -EINVAL;
        if (e < 0)
            snprintf(err, errlen, "signature missing: %s", strerror(-e));
        free(path);
        return e < 0 ? NULL : data;
    }
    struct dp_buf b;
    dp_buf_init(&b, MINISIGN_SIG_TEXT_MAX);
    struct http_req q = {
        .url = ps->sig_url,
        .origin_url = n->cfg.feed_url,
        .extra_headers = n->cfg.headers,
        .ca_file = n->cfg.ca_file,
        .accept_encoding = true,
        .refuse_html = true,
        .cap = MINISIGN_SIG_TEXT_MAX,
        .timeout_ms = NET_FEED_TIMEOUT_MS,
        .stop = &n->stop,
        .sink = {.write = sig_write, .ctx = &b},
    };
    struct http_resp r;
    enum http_result hr = http_perform(n->poll_client, &q, &r);
    if (hr != HTTP_DONE || r.status != 200) {
        if (hr == HTTP_DONE)
            snprintf(err, errlen, "signature missing: HTTP %ld", r.status);
        else
            snprintf(err, errlen, "signature missing: %.150s", r.error);
        dp_buf_finish(&b);
        return NULL;
    }
    if (!b.data)
        dp_buf_append(&b, "", 0);
    return dp_buf_steal(&b, len);
}

static void load_cached(struct poll_state *ps)
{
    struct net *n = ps->n;
    char *body = NULL, *ct = NULL, *etag = NULL, *lm = NULL, *base = NULL;
    size_t len = 0;
    if (cache_load_feed_ex(n->cache, n->cfg.feed_url, &body, &len, &ct, &etag, &lm, &base) < 0)
        return;
    struct feed *feed = NULL;
    char err[256] = "";
    const char *b = base ? base : n->cfg.feed_url;
    int r = FEED_ERR_REJECTED;
    if (ps->verify) {
        char *sig = NULL;
        size_t sig_len = 0;
        cache_load_feed(n->cache, ps->sig_url, &sig, &sig_len, NULL, NULL, NULL);
        if (verify_signature(ps, body, len, sig, sig_len, err, sizeof err) == 0)
            r = FEED_OK;
        free(sig);
    }
    if (!ps->verify || r == FEED_OK)
        r = feed_parse(body, len, b, ct, &feed, err, sizeof err, NULL, NULL);
    if (r == FEED_OK && feed) {
        LOG_I("net", "playing the cached feed of %s (%zu posts) until the first poll",
              n->cfg.feed_url, feed->n_posts);
        set_str(&ps->etag, etag);
        set_str(&ps->last_modified, lm);
        set_str(&ps->base, b);
        dp_sha256_hex(body, len, ps->sha);
        publish(ps, feed);
    } else {
        LOG_W("net", "the cached feed of %s does not parse: %s", n->cfg.feed_url, err);
    }
    free(body);
    free(ct);
    free(etag);
    free(lm);
    free(base);
}

/* Parses body; on success stores it and publishes it. */
static enum poll_outcome take_body(struct poll_state *ps, const char *body, size_t len,
                                   const char *base, const char *ct, const char *etag,
                                   const char *lm, bool store, bool local)
{
    struct net *n = ps->n;
    char sha[DP_SHA256_HEX];
    dp_sha256_hex(body, len, sha);
    if (ps->have_feed && strcmp(sha, ps->sha) == 0 && ps->base && strcmp(base, ps->base) == 0) {
        /* Same bytes: nothing to parse; keep newer validators. */
        bool changed = strcmp(etag ? etag : "", ps->etag ? ps->etag : "") != 0 ||
                       strcmp(lm ? lm : "", ps->last_modified ? ps->last_modified : "") != 0;
        if (store && changed) {
            cache_store_feed_ex(n->cache, n->cfg.feed_url, base, body, len, ct, etag, lm);
            set_str(&ps->etag, etag);
            set_str(&ps->last_modified, lm);
        }
        return POLL_NOT_MODIFIED;
    }
    char *sig = NULL;
    size_t sig_len = 0;
    if (ps->verify) {
        char why[200] = "";
        if (ps->key_ok)
            sig = fetch_signature(ps, local, &sig_len, why, sizeof why);
        if (net_stopping(n)) {
            free(sig);
            snprintf(ps->error, sizeof ps->error, "stopped");
            return POLL_ERROR;
        }
        if (why[0] || verify_signature(ps, body, len, sig, sig_len, why, sizeof why) != 0) {
            free(sig);
            snprintf(ps->error, sizeof ps->error, "feed rejected: %s", why);
            return POLL_REJECTED;
        }
    }
    struct feed *feed = NULL;
    char err[200] = "";
    int r = feed_parse(body, len, base, ct, &feed, err, sizeof err, on_drop, n);
    if (r != FEED_OK || !feed) {
        free(sig);
        snprintf(ps->error, sizeof ps->error, "feed rejected: %s", err[0] ? err : "unusable");
        return POLL_REJECTED;
    }
    if (sig) {
        int e = cache_store_feed(n->cache, ps->sig_url, sig, sig_len, "text/plain", NULL, NULL);
        if (e < 0)
            LOG_W("net", "cannot keep the feed's signature: %s", strerror(-e));
        free(sig);
    }
    if (store) {
        int e = cache_store_feed_ex(n->cache, n->cfg.feed_url, base, body, len, ct, etag, lm);
        if (e < 0) {
            LOG_W("net", "cannot keep the feed in the cache: %s", strerror(-e));
            struct net_event ev = {.type = NET_EV_ERROR,
                                   .item = "cache",
                                   .items = -1,
                                   .bytes = -1,
                                   .error = "cannot store the feed"};
            net_emit(n, &ev);
        }
    }
    set_str(&ps->etag, store ? etag : NULL);
    set_str(&ps->last_modified, store ? lm : NULL);
    set_str(&ps->base, base);
    memcpy(ps->sha, sha, sizeof sha);
    publish(ps, feed);
    return POLL_UPDATED;
}

static int sink_write(void *ctx, const void *data, size_t len)
{
    return dp_buf_append(ctx, data, len) < 0 ? -EFBIG : 0;
}

static enum poll_outcome poll_remote(struct poll_state *ps)
{
    struct net *n = ps->n;
    struct dp_buf body;
    dp_buf_init(&body, DP_FEED_MAX_BYTES);
    struct http_req q = {
        .url = n->cfg.feed_url,
        .origin_url = n->cfg.feed_url,
        .extra_headers = n->cfg.headers,
        .ca_file = n->cfg.ca_file,
        .if_none_match = ps->have_feed ? ps->etag : NULL,
        .if_modified_since = ps->have_feed ? ps->last_modified : NULL,
        .accept_encoding = true,
        .refuse_html = true,
        .cap = DP_FEED_MAX_BYTES,
        .timeout_ms = NET_FEED_TIMEOUT_MS,
        .stop = &n->stop,
        .sink = {.write = sink_write, .ctx = &body},
    };
    struct http_resp r;
    enum http_result hr = http_perform(n->poll_client, &q, &r);
    ps->status = r.status;
    ps->retry_after_ms = r.retry_after_ms;
    ps->tls_error = r.tls_error;
    enum poll_outcome out = POLL_ERROR;
    switch (hr) {
    case HTTP_DONE:
        if (r.status == 304 && (q.if_none_match || q.if_modified_since)) {
            out = POLL_NOT_MODIFIED;
        } else if (r.status == 200) {
            out = take_body(ps, body.data ? body.data : "", body.len, r.effective_url,
                            r.content_type[0] ? r.content_type : NULL, r.etag, r.last_modified,
                            true, false);
        } else {
            snprintf(ps->error, sizeof ps->error, "HTTP %ld", r.status);
        }
        break;
    case HTTP_E_TOO_LARGE:
    case HTTP_E_HTML:
        out = POLL_REJECTED;
        snprintf(ps->error, sizeof ps->error, "%s", r.error);
        break;
    case HTTP_E_SINK:
        out = POLL_REJECTED;
        snprintf(ps->error, sizeof ps->error, "feed larger than %ld bytes", DP_FEED_MAX_BYTES);
        break;
    default:
        snprintf(ps->error, sizeof ps->error, "%s", r.error[0] ? r.error : "failed");
        break;
    }
    dp_buf_finish(&body);
    return out;
}

static enum poll_outcome poll_local(struct poll_state *ps)
{
    struct net *n = ps->n;
    char *path = url_to_path(n->cfg.feed_url);
    if (!path) {
        snprintf(ps->error, sizeof ps->error, "not a usable path");
        return POLL_ERROR;
    }
    enum poll_outcome out = POLL_ERROR;
    struct stat st;
    if (stat(path, &st) < 0) {
        snprintf(ps->error, sizeof ps->error, "%s: %s", path, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        struct feed *feed = NULL;
        char err[200] = "";
        if (feed_read_folder_ex(path, n->cfg.follow_symlinks, &feed, err, sizeof err) != FEED_OK ||
            !feed) {
            snprintf(ps->error, sizeof ps->error, "folder rejected: %s", err);
            out = POLL_REJECTED;
        } else {
            char *json = feed_to_json(feed);
            char sha[DP_SHA256_HEX];
            dp_sha256_hex(json ? json : "", json ? strlen(json) : 0, sha);
            free(json);
            if (ps->have_feed && strcmp(sha, ps->sha) == 0) {
                feed_unref(feed);
                out = POLL_NOT_MODIFIED;
            } else {
                memcpy(ps->sha, sha, sizeof sha);
                publish(ps, feed);
                out = POLL_UPDATED;
            }
        }
    } else {
        char *body = NULL;
        size_t len = 0;
        int e = dp_read_file(path, DP_FEED_MAX_BYTES, &body, &len);
        if (e == -EFBIG) {
            snprintf(ps->error, sizeof ps->error, "feed larger than %ld bytes", DP_FEED_MAX_BYTES);
            out = POLL_REJECTED;
        } else if (e < 0) {
            snprintf(ps->error, sizeof ps->error, "%s: %s", path,
                     e == -EINVAL ? "not a regular file (a FIFO or a device?)" : strerror(-e));
        } else {
            out = take_body(ps, body, len, n->cfg.feed_url, NULL, NULL, NULL, false, true);
        }
        free(body);
    }
    free(path);
    return out;
}

static int64_t next_delay(struct poll_state *ps, enum poll_outcome out)
{
    struct net *n = ps->n;
    int64_t interval = n->cfg.poll_interval_ms;
    if (out == POLL_UPDATED || out == POLL_NOT_MODIFIED) {
        ps->failures = 0;
        return net_jitter(n, interval, 10);
    }
    ps->failures++;
    int shift = ps->failures - 1 > 20 ? 20 : ps->failures - 1;
    int64_t cap = interval > DP_BACKOFF_MAX_MS ? interval : DP_BACKOFF_MAX_MS;
    int64_t delay = interval << shift;
    if (delay > cap)
        delay = cap;
    delay = net_jitter(n, delay, 10);
    if ((ps->status == 429 || ps->status == 503) && ps->retry_after_ms > 0) {
        int64_t ra = ps->retry_after_ms;
        if (ra > NET_RETRY_AFTER_MAX_MS)
            ra = NET_RETRY_AFTER_MAX_MS;
        if (ra > delay)
            delay = ra;
    }
    if (ps->tls_error && dp_wall_clock_suspect(dp_wall_ms()) && delay > interval)
        delay = interval; /* certificates fail until NTP has set the clock */
    return delay;
}

void *net_poller_main(void *arg)
{
    struct net *n = arg;
    struct poll_state ps = {.n = n, .items = -1};
    bool local = url_is_local(n->cfg.feed_url);
    ps.sig_url = dp_strfmt("%s.minisig", n->cfg.feed_url);
    if (n->cfg.public_key) {
        ps.verify = true;
        ps.key_ok = minisign_parse_pubkey(n->cfg.public_key, &ps.key, ps.key_error,
                                          sizeof ps.key_error) == 0;
        if (!ps.key_ok)
            LOG_E("net", "public_key unusable (%s): every feed will be rejected", ps.key_error);
    }
    int64_t last_flush = dp_mono_ms();

    if (dp_wall_clock_suspect(dp_wall_ms())) {
        LOG_W("net", "the wall clock is before this build's date: TLS certificate checks "
                     "will fail until it is set (NTP)");
        struct net_event ev = {.type = NET_EV_ERROR,
                               .item = "clock",
                               .items = -1,
                               .bytes = -1,
                               .error = "wall clock before the build date"};
        net_emit(n, &ev);
    }
    if (!local)
        load_cached(&ps);

    pthread_mutex_lock(&n->lock);
    while (!net_stopping(n)) {
        n->poll_due_ms = 0;
        n->poll_started_ms = dp_mono_ms();
        pthread_mutex_unlock(&n->lock);

        ps.status = 0;
        ps.retry_after_ms = -1;
        ps.tls_error = false;
        ps.error[0] = '\0';
        int64_t t0 = dp_mono_ms();
        enum poll_outcome out = local ? poll_local(&ps) : poll_remote(&ps);
        if (net_stopping(n)) {
            pthread_mutex_lock(&n->lock);
            break;
        }
        bool ok = out == POLL_UPDATED || out == POLL_NOT_MODIFIED;
        struct net_event ev = {
            .type = NET_EV_POLL,
            .url = n->cfg.feed_url,
            .status = (int)ps.status,
            .result = outcome_name[out],
            .items = ok && ps.have_feed ? ps.items : -1,
            .bytes = -1,
            .error = ok ? NULL : ps.error,
        };
        /* The shared figures first, so that a reader woken by the event
         * sees them. */
        pthread_mutex_lock(&n->lock);
        int64_t now_wall = dp_wall_ms();
        n->last_poll_wall_ms = now_wall;
        if (ok) {
            n->last_success_wall_ms = now_wall;
            n->last_error[0] = '\0';
        } else {
            snprintf(n->last_error, sizeof n->last_error, "%s", ps.error);
        }
        int64_t delay = next_delay(&ps, out);
        pthread_mutex_unlock(&n->lock);

        if (ok)
            LOG_I("net", "poll %s: %s (%ld, %" PRId64 " ms)", n->cfg.feed_url, outcome_name[out],
                  ps.status, dp_mono_ms() - t0);
        else
            LOG_W("net", "poll %s: %s: %s; next in %" PRId64 " s", n->cfg.feed_url,
                  outcome_name[out], ps.error, delay / 1000);
        net_emit(n, &ev);
        if (dp_mono_ms() - last_flush >= NET_FLUSH_INTERVAL_MS) {
            cache_flush(n->cache); /* shown times, for eviction order */
            last_flush = dp_mono_ms();
        }

        pthread_mutex_lock(&n->lock);
        int64_t deadline = dp_mono_ms() + delay;
        for (;;) {
            int64_t now = dp_mono_ms(), wake = deadline;
            if (net_stopping(n) || now >= deadline || net_poll_due(n, now, &wake))
                break;
            net_wait_until(&n->poll_cond, &n->lock, wake);
        }
    }
    pthread_mutex_unlock(&n->lock);
    free(ps.etag);
    free(ps.last_modified);
    free(ps.base);
    free(ps.sig_url);
    return NULL;
}
