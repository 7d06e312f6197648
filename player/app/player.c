/* The player: the main loop and the wiring of every module.
 *
 * DESIGN: the main thread owns SDL, the scene, the rotation and the item
 * state. Everything slow happens elsewhere: net's threads fetch and parse,
 * the loader composes the next picture, the snapshot writer saves PNGs.
 * They report through one bounded message queue; posting wakes the main
 * thread, which otherwise sleeps until its next deadline (the end of the
 * current item, the next frame of a transition, the next snapshot). On
 * drivers whose SDL event wait cannot sleep (offscreen, KMSDRM in SDL 2.26)
 * main sleeps in poll() on an eventfd instead and pumps SDL events at a low
 * rate. Signals are taken by a sigwait thread and arrive as messages. */
#include "app/player.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <cjson/cJSON.h>

#include "app/loader.h"
#include "app/playlog.h"
#include "app/status.h"
#include "base/clock.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/mq.h"
#include "base/xalloc.h"
#include "cache/cache.h"
#include "feed/url.h"
#include "media/audio.h"
#include "media/video.h"
#include "net/net.h"
#include "render/display.h"
#include "render/scene.h"
#include "render/scene_video.h"
#include "render/snapshot.h"
#include "rotation/rotation.h"
#include "rotation/schedule.h"
#include "rotation/sync.h"

enum msg_type { MSG_FEED = 1, MSG_MEDIA, MSG_LOADED, MSG_SIGNAL };

#define FRAME_MS 16               /* redraw period during a transition */
#define PUMP_MS 1000              /* SDL event pumping where SDL cannot wait */
#define STANDBY_REFRESH_MS 5000   /* download progress on the standby card */
#define MIN_DURATION_MS 1000
#define STANDBY_AFTER_MS 250      /* nothing ready this long after start: standby */
#define VIDEO_GRACE_MS 3000       /* a video still playing this long past its length ends */
#define VIDEO_UNKNOWN_MS (3600 * 1000) /* the cap for a video of unknown length */

enum next_state { NEXT_NONE, NEXT_REQUESTED, NEXT_READY, NEXT_SAME };

struct player {
    const struct player_setup *setup;
    const struct dp_config *cfg;  /* setup's, or reloaded (SIGHUP) */
    struct dp_config *reloaded;   /* owned when a SIGHUP replaced the settings */
    char *feed_url;               /* the feed polled (owned) */
    const struct dp_cmdline *cl;
    struct display display;
    struct scene scene;
    struct rotation *rotation;
    struct cache *cache;
    struct net *net;
    struct loader *loader;
    struct snapshots *snaps;
    struct audio_out *audio;      /* NULL: silent (audio off or no device) */
    struct status_board *board;   /* figures for the status endpoint */
    struct status_server *status; /* NULL when [status] listen is off */
    struct playlog *log;
    struct dp_mq *mq;
    int efd;
    Uint32 wake_event;
    pthread_t sig_thread;
    bool sig_thread_started;

    struct feed *feed;            /* the feed the rotation uses */
    int64_t start_ms;
    bool quit;
    const char *stop_reason;
    int exit_code;

    /* The item on screen. */
    char *cur_id;
    enum item_kind cur_kind;
    int64_t cur_started, cur_deadline;
    int64_t cur_planned;          /* the duration the show event announces */
    bool cur_announced;           /* its show event was written */
    bool standby;                 /* the standby card is on screen */
    int64_t standby_refreshed;
    bool standby_requested;
    bool standby_stale;           /* the feed changed while it was being drawn */

    /* [schedule] on_hours */
    bool has_schedule;
    struct schedule schedule;
    bool screen_off;              /* outside the opening hours: black */

    /* [playback] sync = wallclock: the slot of the item that comes next. */
    int64_t next_slot_start, next_slot_end;   /* Unix ms; 0 when unplanned */

    /* The item that comes next. */
    enum next_state next;
    char *next_id;
    uint64_t gen;

    bool dirty;                   /* the screen needs a redraw */
    bool snapshot_due;            /* write a snapshot with the next frame */
    char snapshot_name[128];
    int64_t shows;
    int64_t next_interval_snap;
    int64_t last_pump;

    char **bad;                   /* media URLs that failed to decode */
    size_t n_bad;
    char **skipped;               /* "id\nreason" already reported */
    size_t n_skipped;
};

/* ---- waking the main thread ---------------------------------------------------- */

static void wake_main(void *ctx)
{
    struct player *p = ctx;
    if (p->display.can_wait) {
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.type = p->wake_event;
        SDL_PushEvent(&e);
    } else {
        uint64_t one = 1;
        ssize_t r = write(p->efd, &one, sizeof one);
        (void)r;
    }
}

/* The signals the player handles; SIGUSR2 ends the sigwait thread. */
static void player_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGUSR2);
}

static void *signal_main(void *arg)
{
    struct player *p = arg;
    sigset_t set;
    player_signals(&set);
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGUSR2)   /* sent by player_run to end this thread */
            break;
        dp_mq_post(p->mq, (struct dp_msg){.type = MSG_SIGNAL, .arg = sig});
    }
    return NULL;
}

/* ---- play log helpers ------------------------------------------------------------- */

static const char *kind_name(enum item_kind k)
{
    return k == ITEM_TEXT ? "text" : k == ITEM_IMAGE ? "image" : "video";
}

static bool list_has(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static void list_add(char ***list, size_t *n, const char *s)
{
    *list = dp_realloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = dp_strdup(s);
}

static void list_remove(char **list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(list[i], s) == 0) {
            free(list[i]);
            list[i] = list[--*n];
            return;
        }
    }
}

static void list_clear(char ***list, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *n = 0;
}

