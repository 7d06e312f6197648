/* Screen power: DRM DPMS, HDMI-CEC, X11 DPMS. See screen_power.h. */
#include "app/screen_power.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/extensions/dpms.h>
#include <linux/cec-funcs.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "base/log.h"
#include "base/xalloc.h"

#define CEC_DEFAULT_PATH "/dev/cec0"
#define CEC_OSD_NAME "deskplayer"

struct screen_power {
    struct screen_power_setup setup;
    const struct screen_power_ops *ops;
    int cec_fd; /* -1: no CEC */
    bool warned_drm, warned_x11;
};

/* ---- the real system calls ------------------------------------------------ */

static void *real_get_resources(int fd)
{
    return drmModeGetResources(fd);
}
static void real_free_resources(void *r)
{
    drmModeFreeResources(r);
}
static void *real_get_connector(int fd, uint32_t id)
{
    return drmModeGetConnector(fd, id);
}
static void real_free_connector(void *c)
{
    drmModeFreeConnector(c);
}
static void *real_get_property(int fd, uint32_t id)
{
    return drmModeGetProperty(fd, id);
}
static void real_free_property(void *p)
{
    drmModeFreeProperty(p);
}

static int real_set_connector_property(int fd, uint32_t conn, uint32_t prop, uint64_t value)
{
    return drmModeConnectorSetProperty(fd, conn, prop, value);
}

static int real_cec_open(const char *path)
{
    return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}
static int real_cec_ioctl(int fd, unsigned long req, void *arg)
{
    return ioctl(fd, req, arg);
}
static void real_cec_close(int fd)
{
    close(fd);
}

static int real_x11_force_level(void *display, uint16_t level)
{
    Display *d = display;
    int ev, er;
    if (!DPMSQueryExtension(d, &ev, &er) || !DPMSCapable(d))
        return -1;
    DPMSEnable(d);
    int ok = DPMSForceLevel(d, level);
    XFlush(d);
    return ok ? 0 : -1;
}

const struct screen_power_ops screen_power_real_ops = {
    .drm_get_resources = real_get_resources,
    .drm_free_resources = real_free_resources,
    .drm_get_connector = real_get_connector,
    .drm_free_connector = real_free_connector,
    .drm_get_property = real_get_property,
    .drm_free_property = real_free_property,
    .drm_set_connector_property = real_set_connector_property,
    .cec_open = real_cec_open,
    .cec_ioctl = real_cec_ioctl,
    .cec_close = real_cec_close,
    .x11_force_level = real_x11_force_level,
};

/* ---- CEC ----------------------------------------------------------------- */

void screen_power_cec_standby(struct cec_msg *msg, uint8_t initiator)
{
    cec_msg_init(msg, initiator, CEC_LOG_ADDR_TV);
    cec_msg_standby(msg);
}

void screen_power_cec_image_view_on(struct cec_msg *msg, uint8_t initiator)
{
    cec_msg_init(msg, initiator, CEC_LOG_ADDR_TV);
    cec_msg_image_view_on(msg);
}

void screen_power_cec_active_source(struct cec_msg *msg, uint8_t initiator, uint16_t phys)
{
    cec_msg_init(msg, initiator, CEC_LOG_ADDR_BROADCAST);
    cec_msg_active_source(msg, phys);
}

/* Claims one playback-device logical address. On a non-blocking fd the
 * kernel answers at once and polls the bus in the background. */
static void cec_claim(struct screen_power *sp)
{
    struct cec_log_addrs la;
    memset(&la, 0, sizeof la);
    if (sp->ops->cec_ioctl(sp->cec_fd, CEC_ADAP_G_LOG_ADDRS, &la) == 0 && la.num_log_addrs > 0)
        return; /* configured already (by us earlier, or cec-ctl) */
    memset(&la, 0, sizeof la);
    la.cec_version = CEC_OP_CEC_VERSION_1_4;
    la.num_log_addrs = 1;
    la.vendor_id = CEC_VENDOR_ID_NONE;
    memcpy(la.osd_name, CEC_OSD_NAME, sizeof CEC_OSD_NAME);
    la.primary_device_type[0] = CEC_OP_PRIM_DEVTYPE_PLAYBACK;
    la.log_addr_type[0] = CEC_LOG_ADDR_TYPE_PLAYBACK;
    la.all_device_types[0] = CEC_OP_ALL_DEVTYPE_PLAYBACK;
    if (sp->ops->cec_ioctl(sp->cec_fd, CEC_ADAP_S_LOG_ADDRS, &la) < 0)
        LOG_W("screen", "CEC: cannot claim a logical address: %s", strerror(errno));
}

/* Our logical address now, or CEC_LOG_ADDR_UNREGISTERED. */
static uint8_t cec_initiator(struct screen_power *sp)
{
    struct cec_log_addrs la;
    memset(&la, 0, sizeof la);
    if (sp->ops->cec_ioctl(sp->cec_fd, CEC_ADAP_G_LOG_ADDRS, &la) == 0 && la.num_log_addrs > 0 &&
        la.log_addr[0] != CEC_LOG_ADDR_INVALID)
        return la.log_addr[0];
    return CEC_LOG_ADDR_UNREGISTERED;
}

