/* Files: capped reads and atomic, durable writes. Blocking: never call from
 * the drawing thread. All return 0 or a negative errno value. */
#ifndef DP_FILEIO_H
#define DP_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

/* Reads a whole file of at most max bytes into a fresh NUL-terminated buffer
 * (caller frees *out). -EFBIG when larger; -EINVAL when path is not a
 * regular file (a FIFO or a device is refused at once, never waited on). */
int dp_read_file(const char *path, size_t max, char **out, size_t *len);
/* The same without following a symlink at path (-ELOOP): for files in
 * folders the player owns (the cache). */
int dp_read_regular(const char *path, size_t max, char **out, size_t *len);
/* open(2) of a regular file that is not a symlink (O_NOFOLLOW, O_CLOEXEC;
 * O_NONBLOCK during the open so that a FIFO cannot hang it). Returns the
 * descriptor, or -ELOOP (a symlink), -EINVAL (a FIFO, device, folder or
 * socket) or another negative errno value. flags may hold O_CREAT (mode
 * then applies), O_EXCL, O_TRUNC; O_TRUNC is applied only once the file is
 * known to be regular. */
int dp_open_regular(const char *path, int flags, unsigned mode);
/* The same for name in the folder open on dirfd (openat(2); AT_FDCWD for
 * the working directory): a folder swapped for a symlink after dirfd was
 * opened changes nothing, the name is looked up in the folder itself. */
int dp_open_regular_at(int dirfd, const char *name, int flags, unsigned mode);
/* dp_read_regular of name in the folder open on dirfd. */
int dp_read_regular_at(int dirfd, const char *name, size_t max, char **out, size_t *len);
/* Writes path atomically and durably: path.tmp.<pid>, fsync, rename, fsync of
 * the directory. A crash leaves the old file or the new one, never a mix. */
int dp_write_atomic(const char *path, const void *data, size_t len);
/* The same for name in the folder open on dirfd, which is fsynced. */
int dp_write_atomic_at(int dirfd, const char *name, const void *data, size_t len);
/* Opens (making it when missing) the folder name in the folder open on
 * dirfd, never through a symlink: a symlink or a file at name is removed
 * (what a link points at is left alone), *replaced is set, and a folder is
 * made in its place. Returns the folder's descriptor (O_DIRECTORY) or a
 * negative errno value. */
int dp_open_subdir(int dirfd, const char *name, unsigned mode, bool *replaced);
/* fsync of the directory that holds path (or of path when it is a directory). */
int dp_fsync_dir(const char *dir);
/* "/proc/self/fd/<fd>": a name that opens the very file open on fd, for
 * a library that takes a path (Linux). NULL when /proc is not mounted.
 * Caller frees. */
char *dp_fd_path(int fd);
/* mkdir -p; 0 when it exists. */
int dp_mkdir_p(const char *path, unsigned mode);
/* Reduces s to [A-Za-z0-9._-] (others become '_'), at most max chars, into
 * out (cap bytes). Never yields "", "." or "..": a safe single path part. */
void dp_slug(const char *s, size_t max, char *out, size_t cap);

#endif
