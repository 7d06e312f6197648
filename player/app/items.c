/* The item state machine: what comes next, when the current item's time is
 * up, the show and shown events, and the opening hours. See
 * player_internal.h. Main thread only. */
#include "app/player_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/playlog.h"
#include "app/status.h"
#include "base/clock.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cache/cache.h"
#include "feed/url.h"
#include "net/net.h"
#include "render/scene_video.h"
#include "render/snapshot.h"

/* ---- lists and skips ------------------------------------------------------------ */

const char *items_kind_name(enum item_kind k)
{
    return k == ITEM_TEXT ? "text" : k == ITEM_IMAGE ? "image" : "video";
}

bool strlist_has(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

void strlist_add(char ***list, size_t *n, const char *s)
{
    *list = dp_realloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = dp_strdup(s);
}

void strlist_remove(char **list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(list[i], s) == 0) {
            free(list[i]);
            list[i] = list[--*n];
            return;
        }
    }
}

void strlist_clear(char ***list, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *n = 0;
}

void items_log_skip(struct player *p, const char *item, enum dp_reason why)
{
    /* Each (item, reason) is reported once until the feed changes. */
    const char *reason = dp_reason_name(why);
    char *key = dp_strfmt("%s\n%s", item, reason);
    if (!strlist_has(p->skipped, p->n_skipped, key)) {
        strlist_add(&p->skipped, &p->n_skipped, key);
        playlog_skip(p->log, &(struct playlog_skip){.item = item, .reason = reason});
        LOG_I("app", "skip %s: %s", item, reason);
    }
    free(key);
}

static void on_rotation_skip(void *ctx, const struct item *it, enum dp_reason why)
{
    items_log_skip(ctx, it->id, why);
}


bool items_ready(void *ctx, const struct item *it)
{
    struct player *p = ctx;
    if (!it->media)
        return true;
    const char *url = it->media->url;
    if (it->media->live && p->live_retry_ms && dp_mono_ms() >= p->live_retry_ms)
        items_live_retry(p);
    if (strlist_has(p->bad, p->n_bad, url))
        return false;
    if (it->media->live)
        return true; /* never cached: the loader opens it, or it is a skip */
    if (url_is_local(url)) {
        char *path = url_to_path(url);
        bool ok = path && access(path, R_OK) == 0;
        free(path);
        if (!ok)
            items_log_skip(p, it->id, DP_REASON_NOT_FOUND);
        return ok;
    }
    if (!cache_has(p->cache, url)) {
        items_log_skip(p, it->id, DP_REASON_NOT_CACHED);
        return false;
    }
    return true;
}

/* Live streams that could not be opened are tried again once
 * ITEMS_LIVE_RETRY_MS has passed (the desk may start streaming later). */
void items_live_retry(struct player *p)
{
    p->live_retry_ms = 0;
    const struct item *items;
    size_t n = p->rotation ? rotation_items(p->rotation, &items) : 0;
    for (size_t i = 0; i < n; i++)
        if (items[i].media && items[i].media->live)
            strlist_remove(p->bad, &p->n_bad, items[i].media->url);
}

void items_invalidate_next(struct player *p)
{
    p->gen++;
    p->next = NEXT_NONE;
    free(p->next_id);
    p->next_id = NULL;
    memset(&p->next_plan, 0, sizeof p->next_plan);
    scene_drop_next(&p->scene);
}

static void request_item(struct player *p, const struct item *it)
{
    struct loader_request *req = dp_calloc(1, sizeof *req);
    req->gen = ++p->gen;
    req->what = LOAD_ITEM;
    req->feed = feed_ref(p->feed);
    req->post = it->post;
    req->media = it->media;
    req->kind = it->kind;
    req->item_id = dp_strdup(it->id);
    req->now_wall_ms = dp_wall_ms();
    free(p->next_id);
    p->next_id = dp_strdup(it->id);
    p->next = NEXT_REQUESTED;
    loader_submit(p->loader, req);
}

