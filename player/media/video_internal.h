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
    char *name; /* for messages */
    struct video_opts opts;
    AVFormatContext *fmt;
    AVStream *vst, *ast;
    AVCodecContext *vdec, *adec;
    struct audio_source *asrc; /* NULL: silent */
    struct video_pkt_queue vq, aq;
    struct video_frame_queue fq;
    pthread_t demux_th, vdec_th, adec_th;
    bool demux_on, vdec_on, adec_on;
    atomic_bool abort;
    atomic_bool broke; /* a read error ended the stream early */
    /* Live streams (opts.live, video_live.c). */
    atomic_llong io_deadline_ms;      /* monotonic: network I/O past it is cut; 0: none */
    AVFormatContext *fmt_re;          /* the input after a reconnection (demux thread) */
    bool reconnected;                 /* a stall has been given its one reconnection */
    int re_vidx, re_aidx;             /* fmt_re's streams matching vst and ast */
    int64_t live_last_v, live_last_a; /* last dts handed on (vst / ast time base) */
    atomic_bool running;              /* video_start was called */
    atomic_int late_ms;               /* how late the last frame went up */
    atomic_llong pkts_sent;           /* video packets given to the decoder ... */
    atomic_llong frames_out;          /* ... and frames it gave back */
    atomic_bool drained;              /* the decoder has returned all it will */
    atomic_int dec_threads;           /* the decoder's thread count */
    const char *dec_name;             /* its name (static), for the log */
    pthread_mutex_t wake_mu;          /* the demux thread's "queues have room" */
    pthread_cond_t wake;
    uint64_t wake_gen; /* bumped by every wake_demux */

    struct video_webp *webp; /* an animated WebP instead of FFmpeg (video_webp.c) */
    int w, h, rotation;      /* display size and clockwise rotation */
    char open_err[160];      /* why the decode thread could not start */
    enum dp_reason why;      /* video_open's outcome on failure */
    int64_t duration_ms;

    /* Drawing thread only. */
    bool started, first_shown, ended;
    bool start_pending;  /* video_start called, clock not running yet */
    int64_t start_asked; /* when (caller's clock) */
    double start_pts;    /* pts of the first frame, ms */
    double clk_pts;      /* media time ... */
    int64_t clk_now;     /* ... at this caller time */
    double last_end_pts; /* end of the frame on screen */
    int64_t frames, dropped, conversions;
    bool audio_master; /* the last clock reading came from audio */
    double max_drift;
    struct SwsContext *sws;
    AVFrame *conv;
    AVFrame *turned;  /* frames pre-turned for a software renderer */
    int soft;         /* the renderer is software: -1 unknown */
    int tex_rotation; /* what the drawing still has to turn */
};

/* Animated WebP (issue 10), video_webp.c: probe returns the file's state
 * when path is one (else NULL), setup sets the size and takes it, main is
 * the thread that queues its frames, free accepts NULL. */
struct video_webp *video_webp_probe(const char *path);
int video_webp_setup(struct video *v, struct video_webp *a, char *err, size_t errlen);
void *video_webp_main(void *arg);
void video_webp_free(struct video_webp *a);

/* Wakes the demux thread (a queue has room, the video started, abort). */
void video_wake_demux(struct video *v);

/* FFmpeg's interrupt callback: abort, or network I/O past io_deadline_ms. */
int video_interrupt_cb(void *ctx);

/* A stream time stamp in ms. */
double video_ts_ms(int64_t ts, AVRational tb);

/* The sound track (video_audio.c). Opens the best audio stream's decoder
 * and the audio source when there is one; a track that cannot be decoded
 * leaves the video silent (logged). Always 0. The opening thread. */
int video_audio_open(struct video *v);
/* The audio decode thread's body (arg: the video). */
void *video_audio_main(void *arg);

/* Live streams (video_live.c). Opens v->path as a live stream into *out with
 * the live options (protocols, time-outs) and reads its stream info, within
 * MEDIA_LIVE_OPEN_TIMEOUT_MS. 0, or -1 with a reason in err. The thread
 * that opens (loader, or the demux thread for a reconnection). */
int video_live_open_input(struct video *v, AVFormatContext **out, char *err, size_t errlen);
/* The demux thread's read: packets of the live input, their time stamps in
 * the first input's stream time bases. A stall (nothing for
 * MEDIA_LIVE_STALL_MS, or a read error) reconnects once; the next one, or
 * the stream's end, returns a negative AVERROR. */
int video_live_read(struct video *v, AVPacket *pkt);

#endif
