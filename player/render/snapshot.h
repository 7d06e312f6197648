/* Snapshots: PNGs of the screen written by a writer thread, so that the
 * drawing thread only reads the pixels and never waits on the disk. */
#ifndef DP_SNAPSHOT_H
#define DP_SNAPSHOT_H

#include <SDL.h>

struct snapshots;

/* dir is created if needed. NULL with a message in err on failure. */
struct snapshots *snapshots_create(const char *dir, char *err, size_t errlen);
/* Writes all pending PNGs, then stops the thread. NULL ok. */
void snapshots_destroy(struct snapshots *s);
/* Queues surf (ownership passes) to be written as dir/name. Never blocks:
 * when too many are pending the new one is dropped with a warning.
 * Main thread. */
void snapshots_write(struct snapshots *s, SDL_Surface *surf, const char *name);

/* Encodes surf as a PNG in memory (at most 64 MiB): *png (owned by the
 * caller, free()) and *len. Returns 0, or -1 on failure (nothing to free).
 * Any thread; surf stays the caller's. */
int snapshot_encode_png(SDL_Surface *surf, void **png, size_t *len);

#endif
