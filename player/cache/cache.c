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

static struct entry *find(struct cache *c, const char *url)
{
    for (size_t i = 0; i < c->n_entries; i++) {
        if (strcmp(c->entries[i]->rec.url, url) == 0)
            return c->entries[i];
    }
    return NULL;
}

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    record_finish(&e->rec);
    free(e);
}

/* lock held. Takes e out of the array (does not free it). */
static void detach(struct cache *c, struct entry *e)
{
    for (size_t i = 0; i < c->n_entries; i++) {
        if (c->entries[i] == e) {
            c->entries[i] = c->entries[--c->n_entries];
            c->total -= e->rec.size;
            return;
        }
    }
}

/* lock held. */
static void attach(struct cache *c, struct entry *e)
{
    if (c->n_entries == c->cap_entries) {
        c->cap_entries = c->cap_entries ? c->cap_entries * 2 : 64;
        c->entries = dp_realloc(c->entries, c->cap_entries * sizeof *c->entries);
    }
    c->entries[c->n_entries++] = e;
    c->total += e->rec.size;
}

/* lock held. */
static bool in_keep(const struct cache *c, const char *url)
{
    for (size_t i = 0; i < c->n_keep; i++) {
        if (strcmp(c->keep[i], url) == 0)
            return true;
    }
    return false;
}

void cache_path(const struct cache *c, const char *sub, const char *key, const char *suffix,
                char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s/%s%s", c->dir, sub, key, suffix);
}

/* fs_lock held, lock not held. Deletes the record first, then the file. */
static void unlink_media_files(struct cache *c, const char *key)
{
    char p[4096];
    cache_path(c, "index", key, ".meta", p, sizeof p);
    unlink(p);
    dp_fsync_dir(p);
    cache_path(c, "media", key, "", p, sizeof p);
    unlink(p);
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
        char p[4096];
        cache_path(c, "index", key, ".meta", p, sizeof p);
        int e = record_save(p, &r);
        if (e < 0)
            LOG_W("cache", "cannot update %s: %s", p, strerror(-e));
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

/* Calls visit for every entry of dir/sub (dot names aside); an entry it
 * does not want is a leftover and is removed, and so is anything that is not
 * a regular file (a symlink, a FIFO, a device: never opened). The folder is
 * then flushed. */
static void walk(struct cache *c, const char *sub,
                 bool (*visit)(struct cache *c, const char *name, const char *path))
{
    char dpath[4096];
    snprintf(dpath, sizeof dpath, "%s/%s", c->dir, sub);
    DIR *d = opendir(dpath);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        char p[4096];
        if (name[0] == '.' || snprintf(p, sizeof p, "%s/%s", dpath, name) >= (int)sizeof p)
            continue;
        struct stat st;
        if (lstat(p, &st) == 0 && !S_ISREG(st.st_mode)) {
            LOG_W("cache", "removing %s: not a regular file", p);
            if (unlink(p) < 0)
                LOG_W("cache", "cannot remove %s: %s", p, strerror(errno));
            continue;
        }
        if (!visit(c, name, p)) {
            LOG_I("cache", "removing leftover %s", p);
            unlink(p);
        }
    }
    closedir(d);
    dp_fsync_dir(dpath);
}

/* index/: a record is kept when its media file is there with its size. */
static bool visit_index(struct cache *c, const char *name, const char *p)
{
    if (!cache_is_key_name(name, ".meta"))
        return false;
    struct entry *e = dp_calloc(1, sizeof *e);
    memcpy(e->key, name, 64);
    e->key[64] = '\0';
    char want[DP_SHA256_HEX];
    char mp[4096];
    cache_path(c, "media", e->key, "", mp, sizeof mp);
    struct stat st;
    bool ok = record_load(p, &e->rec) == 0 && e->rec.sha[0];
    if (ok) {
        cache_key(e->rec.url, want);
        ok = strcmp(want, e->key) == 0 && lstat(mp, &st) == 0 && S_ISREG(st.st_mode) &&
             st.st_size == e->rec.size && !find(c, e->rec.url);
    }
    if (!ok) {
        LOG_W("cache", "bad record %s: its media goes too", p);
        unlink(mp);
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
    char p[4096];
    cache_path(c, "media", key, ".pmeta", p, sizeof p);
    struct record r;
    if (record_load(p, &r) != 0)
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
    for (size_t i = 0; i < c->n_entries; i++) {
        if (strcmp(c->entries[i]->key, key) == 0)
            return true;
    }
    return false;
}

/* media/: files with a record, and parts that can be resumed. */
static bool visit_media(struct cache *c, const char *name, const char *p)
{
    char key[DP_SHA256_HEX];
    snprintf(key, sizeof key, "%.64s", name);
    if (cache_is_key_name(name, ""))
        return key_recorded(c, key);
    if (cache_is_key_name(name, ".part") || cache_is_key_name(name, ".pmeta")) {
        char other[4096];
        cache_path(c, "media", key, ".part", other, sizeof other);
        struct stat st;
        return lstat(other, &st) == 0 && S_ISREG(st.st_mode) && part_resumable(c, key);
    }
    return false;
}

/* feeds/: the last good feeds, not their temp files. */
static bool visit_feeds(struct cache *c, const char *name, const char *p)
{
    return !is_temp_name(name) &&
           (cache_is_key_name(name, ".body") || cache_is_key_name(name, ".meta"));
}

struct cache *cache_open(const char *dir, int64_t max_size, int64_t max_media_size, char *err,
                         size_t errlen)
{
    static const char *subs[] = {"feeds", "media", "index"};
    char p[4096];
    if (!dir || !*dir || strlen(dir) > 3000) {
        snprintf(err, errlen, "cache dir: no usable path");
        return NULL;
    }
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
        int e = dp_mkdir_p(p, 0755);
        if (e < 0 || access(p, W_OK | X_OK) < 0) {
            snprintf(err, errlen, "cache dir %s: %s", p, strerror(e < 0 ? -e : errno));
            return NULL;
        }
    }
    snprintf(p, sizeof p, "%s/lock", dir);
    int lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd < 0) {
        snprintf(err, errlen, "cache dir %s: %s", dir, strerror(errno));
        return NULL;
    }
    if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
        snprintf(err, errlen, "cache dir %s is in use by another deskplayer", dir);
        close(lock_fd);
        return NULL;
    }
    struct cache *c = dp_calloc(1, sizeof *c);
    c->dir = dp_strdup(dir);
    c->lock_fd = lock_fd;
    c->max_size = max_size > 0 ? max_size : INT64_MAX;
    c->max_media_size = max_media_size > 0 ? max_media_size : INT64_MAX;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->fs_lock, NULL);
    walk(c, "index", visit_index);
    walk(c, "media", visit_media);
    walk(c, "feeds", visit_feeds);
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
    for (size_t i = 0; i < c->n_keep; i++)
        free(c->keep[i]);
    free(c->keep);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->fs_lock);
    close(c->lock_fd);
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

