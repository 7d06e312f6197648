/* Video module: clips generated with the ffmpeg command line into a temp
 * dir, pulled through video_update() into a software renderer with a fake
 * clock (and, for the sound, the real clock and SDL's dummy audio driver). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL2/SDL.h>

#include "base/clock.h"
#include "media/audio.h"
#include "media/video.h"

static char tmpdir[256];
static bool have_x265;
static SDL_Surface *surface;
static SDL_Renderer *renderer;

static const char *clip(const char *name)
{
    static char path[8][512];
    static int slot;
    slot = (slot + 1) % 8;
    snprintf(path[slot], sizeof path[slot], "%s/%s", tmpdir, name);
    return path[slot];
}

static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

#define FF "ffmpeg -hide_banner -loglevel error -y "
#define SRC(w, h, d) "-f lavfi -i testsrc2=size=" #w "x" #h ":rate=30:duration=" #d " "
#define SINE(d) "-f lavfi -i sine=frequency=440:sample_rate=44100:duration=" #d " "

static int make_clips(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dp_video_test_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    const char *d = tmpdir;
    int rc = 0;
    rc |= sh(FF SRC(320, 240, 2) SINE(2) "-c:v libx264 -pix_fmt yuv420p -c:a aac -shortest "
                                         "%s/av.mp4",
             d);
    /* The rotate tag becomes a display matrix only when remuxing in 5.1. */
    rc |= sh(FF SRC(240, 320, 1) "-c:v libx264 -pix_fmt yuv420p %s/portrait_src.mp4", d);
    for (int deg = 90; deg < 360; deg += 90)
        rc |= sh(FF "-i %s/portrait_src.mp4 -c copy -metadata:s:v:0 rotate=%d "
                    "%s/portrait%d.mp4",
                 d, deg, d, deg);
    /* A phone clip: upright it is blue with a red band on top; it is stored
     * turned a quarter counter-clockwise with a matrix turning it back. */
    static const struct {
        int turn;
        const char *store, *tag;
    } phones[] = {{90, "transpose=cclock", "270"},
                  {180, "hflip,vflip", "180"},
                  {270, "transpose=clock", "90"}};
    for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++) {
        rc |= sh(FF "-f lavfi -i color=c=blue:size=240x320:rate=30:duration=0.5,"
                    "drawbox=x=0:y=0:w=240:h=60:color=red:t=fill,%s "
                    "-c:v libx264 -pix_fmt yuv420p %s/phone_src%d.mp4",
                 phones[i].store, d, phones[i].turn);
        rc |= sh(FF "-i %s/phone_src%d.mp4 -c copy -metadata:s:v:0 rotate=%s %s/phone%d.mp4", d,
                 phones[i].turn, phones[i].tag, d, phones[i].turn);
    }
    rc |= sh(FF SINE(1) "-c:a aac %s/audio_only.mp4", d);
    /* The sound stops after 1 s, the picture goes on to 2 s. */
    rc |= sh(FF SRC(320, 240, 2) SINE(1) "-c:v libx264 -pix_fmt yuv420p -c:a aac "
                                         "%s/short_sound.mp4",
             d);
    rc |= sh(FF SRC(320, 240, 2) "-c:v libx264 -pix_fmt yuv420p %s/tail.mp4", d);
    rc |= sh("head -c 20000 %s/tail.mp4 > %s/truncated.mp4", d, d);
    rc |= sh(FF SRC(320, 240, 2) "-c:v libx264 -pix_fmt yuv420p -g 10 -movflags +faststart "
                                 "%s/fast.mp4",
             d);
    rc |= sh("sz=$(stat -c %%s %s/fast.mp4); head -c $((sz / 2)) %s/fast.mp4 > %s/broken.mp4", d,
             d, d);
    rc |= sh(FF SRC(320, 240, 1) "-c:v libvpx-vp9 -b:v 200k -deadline realtime %s/vp9.webm", d);
    rc |= sh(FF SRC(320, 240, 1) "-c:v libx264 -pix_fmt yuv420p -an -movflags +faststart "
                                 "%s/gifv.mp4",
             d);
    have_x265 = sh("ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libx265") == 0;
    if (have_x265)
        rc |= sh(FF SRC(320, 240, 1) "-c:v libx265 -pix_fmt yuv420p10le "
                                     "-x265-params log-level=error %s/hevc10.mp4",
                 d);
    if (rc)
        return -1;

    surface = SDL_CreateRGBSurfaceWithFormat(0, 320, 320, 32, SDL_PIXELFORMAT_ARGB8888);
    renderer = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
    return renderer ? 0 : -1;
}

