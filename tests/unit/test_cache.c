/* cache/: commit and lookup, verification, eviction order, leftovers,
 * part resume information, feed storage. Each test works in a fresh
 * temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
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

struct fx {
    char dir[256];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/dp-test-cache-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    dp_log_set_level(DP_LOG_ERROR);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static struct cache *open_cache(struct fx *f, int64_t max_size, int64_t max_media)
{
    char err[256] = "";
    struct cache *c = cache_open(f->dir, max_size, max_media, err, sizeof err);
    assert_non_null(c);
    return c;
}

static void write_part(struct cache *c, const char *url, const char *data, size_t len)
{
    struct cache_part p;
    assert_int_equal(cache_part_begin(c, url, &p), 0);
    int fd = open(p.path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void put(struct cache *c, const char *url, const char *data)
{
    write_part(c, url, data, strlen(data));
    assert_int_equal(cache_commit(c, url, "\"e1\"", NULL, "image/png"), 0);
}

static void file_path(struct fx *f, const char *sub, const char *url, const char *suffix,
                      char *out, size_t cap)
{
    char key[DP_SHA256_HEX];
    dp_sha256_hex(url, strlen(url), key);
    snprintf(out, cap, "%s/%s/%s%s", f->dir, sub, key, suffix);
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void test_commit_lookup(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f, 0, 0);
    const char *url = "http://h/a.png";
    assert_false(cache_has(c, url));
    char path[4096];
    assert_int_equal(cache_media_path(c, url, path, sizeof path), -ENOENT);
    put(c, url, "hello media");
    assert_true(cache_has(c, url));
    assert_int_equal(cache_media_path(c, url, path, sizeof path), 0);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(dp_read_file(path, 100, &data, &len), 0);
    assert_string_equal(data, "hello media");
    free(data);
    struct cache_stats st;
    cache_get_stats(c, &st);
    assert_int_equal(st.bytes, 11);
    assert_int_equal(st.files, 1);
    char etag[256], lm[64];
    int64_t checked = 0;
    assert_true(cache_validators(c, url, etag, sizeof etag, lm, sizeof lm, &checked));
    assert_string_equal(etag, "\"e1\"");
    assert_string_equal(lm, "");
    assert_true(checked > 0);
    cache_close(c);

    /* Survives a restart; a second player cannot share the dir. */
    c = open_cache(f, 0, 0);
    char err[256];
    assert_null(cache_open(f->dir, 0, 0, err, sizeof err));
    assert_true(cache_has(c, url));
    cache_get_stats(c, &st);
    assert_int_equal(st.bytes, 11);
    cache_close(c);
}

/* {what is done to the file after a restart, expected result} */
static const struct {
    const char *name;
    const char *replace; /* new content, or NULL to delete */
} corruptions[] = {
    {"same size, other bytes", "hello MEDIA"},
    {"shorter", "hello"},
    {"longer", "hello media and more"},
    {"deleted", NULL},
};

static void test_verify_mismatch_deletes(void **state)
{
    struct fx *f = *state;
    const char *url = "http://h/b.jpg";
    for (size_t i = 0; i < sizeof corruptions / sizeof *corruptions; i++) {
        struct cache *c = open_cache(f, 0, 0);
        put(c, url, "hello media");
        cache_close(c);
        char mp[4096], ip[4096], path[4096];
        file_path(f, "media", url, "", mp, sizeof mp);
        file_path(f, "index", url, ".meta", ip, sizeof ip);
        if (corruptions[i].replace)
            assert_int_equal(
                dp_write_atomic(mp, corruptions[i].replace, strlen(corruptions[i].replace)), 0);
        else
            unlink(mp);
        c = open_cache(f, 0, 0);
        int r = cache_media_path(c, url, path, sizeof path);
        /* A size change is already caught at open (-ENOENT), a same-size
         * change on first use (-EBADMSG). */
        assert_true(r == -EBADMSG || r == -ENOENT);
        assert_false(cache_has(c, url));
        assert_false(exists(mp));
        assert_false(exists(ip));
        cache_close(c);
    }
}

static void test_size_checked_every_use(void **state)
{
    struct fx *f = *state;
    const char *url = "http://h/c.jpg";
    struct cache *c = open_cache(f, 0, 0);
    put(c, url, "0123456789");
    char path[4096];
    assert_int_equal(cache_media_path(c, url, path, sizeof path), 0);
    assert_int_equal(truncate(path, 4), 0);
    assert_int_equal(cache_media_path(c, url, path, sizeof path), -EBADMSG);
    assert_false(cache_has(c, url));
    cache_close(c);
}

