/* The parts of a status request that are ours to decide (libmicrohttpd
 * parses the HTTP): which route a method and path name, whether an
 * Authorization value carries the token, and the per-client limit on
 * failed token attempts. Pure: no I/O, no clock of their own (now is an
 * argument), so a fuzz target and unit tests drive them directly. */
#ifndef DP_APP_STATUS_REQUEST_H
#define DP_APP_STATUS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATUS_TOKEN_HASH_BYTES 32 /* BLAKE2b-256 of the token */

enum status_route {
    STATUS_ROUTE_STATUS,     /* GET|HEAD /status */
    STATUS_ROUTE_METRICS,    /* GET|HEAD /metrics */
    STATUS_ROUTE_SCREENSHOT, /* GET|HEAD /screenshot.png */
    STATUS_ROUTE_NOT_FOUND,  /* GET|HEAD anything else: 404 */
    STATUS_ROUTE_BAD_METHOD, /* another method: 405 */
};

/* The route of method and path (the path without its query; NULL reads as
 * ""). Pure, any thread. */
enum status_route status_route(const char *method, const char *path);

/* Hashes token (NUL-terminated, non-empty) into hash. Returns 0, or -1 when
 * libsodium cannot start. Any thread. */
int status_token_hash(const char *token, unsigned char hash[STATUS_TOKEN_HASH_BYTES]);

/* Whether value[0..len) (an Authorization header value, not necessarily
 * NUL-terminated) is "Bearer <token>" for the token whose hash is given:
 * the scheme in any case, spaces or tabs around the token ignored. Compared
 * in constant time (the hashes of both sides), so not even the length
 * leaks. NULL value: false. Any thread. */
bool status_auth_ok(const unsigned char hash[STATUS_TOKEN_HASH_BYTES], const char *value,
                    size_t len);

/* ---- failed token attempts, per client ----------------------------------- */

/* A token bucket per client address: STATUS_AUTH_BURST failures at once,
 * then one more each STATUS_AUTH_REFILL_MS. A client whose bucket is empty
 * is answered 429 without its token being looked at. The table holds
 * STATUS_AUTH_CLIENTS addresses; a new one replaces the entry that has been
 * quiet longest. IPv6 clients are counted per /64. */
#define STATUS_AUTH_BURST 5
#define STATUS_AUTH_REFILL_MS 1000
#define STATUS_AUTH_CLIENTS 256
#define STATUS_ADDR_MAX 16

struct status_limiter_entry {
    unsigned char addr[STATUS_ADDR_MAX];
    size_t addr_len; /* 0: free */
    int64_t last_ms; /* of the last failure */
    double tokens;   /* at last_ms */
};

struct status_limiter {
    struct status_limiter_entry e[STATUS_AUTH_CLIENTS];
};

/* Empties l (everybody allowed). Caller owns l; not thread-safe: one thread,
 * or the caller's lock. */
void status_limiter_init(struct status_limiter *l);
/* The key of a client address (struct sockaddr_in or sockaddr_in6 as
 * bytes from sa, of salen bytes) into key[STATUS_ADDR_MAX]. Returns its
 * length (at least 1: clients of an unknown family share one key). Pure. */
size_t status_limiter_key(const void *sa, size_t salen, unsigned char key[STATUS_ADDR_MAX]);
/* Whether the client key may try a token now. */
bool status_limiter_allowed(const struct status_limiter *l, const unsigned char *key, size_t len,
                            int64_t now_ms);
/* Counts one failed attempt of key at now_ms. */
void status_limiter_failed(struct status_limiter *l, const unsigned char *key, size_t len,
                           int64_t now_ms);

#endif
