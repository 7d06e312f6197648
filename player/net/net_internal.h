/* net/ internal: the state shared by net.c, poller.c and downloader.c.
 * Everything below `lock` is guarded by it. */
#ifndef DP_NET_INTERNAL_H
#define DP_NET_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/limits.h"
#include "net/http.h"
#include "net/net.h"

/* Per wanted URL: failures and when it may be tried again. */
struct url_state {
    char *url;
    int failures;
    int64_t next_try_ms; /* monotonic */
};

/* What one downloader is doing (for net_get_progress). */
struct dl_slot {
    char *url; /* NULL when idle */
    int64_t bytes, total;
};

struct net {
    struct net_config cfg; /* strings owned (copies) */
    struct cache *cache;
    struct net_callbacks cb;
    atomic_bool stop;

    pthread_t poller;
    pthread_t downloaders[DP_DOWNLOADERS];
    int n_downloaders;
    bool poller_started;
    struct http_client *poll_client;
    struct http_client *dl_clients[DP_DOWNLOADERS];
    pthread_t notify, stream; /* push threads (notify.c, stream.c) */
    bool notify_started, stream_started;
    char *stream_url;     /* Mastodon's streaming URL, or NULL */
    char *stream_account; /* the account id the feed is of */
    struct http_client *stream_client;

    pthread_mutex_t lock;
    pthread_cond_t poll_cond; /* poller: net_poll_now, net_push_poll, stop */
    pthread_cond_t dl_cond;   /* downloaders: wanted list, stop */
    pthread_cond_t push_cond; /* push threads' backoff sleeps: stop */
    int64_t poll_due_ms;      /* monotonic: a requested poll is due; 0: none */
    int64_t poll_started_ms;  /* monotonic: when the last poll began */
    char **wanted;
    size_t n_wanted;
    unsigned wanted_gen; /* changes with each net_set_wanted */
    unsigned pruned_gen; /* the list stale parts were pruned for */
    struct url_state *states;
    size_t n_states;
    struct dl_slot slots[DP_DOWNLOADERS];
    int64_t pause_until_ms; /* monotonic; disk full */
    int disk_full_count;
    int64_t last_poll_wall_ms, last_success_wall_ms;
    char last_error[256];
    uint64_t rng;
};

void *net_poller_main(void *arg);
/* The notify threads (notify.c: MQTT; stream.c: Mastodon streaming). */
void *net_notify_main(void *arg);
void *net_stream_main(void *arg);

/* A push said "poll now": a poll at a random time within
 * cfg.notify_jitter_ms, coalesced with any poll already requested (and at
 * most one requested poll per NET_POLL_COALESCE_MS). Any thread. */
void net_push_poll(struct net *n);
/* The poller's wait: true when a requested poll is due now; else *wake is
 * lowered to when it will be. lock held. */
bool net_poll_due(struct net *n, int64_t now, int64_t *wake);
/* Reports a push channel's state to cb.on_push (error "" reads as none).
 * Not under lock. */
void net_push_report(struct net *n, const char *channel, const char *state, int64_t messages,
                     int64_t connects, const char *error);
/* The reconnection delay after `failures` failed attempts in a row: the
 * poll backoff's doubling from NET_NOTIFY_RETRY_MIN_MS, capped at
 * DP_BACKOFF_MAX_MS, jittered by 10%. Takes the lock. */
int64_t net_push_backoff(struct net *n, int failures);
/* The Mastodon streaming URL for feed_url (an account's statuses, with an
 * Authorization header among headers), or NULL; *account gets the account
 * id. Both malloc'd. Pure. (stream.c) */
char *net_stream_url(const char *feed_url, const char *headers, char **account);
/* Sleeps until ms from now or net_stop. Returns false when stopping. */
bool net_sleep(struct net *n, int64_t ms);
void *net_downloader_main(void *arg); /* arg: struct dl_arg */

struct dl_arg {
    struct net *net;
    int index;
};

/* Helpers of net.c. */
void net_emit(struct net *n, const struct net_event *ev);
/* ms scaled by a random factor in [1 - pct/100, 1 + pct/100]. lock held. */
int64_t net_jitter(struct net *n, int64_t ms, int pct);
/* Waits on cond until deadline (monotonic ms) or a signal. lock held. */
void net_wait_until(pthread_cond_t *cond, pthread_mutex_t *lock, int64_t deadline_ms);
bool net_stopping(struct net *n);

#endif
