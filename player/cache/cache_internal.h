/* cache/ internal: the cache struct shared by cache.c and store.c. */
#ifndef DP_CACHE_INTERNAL_H
#define DP_CACHE_INTERNAL_H

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/strset.h"
#include "cache/record.h"

/* One complete media file. Owned by the cache's array; guarded by lock. */
struct entry {
    char key[DP_SHA256_HEX]; /* sha256(url): its file names */
    struct record rec;
    unsigned gen;  /* changes whenever the file is replaced */
    bool verified; /* SHA-256 checked since this start */
    bool dirty;    /* shown_ms changed; record not yet rewritten */
};

/* The three folders of the cache; cache->fd[] holds each one open. */
enum cache_sub { CACHE_FEEDS, CACHE_MEDIA, CACHE_INDEX, CACHE_SUBS };

struct cache {
    char *dir;
    /* The cache folder and its three folders, opened once (never through a
     * symlink): every file is opened, renamed and removed relative to them
     * (openat), so a folder swapped for a link later leads nowhere else. */
    int root_fd;
    int fd[CACHE_SUBS];
    int lock_fd; /* flock: one player per cache dir */
    int64_t max_size, max_media_size;
    pthread_mutex_t lock;    /* the fields below */
    pthread_mutex_t fs_lock; /* changes to media/ and index/ */
    struct entry **entries;
    size_t n_entries, cap_entries;
    /* Their positions in entries, by URL and by key (the keys point into
     * the entries; sized for cap_entries). */
    struct dp_strset by_url, by_key;
    int64_t total;
    unsigned gen;
    char **keep; /* the rotation's URLs */
    size_t n_keep;
    struct dp_strset keep_set; /* of keep: eviction asks it once per file */
};

/* "<dir>/<sub>/<key><suffix>": the name shown in messages and tests. */
void cache_path(const struct cache *c, const char *sub, const char *key, const char *suffix,
                char *out, size_t cap);
/* "<key><suffix>": a file's name in its folder (cache->fd[...]). */
#define CACHE_NAME_MAX (DP_SHA256_HEX + 16)
void cache_name(const char *key, const char *suffix, char out[CACHE_NAME_MAX]);
/* A listing of the folder sub (closedir it); NULL when it cannot be read. */
DIR *cache_opendir(struct cache *c, enum cache_sub sub);
/* True when etag may be used in If-Range (a strong validator). */
bool part_validator_usable(const char *etag);

#endif
