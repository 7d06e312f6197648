/* The status endpoint ([status] listen, interface.md "Status endpoint"):
 * GET /status (JSON), GET /metrics (Prometheus text), GET /screenshot.png.
 *
 * struct status_server serves HTTP with libmicrohttpd on its own epoll
 * thread and gets its figures through a struct status_source (callbacks);
 * the board that the player fills is in status_board.h, the route and
 * token decisions in status_request.h.
 *
 * Uses libc, pthreads, libmicrohttpd, cJSON and libsodium; the PNG encoding
 * is the player's screenshot callback. */
#ifndef DP_APP_STATUS_H
#define DP_APP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/status_board.h"

/* Where the server gets its data. snapshot runs on the HTTP thread and must
 * be quick (a copy under a lock); screenshot runs on the server's own
 * screenshot thread, one at a time, and must not wait for longer than it is
 * told. Both must be thread-safe. */
struct status_source {
    void *ctx;
    /* Fills out, which arrives zeroed except for the preset fields.
     * NULL: only the preset fields are served. */
    void (*snapshot)(void *ctx, struct status_info *out);
    /* Returns 0 and a malloc'd PNG in *png (the server frees it) and its size
     * in *len, or -1 (answered 503) when no frame comes within timeout_ms.
     * NULL: /screenshot.png answers 503. */
    int (*screenshot)(void *ctx, void **png, size_t *len, int timeout_ms);
};

/* ---- the server ---------------------------------------------------------- */

struct status_server;

/* Binds listen ("HOST:PORT", "[v6]:PORT"; port 0 picks a free one) and starts
 * the server's threads. token: when non-empty, every request needs
 * "Authorization: Bearer <token>"; a non-loopback address without a token is
 * refused. src is copied; src->ctx must outlive the server.
 * Returns the server, or NULL: with err empty when listen is NULL or "" (the
 * endpoint is off), else with a message in err. Any thread; HOST may be a
 * name (resolved here, blocking), a numeric address does not block. */
struct status_server *status_start(const char *listen, const char *token,
                                   const struct status_source *src, char *err, size_t errlen);
/* The bound port (useful with port 0), or -1 for NULL. Any thread. */
int status_port(const struct status_server *s);
/* Stops the server (within the time of one screenshot callback at most),
 * closes its sockets, frees s. NULL ok. The thread that called status_start. */
void status_stop(struct status_server *s);
/* Applies a reloaded [status] (SIGHUP): the same listen keeps the socket
 * and changes the token at once (failed-attempt counts are kept); another
 * listen stops *s and starts a new server in its place (*s may become NULL
 * when the new listen is empty or cannot be opened). Returns 0, or -1 with
 * a message in err (the endpoint is then off, or keeps its old token when
 * an empty token is refused off loopback). The thread that called
 * status_start. */
int status_reconfigure(struct status_server **s, const char *listen, const char *token,
                       const struct status_source *src, char *err, size_t errlen);

#endif
