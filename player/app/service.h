/* The service manager's side of the player (issue 12): systemd's notify
 * protocol through libsystemd's sd_notify.
 *
 * READY=1 once, when the first picture (an item or the standby card) is on
 * screen; WATCHDOG=1 from the main loop every WATCHDOG_USEC/2 (so a stuck
 * drawing thread stops the pings and systemd restarts the player); STATUS=
 * a short line naming the item on screen and the feed's state, sent when it
 * changes; STOPPING=1 at the start of a shutdown.
 *
 * Outside systemd ($NOTIFY_SOCKET unset) every call is a cheap no-op and
 * service_due() is INT64_MAX. All calls: the main thread only. */
#ifndef DP_APP_SERVICE_H
#define DP_APP_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#define SERVICE_STATUS_MAX 256 /* one STATUS= line, cut to fit */

struct service;

/* Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID (a watchdog meant
 * for another process is ignored). now_ms: the monotonic clock. Never fails:
 * returns a service that may be inactive. Caller owns it. */
struct service *service_create(int64_t now_ms);
/* Frees s. NULL ok. */
void service_destroy(struct service *s);

/* True when a service manager listens ($NOTIFY_SOCKET was set). */
bool service_active(const struct service *s);
/* The watchdog ping interval in ms (WATCHDOG_USEC/2), 0 when off. */
int64_t service_ping_interval(const struct service *s);

/* Sends READY=1 the first time it is called; later calls do nothing. */
void service_ready(struct service *s);
/* Sends WATCHDOG=1 when a ping is due at now_ms. Returns the monotonic time
 * of the next ping (the main loop sleeps no longer), INT64_MAX when off. */
int64_t service_tick(struct service *s, int64_t now_ms);
/* The next ping's time without sending anything (INT64_MAX when off). */
int64_t service_due(const struct service *s);
/* Sends "STATUS=Showing <item>; feed <state>" (or "Standby card; feed ..."
 * when item is NULL) if it differs from the last line sent. Strings are
 * copied; NULL feed_state reads as "unknown". */
void service_status(struct service *s, const char *item, const char *feed_state);
/* Sends STOPPING=1 (once) with the reason as STATUS. */
void service_stopping(struct service *s, const char *reason);

#endif
