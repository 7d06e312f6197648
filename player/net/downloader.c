/* The downloader threads: bring the wanted media into the cache.
 *
 * DESIGN: DP_DOWNLOADERS identical threads. Each takes, under net->lock,
 * the first wanted URL (newest posts first) that no other thread holds,
 * that is not in backoff and that is not cached; failing that, the first
 * cached one due for its daily revalidation. It marks it busy in its slot,
 * drops the lock, transfers into the URL's .part, and commits. So a URL is
 * never downloaded by two threads at once, and a new post does not wait
 * behind a large video.
 *
 * Parts: the validator (ETag or Last-Modified) is recorded before the first
 * byte is written; every NET_CHECKPOINT_MS (or NET_CHECKPOINT_BYTES on a
 * fast link) the part is fsynced and its durable length recorded, so a kill
 * or a power cut loses at most that much, and a fast link pays a bounded
 * number of fsyncs.
 * A resume sends Range + If-Range; a 200 answer restarts from zero.
 * Failures back off per URL; ENOSPC pauses every download (never playback). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cache/cache.h"
#include "feed/url.h"
#include "net/net_internal.h"

struct job {
    char *url;
    bool revalidate;
    char etag[256], last_modified[64]; /* of the cached file (revalidation) */
};

enum job_result {
    JOB_OK,
    JOB_NOT_MODIFIED,
    JOB_ERROR,
    JOB_REFUSED,
    JOB_DISK_FULL,
    JOB_STOPPED,
    JOB_RETRY_NOW
};

struct outcome {
    enum job_result result;
    long status;
    int64_t bytes;
    int64_t retry_after_ms;
    bool progressed; /* bytes were added to a resumable part */
    bool too_large;  /* refused for its size: will not change soon */
    char error[256];
};

/* The sink of one transfer into a part. */
struct part_sink {
    struct net *n;
    int slot;
    const char *url;
    int fd;
    int64_t have; /* bytes of the part before this transfer */
    int64_t base; /* where this body starts in the file */
    int64_t written;
    int64_t since_checkpoint;
    int64_t checkpoint_ms; /* monotonic time of the last checkpoint */
    int64_t logged_ms;     /* of the last progress line */
    int64_t total;         /* expected size, -1 when unknown */
    bool resumable;
    bool began;  /* sink_begin ran: the part holds this answer */
    bool hashed; /* hs covers the part's bytes so far */
    crypto_hash_sha256_state hs;
    char part_etag[256], part_lm[64];
    char etag[256], last_modified[64], mime[128];
};

static bool busy(struct net *n, const char *url)
{
    for (int i = 0; i < DP_DOWNLOADERS; i++) {
        if (n->slots[i].url && strcmp(n->slots[i].url, url) == 0)
            return true;
    }
    return false;
}

static bool revalidation_due(int64_t checked_ms)
{
    int64_t now = dp_wall_ms();
    if (dp_wall_clock_suspect(now))
        return false;
    return now - checked_ms >= DP_REVALIDATE_MS || checked_ms - now > DP_REVALIDATE_MS;
}

/* lock held. Fills job and marks it busy; else sets *wake_at. */
static bool pick(struct net *n, int self, struct job *job, int64_t *wake_at)
{
    int64_t now = dp_mono_ms();
    *wake_at = now + NET_IDLE_RECHECK_MS;
    if (now < n->pause_until_ms) {
        *wake_at = n->pause_until_ms;
        return false;
    }
    memset(job, 0, sizeof *job);
    for (int pass = 0; pass < 2 && !job->url; pass++) {
        for (size_t i = 0; i < n->n_wanted; i++) {
            const char *url = n->wanted[i];
            struct url_state *st = &n->states[i];
            if (busy(n, url))
                continue;
            if (st->next_try_ms > now) {
                if (st->next_try_ms < *wake_at)
                    *wake_at = st->next_try_ms;
                continue;
            }
            if (pass == 0) {
                if (cache_has(n->cache, url))
                    continue;
            } else {
                int64_t checked = 0;
                if (!cache_validators(n->cache, url, job->etag, sizeof job->etag,
                                      job->last_modified, sizeof job->last_modified, &checked) ||
                    !revalidation_due(checked))
                    continue;
                job->revalidate = true;
            }
            job->url = dp_strdup(url);
            break;
        }
    }
    if (!job->url)
        return false;
    n->slots[self].url = dp_strdup(job->url);
    n->slots[self].bytes = n->slots[self].total = 0;
    return true;
}

