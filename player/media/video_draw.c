/* Video playback, the drawing thread's side: the clock, the frame due,
 * the upload into a texture, statistics (see video.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/imgutils.h>

#include "base/clock.h"
#include "base/log.h"
#include "media/video_internal.h"

/* ---- drawing thread ---------------------------------------------------- */

static double video_clock(struct video *v, int64_t now_ms)
{
    double pts;
    int64_t at;
    if (v->asrc && audio_source_clock(v->asrc, &pts, &at) &&
        dp_mono_ms() - at < VIDEO_AUDIO_STALE_MS) {
        v->clk_pts = pts + (double)(now_ms - at);
        v->clk_now = now_ms;
        v->audio_master = true;
        return v->clk_pts;
    }
    v->audio_master = false;
    return v->clk_pts + (double)(now_ms - v->clk_now);
}

/* Runs the clock from now once the decoder has the next frame (or has
 * ended, or kept us waiting too long). Returns whether it runs. */
static bool video_begin(struct video *v, int64_t now_ms)
{
    int queued;
    bool eof;
    video_get_queue(v, &queued, &eof);
    if (queued == 0 && !eof && now_ms - v->start_asked < VIDEO_START_WAIT_MS)
        return false;
    v->start_pending = false;
    v->started = true;
    v->clk_pts = v->start_pts;
    v->clk_now = now_ms;
    if (v->asrc) {
        audio_source_skip_before(v->asrc, v->start_pts);
        if (audio_source_attach(v->asrc) < 0)
            LOG_W("media", "%s: too many sounds at once; this one is silent", v->name);
    }
    return true;
}

int video_start(struct video *v, int64_t now_ms)
{
    if (v->started || v->start_pending)
        return -1;
    v->start_pending = true;
    v->start_asked = now_ms;
    atomic_store(&v->running, true);
    video_frame_queue_set_limit(&v->fq, VIDEO_FRAME_QUEUE_DEPTH);
    video_wake_demux(v);
    video_begin(v, now_ms);
    return 0;
}

void video_set_fade(struct video *v, float f)
{
    if (!v->asrc)
        return;
    float gain = v->opts.mute ? 0.0f : (float)v->opts.volume / 100.0f;
    audio_source_set_gain(v->asrc, gain * (f < 0 ? 0 : f > 1 ? 1 : f));
}

static SDL_YUV_CONVERSION_MODE yuv_mode(const AVFrame *f)
{
    if (f->color_range == AVCOL_RANGE_JPEG)
        return SDL_YUV_CONVERSION_JPEG;
    switch (f->colorspace) {
    case AVCOL_SPC_BT709:
        return SDL_YUV_CONVERSION_BT709;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M:
        return SDL_YUV_CONVERSION_BT601;
    default:
        return SDL_YUV_CONVERSION_AUTOMATIC;
    }
}

static int ensure_texture(SDL_Renderer *r, SDL_Texture **tex, Uint32 format, int w, int h)
{
    if (*tex) {
        Uint32 tf;
        int tw, th;
        if (SDL_QueryTexture(*tex, &tf, NULL, &tw, &th) == 0 && tf == format && tw == w && th == h)
            return 0;
        SDL_DestroyTexture(*tex);
    }
    *tex = SDL_CreateTexture(r, format, SDL_TEXTUREACCESS_STREAMING, w, h);
    if (!*tex) {
        LOG_W("media", "video texture %dx%d: %s", w, h, SDL_GetError());
        return -1;
    }
    return 0;
}

/* Converts an unusual layout to yuv420p (counted: benchmark 2). */
static const AVFrame *convert(struct video *v, const AVFrame *f)
{
    if (!v->conv || v->conv->width != f->width || v->conv->height != f->height) {
        av_frame_free(&v->conv);
        v->conv = av_frame_alloc();
        if (!v->conv)
            return NULL;
        v->conv->format = AV_PIX_FMT_YUV420P;
        v->conv->width = f->width;
        v->conv->height = f->height;
        if (av_frame_get_buffer(v->conv, 0) < 0) {
            av_frame_free(&v->conv);
            return NULL;
        }
    }
    v->sws = sws_getCachedContext(v->sws, f->width, f->height, f->format, f->width, f->height,
                                  AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
    if (!v->sws)
        return NULL;
    sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, v->conv->data,
              v->conv->linesize);
    v->conversions++;
    v->conv->color_range = f->color_range;
    v->conv->colorspace = f->colorspace;
    return v->conv;
}

