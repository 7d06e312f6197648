/* Sync: the wall-clock timeline of the rotation. See sync.h. */
#include "rotation/sync.h"


#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

int64_t sync_slot_length(int64_t planned_ms, int64_t transition_ms)
{
    if (planned_ms <= 0)
        return 0;
    if (transition_ms < 0)
        transition_ms = 0;
    if (transition_ms > INT64_MAX - SYNC_MIN_SHOW_MS)
        return INT64_MAX;
    int64_t min = transition_ms + SYNC_MIN_SHOW_MS;
    return planned_ms < min ? min : planned_ms;
}

/* The cycle length, or -1 when nothing has a slot or the sum overflows. */
static int64_t cycle_length(const int64_t *durations, size_t n, int64_t transition_ms)
{
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t d = sync_slot_length(durations[i], transition_ms);
        if (total > INT64_MAX - d)
            return -1;
        total += d;
    }
    return total > 0 ? total : -1;
}

int sync_slot_at(const int64_t *durations, size_t n, int64_t transition_ms, int64_t now_ms,
                 struct sync_slot *out)
{
    if (n == 0 || !durations)
        return -1;
    int64_t cycle = cycle_length(durations, n, transition_ms);
    if (cycle < 0)
        return -1;
    int64_t pos = now_ms % cycle; /* floor modulo: 0 <= pos < cycle */
    if (pos < 0)
        pos += cycle;
    if (now_ms < INT64_MIN + pos)
        return -1; /* the cycle would start before INT64_MIN */
    int64_t cycle_start = now_ms - pos;
    int64_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t d = sync_slot_length(durations[i], transition_ms);
        if (d == 0)
            continue;
        if (pos - acc < d) {                   /* acc <= pos < acc + d, without overflow */
            int64_t start = cycle_start + acc; /* <= now_ms */
            if (start > INT64_MAX - d)
                return -1;
            out->index = i;
            out->start_ms = start;
            out->end_ms = start + d;
            return 0;
        }
        acc += d;
    }
    return -1; /* not reached: pos < cycle = the sum of the slots */
}

int sync_next_slot(const int64_t *durations, size_t n, int64_t transition_ms,
                   const struct sync_slot *cur, struct sync_slot *out)
{
    return sync_slot_at(durations, n, transition_ms, cur->end_ms, out);
}

static uint64_t fnv_bytes(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

uint64_t sync_timeline_id(const char *const *ids, const int64_t *durations, size_t n,
                          int64_t transition_ms)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < n; i++) {
        int64_t d = sync_slot_length(durations[i], transition_ms);
        if (d == 0)
            continue;
        const char *id = ids && ids[i] ? ids[i] : "";
        const unsigned char *s = (const unsigned char *)id;
        size_t len = 0;
        while (s[len])
            len++;
        h = fnv_bytes(h, s, len + 1); /* with its NUL, so "ab","c" != "a","bc" */
        unsigned char le[8];
        uint64_t u = (uint64_t)d;
        for (int k = 0; k < 8; k++)
            le[k] = (unsigned char)(u >> (8 * k));
        h = fnv_bytes(h, le, sizeof le);
    }
    return h;
}