static int drop_clips(void **state)
{
    (void)state;
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    sh("rm -rf %s", tmpdir);
    return 0;
}

struct run {
    int64_t frames, dropped, ended_at, conversions;
    int last_rc;
    double max_drift;
};

/* Waits (real time, up to 2 s) until the decoder has at least two frames
 * queued or has finished, so that what is dropped depends on the fake
 * clock only, not on how busy the machine is. */
static void let_decoder_catch_up(struct video *v)
{
    for (int i = 0; i < 2000; i++) {
        int queued;
        bool eof;
        video_get_queue(v, &queued, &eof);
        if (queued >= 2 || eof)
            return;
        SDL_Delay(1);
    }
}

/* Plays v to its end on a fake clock stepping by step_ms from 1000 ms. */
static struct run play_fake_step(struct video *v, int64_t limit_ms, int64_t step_ms)
{
    struct run out = {0};
    SDL_Texture *tex = NULL;
    int64_t now = 1000;
    assert_int_equal(video_update(v, renderer, &tex, now), 1); /* pre-rolled frame */
    assert_non_null(tex);
    assert_int_equal(video_start(v, now), 0);
    /* A parked decoder reopens at start; the clock starts with its next
     * frame, so let it come before the fake clock moves. */
    let_decoder_catch_up(v);
    for (;;) {
        int rc = video_update(v, renderer, &tex, now);
        if (rc < 0) {
            out.last_rc = rc;
            break;
        }
        if (now - 1000 > limit_ms)
            break;
        now += step_ms;
        let_decoder_catch_up(v);
    }
    out.ended_at = now - 1000;
    video_get_stats(v, &out.frames, &out.dropped);
    out.conversions = video_get_conversions(v);
    SDL_DestroyTexture(tex);
    return out;
}

static struct run play_fake(struct video *v, int64_t limit_ms)
{
    return play_fake_step(v, limit_ms, 16);
}

static struct video *open_silent(const char *path, char *err, size_t errlen)
{
    struct video_opts o;
    video_opts_defaults(&o);
    o.audio = false;
    o.hwdec = "none";
    return video_open(path, &o, NULL, err, errlen);
}

static void assert_near(int64_t got, int64_t want, double tol)
{
    if (got < want * (1 - tol) || got > want * (1 + tol)) {
        print_error("got %lld, want %lld +-%.0f%%\n", (long long)got, (long long)want, tol * 100);
        fail();
    }
}

static void test_plays_frame_count(void **state)
{
    (void)state;
    char err[256] = "";
    struct video *v = open_silent(clip("av.mp4"), err, sizeof err);
    assert_non_null(v);
    int w, h, rot;
    video_get_size(v, &w, &h, &rot);
    assert_int_equal(w, 320);
    assert_int_equal(h, 240);
    assert_int_equal(rot, 0);
    assert_false(video_has_audio(v));
    assert_near(video_duration_ms(v), 2000, 0.05);
    struct run r = play_fake(v, 5000);
    assert_int_equal(r.last_rc, -1);
    assert_near(r.frames, 60, 0.05);
    assert_int_equal(r.dropped, 0);
    assert_near(r.ended_at, 2000, 0.05);
    assert_int_equal(r.conversions, 0); /* yuv420p goes up in its own planes */
    video_close(v);
}

/* A screen that can only look every 100 ms: late frames are dropped and
 * counted, and the clip still ends on time. */
static void test_late_frames_dropped(void **state)
{
    (void)state;
    char err[256] = "";
    struct video *v = open_silent(clip("av.mp4"), err, sizeof err);
    assert_non_null(v);
    struct run r = play_fake_step(v, 5000, 100);
    assert_int_equal(r.last_rc, -1);
    assert_near(r.frames + r.dropped, 60, 0.05);
    assert_true(r.dropped >= 30);
    assert_true(r.ended_at <= 2300); /* 2000 ms, in 100 ms steps, +1 step slack */
    video_close(v);
}

/* A video left waiting for its turn closes its decoder; started later it
 * reopens it and replays what it had: no frame lost, none twice. */