static void log_skip(struct player *p, const char *item, const char *reason)
{
    /* Each (item, reason) is reported once until the feed changes. */
    char *key = dp_strfmt("%s\n%s", item, reason);
    if (!list_has(p->skipped, p->n_skipped, key)) {
        list_add(&p->skipped, &p->n_skipped, key);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "item", item);
        cJSON_AddStringToObject(o, "reason", reason);
        playlog_write(p->log, "skip", o);
        LOG_I("app", "skip %s: %s", item, reason);
    }
    free(key);
}

static void on_rotation_skip(void *ctx, const struct item *it, const char *reason)
{
    log_skip(ctx, it->id, reason);
}

/* ---- net callbacks (net's threads) ----------------------------------------------- */

static void feed_msg_free(void *f) { feed_unref(f); }

static void on_feed(void *ctx, struct feed *feed)
{
    struct player *p = ctx;
    dp_mq_post(p->mq, (struct dp_msg){.type = MSG_FEED, .payload = feed,
                                      .free_payload = feed_msg_free});
}

static void on_media(void *ctx, const char *url)
{
    struct player *p = ctx;
    dp_mq_post(p->mq, (struct dp_msg){.type = MSG_MEDIA, .payload = dp_strdup(url),
                                      .free_payload = free});
}

static void on_net_event(void *ctx, const struct net_event *ev)
{
    struct player *p = ctx;
    cJSON *o = cJSON_CreateObject();
    const char *event = "error";
    switch (ev->type) {
    case NET_EV_POLL:
        event = "poll";
        status_board_feed_polled(p->board, ev->url, dp_wall_ms(),
                                 strcmp(ev->result ? ev->result : "error", "updated") == 0 ||
                                         strcmp(ev->result ? ev->result : "", "not_modified") == 0
                                     ? NULL
                                     : (ev->error ? ev->error : ev->result),
                                 ev->items);
        cJSON_AddStringToObject(o, "url", ev->url ? ev->url : "");
        cJSON_AddNumberToObject(o, "status", ev->status);
        cJSON_AddStringToObject(o, "result", ev->result ? ev->result : "error");
        if (ev->items >= 0)
            cJSON_AddNumberToObject(o, "items", (double)ev->items);
        break;
    case NET_EV_DOWNLOAD:
        event = "download";
        cJSON_AddStringToObject(o, "url", ev->url ? ev->url : "");
        if (ev->bytes >= 0)
            cJSON_AddNumberToObject(o, "bytes", (double)ev->bytes);
        cJSON_AddStringToObject(o, "result", ev->result ? ev->result : "error");
        break;
    case NET_EV_SKIP:
        event = "skip";
        cJSON_AddStringToObject(o, "item", ev->item ? ev->item : "");
        cJSON_AddStringToObject(o, "reason", ev->reason ? ev->reason : "");
        if (ev->url)
            cJSON_AddStringToObject(o, "media", ev->url);
        break;
    case NET_EV_ERROR:
        cJSON_AddStringToObject(o, "where", ev->item ? ev->item : "net");
        break;
    }
    if (ev->error)
        cJSON_AddStringToObject(o, "error", ev->error);
    playlog_write(p->log, event, o);
}

/* ---- items ------------------------------------------------------------------------- */

/* net's push channels: their state goes to the status board (issue 11). */
static void on_push(void *ctx, const struct net_push_status *st)
{
    struct player *p = ctx;
    status_board_set_push(p->board, st->channel, st->state, st->messages, st->connects,
                          st->error);
}

static bool item_ready(void *ctx, const struct item *it)
{
    struct player *p = ctx;
    if (!it->media)
        return true;
    const char *url = it->media->url;
    if (list_has(p->bad, p->n_bad, url))
        return false;
    if (url_is_local(url)) {
        char *path = url_to_path(url);
        bool ok = path && access(path, R_OK) == 0;
        free(path);
        if (!ok)
            log_skip(p, it->id, "not_found");
        return ok;
    }
    if (!cache_has(p->cache, url)) {
        log_skip(p, it->id, "not_cached");
        return false;
    }
    return true;
}

