/* Video playback: open, the demux and decode threads, close, FFmpeg's log
 * and the decode benchmark (see video.h; the drawing thread's side is in
 * video_draw.c). */
#include "media/video.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <libavformat/avformat.h>
#include <libavutil/display.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "media/video_budget.h"
#include "media/video_hw.h"
#include "media/video_internal.h"
#include "media/video_queue.h"


void video_opts_defaults(struct video_opts *o)
{
    *o = (struct video_opts){
        .audio = true,
        .volume = 100,
        .hwdec = "auto",
        .nice = VIDEO_DECODE_NICE,
    };
}

static atomic_bool opens_cancelled;

void video_cancel_opens(bool on)
{
    atomic_store(&opens_cancelled, on);
}

static int interrupt_cb(void *ctx)
{
    struct video *v = ctx;
    long long deadline = atomic_load(&v->io_deadline_ms);
    return atomic_load(&v->abort) || (deadline > 0 && dp_mono_ms() > deadline) ||
           (!atomic_load(&v->running) && atomic_load(&opens_cancelled));
}

/* The first frame, within timeout_ms: video_frame_queue_wait's result,
 * -1 when opens are cancelled meanwhile. */
static int wait_first_frame(struct video *v, int64_t timeout_ms)
{
    int64_t end = dp_mono_ms() + timeout_ms;
    for (;;) {
        if (atomic_load(&opens_cancelled))
            return -1;
        int64_t left = end - dp_mono_ms();
        int rc = video_frame_queue_wait(&v->fq, left < 100 ? (left > 0 ? left : 0) : 100);
        if (rc != -2 || left <= 100)
            return rc;
    }
}

int video_interrupt_cb(void *ctx)
{
    return interrupt_cb(ctx);
}

void video_wake_demux(struct video *v)
{
    pthread_mutex_lock(&v->wake_mu);
    v->wake_gen++;
    pthread_cond_broadcast(&v->wake); /* the demux and a parked decoder */
    pthread_mutex_unlock(&v->wake_mu);
}

double video_ts_ms(int64_t ts, AVRational tb)
{
    return (double)ts * av_q2d(tb) * 1000.0;
}

/* ---- demux thread ------------------------------------------------------ */

static bool queue_enough(struct video_pkt_queue *q, AVStream *st, int64_t *bytes)
{
    int count;
    int64_t b, dur;
    bool eof;
    video_pkt_queue_level(q, &count, &b, &dur, &eof);
    *bytes += b;
    return count > VIDEO_PACKETS_ENOUGH &&
           (dur == 0 || video_ts_ms(dur, st->time_base) > VIDEO_PACKETS_ENOUGH_MS);
}

static uint64_t demux_gen(struct video *v)
{
    pthread_mutex_lock(&v->wake_mu);
    uint64_t g = v->wake_gen;
    pthread_mutex_unlock(&v->wake_mu);
    return g;
}

/* Sleeps until a decoder takes a packet, video_start or the abort, i.e.
 * until wake_demux was called after gen was read (no lost wake-up, and no
 * polling: a video waiting for its turn costs no wake-ups). The 1 s
 * timeout is only a safety net. */