/* Turns one plane clockwise by rot (90, 180, 270), in 32x32 tiles. */
static void turn_plane(const uint8_t *src, int sls, int sw, int sh, uint8_t *dst, int dls, int rot)
{
    if (rot == 180) {
        for (int y = 0; y < sh; y++) {
            const uint8_t *s = src + (size_t)(sh - 1 - y) * sls;
            uint8_t *d = dst + (size_t)y * dls;
            for (int x = 0; x < sw; x++)
                d[x] = s[sw - 1 - x];
        }
        return;
    }
    enum { TILE = 32 };
    for (int by = 0; by < sw; by += TILE) {
        int ey = by + TILE < sw ? by + TILE : sw;
        for (int bx = 0; bx < sh; bx += TILE) {
            int ex = bx + TILE < sh ? bx + TILE : sh;
            for (int y = by; y < ey; y++) {
                uint8_t *d = dst + (size_t)y * dls;
                if (rot == 90) {
                    for (int x = bx; x < ex; x++)
                        d[x] = src[(size_t)(sh - 1 - x) * sls + y];
                } else {
                    for (int x = bx; x < ex; x++)
                        d[x] = src[(size_t)x * sls + (sw - 1 - y)];
                }
            }
        }
    }
}

/* A yuv420p frame turned upright. On a software renderer, SDL would turn
 * the RGB picture with a fresh 8 MB surface every frame (RenderCopyEx);
 * moving the YUV bytes costs a fraction of that. */
static const AVFrame *turn(struct video *v, const AVFrame *f)
{
    bool quarter = v->rotation == 90 || v->rotation == 270;
    int tw = quarter ? f->height : f->width, th = quarter ? f->width : f->height;
    if (!v->turned || v->turned->width != tw || v->turned->height != th) {
        av_frame_free(&v->turned);
        v->turned = av_frame_alloc();
        if (!v->turned)
            return NULL;
        v->turned->format = AV_PIX_FMT_YUV420P;
        v->turned->width = tw;
        v->turned->height = th;
        if (av_frame_get_buffer(v->turned, 0) < 0) {
            av_frame_free(&v->turned);
            return NULL;
        }
    }
    for (int p = 0; p < 3; p++) {
        int pw = p ? (f->width + 1) / 2 : f->width, ph = p ? (f->height + 1) / 2 : f->height;
        turn_plane(f->data[p], f->linesize[p], pw, ph, v->turned->data[p], v->turned->linesize[p],
                   v->rotation);
    }
    v->turned->color_range = f->color_range;
    v->turned->colorspace = f->colorspace;
    return v->turned;
}

static int upload(struct video *v, SDL_Renderer *r, SDL_Texture **tex, const AVFrame *f)
{
    if (v->soft < 0) {
        SDL_RendererInfo info;
        v->soft = SDL_GetRendererInfo(r, &info) == 0 && (info.flags & SDL_RENDERER_SOFTWARE);
    }
    v->tex_rotation = v->rotation;
    bool direct = f->linesize[0] > 0 && f->linesize[1] > 0;
    if (direct && f->format == AV_PIX_FMT_NV12) {
        if (ensure_texture(r, tex, SDL_PIXELFORMAT_NV12, f->width, f->height) < 0)
            return -2;
        SDL_SetYUVConversionMode(yuv_mode(f));
        if (SDL_UpdateNVTexture(*tex, NULL, f->data[0], f->linesize[0], f->data[1],
                                f->linesize[1]) != 0)
            goto sdl_fail;
        return 1;
    }
    if (!direct || (f->format != AV_PIX_FMT_YUV420P && f->format != AV_PIX_FMT_YUVJ420P) ||
        f->linesize[2] <= 0) {
        f = convert(v, f);
        if (!f)
            return -2;
    }
    if (v->soft && v->rotation) {
        f = turn(v, f);
        if (!f)
            return -2;
        v->tex_rotation = 0;
    }
    if (ensure_texture(r, tex, SDL_PIXELFORMAT_IYUV, f->width, f->height) < 0)
        return -2;
    SDL_SetYUVConversionMode(yuv_mode(f));
    if (SDL_UpdateYUVTexture(*tex, NULL, f->data[0], f->linesize[0], f->data[1], f->linesize[1],
                             f->data[2], f->linesize[2]) != 0)
        goto sdl_fail;
    return 1;

sdl_fail:
    LOG_W("media", "%s: texture upload: %s", v->name, SDL_GetError());
    return -2;
}

