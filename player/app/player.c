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
 * rate. Signals are taken by a sigwait thread and arrive as messages.
 * The item state machine (what comes next and when) is items.c. */
#include "app/player_internal.h"

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

#include "app/loader.h"
#include "app/playlog.h"
#include "app/status.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/mq.h"
#include "base/xalloc.h"
#include "cache/cache.h"
#include "media/audio.h"
#include "media/video.h"
#include "net/net.h"
#include "render/display.h"
#include "render/scene.h"
#include "render/scene_video.h"
#include "render/snapshot.h"

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
        if (sig == SIGUSR2) /* sent by player_run to end this thread */
            break;
        dp_mq_post_must(p->mq, (struct dp_msg){.type = MSG_SIGNAL, .arg = sig});
    }
    return NULL;
}

/* ---- net callbacks (net's threads) ----------------------------------------------- */

static void feed_msg_free(void *f)
{
    feed_unref(f);
}

static void on_feed(void *ctx, struct feed *feed)
{
    struct player *p = ctx;
    /* A lost feed would not come again until it changes: never dropped. */
    dp_mq_post_must(
        p->mq, (struct dp_msg){.type = MSG_FEED, .payload = feed, .free_payload = feed_msg_free});
}

static void on_media(void *ctx, const char *url)
{
    struct player *p = ctx;
    dp_mq_post_must(
        p->mq,
        (struct dp_msg){.type = MSG_MEDIA, .payload = dp_strdup(url), .free_payload = free});
}

/* net's push channels: their state goes to the status board (issue 11). */
static void on_push(void *ctx, const struct net_push_status *st)
{
    struct player *p = ctx;
    status_board_set_push(p->board, st->channel, st->state, st->messages, st->connects, st->error);
}

static void on_net_event(void *ctx, const struct net_event *ev)
{
    struct player *p = ctx;
    const char *url = ev->url ? ev->url : "";
    const char *result = ev->result ? ev->result : "error";
    switch (ev->type) {
    case NET_EV_POLL:
        status_board_feed_polled(p->board, ev->url, dp_wall_ms(),
                                 strcmp(result, "updated") == 0 ||
                                         strcmp(ev->result ? ev->result : "", "not_modified") == 0
                                     ? NULL
                                     : (ev->error ? ev->error : ev->result),
                                 ev->items);
        playlog_poll(p->log, &(struct playlog_poll){.url = url,
                                                    .status = ev->status,
                                                    .result = result,
                                                    .items = ev->items,
                                                    .error = ev->error});
        break;
    case NET_EV_DOWNLOAD:
        playlog_download(
            p->log, &(struct playlog_download){
                        .url = url, .bytes = ev->bytes, .result = result, .error = ev->error});
        break;
    case NET_EV_SKIP:
        playlog_skip(p->log, &(struct playlog_skip){.item = ev->item ? ev->item : "",
                                                    .reason = ev->reason ? ev->reason : "",
                                                    .media = ev->url,
                                                    .error = ev->error});
        break;
    case NET_EV_ERROR:
        playlog_error(p->log, ev->item ? ev->item : "net", ev->error);
        break;
    }
}

/* ---- messages ------------------------------------------------------------------ */

void player_stop(struct player *p, const char *reason)
{
    p->quit = true;
    if (!p->stop_reason)
        p->stop_reason = reason;
}

static void reload(struct player *p);