static void demux_pause(struct video *v, uint64_t gen)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    pthread_mutex_lock(&v->wake_mu);
    while (!atomic_load(&v->abort) && v->wake_gen == gen) {
        if (pthread_cond_timedwait(&v->wake, &v->wake_mu, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&v->wake_mu);
}

static void *demux_main(void *arg)
{
    struct video *v = arg;
    AVPacket *pkt = av_packet_alloc();
    bool loop = v->opts.repeat && v->opts.max_duration_ms > 0;
    int64_t video_pkts_this_turn = 0;

    while (pkt && !atomic_load(&v->abort)) {
        uint64_t gen = demux_gen(v); /* before looking at the queues */
        int64_t bytes = 0;
        bool v_enough = queue_enough(&v->vq, v->vst, &bytes);
        if (!atomic_load(&v->running)) {
            /* Pre-rolled and waiting for its turn: hold still and small. */
            int count;
            int64_t b, dur;
            bool eof;
            video_pkt_queue_level(&v->vq, &count, &b, &dur, &eof);
            if (count >= VIDEO_PREROLL_PACKETS) {
                demux_pause(v, gen);
                continue;
            }
        }
        bool a_enough = !v->asrc || queue_enough(&v->aq, v->ast, &bytes);
        if (bytes > VIDEO_PACKET_QUEUE_BYTES || (v_enough && a_enough)) {
            demux_pause(v, gen);
            continue;
        }
        int rc = v->opts.live ? video_live_read(v, pkt) : av_read_frame(v->fmt, pkt);
        if (rc < 0) {
            if (atomic_load(&v->abort))
                break;
            if (v->opts.live) {
                LOG_I("media", "%s: the live stream ended: %s", v->name, av_err2str(rc));
                break;
            }
            if (rc != AVERROR_EOF && !avio_feof(v->fmt->pb)) {
                LOG_W("media", "%s: read error, ending: %s", v->name, av_err2str(rc));
                atomic_store(&v->broke, true);
                break;
            }
            if (!loop || video_pkts_this_turn == 0)
                break;
            rc = avformat_seek_file(v->fmt, -1, INT64_MIN, 0, 0, AVSEEK_FLAG_BACKWARD);
            if (rc < 0) {
                LOG_W("media", "%s: cannot loop: %s", v->name, av_err2str(rc));
                break;
            }
            video_pkts_this_turn = 0;
            video_pkt_queue_put(&v->vq, NULL, VIDEO_PKT_LOOP);
            continue;
        }
        if (pkt->stream_index == v->vst->index) {
            AVPacket *p = av_packet_alloc();
            if (!p)
                break;
            av_packet_move_ref(p, pkt);
            video_pkt_queue_put(&v->vq, p, VIDEO_PKT_DATA);
            video_pkts_this_turn++;
        } else if (v->asrc && pkt->stream_index == v->ast->index) {
            AVPacket *p = av_packet_alloc();
            if (!p)
                break;
            av_packet_move_ref(p, pkt);
            video_pkt_queue_put(&v->aq, p, VIDEO_PKT_DATA);
        } else {
            av_packet_unref(pkt);
        }
    }
    av_packet_free(&pkt);
    video_pkt_queue_set_eof(&v->vq);
    video_pkt_queue_set_eof(&v->aq);
    return NULL;
}

/* ---- video decode thread ----------------------------------------------- */

struct vdec_state {
    AVFrame *frame, *sw;
    double loop_offset;          /* added to pts after each loop */
    double turn_first, turn_end; /* pts span of the current turn */
    double next_pts;             /* guess when a frame has no pts */
    double frame_dur;            /* from the stream's frame rate */
    /* Cold pre-roll (video.h): the packets given to the first decoder. */
    bool keep; /* recording them for a replay */
    AVPacket *replay[VIDEO_REPLAY_MAX];
    int n_replay;
    int pushed;        /* frames queued so far */
    double last_pts;   /* of the last frame queued */
    double skip_until; /* replaying: frames up to here are queued
                                      already; < 0: none */
};

static void vdec_drop_replay(struct vdec_state *s)
{
    for (int i = 0; i < s->n_replay; i++)
        av_packet_free(&s->replay[i]);
    s->n_replay = 0;
    s->keep = false;
}

/* Returns 0 (queued), 1 (a replayed frame queued before: dropped), or -1
 * to stop (aborted or a frame we refuse). */
static int vdec_frame(struct video *v, struct vdec_state *s, AVFrame *f)
{
    if (video_hw_is_hw_frame(v->vdec, f)) {
        int rc = video_hw_download(s->sw, f);
        if (rc < 0) {
            LOG_W("media", "%s: hw frame download: %s", v->name, av_err2str(rc));
            return 0;
        }
        av_frame_unref(f);
        f = s->sw;
    }
    if ((int64_t)f->width * f->height > VIDEO_MAX_PIXELS || f->width <= 0) {
        LOG_W("media", "%s: frame %dx%d refused", v->name, f->width, f->height);
        av_frame_unref(f);
        return -1;
    }
    double pts = s->next_pts;
    if (f->best_effort_timestamp != AV_NOPTS_VALUE)
        pts = video_ts_ms(f->best_effort_timestamp, v->vst->time_base);
    double dur = f->pkt_duration > 0 ? video_ts_ms(f->pkt_duration, v->vst->time_base)
                                     : s->frame_dur;
    if (s->turn_first < 0 || pts < s->turn_first)
        s->turn_first = pts;
    if (pts + dur > s->turn_end)
        s->turn_end = pts + dur;
    s->next_pts = pts + dur;
    if (s->skip_until >= 0) {
        if (pts <= s->skip_until + 0.5) {
            av_frame_unref(f);
            return 1;
        }
        s->skip_until = -1;
    }
    if (video_frame_queue_push(&v->fq, f, pts + s->loop_offset, dur) < 0) {
        av_frame_unref(f);
        return -1;
    }
    s->pushed++;
    s->last_pts = pts;
    return 0;
}

/* Sends pkt (NULL: drain) and queues every frame that comes out. */
static int vdec_send(struct video *v, struct vdec_state *s, const AVPacket *pkt)
{
    int rc = avcodec_send_packet(v->vdec, pkt);
    if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_EOF)
        LOG_D("media", "%s: decode: %s", v->name, av_err2str(rc));
    for (;;) {
        rc = avcodec_receive_frame(v->vdec, s->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return 0;
        if (rc < 0) {
            LOG_D("media", "%s: decode: %s", v->name, av_err2str(rc));
            return 0;
        }
        rc = vdec_frame(v, s, s->frame);
        if (rc < 0)
            return -1;
        if (rc == 0)
            atomic_fetch_add(&v->frames_out, 1);
    }
}

/* Lowers this thread's priority before the decoder (and so its frame
 * threads, which inherit it) exists. */
static void vdec_lower_priority(int nice)
{
    if (nice <= 0)
        return;
    id_t tid = (id_t)syscall(SYS_gettid);
    errno = 0;
    int cur = getpriority(PRIO_PROCESS, tid);
    if (errno == 0 && setpriority(PRIO_PROCESS, tid, cur + nice) != 0)
        LOG_D("media", "decoder priority: %s", strerror(errno));
}

static AVCodecContext *vdec_open(struct video *v, char *err, size_t errlen)
{
    AVCodecContext *dec = video_hw_open_decoder(v->vst, v->opts.hwdec, v->opts.threads, err,
                                                errlen);
    if (dec) {
        atomic_store(&v->dec_threads, dec->thread_count);
        v->dec_name = dec->codec->name;
    }
    return dec;
}

/* Cold pre-roll: closes the decoder, sleeps until video_start (or the
 * abort), reopens it and replays the packets it had been given. Returns 0,
 * or -1 to stop. */
static int vdec_park(struct video *v, struct vdec_state *s)
{
    avcodec_free_context(&v->vdec);
#ifdef __GLIBC__
    malloc_trim(0); /* hand the decoder's pictures back to the system */
#endif
    pthread_mutex_lock(&v->wake_mu);
    while (!atomic_load(&v->abort) && !atomic_load(&v->running))
        pthread_cond_wait(&v->wake, &v->wake_mu);
    pthread_mutex_unlock(&v->wake_mu);
    if (atomic_load(&v->abort))
        return -1;
    char err[160];
    v->vdec = vdec_open(v, err, sizeof err);
    if (!v->vdec) {
        LOG_W("media", "%s: decoder reopen: %s", v->name, err);
        return -1;
    }
    s->keep = false;
    s->skip_until = s->last_pts;
    int rc = 0;
    for (int i = 0; i < s->n_replay && rc == 0; i++)
        rc = vdec_send(v, s, s->replay[i]);
    vdec_drop_replay(s);
    return rc;
}

static void *vdec_main(void *arg)
{
    struct video *v = arg;
    vdec_lower_priority(v->opts.nice);
    /* v->vdec belongs to this thread (and to video_close after the join). */
    v->vdec = vdec_open(v, v->open_err, sizeof v->open_err);
    if (!v->vdec) {
        video_frame_queue_set_eof(&v->fq);
        return NULL;
    }
    struct vdec_state s = {
        .frame = av_frame_alloc(),
        .sw = av_frame_alloc(),
        .turn_first = -1,
        .skip_until = -1,
        .keep = !v->opts.keep_decoder && !v->vdec->hw_device_ctx &&
                !(v->vdec->codec->capabilities & AV_CODEC_CAP_HARDWARE),
    };
    AVRational fr = av_guess_frame_rate(v->fmt, v->vst, NULL);
    s.frame_dur = fr.num > 0 && fr.den > 0 ? 1000.0 / av_q2d(fr) : 40.0;
    if (!s.frame || !s.sw)
        goto out;
    for (;;) {
        if (s.keep && atomic_load(&v->running)) {
            vdec_drop_replay(&s); /* started before its first frame: stay open */
        } else if (s.keep && s.pushed > 0) {
            if (vdec_park(v, &s) < 0)
                break;
            continue;
        }
        AVPacket *pkt = NULL;
        enum video_pkt_kind kind;
        int rc = video_pkt_queue_get(&v->vq, &pkt, &kind);
        video_wake_demux(v);
        if (rc < 0)
            break;
        if (rc == 0 || kind == VIDEO_PKT_LOOP)
            vdec_drop_replay(&s); /* a clip this short stays open */
        if (rc == 0) {
            vdec_send(v, &s, NULL);
            atomic_store(&v->drained, true);
            break;
        }
        if (kind == VIDEO_PKT_LOOP) {
            if (vdec_send(v, &s, NULL) < 0)
                break;
            avcodec_flush_buffers(v->vdec);
            if (s.turn_first >= 0)
                s.loop_offset += s.turn_end - s.turn_first;
            s.turn_first = -1;
            s.turn_end = 0;
            continue;
        }
        /* Behind: skip the frames nothing refers to, as mpv does. */
        int late = atomic_load(&v->late_ms);
        if (late > VIDEO_LATE_SKIP_MS && v->vdec->skip_frame < AVDISCARD_NONREF) {
            LOG_D("media", "%s: %d ms late, skipping non-reference frames", v->name, late);
            v->vdec->skip_frame = AVDISCARD_NONREF;
        } else if (late < VIDEO_LATE_OK_MS && v->vdec->skip_frame != AVDISCARD_DEFAULT) {
            v->vdec->skip_frame = AVDISCARD_DEFAULT;
        }
        atomic_fetch_add(&v->pkts_sent, 1);
        if (s.keep) {
            if (s.n_replay < VIDEO_REPLAY_MAX && (s.replay[s.n_replay] = av_packet_clone(pkt)))
                s.n_replay++;
            else
                vdec_drop_replay(&s);
        }
        rc = vdec_send(v, &s, pkt);
        av_packet_free(&pkt);
        if (rc < 0)
            break;
    }
out:
    vdec_drop_replay(&s);
    video_frame_queue_set_eof(&v->fq);
    av_frame_free(&s.frame);
    av_frame_free(&s.sw);
    return NULL;
}

/* ---- open / close ------------------------------------------------------ */

static int read_rotation(const AVStream *st)
{
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!m)
        return 0;
    double theta = -av_display_rotation_get((const int32_t *)(const void *)m);
    if (isnan(theta))
        return 0;
    long r = lround(theta / 90.0) * 90;
    r %= 360;
    if (r < 0)
        r += 360;
    return (int)r;
}

