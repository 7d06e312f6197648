/* Rotation: pure bookkeeping of which item comes next. See rotation.h. */
#include "rotation/rotation.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "rotation/sync.h"

struct rotation {
    struct rotation_params p;
    struct feed *feed;
    struct item *items;
    size_t n_items;
    long cursor;      /* index of the last item shown in order, -1 before the first */
    char *current_id; /* its id, to find it again after a new feed (a new post
                                 shown out of turn does not move it) */
    char **queue;     /* ids of new posts' items to show next (new_posts) */
    size_t n_queue;
    int64_t cycles;
};

struct rotation *rotation_create(const struct rotation_params *p)
{
    struct rotation *r = dp_calloc(1, sizeof *r);
    r->p = *p;
    r->cursor = -1;
    return r;
}

static void free_items(struct item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i].id);
    free(items);
}

static void clear_queue(struct rotation *r)
{
    for (size_t i = 0; i < r->n_queue; i++)
        free(r->queue[i]);
    free(r->queue);
    r->queue = NULL;
    r->n_queue = 0;
}

void rotation_destroy(struct rotation *r)
{
    if (!r)
        return;
    free_items(r->items, r->n_items);
    clear_queue(r);
    free(r->current_id);
    feed_unref(r->feed);
    free(r);
}

static size_t count_words(const char *s)
{
    size_t n = 0;
    bool in_word = false;
    for (; s && *s; s++) {
        bool space = *s == ' ' || *s == '\n' || *s == '\t';
        if (!space && !in_word)
            n++;
        in_word = !space;
    }
    return n;
}

int64_t rotation_duration(const struct rotation_params *p, const struct post *post,
                          enum item_kind kind)
{
    if (post->signage.duration_ms > 0)
        return post->signage.duration_ms;
    switch (kind) {
    case ITEM_IMAGE:
        return p->image_duration_ms;
    case ITEM_VIDEO:
        return 0;
    case ITEM_TEXT:
        break;
    }
    if (p->text_duration_ms > 0)
        return p->text_duration_ms;
    /* About 200 words a minute: 300 ms a word, clamped to [6 s, 30 s]. */
    int64_t ms = (int64_t)(count_words(post->title) + count_words(post->text)) * 300;
    if (ms < 6000)
        ms = 6000;
    if (ms > 30000)
        ms = 30000;
    return ms;
}

static bool post_too_old(const struct rotation_params *p, const struct post *post,
                         int64_t now_wall_ms)
{
    if (p->max_age_ms <= 0 || post->signage.pinned)
        return false;
    if (post->published_ms == DP_TIME_NONE)
        return false;
    return post->published_ms < now_wall_ms - p->max_age_ms;
}

static void build_items(struct rotation *r, struct feed *f, int64_t now_wall_ms, struct item **out,
                        size_t *n_out)
{
    size_t cap = 0, n = 0;
    struct item *items = NULL;
    /* max_items counts pinned posts too (issue 8), which come first: the
     * others fill what they leave. */
    int room_pinned = 0, room_other = 0;
    if (r->p.max_items > 0) {
        for (size_t i = 0; f && i < f->n_posts; i++)
            room_pinned += f->posts[i].signage.pinned;
        if (room_pinned > r->p.max_items)
            room_pinned = r->p.max_items;
        room_other = r->p.max_items - room_pinned;
    }
    for (size_t i = 0; f && i < f->n_posts; i++) {
        const struct post *post = &f->posts[i];
        if (post_too_old(&r->p, post, now_wall_ms))
            continue;
        if (r->p.max_items > 0) {
            int *room = post->signage.pinned ? &room_pinned : &room_other;
            if (*room <= 0)
                continue;
            (*room)--;
        }
        size_t want = post->n_media ? post->n_media : 1;
        if (n + want > cap) {
            cap = (n + want) * 2;
            items = dp_realloc(items, cap * sizeof *items);
        }
        if (!post->n_media) {
            items[n++] = (struct item){
                .id = dp_strdup(post->id),
                .post = post,
                .kind = ITEM_TEXT,
                .duration_ms = rotation_duration(&r->p, post, ITEM_TEXT),
            };
            continue;
        }
        for (size_t m = 0; m < post->n_media; m++) {
            enum item_kind kind = post->media[m].kind == MEDIA_VIDEO ? ITEM_VIDEO : ITEM_IMAGE;
            items[n++] = (struct item){
                .id = dp_strfmt("%s#%zu", post->id, m + 1),
                .post = post,
                .media = &post->media[m],
                .kind = kind,
                .duration_ms = rotation_duration(&r->p, post, kind),
            };
        }
    }
    *out = items;
    *n_out = n;
}

static bool feed_has_post(const struct feed *f, const char *id)
{
    for (size_t i = 0; f && i < f->n_posts; i++)
        if (strcmp(f->posts[i].id, id) == 0)
            return true;
    return false;
}

