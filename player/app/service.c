/* systemd notify protocol: see service.h. sd_notify() itself does nothing
 * (returns 0) when $NOTIFY_SOCKET is unset, but the module checks first so
 * that no line is even formatted outside systemd. */
#include "app/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "base/log.h"
#include "base/xalloc.h"

struct service {
    bool active; /* $NOTIFY_SOCKET names a socket */
    bool ready_sent;
    bool stopping_sent;
    int64_t interval_ms; /* WATCHDOG_USEC / 2; 0: no watchdog */
    int64_t next_ping;   /* monotonic ms */
    char last_status[SERVICE_STATUS_MAX];
};

static void send_line(struct service *s, const char *line)
{
    int r = sd_notify(0, line);
    if (r < 0)
        LOG_D("service", "sd_notify(%.20s...) failed: %s", line, strerror(-r));
}

struct service *service_create(int64_t now_ms)
{
    struct service *s = dp_calloc(1, sizeof *s);
    const char *sock = getenv("NOTIFY_SOCKET");
    s->active = sock && *sock;
    if (!s->active)
        return s;
    uint64_t usec = 0;
    /* > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID (if set) is ours. */
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        s->interval_ms = (int64_t)(usec / 2000);
        if (s->interval_ms < 1)
            s->interval_ms = 1;
        s->next_ping = now_ms; /* the first ping goes out at once */
        LOG_I("service", "systemd watchdog: a ping every %lld ms", (long long)s->interval_ms);
    }
    return s;
}

void service_destroy(struct service *s)
{
    free(s);
}

bool service_active(const struct service *s)
{
    return s && s->active;
}

int64_t service_ping_interval(const struct service *s)
{
    return s ? s->interval_ms : 0;
}

void service_ready(struct service *s)
{
    if (!s || !s->active || s->ready_sent)
        return;
    s->ready_sent = true;
    send_line(s, "READY=1");
}

int64_t service_due(const struct service *s)
{
    if (!s || !s->active || s->interval_ms <= 0)
        return INT64_MAX;
    return s->next_ping;
}

int64_t service_tick(struct service *s, int64_t now_ms)
{
    if (!s || !s->active || s->interval_ms <= 0)
        return INT64_MAX;
    if (now_ms >= s->next_ping) {
        send_line(s, "WATCHDOG=1");
        /* From now, not from the missed due time: a late loop does not
         * burst pings to catch up. */
        s->next_ping = now_ms + s->interval_ms;
    }
    return s->next_ping;
}

void service_status(struct service *s, const char *item, const char *feed_state)
{
    if (!s || !s->active)
        return;
    char line[SERVICE_STATUS_MAX];
    if (item && *item)
        snprintf(line, sizeof line, "STATUS=Showing %s; feed %s", item,
                 feed_state ? feed_state : "unknown");
    else
        snprintf(line, sizeof line, "STATUS=Standby card; feed %s",
                 feed_state ? feed_state : "unknown");
    /* One line: a newline would start another assignment. */
    for (char *c = line; *c; c++) {
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    }
    if (strcmp(line, s->last_status) == 0)
        return;
    memcpy(s->last_status, line, sizeof line);
    send_line(s, line);
}

void service_stopping(struct service *s, const char *reason)
{
    if (!s || !s->active || s->stopping_sent)
        return;
    s->stopping_sent = true;
    char line[SERVICE_STATUS_MAX];
    snprintf(line, sizeof line, "STOPPING=1\nSTATUS=Stopping (%s)", reason ? reason : "exit");
    send_line(s, line);
}
