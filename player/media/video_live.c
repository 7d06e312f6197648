/* Live streams (HLS) for video.c: opening with the live options, and the
 * demux thread's read with its one reconnection (issue 11; playback.md).
 *
 * DESIGN: a live item is a video whose path is the playlist's URL; FFmpeg's
 * HLS demuxer fetches the playlist and its segments itself, on the thread
 * that calls it: the loader during video_open (open, probe, pre-roll), the
 * demux thread afterwards. Nothing is written to disk. Every network wait
 * is bounded through the interrupt callback's deadline (io_deadline_ms):
 * MEDIA_LIVE_OPEN_TIMEOUT_MS for the open and probe, MEDIA_LIVE_STALL_MS
 * for each packet. Only the HLS demuxer is accepted (a URL that answers
 * with something else is "not a live stream"), with the protocols a remote
 * playlist may use (a local one: file only), so a playlist cannot reach
 * into the file system.
 *
 * A stall (no packet within MEDIA_LIVE_STALL_MS, a read error) opens the
 * stream once more in a second input (fmt_re); the first stays open
 * because the decoders hold its streams. Packets of the second input are
 * matched to the first's streams, re-timed into their time bases, and
 * those at or before the last one handed on are dropped, so a playlist
 * that starts a few segments back does not replay them. The next stall,
 * ends the item; so does the playlist's end (EXT-X-ENDLIST), after a
 * reconnection that finds nothing new. */
#include <stdio.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/error.h>

#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "media/video_internal.h"

static bool local_path(const char *path)
{
    return strncmp(path, "file:", 5) == 0 || path[0] == '/';
}

int video_live_open_input(struct video *v, AVFormatContext **out, char *err, size_t errlen)
{
    AVFormatContext *fmt = *out ? *out : avformat_alloc_context();
    if (!fmt) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fmt->interrupt_callback = (AVIOInterruptCB){video_interrupt_cb, v};
    AVDictionary *o = NULL;
    char us[32];
    snprintf(us, sizeof us, "%lld", (long long)MEDIA_LIVE_STALL_MS * 1000);
    av_dict_set(&o, "protocol_whitelist",
                local_path(v->path) ? "file,crypto,data" : "http,https,tcp,tls,crypto,data", 0);
    av_dict_set(&o, "rw_timeout", us, 0);
    av_dict_set(&o, "user_agent", "deskplayer/" DP_VERSION, 0);
    const AVInputFormat *hls = av_find_input_format("hls");
    atomic_store(&v->io_deadline_ms, dp_mono_ms() + MEDIA_LIVE_OPEN_TIMEOUT_MS);
    int rc = avformat_open_input(&fmt, v->path, NULL, &o);
    av_dict_free(&o);
    if (rc < 0) {
        atomic_store(&v->io_deadline_ms, 0);
        snprintf(err, errlen, "cannot open the live stream: %s", av_err2str(rc));
        *out = NULL; /* freed by avformat_open_input */
        return -1;
    }
    if (!hls || fmt->iformat != hls) {
        atomic_store(&v->io_deadline_ms, 0);
        snprintf(err, errlen, "not a live stream (%s)", fmt->iformat ? fmt->iformat->name : "?");
        avformat_close_input(&fmt);
        *out = NULL;
        return -1;
    }
    rc = avformat_find_stream_info(fmt, NULL);
    atomic_store(&v->io_deadline_ms, 0);
    if (rc < 0) {
        snprintf(err, errlen, "cannot read the live stream's info: %s", av_err2str(rc));
        avformat_close_input(&fmt);
        *out = NULL;
        return -1;
    }
    *out = fmt;
    return 0;
}

static int reconnect(struct video *v)
{
    char err[200];
    AVFormatContext *re = NULL;
    if (video_live_open_input(v, &re, err, sizeof err) < 0) {
        LOG_W("media", "%s: %s", v->name, err);
        return -1;
    }
    v->fmt_re = re;
    v->re_vidx = av_find_best_stream(re, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    v->re_aidx = v->ast ? av_find_best_stream(re, AVMEDIA_TYPE_AUDIO, -1, v->re_vidx, NULL, 0)
                        : -1;
    if (v->re_vidx < 0) {
        LOG_W("media", "%s: no video stream after the reconnection", v->name);
        return -1;
    }
    return 0;
}

/* A packet of fmt_re in the first input's terms; false to drop it. */
static bool remap(struct video *v, AVPacket *pkt)
{
    AVStream *to;
    int64_t *last;
    if (pkt->stream_index == v->re_vidx) {
        to = v->vst;
        last = &v->live_last_v;
    } else if (v->ast && pkt->stream_index == v->re_aidx) {
        to = v->ast;
        last = &v->live_last_a;
    } else {
        return false;
    }
    av_packet_rescale_ts(pkt, v->fmt_re->streams[pkt->stream_index]->time_base, to->time_base);
    pkt->stream_index = to->index;
    return pkt->dts == AV_NOPTS_VALUE || *last == AV_NOPTS_VALUE || pkt->dts > *last;
}

int video_live_read(struct video *v, AVPacket *pkt)
{
    for (;;) {
        AVFormatContext *in = v->fmt_re ? v->fmt_re : v->fmt;
        int64_t t0 = dp_mono_ms();
        atomic_store(&v->io_deadline_ms, t0 + MEDIA_LIVE_STALL_MS);
        int rc = av_read_frame(in, pkt);
        atomic_store(&v->io_deadline_ms, 0);
        if (rc < 0)
            LOG_D("media", "%s: read: %s after %lld ms", v->name, av_err2str(rc),
                  (long long)(dp_mono_ms() - t0));
        if (rc >= 0) {
            if (in == v->fmt_re && !remap(v, pkt)) {
                av_packet_unref(pkt);
                continue;
            }
            if (pkt->dts != AV_NOPTS_VALUE) {
                if (pkt->stream_index == v->vst->index)
                    v->live_last_v = pkt->dts;
                else if (v->ast && pkt->stream_index == v->ast->index)
                    v->live_last_a = pkt->dts;
            }
            return 0;
        }
        /* FFmpeg's HLS demuxer also says "end of file" when a live playlist
         * stops growing: an end is a stall too. After a real end
         * (EXT-X-ENDLIST) the second input only replays what was shown,
         * which remap drops, and ends at once. */
        if (atomic_load(&v->abort) || v->reconnected)
            return rc;
        v->reconnected = true;
        LOG_W("media", "%s: the live stream stalled (%s): reconnecting once", v->name,
              av_err2str(rc));
        if (reconnect(v) < 0)
            return rc;
    }
}
