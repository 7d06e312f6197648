/* The notify thread: an MQTT subscription ([feed] notify) whose messages
 * ask the poller for a poll (interface.md, issue 11).
 *
 * DESIGN: one thread owns one libmosquitto client and drives it with
 * mosquitto_loop in slices of NET_NOTIFY_LOOP_MS, so net_stop is seen
 * within a slice. The connection is made with mosquitto_connect_async (the
 * socket connect does not block; a name is resolved here, on this thread)
 * and must be acknowledged within DP_CONNECT_TIMEOUT_S. Whatever goes wrong
 * (refused, down, a login refused, a broker that sends garbage, a lost
 * connection) is an `error` event and a reconnection after the poll
 * backoff's doubling (net_push_backoff). A message carries no content: its
 * payload is never read; it only calls net_push_poll, which coalesces. Each
 * (re)connection also asks for a poll, since messages sent while the link
 * was down were lost. libmosquitto's keep-alive pings the broker every
 * NET_NOTIFY_KEEPALIVE_S. */
#include <ctype.h>
#include <errno.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "net/net_internal.h"
#include "net/notify.h"

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Copies [s, s + len) into out, %XX decoded. -1 when it does not fit, a
 * %-escape is bad, or it decodes to a NUL. */
static int decode_part(const char *s, size_t len, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hex_value((unsigned char)s[i + 1]), lo = hex_value((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || hi * 16 + lo == 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (k + 1 >= cap)
            return -1;
        out[k++] = (char)c;
    }
    out[k] = '\0';
    return 0;
}

int notify_parse_url(const char *url, struct notify_url *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *p;
    if (!url || strlen(url) > NET_NOTIFY_URL_MAX) {
        snprintf(err, errlen, "notify URL missing or longer than %d bytes", NET_NOTIFY_URL_MAX);
        return -1;
    }
    if (strncmp(url, "mqtt://", 7) == 0) {
        p = url + 7;
    } else if (strncmp(url, "mqtts://", 8) == 0) {
        p = url + 8;
        out->tls = true;
    } else {
        snprintf(err, errlen, "notify must be mqtt:// or mqtts://");
        return -1;
    }
    for (const char *c = url; *c; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f) {
            snprintf(err, errlen, "notify URL has a space or control character");
            return -1;
        }
    }
    const char *slash = strchr(p, '/');
    if (!slash || !slash[1]) {
        snprintf(err, errlen, "notify URL has no topic (mqtt://host/topic)");
        return -1;
    }
    /* user:password@ (the last @ before the topic: a password may hold one
     * only %-encoded, but be lenient). */
    const char *at = NULL;
    for (const char *c = p; c < slash; c++)
        if (*c == '@')
            at = c;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ulen = colon ? (size_t)(colon - p) : (size_t)(at - p);
        if (ulen == 0 || decode_part(p, ulen, out->user, sizeof out->user) < 0 ||
            (colon && decode_part(colon + 1, (size_t)(at - colon - 1), out->password,
                                  sizeof out->password) < 0)) {
            snprintf(err, errlen, "notify URL: bad user or password");
            return -1;
        }
        out->has_user = true;
        out->has_password = colon != NULL;
        p = at + 1;
    }
    const char *host_end = slash, *port = NULL;
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(slash - p));
        if (!close) {
            snprintf(err, errlen, "notify URL: unclosed [ in the host");
            return -1;
        }
        if (close + 1 < slash) {
            if (close[1] != ':') {
                snprintf(err, errlen, "notify URL: junk after the host");
                return -1;
            }
            port = close + 2;
        }
        p++;
        host_end = close;
    } else {
        const char *colon = memchr(p, ':', (size_t)(slash - p));
        if (colon) {
            host_end = colon;
            port = colon + 1;
        }
    }
    size_t hlen = (size_t)(host_end - p);
    if (hlen == 0 || hlen >= sizeof out->host) {
        snprintf(err, errlen, "notify URL: no host");
        return -1;
    }
    memcpy(out->host, p, hlen);
    out->host[hlen] = '\0';
    out->port = out->tls ? 8883 : 1883;
    if (port) {
        long v = 0;
        const char *c = port;
        for (; c < slash && isdigit((unsigned char)*c) && v <= 65535; c++)
            v = v * 10 + (*c - '0');
        if (c != slash || c == port || v < 1 || v > 65535) {
            snprintf(err, errlen, "notify URL: the port must be 1 to 65535");
            return -1;
        }
        out->port = (int)v;
    }
    if (decode_part(slash + 1, strlen(slash + 1), out->topic, sizeof out->topic) < 0) {
        snprintf(err, errlen, "notify URL: bad topic");
        return -1;
    }
    return 0;
}

void notify_redact_url(const char *url, char *out, size_t cap)
{
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    if (at && (!slash || at < slash))
        snprintf(out, cap, "%.*s<login>@%s", (int)(scheme + 3 - url), url, at + 1);
    else
        snprintf(out, cap, "%s", url);
}

/* ---- the thread ------------------------------------------------------------- */

struct notify {
    struct net *n;
    struct notify_url u;
    bool connected;
    int refused; /* CONNACK code of a refused connection, 0 when none */
    int64_t messages, connects;
    char error[256];
};

