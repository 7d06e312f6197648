/* Decoder choice for [playback] hwdec (see video.h). Internal to media/. */
#ifndef DP_MEDIA_VIDEO_HW_H
#define DP_MEDIA_VIDEO_HW_H

#include <stddef.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

/* Opens a decoder for st: hwdec "auto" tries the platform's hardware
 * decoder (vaapi on PCs; v4l2m2m then drm on ARM boards) and falls back to
 * software; "none" is software; "vaapi", "v4l2m2m", "drm" try that one
 * and fall back to software with a warning (once per process). The choice
 * is logged at info level once per process, at debug level after. Any thread. Returns an owned,
 * opened context (avcodec_free_context) or NULL with a reason in err. */
AVCodecContext *video_hw_open_decoder(const AVStream *st, const char *hwdec, int threads,
                                      char *err, size_t errlen);

/* True when frame lives in hardware memory (needs video_hw_download). */
int video_hw_is_hw_frame(const AVCodecContext *ctx, const AVFrame *frame);

/* Copies a hardware frame into sw (unref'd first; NV12 typically) with its
 * timestamps. Returns 0 or a negative AVERROR. Decode thread. */
int video_hw_download(AVFrame *sw, const AVFrame *hw);

#endif