static long find_index(const struct item *items, size_t n, const char *id)
{
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(items[i].id, id) == 0)
            return (long)i;
    return -1;
}

bool rotation_set_feed(struct rotation *r, struct feed *f, int64_t now_wall_ms)
{
    struct item *items;
    size_t n;
    build_items(r, f, now_wall_ms, &items, &n);

    /* Posts that were not in the previous feed go first (new_posts). */
    bool interrupt = false;
    /* Synchronised screens keep the timeline's order: new_posts is for the
     * plain rotation. */
    if (r->feed && r->p.new_posts != ROTATION_NEW_QUEUE && !r->p.synced) {
        for (size_t i = 0; i < n; i++) {
            if (feed_has_post(r->feed, items[i].post->id))
                continue;
            r->queue = dp_realloc(r->queue, (r->n_queue + 1) * sizeof *r->queue);
            r->queue[r->n_queue++] = dp_strdup(items[i].id);
            interrupt = r->p.new_posts == ROTATION_NEW_INTERRUPT;
        }
    }

    /* The item on screen keeps its place; when it is gone, the rotation
     * goes on from the same position. */
    long idx = find_index(items, n, r->current_id);
    if (idx < 0 && r->cursor >= 0)
        idx = (r->cursor < (long)n ? r->cursor : (long)n) - 1;
    free_items(r->items, r->n_items);
    feed_unref(r->feed);
    r->feed = feed_ref(f);
    r->items = items;
    r->n_items = n;
    r->cursor = idx;
    return interrupt;
}

static bool in_window(const struct item *it, int64_t now)
{
    const struct signage *s = &it->post->signage;
    if (s->start_ms != DP_TIME_NONE && now < s->start_ms)
        return false;
    if (s->end_ms != DP_TIME_NONE && now >= s->end_ms)
        return false;
    return true;
}

/* In its window and not too old (max_age) at now. */
static bool playable_at(const struct rotation_params *p, const struct item *it, int64_t now)
{
    return in_window(it, now) && !post_too_old(p, it->post, now);
}

static bool usable(const struct rotation *r, const struct item *it, int64_t now,
                   rotation_ready_fn ready, void *ctx,
                   void (*skip)(void *, const struct item *, enum dp_reason))
{
    if (!playable_at(&r->p, it, now)) {
        const struct signage *s = &it->post->signage;
        if (skip && s->end_ms != DP_TIME_NONE && now >= s->end_ms)
            skip(ctx, it, DP_REASON_EXPIRED);
        return false;
    }
    return !ready || ready(ctx, it);
}

const struct item *rotation_next(struct rotation *r, int64_t now_wall_ms, rotation_ready_fn ready,
                                 void *ctx,
                                 void (*skip)(void *ctx, const struct item *it,
                                              enum dp_reason why))
{
    /* New posts first, while they are still in the rotation. */
    while (r->n_queue) {
        long idx = find_index(r->items, r->n_items, r->queue[0]);
        if (idx >= 0 && usable(r, &r->items[idx], now_wall_ms, ready, ctx, skip))
            return &r->items[idx];
        if (idx >= 0 && playable_at(&r->p, &r->items[idx], now_wall_ms))
            break; /* not downloaded yet: keep it queued, go on meanwhile */
        free(r->queue[0]);
        memmove(r->queue, r->queue + 1, (r->n_queue - 1) * sizeof *r->queue);
        r->n_queue--;
    }
    for (size_t k = 1; k <= r->n_items; k++) {
        size_t idx = (size_t)((r->cursor + (long)k) % (long)r->n_items);
        if (r->cursor < 0)
            idx = k - 1;
        const struct item *it = &r->items[idx];
        if (usable(r, it, now_wall_ms, ready, ctx, skip))
            return it;
    }
    return NULL;
}

bool rotation_wraps(const struct rotation *r, const struct item *next)
{
    long idx = next - r->items;
    for (size_t q = 0; q < r->n_queue; q++)
        if (strcmp(r->queue[q], next->id) == 0)
            return false; /* a new post shown out of turn */
    return r->cursor >= 0 && idx <= r->cursor;
}

void rotation_commit(struct rotation *r, const struct item *it)
{
    long idx = it - r->items;
    if (idx < 0 || (size_t)idx >= r->n_items)
        return;
    for (size_t q = 0; q < r->n_queue; q++) {
        if (strcmp(r->queue[q], it->id) == 0) {
            free(r->queue[q]);
            memmove(r->queue + q, r->queue + q + 1, (r->n_queue - q - 1) * sizeof *r->queue);
            r->n_queue--;
            /* A new post shown out of turn moves neither the cursor nor the
             * id it is found by again after the next poll. */
            return;
        }
    }
    if (rotation_wraps(r, it))
        r->cycles++;
    r->cursor = idx;
    free(r->current_id);
    r->current_id = dp_strdup(it->id);
}

int64_t rotation_cycles(const struct rotation *r)
{
    return r->cycles;
}

