/* Audio out: the SDL device, the mixer and the audio clock (see audio.h). */
#include "media/audio.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL2/SDL.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"

struct audio_source {
    struct audio_out *out;
    pthread_mutex_t mu;
    pthread_cond_t space; /* signalled by the callback after reading */
    float *ring;          /* cap frames, interleaved stereo */
    uint64_t cap, rd, wr; /* wr - rd frames buffered */
    uint64_t base_idx;    /* frame index whose pts is base_pts */
    double base_pts;      /* ms; < 0 until the first write */
    double skip_before;   /* frames with pts below are dropped; -1 none */
    float gain;
    bool aborted, finished, attached;
    bool clock_valid;
    double clock_pts; /* ms heard ... */
    int64_t clock_at; /* ... at this monotonic time */
};

struct audio_out {
    SDL_AudioDeviceID dev;  /* 0 while no source exists (device closed) */
    SDL_AudioSpec spec;     /* learnt at create; kept while closed */
    pthread_mutex_t dev_mu; /* guards dev and users: opening and closing */
    int users;              /* sources in existence */
    pthread_mutex_t mu;     /* guards src[]; held by the callback */
    struct audio_source *src[AUDIO_MAX_SOURCES];
    int nsrc;
};

/* Locked: pts of frame index idx. */
static double source_pts_at(const struct audio_source *s, uint64_t idx, int rate)
{
    return s->base_pts + (double)(int64_t)(idx - s->base_idx) * 1000.0 / rate;
}

/* Locked: mixes up to n frames of s into out, returns frames read. */
static uint64_t source_mix(struct audio_source *s, float *out, uint64_t n, int rate)
{
    if (s->skip_before >= 0 && s->base_pts >= 0) {
        while (s->rd < s->wr && source_pts_at(s, s->rd, rate) < s->skip_before)
            s->rd++;
        if (s->rd < s->wr)
            s->skip_before = -1;
    }
    uint64_t avail = s->wr - s->rd;
    if (n > avail)
        n = avail;
    for (uint64_t i = 0; i < n; i++) {
        const float *f = &s->ring[((s->rd + i) % s->cap) * AUDIO_OUT_CHANNELS];
        for (int c = 0; c < AUDIO_OUT_CHANNELS; c++)
            out[i * AUDIO_OUT_CHANNELS + c] += f[c] * s->gain;
    }
    s->rd += n;
    return n;
}

static void audio_callback(void *ctx, Uint8 *stream, int len)
{
    struct audio_out *a = ctx;
    float *out = (float *)(void *)stream;
    uint64_t want = (uint64_t)len / (sizeof(float) * AUDIO_OUT_CHANNELS);
    int rate = a->spec.freq;
    /* What we write now is heard after this buffer and the one before it. */
    double latency_ms = 2.0 * a->spec.samples * 1000.0 / rate;
    int64_t now = dp_mono_ms();

    memset(stream, 0, (size_t)len);
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < a->nsrc; i++) {
        struct audio_source *s = a->src[i];
        pthread_mutex_lock(&s->mu);
        uint64_t got = source_mix(s, out, want, rate);
        if (got > 0) {
            s->clock_pts = source_pts_at(s, s->rd, rate) - latency_ms;
            s->clock_at = now;
            s->clock_valid = true;
        }
        pthread_cond_signal(&s->space);
        pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_unlock(&a->mu);
    for (uint64_t i = 0; i < want * AUDIO_OUT_CHANNELS; i++) {
        if (out[i] > 1.0f)
            out[i] = 1.0f;
        else if (out[i] < -1.0f)
            out[i] = -1.0f;
    }
}

struct audio_out *audio_out_create(char *err, size_t errlen)
{
    struct audio_out *a = dp_calloc(1, sizeof *a);
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        snprintf(err, errlen, "audio init: %s", SDL_GetError());
        goto fail_free;
    }
    SDL_AudioSpec want = {
        .freq = AUDIO_OUT_RATE,
        .format = AUDIO_F32SYS,
        .channels = AUDIO_OUT_CHANNELS,
        .samples = AUDIO_OUT_SAMPLES,
        .callback = audio_callback,
        .userdata = a,
    };
    pthread_mutex_init(&a->mu, NULL);
    a->dev = SDL_OpenAudioDevice(NULL, 0, &want, &a->spec,
                                 SDL_AUDIO_ALLOW_FREQUENCY_CHANGE |
                                     SDL_AUDIO_ALLOW_SAMPLES_CHANGE);
    if (a->dev == 0) {
        snprintf(err, errlen, "audio device: %s", SDL_GetError());
        goto fail_quit;
    }
    LOG_I("media", "audio: %s, %d Hz, %d-frame buffer", SDL_GetCurrentAudioDriver(), a->spec.freq,
          a->spec.samples);
    /* Closed until a video with sound needs it: an open device, even paused,
     * keeps SDL's audio thread waking every buffer (about 47 times a second),
     * which a still image must not cost. */
    SDL_CloseAudioDevice(a->dev);
    a->dev = 0;
    pthread_mutex_init(&a->dev_mu, NULL);
    return a;

fail_quit:
    pthread_mutex_destroy(&a->mu);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
fail_free:
    free(a);
    return NULL;
}

