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
    int64_t next_try_ms;   /* monotonic */
};

/* What one downloader is doing (for net_get_progress). */
struct dl_slot {
    char *url;             /* NULL when idle */
    int64_t bytes, total;
};

struct net {
    struct net_config cfg;         /* strings owned (copies) */
    struct cache *cache;
    struct net_callbacks cb;
    atomic_bool stop;

    pthread_t poller;
    pthread_t downloaders[DP_DOWNLOADERS];
    int n_downloaders;
    bool poller_started;
    struct http_client *poll_client;
    struct http_client *dl_clients[DP_DOWNLOADERS];

    pthread_mutex_t lock;
    pthread_cond_t poll_cond;      /* poller: net_poll_now, stop */
    pthread_cond_t dl_cond;        /* downloaders: wanted list, stop */
    bool poll_now;
    char **wanted;
    size_t n_wanted;
    unsigned wanted_gen;           /* changes with each net_set_wanted */
    unsigned pruned_gen;           /* the list stale parts were pruned for */
    struct url_state *states;
    size_t n_states;
    struct dl_slot slots[DP_DOWNLOADERS];
    int64_t pause_until_ms;        /* monotonic; disk full */
    int disk_full_count;
    int64_t last_poll_wall_ms, last_success_wall_ms;
    char last_error[256];
    uint64_t rng;
};

void *net_poller_main(void *arg);
void *net_downloader_main(void *arg);   /* arg: struct dl_arg */

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
