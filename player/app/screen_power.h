/* Screen power (issue 12): the display asleep outside [schedule] on_hours,
 * not just black, on whatever the platform offers:
 *  - KMS/DRM: the connected connectors' "DPMS" property (libdrm), Off / On,
 *    on the DRM file descriptor SDL draws with (it holds DRM master);
 *  - HDMI-CEC, when [display] cec = true: through the kernel's CEC API
 *    (/dev/cec0): "Standby" to the TV at closing, "Image View On" to the TV
 *    then a broadcast "Active Source" at opening, as a playback device;
 *  - X11: the DPMS extension (DPMSForceLevel).
 *
 * Every system call goes through struct screen_power_ops, so that unit tests
 * check the exact DRM property calls and CEC frames. Nothing here blocks:
 * the CEC device is opened O_NONBLOCK (transmits are queued by the kernel)
 * and DRM property sets are immediate. No SDL: the player passes the DRM fd
 * and the X11 Display* it got from SDL_GetWindowWMInfo.
 * All calls: the main thread. */
#ifndef DP_APP_SCREEN_POWER_H
#define DP_APP_SCREEN_POWER_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/cec.h>

/* What screen_power_set acted on: a bit for each way that worked. */
enum {
    SCREEN_POWER_DRM = 1,
    SCREEN_POWER_CEC = 2,
    SCREEN_POWER_X11 = 4,
};

/* The system calls, replaceable by tests. Real ones: screen_power_real_ops.
 * The DRM calls take and return libdrm's own types (xf86drmMode.h). */
struct screen_power_ops {
    void *(*drm_get_resources)(int fd); /* drmModeGetResources */
    void (*drm_free_resources)(void *res);
    void *(*drm_get_connector)(int fd, uint32_t id); /* drmModeGetConnector */
    void (*drm_free_connector)(void *conn);
    void *(*drm_get_property)(int fd, uint32_t id); /* drmModeGetProperty */
    void (*drm_free_property)(void *prop);
    int (*drm_set_connector_property)(int fd, uint32_t conn, uint32_t prop, uint64_t value);
    int (*cec_open)(const char *path); /* open O_RDWR|O_NONBLOCK */
    int (*cec_ioctl)(int fd, unsigned long req, void *arg);
    void (*cec_close)(int fd);
    /* DPMSCapable + DPMSEnable + DPMSForceLevel(level) + XFlush: 0 or -1. */
    int (*x11_force_level)(void *display, uint16_t level);
};

extern const struct screen_power_ops screen_power_real_ops;

struct screen_power_setup {
    int drm_fd;           /* SDL's KMS/DRM fd, -1 when not on KMS/DRM */
    void *x11_display;    /* Display * when on X11, else NULL */
    bool cec;             /* [display] cec */
    const char *cec_path; /* NULL: /dev/cec0 */
};

struct screen_power;

/* Copies setup; ops NULL means the real ones (ops must outlive the object).
 * With cec, opens the CEC device and claims a playback logical address
 * (without waiting for the claim to finish). Never fails: a way that is not
 * there is left out (logged once). Caller owns the result. */
struct screen_power *screen_power_create(const struct screen_power_setup *setup,
                                         const struct screen_power_ops *ops);
/* Closes the CEC device, frees sp. NULL ok. Does not wake the screen. */
void screen_power_destroy(struct screen_power *sp);

/* Puts the display to sleep (on = false) or wakes it. Returns the
 * SCREEN_POWER_* bits of the ways that took the command (0: none). */
int screen_power_set(struct screen_power *sp, bool on);

/* The CEC frames, for the tests and the log. initiator: our logical address
 * (CEC_LOG_ADDR_UNREGISTERED when none is claimed yet). */
void screen_power_cec_standby(struct cec_msg *msg, uint8_t initiator);
void screen_power_cec_image_view_on(struct cec_msg *msg, uint8_t initiator);
void screen_power_cec_active_source(struct cec_msg *msg, uint8_t initiator, uint16_t phys);

#endif
