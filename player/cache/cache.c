/* The content store: in-memory index of complete media, verification,
 * commit, eviction. Record files: cache/record.c; feeds and parts:
 * cache/store.c.
 *
 * DESIGN: two locks. `lock` guards the in-memory index only and is never
 * held across disk I/O, so the cheap calls (cache_has, cache_mark_shown,
 * cache_get_stats) never wait for a disk. `fs_lock` serialises the changes
 * to media/ and index/ (commit, removal, eviction, record rewrites) so that
 * a removal never deletes a file a concurrent commit has just put in place.
 * Lock order: fs_lock, then lock. Hashing (long) runs under neither: an
 * entry's generation number tells whether it changed meanwhile.
 *
 * Durability order: the media file is fsynced and renamed into place, its
 * directory fsynced, and only then is its index record written (atomically).
 * On removal the record goes first. So after a crash: a record always
 * points at a complete file (checked again by size at open and by SHA-256
 * on first use), and a media file without a record is a leftover. */
#include "cache/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cache/cache_internal.h"
#include "cache/record.h"

/* lock held. O(1): the cheap calls (cache_has on the drawing thread, once
 * per wanted URL for the standby card) never grow with the cache. */
static struct entry *find(struct cache *c, const char *url)
{
    size_t i = dp_strset_find(&c->by_url, url);
    return i == SIZE_MAX ? NULL : c->entries[i];
}

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    record_finish(&e->rec);
    free(e);
}

/* lock held. Takes e out of the array (does not free it); the last entry
 * takes its place. */
static void detach(struct cache *c, struct entry *e)
{
    size_t i = dp_strset_find(&c->by_url, e->rec.url);
    if (i == SIZE_MAX || c->entries[i] != e)
        return;
    dp_strset_remove(&c->by_url, e->rec.url);
    dp_strset_remove(&c->by_key, e->key);
    struct entry *last = c->entries[--c->n_entries];
    if (last != e) {
        c->entries[i] = last;
        dp_strset_set_index(&c->by_url, last->rec.url, i);
        dp_strset_set_index(&c->by_key, last->key, i);
    }
    c->total -= e->rec.size;
}

/* lock held. Grows the array, and the indexes with it (rebuilt at twice
 * the size: amortised O(1) an entry). */
static void attach(struct cache *c, struct entry *e)
{
    if (c->n_entries == c->cap_entries) {
        c->cap_entries = c->cap_entries ? c->cap_entries * 2 : 64;
        c->entries = dp_realloc(c->entries, c->cap_entries * sizeof *c->entries);
        dp_strset_finish(&c->by_url);
        dp_strset_finish(&c->by_key);
        dp_strset_init(&c->by_url, c->cap_entries);
        dp_strset_init(&c->by_key, c->cap_entries);
        for (size_t i = 0; i < c->n_entries; i++) {
            dp_strset_add(&c->by_url, c->entries[i]->rec.url, i, NULL);
            dp_strset_add(&c->by_key, c->entries[i]->key, i, NULL);
        }
    }
    dp_strset_add(&c->by_url, e->rec.url, c->n_entries, NULL);
    dp_strset_add(&c->by_key, e->key, c->n_entries, NULL);
    c->entries[c->n_entries++] = e;
    c->total += e->rec.size;
}

/* lock held. */
static bool in_keep(const struct cache *c, const char *url)
{
    return dp_strset_find(&c->keep_set, url) != SIZE_MAX;
}

/* lock held (or the cache being closed). */
static void keep_free(struct cache *c)
{
    dp_strset_finish(&c->keep_set);
    for (size_t i = 0; i < c->n_keep; i++)
        free(c->keep[i]);
    free(c->keep);
    c->keep = NULL;
    c->n_keep = 0;
}

void cache_path(const struct cache *c, const char *sub, const char *key, const char *suffix,
                char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s/%s%s", c->dir, sub, key, suffix);
}

void cache_name(const char *key, const char *suffix, char out[CACHE_NAME_MAX])
{
    snprintf(out, CACHE_NAME_MAX, "%.64s%s", key, suffix);
}

/* fs_lock held, lock not held. Deletes the record first, then the file. */
static void unlink_media_files(struct cache *c, const char *key)
{
    char n[CACHE_NAME_MAX];
    cache_name(key, ".meta", n);
    unlinkat(c->fd[CACHE_INDEX], n, 0);
    fsync(c->fd[CACHE_INDEX]);
    unlinkat(c->fd[CACHE_MEDIA], key, 0);
}