void items_request_standby(struct player *p)
{
    struct net_progress prog;
    memset(&prog, 0, sizeof prog);
    if (p->net)
        net_get_progress(p->net, &prog);
    struct loader_request *req = dp_calloc(1, sizeof *req);
    req->gen = p->gen;
    req->what = LOAD_STANDBY;
    req->title = dp_strdup(p->feed ? p->feed->title : NULL);
    req->downloading = prog.pending; /* wanted and not cached, running ones included */
    req->percent = prog.active_total > 0 ? (int)(prog.active_bytes * 100 / prog.active_total) : -1;
    req->now_wall_ms = dp_wall_ms();
    p->standby_requested = true;
    p->standby_refreshed = dp_mono_ms();
    loader_submit(p->loader, req);
}

/* Wall-clock ms to a monotonic deadline. */
static int64_t wall_to_mono(int64_t wall_ms)
{
    return dp_mono_ms() + (wall_ms - dp_wall_ms());
}

void items_plan_next(struct player *p)
{
    if (p->next != NEXT_NONE || !p->rotation || p->screen_off)
        return;
    bool on_screen = p->cur_id && !p->standby;
    struct rotation_ask ask = {.now_ms = dp_wall_ms(),
                               .on_screen = on_screen,
                               .cur_end_ms = p->cur_slot_end,
                               .ready = items_ready,
                               .skip = on_rotation_skip,
                               .ctx = p};
    rotation_plan(p->rotation, &ask, &p->next_plan);
    const struct item *it = p->next_plan.item;
    if (!it)
        return; /* the loop shows the standby card when the screen is empty */
    if (p->next_plan.start_ms > 0 && (on_screen || !p->next_plan.at_once))
        p->cur_deadline = wall_to_mono(p->next_plan.start_ms); /* its slot begins */
    if (on_screen && strcmp(it->id, p->cur_id) == 0 && it->kind != ITEM_VIDEO) {
        /* The only playable item: it simply stays on screen. */
        free(p->next_id);
        p->next_id = dp_strdup(it->id);
        p->next = NEXT_SAME;
        return;
    }
    request_item(p, it);
}

void items_replan(struct player *p)
{
    if (p->next != NEXT_NONE && p->rotation && !p->screen_off) {
        struct rotation_plan cand;
        bool on_screen = p->cur_id && !p->standby;
        struct rotation_ask ask = {.now_ms = dp_wall_ms(),
                                   .on_screen = on_screen,
                                   .cur_end_ms = p->cur_slot_end,
                                   .ready = items_ready,
                                   .ctx = p};
        rotation_plan(p->rotation, &ask, &cand);
        if (!cand.item || !p->next_id || strcmp(cand.item->id, p->next_id) != 0) {
            items_invalidate_next(p);
        } else {
            p->next_plan = cand; /* the same item (in the new feed: a new pointer) */
            if (cand.start_ms > 0 && (on_screen || !cand.at_once))
                p->cur_deadline = wall_to_mono(cand.start_ms);
        }
    }
    items_plan_next(p);
}

/* Nothing on screen, the next item ready: it comes on now, or at the start
 * of its slot when it waits for it. */
bool items_join_due(const struct player *p, int64_t now)
{
    return (!p->cur_id || p->standby) && p->next == NEXT_READY &&
           (p->next_plan.at_once || p->next_plan.start_ms <= 0 || now >= p->cur_deadline);
}

void items_emit_shown(struct player *p, int64_t now)
{
    if (!p->cur_id)
        return;
    struct playlog_shown f = {.item = p->cur_id,
                              .kind = items_kind_name(p->cur_kind),
                              .elapsed_ms = now - p->cur_started,
                              .live = p->cur_live};
    if (p->cur_kind == ITEM_VIDEO && scene_video_stats(&p->scene, &f.frames, &f.dropped)) {
        f.has_frames = true;
        status_board_add_dropped(p->board, f.dropped);
    }
    playlog_shown(p->log, &f);
}

