/* A local folder as a feed (feeds.md §5): every image and video, in name
 * order, is its own post with a file:// URL; *.txt files are text cards.
 * The post id is the file name. Hidden files and subfolders are ignored.
 * Any thread; reads the disk (the poller's thread). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/xalloc.h"
#include "feed/feed_internal.h"

#define FOLDER_MAX_ENTRIES 10000          /* names looked at in one folder */
#define FOLDER_TEXT_MAX_BYTES (64 * 1024) /* read from one .txt file */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "/srv/a b.jpg" -> "file:///srv/a%20b.jpg" */
static char *file_url(const char *dir, const char *name)
{
    struct dp_buf b;
    dp_buf_init(&b, 0);
    dp_buf_append(&b, "file://", 7);
    char *path = dp_strfmt("%s/%s", dir, name);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            dp_buf_append(&b, p, 1);
        else
            dp_buf_appendf(&b, "%%%02X", *p);
    }
    free(path);
    return dp_buf_steal(&b, NULL);
}

static char *read_text(int dirfd, const char *name, bool linked)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (linked ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return NULL;
    char *buf = dp_malloc(FOLDER_TEXT_MAX_BYTES + 1);
    size_t n = 0;
    while (n < FOLDER_TEXT_MAX_BYTES) {
        ssize_t r = read(fd, buf + n, FOLDER_TEXT_MAX_BYTES - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    return buf; /* sanitised (UTF-8 repaired, NULs dropped) by feed_finalize */
}

static bool has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n > e + 1 && name[n - e - 1] == '.' && strcasecmp(name + n - e, ext) == 0;
}

/* A regular file to take: name itself, or a symlink to a regular file
 * inside real (the folder), or anywhere when follow. */
static bool take_file(int dfd, const char *real, const char *name, bool follow, struct stat *st,
                      bool *linked)
{
    *linked = false;
    if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) != 0)
        return false;
    if (S_ISREG(st->st_mode))
        return true;
    *linked = true;
    if (!S_ISLNK(st->st_mode))
        return false;
    char *link = dp_strfmt("%s/%s", real, name);
    char target[PATH_MAX];
    bool ok = realpath(link, target) && stat(target, st) == 0 && S_ISREG(st->st_mode);
    size_t n = strlen(real);
    if (ok && !follow)
        ok = strncmp(target, real, n) == 0 && target[n] == '/';
    free(link);
    return ok;
}

int feed_read_folder(const char *path, struct feed **out, char *err, size_t errlen)
{
    return feed_read_folder_ex(path, false, out, err, errlen);
}

int feed_read_folder_ex(const char *path, bool follow_symlinks, struct feed **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    char real[PATH_MAX];
    if (!path || !realpath(path, real))
        return feed_fail(err, errlen, FEED_ERR_SYNTAX, "cannot open folder %s: %s",
                         path ? path : "(null)", strerror(errno));
    DIR *d = opendir(real);
    if (!d)
        return feed_fail(err, errlen, FEED_ERR_SYNTAX, "cannot open folder %s: %s", real,
                         strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < FOLDER_MAX_ENTRIES) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = dp_realloc(names, cap * sizeof *names);
        }
        names[n++] = dp_strdup(e->d_name);
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    struct feed *f = feed_alloc("folder");
    const char *base = strrchr(real, '/');
    f->title = dp_strdup(base && base[1] ? base + 1 : real);
    int dfd = dirfd(d);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        bool linked;
        if (!take_file(dfd, real, names[i], follow_symlinks, &st, &linked))
            continue;
        enum media_kind kind;
        if (feed_kind_from_ext(names[i], &kind)) {
            struct post *p = feed_add_post(f);
            p->id = dp_strdup(names[i]);
            struct media_ref *m = post_add_media(p);
            m->url = file_url(real, names[i]);
            m->kind = kind;
            m->size = (int64_t)st.st_size;
            p->text = dp_strdup("");
        } else if (has_ext(names[i], "txt")) {
            char *text = read_text(dfd, names[i], linked);
            if (!text)
                continue;
            struct post *p = feed_add_post(f);
            p->id = dp_strdup(names[i]);
            p->text = text;
        }
    }
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    char *base_url = file_url(real, "");
    size_t kept = feed_finalize(f, base_url, NULL, NULL);
    free(base_url);
    if (kept == 0) {
        feed_unref(f);
        return feed_fail(err, errlen, FEED_ERR_EMPTY, "no images, videos or texts in %s", real);
    }
    *out = f;
    return FEED_OK;
}