/* Removes url's entry if it still has generation gen (any when gen is 0).
 * Takes fs_lock and lock. True when removed. */
static bool remove_entry(struct cache *c, const char *url, unsigned gen, const char *why)
{
    pthread_mutex_lock(&c->fs_lock);
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, url);
    if (!e || (gen && e->gen != gen)) {
        pthread_mutex_unlock(&c->lock);
        pthread_mutex_unlock(&c->fs_lock);
        return false;
    }
    detach(c, e);
    pthread_mutex_unlock(&c->lock);
    unlink_media_files(c, e->key);
    pthread_mutex_unlock(&c->fs_lock);
    LOG_W("cache", "removed %s: %s", url, why);
    entry_free(e);
    return true;
}

/* lock held: copies e's record so it can be written without the lock. */
static void snapshot(const struct entry *e, struct record *out)
{
    *out = e->rec;
    out->url = dp_strdup(e->rec.url);
    out->base_url = dp_strdup(e->rec.base_url);
    out->etag = dp_strdup(e->rec.etag);
    out->last_modified = dp_strdup(e->rec.last_modified);
    out->mime = dp_strdup(e->rec.mime);
}

/* fs_lock held. Rewrites the records of entries whose shown time changed. */
static void flush_dirty(struct cache *c)
{
    for (;;) {
        struct record r;
        char key[DP_SHA256_HEX];
        bool found = false;
        pthread_mutex_lock(&c->lock);
        for (size_t i = 0; i < c->n_entries; i++) {
            struct entry *e = c->entries[i];
            if (e->dirty) {
                e->dirty = false;
                snapshot(e, &r);
                memcpy(key, e->key, sizeof key);
                found = true;
                break;
            }
        }
        pthread_mutex_unlock(&c->lock);
        if (!found)
            return;
        char n[CACHE_NAME_MAX];
        cache_name(key, ".meta", n);
        int e = record_save(c->fd[CACHE_INDEX], n, &r);
        if (e < 0)
            LOG_W("cache", "cannot update %s/index/%s: %s", c->dir, n, strerror(-e));
        record_finish(&r);
    }
}

/* fs_lock held. Evicts until total <= max_size, never `protect`: media not
 * in the rotation first, then least recently shown (then oldest). */
static void evict(struct cache *c, const char *protect)
{
    for (;;) {
        pthread_mutex_lock(&c->lock);
        if (c->total <= c->max_size) {
            pthread_mutex_unlock(&c->lock);
            return;
        }
        struct entry *victim = NULL;
        bool victim_keep = false;
        for (size_t i = 0; i < c->n_entries; i++) {
            struct entry *e = c->entries[i];
            if (protect && strcmp(e->rec.url, protect) == 0)
                continue;
            bool keep = in_keep(c, e->rec.url);
            if (!victim || (!keep && victim_keep) ||
                (keep == victim_keep && (e->rec.shown_ms < victim->rec.shown_ms ||
                                         (e->rec.shown_ms == victim->rec.shown_ms &&
                                          e->rec.committed_ms < victim->rec.committed_ms)))) {
                victim = e;
                victim_keep = keep;
            }
        }
        if (!victim) {
            pthread_mutex_unlock(&c->lock);
            return;
        }
        detach(c, victim);
        pthread_mutex_unlock(&c->lock);
        unlink_media_files(c, victim->key);
        LOG_I("cache", "evicted %s (%" PRId64 " bytes%s)", victim->rec.url, victim->rec.size,
              victim_keep ? ", in rotation" : "");
        entry_free(victim);
    }
}

/* ---- opening: load the index, remove leftovers ---- */

static bool is_temp_name(const char *name)
{
    return strstr(name, ".tmp.") != NULL;
}

static const char *const sub_names[CACHE_SUBS] = {"feeds", "media", "index"};

DIR *cache_opendir(struct cache *c, enum cache_sub sub)
{
    int copy = dup(c->fd[sub]);
    DIR *d = copy >= 0 ? fdopendir(copy) : NULL;
    if (!d) {
        if (copy >= 0)
            close(copy);
        return NULL;
    }
    rewinddir(d); /* the copy shares the offset of an earlier walk */
    return d;
}

/* Calls visit for every entry of the folder sub (dot names aside); an entry
 * it does not want is a leftover and is removed, and so is anything that is
 * not a regular file (a symlink, a FIFO, a device: never opened). The
 * folder is then flushed. */
