/* Animated WebP as a video (issue 10): FFmpeg 5.1 cannot decode one, so
 * libwebp's animation decoder takes the place of the demux and decode
 * threads. One thread composes frame after frame on the canvas and queues
 * each as an RGBA AVFrame with its own timestamp, looping (pts carry on)
 * for the item's time; the drawing side (video_draw.c) is the same as for
 * any video. Memory: libwebp's canvas and previous canvas, plus the frame
 * queue; a canvas over DP_ANIM_MAX_PIXELS is refused (it is then shown as
 * a still). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>
#include <webp/demux.h>

#include "base/fileio.h"
#include "base/limits.h"
#include "base/log.h"
#include "media/image_formats.h"
#include "media/video_internal.h"

struct video_webp {
    char *data;
    size_t len;
    WebPAnimDecoder *dec;
    int w, h;
    int loop_ms; /* one pass of the animation */
};

void video_webp_free(struct video_webp *a)
{
    if (!a)
        return;
    WebPAnimDecoderDelete(a->dec);
    free(a->data);
    free(a);
}

struct video_webp *video_webp_probe(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    if (dp_read_file(path, DP_IMAGE_MAX_FILE_BYTES, &data, &len) < 0)
        return NULL;
    if (!webp_is_animated((const unsigned char *)data, len)) {
        free(data);
        return NULL;
    }
    struct video_webp *a = calloc(1, sizeof *a);
    if (!a) {
        free(data);
        return NULL;
    }
    a->data = data;
    a->len = len;
    return a;
}

int video_webp_setup(struct video *v, struct video_webp *a, char *err, size_t errlen)
{
    WebPData wd = {(const uint8_t *)a->data, a->len};
    WebPAnimDecoderOptions o;
    WebPAnimInfo info;
    if (!WebPAnimDecoderOptionsInit(&o)) {
        snprintf(err, errlen, "libwebp: bad version");
        return -1;
    }
    o.color_mode = MODE_RGBA;
    o.use_threads = 0;
    a->dec = WebPAnimDecoderNew(&wd, &o);
    if (!a->dec || !WebPAnimDecoderGetInfo(a->dec, &info) || info.frame_count < 1) {
        snprintf(err, errlen, "cannot open: not an animated WebP");
        return -1;
    }
    if (info.canvas_width < 1 || info.canvas_height < 1 ||
        (int64_t)info.canvas_width * info.canvas_height > DP_ANIM_MAX_PIXELS) {
        snprintf(err, errlen, "bad picture size %ux%u", info.canvas_width, info.canvas_height);
        return -1;
    }
    a->w = (int)info.canvas_width;
    a->h = (int)info.canvas_height;
    v->w = a->w;
    v->h = a->h;
    v->rotation = 0;
    v->dec_name = "libwebp";
    v->duration_ms = v->opts.max_duration_ms;
    v->webp = a;
    return 0;
}

/* Queues one composed canvas as an RGBA frame; -1 when aborted. */
static int push_canvas(struct video *v, struct video_webp *a, const uint8_t *px, double pts,
                       double dur)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return -1;
    f->format = AV_PIX_FMT_RGBA;
    f->width = a->w;
    f->height = a->h;
    f->color_range = AVCOL_RANGE_JPEG;
    if (av_frame_get_buffer(f, 0) < 0) {
        av_frame_free(&f);
        return -1;
    }
    for (int y = 0; y < a->h; y++)
        memcpy(f->data[0] + (size_t)y * f->linesize[0], px + (size_t)y * a->w * 4,
               (size_t)a->w * 4);
    int rc = video_frame_queue_push(&v->fq, f, pts, dur);
    av_frame_free(&f); /* the queue took a reference (or it was aborted) */
    return rc;
}

void *video_webp_main(void *arg)
{
    struct video *v = arg;
    struct video_webp *a = v->webp;
    double offset = 0, prev_end = 0;
    int prev_ts = 0;
    bool any = false;
    while (!atomic_load(&v->abort)) {
        uint8_t *px;
        int ts; /* the end of this frame's display, ms from the loop start */
        if (!WebPAnimDecoderHasMoreFrames(a->dec)) {
            if (!any || !v->opts.repeat || prev_ts <= 0)
                break;
            offset += prev_ts; /* the next pass starts where this ended */
            WebPAnimDecoderReset(a->dec);
            prev_ts = 0;
            continue;
        }
        if (!WebPAnimDecoderGetNext(a->dec, &px, &ts)) {
            LOG_I("media", "%s: animated WebP frame damaged", v->name);
            break;
        }
        double start = offset + prev_ts, dur = ts - prev_ts > 0 ? ts - prev_ts : 100;
        prev_ts = ts;
        if (v->opts.max_duration_ms > 0 && start >= (double)v->opts.max_duration_ms)
            break;
        if (push_canvas(v, a, px, start, dur) < 0)
            break;
        prev_end = start + dur;
        any = true;
    }
    (void)prev_end;
    video_frame_queue_set_eof(&v->fq);
    return NULL;
}