static void test_max_media_size(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f, 0, 8);
    write_part(c, "http://h/big", "0123456789", 10);
    assert_int_equal(cache_commit(c, "http://h/big", NULL, NULL, NULL), -EFBIG);
    assert_false(cache_has(c, "http://h/big"));
    char pp[4096];
    file_path(f, "media", "http://h/big", ".part", pp, sizeof pp);
    assert_false(exists(pp));
    cache_close(c);
}

/* Eviction: max 30 bytes, 10-byte files. */
static const struct {
    const char *name;
    const char *keep[3];
    int64_t shown[3];    /* shown times of a, b, c */
    const char *evicted; /* when d is committed */
} evictions[] = {
    {"not in rotation first", {"http://h/a", "http://h/b"}, {1, 2, 3}, "http://h/c"},
    {"least recently shown", {"http://h/a"}, {1, 3, 2}, "http://h/c"},
    {"never shown before shown", {"http://h/a"}, {1, 0, 2}, "http://h/b"},
    {"all in rotation: least recently shown",
     {"http://h/a", "http://h/b", "http://h/c"},
     {5, 4, 6},
     "http://h/b"},
};

static void test_eviction_order(void **state)
{
    struct fx *f = *state;
    const char *urls[3] = {"http://h/a", "http://h/b", "http://h/c"};
    for (size_t i = 0; i < sizeof evictions / sizeof *evictions; i++) {
        struct cache *c = open_cache(f, 30, 0);
        for (int k = 0; k < 3; k++) {
            put(c, urls[k], "0123456789");
            cache_mark_shown(c, urls[k], evictions[i].shown[k]);
        }
        size_t n_keep = 0;
        while (n_keep < 3 && evictions[i].keep[n_keep])
            n_keep++;
        cache_set_rotation(c, evictions[i].keep, n_keep);
        put(c, "http://h/d", "0123456789");
        for (int k = 0; k < 3; k++) {
            bool gone = strcmp(urls[k], evictions[i].evicted) == 0;
            if (cache_has(c, urls[k]) == gone)
                fail_msg("%s: %s %s", evictions[i].name, urls[k], gone ? "kept" : "evicted");
        }
        assert_true(cache_has(c, "http://h/d"));
        struct cache_stats st;
        cache_get_stats(c, &st);
        assert_int_equal(st.bytes, 30);
        char mp[4096];
        file_path(f, "media", evictions[i].evicted, "", mp, sizeof mp);
        assert_false(exists(mp));
        /* clean slate for the next row */
        const char *all[4] = {"http://h/a", "http://h/b", "http://h/c", "http://h/d"};
        cache_close(c);
        for (int k = 0; k < 4; k++) {
            file_path(f, "index", all[k], ".meta", mp, sizeof mp);
            unlink(mp);
        }
        c = open_cache(f, 30, 0); /* removes media without records */
        cache_get_stats(c, &st);
        assert_int_equal(st.files, 0);
        cache_close(c);
    }
}

static void test_shown_times_persist(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f, 20, 0);
    put(c, "http://h/a", "0123456789");
    put(c, "http://h/b", "0123456789");
    cache_mark_shown(c, "http://h/a", 200);
    cache_mark_shown(c, "http://h/b", 100);
    cache_close(c);
    c = open_cache(f, 20, 0);
    put(c, "http://h/c", "0123456789");
    assert_true(cache_has(c, "http://h/a"));
    assert_false(cache_has(c, "http://h/b"));
    cache_close(c);
}

static void touch(const char *p, const char *content)
{
    assert_int_equal(dp_write_atomic(p, content, strlen(content)), 0);
}