static void walk(struct cache *c, enum cache_sub sub,
                 bool (*visit)(struct cache *c, const char *name))
{
    int dfd = c->fd[sub];
    DIR *d = cache_opendir(c, sub);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        if (name[0] == '.')
            continue;
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
            LOG_W("cache", "removing %s/%s/%s: not a regular file", c->dir, sub_names[sub], name);
            if (unlinkat(dfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
                LOG_W("cache", "cannot remove %s/%s/%s: %s", c->dir, sub_names[sub], name,
                      strerror(errno));
            continue;
        }
        if (!visit(c, name)) {
            LOG_I("cache", "removing leftover %s/%s/%s", c->dir, sub_names[sub], name);
            unlinkat(dfd, name, 0);
        }
    }
    closedir(d);
    fsync(dfd);
}

/* index/: a record is kept when its media file is there with its size. */
static bool visit_index(struct cache *c, const char *name)
{
    if (!cache_is_key_name(name, ".meta"))
        return false;
    struct entry *e = dp_calloc(1, sizeof *e);
    memcpy(e->key, name, 64);
    e->key[64] = '\0';
    char want[DP_SHA256_HEX];
    struct stat st;
    bool ok = record_load(c->fd[CACHE_INDEX], name, &e->rec) == 0 && e->rec.sha[0];
    if (ok) {
        cache_key(e->rec.url, want);
        ok = strcmp(want, e->key) == 0 &&
             fstatat(c->fd[CACHE_MEDIA], e->key, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
             S_ISREG(st.st_mode) && st.st_size == e->rec.size && !find(c, e->rec.url);
    }
    if (!ok) {
        LOG_W("cache", "bad record %s/index/%s: its media goes too", c->dir, name);
        unlinkat(c->fd[CACHE_MEDIA], e->key, 0);
        entry_free(e);
        return false;
    }
    e->gen = ++c->gen;
    attach(c, e);
    return true;
}

/* A part is kept only with a part record naming a validator. */
static bool part_resumable(struct cache *c, const char *key)
{
    char n[CACHE_NAME_MAX];
    cache_name(key, ".pmeta", n);
    struct record r;
    if (record_load(c->fd[CACHE_MEDIA], n, &r) != 0)
        return false;
    char want[DP_SHA256_HEX];
    cache_key(r.url, want);
    bool ok = strcmp(want, key) == 0 &&
              (part_validator_usable(r.etag) || (r.last_modified && *r.last_modified));
    record_finish(&r);
    return ok;
}

static bool key_recorded(struct cache *c, const char *key)
{
    return dp_strset_find(&c->by_key, key) != SIZE_MAX;
}

/* media/: files with a record, and parts that can be resumed. */
static bool visit_media(struct cache *c, const char *name)
{
    char key[DP_SHA256_HEX];
    snprintf(key, sizeof key, "%.64s", name);
    if (cache_is_key_name(name, ""))
        return key_recorded(c, key);
    if (cache_is_key_name(name, ".part") || cache_is_key_name(name, ".pmeta")) {
        char part[CACHE_NAME_MAX];
        cache_name(key, ".part", part);
        struct stat st;
        return fstatat(c->fd[CACHE_MEDIA], part, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
               S_ISREG(st.st_mode) && part_resumable(c, key);
    }
    return false;
}

/* feeds/: the last good feeds, not their temp files. */
static bool visit_feeds(struct cache *c, const char *name)
{
    return !is_temp_name(name) &&
           (cache_is_key_name(name, ".body") || cache_is_key_name(name, ".meta"));
}

/* Opens the lock file (a link or FIFO planted there is replaced) and
 * takes it. The descriptor, or -1 with a message in err. */
static int take_lock(int root_fd, const char *dir, char *err, size_t errlen)
{
    int fd = dp_open_regular_at(root_fd, "lock", O_RDWR | O_CREAT, 0644);
    if (fd == -ELOOP || fd == -EINVAL) {
        LOG_W("cache", "removing %s/lock: not a regular file", dir);
        unlinkat(root_fd, "lock", 0);
        fd = dp_open_regular_at(root_fd, "lock", O_RDWR | O_CREAT | O_EXCL, 0644);
    }
    if (fd < 0) {
        snprintf(err, errlen, "cache dir %s: %s", dir, strerror(-fd));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        snprintf(err, errlen, "cache dir %s is in use by another deskplayer", dir);
        close(fd);
        return -1;
    }
    return fd;
}

/* Opens the cache folder (the operator's path, which may be a link) and its
 * three folders (which may not). 0, or -1 with a message in err. */
static int open_folders(struct cache *c, char *err, size_t errlen)
{
    int e = dp_mkdir_p(c->dir, 0755);
    c->root_fd = e < 0 ? -1 : open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->root_fd < 0) {
        snprintf(err, errlen, "cache dir %s: %s", c->dir, strerror(e < 0 ? -e : errno));
        return -1;
    }
    for (int i = 0; i < CACHE_SUBS; i++) {
        bool replaced;
        c->fd[i] = dp_open_subdir(c->root_fd, sub_names[i], 0755, &replaced);
        if (replaced)
            LOG_W("cache", "%s/%s was not a folder (a symlink?): replaced by an empty one", c->dir,
                  sub_names[i]);
        if (c->fd[i] < 0 || faccessat(c->fd[i], ".", W_OK | X_OK, 0) < 0) {
            snprintf(err, errlen, "cache dir %s/%s: %s", c->dir, sub_names[i],
                     strerror(c->fd[i] < 0 ? -c->fd[i] : errno));
            return -1;
        }
    }
    return 0;
}

static void close_folders(struct cache *c)
{
    for (int i = 0; i < CACHE_SUBS; i++) {
        if (c->fd[i] >= 0)
            close(c->fd[i]);
    }
    if (c->root_fd >= 0)
        close(c->root_fd);
}

struct cache *cache_open(const char *dir, int64_t max_size, int64_t max_media_size, char *err,
                         size_t errlen)
{
    if (!dir || !*dir || strlen(dir) > 3000) {
        snprintf(err, errlen, "cache dir: no usable path");
        return NULL;
    }
    struct cache *c = dp_calloc(1, sizeof *c);
    c->dir = dp_strdup(dir);
    c->root_fd = c->lock_fd = -1;
    for (int i = 0; i < CACHE_SUBS; i++)
        c->fd[i] = -1;
    if (open_folders(c, err, errlen) < 0 ||
        (c->lock_fd = take_lock(c->root_fd, dir, err, errlen)) < 0) {
        close_folders(c);
        free(c->dir);
        free(c);
        return NULL;
    }
    c->max_size = max_size > 0 ? max_size : INT64_MAX;
    c->max_media_size = max_media_size > 0 ? max_media_size : INT64_MAX;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->fs_lock, NULL);
    walk(c, CACHE_INDEX, visit_index);
    walk(c, CACHE_MEDIA, visit_media);
    walk(c, CACHE_FEEDS, visit_feeds);
    LOG_I("cache", "%s: %zu files, %" PRId64 " bytes", dir, c->n_entries, c->total);
    return c;
}