static void video_stop_threads(struct video *v)
{
    atomic_store(&v->abort, true);
    video_pkt_queue_abort(&v->vq);
    video_pkt_queue_abort(&v->aq);
    video_frame_queue_abort(&v->fq);
    if (v->asrc)
        audio_source_abort(v->asrc);
    video_wake_demux(v);
    if (v->demux_on)
        pthread_join(v->demux_th, NULL);
    if (v->vdec_on)
        pthread_join(v->vdec_th, NULL);
    if (v->adec_on)
        pthread_join(v->adec_th, NULL);
    v->demux_on = v->vdec_on = v->adec_on = false;
}

void video_close(struct video *v)
{
    if (!v)
        return;
    video_stop_threads(v);
    audio_source_destroy(v->asrc);
    video_frame_queue_finish(&v->fq);
    video_pkt_queue_finish(&v->aq);
    video_pkt_queue_finish(&v->vq);
    pthread_cond_destroy(&v->wake);
    pthread_mutex_destroy(&v->wake_mu);
    sws_freeContext(v->sws);
    av_frame_free(&v->conv);
    av_frame_free(&v->turned);
    avcodec_free_context(&v->adec);
    avcodec_free_context(&v->vdec);
    avformat_close_input(&v->fmt_re);
    avformat_close_input(&v->fmt);
    video_webp_free(v->webp);
    free(v->path);
    free(v->name);
    free(v);
}