static int cec_send(struct screen_power *sp, struct cec_msg *msg, const char *what)
{
    if (sp->ops->cec_ioctl(sp->cec_fd, CEC_TRANSMIT, msg) < 0) {
        LOG_W("screen", "CEC %s: %s", what, strerror(errno));
        return -1;
    }
    LOG_D("screen", "CEC %s sent", what);
    return 0;
}

static bool cec_set(struct screen_power *sp, bool on)
{
    if (sp->cec_fd < 0)
        return false;
    uint8_t me = cec_initiator(sp);
    struct cec_msg msg;
    if (!on) {
        screen_power_cec_standby(&msg, me);
        return cec_send(sp, &msg, "Standby") == 0;
    }
    screen_power_cec_image_view_on(&msg, me);
    bool ok = cec_send(sp, &msg, "Image View On") == 0;
    uint16_t phys = CEC_PHYS_ADDR_INVALID;
    if (sp->ops->cec_ioctl(sp->cec_fd, CEC_ADAP_G_PHYS_ADDR, &phys) == 0 &&
        phys != CEC_PHYS_ADDR_INVALID) {
        screen_power_cec_active_source(&msg, me, phys);
        ok = cec_send(sp, &msg, "Active Source") == 0 && ok;
    }
    return ok;
}

/* ---- DRM ----------------------------------------------------------------- */

/* The DPMS property of every connected connector set to value. Returns the
 * number of connectors that took it. */
static int drm_set(struct screen_power *sp, uint64_t value)
{
    const struct screen_power_ops *o = sp->ops;
    int fd = sp->setup.drm_fd;
    drmModeRes *res = o->drm_get_resources(fd);
    if (!res)
        return 0;
    int done = 0;
    for (int i = 0; i < res->count_connectors; i++) {
        drmModeConnector *c = o->drm_get_connector(fd, res->connectors[i]);
        if (!c)
            continue;
        for (int j = 0; c->connection == DRM_MODE_CONNECTED && j < c->count_props; j++) {
            drmModePropertyRes *p = o->drm_get_property(fd, c->props[j]);
            if (!p)
                continue;
            bool dpms = strcmp(p->name, "DPMS") == 0;
            uint32_t prop_id = p->prop_id;
            o->drm_free_property(p);
            if (!dpms)
                continue;
            if (o->drm_set_connector_property(fd, c->connector_id, prop_id, value) == 0)
                done++;
            else if (!sp->warned_drm)
                LOG_W("screen", "DRM: connector %u refused DPMS %llu: %s", c->connector_id,
                      (unsigned long long)value, strerror(errno));
            break;
        }
        o->drm_free_connector(c);
    }
    o->drm_free_resources(res);
    return done;
}

/* ---- the object ------------------------------------------------------------ */

struct screen_power *screen_power_create(const struct screen_power_setup *setup,
                                         const struct screen_power_ops *ops)
{
    struct screen_power *sp = dp_calloc(1, sizeof *sp);
    sp->setup = *setup;
    sp->ops = ops ? ops : &screen_power_real_ops;
    sp->cec_fd = -1;
    if (setup->cec) {
        const char *path = setup->cec_path ? setup->cec_path : CEC_DEFAULT_PATH;
        sp->cec_fd = sp->ops->cec_open(path);
        if (sp->cec_fd < 0)
            LOG_W("screen", "[display] cec: cannot open %s: %s", path, strerror(errno));
        else
            cec_claim(sp);
    }
    sp->setup.cec_path = NULL; /* not kept: the caller's string */
    return sp;
}

void screen_power_destroy(struct screen_power *sp)
{
    if (!sp)
        return;
    if (sp->cec_fd >= 0)
        sp->ops->cec_close(sp->cec_fd);
    free(sp);
}

int screen_power_set(struct screen_power *sp, bool on)
{
    if (!sp)
        return 0;
    int done = 0;
    if (sp->setup.drm_fd >= 0) {
        if (drm_set(sp, on ? DRM_MODE_DPMS_ON : DRM_MODE_DPMS_OFF) > 0)
            done |= SCREEN_POWER_DRM;
        else
            sp->warned_drm = true;
    }
    if (sp->setup.x11_display) {
        if (sp->ops->x11_force_level(sp->setup.x11_display, on ? DPMSModeOn : DPMSModeOff) == 0)
            done |= SCREEN_POWER_X11;
        else if (!sp->warned_x11) {
            sp->warned_x11 = true;
            LOG_W("screen", "X11: the display has no DPMS; the screen stays on (black)");
        }
    }
    if (cec_set(sp, on))
        done |= SCREEN_POWER_CEC;
    LOG_I("screen", "screen %s:%s%s%s%s", on ? "on" : "asleep",
          done & SCREEN_POWER_DRM ? " DRM DPMS" : "", done & SCREEN_POWER_CEC ? " HDMI-CEC" : "",
          done & SCREEN_POWER_X11 ? " X11 DPMS" : "", done ? "" : " (no way to power it: black)");
    return done;
}
