/* base/strset: adds, finds, re-indexing and removal (backward-shift
 * deletion), checked against a plain array after every step of a seeded
 * random sequence, at several table sizes so that probe runs wrap around
 * the table's end. The cache's index by URL relies on removal (issue 8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/strset.h"

#define KEYS 300

static char names[KEYS][16];

static uint32_t next_rand(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static void check_all(const struct dp_strset *s, const size_t *want)
{
    for (size_t k = 0; k < KEYS; k++)
        if (dp_strset_find(s, names[k]) != want[k])
            fail_msg("key %s: index %zu, want %zu", names[k], dp_strset_find(s, names[k]),
                     want[k]);
}

static void test_random_sequence(void **state)
{
    (void)state;
    for (size_t k = 0; k < KEYS; k++)
        snprintf(names[k], sizeof names[k], "k%zu", k);
    static const size_t expected[] = {1, 8, 40, KEYS};
    for (size_t e = 0; e < sizeof expected / sizeof expected[0]; e++) {
        struct dp_strset s;
        dp_strset_init(&s, expected[e]);
        size_t want[KEYS], count = 0, room = s.cap - 1;
        for (size_t k = 0; k < KEYS; k++)
            want[k] = SIZE_MAX;
        uint32_t x = 2463534242u + (uint32_t)e;
        for (int step = 0; step < 20000; step++) {
            size_t k = next_rand(&x) % KEYS;
            switch (next_rand(&x) % 3) {
            case 0:
                if (want[k] == SIZE_MAX && count < room) {
                    assert_true(dp_strset_add(&s, names[k], (size_t)step, NULL));
                    want[k] = (size_t)step;
                    count++;
                } else if (want[k] != SIZE_MAX) {
                    size_t at = 0;
                    assert_false(dp_strset_add(&s, names[k], 0, &at));
                    assert_int_equal(at, want[k]);
                }
                break;
            case 1:
                assert_int_equal(dp_strset_remove(&s, names[k]), want[k] != SIZE_MAX);
                count -= want[k] != SIZE_MAX;
                want[k] = SIZE_MAX;
                break;
            default:
                assert_int_equal(dp_strset_set_index(&s, names[k], (size_t)step + 1),
                                 want[k] != SIZE_MAX);
                if (want[k] != SIZE_MAX)
                    want[k] = (size_t)step + 1;
                break;
            }
            if (step % 97 == 0 || s.cap <= 64)
                check_all(&s, want);
        }
        check_all(&s, want);
        dp_strset_finish(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sequence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
