/* cache/ under attack (issue 8): someone with write access to the cache
 * folder plants symlinks, hard links, FIFOs and forged part records. The
 * cache must never write through a link, never rename a file it did not
 * write, never serve a foreign file, and never hang on a FIFO. Each test
 * plants its trick itself; SIGALRM turns a hang into a failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/sha256.h"
#include "cache/cache.h"

#define URL "https://desk.example/media/photo.jpg"
#define FEED "https://desk.example/feed.json"
#define SECRET "a foreign mode-600 picture"

struct fx {
    char dir[256];
    char victim[300]; /* a file outside the cache the attacker aims at */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/dp-test-cache-hostile-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->victim, sizeof f->victim, "%s/victim", f->dir);
    int fd = open(f->victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, SECRET, strlen(SECRET)) != (ssize_t)strlen(SECRET))
        return -1;
    close(fd);
    dp_log_set_level(DP_LOG_ERROR);
    alarm(60); /* a hang (a FIFO opened for reading) fails the test */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[512];
    alarm(0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static char *cache_dir_of(struct fx *f)
{
    static char d[300];
    snprintf(d, sizeof d, "%s/cache", f->dir);
    return d;
}

static struct cache *open_cache(struct fx *f)
{
    char err[256] = "";
    struct cache *c = cache_open(cache_dir_of(f), 1 << 30, 1 << 30, err, sizeof err);
    assert_non_null(c);
    return c;
}

static void path_of(struct fx *f, const char *sub, const char *url, const char *suffix, char *out,
                    size_t cap)
{
    char key[DP_SHA256_HEX];
    dp_sha256_hex(url, strlen(url), key);
    snprintf(out, cap, "%s/%s/%s%s", cache_dir_of(f), sub, key, suffix);
}

static void assert_victim_intact(struct fx *f)
{
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(dp_read_file(f->victim, 1024, &data, &len), 0);
    assert_string_equal(data, SECRET);
    free(data);
}

static bool is_regular_nolink(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static void append(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
    close(fd);
}

/* URL downloaded ("picture bytes") and committed, and FEED stored. */
static void store_picture_and_feed(struct cache *c)
{
    struct cache_part p;
    assert_int_equal(cache_part_begin(c, URL, &p), 0);
    append(p.path, "picture bytes");
    assert_int_equal(cache_commit(c, URL, "\"e1\"", NULL, "image/jpeg"), 0);
    assert_int_equal(cache_store_feed(c, FEED, "{}", 2, "application/json", NULL, NULL), 0);
}

/* A symlink planted at media/<key>.part: the download writes a new part,
 * never the link's target. (Before: the target was truncated and
 * overwritten, then the link was committed.) */
static void test_part_symlink_not_followed(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f);
    char part[4096], media[4096];
    path_of(f, "media", URL, ".part", part, sizeof part);
    path_of(f, "media", URL, "", media, sizeof media);
    assert_int_equal(symlink(f->victim, part), 0);
    struct cache_part p;
    assert_int_equal(cache_part_begin(c, URL, &p), 0);
    assert_int_equal(p.have, 0);
    assert_true(is_regular_nolink(part));
    append(p.path, "downloaded bytes");
    assert_int_equal(cache_commit(c, URL, "\"e1\"", NULL, "image/jpeg"), 0);
    assert_true(is_regular_nolink(media));
    assert_victim_intact(f);
    cache_close(c);
}

/* A planted link plus a forged part record (a validator and a size): not
 * resumable, and a commit of a link is refused (the link removed), so the
 * foreign file is never hashed, renamed into media/ or served. */
static void test_forged_part_record(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f);
    char part[4096], media[4096];
    path_of(f, "media", URL, ".part", part, sizeof part);
    path_of(f, "media", URL, "", media, sizeof media);
    assert_int_equal(symlink(f->victim, part), 0);
    assert_int_equal(cache_part_set_validator(c, URL, "\"v1\"", NULL), 0);
    assert_int_equal(cache_part_checkpoint(c, URL, (int64_t)strlen(SECRET)), 0);
    /* The commit a downloader would make after a 416 "already complete". */
    assert_true(cache_commit(c, URL, "\"v1\"", NULL, "image/jpeg") < 0);
    assert_false(cache_has(c, URL));
    struct stat st;
    assert_true(lstat(media, &st) < 0);
    assert_true(lstat(part, &st) < 0); /* the link is gone */
    /* Planted again, then a resume: starts from zero on a fresh file. */
    assert_int_equal(symlink(f->victim, part), 0);
    assert_int_equal(cache_part_set_validator(c, URL, "\"v1\"", NULL), 0);
    assert_int_equal(cache_part_checkpoint(c, URL, (int64_t)strlen(SECRET)), 0);
    struct cache_part p;
    assert_int_equal(cache_part_begin(c, URL, &p), 0);
    assert_int_equal(p.have, 0);
    assert_true(is_regular_nolink(part));
    assert_victim_intact(f);
    cache_close(c);
}

