/* The video handle's insides, shared by video.c (open, threads, close) and
 * video_draw.c (the drawing thread's side: clock, choice of frame, upload).
 * Internal to media/. */
#ifndef DP_MEDIA_VIDEO_INTERNAL_H
#define DP_MEDIA_VIDEO_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "media/audio.h"
#include "media/video.h"
#include "media/video_queue.h"

struct video {
    char *path;
    struct video_opts opts;
    AVFormatContext *fmt;
    AVStream *vst, *ast;
    AVCodecContext *vdec, *adec;
    struct audio_source *asrc;     /* NULL: silent */
    struct video_pkt_queue vq, aq;
    struct video_frame_queue fq;
    pthread_t demux_th, vdec_th, adec_th;
    bool demux_on, vdec_on, adec_on;
    atomic_bool abort;
    atomic_bool broke;             /* a read error ended the stream early */
    atomic_bool running;           /* video_start was called */
    atomic_int late_ms;            /* how late the last frame went up */
    atomic_llong pkts_sent;        /* video packets given to the decoder ... */
    atomic_llong frames_out;       /* ... and frames it gave back */
    atomic_bool drained;           /* the decoder has returned all it will */
    atomic_int dec_threads;        /* the decoder's thread count */
    const char *dec_name;          /* its name (static), for the log */
    pthread_mutex_t wake_mu;       /* the demux thread's "queues have room" */
    pthread_cond_t wake;
    uint64_t wake_gen;             /* bumped by every wake_demux */

    int w, h, rotation;            /* display size and clockwise rotation */
    char open_err[160];            /* why the decode thread could not start */
    enum dp_reason why;            /* video_open's outcome on failure */
    int64_t duration_ms;

    /* Drawing thread only. */
    bool started, first_shown, ended;
    bool start_pending;            /* video_start called, clock not running yet */
    int64_t start_asked;           /* when (caller's clock) */
    double start_pts;              /* pts of the first frame, ms */
    double clk_pts;                /* media time ... */
    int64_t clk_now;               /* ... at this caller time */
    double last_end_pts;           /* end of the frame on screen */
    int64_t frames, dropped, conversions;
    bool audio_master;             /* the last clock reading came from audio */
    double max_drift;
    struct SwsContext *sws;
    AVFrame *conv;
    AVFrame *turned;               /* frames pre-turned for a software renderer */
    int soft;                      /* the renderer is software: -1 unknown */
    int tex_rotation;              /* what the drawing still has to turn */
};

/* Wakes the demux thread (a queue has room, the video started, abort). */
void video_wake_demux(struct video *v);

#endif