static void invalidate_next(struct player *p)
{
    p->gen++;
    p->next = NEXT_NONE;
    free(p->next_id);
    p->next_id = NULL;
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

static void request_standby(struct player *p)
{
    struct net_progress prog;
    memset(&prog, 0, sizeof prog);
    if (p->net)
        net_get_progress(p->net, &prog);
    struct loader_request *req = dp_calloc(1, sizeof *req);
    req->gen = p->gen;
    req->what = LOAD_STANDBY;
    req->title = dp_strdup(p->feed ? p->feed->title : NULL);
    req->downloading = prog.pending;   /* wanted and not cached, running ones included */
    req->percent = prog.active_total > 0 ? (int)(prog.active_bytes * 100 / prog.active_total)
                                         : -1;
    req->now_wall_ms = dp_wall_ms();
    p->standby_requested = true;
    p->standby_refreshed = dp_mono_ms();
    loader_submit(p->loader, req);
}

/* Chooses what comes after the current item and has it prepared. */
static int64_t item_duration(struct player *p, const struct item *it);

/* The planned length of each item on the shared timeline: a video of
 * unknown length counts as video_max_duration, else as image_duration. */
static int64_t *timeline_durations(struct player *p, const struct item *items, size_t n)
{
    int64_t *d = dp_calloc(n ? n : 1, sizeof *d);
    for (size_t i = 0; i < n; i++) {
        const struct item *it = &items[i];
        int64_t ms = it->duration_ms;
        if (it->kind == ITEM_VIDEO && ms <= 0) {
            ms = it->media && it->media->duration_s > 0 ? (int64_t)(it->media->duration_s * 1000)
                 : p->cfg->video_max_duration_ms > 0    ? p->cfg->video_max_duration_ms
                                                         : p->cfg->image_duration_ms;
            if (p->cfg->video_max_duration_ms > 0 && ms > p->cfg->video_max_duration_ms)
                ms = p->cfg->video_max_duration_ms;
        }
        d[i] = item_duration(p, &(struct item){.duration_ms = ms, .kind = ITEM_IMAGE});
    }
    return d;
}

/* sync = wallclock: the next item is the one whose slot on the timeline
 * (which starts at the Unix epoch) follows the slot of now; an item that is
 * not ready here keeps its slot, and the current item stays through it, so
 * that every screen stays in step. */
static const struct item *plan_synced(struct player *p, int64_t now_wall)
{
    const struct item *items;
    size_t n = rotation_items(p->rotation, &items);
    int64_t *d = timeline_durations(p, items, n);
    int64_t tr = p->cfg->transition == DP_TRANSITION_CUT ? 0 : p->cfg->transition_ms;
    struct sync_slot slot;
    const struct item *found = NULL;
    if (sync_slot_at(d, n, tr, now_wall, &slot) == 0) {
        /* Nothing on screen: the item of now, at once. */
        if (p->cur_id && !p->standby && sync_next_slot(d, n, tr, &slot, &slot) < 0)
            n = 0;
        for (size_t k = 0; k < n; k++) {
            if (item_ready(p, &items[slot.index])) {
                found = &items[slot.index];
                break;
            }
            if (sync_next_slot(d, n, tr, &slot, &slot) < 0)
                break;
        }
    }
    if (found) {
        p->next_slot_start = slot.start_ms;
        p->next_slot_end = slot.end_ms;
    }
    free(d);
    return found;
}

static void plan_next(struct player *p)
{
    if (p->next != NEXT_NONE || !p->rotation || p->screen_off)
        return;
    const struct item *it;
    if (p->cfg->sync == DP_SYNC_WALLCLOCK) {
        it = plan_synced(p, dp_wall_ms());
        if (it && p->cur_id && !p->standby) {
            /* The current item stays until the planned slot begins. */
            p->cur_deadline = dp_mono_ms() + (p->next_slot_start - dp_wall_ms());
        }
    } else {
        it = rotation_next(p->rotation, dp_wall_ms(), item_ready, p, on_rotation_skip);
    }
    if (!it)
        return;   /* the loop shows the standby card when the screen is empty */
    if (p->cur_id && strcmp(it->id, p->cur_id) == 0 && !p->standby &&
        it->kind != ITEM_VIDEO) {
        /* The only playable item: it simply stays on screen. */
        free(p->next_id);
        p->next_id = dp_strdup(it->id);
        p->next = NEXT_SAME;
        return;
    }
    request_item(p, it);
}

static void emit_shown(struct player *p, int64_t now)
{
    if (!p->cur_id)
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "item", p->cur_id);
    cJSON_AddStringToObject(o, "kind", kind_name(p->cur_kind));
    cJSON_AddNumberToObject(o, "elapsed_ms", (double)(now - p->cur_started));
    int64_t frames, dropped;
    if (p->cur_kind == ITEM_VIDEO && scene_video_stats(&p->scene, &frames, &dropped)) {
        cJSON_AddNumberToObject(o, "frames", (double)frames);
        cJSON_AddNumberToObject(o, "dropped", (double)dropped);
        status_board_add_dropped(p->board, dropped);
    }
    playlog_write(p->log, "shown", o);
}

/* The show event, written when the item is fully on screen. */
static void announce(struct player *p)
{
    const struct item *it = p->rotation ? rotation_find(p->rotation, p->cur_id) : NULL;
    if (!it)
        return;
    p->shows++;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "item", it->id);
    cJSON_AddStringToObject(o, "post", it->post->id);
    cJSON_AddStringToObject(o, "kind", kind_name(it->kind));
    if (it->media)
        cJSON_AddStringToObject(o, "media", it->media->url);
    cJSON_AddNumberToObject(o, "duration_ms", (double)p->cur_planned);
    if (p->snaps) {
        char slug[80];
        dp_slug(it->id, 64, slug, sizeof slug);
        snprintf(p->snapshot_name, sizeof p->snapshot_name, "%06lld-%s.png",
                 (long long)p->shows, slug);
        cJSON_AddStringToObject(o, "snapshot", p->snapshot_name);
        p->snapshot_due = true;
        p->dirty = true;
    }
    playlog_write(p->log, "show", o);
    LOG_I("app", "show %s (%s)", it->id, kind_name(it->kind));
    status_board_set_showing(p->board, it->id, kind_name(it->kind), dp_wall_ms());
    status_board_add_shows(p->board, 1);
    if (it->media && !url_is_local(it->media->url))
        cache_mark_shown(p->cache, it->media->url, dp_wall_ms());
    p->cur_announced = true;
}

static int64_t item_duration(struct player *p, const struct item *it)
{
    int64_t d = it->duration_ms;
    if (d <= 0)
        d = p->cfg->image_duration_ms;
    int64_t min = p->cfg->transition_ms + MIN_DURATION_MS;
    return d < min ? min : d;
}

static void stop(struct player *p, const char *reason)
{
    p->quit = true;
    if (!p->stop_reason)
        p->stop_reason = reason;
}

