/* Decoder choice: hardware through FFmpeg's hwaccel API, else software. */
#include "media/video_hw.h"

#include "media/video_budget.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/cpu.h>
#include <libavutil/hwcontext.h>
#include <libavutil/pixdesc.h>

#include "base/log.h"

static atomic_bool hw_logged;
static atomic_bool hw_warned;

static void hw_log_choice(const char *codec, const char *what)
{
    bool was = atomic_exchange(&hw_logged, true);
    if (!was)
        LOG_I("media", "video decoding: %s (%s)", what, codec);
    else
        LOG_D("media", "video decoding: %s (%s)", what, codec);
}

static enum AVPixelFormat hw_get_format(AVCodecContext *ctx, const enum AVPixelFormat *fmts)
{
    enum AVPixelFormat want = (enum AVPixelFormat)(intptr_t)ctx->opaque;
    for (const enum AVPixelFormat *p = fmts; *p != AV_PIX_FMT_NONE; p++) {
        if (*p == want)
            return *p;
    }
    /* The hwaccel refused this stream (profile, size): decode in software. */
    for (const enum AVPixelFormat *p = fmts; *p != AV_PIX_FMT_NONE; p++) {
        const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(*p);
        if (d && !(d->flags & AV_PIX_FMT_FLAG_HWACCEL))
            return *p;
    }
    return AV_PIX_FMT_NONE;
}

static AVCodecContext *hw_alloc(const AVCodec *codec, const AVStream *st, int threads)
{
    AVCodecContext *ctx = avcodec_alloc_context3(codec);
    if (!ctx)
        return NULL;
    if (avcodec_parameters_to_context(ctx, st->codecpar) < 0) {
        avcodec_free_context(&ctx);
        return NULL;
    }
    ctx->pkt_timebase = st->time_base;
    video_budget_codec(ctx);
    /* FFmpeg's "auto" is one thread more than there are cores; every frame
     * thread holds pictures of its own (~6 MB at 1080p). */
    if (threads <= 0)
        threads = av_cpu_count() < 8 ? av_cpu_count() : 8;
    ctx->thread_count = threads;
    ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    ctx->opaque = (void *)(intptr_t)AV_PIX_FMT_NONE;
    return ctx;
}

/* A hwaccel of type on the native decoder; NULL when not available here. */
static AVCodecContext *hw_try_device(const AVStream *st, enum AVHWDeviceType type, int threads)
{
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec)
        return NULL;
    enum AVPixelFormat hw_fmt = AV_PIX_FMT_NONE;
    for (int i = 0;; i++) {
        const AVCodecHWConfig *c = avcodec_get_hw_config(codec, i);
        if (!c)
            break;
        if ((c->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) && c->device_type == type) {
            hw_fmt = c->pix_fmt;
            break;
        }
    }
    if (hw_fmt == AV_PIX_FMT_NONE)
        return NULL;
    AVBufferRef *dev = NULL;
    if (av_hwdevice_ctx_create(&dev, type, NULL, NULL, 0) < 0)
        return NULL;
    AVCodecContext *ctx = hw_alloc(codec, st, threads);
    if (!ctx) {
        av_buffer_unref(&dev);
        return NULL;
    }
    ctx->hw_device_ctx = dev; /* the context owns the reference now */
    ctx->opaque = (void *)(intptr_t)hw_fmt;
    ctx->get_format = hw_get_format;
    if (avcodec_open2(ctx, codec, NULL) < 0) {
        avcodec_free_context(&ctx);
        return NULL;
    }
    return ctx;
}

/* A stateful V4L2 memory-to-memory decoder (Raspberry Pi 4 H.264). */
static AVCodecContext *hw_try_v4l2m2m(const AVStream *st, int threads)
{
    char name[64];
    snprintf(name, sizeof name, "%s_v4l2m2m", avcodec_get_name(st->codecpar->codec_id));
    const AVCodec *codec = avcodec_find_decoder_by_name(name);
    if (!codec)
        return NULL;
    AVCodecContext *ctx = hw_alloc(codec, st, 1);
    if (!ctx)
        return NULL;
    (void)threads;
    if (avcodec_open2(ctx, codec, NULL) < 0) {
        avcodec_free_context(&ctx);
        return NULL;
    }
    return ctx;
}

static AVCodecContext *hw_try(const AVStream *st, const char *name, int threads)
{
    if (strcmp(name, "v4l2m2m") == 0)
        return hw_try_v4l2m2m(st, threads);
    enum AVHWDeviceType type = av_hwdevice_find_type_by_name(name);
    if (type == AV_HWDEVICE_TYPE_NONE)
        return NULL;
    return hw_try_device(st, type, threads);
}

AVCodecContext *video_hw_open_decoder(const AVStream *st, const char *hwdec, int threads,
                                      char *err, size_t errlen)
{
    const char *codec_name = avcodec_get_name(st->codecpar->codec_id);
    if (!hwdec)
        hwdec = "auto";
    static const char *const auto_order[] = {
#if defined(__arm__) || defined(__aarch64__)
        "v4l2m2m",
        "drm",
#else
        "vaapi",
#endif
        NULL,
    };
    const char *one[] = {hwdec, NULL};
    const char *const *order = NULL;
    if (strcmp(hwdec, "auto") == 0)
        order = auto_order;
    else if (strcmp(hwdec, "none") != 0)
        order = one;
    for (int i = 0; order && order[i]; i++) {
        AVCodecContext *ctx = hw_try(st, order[i], threads);
        if (ctx) {
            char what[64];
            snprintf(what, sizeof what, "hardware, %s", order[i]);
            hw_log_choice(codec_name, what);
            return ctx;
        }
        if (order == one && !atomic_exchange(&hw_warned, true))
            LOG_W("media", "hwdec %s unavailable for %s: software decoding", hwdec, codec_name);
    }

    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        snprintf(err, errlen, "no decoder for %s", codec_name);
        return NULL;
    }
    AVCodecContext *ctx = hw_alloc(codec, st, threads);
    if (!ctx) {
        snprintf(err, errlen, "decoder setup failed for %s", codec_name);
        return NULL;
    }
    int rc = avcodec_open2(ctx, codec, NULL);
    if (rc < 0) {
        snprintf(err, errlen, "cannot open decoder %s: %s", codec->name, av_err2str(rc));
        avcodec_free_context(&ctx);
        return NULL;
    }
    hw_log_choice(codec_name, "software");
    return ctx;
}

int video_hw_is_hw_frame(const AVCodecContext *ctx, const AVFrame *frame)
{
    (void)ctx;
    return frame->hw_frames_ctx != NULL;
}

int video_hw_download(AVFrame *sw, const AVFrame *hw)
{
    av_frame_unref(sw);
    int rc = av_hwframe_transfer_data(sw, hw, 0);
    if (rc < 0)
        return rc;
    return av_frame_copy_props(sw, hw);
}