/* Opens the container and the decoders; no threads yet. */
static int video_setup(struct video *v, char *err, size_t errlen)
{
    v->fmt = avformat_alloc_context();
    if (!v->fmt) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    v->fmt->interrupt_callback = (AVIOInterruptCB){interrupt_cb, v};
    video_budget_format(v->fmt);
    int rc;
    if (v->opts.live) {
        if (video_live_open_input(v, &v->fmt, err, errlen) < 0)
            return -1;
    } else {
        if (video_budget_file(v->path, err, errlen) < 0) {
            v->why = DP_REASON_TOO_LARGE;
            return -1;
        }
        rc = avformat_open_input(&v->fmt, v->path, NULL, NULL);
        if (rc < 0) {
            snprintf(err, errlen, "cannot open: %s", av_err2str(rc));
            return -1; /* fmt was freed and set to NULL */
        }
        AVDictionary **probe_opts;
        unsigned n_opts;
        if (video_budget_streams(v->fmt, &probe_opts, &n_opts, err, errlen) < 0) {
            v->why = DP_REASON_TOO_LARGE;
            return -1;
        }
        rc = avformat_find_stream_info(v->fmt, probe_opts);
        video_budget_free(probe_opts, n_opts);
        if (rc < 0) {
            snprintf(err, errlen, "cannot read stream info: %s", av_err2str(rc));
            return -1;
        }
    }
    int idx = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (idx < 0 || (v->fmt->streams[idx]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        snprintf(err, errlen, "no video stream");
        v->why = DP_REASON_NO_VIDEO_STREAM;
        return -1;
    }
    v->vst = v->fmt->streams[idx];
    AVCodecParameters *par = v->vst->codecpar;
    if (par->width <= 0 || par->height <= 0 ||
        (int64_t)par->width * par->height > VIDEO_MAX_PIXELS) {
        snprintf(err, errlen,
                 par->width > 0 && par->height > 0 ? "picture too large: %dx%d"
                                                   : "bad picture size %dx%d",
                 par->width, par->height);
        if (par->width > 0 && par->height > 0)
            v->why = DP_REASON_TOO_LARGE;
        return -1;
    }
    if (!avcodec_find_decoder(par->codec_id)) {
        snprintf(err, errlen, "no decoder for %s", avcodec_get_name(par->codec_id));
        return -1;
    }
    v->rotation = read_rotation(v->vst);
    v->w = par->width;
    v->h = par->height;
    AVRational sar = av_guess_sample_aspect_ratio(v->fmt, v->vst, NULL);
    if (sar.num > 0 && sar.den > 0 && sar.num != sar.den)
        v->w = (int)lround(par->width * av_q2d(sar));

    if (v->fmt->duration > 0)
        v->duration_ms = v->fmt->duration / (AV_TIME_BASE / 1000);
    else if (v->vst->duration > 0)
        v->duration_ms = (int64_t)video_ts_ms(v->vst->duration, v->vst->time_base);
    if (v->opts.live)
        v->duration_ms = v->opts.max_duration_ms; /* its turn, or until it ends */
    else if (v->opts.repeat && v->opts.max_duration_ms > 0)
        v->duration_ms = v->opts.max_duration_ms;
    else if (v->opts.max_duration_ms > 0 && v->duration_ms > v->opts.max_duration_ms)
        v->duration_ms = v->opts.max_duration_ms;

    if (v->opts.audio && v->opts.audio_out && !v->opts.loop && !v->opts.repeat)
        video_audio_open(v);
    return 0;
}

static struct video *video_alloc(const char *path, const struct video_opts *o)
{
    struct video *v = dp_calloc(1, sizeof *v);
    v->path = dp_strdup(path);
    v->name = dp_strdup(o && o->name ? o->name : path);
    if (o)
        v->opts = *o;
    else
        video_opts_defaults(&v->opts);
    v->opts.name = NULL;  /* v->name is the copy */
    v->opts.hwdec = NULL; /* not owned: only used during open */
    if (o && o->hwdec && strcmp(o->hwdec, "auto") != 0) {
        static const char *const known[] = {"none", "vaapi", "v4l2m2m", "drm"};
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
            if (strcmp(o->hwdec, known[i]) == 0)
                v->opts.hwdec = known[i];
        }
    }
    if (v->opts.volume < 0)
        v->opts.volume = 0;
    if (v->opts.volume > 100)
        v->opts.volume = 100;
    video_pkt_queue_init(&v->vq);
    video_pkt_queue_init(&v->aq);
    video_frame_queue_init(&v->fq, VIDEO_FRAME_QUEUE_DEPTH);
    video_frame_queue_set_limit(&v->fq, 1); /* until video_start */
    v->soft = -1;
    v->live_last_v = v->live_last_a = AV_NOPTS_VALUE;
    pthread_mutex_init(&v->wake_mu, NULL);
    pthread_cond_init(&v->wake, NULL);
    return v;
}

