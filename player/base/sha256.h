/* SHA-256 through libsodium. */
#ifndef DP_SHA256_H
#define DP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define DP_SHA256_HEX 65 /* 64 hex digits and a NUL */

void dp_sha256_hex(const void *data, size_t len, char out[DP_SHA256_HEX]);
/* Hashes a whole regular file, never through a symlink (-ELOOP) nor from a
 * FIFO or device (-EINVAL); *size gets its length. 0 or a negative errno. */
int dp_sha256_file(const char *path, char out[DP_SHA256_HEX], int64_t *size);
/* The same for the file open on fd, read from its start (fd stays open). */
int dp_sha256_fd(int fd, char out[DP_SHA256_HEX], int64_t *size);

#endif
