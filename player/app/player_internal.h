/* The player's state, shared by player.c (the main loop, messages, set-up)
 * and items.c (the item state machine). Main thread only. */
#ifndef DP_PLAYER_INTERNAL_H
#define DP_PLAYER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>

#include "app/loader.h"
#include "app/player.h"
#include "render/display.h"
#include "render/scene.h"
#include "rotation/rotation.h"
#include "rotation/schedule.h"

enum msg_type { MSG_FEED = 1, MSG_MEDIA, MSG_LOADED, MSG_SIGNAL };

#define FRAME_MS 16                    /* redraw period during a transition */
#define PUMP_MS 1000                   /* SDL event pumping where SDL cannot wait */
#define STANDBY_REFRESH_MS 5000        /* download progress on the standby card */
#define STANDBY_AFTER_MS 250           /* nothing ready this long after start: standby */
#define VIDEO_GRACE_MS 3000            /* a video still playing this long past its length ends */
#define VIDEO_UNKNOWN_MS (3600 * 1000) /* the cap for a video of unknown length */

enum next_state { NEXT_NONE, NEXT_REQUESTED, NEXT_READY, NEXT_SAME };

struct player {
    const struct player_setup *setup;
    const struct dp_config *cfg; /* setup's, or reloaded (SIGHUP) */
    struct dp_config *reloaded;  /* owned when a SIGHUP replaced the settings */
    char *feed_url;              /* the feed polled (owned) */
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

    struct feed *feed; /* the feed the rotation uses */
    int64_t start_ms;
    bool quit;
    const char *stop_reason;
    int exit_code;

    /* The item on screen. */
    char *cur_id;
    enum item_kind cur_kind;
    int64_t cur_started, cur_deadline;
    int64_t cur_planned; /* the duration the show event announces */
    bool cur_announced;  /* its show event was written */
    bool standby;        /* the standby card is on screen */
    int64_t standby_refreshed;
    bool standby_requested;
    bool standby_stale; /* the feed changed while it was being drawn */
    /* issue 11: live streams */
    bool cur_live;         /* the item on screen is a live stream */
    int64_t live_retry_ms; /* monotonic: live streams that failed are tried again */

    /* [schedule] on_hours */
    bool has_schedule;
    struct schedule schedule;
    bool screen_off; /* outside the opening hours: black */

    int64_t cur_slot_end; /* synced: the end of its slot (Unix ms), else 0 */
    bool cur_until_ended; /* a video that plays until it ends */
    /* The planner's answer for the item that comes next (its pointer is
     * valid until the next rotation_set_feed, which re-plans). */
    struct rotation_plan next_plan;

    /* The item that comes next. */
    enum next_state next;
    char *next_id;
    uint64_t gen;

    bool dirty;        /* the screen needs a redraw */
    bool snapshot_due; /* write a snapshot with the next frame */
    char snapshot_name[128];
    int64_t shows;
    int64_t next_interval_snap;
    int64_t last_pump;

    char **bad; /* media URLs that failed to decode */
    size_t n_bad;
    char **skipped; /* "id\nreason" already reported */
    size_t n_skipped;

    /* host.c (issue 12): the service manager and the screen's power. */
    struct service *service;
    struct screen_power *power;
    bool power_on;      /* what the screen was last told */
    int64_t status_key; /* what was on screen when STATUS= was refreshed */
    int64_t status_at;  /* monotonic ms of that refresh */
};

/* ---- items.c: the item state machine -------------------------------------------- */

/* Lists of owned strings. */
bool strlist_has(char **list, size_t n, const char *s);
void strlist_add(char ***list, size_t *n, const char *s);
void strlist_remove(char **list, size_t *n, const char *s);
void strlist_clear(char ***list, size_t *n);

const char *items_kind_name(enum item_kind k);
/* A skip event, once per (item, reason) until the feed changes. */
void items_log_skip(struct player *p, const char *item, enum dp_reason why);
/* Is it playable here (media cached or local, not known broken)? */
bool items_ready(void *ctx, const struct item *it);
/* Forgets the item that comes next (the plan changed). */
void items_invalidate_next(struct player *p);
void items_request_standby(struct player *p);
/* Chooses what comes after the current item and has it prepared. */
void items_plan_next(struct player *p);
/* The plan may have changed (a new feed, media just cached): the item that
 * comes next is planned again, and kept when it is the same. */
void items_replan(struct player *p);
/* Nothing on screen and the next item ready: is it time to show it? */
bool items_join_due(const struct player *p, int64_t now);
/* The shown event of the item on screen. */
void items_emit_shown(struct player *p, int64_t now);
/* The show event, written when the item is fully on screen. */
void items_announce(struct player *p);
/* The current item's time is up (or nothing is on screen): move on. */
void items_advance(struct player *p, int64_t now);
/* A new feed (MSG_FEED; takes the message's reference): the rotation, the
 * download wishes and the plan follow it. */
void items_handle_feed(struct player *p, struct feed *feed);
/* Media just verified (MSG_MEDIA): an item passed over for it takes the
 * next slot (issue 10), then the plan goes on. */
void items_media_ready(struct player *p, const char *url);
/* Live streams marked unavailable may be tried again (issue 11). Main. */
void items_live_retry(struct player *p);
#define ITEMS_LIVE_RETRY_MS (60LL * 1000)
/* A loader result (MSG_LOADED); res stays the caller's. */
void items_handle_loaded(struct player *p, struct loader_result *res, int64_t now);
/* [schedule] on_hours. */
void items_load_schedule(struct player *p);
/* Screen off outside the opening hours; returns the monotonic time of the
 * next check. */
int64_t items_apply_schedule(struct player *p, int64_t now);

/* player.c */
void player_stop(struct player *p, const char *reason);

/* ---- host.c: systemd notify and screen power (issue 12) ------------------------- */

/* After display_open: the notify state from the environment, and the ways to
 * power the screen (SDL's DRM fd or X11 display, [display] cec). */
void host_start(struct player *p);
/* Frees what host_start made. Safe after a failed or no host_start. */
void host_stop(struct player *p);
/* Once per loop turn: the watchdog ping when due, the STATUS= line, the
 * screen's power following p->screen_off (asleep only after the black frame
 * was presented: call after drawing). Returns the monotonic time by which
 * the loop must call again. */
int64_t host_tick(struct player *p, int64_t now);
/* After each present: READY=1 with the first picture. */
void host_frame_shown(struct player *p);
/* The loop ended (SIGTERM or another reason): STOPPING=1. */
void host_stopping(struct player *p, const char *reason);

#endif