/* A hard link to a foreign file at the part's name is not what this player
 * wrote: never renamed into media/. */
static void test_part_hard_link_refused(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f);
    char part[4096], media[4096];
    path_of(f, "media", URL, ".part", part, sizeof part);
    path_of(f, "media", URL, "", media, sizeof media);
    if (link(f->victim, part) < 0)
        skip(); /* fs.protected_hardlinks or a file system without links */
    assert_true(cache_commit(c, URL, "\"v1\"", NULL, "image/jpeg") < 0);
    struct stat st;
    assert_true(lstat(media, &st) < 0);
    assert_false(cache_has(c, URL));
    assert_victim_intact(f);
    cache_close(c);
}

/* FIFOs and symlinks found in index/, media/ and feeds/ at open are removed,
 * never opened (a FIFO would hang the reader forever); a symlink at a
 * media file's name, with its record, is not served. */
static void test_planted_files_at_open(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f);
    store_picture_and_feed(c);
    cache_close(c);

    char meta[4096], media[4096], body[4096], other_meta[4096];
    path_of(f, "index", URL, ".meta", meta, sizeof meta);
    path_of(f, "media", URL, "", media, sizeof media);
    path_of(f, "feeds", FEED, ".body", body, sizeof body);
    path_of(f, "index", "https://desk.example/other.png", ".meta", other_meta, sizeof other_meta);
    assert_int_equal(unlink(media), 0);
    assert_int_equal(symlink(f->victim, media), 0); /* media file: a link */
    assert_int_equal(unlink(body), 0);
    assert_int_equal(mkfifo(body, 0644), 0);       /* a feed body: a FIFO */
    assert_int_equal(mkfifo(other_meta, 0644), 0); /* a record: a FIFO */

    c = open_cache(f); /* must not hang */
    assert_false(cache_has(c, URL));
    char got[4096];
    assert_true(cache_media_path(c, URL, got, sizeof got) < 0);
    struct stat st;
    assert_true(lstat(media, &st) < 0);
    assert_true(lstat(body, &st) < 0);
    assert_true(lstat(other_meta, &st) < 0);
    assert_victim_intact(f);

    /* Planted after the open: a FIFO feed body is an error, at once. */
    assert_int_equal(mkfifo(body, 0644), 0);
    char *data = NULL;
    size_t len = 0;
    assert_true(cache_load_feed(c, FEED, &data, &len, NULL, NULL, NULL) < 0);
    assert_null(data);
    cache_close(c);
}

/* A symlink at a media file's name after it was committed: not served. */
static void test_media_swapped_for_link(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f);
    struct cache_part p;
    assert_int_equal(cache_part_begin(c, URL, &p), 0);
    append(p.path, SECRET); /* same size as the victim */
    assert_int_equal(cache_commit(c, URL, "\"e1\"", NULL, "image/jpeg"), 0);
    char media[4096], got[4096];
    path_of(f, "media", URL, "", media, sizeof media);
    assert_int_equal(unlink(media), 0);
    assert_int_equal(symlink(f->victim, media), 0);
    assert_true(cache_media_path(c, URL, got, sizeof got) < 0);
    cache_close(c);
}

/* Entries in folder d, dot names aside (-1 when it cannot be read). */
static int count_entries(const char *d)
{
    DIR *dir = opendir(d);
    if (!dir)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir)))
        n += de->d_name[0] != '.';
    closedir(dir);
    return n;
}

/* An attacker's folder outside the cache, holding one file of theirs. */
static void make_outside(struct fx *f, char *out, size_t cap)
{
    snprintf(out, cap, "%s/outside", f->dir);
    assert_int_equal(mkdir(out, 0755), 0);
    char p[400];
    snprintf(p, sizeof p, "%s/theirs", out);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    close(fd);
}

/* media/, feeds/ and the lock file planted as symlinks before the first
 * open: the links are replaced by a folder (and a lock file) of the
 * cache's own; what they point at is neither emptied nor written. (Before:
 * the walk at open followed media/ and deleted the foreign folder's files
 * as leftovers, and downloads were written there.) */