static void test_cold_preroll_resumes(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int64_t frames;
    } cases[] = {{"av.mp4", 60}, {"vp9.webm", 30}, {"hevc10.mp4", 30}, {"fast.mp4", 60}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!have_x265 && strstr(cases[i].name, "hevc"))
            continue;
        char err[256] = "";
        struct video *v = open_silent(clip(cases[i].name), err, sizeof err);
        assert_non_null(v);
        SDL_Delay(300); /* parked by now */
        struct run r = play_fake(v, 5000);
        if (r.frames != cases[i].frames || r.dropped != 0) {
            print_error("%s: %lld frames, %lld dropped\n", cases[i].name, (long long)r.frames,
                        (long long)r.dropped);
            fail();
        }
        video_close(v);
    }
}

static void test_picture_not_black(void **state)
{
    (void)state;
    char err[256] = "";
    struct video *v = open_silent(clip("av.mp4"), err, sizeof err);
    assert_non_null(v);
    SDL_Texture *tex = NULL;
    assert_int_equal(video_update(v, renderer, &tex, 0), 1);
    SDL_SetRenderDrawColor(renderer, 0, 0, 0, 255);
    SDL_RenderClear(renderer);
    SDL_Rect dst = {0, 40, 320, 240};
    assert_int_equal(SDL_RenderCopy(renderer, tex, NULL, &dst), 0);
    SDL_RenderPresent(renderer);
    /* testsrc2 is colourful everywhere: sample a grid inside the picture. */
    int bright = 0, samples = 0;
    SDL_LockSurface(surface);
    for (int y = 50; y < 270; y += 20) {
        for (int x = 10; x < 310; x += 20) {
            Uint32 px = ((Uint32 *)surface->pixels)[y * surface->pitch / 4 + x];
            Uint8 r, g, b;
            SDL_GetRGB(px, surface->format, &r, &g, &b);
            bright += r + g + b > 90;
            samples++;
        }
    }
    SDL_UnlockSurface(surface);
    assert_true(bright * 2 > samples);
    SDL_DestroyTexture(tex);
    video_close(v);
}

static void test_rotation(void **state)
{
    (void)state;
    /* Expected: the clockwise turn ffmpeg's own autorotate applies to these
     * files (checked by hand: rotate=90 written by 5.1's muxer puts the
     * picture's top on the left, i.e. 90 degrees counter-clockwise). */
    static const struct {
        const char *name;
        int want;
    } cases[] = {
        {"portrait_src.mp4", 0},
        {"portrait90.mp4", 270},
        {"portrait180.mp4", 180},
        {"portrait270.mp4", 90},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256] = "";
        struct video *v = open_silent(clip(cases[i].name), err, sizeof err);
        assert_non_null(v);
        int w, h, rot;
        video_get_size(v, &w, &h, &rot);
        assert_int_equal(w, 240);
        assert_int_equal(h, 320);
        if (rot != cases[i].want) {
            print_error("%s: rotation %d, want %d\n", cases[i].name, rot, cases[i].want);
            fail();
        }
        video_close(v);
    }
}

/* On a software renderer the planes are turned upright before the upload
 * (SDL's own turning of the RGB picture is costly there): a phone clip
 * stored turned by each quarter comes out upright, red band on top. */
static void check_phone(int turn)
{
    char name[32], err[256] = "";
    snprintf(name, sizeof name, "phone%d.mp4", turn);
    struct video *v = open_silent(clip(name), err, sizeof err);
    assert_non_null(v);
    int w, h, rot;
    video_get_size(v, &w, &h, &rot);
    assert_int_equal(rot, turn);
    SDL_Texture *tex = NULL;
    assert_int_equal(video_update(v, renderer, &tex, 0), 1);
    assert_int_equal(video_texture_rotation(v), 0);
    int tw, th;
    SDL_QueryTexture(tex, NULL, NULL, &tw, &th);
    assert_int_equal(tw, 240);
    assert_int_equal(th, 320);
    SDL_RenderClear(renderer);
    SDL_Rect dst = {0, 0, 240, 320};
    assert_int_equal(SDL_RenderCopy(renderer, tex, NULL, &dst), 0);
    static const struct {
        int x, y;
        Uint8 r, g, b;
    } probes[] = {
        {120, 20, 255, 0, 0},  {20, 30, 255, 0, 0},  {220, 40, 255, 0, 0},
        {120, 200, 0, 0, 255}, {20, 300, 0, 0, 255}, {220, 300, 0, 0, 255},
    };
    SDL_LockSurface(surface);
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        Uint32 px = ((Uint32 *)surface->pixels)[probes[i].y * surface->pitch / 4 + probes[i].x];
        Uint8 r, g, b;
        SDL_GetRGB(px, surface->format, &r, &g, &b);
        if (abs(r - probes[i].r) > 40 || abs(g - probes[i].g) > 40 || abs(b - probes[i].b) > 40) {
            print_error("%s: (%d,%d) is %d,%d,%d\n", name, probes[i].x, probes[i].y, r, g, b);
            fail();
        }
    }
    SDL_UnlockSurface(surface);
    SDL_DestroyTexture(tex);
    video_close(v);
}