/* The current item's time is up (or nothing is on screen): move on. */
static void advance(struct player *p, int64_t now)
{
    const struct item *it = p->next_id ? rotation_find(p->rotation, p->next_id) : NULL;
    if ((p->next == NEXT_READY || p->next == NEXT_SAME) && !it) {
        invalidate_next(p);   /* its post left the feed meanwhile */
        return;
    }
    if (p->next != NEXT_READY && p->next != NEXT_SAME)
        return;               /* not ready: the current item stays a little longer */
    if (p->cl->cycles > 0 && !p->standby && p->cur_id &&
        rotation_wraps(p->rotation, it) && rotation_cycles(p->rotation) + 1 >= p->cl->cycles) {
        emit_shown(p, now);
        free(p->cur_id);
        p->cur_id = NULL;
        stop(p, "cycles");
        return;
    }
    emit_shown(p, now);
    rotation_commit(p->rotation, it);
    free(p->cur_id);
    p->cur_id = dp_strdup(it->id);
    p->cur_kind = it->kind;
    p->cur_started = now;
    p->cur_deadline = now + item_duration(p, it);
    if (p->cfg->sync == DP_SYNC_WALLCLOCK && p->next_slot_end > 0) {
        int64_t wall = dp_wall_ms();
        p->cur_deadline = now + (p->next_slot_end - wall);
        if (p->cur_deadline < now + MIN_DURATION_MS)
            p->cur_deadline = now + MIN_DURATION_MS;   /* joined at the end of a slot */
        p->next_slot_start = p->next_slot_end = 0;
    }
    p->cur_planned = p->cur_deadline - now;
    p->cur_announced = false;
    if (p->next == NEXT_SAME) {
        announce(p);
    } else {
        scene_start(&p->scene, now);
        if (it->kind == ITEM_VIDEO && it->duration_ms <= 0 &&
            p->cfg->sync != DP_SYNC_WALLCLOCK) {
            /* A video ends when it has played (SCENE_VIDEO_ENDED); the
             * deadline only guards against one that never says so. */
            int64_t len = scene_video_duration_ms(&p->scene);
            p->cur_deadline = now + (len > 0 ? len + VIDEO_GRACE_MS : VIDEO_UNKNOWN_MS);
            p->cur_planned = len;
        }
        if (!scene_in_transition(&p->scene))
            announce(p);
    }
    p->standby = false;
    p->next = NEXT_NONE;
    free(p->next_id);
    p->next_id = NULL;
    p->dirty = true;
    plan_next(p);
}

/* ---- messages ------------------------------------------------------------------ */

static void update_wanted(struct player *p)
{
    const struct item *items;
    size_t n = rotation_items(p->rotation, &items);
    const char **urls = dp_calloc(n ? n : 1, sizeof *urls);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!items[i].media || url_is_local(items[i].media->url))
            continue;
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = strcmp(urls[j], items[i].media->url) == 0;
        if (!dup)
            urls[k++] = items[i].media->url;
    }
    if (p->net)
        net_set_wanted(p->net, urls, k);   /* also tells the cache what to keep */
    free(urls);
}

static void handle_feed(struct player *p, struct feed *feed)
{
    if (!p->rotation) {
        struct rotation_params rp = {
            .image_duration_ms = p->cfg->image_duration_ms,
            .text_duration_ms = p->cfg->text_duration_ms,
            .video_max_duration_ms = p->cfg->video_max_duration_ms,
            .max_items = p->cfg->max_items,
            .max_age_ms = p->cfg->max_age_ms,
            .new_posts = p->cfg->new_posts,
        };
        p->rotation = rotation_create(&rp);
    }
    bool interrupt = rotation_set_feed(p->rotation, feed, dp_wall_ms());
    feed_unref(p->feed);
    p->feed = feed;           /* the message's reference */
    list_clear(&p->skipped, &p->n_skipped);
    update_wanted(p);
    /* What comes next may have changed (new posts first, a post removed). */
    if (p->next != NEXT_NONE) {
        const struct item *cand = rotation_next(p->rotation, dp_wall_ms(), item_ready, p, NULL);
        if (!cand || !p->next_id || strcmp(cand->id, p->next_id) != 0)
            invalidate_next(p);
    }
    /* A post taken down leaves the screen at once (feeds.md), as does the
     * current item when a new post interrupts. */
    bool taken_down = p->cur_id && !p->standby && !rotation_find(p->rotation, p->cur_id);
    if (taken_down)
        LOG_I("app", "%s left the feed: it leaves the screen", p->cur_id);
    if (interrupt || taken_down)
        p->cur_deadline = dp_mono_ms();
    plan_next(p);
    /* The standby card names the feed and counts its downloads. */
    if ((p->standby || !p->cur_id) && p->next == NEXT_NONE) {
        if (p->standby_requested)
            p->standby_stale = true;
        else
            request_standby(p);
    }
}

static void handle_loaded(struct player *p, struct loader_result *res, int64_t now)
{
    if (p->screen_off)
        return;
    if (res->what == LOAD_STANDBY) {
        p->standby_requested = false;
        if ((p->cur_id && !p->standby) || p->next == NEXT_READY)
            return;           /* content arrived meanwhile */
        SDL_Surface *s = res->surface;
        res->surface = NULL;
        if (s && scene_set_next(&p->scene, s) == 0) {
            scene_start(&p->scene, now);
            p->standby = true;
            p->dirty = true;
        }
        if (p->standby_stale) {
            p->standby_stale = false;
            request_standby(p);
        }
        return;
    }
    if (res->gen != p->gen || p->next != NEXT_REQUESTED)
        return;               /* stale */
    if (!res->surface && !res->video) {
        log_skip(p, res->item_id, res->reason);
        const struct item *it = rotation_find(p->rotation, res->item_id);
        if (it && it->media && strcmp(res->reason, "corrupt") == 0)
            net_refetch(p->net, it->media->url);   /* deleted by the cache: again */
        else if (it && it->media && strcmp(res->reason, "not_cached") != 0)
            list_add(&p->bad, &p->n_bad, it->media->url);
        p->next = NEXT_NONE;
        free(p->next_id);
        p->next_id = NULL;
        plan_next(p);
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
        log_skip(p, res->item_id, "render_error");
        p->next = NEXT_NONE;
        free(p->next_id);
        p->next_id = NULL;
        return;
    }
    p->next = NEXT_READY;
    if (!p->cur_id || p->standby)
        advance(p, now);
}

