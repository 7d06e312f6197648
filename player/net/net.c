/* net/ lifecycle and shared state: start, stop, the wanted list, progress.
 *
 * DESIGN: one poller thread (poller.c) and DP_DOWNLOADERS downloader
 * threads (downloader.c) share struct net under one mutex. Threads sleep
 * on condition variables bound to the monotonic clock. net_stop sets an
 * atomic flag, broadcasts both conditions and wakes every curl client
 * (curl_multi_wakeup), so a transfer stalled on a silent server ends at
 * once; then it joins the threads. Callbacks are called without the lock. */
#include "net/net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/strset.h"
#include "base/xalloc.h"
#include "cache/cache.h"
#include "net/net_internal.h"

void net_emit(struct net *n, const struct net_event *ev)
{
    if (n->cb.on_event)
        n->cb.on_event(n->cb.ctx, ev);
}

bool net_stopping(struct net *n)
{
    return atomic_load(&n->stop);
}

int64_t net_jitter(struct net *n, int64_t ms, int pct)
{
    /* xorshift64: jitter needs no quality, only independence of screens. */
    n->rng ^= n->rng << 13;
    n->rng ^= n->rng >> 7;
    n->rng ^= n->rng << 17;
    int64_t span = ms * pct / 100;
    if (span <= 0)
        return ms;
    return ms - span + (int64_t)(n->rng % (uint64_t)(2 * span + 1));
}

void net_wait_until(pthread_cond_t *cond, pthread_mutex_t *lock, int64_t deadline_ms)
{
    int64_t now = dp_mono_ms();
    if (deadline_ms <= now)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t wait = deadline_ms - now;
    ts.tv_sec += wait / 1000;
    ts.tv_nsec += (wait % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(cond, lock, &ts);
}

static void init_cond(pthread_cond_t *c)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(c, &a);
    pthread_condattr_destroy(&a);
}

static void free_config(struct net_config *c)
{
    free((char *)c->feed_url);
    free((char *)c->headers);
    free((char *)c->ca_file);
    free((char *)c->public_key);
    free((char *)c->notify_url);
}

/* The push threads: MQTT when [feed] notify is set, the Mastodon stream
 * when the feed is a Mastodon account's and the headers carry a token.
 * A thread that cannot start is logged; polls go on without it. */
static void start_push(struct net *n)
{
    if (n->cfg.notify_url) {
        if (pthread_create(&n->notify, NULL, net_notify_main, n) == 0)
            n->notify_started = true;
        else
            LOG_E("net", "cannot start the notify thread");
    }
    n->stream_url = net_stream_url(n->cfg.feed_url, n->cfg.headers, &n->stream_account);
    if (n->stream_url) {
        n->stream_client = http_client_create();
        if (n->stream_client && pthread_create(&n->stream, NULL, net_stream_main, n) == 0)
            n->stream_started = true;
        else
            LOG_E("net", "cannot start the streaming thread");
    }
}

struct net *net_start(const struct net_config *cfg, struct cache *cache,
                      const struct net_callbacks *cb)
{
    if (!cfg || !cfg->feed_url || !cache || !cb)
        return NULL;
    http_global_init();
    struct net *n = dp_calloc(1, sizeof *n);
    n->cfg = *cfg;
    n->cfg.feed_url = dp_strdup(cfg->feed_url);
    n->cfg.headers = cfg->headers && *cfg->headers ? dp_strdup(cfg->headers) : NULL;
    n->cfg.ca_file = cfg->ca_file && *cfg->ca_file ? dp_strdup(cfg->ca_file) : NULL;
    n->cfg.public_key = cfg->public_key && *cfg->public_key ? dp_strdup(cfg->public_key) : NULL;
    n->cfg.notify_url = cfg->notify_url && *cfg->notify_url ? dp_strdup(cfg->notify_url) : NULL;
    if (n->cfg.poll_interval_ms <= 0)
        n->cfg.poll_interval_ms = 60 * 1000;
    if (n->cfg.max_media_size <= 0)
        n->cfg.max_media_size = cache_max_media_size(cache);
    n->cache = cache;
    n->cb = *cb;
    n->rng = ((uint64_t)dp_wall_ms() << 20) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ULL;
    atomic_init(&n->stop, false);
    pthread_mutex_init(&n->lock, NULL);
    init_cond(&n->poll_cond);
    init_cond(&n->dl_cond);
    init_cond(&n->push_cond);

    n->poll_client = http_client_create();
    for (int i = 0; i < DP_DOWNLOADERS; i++)
        n->dl_clients[i] = http_client_create();
    for (int i = 0; i < DP_DOWNLOADERS; i++) {
        if (!n->dl_clients[i] || !n->poll_client) {
            LOG_E("net", "cannot set up libcurl");
            net_stop(n);
            return NULL;
        }
    }
    if (pthread_create(&n->poller, NULL, net_poller_main, n) != 0) {
        LOG_E("net", "cannot start the poller thread");
        net_stop(n);
        return NULL;
    }
    n->poller_started = true;
    for (int i = 0; i < DP_DOWNLOADERS; i++) {
        struct dl_arg *a = dp_malloc(sizeof *a);
        a->net = n;
        a->index = i;
        if (pthread_create(&n->downloaders[i], NULL, net_downloader_main, a) != 0) {
            free(a);
            LOG_E("net", "cannot start a downloader thread");
            net_stop(n);
            return NULL;
        }
        n->n_downloaders++;
    }
    start_push(n);
    return n;
}