static void set_progress(struct part_sink *s, int64_t bytes, int64_t total)
{
    pthread_mutex_lock(&s->n->lock);
    s->n->slots[s->slot].bytes = bytes;
    if (total >= 0)
        s->n->slots[s->slot].total = total;
    pthread_mutex_unlock(&s->n->lock);
}

static int sink_begin(void *ctx, const struct http_resp *r)
{
    struct part_sink *s = ctx;
    s->began = true;
    snprintf(s->mime, sizeof s->mime, "%s", r->content_type);
    snprintf(s->etag, sizeof s->etag, "%s", r->etag);
    snprintf(s->last_modified, sizeof s->last_modified, "%s", r->last_modified);
    if (r->status == 206) {
        s->base = s->have;
        if (!s->etag[0] && !s->last_modified[0]) {
            snprintf(s->etag, sizeof s->etag, "%s", s->part_etag);
            snprintf(s->last_modified, sizeof s->last_modified, "%s", s->part_lm);
        }
        s->resumable = true;
        s->total = r->range_total;
        set_progress(s, s->base, r->range_total);
        return 0;
    }
    /* A whole body: start the part again. */
    s->base = 0;
    crypto_hash_sha256_init(&s->hs);
    s->hashed = true;
    if (ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0)
        return -1;
    if (cache_part_set_validator(s->n->cache, s->url, s->etag, s->last_modified) < 0)
        return -1;
    s->resumable = (s->etag[0] && strncmp(s->etag, "W/", 2) != 0) || s->last_modified[0];
    s->total = r->content_length;
    set_progress(s, 0, r->content_length);
    return 0;
}

static int sink_write(void *ctx, const void *data, size_t len)
{
    struct part_sink *s = ctx;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(s->fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        left -= (size_t)w;
    }
    if (s->hashed)
        crypto_hash_sha256_update(&s->hs, data, len);
    s->written += (int64_t)len;
    s->since_checkpoint += (int64_t)len;
    int64_t now = dp_mono_ms();
    if (s->resumable && (s->since_checkpoint >= NET_CHECKPOINT_BYTES ||
                         now - s->checkpoint_ms >= NET_CHECKPOINT_MS)) {
        if (fsync(s->fd) < 0)
            return -errno;
        int e = cache_part_checkpoint(s->n->cache, s->url, s->base + s->written);
        if (e < 0)
            return e;
        s->since_checkpoint = 0;
        s->checkpoint_ms = now;
    }
    set_progress(s, s->base + s->written, -1);
    if (now - s->logged_ms >= NET_PROGRESS_LOG_MS) {
        s->logged_ms = now;
        if (s->total > 0)
            LOG_I("net", "downloading %s: %" PRId64 " of %" PRId64 " bytes (%d%%)", s->url,
                  s->base + s->written, s->total, (int)((s->base + s->written) * 100 / s->total));
        else
            LOG_I("net", "downloading %s: %" PRId64 " bytes", s->url, s->base + s->written);
    }
    return 0;
}

/* Keeps what a broken transfer brought when it can be resumed. */
static bool keep_part(struct part_sink *s)
{
    if (!s->resumable || s->fd < 0)
        return false;
    if (fsync(s->fd) < 0)
        return false;
    return cache_part_checkpoint(s->n->cache, s->url, s->base + s->written) == 0;
}

