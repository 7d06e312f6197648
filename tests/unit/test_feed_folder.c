/* Local folders (feeds.md §5): a temporary folder built by the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "feed/feed.h"

static char dir[256];

static void put(const char *name, const char *content)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(content, fp);
    fclose(fp);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dp_test_folder_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    put("b-photo.JPG", "jpegdata");
    put("a clip.mp4", "mp4data");
    put("c-notice.txt", "Fermeture à 18 h\xc3\xa9\xff\n\nÀ demain.");
    put("d-readme.md", "ignored");
    put(".hidden.png", "ignored");
    put("e-empty.txt", "   \n");
    put("f-image.webp", "webp");
    char sub[512];
    snprintf(sub, sizeof sub, "%s/sub.png", dir);
    mkdir(sub, 0700); /* a folder with an image's name is not an image */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"b-photo.JPG", "a clip.mp4",  "c-notice.txt", "d-readme.md",
                           ".hidden.png", "e-empty.txt", "f-image.webp"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sub.png", dir);
    rmdir(path);
    rmdir(dir);
    return 0;
}

static void test_folder(void **state)
{
    (void)state;
    struct feed *f = NULL;
    char err[256];
    assert_int_equal(feed_read_folder(dir, &f, err, sizeof err), FEED_OK);
    assert_string_equal(f->format, "folder");
    assert_int_equal(f->n_posts, 4);
    assert_string_equal(f->posts[0].id, "a clip.mp4");
    assert_int_equal(f->posts[0].n_media, 1);
    assert_int_equal(f->posts[0].media[0].kind, MEDIA_VIDEO);
    char want[512];
    snprintf(want, sizeof want, "file://%s/a%%20clip.mp4", dir);
    assert_string_equal(f->posts[0].media[0].url, want);
    assert_int_equal(f->posts[0].media[0].size, 7);
    assert_string_equal(f->posts[1].id, "b-photo.JPG");
    assert_int_equal(f->posts[1].media[0].kind, MEDIA_IMAGE);
    assert_string_equal(f->posts[2].id, "c-notice.txt");
    assert_int_equal(f->posts[2].n_media, 0);
    assert_string_equal(f->posts[2].text, "Fermeture à 18 hé\xEF\xBF\xBD\n\nÀ demain.");
    assert_string_equal(f->posts[3].id, "f-image.webp");
    feed_unref(f);
}

static void test_errors(void **state)
{
    (void)state;
    struct feed *f = NULL;
    char err[256];
    assert_int_equal(feed_read_folder("/nonexistent/dp/folder", &f, err, sizeof err),
                     FEED_ERR_SYNTAX);
    assert_true(strlen(err) > 0);
    assert_null(f);
    char empty[256];
    snprintf(empty, sizeof empty, "/tmp/dp_test_empty_XXXXXX");
    assert_non_null(mkdtemp(empty));
    assert_int_equal(feed_read_folder(empty, &f, err, sizeof err), FEED_ERR_EMPTY);
    rmdir(empty);
    assert_int_equal(feed_read_folder(NULL, &f, err, sizeof err), FEED_ERR_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_folder),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