size_t rotation_items(const struct rotation *r, const struct item **items)
{
    *items = r->items;
    return r->n_items;
}

const struct item *rotation_find(const struct rotation *r, const char *id)
{
    long idx = find_index(r->items, r->n_items, id);
    return idx >= 0 ? &r->items[idx] : NULL;
}

/* ---- the planner ------------------------------------------------------------------ */

int64_t rotation_item_ms(const struct rotation_params *p, const struct item *it)
{
    int64_t d = it->duration_ms;
    if (it->kind == ITEM_VIDEO && d <= 0) {
        if (!p->synced)
            return 0; /* it plays until it ends */
        /* The timeline needs a length before the video is opened: the
         * feed's, else the cap, else an image's. */
        d = it->media && it->media->duration_s > 0 ? (int64_t)(it->media->duration_s * 1000)
            : p->video_max_duration_ms > 0         ? p->video_max_duration_ms
                                                   : p->image_duration_ms;
        if (p->video_max_duration_ms > 0 && d > p->video_max_duration_ms)
            d = p->video_max_duration_ms;
    }
    if (d <= 0)
        d = p->image_duration_ms > 0 ? p->image_duration_ms : 1;
    return sync_slot_length(d, p->transition_ms);
}

/* The timeline of moment t: every item playable at t with its time, the
 * others without a slot. Items past their end are reported. */
static void lay_out(const struct rotation *r, int64_t t, const struct rotation_ask *a, int64_t *d)
{
    for (size_t i = 0; i < r->n_items; i++) {
        const struct item *it = &r->items[i];
        d[i] = playable_at(&r->p, it, t) ? rotation_item_ms(&r->p, it) : 0;
        const struct signage *s = &it->post->signage;
        if (!d[i] && a->skip && s->end_ms != DP_TIME_NONE && t >= s->end_ms)
            a->skip(a->ctx, it, DP_REASON_EXPIRED);
    }
}

static void plan_synced(struct rotation *r, const struct rotation_ask *a,
                        struct rotation_plan *out)
{
    size_t n = r->n_items;
    if (!n)
        return;
    /* Where to look: right after the item on screen; when that slot is
     * already over (the next one was late), the slot of now, at once. */
    int64_t t = a->now_ms;
    if (a->on_screen && a->cur_end_ms > a->now_ms)
        t = a->cur_end_ms;
    int64_t *d = dp_calloc(n, sizeof *d);
    struct sync_slot slot;
    int64_t margin = r->p.transition_ms + SYNC_MIN_SHOW_MS;
    if (!a->on_screen || a->cur_end_ms <= 0) {
        /* Nothing on screen: the slot of now unless it is about to end. On
         * screen, its slot not known: the one after the slot of now. */
        lay_out(r, t, a, d);
        if (sync_slot_at(d, n, r->p.transition_ms, t, &slot) < 0)
            n = 0;
        else if (a->on_screen || slot.end_ms - t < margin)
            t = slot.end_ms;
    }
    for (size_t k = 0; k < n; k++) {
        lay_out(r, t, a, d);
        if (sync_slot_at(d, n, r->p.transition_ms, t, &slot) < 0)
            break;
        const struct item *it = &r->items[slot.index];
        if (!a->ready || a->ready(a->ctx, it)) {
            out->item = it;
            out->start_ms = slot.start_ms;
            out->end_ms = slot.end_ms;
            out->duration_ms = slot.end_ms - slot.start_ms;
            out->at_once = !a->on_screen &&
                           (slot.start_ms <= a->now_ms || slot.start_ms - a->now_ms > margin);
            break;
        }
        t = slot.end_ms; /* not ready here: it keeps its slot */
    }
    free(d);
}

int rotation_plan(struct rotation *r, const struct rotation_ask *ask, struct rotation_plan *out)
{
    memset(out, 0, sizeof *out);
    if (r->p.synced) {
        plan_synced(r, ask, out);
        return 0;
    }
    const struct item *it = rotation_next(r, ask->now_ms, ask->ready, ask->ctx, ask->skip);
    if (it) {
        out->item = it;
        out->duration_ms = rotation_item_ms(&r->p, it);
        out->until_ended = out->duration_ms == 0;
    }
    return 0;
}

/* ---- media that become ready (issue 10) ------------------------------------- */

bool rotation_media_ready(struct rotation *r, const char *url)
{
    bool queued = false;
    for (long i = 0; url && !r->p.synced && i < r->cursor && i < (long)r->n_items; i++) {
        const struct item *it = &r->items[i];
        if (!it->media || strcmp(it->media->url, url) != 0)
            continue;
        bool already = false;
        for (size_t q = 0; q < r->n_queue && !already; q++)
            already = strcmp(r->queue[q], it->id) == 0;
        if (already)
            continue;
        r->queue = dp_realloc(r->queue, (r->n_queue + 1) * sizeof *r->queue);
        r->queue[r->n_queue++] = dp_strdup(it->id);
        queued = true;
    }
    return queued;
}