void net_stop(struct net *n)
{
    if (!n)
        return;
    atomic_store(&n->stop, true);
    pthread_mutex_lock(&n->lock);
    pthread_cond_broadcast(&n->poll_cond);
    pthread_cond_broadcast(&n->dl_cond);
    pthread_cond_broadcast(&n->push_cond);
    http_client_wake(n->poll_client);
    http_client_wake(n->stream_client);
    for (int i = 0; i < DP_DOWNLOADERS; i++)
        http_client_wake(n->dl_clients[i]);
    pthread_mutex_unlock(&n->lock);
    if (n->poller_started)
        pthread_join(n->poller, NULL);
    for (int i = 0; i < n->n_downloaders; i++)
        pthread_join(n->downloaders[i], NULL);
    if (n->notify_started)
        pthread_join(n->notify, NULL);
    if (n->stream_started)
        pthread_join(n->stream, NULL);
    http_client_destroy(n->stream_client);
    free(n->stream_url);
    free(n->stream_account);
    http_client_destroy(n->poll_client);
    for (int i = 0; i < DP_DOWNLOADERS; i++)
        http_client_destroy(n->dl_clients[i]);
    for (size_t i = 0; i < n->n_wanted; i++)
        free(n->wanted[i]);
    free(n->wanted);
    for (size_t i = 0; i < n->n_states; i++)
        free(n->states[i].url);
    free(n->states);
    for (int i = 0; i < DP_DOWNLOADERS; i++)
        free(n->slots[i].url);
    pthread_cond_destroy(&n->poll_cond);
    pthread_cond_destroy(&n->dl_cond);
    pthread_cond_destroy(&n->push_cond);
    pthread_mutex_destroy(&n->lock);
    free_config(&n->cfg);
    free(n);
}

void net_poll_now(struct net *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->lock);
    int64_t now = dp_mono_ms();
    if (!n->poll_due_ms || n->poll_due_ms > now)
        n->poll_due_ms = now;
    pthread_cond_signal(&n->poll_cond);
    pthread_mutex_unlock(&n->lock);
}

void net_push_poll(struct net *n)
{
    pthread_mutex_lock(&n->lock);
    if (!n->poll_due_ms) {
        int64_t j = n->cfg.notify_jitter_ms;
        int64_t delay = j > 0 ? net_jitter(n, j / 2, 100) : 0; /* 0 .. j */
        n->poll_due_ms = dp_mono_ms() + delay;
        pthread_cond_signal(&n->poll_cond);
    }
    pthread_mutex_unlock(&n->lock);
}

bool net_poll_due(struct net *n, int64_t now, int64_t *wake)
{
    if (!n->poll_due_ms)
        return false;
    int64_t due = n->poll_due_ms;
    if (due < n->poll_started_ms + NET_POLL_COALESCE_MS)
        due = n->poll_started_ms + NET_POLL_COALESCE_MS;
    if (now >= due)
        return true;
    if (due < *wake)
        *wake = due;
    return false;
}

void net_push_report(struct net *n, const char *channel, const char *state, int64_t messages,
                     int64_t connects, const char *error)
{
    struct net_push_status st = {
        .channel = channel,
        .state = state,
        .messages = messages,
        .connects = connects,
        .error = error && *error ? error : NULL,
    };
    if (n->cb.on_push)
        n->cb.on_push(n->cb.ctx, &st);
}

