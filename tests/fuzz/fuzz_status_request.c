/* libFuzzer: the status request decisions that are ours (app/status_request.c;
 * libmicrohttpd parses the HTTP itself): the route of a method and path,
 * the Authorization value against a token, and the failed-attempt limiter
 * keyed by a client address. Input: "METHOD PATH\n" then the Authorization
 * value (any bytes, not NUL-terminated); the first 28 bytes also serve as
 * a socket address for the limiter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/status_request.h"

static unsigned char hash[STATUS_TOKEN_HASH_BYTES];
static struct status_limiter limiter;
static int64_t now_ms;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    status_token_hash("s3cret-tok", hash);
    status_limiter_init(&limiter);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t head = nl ? (size_t)(nl - (const char *)data) : size;
    char *line = malloc(head + 1);
    memcpy(line, data, head);
    line[head] = '\0';
    char *sp = strchr(line, ' ');
    const char *path = NULL;
    if (sp) {
        *sp = '\0';
        path = sp + 1;
    }
    status_route(line, path);
    free(line);

    const char *auth = nl ? nl + 1 : NULL;
    size_t auth_len = nl ? size - head - 1 : 0;
    bool ok = status_auth_ok(hash, auth, auth_len);

    unsigned char key[STATUS_ADDR_MAX];
    size_t klen = status_limiter_key(data, size < 28 ? size : 28, key);
    now_ms += size % 1500;
    if (status_limiter_allowed(&limiter, key, klen, now_ms) && !ok)
        status_limiter_failed(&limiter, key, klen, now_ms);
    return 0;
}