static int video_spawn(struct video *v, char *err, size_t errlen)
{
    if (pthread_create(&v->demux_th, NULL, demux_main, v) != 0)
        goto fail;
    v->demux_on = true;
    if (pthread_create(&v->vdec_th, NULL, vdec_main, v) != 0)
        goto fail;
    v->vdec_on = true;
    if (v->asrc) {
        if (pthread_create(&v->adec_th, NULL, video_audio_main, v) != 0)
            goto fail;
        v->adec_on = true;
    }
    return 0;
fail:
    snprintf(err, errlen, "cannot start threads");
    return -1;
}

struct video *video_open(const char *path, const struct video_opts *o, enum dp_reason *why,
                         char *err, size_t errlen)
{
    struct video *v = video_alloc(path, o);
    v->why = DP_REASON_DECODE_ERROR;
    struct video_webp *webp = video_webp_probe(path);
    if (webp) { /* FFmpeg cannot decode an animated WebP: libwebp's thread */
        if (video_webp_setup(v, webp, err, errlen) < 0) {
            video_webp_free(webp);
            goto fail;
        }
        if (pthread_create(&v->vdec_th, NULL, video_webp_main, v) != 0) {
            snprintf(err, errlen, "cannot start threads");
            goto fail;
        }
        v->vdec_on = true;
    } else if (video_setup(v, err, errlen) < 0 || video_spawn(v, err, errlen) < 0) {
        goto fail;
    }
    int rc = wait_first_frame(v, v->opts.live ? MEDIA_LIVE_OPEN_TIMEOUT_MS
                                              : VIDEO_PREROLL_TIMEOUT_MS);
    if (rc != 1) {
        if (v->open_err[0])
            snprintf(err, errlen, "%s", v->open_err);
        else
            snprintf(err, errlen, rc == -2 ? "no frame decoded in time" : "no frame decoded");
        goto fail;
    }
    v->start_pts = video_frame_queue_peek(&v->fq, 0)->pts_ms;
    LOG_D("media", "%s: %dx%d rot %d, %s%s, %lld ms", path, v->w, v->h, v->rotation, v->dec_name,
          v->asrc ? " + audio" : "", (long long)v->duration_ms);
    return v;

fail:
    if (why)
        *why = v->why;
    video_close(v);
    return NULL;
}
/* ---- FFmpeg's log ------------------------------------------------------ */