static void reload(struct player *p);

static void handle_signal(struct player *p, int sig)
{
    switch (sig) {
    case SIGTERM:
    case SIGINT:
        stop(p, sig == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
    case SIGHUP:
        reload(p);
        break;
    case SIGUSR1:
        net_poll_now(p->net);
        break;
    }
}

static void handle_messages(struct player *p)
{
    struct dp_msg m;
    while (!p->quit && dp_mq_get(p->mq, &m)) {
        int64_t now = dp_mono_ms();
        switch (m.type) {
        case MSG_FEED:
            handle_feed(p, m.payload);
            m.payload = NULL;
            break;
        case MSG_MEDIA:
            list_remove(p->bad, &p->n_bad, m.payload);
            list_clear(&p->skipped, &p->n_skipped);
            plan_next(p);
            break;
        case MSG_LOADED:
            handle_loaded(p, m.payload, now);
            break;
        case MSG_SIGNAL:
            handle_signal(p, (int)m.arg);
            break;
        }
        dp_msg_free(&m);
    }
}

static void handle_sdl_event(struct player *p, const SDL_Event *e)
{
    if (e->type == SDL_QUIT) {
        stop(p, "quit");
    } else if (e->type == SDL_KEYDOWN &&
               (e->key.keysym.sym == SDLK_ESCAPE || e->key.keysym.sym == SDLK_q)) {
        stop(p, "quit");
    } else if (e->type == SDL_WINDOWEVENT &&
               (e->window.event == SDL_WINDOWEVENT_EXPOSED ||
                e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)) {
        p->dirty = true;
    } else if (e->type == SDL_RENDER_TARGETS_RESET || e->type == SDL_RENDER_DEVICE_RESET) {
        p->dirty = true;
    }
}

static void pump_sdl(struct player *p)
{
    SDL_Event e;
    while (SDL_PollEvent(&e))
        handle_sdl_event(p, &e);
    p->last_pump = dp_mono_ms();
}

/* Sleeps until deadline (monotonic ms) or a message. */
static void wait_until(struct player *p, int64_t deadline)
{
    int64_t timeout = deadline - dp_mono_ms();
    if (timeout < 0)
        timeout = 0;
    if (p->display.can_wait) {
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, (int)(timeout > 1000000 ? 1000000 : timeout)))
            handle_sdl_event(p, &e);
        return;
    }
    int64_t pump_in = p->last_pump + PUMP_MS - dp_mono_ms();
    if (pump_in < timeout)
        timeout = pump_in < 0 ? 0 : pump_in;
    struct pollfd pfd = {.fd = p->efd, .events = POLLIN};
    if (poll(&pfd, 1, (int)timeout) > 0) {
        uint64_t v;
        ssize_t r = read(p->efd, &v, sizeof v);
        (void)r;
    }
    if (dp_mono_ms() - p->last_pump >= PUMP_MS)
        pump_sdl(p);
}

static void free_surface(void *s) { SDL_FreeSurface(s); }

/* Writes the --snapshot-interval frame when one is due (after drawing,
 * before presenting). */
static void interval_snapshot(struct player *p, int64_t now)
{
    if (!p->snaps || p->cl->snapshot_interval_ms <= 0 || now < p->next_interval_snap)
        return;
    SDL_Surface *s = display_read(&p->display);
    char name[32];
    snprintf(name, sizeof name, "t%08lld.png", (long long)(now - p->start_ms));
    if (s)
        snapshots_write(p->snaps, s, name);
    p->next_interval_snap = now + p->cl->snapshot_interval_ms;
}

static void draw(struct player *p, int64_t now)
{
    display_begin(&p->display);
    if (p->screen_off) {
        SDL_SetRenderDrawColor(p->display.renderer, 0, 0, 0, 255);
        SDL_RenderClear(p->display.renderer);
    } else {
        scene_draw(&p->scene, now);
    }
    display_finish(&p->display);
    if (p->snaps && p->snapshot_due) {
        SDL_Surface *s = display_read(&p->display);
        if (s)
            snapshots_write(p->snaps, s, p->snapshot_name);
        p->snapshot_due = false;
    }
    interval_snapshot(p, now);
    if (p->board && status_board_frame_wanted(p->board)) {
        SDL_Surface *s = display_read(&p->display);
        if (s)
            status_board_put_frame(p->board, s, free_surface);
    }
    display_present(&p->display);
    p->dirty = false;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static void load_schedule(struct player *p)
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
static int64_t apply_schedule(struct player *p, int64_t now)
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
        emit_shown(p, now);
        free(p->cur_id);
        p->cur_id = NULL;
        p->standby = false;
        invalidate_next(p);
        scene_finish(&p->scene);
        scene_init(&p->scene, p->display.renderer, p->display.w, p->display.h,
                   p->cfg->background, p->cfg->transition, p->cfg->transition_ms);
        p->screen_off = true;
        p->dirty = true;
        SDL_EnableScreenSaver();   /* lets X11 / Wayland blank the display */
    } else if (on && p->screen_off) {
        LOG_I("app", "schedule: opening hours, screen on");
        p->screen_off = false;
        p->dirty = true;
        SDL_DisableScreenSaver();
        plan_next(p);
    }
    int64_t change = schedule_next_change(&p->schedule, wall + off);
    int64_t in = change == INT64_MAX ? 60000 : change - off - wall;
    /* Checked at least every minute: daylight saving and clock steps. */
    return now + (in < 60000 ? (in < 0 ? 0 : in) : 60000);
}