void audio_out_destroy(struct audio_out *a)
{
    if (!a)
        return;
    if (a->nsrc)
        LOG_E("media", "audio: %d sources still attached at close", a->nsrc);
    if (a->dev)
        SDL_CloseAudioDevice(a->dev);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    pthread_mutex_destroy(&a->dev_mu);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

int audio_out_rate(const struct audio_out *a)
{
    return a->spec.freq;
}

/* The first source opens the device with the spec learnt at create (SDL
 * converts if the device changed); the last one closes it. Sources are
 * created on a loader thread, so the open never costs the drawing thread. */
static void device_use(struct audio_out *a)
{
    pthread_mutex_lock(&a->dev_mu);
    if (a->users++ == 0 && !a->dev) {
        SDL_AudioSpec want = a->spec, got;
        want.callback = audio_callback;
        want.userdata = a;
        a->dev = SDL_OpenAudioDevice(NULL, 0, &want, &got, 0);
        if (!a->dev)
            LOG_W("media", "audio device: %s (videos play silently)", SDL_GetError());
    }
    pthread_mutex_unlock(&a->dev_mu);
}

static void device_release(struct audio_out *a)
{
    pthread_mutex_lock(&a->dev_mu);
    if (--a->users == 0 && a->dev) {
        SDL_CloseAudioDevice(a->dev);
        a->dev = 0;
    }
    pthread_mutex_unlock(&a->dev_mu);
}

struct audio_source *audio_source_create(struct audio_out *a)
{
    device_use(a);
    struct audio_source *s = dp_calloc(1, sizeof *s);
    s->out = a;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->space, NULL);
    s->cap = (uint64_t)a->spec.freq * AUDIO_RING_MS / 1000;
    s->ring = dp_calloc(s->cap * AUDIO_OUT_CHANNELS, sizeof(float));
    s->base_pts = -1;
    s->skip_before = -1;
    s->gain = 1.0f;
    return s;
}

void audio_source_destroy(struct audio_source *s)
{
    if (!s)
        return;
    struct audio_out *a = s->out;
    bool pause = false;
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < a->nsrc; i++) {
        if (a->src[i] == s) {
            a->src[i] = a->src[--a->nsrc];
            pause = a->nsrc == 0;
            break;
        }
    }
    pthread_mutex_unlock(&a->mu);
    if (pause && a->dev)
        SDL_PauseAudioDevice(a->dev, 1);
    pthread_cond_destroy(&s->space);
    pthread_mutex_destroy(&s->mu);
    free(s->ring);
    free(s);
    device_release(a);
}

int audio_source_attach(struct audio_source *s)
{
    struct audio_out *a = s->out;
    int rc = 0;
    bool resume = false;
    pthread_mutex_lock(&a->mu);
    if (s->attached) {
        rc = 0;
    } else if (a->nsrc == AUDIO_MAX_SOURCES) {
        rc = -1;
    } else {
        a->src[a->nsrc++] = s;
        s->attached = true;
        resume = a->nsrc == 1;
    }
    pthread_mutex_unlock(&a->mu);
    if (resume && a->dev)
        SDL_PauseAudioDevice(a->dev, 0);
    return rc;
}

void audio_source_set_gain(struct audio_source *s, float gain)
{
    pthread_mutex_lock(&s->mu);
    s->gain = gain < 0 ? 0 : gain > 1 ? 1 : gain;
    pthread_mutex_unlock(&s->mu);
}

int audio_source_write(struct audio_source *s, const float *frames, int n, double pts_ms)
{
    int rate = s->out->spec.freq;
    pthread_mutex_lock(&s->mu);
    if (pts_ms >= 0) {
        /* Re-anchor on the first write and on a jump of more than 100 ms. */
        double expect = s->base_pts >= 0 ? source_pts_at(s, s->wr, rate) : -1;
        if (s->base_pts < 0 || fabs(expect - pts_ms) > 100) {
            s->base_idx = s->wr;
            s->base_pts = pts_ms;
        }
    }
    int done = 0;
    while (done < n) {
        while (!s->aborted && s->wr - s->rd == s->cap)
            pthread_cond_wait(&s->space, &s->mu);
        if (s->aborted) {
            pthread_mutex_unlock(&s->mu);
            return -1;
        }
        while (done < n && s->wr - s->rd < s->cap) {
            float *d = &s->ring[(s->wr % s->cap) * AUDIO_OUT_CHANNELS];
            memcpy(d, &frames[(size_t)done * AUDIO_OUT_CHANNELS],
                   sizeof(float) * AUDIO_OUT_CHANNELS);
            s->wr++;
            done++;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return 0;
}

void audio_source_finish(struct audio_source *s)
{
    pthread_mutex_lock(&s->mu);
    s->finished = true;
    pthread_mutex_unlock(&s->mu);
}

void audio_source_abort(struct audio_source *s)
{
    pthread_mutex_lock(&s->mu);
    s->aborted = true;
    pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->mu);
}

bool audio_source_clock(struct audio_source *s, double *pts_ms, int64_t *at_ms)
{
    pthread_mutex_lock(&s->mu);
    bool ok = s->clock_valid;
    *pts_ms = s->clock_pts;
    *at_ms = s->clock_at;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

bool audio_source_drained(struct audio_source *s)
{
    pthread_mutex_lock(&s->mu);
    bool d = s->finished && s->rd == s->wr;
    pthread_mutex_unlock(&s->mu);
    return d;
}

void audio_source_skip_before(struct audio_source *s, double pts_ms)
{
    pthread_mutex_lock(&s->mu);
    s->skip_before = pts_ms;
    pthread_mutex_unlock(&s->mu);
}
