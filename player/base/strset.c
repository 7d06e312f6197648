/* String set: see strset.h. FNV-1a and linear probing. */
#include "base/strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

void dp_strset_init(struct dp_strset *s, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2)
        cap *= 2;
    s->keys = dp_calloc(cap, sizeof *s->keys);
    s->index = dp_calloc(cap, sizeof *s->index);
    s->cap = cap;
}

void dp_strset_finish(struct dp_strset *s)
{
    if (!s)
        return;
    free(s->keys);
    free(s->index);
    s->keys = NULL;
    s->index = NULL;
    s->cap = 0;
}

bool dp_strset_add(struct dp_strset *s, const char *key, size_t i, size_t *at)
{
    size_t mask = s->cap - 1, slot = (size_t)hash(key) & mask;
    for (size_t probes = 0; probes < s->cap; probes++, slot = (slot + 1) & mask) {
        if (!s->keys[slot]) {
            s->keys[slot] = key;
            s->index[slot] = i;
            return true;
        }
        if (strcmp(s->keys[slot], key) == 0) {
            if (at)
                *at = s->index[slot];
            return false;
        }
    }
    if (at)
        *at = SIZE_MAX; /* full: the caller sized it wrong */
    return false;
}

size_t dp_strset_find(const struct dp_strset *s, const char *key)
{
    size_t mask = s->cap - 1, slot = (size_t)hash(key) & mask;
    for (size_t probes = 0; probes < s->cap && s->keys[slot]; probes++) {
        if (strcmp(s->keys[slot], key) == 0)
            return s->index[slot];
        slot = (slot + 1) & mask;
    }
    return SIZE_MAX;
}

/* The slot holding key, or SIZE_MAX. */
static size_t slot_of(const struct dp_strset *s, const char *key)
{
    size_t mask = s->cap - 1, slot = (size_t)hash(key) & mask;
    for (size_t probes = 0; probes < s->cap && s->keys[slot]; probes++) {
        if (strcmp(s->keys[slot], key) == 0)
            return slot;
        slot = (slot + 1) & mask;
    }
    return SIZE_MAX;
}

bool dp_strset_set_index(struct dp_strset *s, const char *key, size_t i)
{
    size_t slot = slot_of(s, key);
    if (slot == SIZE_MAX)
        return false;
    s->index[slot] = i;
    return true;
}

bool dp_strset_remove(struct dp_strset *s, const char *key)
{
    size_t hole = slot_of(s, key);
    if (hole == SIZE_MAX)
        return false;
    /* Backward-shift deletion: the keys after the hole, up to the next
     * empty slot, move into it unless their home slot lies after it. */
    size_t mask = s->cap - 1;
    s->keys[hole] = NULL;
    for (size_t j = (hole + 1) & mask; s->keys[j]; j = (j + 1) & mask) {
        size_t home = (size_t)hash(s->keys[j]) & mask;
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays)
            continue;
        s->keys[hole] = s->keys[j];
        s->index[hole] = s->index[j];
        s->keys[j] = NULL;
        hole = j;
    }
    return true;
}
