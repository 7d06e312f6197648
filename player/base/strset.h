/* A set of strings it does not own, by open addressing (issue 8: the
 * wanted-media list was deduplicated with a nested loop, 33 s for 80,000
 * URLs). Each value keeps the index it was added with, so the set also maps
 * a string to its position in the caller's array. Any thread, one set per
 * thread at a time. */
#ifndef DP_STRSET_H
#define DP_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct dp_strset {
    const char **keys; /* not owned; must outlive the set */
    size_t *index;
    size_t cap; /* a power of two, at least twice the expected count */
};

/* Room for about expected strings (never grows past that times two: add
 * returns false with *at = SIZE_MAX when full). Cannot fail (aborts on OOM). */
void dp_strset_init(struct dp_strset *s, size_t expected);
void dp_strset_finish(struct dp_strset *s); /* NULL ok */
/* Adds key with index i. Returns true when it was new; else false and *at
 * (may be NULL) gets the index it was added with first. */
bool dp_strset_add(struct dp_strset *s, const char *key, size_t i, size_t *at);
/* The index key was added with, or SIZE_MAX. */
size_t dp_strset_find(const struct dp_strset *s, const char *key);
/* Gives key (already in the set) index i instead. False when absent. */
bool dp_strset_set_index(struct dp_strset *s, const char *key, size_t i);
/* Takes key out (the set no longer points at it). False when absent. */
bool dp_strset_remove(struct dp_strset *s, const char *key);

#endif