/* The show event, written when the item is fully on screen. */
void items_announce(struct player *p)
{
    const struct item *it = p->rotation ? rotation_find(p->rotation, p->cur_id) : NULL;
    if (!it)
        return;
    p->shows++;
    struct playlog_show f = {.item = it->id,
                             .post = it->post->id,
                             .kind = items_kind_name(it->kind),
                             .media = it->media ? it->media->url : NULL,
                             .duration_ms = p->cur_planned,
                             .live = it->media && it->media->live};
    /* Named only when the writer holds room for it: never a name without a
     * file (a snapshot still waiting for its frame keeps its own). */
    if (p->snaps && !p->snapshot_due && snapshots_reserve(p->snaps, SNAPSHOT_ITEM)) {
        char slug[80];
        dp_slug(it->id, 64, slug, sizeof slug);
        snprintf(p->snapshot_name, sizeof p->snapshot_name, "%06lld-%s.png", (long long)p->shows,
                 slug);
        f.snapshot = p->snapshot_name;
        p->snapshot_due = true;
        p->dirty = true;
    } else if (p->snaps)
        LOG_W("app", "no snapshot for %s: the writer is behind", it->id);
    playlog_show(p->log, &f);
    LOG_I("app", "show %s (%s)", it->id, items_kind_name(it->kind));
    status_board_set_showing(p->board, it->id, items_kind_name(it->kind), dp_wall_ms());
    status_board_add_shows(p->board, 1);
    if (it->media && !url_is_local(it->media->url))
        cache_mark_shown(p->cache, it->media->url, dp_wall_ms());
    p->cur_announced = true;
}

/* The current item's time is up (or nothing is on screen): move on. */
void items_advance(struct player *p, int64_t now)
{
    const struct item *it = p->next_id ? rotation_find(p->rotation, p->next_id) : NULL;
    if ((p->next == NEXT_READY || p->next == NEXT_SAME) && !it) {
        items_invalidate_next(p); /* its post left the feed meanwhile */
        return;
    }
    if (p->next != NEXT_READY && p->next != NEXT_SAME)
        return; /* not ready: the current item stays a little longer */
    if (p->next_plan.item != it) {
        items_invalidate_next(p); /* not what the planner chose (cannot happen) */
        return;
    }
    if (p->cl->cycles > 0 && !p->standby && p->cur_id && rotation_wraps(p->rotation, it) &&
        rotation_cycles(p->rotation) + 1 >= p->cl->cycles) {
        items_emit_shown(p, now);
        free(p->cur_id);
        p->cur_id = NULL;
        player_stop(p, "cycles");
        return;
    }
    items_emit_shown(p, now);
    rotation_commit(p->rotation, it);
    free(p->cur_id);
    p->cur_id = dp_strdup(it->id);
    p->cur_kind = it->kind;
    p->cur_live = it->media && it->media->live;
    p->cur_started = now;
    /* The planner's answer for it: its slot (synced) or its time. */
    const struct rotation_plan *plan = &p->next_plan;
    p->cur_slot_end = plan->end_ms;
    p->cur_until_ended = plan->until_ended;
    if (p->cur_slot_end > 0)
        p->cur_deadline = wall_to_mono(p->cur_slot_end);
    else
        p->cur_deadline = now + plan->duration_ms;
    p->cur_planned = p->cur_deadline - now;
    p->cur_announced = false;
    if (p->next == NEXT_SAME) {
        items_announce(p);
    } else {
        scene_start(&p->scene, now);
        if (p->cur_until_ended) {
            /* A video ends when it has played (SCENE_VIDEO_ENDED); the
             * deadline only guards against one that never says so. */
            int64_t len = scene_video_duration_ms(&p->scene);
            p->cur_deadline = now + (len > 0 ? len + VIDEO_GRACE_MS : VIDEO_UNKNOWN_MS);
            p->cur_planned = len;
        }
        if (!scene_in_transition(&p->scene))
            items_announce(p);
    }
    p->standby = false;
    p->next = NEXT_NONE;
    free(p->next_id);
    p->next_id = NULL;
    p->dirty = true;
    items_plan_next(p);
}