static void loop(struct player *p)
{
    p->last_pump = dp_mono_ms();
    p->next_interval_snap = p->start_ms;
    while (!p->quit) {
        /* The schedule first: nothing planned while the screen is off. */
        int64_t schedule_due = apply_schedule(p, dp_mono_ms());
        handle_messages(p);
        if (p->quit)
            break;
        int64_t now = dp_mono_ms();
        if (p->cl->run_for_ms > 0 && now - p->start_ms >= p->cl->run_for_ms) {
            stop(p, "run_for");
            break;
        }
        if (p->screen_off) {
            bool interval = p->snaps && p->cl->snapshot_interval_ms > 0;
            if (p->dirty || (interval && now >= p->next_interval_snap) ||
                (p->board && status_board_frame_wanted(p->board)))
                draw(p, now);
            int64_t until = schedule_due;
            if (interval)
                until = min64(until, p->next_interval_snap);
            if (p->cl->run_for_ms > 0)
                until = min64(until, p->start_ms + p->cl->run_for_ms);
            wait_until(p, until);
            continue;
        }
        if (scene_tick(&p->scene, now)) {
            p->dirty = true;
            if (p->cur_id && !p->cur_announced)
                announce(p);
        }
        int64_t video_due = INT64_MAX;
        int vflags = scene_video_tick(&p->scene, now, &video_due);
        if (vflags & SCENE_VIDEO_FRAME)
            p->dirty = true;
        if ((vflags & SCENE_VIDEO_ENDED) && p->cur_kind == ITEM_VIDEO && p->cur_id &&
            !p->standby && p->cur_deadline > now && p->cfg->sync != DP_SYNC_WALLCLOCK)
            p->cur_deadline = now;   /* the video has played: on to the next item */
        if (p->cur_id && !p->standby && now >= p->cur_deadline) {
            if (p->next == NEXT_NONE)
                plan_next(p);
            advance(p, now);
        }
        /* With a warm cache the first item is ready at once; otherwise the
         * standby card fills the screen until it is. */
        if (!p->scene.cur.used && !p->standby_requested && !p->screen_off &&
            now - p->start_ms >= STANDBY_AFTER_MS)
            request_standby(p);
        if (p->standby && !p->standby_requested && p->next == NEXT_NONE &&
            now - p->standby_refreshed >= STANDBY_REFRESH_MS) {
            plan_next(p);
            if (p->next == NEXT_NONE && p->standby)
                request_standby(p);
        }
        if (p->quit)
            break;
        bool animating = scene_in_transition(&p->scene);
        bool interval = p->snaps && p->cl->snapshot_interval_ms > 0;
        /* Nothing is drawn before the first picture (the standby card) is
         * there: a frame of plain background is what a viewer must not see. */
        bool content = p->scene.cur.used;
        if (p->board && status_board_frame_wanted(p->board))
            p->dirty = true;   /* /screenshot.png: the next frame is read back */
        if (content && (p->dirty || animating || (interval && now >= p->next_interval_snap)))
            draw(p, now);

        /* The next thing that needs the main thread. */
        int64_t deadline = now + 3600 * 1000;
        if (!content && !p->standby_requested)
            deadline = min64(deadline, p->start_ms + STANDBY_AFTER_MS);
        if (animating)
            deadline = now + FRAME_MS;
        /* Past the deadline with the next item still loading, the loader's
         * message wakes the loop: no spinning meanwhile. */
        bool waiting_next = now >= p->cur_deadline && p->next != NEXT_READY &&
                            p->next != NEXT_SAME;
        if (p->cur_id && !p->standby && !waiting_next)
            deadline = min64(deadline, p->cur_deadline);
        deadline = min64(deadline, video_due);
        deadline = min64(deadline, schedule_due);
        if (p->standby)
            deadline = min64(deadline, p->standby_refreshed + STANDBY_REFRESH_MS);
        if (interval && content)
            deadline = min64(deadline, p->next_interval_snap);
        if (p->cl->run_for_ms > 0)
            deadline = min64(deadline, p->start_ms + p->cl->run_for_ms);
        wait_until(p, deadline);
    }
}

/* ---- set-up and tear-down -------------------------------------------------------- */

static enum display_mode display_mode(const struct dp_cmdline *cl)
{
    return cl->headless ? DISPLAY_HEADLESS : cl->windowed ? DISPLAY_WINDOWED : DISPLAY_FULLSCREEN;
}

static void write_start(struct player *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", DP_VERSION);
    cJSON_AddStringToObject(o, "feed", p->feed_url);
    cJSON_AddStringToObject(o, "cache_dir", p->setup->cache_dir);
    char size[32];
    snprintf(size, sizeof size, "%dx%d", p->display.out_w, p->display.out_h);
    cJSON_AddStringToObject(o, "size", size);
    playlog_write(p->log, "start", o);
    int64_t wall = dp_wall_ms();
    if (dp_wall_clock_suspect(wall)) {
        char ts[40];
        dp_format_rfc3339(wall, ts, sizeof ts);
        LOG_W("app", "the clock says %s, before this program was built: it is wrong "
              "(TLS certificate checks will fail until NTP sets it)", ts);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "where", "clock");
        char msg[128];
        snprintf(msg, sizeof msg, "wall clock %s is before the build date", ts);
        cJSON_AddStringToObject(e, "error", msg);
        playlog_write(p->log, "error", e);
    }
}

/* ---- the status endpoint (its thread) ----------------------------------------- */

static void status_snapshot(void *ctx, struct status_info *out)
{
    struct player *p = ctx;
    status_board_snapshot(p->board, out);
    struct cache_stats st;
    cache_get_stats(p->cache, &st);
    out->cache.bytes = st.bytes;
    out->cache.files = st.files;
    out->cache.max_bytes = st.max_bytes;
}

static Sint64 png_rw_write_size(SDL_RWops *rw) { return (Sint64)((struct dp_buf *)rw->hidden.unknown.data1)->len; }

static size_t png_rw_write(SDL_RWops *rw, const void *data, size_t size, size_t n)
{
    struct dp_buf *b = rw->hidden.unknown.data1;
    return dp_buf_append(b, data, size * n) == 0 ? n : 0;
}