static void test_phone_turned_for_software_renderer(void **state)
{
    (void)state;
    for (int turn = 90; turn < 360; turn += 90)
        check_phone(turn);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name, *want;
    } cases[] = {
        {"audio_only.mp4", "no video stream"},
        {"truncated.mp4", "cannot"},
        {"missing.mp4", "cannot open"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256] = "";
        struct video *v = open_silent(clip(cases[i].name), err, sizeof err);
        assert_null(v);
        if (!strstr(err, cases[i].want)) {
            print_error("%s: \"%s\" lacks \"%s\"\n", cases[i].name, err, cases[i].want);
            fail();
        }
    }
}

static void test_broken_mid_play_ends(void **state)
{
    (void)state;
    char err[256] = "";
    struct video *v = open_silent(clip("broken.mp4"), err, sizeof err);
    assert_non_null(v);
    struct run r = play_fake(v, 5000);
    assert_int_equal(r.last_rc, -1);
    assert_true(r.frames > 5);
    assert_true(r.frames < 60);
    video_close(v);
}

static void test_vp9(void **state)
{
    (void)state;
    char err[256] = "";
    struct video *v = open_silent(clip("vp9.webm"), err, sizeof err);
    assert_non_null(v);
    struct run r = play_fake(v, 5000);
    assert_near(r.frames, 30, 0.05);
    assert_int_equal(r.conversions, 0);
    video_close(v);
}

static void test_hevc10(void **state)
{
    (void)state;
    if (!have_x265)
        skip();
    char err[256] = "";
    struct video *v = open_silent(clip("hevc10.mp4"), err, sizeof err);
    assert_non_null(v);
    struct run r = play_fake(v, 5000);
    assert_near(r.frames, 30, 0.05);
    assert_int_equal(r.conversions, r.frames); /* 10-bit goes through sws_scale */
    video_close(v);
}

static void test_repeat_to_cap(void **state)
{
    (void)state;
    char err[256] = "";
    struct video_opts o;
    video_opts_defaults(&o);
    o.repeat = true;
    o.max_duration_ms = 2500;
    o.hwdec = "none";
    struct video *v = video_open(clip("gifv.mp4"), &o, NULL, err, sizeof err);
    assert_non_null(v);
    assert_int_equal(video_duration_ms(v), 2500);
    struct run r = play_fake(v, 5000);
    assert_int_equal(r.last_rc, -1);
    assert_near(r.ended_at, 2500, 0.03);
    assert_near(r.frames + r.dropped, 75, 0.05);
    video_close(v);
}

/* gifv: silent, once per turn, even with a cap longer than the clip. */
static void test_gifv_once(void **state)
{
    (void)state;
    char err[256] = "";
    struct video_opts o;
    video_opts_defaults(&o);
    o.loop = true;
    o.max_duration_ms = 5000;
    o.hwdec = "none";
    struct video *v = video_open(clip("gifv.mp4"), &o, NULL, err, sizeof err);
    assert_non_null(v);
    assert_false(video_has_audio(v));
    struct run r = play_fake(v, 5000);
    assert_near(r.ended_at, 1000, 0.05);
    assert_near(r.frames, 30, 0.05);
    video_close(v);
}

static void test_max_duration(void **state)
{
    (void)state;
    char err[256] = "";
    struct video_opts o;
    video_opts_defaults(&o);
    o.audio = false;
    o.max_duration_ms = 1000;
    struct video *v = video_open(clip("av.mp4"), &o, NULL, err, sizeof err);
    assert_non_null(v);
    assert_int_equal(video_duration_ms(v), 1000);
    struct run r = play_fake(v, 5000);
    assert_near(r.ended_at, 1000, 0.03);
    assert_near(r.frames, 30, 0.07);
    video_close(v);
}

