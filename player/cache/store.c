/* Downloads in progress (.part + .pmeta) and the last good feed of each
 * feed URL (feeds/<key>.body + .meta).
 *
 * A part record holds the URL, the validator of the part's bytes and the
 * number of bytes known to be durable (fsynced by the downloader, see
 * cache_part_checkpoint). A resume starts from there, never from bytes a
 * power cut may have left unwritten.
 *
 * A feed is stored body first, then its record (which holds the body's
 * SHA-256): a crash between the two leaves a new body beside an old record,
 * which is detected, and the old validators are then not used (a
 * conditional request with them could otherwise keep an old feed). */
#include "cache/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fileio.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cache/cache_internal.h"
#include "cache/record.h"

bool part_validator_usable(const char *etag)
{
    return etag && *etag && strncmp(etag, "W/", 2) != 0;
}

static bool has_validator(const char *etag, const char *last_modified)
{
    return part_validator_usable(etag) || (last_modified && *last_modified);
}

int cache_part_begin(struct cache *c, const char *url, struct cache_part *p)
{
    char key[DP_SHA256_HEX], part[CACHE_NAME_MAX], pmeta[CACHE_NAME_MAX];
    const int dfd = c->fd[CACHE_MEDIA];
    memset(p, 0, sizeof *p);
    cache_key(url, key);
    cache_path(c, "media", key, ".part", p->path, sizeof p->path);
    cache_name(key, ".part", part);
    cache_name(key, ".pmeta", pmeta);

    struct record r;
    struct stat st;
    bool resumable = record_load(dfd, pmeta, &r) == 0;
    if (resumable) {
        resumable = strcmp(r.url, url) == 0 && has_validator(r.etag, r.last_modified) &&
                    fstatat(dfd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
                    st.st_uid == geteuid() && st.st_nlink == 1;
        if (resumable) {
            p->have = st.st_size < r.size ? st.st_size : r.size;
            if (part_validator_usable(r.etag))
                snprintf(p->etag, sizeof p->etag, "%s", r.etag);
            if (r.last_modified)
                snprintf(p->last_modified, sizeof p->last_modified, "%s", r.last_modified);
        }
        record_finish(&r);
    }
    if (!resumable || p->have == 0) {
        unlinkat(dfd, pmeta, 0);
        p->have = 0;
        p->etag[0] = p->last_modified[0] = '\0';
    }
    int fd = dp_open_regular_at(dfd, part, O_WRONLY | O_CREAT, 0644);
    if (fd == -ELOOP || fd == -EINVAL) {
        /* A symlink, FIFO or device planted at the part's name: removed,
         * and the part made anew (never written through). */
        LOG_W("cache", "removing %s: not a regular file", p->path);
        unlinkat(dfd, part, 0);
        unlinkat(dfd, pmeta, 0);
        p->have = 0;
        p->etag[0] = p->last_modified[0] = '\0';
        fd = dp_open_regular_at(dfd, part, O_WRONLY | O_CREAT | O_EXCL, 0644);
    }
    if (fd < 0)
        return fd;
    int e = ftruncate(fd, p->have) < 0 ? -errno : 0;
    close(fd);
    return e;
}

int cache_part_open(struct cache *c, const char *url, int flags)
{
    char key[DP_SHA256_HEX], part[CACHE_NAME_MAX];
    cache_key(url, key);
    cache_name(key, ".part", part);
    return dp_open_regular_at(c->fd[CACHE_MEDIA], part, flags, 0644);
}

int cache_part_set_validator(struct cache *c, const char *url, const char *etag,
                             const char *last_modified)
{
    char key[DP_SHA256_HEX], pmeta[CACHE_NAME_MAX];
    cache_key(url, key);
    cache_name(key, ".pmeta", pmeta);
    if (!has_validator(etag, last_modified)) {
        unlinkat(c->fd[CACHE_MEDIA], pmeta, 0);
        return 0;
    }
    struct record r = {
        .url = (char *)url,
        .etag = (char *)etag,
        .last_modified = (char *)last_modified,
        .committed_ms = dp_wall_ms(),
    };
    return record_save(c->fd[CACHE_MEDIA], pmeta, &r);
}

int cache_part_checkpoint(struct cache *c, const char *url, int64_t durable_bytes)
{
    char key[DP_SHA256_HEX], pmeta[CACHE_NAME_MAX];
    cache_key(url, key);
    cache_name(key, ".pmeta", pmeta);
    struct record r;
    if (record_load(c->fd[CACHE_MEDIA], pmeta, &r) != 0)
        return 0; /* not resumable: nothing to record */
    r.size = durable_bytes;
    int e = record_save(c->fd[CACHE_MEDIA], pmeta, &r);
    record_finish(&r);
    return e;
}

void cache_part_discard(struct cache *c, const char *url)
{
    char key[DP_SHA256_HEX], n[CACHE_NAME_MAX];
    cache_key(url, key);
    cache_name(key, ".pmeta", n);
    unlinkat(c->fd[CACHE_MEDIA], n, 0);
    cache_name(key, ".part", n);
    unlinkat(c->fd[CACHE_MEDIA], n, 0);
}

/* ---- feeds ---- */

int cache_store_feed_ex(struct cache *c, const char *feed_url, const char *base_url,
                        const char *body, size_t len, const char *content_type, const char *etag,
                        const char *last_modified)
{
    char key[DP_SHA256_HEX], bp[CACHE_NAME_MAX], mp[CACHE_NAME_MAX];
    cache_key(feed_url, key);
    cache_name(key, ".body", bp);
    cache_name(key, ".meta", mp);
    int e = dp_write_atomic_at(c->fd[CACHE_FEEDS], bp, body, len);
    if (e < 0)
        return e;
    struct record r = {
        .url = (char *)feed_url,
        .base_url = (char *)base_url,
        .mime = (char *)content_type,
        .etag = (char *)etag,
        .last_modified = (char *)last_modified,
        .size = (int64_t)len,
        .committed_ms = dp_wall_ms(),
    };
    dp_sha256_hex(body, len, r.sha);
    return record_save(c->fd[CACHE_FEEDS], mp, &r);
}

int cache_store_feed(struct cache *c, const char *feed_url, const char *body, size_t len,
                     const char *content_type, const char *etag, const char *last_modified)
{
    return cache_store_feed_ex(c, feed_url, NULL, body, len, content_type, etag, last_modified);
}

int cache_load_feed_ex(struct cache *c, const char *feed_url, char **body, size_t *len,
                       char **content_type, char **etag, char **last_modified, char **base_url)
{
    char key[DP_SHA256_HEX], bp[CACHE_NAME_MAX], mp[CACHE_NAME_MAX];
    cache_key(feed_url, key);
    cache_name(key, ".body", bp);
    cache_name(key, ".meta", mp);
    char *data = NULL;
    size_t n = 0;
    int e = dp_read_regular_at(c->fd[CACHE_FEEDS], bp, DP_FEED_MAX_BYTES, &data, &n);
    if (e < 0)
        return e == -ENOENT ? -ENOENT : e;
    struct record r;
    bool have_meta = record_load(c->fd[CACHE_FEEDS], mp, &r) == 0;
    if (have_meta && strcmp(r.url, feed_url) != 0) {
        record_finish(&r);
        have_meta = false;
    }
    bool matches = false;
    if (have_meta) {
        char sha[DP_SHA256_HEX];
        dp_sha256_hex(data, n, sha);
        matches = (int64_t)n == r.size && strcmp(sha, r.sha) == 0;
        if (!matches)
            LOG_W("cache", "feed record of %s is older than its body: validators dropped",
                  feed_url);
    }
    *body = data;
    if (len)
        *len = n;
    if (content_type)
        *content_type = have_meta ? dp_strdup(r.mime) : NULL;
    if (etag)
        *etag = matches ? dp_strdup(r.etag) : NULL;
    if (last_modified)
        *last_modified = matches ? dp_strdup(r.last_modified) : NULL;
    if (base_url)
        *base_url = have_meta && r.base_url ? dp_strdup(r.base_url) : NULL;
    if (have_meta)
        record_finish(&r);
    return 0;
}

int cache_load_feed(struct cache *c, const char *feed_url, char **body, size_t *len,
                    char **content_type, char **etag, char **last_modified)
{
    return cache_load_feed_ex(c, feed_url, body, len, content_type, etag, last_modified, NULL);
}

int cache_prune_parts(struct cache *c, const char *const *keep, size_t n_keep)
{
    DIR *d = cache_opendir(c, CACHE_MEDIA);
    if (!d)
        return 0;
    struct dp_strset wanted;
    dp_strset_init(&wanted, n_keep);
    for (size_t i = 0; i < n_keep; i++)
        dp_strset_add(&wanted, keep[i], i, NULL);
    int removed = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!cache_is_key_name(de->d_name, ".pmeta"))
            continue;
        struct record r;
        if (record_load(c->fd[CACHE_MEDIA], de->d_name, &r) != 0)
            continue;
        if (dp_strset_find(&wanted, r.url) == SIZE_MAX) {
            LOG_I("cache", "dropping the unfinished download of %s: no longer wanted", r.url);
            cache_part_discard(c, r.url);
            removed++;
        }
        record_finish(&r);
    }
    closedir(d);
    dp_strset_finish(&wanted);
    return removed;
}
