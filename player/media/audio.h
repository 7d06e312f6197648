/* Audio out: one SDL audio device for the whole process, a mixer of
 * sources, and the audio clock.
 *
 * DESIGN
 *
 * The device is opened once (audio_out_create) in float stereo at 48 kHz;
 * SDL converts to whatever the hardware wants. Each playing video owns an
 * audio_source: a ring of interleaved stereo float samples that its audio
 * decode thread fills (blocking while full, abortable) and that the SDL
 * callback drains, mixing every attached source with its gain. After each
 * callback a source publishes its clock: the pts of the sample that is
 * leaving the speaker (read position minus the device's buffering) and the
 * monotonic time of that callback. The device is paused while no source is
 * attached, so a still image costs no audio wake-ups.
 *
 * No device (headless, SDL_AUDIODRIVER=dummy works, a failing driver does
 * not): audio_out_create returns NULL and videos play silently.
 */
#ifndef DP_MEDIA_AUDIO_H
#define DP_MEDIA_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIO_OUT_RATE 48000
#define AUDIO_OUT_CHANNELS 2
#define AUDIO_OUT_SAMPLES 1024 /* device buffer, frames */
#define AUDIO_MAX_SOURCES 4    /* mixed at once (a cross-fade needs 2) */
#define AUDIO_RING_MS 500      /* per source */

struct audio_out;
struct audio_source;

/* Initialises SDL's audio subsystem and opens the default device, paused.
 * Main thread (SDL's rule for audio setup). Returns an owned handle, or NULL
 * with a reason in err (then play silently). */
struct audio_out *audio_out_create(char *err, size_t errlen);
/* Closes the device; every source must have been destroyed. NULL ok. */
void audio_out_destroy(struct audio_out *a);
/* Output sample rate actually in use (frames per second). Any thread. */
int audio_out_rate(const struct audio_out *a);

/* A source of stereo float frames at audio_out_rate(a), detached (silent)
 * until audio_source_attach. Any thread. Owned: audio_source_destroy. */
struct audio_source *audio_source_create(struct audio_out *a);
/* Detaches and frees; after it returns the callback no longer sees it.
 * NULL ok. Any thread, but not while a writer may still be in _write. */
void audio_source_destroy(struct audio_source *s);

/* Starts mixing it (and resumes the device). Returns 0, or -1 when
 * AUDIO_MAX_SOURCES are already attached. Any thread but the callback. */
int audio_source_attach(struct audio_source *s);
/* Gain 0.0 .. 1.0 (mute: 0; the clock keeps running). Any thread. */
void audio_source_set_gain(struct audio_source *s, float gain);

/* Appends n frames whose first has presentation time pts_ms (-1: continues
 * the previous write). Blocks while the ring is full. Writer thread.
 * Returns 0, or -1 once aborted. */
int audio_source_write(struct audio_source *s, const float *frames, int n, double pts_ms);
/* Marks the end of the stream: the clock stops being published when drained. */
void audio_source_finish(struct audio_source *s);
/* Wakes the writer and makes every further write fail. Any thread. */
void audio_source_abort(struct audio_source *s);

/* The last published clock: *pts_ms is the media time heard at monotonic
 * time *at_ms. False before the first played sample. Any thread. */
bool audio_source_clock(struct audio_source *s, double *pts_ms, int64_t *at_ms);
/* True once audio_source_finish was called and every frame was played. */
bool audio_source_drained(struct audio_source *s);
/* Drops buffered frames older than pts_ms (start alignment). Any thread. */
void audio_source_skip_before(struct audio_source *s, double pts_ms);

#endif