/* Adds url to urls[k] unless it is NULL or local; returns the new k. */
static size_t wanted_add(const char **urls, size_t k, const char *url)
{
    if (!url || url_is_local(url))
        return k;
    urls[k] = url;
    return k + 1;
}

/* The media the rotation needs, handed to net (which also tells the cache
 * what to keep). Only the pointers are collected here: the loader thread
 * deduplicates and copies them (issue 8: a nested loop here froze the
 * screen for 33 s with 4,000 posts of 20 attachments). */
static void update_wanted(struct player *p)
{
    if (!p->net)
        return;
    const struct item *items;
    size_t n = rotation_items(p->rotation, &items);
    size_t cap = n;
    for (size_t i = 0; i < n; i++)
        cap += items[i].post->n_emoji; /* custom emoji are cached like media */
    const char **urls = dp_calloc(cap ? cap : 1, sizeof *urls);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct post *post = items[i].post;
        bool first = i == 0 || items[i - 1].post != post;
        for (size_t e = 0; first && e < post->n_emoji; e++)
            k = wanted_add(urls, k, post->emoji[e].url);
        /* Live streams are never downloaded nor cached. */
        if (items[i].media && !items[i].media->live)
            k = wanted_add(urls, k, items[i].media->url);
    }
    if (!p->loader) {
        net_set_wanted(p->net, urls, k);
        free(urls);
        return;
    }
    struct loader_request *req = dp_calloc(1, sizeof *req);
    req->what = LOAD_WANTED;
    req->gen = p->gen;
    req->feed = feed_ref(p->feed); /* keeps the strings alive */
    req->net = p->net;
    req->urls = urls;
    req->n_urls = k;
    loader_submit(p->loader, req);
}

void items_media_ready(struct player *p, const char *url)
{
    /* An item passed over for this media comes next (rotation_media_ready;
     * a timeline, sync = wallclock, keeps every slot where it is). */
    if (p->rotation)
        rotation_media_ready(p->rotation, url);
    items_replan(p);
}

