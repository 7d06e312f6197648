/* The status request decisions: see status_request.h. */
#include "app/status_request.h"

#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <sodium.h>

_Static_assert(STATUS_TOKEN_HASH_BYTES == crypto_generichash_BYTES, "BLAKE2b-256");

enum status_route status_route(const char *method, const char *path)
{
    if (!method || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0))
        return STATUS_ROUTE_BAD_METHOD;
    if (!path)
        return STATUS_ROUTE_NOT_FOUND;
    if (strcmp(path, "/status") == 0)
        return STATUS_ROUTE_STATUS;
    if (strcmp(path, "/metrics") == 0)
        return STATUS_ROUTE_METRICS;
    if (strcmp(path, "/screenshot.png") == 0)
        return STATUS_ROUTE_SCREENSHOT;
    return STATUS_ROUTE_NOT_FOUND;
}

int status_token_hash(const char *token, unsigned char hash[STATUS_TOKEN_HASH_BYTES])
{
    if (sodium_init() < 0)
        return -1;
    crypto_generichash(hash, STATUS_TOKEN_HASH_BYTES, (const unsigned char *)token, strlen(token),
                       NULL, 0);
    return 0;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

bool status_auth_ok(const unsigned char hash[STATUS_TOKEN_HASH_BYTES], const char *value,
                    size_t len)
{
    if (!value)
        return false;
    const char *end = value + len;
    while (value < end && blank(*value))
        value++;
    while (end > value && blank(end[-1]))
        end--;
    if (end - value < 7 || strncasecmp(value, "Bearer", 6) != 0 || !blank(value[6]))
        return false;
    const char *t = value + 7;
    while (t < end && blank(*t))
        t++;
    unsigned char h[STATUS_TOKEN_HASH_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)t, (unsigned long long)(end - t), NULL,
                       0);
    return sodium_memcmp(h, hash, sizeof h) == 0;
}

/* ---- the limiter ---------------------------------------------------------- */

void status_limiter_init(struct status_limiter *l)
{
    memset(l, 0, sizeof *l);
}

size_t status_limiter_key(const void *sa, size_t salen, unsigned char key[STATUS_ADDR_MAX])
{
    sa_family_t family = 0;
    if (sa && salen >= sizeof family)
        memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family), sizeof family);
    if (family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in in;
        memcpy(&in, sa, sizeof in);
        memcpy(key, &in.sin_addr, 4);
        return 4;
    }
    if (family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
            memcpy(key, in6.sin6_addr.s6_addr + 12, 4);
            return 4;
        }
        memcpy(key, in6.sin6_addr.s6_addr, 8); /* the /64 */
        return 8;
    }
    key[0] = 0;
    return 1;
}

static double tokens_at(const struct status_limiter_entry *e, int64_t now_ms)
{
    double t = e->tokens;
    if (now_ms > e->last_ms)
        t += (double)(now_ms - e->last_ms) / STATUS_AUTH_REFILL_MS;
    return t > STATUS_AUTH_BURST ? STATUS_AUTH_BURST : t;
}

static const struct status_limiter_entry *find(const struct status_limiter *l,
                                               const unsigned char *key, size_t len)
{
    for (size_t i = 0; i < STATUS_AUTH_CLIENTS; i++) {
        const struct status_limiter_entry *e = &l->e[i];
        if (e->addr_len == len && memcmp(e->addr, key, len) == 0)
            return e;
    }
    return NULL;
}

bool status_limiter_allowed(const struct status_limiter *l, const unsigned char *key, size_t len,
                            int64_t now_ms)
{
    if (len == 0 || len > STATUS_ADDR_MAX)
        return false;
    const struct status_limiter_entry *e = find(l, key, len);
    return !e || tokens_at(e, now_ms) >= 1.0;
}

void status_limiter_failed(struct status_limiter *l, const unsigned char *key, size_t len,
                           int64_t now_ms)
{
    if (len == 0 || len > STATUS_ADDR_MAX)
        return;
    struct status_limiter_entry *e = (struct status_limiter_entry *)find(l, key, len);
    if (!e) {
        /* A free entry, else the one quiet longest. */
        e = &l->e[0];
        for (size_t i = 0; i < STATUS_AUTH_CLIENTS; i++) {
            if (l->e[i].addr_len == 0) {
                e = &l->e[i];
                break;
            }
            if (l->e[i].last_ms < e->last_ms)
                e = &l->e[i];
        }
        memset(e, 0, sizeof *e);
        memcpy(e->addr, key, len);
        e->addr_len = len;
        e->tokens = STATUS_AUTH_BURST;
        e->last_ms = now_ms;
    }
    double t = tokens_at(e, now_ms) - 1.0;
    e->tokens = t < 0 ? 0 : t;
    if (now_ms > e->last_ms)
        e->last_ms = now_ms;
}