static void test_close_mid_play(void **state)
{
    (void)state;
    char err[256] = "";
    for (int i = 0; i < 3; i++) {
        struct video *v = open_silent(clip(i == 1 ? "vp9.webm" : "av.mp4"), err, sizeof err);
        assert_non_null(v);
        SDL_Texture *tex = NULL;
        video_update(v, renderer, &tex, 0);
        video_start(v, 0);
        for (int t = 0; t < 200 * i; t += 16)
            video_update(v, renderer, &tex, t);
        video_close(v); /* threads may be blocked on full queues */
        SDL_DestroyTexture(tex);
    }
    video_close(NULL);
}

/* Real time with SDL's dummy audio driver: the sound is the master clock
 * (and when it stops before the picture, the wall clock takes over). */
static void play_with_sound(const char *name, int64_t want_frames, int64_t want_ms)
{
    char err[256] = "";
    struct audio_out *ao = audio_out_create(err, sizeof err);
    if (!ao) {
        print_message("no audio device (%s)\n", err);
        skip();
    }
    struct video_opts o;
    video_opts_defaults(&o);
    o.audio_out = ao;
    o.volume = 50;
    struct video *v = video_open(clip(name), &o, NULL, err, sizeof err);
    assert_non_null(v);
    assert_true(video_has_audio(v));
    SDL_Texture *tex = NULL;
    int64_t t0 = dp_mono_ms();
    video_update(v, renderer, &tex, t0);
    video_start(v, t0);
    int rc;
    for (;;) {
        int64_t now = dp_mono_ms();
        rc = video_update(v, renderer, &tex, now);
        if (rc < 0 || now - t0 > 6000)
            break;
        int64_t due = video_next_due_ms(v, now);
        int64_t wait = due - dp_mono_ms();
        SDL_Delay(wait > 0 ? (Uint32)(wait > 50 ? 50 : wait) : 0);
    }
    int64_t elapsed = dp_mono_ms() - t0;
    int64_t frames, dropped;
    video_get_stats(v, &frames, &dropped);
    print_message("%s: %lld frames, %lld dropped, %lld ms, max drift %.1f ms\n", name,
                  (long long)frames, (long long)dropped, (long long)elapsed,
                  video_get_max_drift_ms(v));
    assert_int_equal(rc, -1);
    assert_near(frames + dropped, want_frames, 0.05);
    /* Real time on a shared machine: never faster than the clip (a pacing
     * bug), and not grossly slower; drift is judged in the plain build only,
     * the sanitizer pass (DP_SANITIZER) runs several times slower. */
    assert_true(elapsed >= want_ms * 95 / 100);
    assert_true(elapsed <= want_ms * 3 / 2 + 1000);
    if (!getenv("DP_SANITIZER"))
        assert_true(video_get_max_drift_ms(v) <= 45);
    SDL_DestroyTexture(tex);
    video_close(v);
    audio_out_destroy(ao);
}

static void test_audio_sync(void **state)
{
    (void)state;
    play_with_sound("av.mp4", 60, 2000);
}

static void test_sound_shorter_than_picture(void **state)
{
    (void)state;
    play_with_sound("short_sound.mp4", 60, 2000);
}

static void test_benchmark_decode(void **state)
{
    (void)state;
    char err[256] = "";
    int64_t frames = 0;
    double secs = 0;
    assert_int_equal(
        video_benchmark_decode(clip("av.mp4"), 2, "none", &frames, &secs, err, sizeof err), 0);
    assert_int_equal(frames, 60);
    assert_true(secs >= 0);
}

int main(void)
{
    setenv("SDL_AUDIODRIVER", "dummy", 0);
    video_log_init(false);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plays_frame_count),
        cmocka_unit_test(test_late_frames_dropped),
        cmocka_unit_test(test_cold_preroll_resumes),
        cmocka_unit_test(test_picture_not_black),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_phone_turned_for_software_renderer),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_broken_mid_play_ends),
        cmocka_unit_test(test_vp9),
        cmocka_unit_test(test_hevc10),
        cmocka_unit_test(test_repeat_to_cap),
        cmocka_unit_test(test_gifv_once),
        cmocka_unit_test(test_max_duration),
        cmocka_unit_test(test_close_mid_play),
        cmocka_unit_test(test_audio_sync),
        cmocka_unit_test(test_sound_shorter_than_picture),
        cmocka_unit_test(test_benchmark_decode),
    };
    return cmocka_run_group_tests(tests, make_clips, drop_clips);
}