static void test_folder_links_at_open(void **state)
{
    struct fx *f = *state;
    char outside[300], d[400];
    make_outside(f, outside, sizeof outside);
    assert_int_equal(mkdir(cache_dir_of(f), 0755), 0);
    const char *subs[] = {"media", "feeds", "index"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(d, sizeof d, "%s/%s", cache_dir_of(f), subs[i]);
        assert_int_equal(symlink(outside, d), 0);
    }
    snprintf(d, sizeof d, "%s/lock", cache_dir_of(f));
    assert_int_equal(symlink(f->victim, d), 0);

    struct cache *c = open_cache(f);
    struct stat st;
    for (size_t i = 0; i < 3; i++) {
        snprintf(d, sizeof d, "%s/%s", cache_dir_of(f), subs[i]);
        assert_int_equal(lstat(d, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
    }
    snprintf(d, sizeof d, "%s/lock", cache_dir_of(f));
    assert_true(is_regular_nolink(d));
    store_picture_and_feed(c);
    cache_close(c);
    assert_int_equal(count_entries(outside), 1); /* only theirs */
    assert_victim_intact(f);
}

/* media/, index/ and feeds/ swapped for symlinks to a foreign folder while
 * the player runs (renamed away, a link in their place; a forged file of
 * the right size waits there under the media's name): the cache keeps
 * using its own folders, so it serves its own bytes and writes nothing
 * there. (Before: paths were resolved by name at every open, so the forged
 * file was served and new downloads, records and feeds went to the foreign
 * folder.) */
static void test_folders_swapped_after_open(void **state)
{
    struct fx *f = *state;
    char outside[300], d[400], away[400], forged[500];
    make_outside(f, outside, sizeof outside);
    struct cache *c = open_cache(f);
    struct cache_part p;
    assert_int_equal(cache_part_begin(c, URL, &p), 0);
    append(p.path, "picture bytes");
    assert_int_equal(cache_commit(c, URL, "\"e1\"", NULL, "image/jpeg"), 0);

    char key[DP_SHA256_HEX];
    dp_sha256_hex(URL, strlen(URL), key);
    snprintf(forged, sizeof forged, "%s/%s", outside, key);
    int fd = open(forged, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "forged bytes!", 13), 13); /* the same size */
    close(fd);
    const char *subs[] = {"media", "feeds", "index"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(d, sizeof d, "%s/%s", cache_dir_of(f), subs[i]);
        snprintf(away, sizeof away, "%s/%s.away", f->dir, subs[i]);
        assert_int_equal(rename(d, away), 0);
        assert_int_equal(symlink(outside, d), 0);
    }

    /* What is read is the cache's own file. */
    int mfd = -1;
    assert_int_equal(cache_media_open(c, URL, &mfd), 0);
    char buf[64] = "";
    assert_int_equal(read(mfd, buf, sizeof buf - 1), 13);
    assert_string_equal(buf, "picture bytes");
    close(mfd);
    /* Nothing is written through the links: a download, a record, a feed. */
    const char *url2 = "https://desk.example/media/second.png";
    assert_int_equal(cache_part_begin(c, url2, &p), 0);
    int pfd = cache_part_open(c, url2, O_WRONLY);
    assert_true(pfd >= 0);
    assert_int_equal(write(pfd, "second", 6), 6);
    close(pfd);
    assert_int_equal(cache_part_set_validator(c, url2, "\"e2\"", NULL), 0);
    assert_int_equal(cache_commit(c, url2, "\"e2\"", NULL, "image/png"), 0);
    cache_mark_checked(c, URL, 1234);
    assert_int_equal(cache_store_feed(c, FEED, "{}", 2, "application/json", NULL, NULL), 0);
    char *body = NULL;
    size_t len = 0;
    assert_int_equal(cache_load_feed(c, FEED, &body, &len, NULL, NULL, NULL), 0);
    assert_string_equal(body, "{}");
    free(body);
    cache_close(c);
    assert_int_equal(count_entries(outside), 2); /* theirs and the forged file */
    snprintf(away, sizeof away, "%s/media.away", f->dir);
    assert_int_equal(count_entries(away), 2); /* both media files */
    snprintf(away, sizeof away, "%s/index.away", f->dir);
    assert_int_equal(count_entries(away), 2); /* both records */
    snprintf(away, sizeof away, "%s/feeds.away", f->dir);
    assert_int_equal(count_entries(away), 2); /* body and record */
    assert_victim_intact(f);
}

/* dp_write_atomic: a symlink planted at the temporary name is replaced,
 * not written through. */
static void test_write_atomic_tmp_link(void **state)
{
    struct fx *f = *state;
    char path[400], tmp[450];
    snprintf(path, sizeof path, "%s/record", f->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    assert_int_equal(symlink(f->victim, tmp), 0);
    assert_int_equal(dp_write_atomic(path, "new", 3), 0);
    assert_true(is_regular_nolink(path));
    assert_victim_intact(f);
    /* And dp_open_regular refuses links and FIFOs. */
    assert_int_equal(symlink(f->victim, tmp), 0);
    assert_int_equal(dp_open_regular(tmp, O_RDONLY, 0), -ELOOP);
    char fifo[450];
    snprintf(fifo, sizeof fifo, "%s/fifo", f->dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    assert_int_equal(dp_open_regular(fifo, O_RDONLY, 0), -EINVAL);
    char *data = NULL;
    assert_int_equal(dp_read_file(fifo, 100, &data, NULL), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_part_symlink_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_part_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_part_hard_link_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planted_files_at_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_media_swapped_for_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic_tmp_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_links_at_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folders_swapped_after_open, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
