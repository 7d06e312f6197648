/* Rotation: posts + cache state + now -> the item to show and for how long.
 * Pure: no I/O, no clock (now is an argument), no threads. Main thread. */
#ifndef DP_ROTATION_H
#define DP_ROTATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/reason.h"
#include "feed/feed.h"

enum item_kind { ITEM_TEXT, ITEM_IMAGE, ITEM_VIDEO };

/* [playback] new_posts: where a post new in a poll goes in plain rotation:
 * next (after the current item), interrupt (at once), queue (in order). */
enum rotation_new_posts { ROTATION_NEW_NEXT, ROTATION_NEW_INTERRUPT, ROTATION_NEW_QUEUE };

struct item {
    char *id;                      /* "<post id>" or "<post id>#<n>" */
    const struct post *post;       /* borrowed from the rotation's feed */
    const struct media_ref *media; /* NULL for text cards */
    enum item_kind kind;
    int64_t duration_ms; /* planned (video: 0 = its own length) */
};

struct rotation_params {
    int64_t image_duration_ms;
    int64_t text_duration_ms; /* 0: reading time */
    int64_t video_max_duration_ms;
    int max_items;
    int64_t max_age_ms;
    enum rotation_new_posts new_posts; /* plain rotation only */
    int64_t transition_ms;             /* the transition into an item (0 for a cut) */
    bool synced;                       /* sync = wallclock: the epoch timeline (sync.h) */
};

struct rotation;

struct rotation *rotation_create(const struct rotation_params *p);
void rotation_destroy(struct rotation *r); /* NULL ok */

/* Replaces the feed (takes a reference). Items keep their place by id; new
 * posts go where params.new_posts says. Returns true when an item that is
 * new in this feed should interrupt the current one (new_posts=interrupt). */
bool rotation_set_feed(struct rotation *r, struct feed *f, int64_t now_wall_ms);

/* Is an item playable now? (its media cached, not known broken) */
typedef bool (*rotation_ready_fn)(void *ctx, const struct item *it);

/* Picks the item to show after the current one: the next in order that is
 * inside its window and ready. Items past their end are reported through
 * skip (may be NULL) with DP_REASON_EXPIRED; items that are not ready are
 * for the ready callback to report, since it knows why (not cached, not
 * found, broken). Returns NULL when nothing is playable.
 * The returned pointer stays valid until the next rotation_set_feed. */
const struct item *rotation_next(struct rotation *r, int64_t now_wall_ms, rotation_ready_fn ready,
                                 void *ctx,
                                 void (*skip)(void *ctx, const struct item *it,
                                              enum dp_reason why));
/* The media at url has just been verified (issue 10): each item showing it
 * that was passed over in this cycle, not ready then (it comes before the
 * cursor: newer, or of higher priority, than the one on screen), takes the
 * next slot, as a new post does. Nothing in a synchronised rotation (its
 * slots stay on the timeline). Returns true when one was queued. */
bool rotation_media_ready(struct rotation *r, const char *url);

/* Marks it as the one on screen (advances the cursor). */
void rotation_commit(struct rotation *r, const struct item *it);
/* True when showing next would start a new cycle (it is at or before the
 * cursor), so that --cycles can stop before the first item comes again. */
bool rotation_wraps(const struct rotation *r, const struct item *next);
/* Full cycles completed (the cursor wrapped past the last item). */
int64_t rotation_cycles(const struct rotation *r);

/* All items of the current rotation, in order (for download wishes). */
size_t rotation_items(const struct rotation *r, const struct item **items);
/* Looks an item up by id; NULL when gone. */
const struct item *rotation_find(const struct rotation *r, const char *id);

/* ---- the planner: one for plain and synchronised rotation ---------------- */

/* What the planner is asked. */
struct rotation_ask {
    int64_t now_ms;          /* wall clock, Unix ms */
    bool on_screen;          /* an item is on screen (not the standby card) */
    int64_t cur_end_ms;      /* synced: the end of that item's slot (Unix ms),
                                   0 when unknown (the slot of now is taken) */
    rotation_ready_fn ready; /* NULL: everything is ready */
    void (*skip)(void *ctx, const struct item *it, enum dp_reason why); /* or NULL */
    void *ctx;
};

/* Its answer. */
struct rotation_plan {
    const struct item *item; /* NULL: nothing playable */
    /* How long it plays, transition included, at least transition_ms +
     * SYNC_MIN_SHOW_MS; 0 for a video of unknown length in plain rotation,
     * which plays until it ends (until_ended). */
    int64_t duration_ms;
    bool until_ended;
    /* Synced: its slot on the epoch timeline (Unix ms). The item comes on at
     * start_ms (or at once when nothing is on screen) and goes at end_ms.
     * Plain: both 0 (it comes on when the current item's time is up). */
    int64_t start_ms, end_ms;
    /* Synced, nothing on screen: true when it comes on at once (its slot has
     * begun, or no nearer item is ready), false when its slot begins within
     * transition_ms + SYNC_MIN_SHOW_MS and it waits for it, so that a screen
     * joins in step. */
    bool at_once;
};

/* The item that comes next and for how long, by every rule: the order and
 * new_posts (plain), the epoch timeline (synced), start/end windows, max_age
 * and max_items (as of now), pinned posts, readiness, video lengths and the
 * minimum duration. Synced: the item of the slot that follows cur_end_ms
 * (or, with nothing on screen, the slot of now); an item that is not ready
 * keeps its slot, so the one before stays through it; an item outside its
 * window at a slot's start has no slot then (the timeline of that moment
 * leaves it out), so every screen lays out the same items at the same time.
 * Returns 0 with *out filled (out->item may be NULL). Main thread. */
int rotation_plan(struct rotation *r, const struct rotation_ask *ask, struct rotation_plan *out);

/* The planned on-screen time of it (see rotation_plan's duration_ms). */
int64_t rotation_item_ms(const struct rotation_params *p, const struct item *it);

/* Planned duration: signage override, else by kind (text: reading time at
 * 200 words a minute clamped to [6 s, 30 s]). */
int64_t rotation_duration(const struct rotation_params *p, const struct post *post,
                          enum item_kind kind);

#endif
