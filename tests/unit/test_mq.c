/* base/mq: the bound of ordinary posts, must-deliver posts past the bound
 * (none lost, the order of posting kept), payloads freed exactly once
 * (dropped, destroyed with the queue or taken), and a producer thread
 * posting faster than a slow consumer takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/mq.h"

static int freed;

static void count_free(void *p)
{
    freed++;
    free(p);
}

static struct dp_msg msg(int n)
{
    int *v = malloc(sizeof *v);
    *v = n;
    return (struct dp_msg){.type = 1, .arg = n, .payload = v, .free_payload = count_free};
}

/* A script of posts on a queue of depth 3: 'n' ordinary, 'm' must-deliver,
 * 'g' one get. want: the args taken by the 'g's and then by draining, and
 * how many ordinary posts were refused. */
static const struct {
    const char *script;
    const char *want;
    int refused;
} cases[] = {
    {"nnn", "1 2 3", 0},
    {"nnnn", "1 2 3", 1},       /* the fourth is dropped */
    {"nnnmm", "1 2 3 4 5", 0},  /* must posts wait past the bound */
    {"nnnmmn", "1 2 3 4 5", 1}, /* an ordinary post still sees a full queue */
    {"mmmmmm", "1 2 3 4 5 6", 0},
    {"nnnmgmgn", "1 2 3 4 5", 1}, /* order kept across the overflow */
    {"nnnmgggn", "1 2 3 4 5", 0}, /* room again once the overflow is in */
    {"mmmmgnnn", "1 2 3 4", 3},   /* the overflow refills the ring */
    {"mmmmgggnn", "1 2 3 4 5 6", 0},
};

static void test_script(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dp_mq *q = dp_mq_create(3, NULL, NULL);
        char got[128] = "";
        int refused = 0, n = 0;
        struct dp_msg m;
        for (const char *c = cases[i].script; *c; c++) {
            if (*c == 'g') {
                assert_true(dp_mq_get(q, &m));
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", *got ? " " : "",
                         (long long)m.arg);
                dp_msg_free(&m);
                continue;
            }
            n++;
            int r = *c == 'm' ? dp_mq_post_must(q, msg(n)) : dp_mq_post(q, msg(n));
            if (r == -ENOSPC)
                refused++;
            else
                assert_int_equal(r, 0);
        }
        while (dp_mq_get(q, &m)) {
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", *got ? " " : "",
                     (long long)m.arg);
            dp_msg_free(&m);
        }
        assert_string_equal(got, cases[i].want);
        assert_int_equal(refused, cases[i].refused);
        assert_int_equal(dp_mq_count(q), 0);
        dp_mq_destroy(q);
    }
}

static void test_destroy_frees_overflow(void **state)
{
    (void)state;
    freed = 0;
    struct dp_mq *q = dp_mq_create(2, NULL, NULL);
    for (int i = 0; i < 10; i++)
        dp_mq_post_must(q, msg(i));
    assert_int_equal(dp_mq_count(q), 10);
    assert_int_equal(dp_mq_post(q, msg(99)), -ENOSPC);
    assert_int_equal(freed, 1); /* the refused one, at once */
    dp_mq_destroy(q);
    assert_int_equal(freed, 11); /* every pending payload, once */
}

#define FLOOD 20000

static void *producer(void *arg)
{
    struct dp_mq *q = arg;
    for (int i = 0; i < FLOOD; i++)
        dp_mq_post_must(q, msg(i));
    return NULL;
}

static void test_flood_none_lost(void **state)
{
    (void)state;
    struct dp_mq *q = dp_mq_create(4, NULL, NULL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, q), 0);
    int next = 0;
    while (next < FLOOD) {
        struct dp_msg m;
        if (!dp_mq_wait(q, &m, 1000))
            break;
        assert_int_equal(m.arg, next); /* in order, none missing */
        next++;
        dp_msg_free(&m);
        if (next % 1000 == 0)
            nanosleep(&(struct timespec){0, 1000000}, NULL); /* a slow consumer */
    }
    pthread_join(t, NULL);
    assert_int_equal(next, FLOOD);
    dp_mq_destroy(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_destroy_frees_overflow),
        cmocka_unit_test(test_flood_none_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
