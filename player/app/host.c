/* The player's side of the host system (issue 12): the systemd notify
 * protocol (service.c) and the screen's power (screen_power.c), with the
 * player's state. The calls from the main loop are host_tick (every turn),
 * host_frame_shown (after a present) and host_stopping (at the end); so the
 * watchdog pings come from the loop itself, and a loop stuck in a frame
 * stops them. */
#include "app/player_internal.h"

#include <stdio.h>
#include <string.h>

#include <SDL_syswm.h>

#include "app/screen_power.h"
#include "app/service.h"
#include "app/status.h"
#include "base/clock.h"
#include "base/log.h"

#define STATUS_REFRESH_MS 10000 /* the feed's state is re-read this often */

void host_start(struct player *p)
{
    p->service = service_create(dp_mono_ms());
    if (service_active(p->service))
        LOG_I("app", "started by a service manager (NOTIFY_SOCKET)");
    struct screen_power_setup su = {.drm_fd = -1, .cec = p->cfg->cec};
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (p->display.window && SDL_GetWindowWMInfo(p->display.window, &info)) {
#if SDL_VERSION_ATLEAST(2, 0, 22) && defined(SDL_VIDEO_DRIVER_KMSDRM)
        if (info.subsystem == SDL_SYSWM_KMSDRM)
            su.drm_fd = info.info.kmsdrm.drm_fd;
#endif
#if defined(SDL_VIDEO_DRIVER_X11)
        if (info.subsystem == SDL_SYSWM_X11)
            su.x11_display = info.info.x11.display;
#endif
    }
    p->power = screen_power_create(&su, NULL);
    p->power_on = true;
}

void host_stop(struct player *p)
{
    screen_power_destroy(p->power);
    p->power = NULL;
    service_destroy(p->service);
    p->service = NULL;
}

/* "ok (12 posts)", "error: <last error>" or "not polled yet". */
static void feed_state(struct player *p, char *out, size_t cap)
{
    static struct status_info info; /* main thread only; too big for the stack */
    memset(&info, 0, sizeof info);
    status_board_snapshot(p->board, &info);
    if (info.feed.last_error[0])
        snprintf(out, cap, "error: %s", info.feed.last_error);
    else if (info.feed.last_success_ms > 0)
        snprintf(out, cap, "ok (%lld posts)", (long long)info.feed.items);
    else
        snprintf(out, cap, "not polled yet");
}

int64_t host_tick(struct player *p, int64_t now)
{
    int64_t due = service_tick(p->service, now);
    /* What is on screen, in one number: a change refreshes STATUS= at once. */
    int64_t key = p->shows * 8 + (p->standby ? 4 : 0) + (p->screen_off ? 2 : 0) +
                  (scene_has_current(&p->scene) ? 1 : 0);
    if (service_active(p->service) && p->board &&
        (key != p->status_key || now - p->status_at >= STATUS_REFRESH_MS)) {
        char state[STATUS_ERROR_MAX + 32];
        feed_state(p, state, sizeof state);
        const char *item = p->screen_off ? "nothing (outside the opening hours)"
                           : p->standby  ? NULL
                           : p->cur_id   ? p->cur_id
                                         : "nothing yet";
        service_status(p->service, item, state);
        p->status_key = key;
        p->status_at = now;
    }
    if (service_active(p->service) && due > now + STATUS_REFRESH_MS)
        due = now + STATUS_REFRESH_MS;
    /* Asleep once black is on screen; awake before anything else is drawn. */
    if (p->power_on == p->screen_off && (!p->screen_off || !p->dirty)) {
        p->power_on = !p->screen_off;
        screen_power_set(p->power, p->power_on);
    }
    return due;
}

void host_frame_shown(struct player *p)
{
    service_ready(p->service);
}

void host_stopping(struct player *p, const char *reason)
{
    service_stopping(p->service, reason);
}