void items_handle_feed(struct player *p, struct feed *feed)
{
    if (!p->rotation) {
        struct rotation_params rp = {
            .image_duration_ms = p->cfg->image_duration_ms,
            .text_duration_ms = p->cfg->text_duration_ms,
            .video_max_duration_ms = p->cfg->video_max_duration_ms,
            .max_items = p->cfg->max_items,
            .max_age_ms = p->cfg->max_age_ms,
            .new_posts = p->cfg->new_posts,
            .transition_ms = scene_transition_ms(&p->scene),
            .synced = p->cfg->sync == DP_SYNC_WALLCLOCK,
        };
        p->rotation = rotation_create(&rp);
    }
    bool interrupt = rotation_set_feed(p->rotation, feed, dp_wall_ms());
    feed_unref(p->feed);
    p->feed = feed; /* the message's reference */
    strlist_clear(&p->skipped, &p->n_skipped);
    update_wanted(p);
    /* What comes next may have changed (new posts first, a post removed). */
    items_replan(p);
    /* A post taken down leaves the screen at once (feeds.md), as does the
     * current item when a new post interrupts. */
    bool taken_down = p->cur_id && !p->standby && !rotation_find(p->rotation, p->cur_id);
    if (taken_down)
        LOG_I("app", "%s left the feed: it leaves the screen", p->cur_id);
    if (interrupt || taken_down)
        p->cur_deadline = dp_mono_ms();
    /* The standby card names the feed and counts its downloads. */
    if ((p->standby || !p->cur_id) && p->next == NEXT_NONE) {
        if (p->standby_requested)
            p->standby_stale = true;
        else
            items_request_standby(p);
    }
}
void items_handle_loaded(struct player *p, struct loader_result *res, int64_t now)
{
    if (p->screen_off)
        return;
    if (res->what == LOAD_STANDBY) {
        p->standby_requested = false;
        if ((p->cur_id && !p->standby) || p->next == NEXT_READY)
            return; /* content arrived meanwhile */
        SDL_Surface *s = res->surface;
        res->surface = NULL;
        if (s && scene_set_next(&p->scene, s) == 0) {
            scene_start(&p->scene, now);
            p->standby = true;
            p->dirty = true;
        }
        if (p->standby_stale) {
            p->standby_stale = false;
            items_request_standby(p);
        }
        return;
    }
    if (res->gen != p->gen || p->next != NEXT_REQUESTED)
        return; /* stale */
    if (!res->surface && !res->video) {
        items_log_skip(p, res->item_id, res->reason);
        const struct item *it = rotation_find(p->rotation, res->item_id);
        if (it && it->media && res->reason == DP_REASON_CORRUPT)
            net_refetch(p->net, it->media->url); /* deleted by the cache: again */
        else if (it && it->media && res->reason != DP_REASON_NOT_CACHED)
            strlist_add(&p->bad, &p->n_bad, it->media->url);
        if (it && it->media && it->media->live && !p->live_retry_ms)
            p->live_retry_ms = dp_mono_ms() + ITEMS_LIVE_RETRY_MS;
        p->next = NEXT_NONE;
        free(p->next_id);
        p->next_id = NULL;
        items_plan_next(p);
        return;
    }
    int r;
    if (res->video) {
        r = scene_set_next_video(&p->scene, res->video, res->overlay, res->box_w, res->box_h);
        res->video = NULL;
        res->overlay = NULL;
    } else {
        r = scene_set_next(&p->scene, res->surface);
        res->surface = NULL;
    }
    if (r < 0) {
        items_log_skip(p, res->item_id, DP_REASON_RENDER_ERROR);
        p->next = NEXT_NONE;
        free(p->next_id);
        p->next_id = NULL;
        return;
    }
    p->next = NEXT_READY;
    if (items_join_due(p, now))
        items_advance(p, now);
}


void items_load_schedule(struct player *p)
{
    char err[160];
    p->has_schedule = p->cfg->on_hours && *p->cfg->on_hours &&
                      schedule_parse(p->cfg->on_hours, &p->schedule, err, sizeof err) == 0;
}

static int64_t local_offset_ms(int64_t wall)
{
    time_t t = (time_t)(wall / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    return (int64_t)tm.tm_gmtoff * 1000;
}

/* [schedule] on_hours: outside them the screen is black (and the platform
 * may put the display to sleep); playback resumes at the next opening.
 * Returns the monotonic time of the next check. */
int64_t items_apply_schedule(struct player *p, int64_t now)
{
    if (!p->has_schedule) {
        if (p->screen_off) {
            p->screen_off = false;
            p->dirty = true;
        }
        return INT64_MAX;
    }
    int64_t wall = dp_wall_ms(), off = local_offset_ms(wall);
    bool on = schedule_is_on(&p->schedule, wall + off);
    if (!on && !p->screen_off) {
        LOG_I("app", "schedule: outside the opening hours, screen off");
        items_emit_shown(p, now);
        free(p->cur_id);
        p->cur_id = NULL;
        p->standby = false;
        items_invalidate_next(p);
        scene_clear(&p->scene);
        p->screen_off = true;
        p->dirty = true;
        SDL_EnableScreenSaver(); /* lets X11 / Wayland blank the display */
    } else if (on && p->screen_off) {
        LOG_I("app", "schedule: opening hours, screen on");
        p->screen_off = false;
        p->dirty = true;
        SDL_DisableScreenSaver();
        items_plan_next(p);
    }
    int64_t change = schedule_next_change(&p->schedule, wall + off);
    int64_t in = change == INT64_MAX ? 60000 : change - off - wall;
    /* Checked at least every minute: daylight saving and clock steps. */
    return now + (in < 60000 ? (in < 0 ? 0 : in) : 60000);
}
