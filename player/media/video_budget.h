/* Budgets for video containers and decoders (issue 8), checked before the
 * work they bound: container attachments (Matroska), the probe, the
 * picture size that stream probing would otherwise decode at, and the
 * largest single allocation FFmpeg may make. */
#ifndef DP_VIDEO_BUDGET_H
#define DP_VIDEO_BUDGET_H

#include <stddef.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

/* Walks the top level of a Matroska/WebM file at path (element headers
 * only, by pread) and returns -1 with a "too large" message in err when
 * its attachments exceed DP_VIDEO_MAX_ATTACHMENT_BYTES (libavformat reads
 * them whole into memory at open). Other files, or an unreadable or
 * unusual structure, return 0: the demuxer decides. Blocking I/O; the
 * loader thread. */
int video_budget_file(const char *path, char *err, size_t errlen);

/* Before avformat_open_input: probe size and analysis duration, and (once
 * per process) FFmpeg's largest single allocation (av_max_alloc). */
void video_budget_format(AVFormatContext *fmt);

/* After avformat_open_input, before avformat_find_stream_info: -1 with a
 * "too large" message when a video stream declares more than
 * DP_VIDEO_MAX_PIXELS; else 0 and *opts (*n dictionaries, one per stream,
 * freed with video_budget_free) sets max_pixels on the decoders probing
 * opens. */
int video_budget_streams(AVFormatContext *fmt, AVDictionary ***opts, unsigned *n, char *err,
                         size_t errlen);
void video_budget_free(AVDictionary **opts, unsigned n); /* NULL ok */

/* Sets the pixel budget on a decoder before avcodec_open2: a stream that
 * grows mid-way (a new SPS) is refused by the decoder, not allocated. */
void video_budget_codec(AVCodecContext *ctx);

#endif
