/* Audio out (media/audio.c) with SDL's dummy driver, which consumes samples
 * in real time: the clock, start alignment, the end, source limits and a
 * writer blocked on a full ring that is aborted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include <SDL2/SDL.h>

#include "base/clock.h"
#include "media/audio.h"

static struct audio_out *out;

static int setup(void **state)
{
    (void)state;
    char err[256];
    out = audio_out_create(err, sizeof err);
    if (!out)
        print_message("no audio device: %s\n", err);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    audio_out_destroy(out);
    return 0;
}

/* Writes ms of silence starting at pts_ms. */
static int write_ms(struct audio_source *s, int ms, double pts_ms)
{
    int n = audio_out_rate(out) * ms / 1000;
    float *buf = calloc((size_t)n * AUDIO_OUT_CHANNELS, sizeof(float));
    int rc = audio_source_write(s, buf, n, pts_ms);
    free(buf);
    return rc;
}

/* The clock follows the samples played, offset by the device's buffering. */
static void test_clock_runs_in_real_time(void **state)
{
    (void)state;
    if (!out)
        skip();
    struct audio_source *s = audio_source_create(out);
    double pts;
    int64_t at;
    assert_int_equal(write_ms(s, 400, 1000), 0);
    assert_false(audio_source_clock(s, &pts, &at));
    int64_t t0 = dp_mono_ms();
    assert_int_equal(audio_source_attach(s), 0);
    SDL_Delay(300);
    assert_true(audio_source_clock(s, &pts, &at));
    double heard = pts + (double)(dp_mono_ms() - at);
    double elapsed = (double)(dp_mono_ms() - t0);
    print_message("after %.0f ms: heard %.0f\n", elapsed, heard - 1000);
    assert_true(heard - 1000 > elapsed - 100);
    assert_true(heard - 1000 < elapsed + 50);
    assert_false(audio_source_drained(s));
    audio_source_finish(s);
    SDL_Delay(300);
    assert_true(audio_source_drained(s));
    audio_source_destroy(s);
}

/* Samples before the video's first frame are not played. */
static void test_skip_before_start(void **state)
{
    (void)state;
    if (!out)
        skip();
    struct audio_source *s = audio_source_create(out);
    assert_int_equal(write_ms(s, 450, 0), 0);
    audio_source_skip_before(s, 300);
    assert_int_equal(audio_source_attach(s), 0);
    SDL_Delay(100);
    double pts;
    int64_t at;
    assert_true(audio_source_clock(s, &pts, &at));
    /* 150 ms were left after the skip: the clock starts past 300 ms. */
    assert_true(pts >= 300 - 2.0 * 1024 * 1000 / audio_out_rate(out) - 1);
    audio_source_destroy(s);
}

static void test_source_limit(void **state)
{
    (void)state;
    if (!out)
        skip();
    struct audio_source *s[AUDIO_MAX_SOURCES + 1];
    for (int i = 0; i <= AUDIO_MAX_SOURCES; i++) {
        s[i] = audio_source_create(out);
        assert_int_equal(audio_source_attach(s[i]), i < AUDIO_MAX_SOURCES ? 0 : -1);
    }
    assert_int_equal(audio_source_attach(s[0]), 0); /* already attached: fine */
    for (int i = 0; i <= AUDIO_MAX_SOURCES; i++)
        audio_source_destroy(s[i]);
    audio_source_destroy(NULL);
}

static void *writer_main(void *arg)
{
    static int rc;
    rc = write_ms(arg, 3 * AUDIO_RING_MS, 0);
    return &rc;
}

/* A writer blocked on a full ring (nothing plays it) wakes on abort. */
static void test_abort_wakes_writer(void **state)
{
    (void)state;
    if (!out)
        skip();
    struct audio_source *s = audio_source_create(out);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer_main, s), 0);
    SDL_Delay(100);
    audio_source_abort(s);
    void *ret;
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_int_equal(*(int *)ret, -1);
    assert_int_equal(write_ms(s, 10, -1), -1);
    audio_source_destroy(s);
}

int main(void)
{
    setenv("SDL_AUDIODRIVER", "dummy", 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_runs_in_real_time),
        cmocka_unit_test(test_skip_before_start),
        cmocka_unit_test(test_source_limit),
        cmocka_unit_test(test_abort_wakes_writer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