static atomic_bool ff_verbose;

static void ff_log(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_WARNING)
        return;
    char line[512];
    int prefix = 1;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &prefix);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n == 0)
        return;
    if (atomic_load(&ff_verbose))
        LOG_W("ffmpeg", "%s", line);
    else
        LOG_D("ffmpeg", "%s", line);
}

void video_log_init(bool verbose)
{
    atomic_store(&ff_verbose, verbose);
    av_log_set_callback(ff_log);
}

/* ---- benchmark 1 ------------------------------------------------------- */

int video_benchmark_decode(const char *path, int threads, const char *hwdec, int64_t *frames,
                           double *seconds, char *err, size_t errlen)
{
    struct video_opts o;
    video_opts_defaults(&o);
    o.audio = false;
    o.threads = threads;
    o.hwdec = hwdec ? hwdec : "none";
    o.nice = 0;            /* measured against ffmpeg at normal priority */
    o.keep_decoder = true; /* started at once: no park and reopen */
    int64_t t0 = dp_mono_ms();
    struct video *v = video_open(path, &o, NULL, err, errlen);
    if (!v)
        return -1;
    video_start(v, 0); /* no pacing: only lifts the pre-roll limits */
    int64_t n = 0;
    for (;;) {
        int rc = video_frame_queue_wait(&v->fq, 1000);
        if (rc == 1) {
            video_frame_queue_pop(&v->fq);
            n++;
        } else if (rc != -2) {
            break;
        }
    }
    *seconds = (double)(dp_mono_ms() - t0) / 1000.0;
    *frames = n;
    video_close(v);
    return 0;
}