/* Uploads the oldest queued frame and pops it. */
static int show_front(struct video *v, SDL_Renderer *r, SDL_Texture **tex, double now)
{
    const struct video_frame *f = video_frame_queue_peek(&v->fq, 0);
    if (v->started && v->audio_master && fabs(now - f->pts_ms) > v->max_drift)
        v->max_drift = fabs(now - f->pts_ms);
    if (v->started)
        atomic_store(&v->late_ms, (int)(now - f->pts_ms));
    int rc = upload(v, r, tex, f->frame);
    v->last_end_pts = f->pts_ms + f->duration_ms;
    video_frame_queue_pop(&v->fq);
    if (rc < 0) {
        v->ended = true;
        return rc;
    }
    v->frames++;
    v->first_shown = true;
    return 1;
}

int video_update(struct video *v, SDL_Renderer *r, SDL_Texture **tex, int64_t now_ms)
{
    if (v->ended)
        return -1;
    if (v->start_pending && !video_begin(v, now_ms))
        return 0;
    if (!v->started) {
        if (v->first_shown || !video_frame_queue_peek(&v->fq, 0))
            return 0;
        return show_front(v, r, tex, 0);
    }
    double now = video_clock(v, now_ms);
    if (v->opts.max_duration_ms > 0 && now - v->start_pts >= (double)v->opts.max_duration_ms) {
        v->ended = true;
        return -1;
    }
    for (;;) {
        const struct video_frame *f0 = video_frame_queue_peek(&v->fq, 0);
        if (!f0)
            break;
        if (f0->pts_ms > now && v->first_shown)
            return 0;
        const struct video_frame *f1 = video_frame_queue_peek(&v->fq, 1);
        if (f1 && f1->pts_ms <= now) {
            LOG_D("media", "%s: dropped frame %.0f ms at clock %.0f (%s)", v->name, f0->pts_ms,
                  now, v->audio_master ? "audio" : "wall");
            video_frame_queue_pop(&v->fq);
            v->dropped++;
            continue;
        }
        return show_front(v, r, tex, now);
    }
    if (video_frame_queue_ended(&v->fq) && now >= v->last_end_pts) {
        v->ended = true;
        return -1;
    }
    return 0;
}

int64_t video_next_due_ms(const struct video *v, int64_t now_ms)
{
    struct video *mv = (struct video *)v; /* peeking locks the queue */
    if (v->ended)
        return INT64_MAX;
    if (v->start_pending)
        return now_ms + 4; /* the decoder is reopening: look again soon */
    const struct video_frame *f = video_frame_queue_peek(&mv->fq, 0);
    if (!v->started)
        return f && !v->first_shown ? now_ms : INT64_MAX;
    int64_t due;
    if (f)
        due = v->clk_now + (int64_t)ceil(f->pts_ms - v->clk_pts);
    else if (video_frame_queue_ended(&mv->fq))
        due = v->clk_now + (int64_t)ceil(v->last_end_pts - v->clk_pts);
    else
        due = now_ms + 5; /* the decoder is late: look again soon */
    if (v->opts.max_duration_ms > 0) {
        int64_t cap = v->clk_now +
                      (int64_t)ceil(v->start_pts + (double)v->opts.max_duration_ms - v->clk_pts);
        if (cap < due)
            due = cap;
    }
    return due < now_ms ? now_ms : due;
}

void video_get_size(const struct video *v, int *w, int *h, int *rotation_deg)
{
    if (w)
        *w = v->w;
    if (h)
        *h = v->h;
    if (rotation_deg)
        *rotation_deg = v->rotation;
}

void video_get_stats(const struct video *v, int64_t *frames, int64_t *dropped)
{
    struct video *mv = (struct video *)v; /* atomics only */
    /* Packets that gave no frame: skipped by the decoder (or corrupt). While
     * it runs, frame threads hold a few in flight. */
    int64_t lost = atomic_load(&mv->pkts_sent) - atomic_load(&mv->frames_out);
    if (!atomic_load(&mv->drained))
        lost -= atomic_load(&mv->dec_threads) + 1;
    if (frames)
        *frames = v->frames;
    if (dropped)
        *dropped = v->dropped + (lost > 0 ? lost : 0);
}

int video_texture_rotation(const struct video *v)
{
    return v->tex_rotation;
}
double video_get_max_drift_ms(const struct video *v)
{
    return v->max_drift;
}
void video_get_queue(const struct video *v, int *queued, bool *eof)
{
    struct video *mv = (struct video *)v; /* the queue locks itself */
    if (queued)
        *queued = video_frame_queue_size(&mv->fq);
    if (eof) {
        pthread_mutex_lock(&mv->fq.mu);
        *eof = mv->fq.eof;
        pthread_mutex_unlock(&mv->fq.mu);
    }
}

int64_t video_get_conversions(const struct video *v)
{
    return v->conversions;
}
int64_t video_duration_ms(const struct video *v)
{
    return v->duration_ms;
}
bool video_has_audio(const struct video *v)
{
    return v->asrc != NULL;
}
