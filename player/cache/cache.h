/* The content store (playback.md "Offline cache").
 *
 * Layout under dir:  feeds/<sha256(url)>.body + .meta   the last good feed
 *                    media/<sha256(url)>                 complete, verified media
 *                    media/<sha256(url)>.part + .pmeta   a download in progress
 *                    index/<sha256(url)>.meta            one record per media file
 * Every write is atomic and durable (temp, fsync, rename, fsync dir); an
 * index record is written only after its media file is durable.
 *
 * The index is durable as one small text record per media file (see
 * cache/record.h: url, size, sha256, validators, committed/checked/shown
 * wall times), each replaced atomically; it is loaded into memory at open.
 * A .pmeta records the part's URL, validator and the bytes known durable.
 * Shown times are kept in memory and written by cache_flush/cache_close.
 * One process per cache dir (flock on <dir>/lock).
 * Only one thread may download a given URL at a time (net/ ensures it).
 *
 * Thread-safety: every function takes the cache's lock; the ones marked
 * "cheap" touch no disk and may be called from the drawing thread. That
 * lock is never held across disk I/O (see the DESIGN note in cache.c), so a
 * cheap call never waits behind a commit, a hash or an fsync. */
#ifndef DP_CACHE_H
#define DP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"

struct cache;

/* Opens (creating) the cache dir, removes leftovers (temp files, parts
 * without a validator, media without an index record), loads the index.
 * Returns NULL with a message in err when the dir cannot be used (exit 1). */
struct cache *cache_open(const char *dir, int64_t max_size, int64_t max_media_size, char *err,
                         size_t errlen);
void cache_close(struct cache *c); /* NULL ok */

/* Cheap: true when url has a complete media file recorded in the index. */
bool cache_has(struct cache *c, const char *url);
/* Blocking (disk): opens url's media (O_RDONLY, at its start; the caller
 * closes *fd) after checking its size (every call) and its SHA-256 (first
 * use after a start) on that descriptor, so what was checked is what is
 * read. On a mismatch the file and its record are deleted and -EBADMSG is
 * returned (the caller logs a skip and the downloader fetches it again).
 * -ENOENT when not cached. */
int cache_media_open(struct cache *c, const char *url, int *fd);
/* The same checks; path gets "<dir>/media/<key>", the file's name (for
 * messages and tools: a reader should use cache_media_open). */
int cache_media_path(struct cache *c, const char *url, char *path, size_t cap);
/* Cheap: records that url was shown (for least-recently-shown eviction). */
void cache_mark_shown(struct cache *c, const char *url, int64_t wall_ms);

/* A download in progress. */
struct cache_part {
    char path[4096]; /* its name, for messages (write through cache_part_open) */
    int64_t have;    /* bytes already there from an earlier attempt */
    char etag[256];  /* validator of those bytes ("" when none) */
    char last_modified[64];
};
/* Prepares url's .part: fills p; `have` > 0 only when a validator is known. */
int cache_part_begin(struct cache *c, const char *url, struct cache_part *p);
/* Opens url's part (begun with cache_part_begin) with flags (O_RDONLY,
 * O_WRONLY, O_TRUNC), in the cache's own media folder and never through a
 * symlink. The descriptor (caller closes) or a negative errno value. */
int cache_part_open(struct cache *c, const char *url, int flags);
/* Records the validator of the bytes being written (before writing them). */
int cache_part_set_validator(struct cache *c, const char *url, const char *etag,
                             const char *last_modified);
/* fsync the part, hash it, rename it into media/, fsync the dir, then write
 * the index record. Evicts to stay under max_size. 0 or negative errno. */
int cache_commit(struct cache *c, const char *url, const char *etag, const char *last_modified,
                 const char *mime);
/* Same, when the caller hashed the part as it wrote it: sha256 (hex) and
 * size of the whole part. The part's size is checked; its bytes are not
 * read again. -EBADMSG (part deleted) when the size differs. */
int cache_commit_hashed(struct cache *c, const char *url, const char *sha256, int64_t size,
                        const char *etag, const char *last_modified, const char *mime);
/* The first durable_bytes of url's part have been fsynced by the caller:
 * a resume after a crash starts there. Downloader thread. 0 or -errno. */
int cache_part_checkpoint(struct cache *c, const char *url, int64_t durable_bytes);
/* Deletes the parts (and validators) of URLs not in keep: downloads that
 * will not be resumed. Blocking (disk scan); downloader thread. Returns the
 * number removed. */
int cache_prune_parts(struct cache *c, const char *const *keep, size_t n_keep);
/* Deletes url's .part and its validator. */
void cache_part_discard(struct cache *c, const char *url);
/* The validators of a complete file and when it was last checked with the
 * server, for the once-a-day conditional request. false when not cached. */
bool cache_validators(struct cache *c, const char *url, char *etag, size_t etag_cap,
                      char *last_modified, size_t lm_cap, int64_t *checked_wall_ms);
void cache_mark_checked(struct cache *c, const char *url, int64_t wall_ms);

/* The last good feed for feed_url. Stored atomically. */
int cache_store_feed(struct cache *c, const char *feed_url, const char *body, size_t len,
                     const char *content_type, const char *etag, const char *last_modified);
/* Loads it; the caller frees the strings. -ENOENT when there is none. */
int cache_load_feed(struct cache *c, const char *feed_url, char **body, size_t *len,
                    char **content_type, char **etag, char **last_modified);

/* Same, with the effective URL (after redirects) that relative URLs of the
 * feed resolve against; base_url may be NULL. Poller thread. */
int cache_store_feed_ex(struct cache *c, const char *feed_url, const char *base_url,
                        const char *body, size_t len, const char *content_type, const char *etag,
                        const char *last_modified);
/* Same; *base_url gets the stored effective URL or NULL (caller frees).
 * Validators are NULL when the record does not match the body. */
int cache_load_feed_ex(struct cache *c, const char *feed_url, char **body, size_t *len,
                       char **content_type, char **etag, char **last_modified, char **base_url);

/* Media not in keep are evicted first (least recently shown first) until the
 * total is under max_size. keep: the URLs of the current rotation (copied).
 * Eviction runs in cache_commit; this call only records the set, and it
 * touches the disk only when the cache is already over max_size (a lowered
 * max_size). net_set_wanted calls it with the wanted list. */
void cache_set_rotation(struct cache *c, const char *const *keep, size_t n_keep);
/* Blocking (disk): writes the shown times changed since the last flush. */
void cache_flush(struct cache *c);

struct cache_stats {
    int64_t bytes, files, max_bytes;
};
void cache_get_stats(struct cache *c, struct cache_stats *st); /* cheap */
const char *cache_dir(const struct cache *c);
int64_t cache_max_media_size(const struct cache *c); /* cheap */

#endif
