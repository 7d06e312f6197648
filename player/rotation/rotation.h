/* Rotation: posts + cache state + now -> the item to show and for how long.
 * Pure: no I/O, no clock (now is an argument), no threads. Main thread. */
#ifndef DP_ROTATION_H
#define DP_ROTATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed/feed.h"
#include "options/options.h"

enum item_kind { ITEM_TEXT, ITEM_IMAGE, ITEM_VIDEO };

struct item {
    char *id;                   /* "<post id>" or "<post id>#<n>" */
    const struct post *post;    /* borrowed from the rotation's feed */
    const struct media_ref *media; /* NULL for text cards */
    enum item_kind kind;
    int64_t duration_ms;        /* planned (video: 0 = its own length) */
};

struct rotation_params {
    int64_t image_duration_ms;
    int64_t text_duration_ms;   /* 0: reading time */
    int64_t video_max_duration_ms;
    int max_items;
    int64_t max_age_ms;
    enum dp_new_posts new_posts;
};

struct rotation;

struct rotation *rotation_create(const struct rotation_params *p);
void rotation_destroy(struct rotation *r);   /* NULL ok */

/* Replaces the feed (takes a reference). Items keep their place by id; new
 * posts go where params.new_posts says. Returns true when an item that is
 * new in this feed should interrupt the current one (new_posts=interrupt). */
bool rotation_set_feed(struct rotation *r, struct feed *f, int64_t now_wall_ms);

/* Is an item playable now? (its media cached, not known broken) */
typedef bool (*rotation_ready_fn)(void *ctx, const struct item *it);

/* Picks the item to show after the current one: the next in order that is
 * inside its window and ready. Items past their end are reported through
 * skip (may be NULL) with the reason "expired"; items that are not ready are
 * for the ready callback to report, since it knows why (not cached, not
 * found, broken). Returns NULL when nothing is playable.
 * The returned pointer stays valid until the next rotation_set_feed. */
const struct item *rotation_next(struct rotation *r, int64_t now_wall_ms,
                                 rotation_ready_fn ready, void *ctx,
                                 void (*skip)(void *ctx, const struct item *it,
                                              const char *reason));
/* The media at url has just been verified (issue 10): each item showing it
 * that was passed over in this cycle, not ready then (it comes before the
 * cursor: newer, or of higher priority, than the one on screen), takes the
 * next slot, as a new post does. Returns true when one was queued. */
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

/* Planned duration: signage override, else by kind (text: reading time at
 * 200 words a minute clamped to [6 s, 30 s]). */
int64_t rotation_duration(const struct rotation_params *p, const struct post *post,
                          enum item_kind kind);

#endif
