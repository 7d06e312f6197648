/* cache/ internal: the cache struct shared by cache.c and store.c. */
#ifndef DP_CACHE_INTERNAL_H
#define DP_CACHE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cache/record.h"

/* One complete media file. Owned by the cache's array; guarded by lock. */
struct entry {
    char key[DP_SHA256_HEX]; /* sha256(url): its file names */
    struct record rec;
    unsigned gen;  /* changes whenever the file is replaced */
    bool verified; /* SHA-256 checked since this start */
    bool dirty;    /* shown_ms changed; record not yet rewritten */
};

struct cache {
    char *dir;
    int lock_fd; /* flock: one player per cache dir */
    int64_t max_size, max_media_size;
    pthread_mutex_t lock;    /* the fields below */
    pthread_mutex_t fs_lock; /* changes to media/ and index/ */
    struct entry **entries;
    size_t n_entries, cap_entries;
    int64_t total;
    unsigned gen;
    char **keep; /* the rotation's URLs */
    size_t n_keep;
};

/* "<dir>/<sub>/<key><suffix>" */
void cache_path(const struct cache *c, const char *sub, const char *key, const char *suffix,
                char *out, size_t cap);
/* True when etag may be used in If-Range (a strong validator). */
bool part_validator_usable(const char *etag);

#endif
