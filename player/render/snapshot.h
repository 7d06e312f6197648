/* Snapshots: PNGs of the screen written by a writer thread, so that the
 * drawing thread only reads the pixels and never waits on the disk.
 *
 * A snapshot is reserved before it is named anywhere (the play log's show
 * event) and the reservation is what guarantees it is written: per-item
 * snapshots have room for SNAPSHOT_ITEMS_PENDING waiting at once, interval
 * ones for SNAPSHOT_INTERVAL_PENDING; past that a reservation is refused (an
 * item's snapshot is then left out of its event, an interval one skipped),
 * so memory stays bounded and no name points at a file that never comes. */
#ifndef DP_SNAPSHOT_H
#define DP_SNAPSHOT_H

#include <stdbool.h>

#include <SDL.h>

struct snapshots;

/* dir is created if needed. NULL with a message in err on failure. */
struct snapshots *snapshots_create(const char *dir, char *err, size_t errlen);
/* Writes all pending PNGs, then stops the thread. NULL ok. */
void snapshots_destroy(struct snapshots *s);
enum snapshot_kind { SNAPSHOT_ITEM, SNAPSHOT_INTERVAL };

/* Holds room for one snapshot of kind. True when held (write it, or give it
 * back with surf NULL); false when the writer is that far behind. Main
 * thread; never blocks. */
bool snapshots_reserve(struct snapshots *s, enum snapshot_kind kind);
/* Uses a reservation of kind: queues surf (ownership passes) to be written
 * as dir/name. surf NULL gives the reservation back. Never blocks, never
 * drops. Main thread. */
void snapshots_write(struct snapshots *s, enum snapshot_kind kind, SDL_Surface *surf,
                     const char *name);

/* Encodes surf as a PNG in memory (at most 64 MiB): *png (owned by the
 * caller, free()) and *len. Returns 0, or -1 on failure (nothing to free).
 * Any thread; surf stays the caller's. */
int snapshot_encode_png(SDL_Surface *surf, void **png, size_t *len);

#endif