static void report(struct notify *ny, const char *state)
{
    net_push_report(ny->n, "mqtt", state, ny->messages, ny->connects, ny->error);
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
    struct notify *ny = obj;
    if (rc != 0) {
        ny->refused = rc;
        snprintf(ny->error, sizeof ny->error, "mqtt: %s", mosquitto_connack_string(rc));
        return;
    }
    int e = mosquitto_subscribe(m, NULL, ny->u.topic, 0);
    if (e != MOSQ_ERR_SUCCESS) {
        snprintf(ny->error, sizeof ny->error, "mqtt: cannot subscribe to %.100s: %s", ny->u.topic,
                 mosquitto_strerror(e));
        ny->refused = -1;
        return;
    }
    ny->connected = true;
    ny->connects++;
    ny->error[0] = '\0';
    LOG_I("net", "notify: subscribed to %s on %s:%d", ny->u.topic, ny->u.host, ny->u.port);
    report(ny, "connected");
    net_push_poll(ny->n); /* what was published while the link was down */
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    (void)m;
    (void)msg; /* no content: the feed stays the only source of truth */
    struct notify *ny = obj;
    ny->messages++;
    net_push_poll(ny->n);
    report(ny, "connected");
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
    (void)m;
    struct notify *ny = obj;
    ny->connected = false;
    if (rc != 0 && !ny->error[0])
        snprintf(ny->error, sizeof ny->error, "mqtt: connection lost (%s)",
                 rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
}

static const char *mosq_error(int rc)
{
    return rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc);
}

/* One connection, from connect to its end. */
static void session(struct notify *ny, struct mosquitto *m)
{
    struct net *n = ny->n;
    ny->refused = 0;
    ny->error[0] = '\0';
    report(ny, "connecting");
    int rc = mosquitto_connect_async(m, ny->u.host, ny->u.port, NET_NOTIFY_KEEPALIVE_S);
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(ny->error, sizeof ny->error, "mqtt: cannot connect to %.100s:%d: %s", ny->u.host,
                 ny->u.port, mosq_error(rc));
        return;
    }
    int64_t connect_by = dp_mono_ms() + DP_CONNECT_TIMEOUT_S * 1000LL;
    while (!net_stopping(n)) {
        rc = mosquitto_loop(m, NET_NOTIFY_LOOP_MS, 1);
        if (ny->refused)
            break;
        if (rc != MOSQ_ERR_SUCCESS) {
            if (!ny->error[0])
                snprintf(ny->error, sizeof ny->error, "mqtt: %.100s:%d: %s", ny->u.host,
                         ny->u.port, mosq_error(rc));
            break;
        }
        if (!ny->connected && dp_mono_ms() > connect_by) {
            snprintf(ny->error, sizeof ny->error, "mqtt: %.100s:%d: no answer within %d s",
                     ny->u.host, ny->u.port, DP_CONNECT_TIMEOUT_S);
            break;
        }
        if (ny->connected)
            connect_by = dp_mono_ms() + DP_CONNECT_TIMEOUT_S * 1000LL;
    }
    mosquitto_disconnect(m);
    ny->connected = false;
}

static struct mosquitto *client_create(struct notify *ny)
{
    struct net *n = ny->n;
    struct mosquitto *m = mosquitto_new(NULL, true, ny);
    if (!m)
        return NULL;
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_message_callback_set(m, on_message);
    mosquitto_disconnect_callback_set(m, on_disconnect);
    if (ny->u.has_user &&
        mosquitto_username_pw_set(m, ny->u.user, ny->u.has_password ? ny->u.password : NULL) !=
            MOSQ_ERR_SUCCESS)
        goto fail;
    if (ny->u.tls) {
        /* As for feeds: the system's store plus ca_file; the host name is
         * checked against the certificate. */
        if (mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, 1) != MOSQ_ERR_SUCCESS)
            goto fail;
        if (n->cfg.ca_file &&
            mosquitto_tls_set(m, n->cfg.ca_file, NULL, NULL, NULL, NULL) != MOSQ_ERR_SUCCESS)
            goto fail;
    }
    return m;
fail:
    mosquitto_destroy(m);
    return NULL;
}

static void emit_error(struct notify *ny)
{
    struct net_event ev = {
        .type = NET_EV_ERROR, .item = "notify", .items = -1, .bytes = -1, .error = ny->error};
    net_emit(ny->n, &ev);
}

void *net_notify_main(void *arg)
{
    struct net *n = arg;
    struct notify *ny = dp_calloc(1, sizeof *ny);
    ny->n = n;
    char safe[NET_NOTIFY_URL_MAX + 16];
    notify_redact_url(n->cfg.notify_url, safe, sizeof safe);
    if (notify_parse_url(n->cfg.notify_url, &ny->u, ny->error, sizeof ny->error) < 0) {
        LOG_E("net", "notify %s: %s; polls only", safe, ny->error);
        emit_error(ny);
        report(ny, "down");
        free(ny);
        return NULL;
    }
    mosquitto_lib_init();
    int failures = 0;
    while (!net_stopping(n)) {
        /* A fresh client for each connection: libmosquitto 2.0 cannot
         * connect a handle again after some TLS failures. */
        struct mosquitto *m = client_create(ny);
        int64_t before = ny->connects;
        if (m)
            session(ny, m);
        else
            snprintf(ny->error, sizeof ny->error, "mqtt: cannot set up the client (TLS, login)");
        if (m)
            mosquitto_destroy(m);
        if (net_stopping(n))
            break;
        failures = ny->connects > before ? 1 : failures + 1;
        int64_t delay = net_push_backoff(n, failures);
        if (!ny->error[0])
            snprintf(ny->error, sizeof ny->error, "mqtt: connection closed");
        LOG_W("net", "notify %s: %s; again in %.1f s", safe, ny->error, (double)delay / 1000);
        emit_error(ny);
        report(ny, "down");
        if (!net_sleep(n, delay))
            break;
    }
    mosquitto_lib_cleanup();
    free(ny);
    return NULL;
}