static Sint64 png_rw_seek(SDL_RWops *rw, Sint64 off, int whence)
{
    struct dp_buf *b = rw->hidden.unknown.data1;
    return whence == RW_SEEK_CUR && off == 0 ? (Sint64)b->len : -1;
}

static int png_rw_close(SDL_RWops *rw)
{
    SDL_FreeRW(rw);
    return 0;
}

/* Asks main for the frame on screen and encodes it here, off the main thread. */
static int status_screenshot(void *ctx, void **png, size_t *len, int timeout_ms)
{
    struct player *p = ctx;
    SDL_Surface *s = status_board_wait_frame(p->board, timeout_ms);
    if (!s)
        return -1;
    struct dp_buf b;
    dp_buf_init(&b, 64L * 1024 * 1024);
    SDL_RWops *rw = SDL_AllocRW();
    int r = -1;
    if (rw) {
        rw->size = png_rw_write_size;
        rw->write = png_rw_write;
        rw->seek = png_rw_seek;
        rw->close = png_rw_close;
        rw->hidden.unknown.data1 = &b;
        r = IMG_SavePNG_RW(s, rw, 1);
    }
    SDL_FreeSurface(s);
    if (r < 0) {
        dp_buf_finish(&b);
        return -1;
    }
    *png = dp_buf_steal(&b, len);
    return 0;
}

static void start_status(struct player *p)
{
    struct status_source src = {.ctx = p, .snapshot = status_snapshot,
                                .screenshot = status_screenshot};
    char err[256] = "";
    p->status = status_start(p->cfg->status_listen, p->cfg->status_token, &src, err,
                             sizeof err);
    if (!p->status && *err)
        LOG_W("app", "status endpoint off: %s", err);   /* never fatal */
}

static int start_loader(struct player *p, char *err, size_t errlen)
{
    struct loader_config lc = {
        .w = p->display.w,
        .h = p->display.h,
        .style = {.background = p->cfg->background, .margin = p->cfg->margin,
                  .show_qr = p->cfg->show_qr},
        .font = p->cfg->font,
        .assets_dir = p->setup->assets_dir,
        .cache = p->cache,
        .audio_out = p->audio,
        .audio = p->cfg->audio,
        .volume = p->cfg->volume,
        .video_max_duration_ms = p->cfg->video_max_duration_ms,
        .hwdec = options_hwdec_name(p->cfg->hwdec),
    };
    p->loader = loader_create(&lc, p->mq, MSG_LOADED, err, errlen);
    return p->loader ? 0 : -1;
}

static int start_net(struct player *p)
{
    struct net_config nc = {
        .feed_url = p->feed_url,
        .poll_interval_ms = p->cfg->poll_interval_ms,
        .headers = p->cfg->headers,
        .ca_file = p->cfg->ca_file,
        .max_media_size = p->cfg->max_media_size,
        .public_key = p->cfg->public_key && *p->cfg->public_key ? p->cfg->public_key : NULL,
        .notify_url = p->cfg->notify && *p->cfg->notify ? p->cfg->notify : NULL,
        .notify_jitter_ms = p->cfg->notify_jitter_ms,
    };
    struct net_callbacks cb = {.on_feed = on_feed, .on_media = on_media,
                               .on_event = on_net_event, .on_push = on_push, .ctx = p};
    p->net = net_start(&nc, p->cache, &cb);
    return p->net ? 0 : -1;
}

/* Settings that only a restart applies. */
static void warn_restart_needed(const struct dp_config *a, const struct dp_config *b)
{
    if (a->size_w != b->size_w || a->size_h != b->size_h || a->rotation != b->rotation)
        LOG_W("app", "SIGHUP: [display] size and rotation change at the next start");
    if (a->max_size != b->max_size ||
        (a->cache_dir && b->cache_dir ? strcmp(a->cache_dir, b->cache_dir) != 0
                                      : a->cache_dir != b->cache_dir))
        LOG_W("app", "SIGHUP: [cache] settings change at the next start");
    if (a->audio != b->audio)
        LOG_W("app", "SIGHUP: [playback] audio changes at the next start");
}

/* SIGHUP: the config is read again; a bad file leaves everything as it was.
 * The item on screen stays; the loader and the network threads start again
 * with the new settings, and the feed is polled at once. */
static void reload(struct player *p)
{
    char err[512];
    struct dp_config *cfg = dp_calloc(1, sizeof *cfg);
    if (!p->setup->reload || p->setup->reload(p->cl, cfg, err, sizeof err) < 0) {
        LOG_E("app", "SIGHUP: config not reloaded: %s", err);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "where", "config");
        cJSON_AddStringToObject(e, "error", err);
        playlog_write(p->log, "error", e);
        free(cfg);
        return;
    }
    warn_restart_needed(p->cfg, cfg);
    net_stop(p->net);
    p->net = NULL;
    loader_destroy(p->loader);
    p->loader = NULL;
    invalidate_next(p);
    p->standby_requested = false;

    struct dp_config *old_owned = p->reloaded;   /* setup's cfg is main's */
    p->cfg = cfg;
    p->reloaded = cfg;
    if (!p->cl->feed && cfg->feed_url && *cfg->feed_url &&
        strcmp(cfg->feed_url, p->feed_url) != 0) {
        free(p->feed_url);
        p->feed_url = dp_strdup(cfg->feed_url);
    }
    load_schedule(p);
    p->scene.background = cfg->background;
    p->scene.transition = cfg->transition;
    p->scene.transition_ms = cfg->transition == DP_TRANSITION_CUT ? 0 : cfg->transition_ms;
    if (old_owned) {
        options_finish(old_owned);
        free(old_owned);
    }
    /* The loader first: rebuilding the rotation plans the next item. */
    if (start_loader(p, err, sizeof err) < 0) {
        LOG_E("app", "SIGHUP: cannot restart: %s", err);
        stop(p, "error");
        return;
    }
    if (p->rotation) {
        /* The rotation keeps its feed; its parameters are the new ones. */
        rotation_destroy(p->rotation);
        p->rotation = NULL;
        struct feed *f = p->feed;
        p->feed = NULL;
        if (f)
            handle_feed(p, f);
    }
    if (start_net(p) < 0) {
        LOG_E("app", "SIGHUP: cannot restart the network threads");
        stop(p, "error");
        return;
    }
    LOG_I("app", "SIGHUP: config reloaded");
    plan_next(p);
}

