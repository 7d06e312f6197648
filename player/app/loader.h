/* The loader thread: turns the item that comes next into a composed,
 * screen-size picture ahead of its turn (image decode and resize, text
 * layout, caption band), or opens and pre-rolls the next video (its first
 * frame decoded, its caption overlay drawn), and renders the standby card. Results go to the
 * main thread's queue as MSG_LOADED messages carrying a struct
 * loader_result. DESIGN: one thread, one bounded request queue; the fonts
 * belong to this thread alone. */
#ifndef DP_LOADER_H
#define DP_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>

#include "base/mq.h"
#include "base/reason.h"
#include "render/card.h"
#include "rotation/rotation.h"

struct cache;
struct audio_out;
struct video;
struct net;

/* LOAD_WANTED (issue 8): hands the rotation's media URLs to net_set_wanted
 * on the loader thread, which deduplicates them (a hash set): the drawing
 * thread only collects the pointers. No result is posted for it. */
enum loader_what { LOAD_ITEM, LOAD_STANDBY, LOAD_WANTED };

struct loader_request {
    uint64_t gen;
    enum loader_what what;
    /* LOAD_ITEM: the item, kept alive by a reference on its feed. */
    struct feed *feed;
    const struct post *post;
    const struct media_ref *media;
    enum item_kind kind;
    char *item_id;
    /* LOAD_STANDBY */
    char *title;
    int downloading, percent;
    int64_t now_wall_ms;
    /* LOAD_WANTED: urls (the array owned, the strings the feed's) for net */
    struct net *net;
    const char **urls;
    size_t n_urls;
};

struct loader_result {
    uint64_t gen;
    enum loader_what what;
    char *item_id;
    SDL_Surface *surface;  /* the composed canvas; NULL on failure or video */
    struct video *video;   /* a video item: opened and pre-rolled */
    SDL_Surface *overlay;  /* drawn over the video (caption, QR); may be NULL */
    int box_w, box_h;      /* the safe area the video fits in */
    enum dp_reason reason; /* why there is no picture (NONE on success) */
};

void loader_result_free(void *r);

struct loader_config {
    int w, h; /* the canvas */
    struct card_style style;
    const char *font; /* [display] font or NULL */
    const char *assets_dir;
    struct cache *cache;
    /* Video */
    struct audio_out *audio_out; /* shared device or NULL (silent) */
    bool audio;
    int volume;
    int64_t video_max_duration_ms;
    int64_t live_max_duration_ms; /* a live stream's longest turn (issue 11) */
    const char *hwdec;
    /* Still and animated pictures (issue 10) */
    int upscale_max; /* enlarged at most this many times; 0: no cap */
};

/* Starts the thread; results are posted to out with type msg_type.
 * Returns NULL with a message in err (no font). */
struct loader *loader_create(const struct loader_config *cfg, struct dp_mq *out, int msg_type,
                             char *err, size_t errlen);
void loader_destroy(struct loader *l); /* NULL ok; joins the thread */
/* Queues a request (ownership passes; the feed reference too). Never blocks,
 * never drops: its result always comes. Main thread. */
void loader_submit(struct loader *l, struct loader_request *req);
void loader_request_free(struct loader_request *req);

#endif