static void test_leftovers_removed(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f, 0, 0);
    put(c, "http://h/ok", "fine");
    put(c, "http://h/norecord", "orphan");
    cache_close(c);
    char p[4096], keep_media[4096], keep_index[4096];
    file_path(f, "media", "http://h/ok", "", keep_media, sizeof keep_media);
    file_path(f, "index", "http://h/ok", ".meta", keep_index, sizeof keep_index);

    const char *gone[16];
    char bufs[16][4096];
    int n = 0;
    file_path(f, "index", "http://h/norecord", ".meta", p, sizeof p);
    unlink(p);
    file_path(f, "media", "http://h/norecord", "", bufs[n], sizeof bufs[n]);
    gone[n] = bufs[n], n++;
    snprintf(bufs[n], sizeof bufs[n], "%s/media/x.tmp.123", f->dir);
    touch(bufs[n], "t"), gone[n] = bufs[n], n++;
    snprintf(bufs[n], sizeof bufs[n], "%s/index/y.meta.tmp.9", f->dir);
    touch(bufs[n], "t"), gone[n] = bufs[n], n++;
    snprintf(bufs[n], sizeof bufs[n], "%s/feeds/z.body.tmp.9", f->dir);
    touch(bufs[n], "t"), gone[n] = bufs[n], n++;
    file_path(f, "media", "http://h/part-no-validator", ".part", bufs[n], sizeof bufs[n]);
    touch(bufs[n], "half"), gone[n] = bufs[n], n++;
    file_path(f, "media", "http://h/pmeta-no-part", ".pmeta", bufs[n], sizeof bufs[n]);
    touch(bufs[n], "deskplayer-cache 1\nurl http://h/pmeta-no-part\netag \"x\"\n");
    gone[n] = bufs[n], n++;
    file_path(f, "index", "http://h/record-no-media", ".meta", bufs[n], sizeof bufs[n]);
    touch(bufs[n], "deskplayer-cache 1\nurl http://h/record-no-media\nsize 3\nsha256 "
                   "0000000000000000000000000000000000000000000000000000000000000000\n");
    gone[n] = bufs[n], n++;
    file_path(f, "index", "http://h/ok2", ".meta", bufs[n], sizeof bufs[n]);
    touch(bufs[n], "garbage");
    gone[n] = bufs[n], n++;

    c = open_cache(f, 0, 0);
    for (int i = 0; i < n; i++) {
        if (exists(gone[i]))
            fail_msg("leftover kept: %s", gone[i]);
    }
    assert_true(exists(keep_media));
    assert_true(exists(keep_index));
    assert_true(cache_has(c, "http://h/ok"));
    assert_false(cache_has(c, "http://h/norecord"));
    struct cache_stats st;
    cache_get_stats(c, &st);
    assert_int_equal(st.files, 1);
    assert_int_equal(st.bytes, 4);
    cache_close(c);
}

/* {etag, last_modified, durable, expected have} for a part of 100 bytes */
static const struct {
    const char *etag, *lm;
    int64_t durable, have;
} parts[] = {
    {"\"strong\"", NULL, 60, 60},
    {NULL, "Wed, 21 Oct 2015 07:28:00 GMT", 100, 100},
    {"W/\"weak\"", NULL, 60, 0},
    {"W/\"weak\"", "Wed, 21 Oct 2015 07:28:00 GMT", 60, 60},
    {NULL, NULL, 60, 0},
    {"\"strong\"", NULL, 0, 0},
    {"\"strong\"", NULL, 500, 100},
};

static void test_part_resume_info(void **state)
{
    struct fx *f = *state;
    const char *url = "http://h/video.mp4";
    char data[100];
    memset(data, 'v', sizeof data);
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        struct cache *c = open_cache(f, 0, 0);
        struct cache_part p;
        assert_int_equal(cache_part_begin(c, url, &p), 0);
        assert_int_equal(p.have, 0);
        assert_int_equal(cache_part_set_validator(c, url, parts[i].etag, parts[i].lm), 0);
        int fd = open(p.path, O_WRONLY | O_APPEND);
        assert_int_equal(write(fd, data, sizeof data), (ssize_t)sizeof data);
        assert_int_equal(fsync(fd), 0);
        close(fd);
        assert_int_equal(cache_part_checkpoint(c, url, parts[i].durable), 0);
        cache_close(c);

        c = open_cache(f, 0, 0);
        assert_int_equal(cache_part_begin(c, url, &p), 0);
        if (p.have != parts[i].have)
            fail_msg("row %zu: have %lld, want %lld", i, (long long)p.have,
                     (long long)parts[i].have);
        struct stat st;
        assert_int_equal(stat(p.path, &st), 0);
        assert_int_equal(st.st_size, p.have);
        if (p.have > 0) {
            assert_true(p.etag[0] || p.last_modified[0]);
            assert_true(strncmp(p.etag, "W/", 2) != 0);
        }
        assert_false(cache_has(c, url)); /* a part is never media */
        cache_part_discard(c, url);
        assert_false(exists(p.path));
        cache_close(c);
    }
}