void cache_close(struct cache *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->fs_lock);
    flush_dirty(c);
    pthread_mutex_unlock(&c->fs_lock);
    for (size_t i = 0; i < c->n_entries; i++)
        entry_free(c->entries[i]);
    free(c->entries);
    keep_free(c);
    dp_strset_finish(&c->by_url);
    dp_strset_finish(&c->by_key);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->fs_lock);
    close(c->lock_fd);
    close_folders(c);
    free(c->dir);
    free(c);
}

void cache_flush(struct cache *c)
{
    pthread_mutex_lock(&c->fs_lock);
    flush_dirty(c);
    pthread_mutex_unlock(&c->fs_lock);
}

const char *cache_dir(const struct cache *c)
{
    return c->dir;
}

/* ---- lookups ---- */

bool cache_has(struct cache *c, const char *url)
{
    pthread_mutex_lock(&c->lock);
    bool r = find(c, url) != NULL;
    pthread_mutex_unlock(&c->lock);
    return r;
}

int cache_media_open(struct cache *c, const char *url, int *fd_out)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        pthread_mutex_lock(&c->lock);
        struct entry *e = find(c, url);
        if (!e) {
            pthread_mutex_unlock(&c->lock);
            return -ENOENT;
        }
        unsigned gen = e->gen;
        int64_t size = e->rec.size;
        bool verified = e->verified;
        char sha[DP_SHA256_HEX], key[DP_SHA256_HEX];
        memcpy(sha, e->rec.sha, sizeof sha);
        memcpy(key, e->key, sizeof key);
        pthread_mutex_unlock(&c->lock);

        /* What is checked is what the caller reads: the descriptor. */
        struct stat st;
        const char *why = NULL;
        int fd = dp_open_regular_at(c->fd[CACHE_MEDIA], key, O_RDONLY, 0);
        if (fd < 0 || fstat(fd, &st) < 0)
            why = "file missing"; /* or a symlink, a FIFO: not ours */
        else if (st.st_size != size)
            why = "size differs from the record";
        if (!why && !verified) {
            char got[DP_SHA256_HEX];
            int64_t got_size = -1;
            int r = dp_sha256_fd(fd, got, &got_size);
            if (r < 0 || got_size != size || strcmp(got, sha) != 0)
                why = "SHA-256 differs from the record";
        }
        if (why) {
            if (fd >= 0)
                close(fd);
            if (remove_entry(c, url, gen, why))
                return -EBADMSG;
            continue; /* replaced meanwhile: look again */
        }
        pthread_mutex_lock(&c->lock);
        e = find(c, url);
        bool same = e && e->gen == gen;
        if (same)
            e->verified = true;
        pthread_mutex_unlock(&c->lock);
        if (!same) {
            close(fd);
            continue;
        }
        if (lseek(fd, 0, SEEK_SET) < 0) {
            int err = -errno;
            close(fd);
            return err;
        }
        *fd_out = fd;
        return 0;
    }
    return -EAGAIN;
}