/* Hashes the part's first s->have bytes (a resume), so that the commit
 * need not read the whole file again. False when stopped meanwhile. */
static bool hash_prefix(struct net *n, struct part_sink *s)
{
    crypto_hash_sha256_init(&s->hs);
    s->hashed = true;
    if (s->have == 0)
        return true;
    int fd = cache_part_open(n->cache, s->url, O_RDONLY);
    unsigned char buf[65536];
    int64_t left = s->have;
    while (fd >= 0 && left > 0) {
        if (net_stopping(n)) {
            close(fd);
            return false;
        }
        ssize_t r = read(fd, buf, left < (int64_t)sizeof buf ? (size_t)left : sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        crypto_hash_sha256_update(&s->hs, buf, (unsigned long long)r);
        left -= r;
    }
    if (fd >= 0)
        close(fd);
    s->hashed = left == 0; /* else the commit hashes the file itself */
    return true;
}

static void hash_hex(crypto_hash_sha256_state *hs, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(hs, h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static bool is_disk_full(int e)
{
    return e == -ENOSPC || e == -EDQUOT;
}

static void run_http(struct net *n, int slot, const struct job *job, struct outcome *o)
{
    struct cache_part p;
    int e = cache_part_begin(n->cache, job->url, &p);
    if (e < 0) {
        o->result = is_disk_full(e) ? JOB_DISK_FULL : JOB_ERROR;
        snprintf(o->error, sizeof o->error, "cannot prepare the download: %s", strerror(-e));
        return;
    }
    struct part_sink s = {.n = n,
                          .slot = slot,
                          .url = job->url,
                          .have = p.have,
                          .checkpoint_ms = dp_mono_ms(),
                          .logged_ms = dp_mono_ms(),
                          .total = -1};
    if (job->revalidate)
        s.have = 0;
    snprintf(s.part_etag, sizeof s.part_etag, "%s", p.etag);
    snprintf(s.part_lm, sizeof s.part_lm, "%s", p.last_modified);
    s.fd = cache_part_open(n->cache, job->url, O_WRONLY);
    if (s.fd < 0 || lseek(s.fd, s.have, SEEK_SET) < 0) {
        int err = s.fd < 0 ? -s.fd : errno;
        o->result = JOB_ERROR;
        snprintf(o->error, sizeof o->error, "cannot open the part: %s", strerror(err));
        if (s.fd >= 0)
            close(s.fd);
        return;
    }
    if (!hash_prefix(n, &s)) {
        o->result = JOB_STOPPED;
        close(s.fd);
        return;
    }
    struct http_req q = {
        .url = job->url,
        .origin_url = n->cfg.feed_url,
        .extra_headers = n->cfg.headers,
        .ca_file = n->cfg.ca_file,
        .if_none_match = job->revalidate ? job->etag : NULL,
        .if_modified_since = job->revalidate ? job->last_modified : NULL,
        .range_from = s.have,
        .if_range = p.etag[0] ? p.etag : p.last_modified,
        .refuse_html = true,
        .cap = n->cfg.max_media_size,
        .stop = &n->stop,
        .sink = {.begin = sink_begin, .write = sink_write, .ctx = &s},
    };
    if (s.have > 0)
        LOG_I("net", "resuming %s at %" PRId64 " bytes", job->url, s.have);
    struct http_resp r;
    enum http_result hr = http_perform(n->dl_clients[slot], &q, &r);
    o->status = r.status;
    o->bytes = r.body_bytes;
    o->retry_after_ms = r.retry_after_ms;
    bool discard = true;
    switch (hr) {
    case HTTP_DONE:
        if (r.status == 200 || r.status == 206) {
            int64_t total = s.base + s.written;
            bool complete = r.status == 200 ? (r.content_length < 0 || total == r.content_length)
                                            : (r.range_total < 0 || total == r.range_total);
            if (!complete) {
                o->result = JOB_ERROR;
                snprintf(o->error, sizeof o->error, "body ended at %" PRId64 " bytes", total);
                discard = !keep_part(&s);
                o->progressed = !discard && s.written > 0;
                break;
            }
            close(s.fd);
            s.fd = -1;
            const char *mime = s.mime[0] ? s.mime : NULL;
            if (s.hashed) {
                char hex[65];
                hash_hex(&s.hs, hex);
                e = cache_commit_hashed(n->cache, job->url, hex, total, s.etag, s.last_modified,
                                        mime);
            } else {
                e = cache_commit(n->cache, job->url, s.etag, s.last_modified, mime);
            }
            if (e == 0) {
                o->result = JOB_OK;
                discard = false;
            } else {
                o->result = is_disk_full(e) ? JOB_DISK_FULL
                            : e == -EFBIG   ? JOB_REFUSED
                                            : JOB_ERROR;
                o->too_large = e == -EFBIG;
                snprintf(o->error, sizeof o->error, "cannot store: %s", strerror(-e));
            }
        } else if (r.status == 304 && job->revalidate) {
            cache_mark_checked(n->cache, job->url, dp_wall_ms());
            o->result = JOB_NOT_MODIFIED;
        } else if (r.status == 416) {
            o->result = JOB_RETRY_NOW;
            snprintf(o->error, sizeof o->error, "HTTP 416: the part is restarted");
        } else {
            o->result = JOB_ERROR;
            snprintf(o->error, sizeof o->error, "HTTP %ld", r.status);
            discard = s.have == 0;
        }
        break;
    case HTTP_E_STOPPED:
    case HTTP_E_TRANSPORT:
        o->result = hr == HTTP_E_STOPPED ? JOB_STOPPED : JOB_ERROR;
        snprintf(o->error, sizeof o->error, "%s", r.error);
        /* Untouched when no body began: keep it if it holds bytes. */
        discard = s.began ? !keep_part(&s) : s.have == 0;
        o->progressed = !discard && s.written > 0;
        break;
    case HTTP_E_SINK:
        o->result = is_disk_full(r.sink_error) ? JOB_DISK_FULL : JOB_ERROR;
        snprintf(o->error, sizeof o->error, "%s", r.error);
        break;
    default: /* too large, HTML, redirect rules */
        o->result = JOB_REFUSED;
        o->too_large = hr == HTTP_E_TOO_LARGE;
        snprintf(o->error, sizeof o->error, "%s", r.error);
        break;
    }
    if (s.fd >= 0)
        close(s.fd);
    if (discard && o->result != JOB_OK)
        cache_part_discard(n->cache, job->url);
}

/* file:// media of a local feed: copied into the cache like a download. */
static void run_local(struct net *n, int slot, const struct job *job, struct outcome *o)
{
    o->result = JOB_ERROR;
    if (!url_is_local(n->cfg.feed_url)) {
        o->result = JOB_REFUSED;
        snprintf(o->error, sizeof o->error, "file: media in a remote feed");
        return;
    }
    char *src = url_to_path(job->url);
    /* O_NONBLOCK: a FIFO named by the feed must not hang the downloader. */
    int in = src ? open(src, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
    struct stat st;
    if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(o->error, sizeof o->error, "%s: %s", src ? src : job->url,
                 in < 0 ? strerror(errno) : "not a regular file");
        goto out;
    }
    if (st.st_size > n->cfg.max_media_size) {
        o->result = JOB_REFUSED;
        o->too_large = true;
        snprintf(o->error, sizeof o->error, "%lld bytes, limit %lld", (long long)st.st_size,
                 (long long)n->cfg.max_media_size);
        goto out;
    }
    struct cache_part p;
    cache_part_discard(n->cache, job->url);
    int e = cache_part_begin(n->cache, job->url, &p);
    struct part_sink s = {.n = n,
                          .slot = slot,
                          .url = job->url,
                          .fd = -1,
                          .checkpoint_ms = dp_mono_ms(),
                          .logged_ms = dp_mono_ms(),
                          .total = st.st_size};
    if (e == 0)
        s.fd = cache_part_open(n->cache, job->url, O_WRONLY | O_TRUNC);
    if (s.fd < 0) {
        snprintf(o->error, sizeof o->error, "cannot open the part: %s",
                 strerror(e < 0 ? -e : -s.fd));
        goto out;
    }
    set_progress(&s, 0, st.st_size);
    char buf[65536];
    for (;;) {
        if (net_stopping(n)) {
            o->result = JOB_STOPPED;
            break;
        }
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(o->error, sizeof o->error, "%s: %s", src, strerror(errno));
            break;
        }
        if (r == 0) {
            o->result = JOB_OK;
            break;
        }
        if (s.written + r > n->cfg.max_media_size) {
            o->result = JOB_REFUSED;
            o->too_large = true;
            snprintf(o->error, sizeof o->error, "over the limit of %lld bytes",
                     (long long)n->cfg.max_media_size);
            break;
        }
        e = sink_write(&s, buf, (size_t)r);
        if (e < 0) {
            o->result = is_disk_full(e) ? JOB_DISK_FULL : JOB_ERROR;
            snprintf(o->error, sizeof o->error, "cannot store: %s", strerror(-e));
            break;
        }
    }
    close(s.fd);
    o->bytes = s.written;
    if (o->result == JOB_OK) {
        e = cache_commit(n->cache, job->url, NULL, NULL, NULL);
        if (e < 0) {
            o->result = is_disk_full(e) ? JOB_DISK_FULL : JOB_ERROR;
            snprintf(o->error, sizeof o->error, "cannot store: %s", strerror(-e));
        }
    }
    if (o->result != JOB_OK)
        cache_part_discard(n->cache, job->url);
out:
    if (in >= 0)
        close(in);
    free(src);
}

/* lock held. */
static struct url_state *state_of(struct net *n, const char *url)
{
    for (size_t i = 0; i < n->n_states; i++) {
        if (strcmp(n->states[i].url, url) == 0)
            return &n->states[i];
    }
    return NULL;
}

/* lock held: the URL's next try after this outcome. */
static void schedule(struct net *n, const char *url, const struct outcome *o)
{
    struct url_state *st = state_of(n, url);
    int64_t now = dp_mono_ms();
    if (o->result == JOB_DISK_FULL) {
        int k = n->disk_full_count < 4 ? n->disk_full_count : 4;
        int64_t pause = NET_DISK_FULL_PAUSE_MS << k;
        if (pause > DP_BACKOFF_MAX_MS)
            pause = DP_BACKOFF_MAX_MS;
        n->disk_full_count++;
        n->pause_until_ms = now + net_jitter(n, pause, 10);
        LOG_W("net", "disk full: downloads paused for %" PRId64 " s", pause / 1000);
    } else if (o->result == JOB_OK) {
        n->disk_full_count = 0;
    }
    if (!st)
        return;
    switch (o->result) {
    case JOB_OK:
    case JOB_NOT_MODIFIED:
    case JOB_RETRY_NOW:
    case JOB_STOPPED:
        st->failures = 0;
        st->next_try_ms = 0;
        return;
    case JOB_REFUSED:
        if (o->too_large) { /* a size does not change soon: the longest wait */
            st->failures = 30;
            st->next_try_ms = now + net_jitter(n, DP_BACKOFF_MAX_MS, 10);
            return;
        }
        break; /* HTML (a captive portal), redirects: may pass */
    case JOB_DISK_FULL:
        return;
    case JOB_ERROR:
        break;
    }
    /* Progress on a resumable part: come back soon. */
    st->failures = o->progressed ? 1 : st->failures + 1;
    int shift = st->failures - 1 > 20 ? 20 : st->failures - 1;
    int64_t delay = NET_MEDIA_BACKOFF_MIN_MS << shift;
    if (delay > DP_BACKOFF_MAX_MS)
        delay = DP_BACKOFF_MAX_MS;
    delay = net_jitter(n, delay, 10);
    if ((o->status == 429 || o->status == 503) && o->retry_after_ms > delay)
        delay = o->retry_after_ms < NET_RETRY_AFTER_MAX_MS ? o->retry_after_ms
                                                           : NET_RETRY_AFTER_MAX_MS;
    st->next_try_ms = now + delay;
}

static const char *result_name(enum job_result r)
{
    switch (r) {
    case JOB_OK:
        return "ok";
    case JOB_NOT_MODIFIED:
        return "not_modified";
    case JOB_REFUSED:
        return "refused";
    default:
        return "error";
    }
}

/* lock held (dropped meanwhile). Once the wanted list has settled and no
 * download runs, parts of URLs no longer wanted are deleted. False when it
 * has to wait for the other downloader. */
static bool prune_parts(struct net *n)
{
    for (int i = 0; i < DP_DOWNLOADERS; i++) {
        if (n->slots[i].url)
            return false; /* the other downloader is busy: later */
    }
    unsigned gen = n->wanted_gen;
    size_t count = n->n_wanted;
    char **copy = dp_calloc(count ? count : 1, sizeof *copy);
    for (size_t i = 0; i < count; i++)
        copy[i] = dp_strdup(n->wanted[i]);
    n->pruned_gen = gen;
    pthread_mutex_unlock(&n->lock);
    cache_prune_parts(n->cache, (const char *const *)copy, count);
    for (size_t i = 0; i < count; i++)
        free(copy[i]);
    free(copy);
    pthread_mutex_lock(&n->lock);
    return true;
}

void *net_downloader_main(void *arg)
{
    struct dl_arg *a = arg;
    struct net *n = a->net;
    int self = a->index;
    free(a);

    pthread_mutex_lock(&n->lock);
    while (!net_stopping(n)) {
        struct job job;
        int64_t wake_at;
        if (!pick(n, self, &job, &wake_at)) {
            if (self == 0 && n->pruned_gen != n->wanted_gen && prune_parts(n))
                continue;
            net_wait_until(&n->dl_cond, &n->lock, wake_at);
            continue;
        }
        pthread_mutex_unlock(&n->lock);

        struct outcome o = {.result = JOB_ERROR, .retry_after_ms = -1};
        int64_t t0 = dp_mono_ms();
        if (url_is_local(job.url))
            run_local(n, self, &job, &o);
        else if (url_scheme_allowed(job.url, false))
            run_http(n, self, &job, &o);
        else {
            o.result = JOB_REFUSED;
            snprintf(o.error, sizeof o.error, "scheme not allowed");
        }

        pthread_mutex_lock(&n->lock);
        free(n->slots[self].url);
        n->slots[self].url = NULL;
        schedule(n, job.url, &o);
        pthread_mutex_unlock(&n->lock);

        if (o.result != JOB_STOPPED) {
            if (o.result == JOB_OK || o.result == JOB_NOT_MODIFIED)
                LOG_I("net", "download %s: %s, %" PRId64 " bytes in %" PRId64 " ms", job.url,
                      result_name(o.result), o.bytes, dp_mono_ms() - t0);
            else
                LOG_W("net", "download %s: %s: %s", job.url, result_name(o.result), o.error);
            struct net_event ev = {
                .type = NET_EV_DOWNLOAD,
                .url = job.url,
                .status = (int)o.status,
                .result = result_name(o.result),
                .items = -1,
                .bytes = o.bytes,
                .error = o.error[0] ? o.error : NULL,
            };
            net_emit(n, &ev);
            if (o.result == JOB_OK && n->cb.on_media)
                n->cb.on_media(n->cb.ctx, job.url);
        }
        free(job.url);
        pthread_mutex_lock(&n->lock);
    }
    pthread_mutex_unlock(&n->lock);
    return NULL;
}