static void test_commit_after_resume(void **state)
{
    struct fx *f = *state;
    const char *url = "http://h/r.bin";
    struct cache *c = open_cache(f, 0, 0);
    struct cache_part p;
    assert_int_equal(cache_part_begin(c, url, &p), 0);
    assert_int_equal(cache_part_set_validator(c, url, "\"v\"", NULL), 0);
    int fd = open(p.path, O_WRONLY | O_APPEND);
    assert_int_equal(write(fd, "abcdef", 6), 6);
    close(fd);
    assert_int_equal(cache_part_checkpoint(c, url, 6), 0);
    cache_close(c);
    c = open_cache(f, 0, 0);
    assert_int_equal(cache_part_begin(c, url, &p), 0);
    assert_int_equal(p.have, 6);
    fd = open(p.path, O_WRONLY | O_APPEND);
    assert_int_equal(write(fd, "ghij", 4), 4);
    close(fd);
    assert_int_equal(cache_commit(c, url, "\"v\"", NULL, NULL), 0);
    char path[4096], sha[DP_SHA256_HEX], want[DP_SHA256_HEX];
    assert_int_equal(cache_media_path(c, url, path, sizeof path), 0);
    int64_t size;
    assert_int_equal(dp_sha256_file(path, sha, &size), 0);
    dp_sha256_hex("abcdefghij", 10, want);
    assert_string_equal(sha, want);
    char pm[4096];
    file_path(f, "media", url, ".pmeta", pm, sizeof pm);
    assert_false(exists(pm));
    assert_false(exists(p.path));
    cache_close(c);
}

static void test_commit_hashed(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f, 0, 0);
    char sha[DP_SHA256_HEX], path[4096];
    dp_sha256_hex("0123456789", 10, sha);
    write_part(c, "http://h/h1", "0123456789", 10);
    assert_int_equal(cache_commit_hashed(c, "http://h/h1", sha, 9, NULL, NULL, NULL), -EBADMSG);
    assert_false(cache_has(c, "http://h/h1"));
    write_part(c, "http://h/h1", "0123456789", 10);
    assert_int_equal(cache_commit_hashed(c, "http://h/h1", sha, 10, NULL, NULL, NULL), 0);
    assert_int_equal(cache_media_path(c, "http://h/h1", path, sizeof path), 0);
    cache_close(c);
    /* After a restart the recorded hash is checked against the bytes. */
    c = open_cache(f, 0, 0);
    assert_int_equal(cache_media_path(c, "http://h/h1", path, sizeof path), 0);
    cache_close(c);
}

static void test_feed_store_load(void **state)
{
    struct fx *f = *state;
    const char *url = "https://h/feed.json";
    struct cache *c = open_cache(f, 0, 0);
    char *body = NULL, *ct = NULL, *etag = NULL, *lm = NULL, *base = NULL;
    size_t len = 0;
    assert_int_equal(cache_load_feed(c, url, &body, &len, &ct, &etag, &lm), -ENOENT);
    assert_int_equal(cache_store_feed_ex(c, url, "https://h2/x/feed.json", "{\"a\":1}", 7,
                                         "application/feed+json", "\"f1\"",
                                         "Wed, 21 Oct 2015 07:28:00 GMT"),
                     0);
    cache_close(c);
    c = open_cache(f, 0, 0);
    assert_int_equal(cache_load_feed_ex(c, url, &body, &len, &ct, &etag, &lm, &base), 0);
    assert_int_equal(len, 7);
    assert_string_equal(body, "{\"a\":1}");
    assert_string_equal(ct, "application/feed+json");
    assert_string_equal(etag, "\"f1\"");
    assert_string_equal(lm, "Wed, 21 Oct 2015 07:28:00 GMT");
    assert_string_equal(base, "https://h2/x/feed.json");
    free(body), free(ct), free(etag), free(lm), free(base);

    /* A body newer than its record (crash between the two writes): the
     * body is used, the stale validators are not. */
    char bp[4096];
    file_path(f, "feeds", url, ".body", bp, sizeof bp);
    touch(bp, "{\"a\":2}");
    assert_int_equal(cache_load_feed(c, url, &body, &len, &ct, &etag, &lm), 0);
    assert_string_equal(body, "{\"a\":2}");
    assert_null(etag);
    assert_null(lm);
    free(body), free(ct);

    /* Feeds are kept per feed URL. */
    assert_int_equal(cache_load_feed(c, "https://h/other.json", &body, &len, NULL, NULL, NULL),
                     -ENOENT);
    cache_close(c);
}

static void test_replace_keeps_one(void **state)
{
    struct fx *f = *state;
    struct cache *c = open_cache(f, 0, 0);
    put(c, "http://h/x", "first");
    put(c, "http://h/x", "second!");
    struct cache_stats st;
    cache_get_stats(c, &st);
    assert_int_equal(st.files, 1);
    assert_int_equal(st.bytes, 7);
    cache_close(c);
    c = open_cache(f, 0, 0);
    char path[4096];
    assert_int_equal(cache_media_path(c, "http://h/x", path, sizeof path), 0);
    cache_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_mismatch_deletes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_checked_every_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_media_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eviction_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shown_times_persist, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leftovers_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_part_resume_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_after_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_hashed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_store_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_keeps_one, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