int cache_media_path(struct cache *c, const char *url, char *path, size_t cap)
{
    int fd;
    int r = cache_media_open(c, url, &fd);
    if (r < 0)
        return r;
    close(fd);
    char key[DP_SHA256_HEX];
    cache_key(url, key);
    int n = snprintf(path, cap, "%s/media/%s", c->dir, key);
    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

void cache_mark_shown(struct cache *c, const char *url, int64_t wall_ms)
{
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, url);
    if (e && e->rec.shown_ms != wall_ms) {
        e->rec.shown_ms = wall_ms;
        e->dirty = true;
    }
    pthread_mutex_unlock(&c->lock);
}

bool cache_validators(struct cache *c, const char *url, char *etag, size_t etag_cap,
                      char *last_modified, size_t lm_cap, int64_t *checked_wall_ms)
{
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, url);
    if (e) {
        snprintf(etag, etag_cap, "%s", e->rec.etag ? e->rec.etag : "");
        snprintf(last_modified, lm_cap, "%s", e->rec.last_modified ? e->rec.last_modified : "");
        if (checked_wall_ms)
            *checked_wall_ms = e->rec.checked_ms;
    }
    pthread_mutex_unlock(&c->lock);
    return e != NULL;
}

void cache_mark_checked(struct cache *c, const char *url, int64_t wall_ms)
{
    pthread_mutex_lock(&c->fs_lock);
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, url);
    struct record r;
    char n[CACHE_NAME_MAX];
    if (e) {
        e->rec.checked_ms = wall_ms;
        e->dirty = false;
        snapshot(e, &r);
        cache_name(e->key, ".meta", n);
    }
    pthread_mutex_unlock(&c->lock);
    if (e) {
        int err = record_save(c->fd[CACHE_INDEX], n, &r);
        if (err < 0)
            LOG_W("cache", "cannot update %s/index/%s: %s", c->dir, n, strerror(-err));
        record_finish(&r);
    }
    pthread_mutex_unlock(&c->fs_lock);
}

void cache_set_rotation(struct cache *c, const char *const *keep, size_t n_keep)
{
    pthread_mutex_lock(&c->lock);
    keep_free(c);
    c->keep = n_keep ? dp_calloc(n_keep, sizeof *c->keep) : NULL;
    dp_strset_init(&c->keep_set, n_keep);
    for (size_t i = 0; i < n_keep; i++) {
        c->keep[i] = dp_strdup(keep[i]);
        dp_strset_add(&c->keep_set, c->keep[i], i, NULL);
    }
    c->n_keep = n_keep;
    bool over = c->total > c->max_size;
    pthread_mutex_unlock(&c->lock);
    if (over) {
        pthread_mutex_lock(&c->fs_lock);
        flush_dirty(c);
        evict(c, NULL);
        pthread_mutex_unlock(&c->fs_lock);
    }
}

void cache_get_stats(struct cache *c, struct cache_stats *st)
{
    pthread_mutex_lock(&c->lock);
    st->bytes = c->total;
    st->files = (int64_t)c->n_entries;
    st->max_bytes = c->max_size == INT64_MAX ? 0 : c->max_size;
    pthread_mutex_unlock(&c->lock);
}

int64_t cache_max_media_size(const struct cache *c)
{
    return c->max_media_size;
}

/* ---- commit ---- */

