#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"

int dp_open_regular_at(int dirfd, const char *name, int flags, unsigned mode)
{
    int fd = openat(dirfd, name, (flags & ~O_TRUNC) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                    (mode_t)mode);
    if (fd < 0)
        return errno == ELOOP ? -ELOOP : errno == ENXIO ? -EINVAL : -errno;
    struct stat st;
    int e = 0;
    if (fstat(fd, &st) < 0)
        e = -errno;
    else if (!S_ISREG(st.st_mode))
        e = -EINVAL;
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
        e = -errno;
    else if ((flags & O_TRUNC) && ftruncate(fd, 0) < 0)
        e = -errno;
    if (e < 0) {
        close(fd);
        return e;
    }
    return fd;
}

int dp_open_regular(const char *path, int flags, unsigned mode)
{
    return dp_open_regular_at(AT_FDCWD, path, flags, mode);
}

static int read_fd(int fd, size_t max, char **out, size_t *len);

int dp_read_file(const char *path, size_t max, char **out, size_t *len)
{
    /* O_NONBLOCK: opening a FIFO without a writer would wait forever. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == ENXIO ? -EINVAL : -errno;
    return read_fd(fd, max, out, len);
}

int dp_read_regular_at(int dirfd, const char *name, size_t max, char **out, size_t *len)
{
    int fd = dp_open_regular_at(dirfd, name, O_RDONLY, 0);
    if (fd < 0)
        return fd;
    return read_fd(fd, max, out, len);
}

int dp_read_regular(const char *path, size_t max, char **out, size_t *len)
{
    return dp_read_regular_at(AT_FDCWD, path, max, out, len);
}

/* Reads the regular file open on fd (closed here). */
static int read_fd(int fd, size_t max, char **out, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    if (!S_ISREG(st.st_mode) || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        close(fd);
        return -EINVAL;
    }
    if ((size_t)st.st_size > max) {
        close(fd);
        return -EFBIG;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *data = dp_malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max + 1) {
                free(data);
                close(fd);
                return -EFBIG;
            }
            cap = cap * 2 + 1;
            data = dp_realloc(data, cap);
        }
        ssize_t r = read(fd, data + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = -errno;
            free(data);
            close(fd);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        free(data);
        return -EFBIG;
    }
    data[n] = '\0';
    *out = data;
    if (len)
        *len = n;
    return 0;
}

int dp_fsync_dir(const char *path)
{
    struct stat st;
    char *copy = NULL;
    const char *dir = path;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        copy = dp_strdup(path);
        dir = dirname(copy);
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r = 0;
    if (fd < 0)
        r = -errno;
    else if (fsync(fd) < 0)
        r = -errno;
    if (fd >= 0)
        close(fd);
    free(copy);
    return r;
}

int dp_write_atomic_at(int dirfd, const char *name, const void *data, size_t len)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%d", name, (int)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp)
        return -ENAMETOOLONG;
    /* A name left by a crash, or planted (a symlink), is removed, never
     * written through. */
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(dirfd, tmp, flags, 0644);
    if (fd < 0 && errno == EEXIST && unlinkat(dirfd, tmp, 0) == 0)
        fd = openat(dirfd, tmp, flags, 0644);
    if (fd < 0)
        return -errno;
    const char *p = data;
    size_t left = len;
    int r = 0;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!r && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && !r)
        r = -errno;
    if (!r && renameat(dirfd, tmp, dirfd, name) < 0)
        r = -errno;
    if (r) {
        unlinkat(dirfd, tmp, 0);
        return r;
    }
    if (dirfd == AT_FDCWD)
        return dp_fsync_dir(name);
    return fsync(dirfd) < 0 ? -errno : 0;
}

int dp_write_atomic(const char *path, const void *data, size_t len)
{
    return dp_write_atomic_at(AT_FDCWD, path, data, len);
}

int dp_open_subdir(int dirfd, const char *name, unsigned mode, bool *replaced)
{
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    *replaced = false;
    if (mkdirat(dirfd, name, (mode_t)mode) < 0 && errno != EEXIST)
        return -errno;
    int fd = openat(dirfd, name, flags);
    if (fd >= 0 || (errno != ELOOP && errno != ENOTDIR))
        return fd >= 0 ? fd : -errno;
    /* A symlink (or a file) where the folder should be: the link goes, not
     * what it points at, and a real folder takes its place. */
    *replaced = true;
    if (unlinkat(dirfd, name, 0) < 0 || mkdirat(dirfd, name, (mode_t)mode) < 0)
        return -errno;
    fd = openat(dirfd, name, flags);
    return fd >= 0 ? fd : -errno;
}

char *dp_fd_path(int fd)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    return fd >= 0 && access(p, F_OK) == 0 ? dp_strdup(p) : NULL;
}

int dp_mkdir_p(const char *path, unsigned mode)
{
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf)
        return -EINVAL;
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return -errno;
            buf[i] = c;
        }
    }
    struct stat st;
    if (stat(path, &st) < 0)
        return -errno;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

void dp_slug(const char *s, size_t max, char *out, size_t cap)
{
    size_t n = 0;
    for (; s && *s && n < max && n + 1 < cap; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        out[n++] = ok ? c : '_';
    }
    out[n] = '\0';
    if (n == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        snprintf(out, cap, "_");
}
