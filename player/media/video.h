/* Video playback: FFmpeg demux and decode threads feeding a texture that the
 * drawing thread updates without ever blocking.
 *
 * DESIGN
 *
 * In the manner of ffplay. Per open video:
 *
 *   demux thread ──AVPacket──> video packet queue ──> video decode thread
 *        │                                                  │ AVFrame (decoded format;
 *        │                                                  v  hw frames downloaded)
 *        │                                            frame queue (3)
 *        │                                                  │
 *        └────────> audio packet queue ──> audio decode thread ──swr──> audio_source
 *                                                                   (ring, audio.c)
 *   main thread: video_update() takes the frame due at "now" from the frame
 *   queue (never waits), uploads its planes into a streaming texture
 *   (IYUV via SDL_UpdateYUVTexture, NV12 via SDL_UpdateNVTexture; any other
 *   layout is converted to yuv420p by sws_scale, which is counted). On a
 *   software renderer a turned (phone) clip has its YUV planes turned
 *   before the upload, which costs far less than SDL turning RGB.
 *
 * Queues are bounded (packets: by bytes and by "enough" per stream, as in
 * ffplay; frames: VIDEO_FRAME_QUEUE_DEPTH) and every wait in them can be
 * aborted at any moment: video_close() sets the abort flag, wakes every
 * waiter, and joins the threads; avformat I/O checks the same flag through
 * its interrupt callback. The demux thread sleeps while the queues hold
 * enough, until a decoder takes a packet (a generation counter: no lost
 * wake-up, no polling). A "loop" marker in the packet queue makes the
 * decoder drain and flush at a loop boundary; frames then carry a pts offset.
 *
 * Clock: media time at "now". When the video's audio plays, the audio
 * callback publishes the pts of the sample leaving the device and the
 * monotonic time it did so; that is the master clock. Otherwise (no audio,
 * audio off, no device, audio ended or stalled for more than
 * VIDEO_AUDIO_STALE_MS) the clock runs on the caller's "now" from the last
 * value it had, so switching masters never jumps. A frame is shown when its
 * pts <= clock; a queued frame whose successor is also due is dropped
 * (counted) instead of shown: a decoder that falls behind skips frames, it
 * never slows the picture down. When frames reach the screen more than
 * VIDEO_LATE_SKIP_MS late, the decode thread also stops decoding
 * non-reference frames (AVDISCARD_NONREF, as mpv's decoder frame drop)
 * until they are on time again (VIDEO_LATE_OK_MS); frames the decoder
 * skipped count as dropped.
 *
 * Pre-roll: video_open() returns once the first frame is decoded, so a
 * scene can draw it at once (no black frame at a switch), before
 * video_start() starts the clock and the sound. Until then the video holds
 * still and small, since the next item waits beside the one playing: one
 * decoded frame, VIDEO_PREROLL_PACKETS packets, and (software decoders,
 * unless opts.keep_decoder) no decoder at all: once the first frame is
 * queued the decoder is closed, keeping the few packets it was given;
 * video_start() has the decode thread reopen it and replay them, skipping
 * the frames already queued; the clock starts when the next frame is
 * ready, so the reopening (tens of ms) drops nothing. A waiting 1080p
 * H.264 costs ~5 MB and ~1 wake-up/s that way instead of ~35 MB (the
 * decoder's own pictures and frame threads).
 *
 * The video decoder is opened on its own thread, after lowering that
 * thread's priority (opts.nice): FFmpeg's frame threads inherit it, so on
 * a machine short of cores the drawing thread is not the one that waits.
 *
 * Threads: video_open() and video_close() may block (a loader or reaper
 * thread, or main for close: it only joins threads that wake at once);
 * every other function is for one thread only, the one that draws.
 */
#ifndef DP_MEDIA_VIDEO_H
#define DP_MEDIA_VIDEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL2/SDL.h>

#include "base/limits.h"
#include "media/audio.h"
#include "base/reason.h"

#define VIDEO_FRAME_QUEUE_DEPTH 3
#define VIDEO_PACKET_QUEUE_BYTES (16 * 1024 * 1024) /* both streams together */
#define VIDEO_PACKETS_ENOUGH 25                     /* per stream, and ... */
#define VIDEO_PACKETS_ENOUGH_MS 1000                /* ... this much of it */
#define VIDEO_PREROLL_PACKETS 8                     /* demuxed ahead before start */
#define VIDEO_START_WAIT_MS 500                     /* see video_start */
#define VIDEO_REPLAY_MAX 64                         /* packets kept for a reopen */
#define VIDEO_PREROLL_TIMEOUT_MS 10000              /* open fails past this */
#define VIDEO_AUDIO_STALE_MS 250                    /* audio clock older: wall */
#define VIDEO_DECODE_NICE 5                         /* decoders yield to drawing */
#define VIDEO_LATE_SKIP_MS 80                       /* decoder skips non-ref ... */
#define VIDEO_LATE_OK_MS 20                         /* ... until this on time */
#define VIDEO_MAX_PIXELS DP_VIDEO_MAX_PIXELS        /* larger streams refused */

struct video;