/* sha: the caller's hash of the part (size bytes), or NULL to hash it here. */
static int commit(struct cache *c, const char *url, const char *sha, int64_t size,
                  const char *etag, const char *last_modified, const char *mime)
{
    char key[DP_SHA256_HEX], part[CACHE_NAME_MAX], meta[CACHE_NAME_MAX], pmeta[CACHE_NAME_MAX];
    const int media_fd = c->fd[CACHE_MEDIA];
    cache_key(url, key);
    cache_name(key, ".part", part);
    cache_name(key, ".meta", meta);
    cache_name(key, ".pmeta", pmeta);

    int fd = dp_open_regular_at(media_fd, part, O_RDONLY, 0);
    if (fd < 0) {
        if (fd == -ELOOP || fd == -EINVAL)
            cache_part_discard(c, url); /* planted: removed, never renamed */
        return fd;
    }
    struct stat st;
    struct record r = {0};
    int e = fsync(fd) < 0 || fstat(fd, &st) < 0 ? -errno : 0;
    if (e == 0 && (st.st_uid != geteuid() || st.st_nlink != 1)) {
        LOG_W("cache", "%s/media/%s: not the part this player wrote; removed", c->dir, part);
        e = -EPERM;
    } else if (e == 0 && sha && (st.st_size != size || strlen(sha) != 64)) {
        e = -EBADMSG;
    } else if (e == 0 && sha) {
        memcpy(r.sha, sha, DP_SHA256_HEX);
        r.size = size;
    } else if (e == 0) {
        e = dp_sha256_fd(fd, r.sha, &r.size);
    }
    close(fd);
    if (e == -EPERM || e == -EBADMSG)
        cache_part_discard(c, url);
    if (e < 0)
        return e;
    if (r.size > c->max_media_size) {
        cache_part_discard(c, url);
        return -EFBIG;
    }
    r.url = dp_strdup(url);
    r.etag = dp_strdup(etag);
    r.last_modified = dp_strdup(last_modified);
    r.mime = dp_strdup(mime);
    r.committed_ms = r.checked_ms = dp_wall_ms();

    pthread_mutex_lock(&c->fs_lock);
    pthread_mutex_lock(&c->lock);
    struct entry *old = find(c, url);
    if (old)
        r.shown_ms = old->rec.shown_ms;
    /* The rename and the in-memory update happen together, so no reader
     * compares the new file with the old record. Only the file checked above
     * is renamed: a name swapped meanwhile (another inode, a link) is not. */
    struct stat now;
    if (fstatat(media_fd, part, &now, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(now.st_mode) ||
        now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
        e = -EPERM;
        pthread_mutex_unlock(&c->lock);
        goto out;
    }
    if (renameat(media_fd, part, media_fd, key) < 0) {
        e = -errno;
        pthread_mutex_unlock(&c->lock);
        goto out;
    }
    if (old) {
        detach(c, old);
        entry_free(old);
    }
    struct entry *ne = dp_calloc(1, sizeof *ne);
    memcpy(ne->key, key, sizeof key);
    ne->gen = ++c->gen;
    ne->verified = true; /* hashed just now */
    snapshot(&(struct entry){.rec = r}, &ne->rec);
    attach(c, ne);
    unsigned gen = ne->gen;
    pthread_mutex_unlock(&c->lock);

    e = fsync(media_fd) < 0 ? -errno : 0;
    if (e == 0)
        e = record_save(c->fd[CACHE_INDEX], meta, &r);
    if (e < 0) {
        /* Without its record the file would be a leftover: undo. */
        pthread_mutex_lock(&c->lock);
        struct entry *cur = find(c, url);
        if (cur && cur->gen == gen)
            detach(c, cur);
        else
            cur = NULL;
        pthread_mutex_unlock(&c->lock);
        unlink_media_files(c, key);
        entry_free(cur);
        goto out;
    }
    unlinkat(media_fd, pmeta, 0);
    flush_dirty(c);
    evict(c, url);
out:
    pthread_mutex_unlock(&c->fs_lock);
    if (e == 0)
        LOG_I("cache", "stored %s (%" PRId64 " bytes, sha256 %.12s)", url, r.size, r.sha);
    record_finish(&r);
    return e;
}

int cache_commit(struct cache *c, const char *url, const char *etag, const char *last_modified,
                 const char *mime)
{
    return commit(c, url, NULL, 0, etag, last_modified, mime);
}

int cache_commit_hashed(struct cache *c, const char *url, const char *sha256, int64_t size,
                        const char *etag, const char *last_modified, const char *mime)
{
    return commit(c, url, sha256, size, etag, last_modified, mime);
}