int player_run(const struct player_setup *setup)
{
    struct player pl;
    struct player *p = &pl;
    memset(p, 0, sizeof *p);
    p->setup = setup;
    p->cfg = setup->cfg;
    p->feed_url = dp_strdup(setup->feed_url);
    load_schedule(p);
    p->cl = setup->cl;
    p->efd = -1;
    p->exit_code = 1;
    char err[512] = "";

    /* Signals go to the sigwait thread only: block them before any thread
     * (SDL's included) exists. */
    sigset_t set;
    player_signals(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (setup->cl->play_log) {
        p->log = playlog_open(setup->cl->play_log);
        if (!p->log) {
            LOG_E("app", "play log %s: %s", setup->cl->play_log, strerror(errno));
            return 1;
        }
    }
    p->cache = cache_open(setup->cache_dir, p->cfg->max_size, p->cfg->max_media_size, err,
                          sizeof err);
    if (!p->cache) {
        LOG_E("app", "cache: %s", err);
        playlog_close(p->log);
        return 1;
    }

    enum display_mode mode = display_mode(p->cl);
    display_prepare(mode);
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) < 0) {
        LOG_E("app", "cannot open a display: %s%s", SDL_GetError(),
              mode == DISPLAY_HEADLESS ? "" : " (try --headless)");
        goto out;
    }
    if (TTF_Init() < 0) {
        LOG_E("app", "font library: %s", TTF_GetError());
        goto out_sdl;
    }
    IMG_Init(IMG_INIT_PNG | IMG_INIT_JPG | IMG_INIT_WEBP);
    video_log_init(dp_log_get_level() >= DP_LOG_DEBUG);
    if (p->cfg->audio) {
        p->audio = audio_out_create(err, sizeof err);
        if (!p->audio)
            LOG_W("app", "no sound: %s", err);   /* video still plays, silently */
    }
    int w = p->cl->headless ? p->cl->size_w : p->cl->windowed ? p->cl->windowed_w
                                                               : p->cfg->size_w;
    int h = p->cl->headless ? p->cl->size_h : p->cl->windowed ? p->cl->windowed_h
                                                               : p->cfg->size_h;
    if (display_open(&p->display, mode, w, h, p->cfg->rotation, err, sizeof err) < 0) {
        LOG_E("app", "%s%s", err, mode == DISPLAY_HEADLESS ? "" : " (try --headless)");
        goto out_ttf;
    }
    p->wake_event = SDL_RegisterEvents(1);
    p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    p->mq = dp_mq_create(DP_MQ_DEPTH, wake_main, p);
    scene_init(&p->scene, p->display.renderer, p->display.w, p->display.h,
               p->cfg->background, p->cfg->transition, p->cfg->transition_ms);
    if (p->cl->snapshot_dir) {
        p->snaps = snapshots_create(p->cl->snapshot_dir, err, sizeof err);
        if (!p->snaps) {
            LOG_E("app", "%s", err);
            goto out_display;
        }
    }
    if (start_loader(p, err, sizeof err) < 0) {
        LOG_E("app", "%s", err);
        goto out_display;
    }
    if (pthread_create(&p->sig_thread, NULL, signal_main, p) == 0)
        p->sig_thread_started = true;

    p->start_ms = dp_mono_ms();
    p->board = status_board_create(wake_main, p);
    status_board_feed_polled(p->board, p->feed_url, 0, "not polled yet", -1);
    start_status(p);
    write_start(p);
    if (start_net(p) < 0) {
        LOG_E("app", "cannot start the network threads");
        goto out_threads;
    }

    loop(p);
    p->exit_code = 0;
    emit_shown(p, dp_mono_ms());
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "reason", p->stop_reason ? p->stop_reason : "quit");
    playlog_write(p->log, "stop", o);
    LOG_I("app", "stop: %s", p->stop_reason ? p->stop_reason : "quit");

    net_stop(p->net);
out_threads:
    status_stop(p->status);
    status_board_destroy(p->board);
    if (p->sig_thread_started) {
        pthread_kill(p->sig_thread, SIGUSR2);
        pthread_join(p->sig_thread, NULL);
    }
    loader_destroy(p->loader);
out_display:
    snapshots_destroy(p->snaps);
    /* Messages may still hold feeds and pictures. */
    dp_mq_destroy(p->mq);
    scene_finish(&p->scene);
    rotation_destroy(p->rotation);
    feed_unref(p->feed);
    display_close(&p->display);
    audio_out_destroy(p->audio);   /* after every video (scene, messages) is closed */
    if (p->efd >= 0)
        close(p->efd);
    free(p->cur_id);
    free(p->next_id);
    free(p->feed_url);
    if (p->reloaded) {
        options_finish(p->reloaded);
        free(p->reloaded);
    }
    list_clear(&p->bad, &p->n_bad);
    list_clear(&p->skipped, &p->n_skipped);
out_ttf:
    IMG_Quit();
    TTF_Quit();
out_sdl:
    SDL_Quit();
out:
    cache_close(p->cache);
    playlog_close(p->log);
    return p->exit_code;
}
