/* Sync (sync = wallclock): the rotation laid out on a timeline that starts
 * at the Unix epoch, so that screens with the same feed, the same config and
 * NTP clocks show the same item at the same moment without talking.
 *
 * The timeline repeats the items in order forever: cycle length L = the sum
 * of the slot lengths, and at Unix time t the item on screen is the one
 * whose slot contains t mod L (floor modulo: times before 1970 work too).
 * Slots are half-open, [start_ms, end_ms): at exactly end_ms the next item
 * is on. An item's slot starts with the transition into it (the cross-fade
 * runs during the first transition_ms of its slot, as in the free-running
 * player). An item that is not ready on this screen keeps its slot (the
 * screen shows its fallback for that time) so that the screens stay aligned;
 * only items with a duration <= 0 take no slot at all.
 *
 * Pure: no clock (now is an argument), no I/O, no allocation. Any thread. */
#ifndef DP_SYNC_H
#define DP_SYNC_H

#include <stddef.h>
#include <stdint.h>

/* The shortest time an item is fully shown after its transition, in plain
 * and synchronised rotation alike (rotation_item_ms). */
#define SYNC_MIN_SHOW_MS 1000

struct sync_slot {
    size_t index;     /* into the durations array */
    int64_t start_ms; /* Unix ms, inclusive */
    int64_t end_ms;   /* Unix ms, exclusive; start_ms < end_ms */
};

/* The slot length of an item planned for planned_ms: 0 when planned_ms <= 0
 * (no slot), else at least transition_ms + SYNC_MIN_SHOW_MS. Idempotent, so
 * durations the app has already clamped the same way come out unchanged. */
int64_t sync_slot_length(int64_t planned_ms, int64_t transition_ms);

/* The slot that contains now_ms. durations[i] is item i's planned time in ms
 * (a video of unknown length: the caller's fallback; <= 0: no slot), in
 * rotation order; transition_ms >= 0 (0 for cut). Returns 0 and fills *out,
 * or -1 when n == 0, no item has a slot, the cycle length overflows int64,
 * or the slot's bounds would not fit in int64 (now within one cycle of
 * INT64_MIN/INT64_MAX); *out is unchanged on failure. Cost O(n). */
int sync_slot_at(const int64_t *durations, size_t n, int64_t transition_ms, int64_t now_ms,
                 struct sync_slot *out);

/* The slot right after cur (to preload its item): the slot that starts at
 * cur->end_ms. With the same durations this is the next item with a slot,
 * wrapping to the first; if the durations changed since cur was computed it
 * is whatever the new timeline puts at cur->end_ms. Same returns as
 * sync_slot_at; out may be cur. */
int sync_next_slot(const int64_t *durations, size_t n, int64_t transition_ms,
                   const struct sync_slot *cur, struct sync_slot *out);

/* A stable 64-bit hash (FNV-1a) of the timeline: each item that has a slot
 * contributes its id's bytes, a NUL and its slot length as 8 little-endian
 * bytes, in order. Equal on two screens exactly when they lay out the same
 * ids with the same slots, on any platform, so the app can log it (as
 * %016llx) to spot screens that would disagree. ids[i] NULL counts as "". */
uint64_t sync_timeline_id(const char *const *ids, const int64_t *durations, size_t n,
                          int64_t transition_ms);

#endif
