#include "base/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include "base/fileio.h"

static void to_hex(const unsigned char *h, char out[DP_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[64] = '\0';
}

void dp_sha256_hex(const void *data, size_t len, char out[DP_SHA256_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    to_hex(h, out);
}

int dp_sha256_file(const char *path, char out[DP_SHA256_HEX], int64_t *size)
{
    int fd = dp_open_regular(path, O_RDONLY, 0); /* a symlink is not ours */
    if (fd < 0)
        return fd;
    int e = dp_sha256_fd(fd, out, size);
    close(fd);
    return e;
}

int dp_sha256_fd(int fd, char out[DP_SHA256_HEX], int64_t *size)
{
    if (lseek(fd, 0, SEEK_SET) < 0)
        return -errno;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536];
    int64_t total = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            break;
        crypto_hash_sha256_update(&st, buf, (unsigned long long)r);
        total += r;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    to_hex(h, out);
    if (size)
        *size = total;
    return 0;
}