int64_t net_push_backoff(struct net *n, int failures)
{
    int shift = failures - 1 < 0 ? 0 : failures - 1 > 20 ? 20 : failures - 1;
    int64_t delay = NET_NOTIFY_RETRY_MIN_MS << shift;
    if (delay > DP_BACKOFF_MAX_MS)
        delay = DP_BACKOFF_MAX_MS;
    pthread_mutex_lock(&n->lock);
    delay = net_jitter(n, delay, 10);
    pthread_mutex_unlock(&n->lock);
    return delay;
}

bool net_sleep(struct net *n, int64_t ms)
{
    pthread_mutex_lock(&n->lock);
    int64_t deadline = dp_mono_ms() + ms;
    while (!net_stopping(n) && dp_mono_ms() < deadline)
        net_wait_until(&n->push_cond, &n->lock, deadline);
    pthread_mutex_unlock(&n->lock);
    return !net_stopping(n);
}

void net_set_wanted(struct net *n, const char *const *urls, size_t n_urls)
{
    if (!n)
        return;
    /* Linear in n_urls (hash sets): this list has a URL per attachment of
     * every post in rotation (issue 8: the nested loops took seconds). */
    char **list = n_urls ? dp_calloc(n_urls, sizeof *list) : NULL;
    size_t count = 0;
    struct dp_strset seen;
    dp_strset_init(&seen, n_urls);
    for (size_t i = 0; i < n_urls; i++) {
        if (urls[i] && *urls[i] && dp_strset_add(&seen, urls[i], count, NULL))
            list[count++] = dp_strdup(urls[i]);
    }
    dp_strset_finish(&seen);
    /* Keep the failure state of URLs still wanted; drop the others. */
    struct url_state *states = count ? dp_calloc(count, sizeof *states) : NULL;
    for (size_t i = 0; i < count; i++)
        states[i].url = dp_strdup(list[i]);
    pthread_mutex_lock(&n->lock);
    struct dp_strset old_set;
    dp_strset_init(&old_set, n->n_states);
    for (size_t k = 0; k < n->n_states; k++)
        dp_strset_add(&old_set, n->states[k].url, k, NULL);
    for (size_t i = 0; i < count; i++) {
        size_t k = dp_strset_find(&old_set, list[i]);
        if (k != SIZE_MAX) {
            states[i].failures = n->states[k].failures;
            states[i].next_try_ms = n->states[k].next_try_ms;
        }
    }
    dp_strset_finish(&old_set);
    char **old = n->wanted;
    size_t n_old = n->n_wanted;
    struct url_state *old_states = n->states;
    size_t n_old_states = n->n_states;
    n->wanted = list;
    n->n_wanted = count;
    n->states = states;
    n->n_states = count;
    n->wanted_gen++;
    pthread_cond_broadcast(&n->dl_cond);
    pthread_mutex_unlock(&n->lock);
    for (size_t i = 0; i < n_old; i++)
        free(old[i]);
    free(old);
    for (size_t i = 0; i < n_old_states; i++)
        free(old_states[i].url);
    free(old_states);
    cache_set_rotation(n->cache, (const char *const *)urls, n_urls);
}

void net_refetch(struct net *n, const char *url)
{
    if (!n || !url)
        return;
    pthread_mutex_lock(&n->lock);
    for (size_t i = 0; i < n->n_states; i++) {
        if (strcmp(n->states[i].url, url) == 0) {
            n->states[i].failures = 0;
            n->states[i].next_try_ms = 0;
        }
    }
    pthread_cond_broadcast(&n->dl_cond);
    pthread_mutex_unlock(&n->lock);
}

void net_get_progress(struct net *n, struct net_progress *p)
{
    memset(p, 0, sizeof *p);
    if (!n)
        return;
    pthread_mutex_lock(&n->lock);
    for (size_t i = 0; i < n->n_wanted; i++) {
        if (!cache_has(n->cache, n->wanted[i]))
            p->pending++;
    }
    for (int i = 0; i < DP_DOWNLOADERS; i++) {
        if (n->slots[i].url) {
            p->active++;
            p->active_bytes += n->slots[i].bytes;
            p->active_total += n->slots[i].total > 0 ? n->slots[i].total : 0;
        }
    }
    p->last_poll_wall_ms = n->last_poll_wall_ms;
    p->last_success_wall_ms = n->last_success_wall_ms;
    snprintf(p->last_error, sizeof p->last_error, "%s", n->last_error);
    pthread_mutex_unlock(&n->lock);
}
