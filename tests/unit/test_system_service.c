/* The notify protocol (issue 12) against a datagram socket the test binds and
 * passes as $NOTIFY_SOCKET, as systemd does: what is sent, how often, and
 * that nothing is sent without the variable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "app/service.h"
#include "base/log.h"

static int sock = -1;
static char sock_path[108];

static int bind_socket(void **state)
{
    (void)state;
    snprintf(sock_path, sizeof sock_path, "/tmp/dp-notify-%d", (int)getpid());
    unlink(sock_path);
    sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sock < 0)
        return -1;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, sock_path, strlen(sock_path) + 1);
    if (bind(sock, (struct sockaddr *)&a, sizeof a) < 0)
        return -1;
    dp_log_set_level(DP_LOG_ERROR);
    return 0;
}

static int close_socket(void **state)
{
    (void)state;
    close(sock);
    unlink(sock_path);
    return 0;
}

/* The next datagram, or NULL when none is waiting. */
static const char *next_msg(void)
{
    static char buf[1024];
    ssize_t n = recv(sock, buf, sizeof buf - 1, MSG_DONTWAIT);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return buf;
}

static void drain(void)
{
    while (next_msg())
        ;
}

static void set_env(const char *usec, const char *pid)
{
    setenv("NOTIFY_SOCKET", sock_path, 1);
    if (usec)
        setenv("WATCHDOG_USEC", usec, 1);
    else
        unsetenv("WATCHDOG_USEC");
    if (pid)
        setenv("WATCHDOG_PID", pid, 1);
    else
        unsetenv("WATCHDOG_PID");
}

static void test_ready_once(void **state)
{
    set_env(NULL, NULL);
    drain();
    struct service *s = service_create(0);
    assert_true(service_active(s));
    assert_null(next_msg()); /* nothing before the first picture */
    service_ready(s);
    service_ready(s);
    const char *m = next_msg();
    assert_non_null(m);
    assert_string_equal(m, "READY=1");
    assert_null(next_msg());
    service_destroy(s);
}

/* Pings every WATCHDOG_USEC/2 on the monotonic clock the loop passes. */
static void test_ping_rate(void **state)
{
    static const struct {
        const char *usec, *pid;
        int64_t interval; /* expected ms; 0: no watchdog */
    } cases[] = {
        {"1000000", NULL, 500}, {"30000000", "self", 15000},
        {"1000000", "1", 0}, /* meant for another process */
        {NULL, NULL, 0},        {"garbage", NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char pid[32];
        snprintf(pid, sizeof pid, "%d", (int)getpid());
        const char *p = cases[i].pid && strcmp(cases[i].pid, "self") == 0 ? pid : cases[i].pid;
        set_env(cases[i].usec, p);
        drain();
        struct service *s = service_create(1000);
        assert_int_equal(service_ping_interval(s), cases[i].interval);
        if (cases[i].interval == 0) {
            assert_true(service_tick(s, 1000) == INT64_MAX);
            assert_true(service_due(s) == INT64_MAX);
            assert_null(next_msg());
            service_destroy(s);
            continue;
        }
        int64_t iv = cases[i].interval;
        /* A loop that wakes every iv/4 over 20 intervals: one ping each. */
        int pings = 0;
        int64_t last = -1, max_gap = 0;
        for (int64_t t = 1000; t <= 1000 + 20 * iv; t += iv / 4) {
            int64_t next = service_tick(s, t);
            assert_true(next > t && next <= t + iv);
            const char *m;
            while ((m = next_msg())) {
                assert_string_equal(m, "WATCHDOG=1");
                pings++;
                if (last >= 0 && t - last > max_gap)
                    max_gap = t - last;
                last = t;
            }
        }
        assert_int_equal(pings, 21);
        assert_int_equal(max_gap, iv);
        /* A loop that was late (stuck) sends one ping, not a burst. */
        service_tick(s, 1000 + 100 * iv);
        assert_non_null(next_msg());
        assert_null(next_msg());
        service_destroy(s);
    }
}

static void test_status_line(void **state)
{
    static const struct {
        const char *item, *feed, *want;
    } cases[] = {
        {"post-7#2", "ok (12 posts)", "STATUS=Showing post-7#2; feed ok (12 posts)"},
        {"post-7#2", "ok (12 posts)", NULL}, /* unchanged: not sent again */
        {NULL, "error: timeout", "STATUS=Standby card; feed error: timeout"},
        {"a\nREADY=1", NULL, "STATUS=Showing a READY=1; feed unknown"},
    };
    set_env(NULL, NULL);
    drain();
    struct service *s = service_create(0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        service_status(s, cases[i].item, cases[i].feed);
        const char *m = next_msg();
        if (!cases[i].want) {
            assert_null(m);
            continue;
        }
        assert_non_null(m);
        assert_string_equal(m, cases[i].want);
    }
    service_destroy(s);
}

static void test_stopping(void **state)
{
    set_env(NULL, NULL);
    drain();
    struct service *s = service_create(0);
    service_stopping(s, "SIGTERM");
    service_stopping(s, "SIGTERM");
    const char *m = next_msg();
    assert_non_null(m);
    assert_string_equal(m, "STOPPING=1\nSTATUS=Stopping (SIGTERM)");
    assert_null(next_msg());
    service_destroy(s);
}

/* Outside systemd: nothing is sent and nothing fails. */
static void test_no_socket(void **state)
{
    unsetenv("NOTIFY_SOCKET");
    setenv("WATCHDOG_USEC", "1000000", 1);
    drain();
    struct service *s = service_create(0);
    assert_false(service_active(s));
    service_ready(s);
    assert_true(service_tick(s, 0) == INT64_MAX);
    assert_true(service_tick(s, 100000) == INT64_MAX);
    service_status(s, "x", "ok");
    service_stopping(s, "SIGTERM");
    assert_null(next_msg());
    service_destroy(s);
    service_destroy(NULL);
    /* NULL is an inactive service. */
    service_ready(NULL);
    assert_true(service_tick(NULL, 0) == INT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_once),  cmocka_unit_test(test_ping_rate),
        cmocka_unit_test(test_status_line), cmocka_unit_test(test_stopping),
        cmocka_unit_test(test_no_socket),
    };
    return cmocka_run_group_tests(tests, bind_socket, close_socket);
}
