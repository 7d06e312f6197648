/* The network side (playback.md "Network"): a poller thread that fetches
 * and parses the feed, and DP_DOWNLOADERS downloader threads that bring the
 * media into the cache. It never touches SDL or the screen: results go back
 * through the callbacks it is given, which are called on net's threads and
 * must not block (app/ posts them to its message queue).
 *
 * DESIGN: one poller thread waits on a condition variable until the next
 * poll time (monotonic) or net_poll_now(). Local feeds (file:// URLs, paths,
 * folders) are read by the same thread without curl. Downloaders take URLs
 * from the wanted list in order (newest posts first). With [feed] notify a
 * notify thread keeps an MQTT subscription (notify.c), and for a Mastodon
 * account feed with a token a stream thread follows the streaming API
 * (stream.c); both only ask the poller for a poll. */
#ifndef DP_NET_H
#define DP_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cache;
struct feed;

enum net_event_type { NET_EV_POLL, NET_EV_DOWNLOAD, NET_EV_SKIP, NET_EV_ERROR };

/* A play-log event from net (interface.md). Strings are valid during the
 * callback only. Fields that do not apply are NULL / -1. */
struct net_event {
    enum net_event_type type;
    const char *url;
    int status;         /* HTTP status or 0 */
    const char *result; /* poll: updated, not_modified, error, rejected;
                               download: ok, not_modified, error, refused */
    long items;         /* poll: posts after parsing, -1 when n/a */
    int64_t bytes;      /* download: bytes transferred, -1 when n/a */
    const char *error;  /* text, or NULL */
    const char *item;   /* skip: the post id; error: where */
    const char *reason; /* skip: reason */
};

/* The state of a push channel (the MQTT subscription, the Mastodon stream),
 * reported on each change and each message. Strings valid during the call. */
struct net_push_status {
    const char *channel; /* "mqtt" or "stream" */
    const char *state;   /* "connecting", "connected", "down" */
    int64_t messages;    /* messages (events) received since the start */
    int64_t connects;    /* successful connections since the start */
    const char *error;   /* the last failure, or NULL */
};

struct net_callbacks {
    /* A new feed was parsed (or loaded from the cache at start). Ownership
     * of one reference passes to the callee. */
    void (*on_feed)(void *ctx, struct feed *feed);
    /* url's media is now complete in the cache. */
    void (*on_media)(void *ctx, const char *url);
    void (*on_event)(void *ctx, const struct net_event *ev);
    /* A push channel changed state or got a message. May be NULL. */
    void (*on_push)(void *ctx, const struct net_push_status *st);
    void *ctx;
};

struct net_config {
    const char *feed_url; /* http(s) URL, file:// URL, or a local path */
    int64_t poll_interval_ms;
    const char *headers; /* "Name: value\n..." or NULL */
    const char *ca_file; /* or NULL */
    int64_t max_media_size;
    /* [feed] public_key (a minisign key line or .pub text) or NULL: when set,
     * a feed is used only with a valid <feed url>.minisig (interface.md). */
    const char *public_key;
    bool follow_symlinks; /* [feed] follow_symlinks, for a folder feed */
    /* [feed] notify: mqtt://[user:password@]host[:port]/topic or mqtts://,
     * or NULL. A message on the topic asks for a poll (net_push_poll). */
    const char *notify_url;
    int64_t notify_jitter_ms; /* a pushed poll waits a random 0..this */
};

/* Starts the threads. The first thing the poller does is load the last good
 * feed from the cache (on_feed) and then poll. NULL on failure. Main thread. */
struct net *net_start(const struct net_config *cfg, struct cache *cache,
                      const struct net_callbacks *cb);
/* Stops and joins every thread; transfers in progress are abandoned.
 * Blocks for at most about a second. NULL ok. Main thread. */
void net_stop(struct net *n);
/* Polls at once (SIGUSR1, SIGHUP); requests coalesce: at most one poll a
 * NET_POLL_COALESCE_MS however many come. Any thread, never blocks. */
void net_poll_now(struct net *n);
/* The media the rotation needs, in download order (newest posts first).
 * Copies the strings. Any thread, never blocks for long. */
void net_set_wanted(struct net *n, const char *const *urls, size_t n_urls);

/* url's cached copy was found broken (cache_media_path gave -EBADMSG) and
 * removed: fetch it again now rather than at the downloaders' next idle
 * check (at most NET_IDLE_RECHECK_MS, 10 s, later). Any thread, never
 * blocks for long. */
void net_refetch(struct net *n, const char *url);

struct net_progress {
    int pending;          /* media wanted and not yet cached */
    int active;           /* downloads running now */
    int64_t active_bytes; /* bytes received so far by running downloads */
    int64_t active_total; /* their expected total, 0 when unknown */
    int64_t last_poll_wall_ms, last_success_wall_ms;
    char last_error[256];
};
void net_get_progress(struct net *n, struct net_progress *p); /* never blocks long */

#endif