struct video_opts {
    struct audio_out *audio_out; /* shared device, or NULL: silent; not owned */
    bool audio;                  /* play the sound track (if any) */
    int volume;                  /* 0..100 */
    bool mute;                   /* decoded and timed, but not heard */
    int64_t max_duration_ms;     /* 0: no cap; else the item ends there */
    bool loop;                   /* Mastodon gifv: silent, played once per
                                    turn (the spec); no sound track decoded */
    bool repeat;                 /* restart at the end until max_duration_ms
                                    (once if 0), e.g. a short gifv filling
                                    its slot; silent too */
    const char *hwdec;           /* "auto" | "none" | "vaapi" | "v4l2m2m" |
                                    "drm"; NULL = "auto" */
    int threads;                 /* decoder threads, 0: one per core (max 8) */
    bool keep_decoder;           /* keep a software decoder open while waiting
                                    for video_start (costs memory, saves the
                                    reopening: a few ms) */
    bool live;                   /* path is a live stream's URL (HLS): read
                                    from the network by the demux thread,
                                    played for max_duration_ms or until it
                                    ends; a stall reconnects once */
    int nice;                    /* added to the decoder threads' nice value
                                    (Linux), so that the drawing thread wins
                                    the cores when they are short;
                                    VIDEO_DECODE_NICE by default, 0: none */
    const char *name;            /* what messages call it (its URL), copied;
                                    NULL: the path */
};

/* Fills o with the defaults (audio on, volume 100, hwdec "auto"). */
void video_opts_defaults(struct video_opts *o);

/* Opens path, starts its threads and waits until the first frame is
 * decoded. Any thread (a loader: it may block for the pre-roll).
 * Returns an owned handle (video_close) or NULL with the outcome in *why
 * (DP_REASON_NO_VIDEO_STREAM, else DP_REASON_DECODE_ERROR; why may be NULL)
 * and a one-line text for the log in err ("cannot open: ...", "no frame
 * decoded", ...). */
struct video *video_open(const char *path, const struct video_opts *o, enum dp_reason *why,
                         char *err, size_t errlen);

/* Starts the clock at now_ms (the caller's monotonic clock) and the sound.
 * When the decoder was closed while waiting (cold pre-roll), the clock and
 * the sound start together a little later, once the next frame is decoded
 * (at most VIDEO_START_WAIT_MS): the first frame stays on screen meanwhile,
 * so nothing is dropped and nothing goes out of sync. Drawing thread.
 * Returns 0, or -1 when already started. */
int video_start(struct video *v, int64_t now_ms);

/* Scales the sound by f (0..1) on top of volume and mute: a cross-fade.
 * Drawing thread. */
void video_set_fade(struct video *v, float f);

/* Puts the frame due at now_ms into *tex: a streaming texture owned by the
 * caller, created here when NULL and re-created when the size or format
 * changes (the caller destroys it with SDL_DestroyTexture). Before
 * video_start() it uploads the pre-rolled first frame once. Drawing thread;
 * never blocks. Returns 1 when a new frame was uploaded, 0 when nothing
 * changed, -1 when the video has ended (end of stream, a stream that broke
 * mid-play, or max_duration_ms), -2 on an SDL error (ended too). */
int video_update(struct video *v, SDL_Renderer *r, SDL_Texture **tex, int64_t now_ms);

/* When the next frame is due, in the caller's clock (now_ms + a few ms when
 * the decoder has not delivered it yet; INT64_MAX once ended). Drawing
 * thread. */
int64_t video_next_due_ms(const struct video *v, int64_t now_ms);

/* Coded picture size and the clockwise rotation (0, 90, 180, 270) to apply
 * when drawing, from the stream's display matrix. Any thread. */
void video_get_size(const struct video *v, int *w, int *h, int *rotation_deg);

/* The clockwise turn the drawing must still give the texture: the display
 * matrix's, or 0 when video_update turned the planes itself (it does on a
 * software renderer, where SDL's turning is costly). Drawing thread. */
int video_texture_rotation(const struct video *v);

/* Frames uploaded, and frames dropped as late so far (by the drawing
 * thread, and by the decoder while behind). Drawing thread. */
void video_get_stats(const struct video *v, int64_t *frames, int64_t *dropped);

/* The largest |picture - sound| offset seen when a frame went up while the
 * audio clock was master, in ms (0 when silent). Drawing thread. */
double video_get_max_drift_ms(const struct video *v);

/* Frames decoded and waiting in the queue, and whether the decoder has
 * delivered its last one. Any thread (tests, statistics). */
void video_get_queue(const struct video *v, int *queued, bool *eof);

/* Sws_scale calls so far (0 when every frame went up in its own planes). */
int64_t video_get_conversions(const struct video *v);

/* Length in ms: the container's duration capped by max_duration_ms (for a
 * repeating clip, max_duration_ms when set); 0 when unknown. Any thread. */
int64_t video_duration_ms(const struct video *v);

/* True when the file has a sound track that this video plays. */
bool video_has_audio(const struct video *v);

/* Makes every video_open in progress or to come give up at once (true),
 * or open again (false): its reads are interrupted and its wait for the
 * first frame ends. Set at shutdown (the loader's), so that --run-for and
 * SIGTERM never wait for a pre-roll or a stalled live server. Any thread. */
void video_cancel_opens(bool on);

/* Stops the threads and frees everything; NULL ok. Any thread; blocks only
 * while the threads notice the abort (one decode call at most). To keep the
 * drawing thread free of even that, hand the pointer to another thread. */
void video_close(struct video *v);

/* Routes FFmpeg's own messages into our log (tag "ffmpeg"): its errors and
 * warnings at debug level (a broken file is reported once by the caller,
 * not by a screen of decoder noise), or at warn level when verbose. Call
 * once at start, from the main thread, before any video_open. */
void video_log_init(bool verbose);

/* Benchmark 1: demux and decode path as fast as possible (no pacing, no
 * display, no audio) through the same threads and queues. threads: decoder
 * threads (0: one per core). Returns 0 and the frame count and wall
 * seconds, or -1 with a reason in err. Any thread; blocks. */
int video_benchmark_decode(const char *path, int threads, const char *hwdec, int64_t *frames,
                           double *seconds, char *err, size_t errlen);

#endif