static void handle_signal(struct player *p, int sig)
{
    switch (sig) {
    case SIGTERM:
    case SIGINT:
        player_stop(p, sig == SIGTERM ? "SIGTERM" : "SIGINT");
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
            items_handle_feed(p, m.payload);
            m.payload = NULL;
            break;
        case MSG_MEDIA:
            strlist_remove(p->bad, &p->n_bad, m.payload);
            strlist_clear(&p->skipped, &p->n_skipped);
            items_media_ready(p, m.payload);
            break;
        case MSG_LOADED:
            items_handle_loaded(p, m.payload, now);
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
        player_stop(p, "quit");
    } else if (e->type == SDL_KEYDOWN &&
               (e->key.keysym.sym == SDLK_ESCAPE || e->key.keysym.sym == SDLK_q)) {
        player_stop(p, "quit");
    } else if (e->type == SDL_WINDOWEVENT && (e->window.event == SDL_WINDOWEVENT_EXPOSED ||
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

static void free_surface(void *s)
{
    SDL_FreeSurface(s);
}

/* Writes the --snapshot-interval frame when one is due (after drawing,
 * before presenting). */
static void interval_snapshot(struct player *p, int64_t now)
{
    if (!p->snaps || p->cl->snapshot_interval_ms <= 0 || now < p->next_interval_snap)
        return;
    p->next_interval_snap = now + p->cl->snapshot_interval_ms;
    if (!snapshots_reserve(p->snaps, SNAPSHOT_INTERVAL))
        return; /* the writer is behind: skipped (no event names it) */
    char name[32];
    snprintf(name, sizeof name, "t%08lld.png", (long long)(now - p->start_ms));
    snapshots_write(p->snaps, SNAPSHOT_INTERVAL, display_read(&p->display), name);
}

static void draw(struct player *p, int64_t now)
{
    display_begin(&p->display);
    if (p->screen_off) {
        display_blank(&p->display);
    } else {
        scene_draw(&p->scene, now);
    }
    display_finish(&p->display);
    if (p->snaps && p->snapshot_due) {
        SDL_Surface *s = display_read(&p->display);
        if (!s)
            LOG_W("app", "snapshot %s: the frame cannot be read", p->snapshot_name);
        snapshots_write(p->snaps, SNAPSHOT_ITEM, s, p->snapshot_name);
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
    host_frame_shown(p);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}
static void loop(struct player *p)
{
    p->last_pump = dp_mono_ms();
    p->next_interval_snap = p->start_ms;
    while (!p->quit) {
        /* The schedule first: nothing planned while the screen is off. */
        int64_t schedule_due = items_apply_schedule(p, dp_mono_ms());
        handle_messages(p);
        if (p->quit)
            break;
        int64_t now = dp_mono_ms();
        int64_t host_due = host_tick(p, now); /* watchdog, STATUS=, screen power */
        if (p->cl->run_for_ms > 0 && now - p->start_ms >= p->cl->run_for_ms) {
            player_stop(p, "run_for");
            break;
        }
        if (p->screen_off) {
            bool interval = p->snaps && p->cl->snapshot_interval_ms > 0;
            if (p->dirty || (interval && now >= p->next_interval_snap) ||
                (p->board && status_board_frame_wanted(p->board)))
                draw(p, now);
            int64_t until = min64(schedule_due, host_tick(p, now));
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
                items_announce(p);
        }
        int64_t video_due = INT64_MAX;
        int vflags = scene_video_tick(&p->scene, now, &video_due);
        if (vflags & SCENE_VIDEO_FRAME)
            p->dirty = true;
        if ((vflags & SCENE_VIDEO_ENDED) && p->cur_kind == ITEM_VIDEO && p->cur_id &&
            !p->standby && p->cur_deadline > now && p->cur_slot_end == 0)
            p->cur_deadline = now; /* the video has played: on to the next item */
        if (p->cur_id && !p->standby && now >= p->cur_deadline) {
            if (p->next == NEXT_NONE)
                items_plan_next(p);
            items_advance(p, now);
        } else if (items_join_due(p, now)) {
            items_advance(p, now); /* a synced screen joins at a slot's start */
        }
        /* With a warm cache the first item is ready at once; otherwise the
         * standby card fills the screen until it is. */
        if (!scene_has_current(&p->scene) && !p->standby_requested && !p->screen_off &&
            now - p->start_ms >= STANDBY_AFTER_MS)
            items_request_standby(p);
        if (p->standby && !p->standby_requested && p->next == NEXT_NONE &&
            now - p->standby_refreshed >= STANDBY_REFRESH_MS) {
            items_plan_next(p);
            if (p->next == NEXT_NONE && p->standby)
                items_request_standby(p);
        }
        if (p->quit)
            break;
        bool animating = scene_in_transition(&p->scene);
        bool interval = p->snaps && p->cl->snapshot_interval_ms > 0;
        /* Nothing is drawn before the first picture (the standby card) is
         * there: a frame of plain background is what a viewer must not see. */
        bool content = scene_has_current(&p->scene);
        if (p->board && status_board_frame_wanted(p->board))
            p->dirty = true; /* /screenshot.png: the next frame is read back */
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
        if ((p->cur_id && !p->standby && !waiting_next) ||
            ((!p->cur_id || p->standby) && p->next == NEXT_READY))
            deadline = min64(deadline, p->cur_deadline);
        deadline = min64(deadline, video_due);
        deadline = min64(deadline, schedule_due);
        deadline = min64(deadline, host_due);
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
    playlog_start(p->log, &(struct playlog_start){.version = DP_VERSION,
                                                  .feed = p->feed_url,
                                                  .cache_dir = p->setup->cache_dir,
                                                  .w = p->display.out_w,
                                                  .h = p->display.out_h});
    int64_t wall = dp_wall_ms();
    if (dp_wall_clock_suspect(wall)) {
        char ts[40];
        dp_format_rfc3339(wall, ts, sizeof ts);
        LOG_W("app",
              "the clock says %s, before this program was built: it is wrong "
              "(TLS certificate checks will fail until NTP sets it)",
              ts);
        char msg[128];
        snprintf(msg, sizeof msg, "wall clock %s is before the build date", ts);
        playlog_error(p->log, "clock", msg);
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

/* Asks main for the frame on screen and encodes it here, off the main thread. */
static int status_screenshot(void *ctx, void **png, size_t *len, int timeout_ms)
{
    struct player *p = ctx;
    SDL_Surface *s = status_board_wait_frame(p->board, timeout_ms);
    if (!s)
        return -1;
    int r = snapshot_encode_png(s, png, len);
    SDL_FreeSurface(s);
    return r;
}

/* At start and on SIGHUP: [status] as p->cfg says (a new token at once, a
 * new listen on a new socket). */
static void start_status(struct player *p)
{
    struct status_source src = {
        .ctx = p, .snapshot = status_snapshot, .screenshot = status_screenshot};
    char err[256] = "";
    if (status_reconfigure(&p->status, p->cfg->status_listen, p->cfg->status_token, &src, err,
                           sizeof err) < 0)
        LOG_W("app", "status endpoint: %s", err); /* never fatal */
}

static int start_loader(struct player *p, char *err, size_t errlen)
{
    struct loader_config lc = {
        .w = p->display.w,
        .h = p->display.h,
        .style = {.background = p->cfg->background,
                  .margin = p->cfg->margin,
                  .show_qr = p->cfg->show_qr},
        .font = p->cfg->font,
        .assets_dir = p->setup->assets_dir,
        .cache = p->cache,
        .audio_out = p->audio,
        .audio = p->cfg->audio,
        .volume = p->cfg->volume,
        .video_max_duration_ms = p->cfg->video_max_duration_ms,
        .live_max_duration_ms = p->cfg->live_max_duration_ms,
        .hwdec = media_hwdec_name(p->cfg->hwdec),
        .upscale_max = p->cfg->upscale_max,
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
        .follow_symlinks = p->cfg->follow_symlinks,
        .notify_url = p->cfg->notify && *p->cfg->notify ? p->cfg->notify : NULL,
        .notify_jitter_ms = p->cfg->notify_jitter_ms,
    };
    struct net_callbacks cb = {.on_feed = on_feed,
                               .on_media = on_media,
                               .on_event = on_net_event,
                               .on_push = on_push,
                               .ctx = p};
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
        playlog_error(p->log, "config", err);
        free(cfg);
        return;
    }
    warn_restart_needed(p->cfg, cfg);
    loader_destroy(p->loader); /* first: a queued LOAD_WANTED still uses net */
    p->loader = NULL;
    net_stop(p->net);
    p->net = NULL;
    items_invalidate_next(p);
    p->standby_requested = false;

    struct dp_config *old_owned = p->reloaded; /* setup's cfg is main's */
    p->cfg = cfg;
    p->reloaded = cfg;
    if (!p->cl->feed && cfg->feed_url && *cfg->feed_url &&
        strcmp(cfg->feed_url, p->feed_url) != 0) {
        free(p->feed_url);
        p->feed_url = dp_strdup(cfg->feed_url);
    }
    items_load_schedule(p);
    scene_set_style(&p->scene, cfg->background, cfg->transition, cfg->transition_ms);
    start_status(p);
    if (old_owned) {
        options_finish(old_owned);
        free(old_owned);
    }
    /* The loader first: rebuilding the rotation plans the next item. */
    if (start_loader(p, err, sizeof err) < 0) {
        LOG_E("app", "SIGHUP: cannot restart: %s", err);
        player_stop(p, "error");
        return;
    }
    if (p->rotation) {
        /* The rotation keeps its feed; its parameters are the new ones. */
        rotation_destroy(p->rotation);
        p->rotation = NULL;
        struct feed *f = p->feed;
        p->feed = NULL;
        if (f)
            items_handle_feed(p, f);
    }
    if (start_net(p) < 0) {
        LOG_E("app", "SIGHUP: cannot restart the network threads");
        player_stop(p, "error");
        return;
    }
    LOG_I("app", "SIGHUP: config reloaded");
    items_plan_next(p);
}

int player_run(const struct player_setup *setup)
{
    struct player pl;
    struct player *p = &pl;
    memset(p, 0, sizeof *p);
    p->setup = setup;
    p->cfg = setup->cfg;
    p->feed_url = dp_strdup(setup->feed_url);
    items_load_schedule(p);
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
            goto out; /* exit_code is 1 */
        }
    }
    p->cache = cache_open(setup->cache_dir, p->cfg->max_size, p->cfg->max_media_size, err,
                          sizeof err);
    if (!p->cache) {
        LOG_E("app", "cache: %s", err);
        goto out; /* exit_code is 1; feed_url freed there (issue 8: it leaked) */
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
            LOG_W("app", "no sound: %s", err); /* video still plays, silently */
    }
    int w = p->cl->headless ? p->cl->size_w : p->cl->windowed ? p->cl->windowed_w : p->cfg->size_w;
    int h = p->cl->headless ? p->cl->size_h : p->cl->windowed ? p->cl->windowed_h : p->cfg->size_h;
    if (display_open(&p->display, mode, w, h, p->cfg->rotation, err, sizeof err) < 0) {
        LOG_E("app", "%s%s", err, mode == DISPLAY_HEADLESS ? "" : " (try --headless)");
        goto out_ttf;
    }
    p->wake_event = SDL_RegisterEvents(1);
    p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    p->mq = dp_mq_create(DP_MQ_DEPTH, wake_main, p);
    scene_init(&p->scene, p->display.renderer, p->display.w, p->display.h, p->cfg->background,
               p->cfg->transition, p->cfg->transition_ms);
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

    host_start(p);
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
    host_stopping(p, p->stop_reason ? p->stop_reason : "quit");
    p->exit_code = 0;
    items_emit_shown(p, dp_mono_ms());
    playlog_stop(p->log, p->stop_reason ? p->stop_reason : "quit");
    LOG_I("app", "stop: %s", p->stop_reason ? p->stop_reason : "quit");

    loader_destroy(p->loader); /* first: a queued LOAD_WANTED still uses net */
    p->loader = NULL;
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
    host_stop(p);
    display_close(&p->display);
    audio_out_destroy(p->audio); /* after every video (scene, messages) is closed */
    if (p->efd >= 0)
        close(p->efd);
    free(p->cur_id);
    free(p->next_id);
    if (p->reloaded) {
        options_finish(p->reloaded);
        free(p->reloaded);
    }
    strlist_clear(&p->bad, &p->n_bad);
    strlist_clear(&p->skipped, &p->n_skipped);
out_ttf:
    IMG_Quit();
    TTF_Quit();
out_sdl:
    SDL_Quit();
out:
    free(p->feed_url);
    cache_close(p->cache);
    playlog_close(p->log);
    return p->exit_code;
}
