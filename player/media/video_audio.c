/* A video's sound track: its decoder, opened beside the picture's, and the
 * audio decode thread, which resamples to the output's rate in stereo float
 * and writes to the video's audio source (media/audio.c mixes it). */
#include <stdlib.h>

#include <libavformat/avformat.h>
#include <libswresample/swresample.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "media/video_internal.h"

int video_audio_open(struct video *v)
{
    int idx = av_find_best_stream(v->fmt, AVMEDIA_TYPE_AUDIO, -1, v->vst->index, NULL, 0);
    if (idx < 0)
        return 0;
    v->ast = v->fmt->streams[idx];
    const AVCodec *codec = avcodec_find_decoder(v->ast->codecpar->codec_id);
    if (!codec) {
        LOG_W("media", "%s: no decoder for audio %s; silent", v->name,
              avcodec_get_name(v->ast->codecpar->codec_id));
        return 0;
    }
    v->adec = avcodec_alloc_context3(codec);
    if (!v->adec || avcodec_parameters_to_context(v->adec, v->ast->codecpar) < 0)
        goto fail;
    v->adec->pkt_timebase = v->ast->time_base;
    if (avcodec_open2(v->adec, codec, NULL) < 0)
        goto fail;
    v->asrc = audio_source_create(v->opts.audio_out);
    float gain = v->opts.mute ? 0.0f : (float)v->opts.volume / 100.0f;
    audio_source_set_gain(v->asrc, gain);
    return 0;

fail:
    LOG_W("media", "%s: audio decoder failed; silent", v->name);
    avcodec_free_context(&v->adec);
    return 0;
}

struct adec_state {
    AVFrame *frame;
    SwrContext *swr;
    float *buf;
    int buf_frames;
};

static int adec_frame(struct video *v, struct adec_state *s)
{
    AVFrame *f = s->frame;
    int out_rate = audio_out_rate(v->opts.audio_out);
    if (!s->swr) {
        AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
        int rc = swr_alloc_set_opts2(&s->swr, &stereo, AV_SAMPLE_FMT_FLT, out_rate, &f->ch_layout,
                                     f->format, f->sample_rate, 0, NULL);
        if (rc >= 0)
            rc = swr_init(s->swr);
        if (rc < 0) {
            LOG_W("media", "%s: audio resampler: %s; silent", v->name, av_err2str(rc));
            return -1;
        }
    }
    int want = swr_get_out_samples(s->swr, f->nb_samples);
    if (want > s->buf_frames) {
        s->buf = dp_realloc(s->buf, (size_t)want * AUDIO_OUT_CHANNELS * sizeof(float));
        s->buf_frames = want;
    }
    uint8_t *out[1] = {(uint8_t *)s->buf};
    int n = swr_convert(s->swr, out, want, (const uint8_t **)f->extended_data, f->nb_samples);
    if (n < 0)
        return 0;
    double pts = -1;
    if (f->best_effort_timestamp != AV_NOPTS_VALUE) {
        pts = video_ts_ms(f->best_effort_timestamp, v->ast->time_base);
        pts -= (double)swr_get_delay(s->swr, 1000);
        if (pts < 0)
            pts = 0;
    }
    if (n == 0)
        return 0;
    return audio_source_write(v->asrc, s->buf, n, pts);
}

static int adec_send(struct video *v, struct adec_state *s, const AVPacket *pkt)
{
    int rc = avcodec_send_packet(v->adec, pkt);
    if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_EOF)
        LOG_D("media", "%s: audio decode: %s", v->name, av_err2str(rc));
    for (;;) {
        rc = avcodec_receive_frame(v->adec, s->frame);
        if (rc < 0)
            return 0;
        rc = adec_frame(v, s);
        av_frame_unref(s->frame);
        if (rc < 0)
            return -1;
    }
}

void *video_audio_main(void *arg)
{
    struct video *v = arg;
    struct adec_state s = {.frame = av_frame_alloc()};
    bool failed = !s.frame;
    for (;;) {
        AVPacket *pkt = NULL;
        enum video_pkt_kind kind;
        int rc = video_pkt_queue_get(&v->aq, &pkt, &kind);
        video_wake_demux(v);
        if (rc < 0)
            break;
        if (rc == 0) {
            if (!failed)
                adec_send(v, &s, NULL);
            break;
        }
        if (kind == VIDEO_PKT_DATA && !failed && adec_send(v, &s, pkt) < 0)
            failed = true; /* keep draining the queue so the demuxer never stalls */
        av_packet_free(&pkt);
    }
    audio_source_finish(v->asrc);
    swr_free(&s.swr);
    free(s.buf);
    av_frame_free(&s.frame);
    return NULL;
}