int cache_media_path(struct cache *c, const char *url, char *path, size_t cap)
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
        char sha[DP_SHA256_HEX], p[4096];
        memcpy(sha, e->rec.sha, sizeof sha);
        cache_path(c, "media", e->key, "", p, sizeof p);
        pthread_mutex_unlock(&c->lock);

        struct stat st;
        const char *why = NULL;
        if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode))
            why = "file missing"; /* or a symlink, a FIFO: not ours */
        else if (st.st_size != size)
            why = "size differs from the record";
        if (!why && !verified) {
            char got[DP_SHA256_HEX];
            int64_t got_size = -1;
            int r = dp_sha256_file(p, got, &got_size);
            if (r < 0 || got_size != size || strcmp(got, sha) != 0)
                why = "SHA-256 differs from the record";
        }
        if (why) {
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
        if (!same)
            continue;
        if (strlen(p) >= cap)
            return -ENAMETOOLONG;
        memcpy(path, p, strlen(p) + 1);
        return 0;
    }
    return -EAGAIN;
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
    char p[4096];
    if (e) {
        e->rec.checked_ms = wall_ms;
        e->dirty = false;
        snapshot(e, &r);
        cache_path(c, "index", e->key, ".meta", p, sizeof p);
    }
    pthread_mutex_unlock(&c->lock);
    if (e) {
        int err = record_save(p, &r);
        if (err < 0)
            LOG_W("cache", "cannot update %s: %s", p, strerror(-err));
        record_finish(&r);
    }
    pthread_mutex_unlock(&c->fs_lock);
}

void cache_set_rotation(struct cache *c, const char *const *keep, size_t n_keep)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n_keep; i++)
        free(c->keep[i]);
    free(c->keep);
    c->keep = n_keep ? dp_calloc(n_keep, sizeof *c->keep) : NULL;
    for (size_t i = 0; i < n_keep; i++)
        c->keep[i] = dp_strdup(keep[i]);
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
    char key[DP_SHA256_HEX], part[4096], media[4096], meta[4096], pmeta[4096];
    cache_key(url, key);
    cache_path(c, "media", key, ".part", part, sizeof part);
    cache_path(c, "media", key, "", media, sizeof media);
    cache_path(c, "index", key, ".meta", meta, sizeof meta);
    cache_path(c, "media", key, ".pmeta", pmeta, sizeof pmeta);

    int fd = dp_open_regular(part, O_RDONLY, 0);
    if (fd < 0) {
        if (fd == -ELOOP || fd == -EINVAL)
            cache_part_discard(c, url); /* planted: removed, never renamed */
        return fd;
    }
    struct stat st;
    int e = fsync(fd) < 0 || fstat(fd, &st) < 0 ? -errno : 0;
    close(fd);
    if (e < 0)
        return e;
    if (st.st_uid != geteuid() || st.st_nlink != 1) {
        LOG_W("cache", "%s: not the part this player wrote; removed", part);
        cache_part_discard(c, url);
        return -EPERM;
    }
    struct record r = {0};
    if (sha) {
        if (st.st_size != size || strlen(sha) != 64) {
            cache_part_discard(c, url);
            return -EBADMSG;
        }
        memcpy(r.sha, sha, DP_SHA256_HEX);
        r.size = size;
    } else {
        e = dp_sha256_file(part, r.sha, &r.size);
        if (e < 0)
            return e;
    }
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
    if (lstat(part, &now) < 0 || !S_ISREG(now.st_mode) || now.st_ino != st.st_ino ||
        now.st_dev != st.st_dev) {
        e = -EPERM;
        pthread_mutex_unlock(&c->lock);
        goto out;
    }
    if (rename(part, media) < 0) {
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

    e = dp_fsync_dir(media);
    if (e == 0)
        e = record_save(meta, &r);
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
    unlink(pmeta);
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
