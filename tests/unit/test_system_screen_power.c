/* Screen power (issue 12) against fake system calls: the CEC frames' bytes
 * (checked against the CEC 1.4 spec's values and the kernel's cec.h), the
 * DRM "DPMS" property calls with drm_mode.h's values, X11 DPMS levels. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/extensions/dpms.h>
#include <xf86drmMode.h>

#include "app/screen_power.h"
#include "base/log.h"

/* ---- a fake DRM device: connectors 31 (connected) and 32 (not) ----------- */

#define FAKE_FD 7
#define PROP_EDID 10
#define PROP_DPMS 11

static uint32_t conn_ids[] = {31, 32};
static uint32_t props[] = {PROP_EDID, PROP_DPMS};
static uint64_t prop_values[] = {0, 0};
static struct {
    uint32_t conn, prop;
    uint64_t value;
} sets[8];
static int n_sets, live_objects;

static void *f_get_resources(int fd)
{
    assert_int_equal(fd, FAKE_FD);
    drmModeRes *r = calloc(1, sizeof *r);
    r->count_connectors = 2;
    r->connectors = conn_ids;
    live_objects++;
    return r;
}

static void *f_get_connector(int fd, uint32_t id)
{
    drmModeConnector *c = calloc(1, sizeof *c);
    c->connector_id = id;
    c->connection = id == 31 ? DRM_MODE_CONNECTED : DRM_MODE_DISCONNECTED;
    c->count_props = 2;
    c->props = props;
    c->prop_values = prop_values;
    live_objects++;
    return c;
}

static void *f_get_property(int fd, uint32_t id)
{
    drmModePropertyRes *p = calloc(1, sizeof *p);
    p->prop_id = id;
    strcpy(p->name, id == PROP_DPMS ? "DPMS" : "EDID");
    live_objects++;
    return p;
}

static void f_free(void *o)
{
    free(o);
    live_objects--;
}

static int f_set_property(int fd, uint32_t conn, uint32_t prop, uint64_t value)
{
    assert_true(n_sets < 8);
    sets[n_sets].conn = conn;
    sets[n_sets].prop = prop;
    sets[n_sets].value = value;
    n_sets++;
    return 0;
}

/* ---- a fake CEC adapter: physical address 1.0.0.0 ------------------------ */

#define CEC_FD 9
static struct cec_msg sent[8];
static int n_sent;
static uint8_t claimed = CEC_LOG_ADDR_INVALID;
static bool claim_asked;

static int f_cec_open(const char *path)
{
    assert_string_equal(path, "/dev/cec-test");
    return CEC_FD;
}

static int f_cec_ioctl(int fd, unsigned long req, void *arg)
{
    assert_int_equal(fd, CEC_FD);
    if (req == CEC_ADAP_G_LOG_ADDRS) {
        struct cec_log_addrs *la = arg;
        la->num_log_addrs = claimed == CEC_LOG_ADDR_INVALID ? 0 : 1;
        la->log_addr[0] = claimed;
        return 0;
    }
    if (req == CEC_ADAP_S_LOG_ADDRS) {
        struct cec_log_addrs *la = arg;
        assert_int_equal(la->num_log_addrs, 1);
        assert_int_equal(la->log_addr_type[0], CEC_LOG_ADDR_TYPE_PLAYBACK);
        assert_int_equal(la->primary_device_type[0], CEC_OP_PRIM_DEVTYPE_PLAYBACK);
        assert_string_equal(la->osd_name, "deskplayer");
        claim_asked = true;
        return 0; /* claimed later, in the background */
    }
    if (req == CEC_ADAP_G_PHYS_ADDR) {
        *(uint16_t *)arg = 0x1000;
        return 0;
    }
    if (req == CEC_TRANSMIT) {
        assert_true(n_sent < 8);
        sent[n_sent++] = *(struct cec_msg *)arg;
        return 0;
    }
    errno = ENOTTY;
    return -1;
}

static void f_cec_close(int fd)
{
    assert_int_equal(fd, CEC_FD);
}

static uint16_t x11_levels[8];
static int n_x11;

static int f_x11_force(void *display, uint16_t level)
{
    x11_levels[n_x11++] = level;
    return 0;
}

static const struct screen_power_ops fake_ops = {
    .drm_get_resources = f_get_resources,
    .drm_free_resources = f_free,
    .drm_get_connector = f_get_connector,
    .drm_free_connector = f_free,
    .drm_get_property = f_get_property,
    .drm_free_property = f_free,
    .drm_set_connector_property = f_set_property,
    .cec_open = f_cec_open,
    .cec_ioctl = f_cec_ioctl,
    .cec_close = f_cec_close,
    .x11_force_level = f_x11_force,
};

static int reset(void **state)
{
    n_sets = n_sent = n_x11 = live_objects = 0;
    claimed = CEC_LOG_ADDR_INVALID;
    claim_asked = false;
    dp_log_set_level(DP_LOG_ERROR);
    return 0;
}

/* The frames, byte for byte (CEC 1.4 table 8 opcodes; header = initiator
 * nibble, destination nibble). */
static void test_cec_frames(void **state)
{
    static const struct {
        const char *what;
        uint8_t initiator;
        uint8_t len, bytes[4];
    } cases[] = {
        {"standby", 4, 2, {0x40, 0x36}},  /* Playback 1 -> TV */
        {"standby", 15, 2, {0xF0, 0x36}}, /* Unregistered -> TV */
        {"image_view_on", 4, 2, {0x40, 0x04}},
        {"image_view_on", 8, 2, {0x80, 0x04}},              /* Playback 2 */
        {"active_source", 4, 4, {0x4F, 0x82, 0x10, 0x00}},  /* broadcast, 1.0.0.0 */
        {"active_source", 11, 4, {0xBF, 0x82, 0x10, 0x00}}, /* Playback 3 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cec_msg m;
        memset(&m, 0xAA, sizeof m);
        if (strcmp(cases[i].what, "standby") == 0)
            screen_power_cec_standby(&m, cases[i].initiator);
        else if (strcmp(cases[i].what, "image_view_on") == 0)
            screen_power_cec_image_view_on(&m, cases[i].initiator);
        else
            screen_power_cec_active_source(&m, cases[i].initiator, 0x1000);
        assert_int_equal(m.len, cases[i].len);
        assert_memory_equal(m.msg, cases[i].bytes, cases[i].len);
        assert_int_equal(cec_msg_initiator(&m), cases[i].initiator);
    }
    /* The opcodes are the kernel's. */
    assert_int_equal(CEC_MSG_STANDBY, 0x36);
    assert_int_equal(CEC_MSG_IMAGE_VIEW_ON, 0x04);
    assert_int_equal(CEC_MSG_ACTIVE_SOURCE, 0x82);
}

/* Closing sends Standby, opening Image View On then Active Source, from the
 * claimed address (Unregistered until the claim finished). */
static void test_cec_sequence(void **state)
{
    struct screen_power_setup su = {.drm_fd = -1, .cec = true, .cec_path = "/dev/cec-test"};
    struct screen_power *sp = screen_power_create(&su, &fake_ops);
    assert_true(claim_asked);
    assert_int_equal(screen_power_set(sp, false), SCREEN_POWER_CEC);
    assert_int_equal(n_sent, 1);
    assert_int_equal(sent[0].msg[0], 0xF0);
    assert_int_equal(sent[0].msg[1], CEC_MSG_STANDBY);
    claimed = 4;
    assert_int_equal(screen_power_set(sp, true), SCREEN_POWER_CEC);
    assert_int_equal(n_sent, 3);
    static const uint8_t ivo[] = {0x40, CEC_MSG_IMAGE_VIEW_ON};
    static const uint8_t as[] = {0x4F, CEC_MSG_ACTIVE_SOURCE, 0x10, 0x00};
    assert_int_equal(sent[1].len, 2);
    assert_memory_equal(sent[1].msg, ivo, 2);
    assert_int_equal(sent[2].len, 4);
    assert_memory_equal(sent[2].msg, as, 4);
    screen_power_destroy(sp);

    /* cec = false: the device is not even opened. */
    su.cec = false;
    sp = screen_power_create(&su, &fake_ops);
    assert_int_equal(screen_power_set(sp, false), 0);
    assert_int_equal(n_sent, 3);
    screen_power_destroy(sp);
}

/* DPMS Off then On on the connected connector only, by the property's id. */
static void test_drm_dpms(void **state)
{
    struct screen_power_setup su = {.drm_fd = FAKE_FD};
    struct screen_power *sp = screen_power_create(&su, &fake_ops);
    assert_int_equal(screen_power_set(sp, false), SCREEN_POWER_DRM);
    assert_int_equal(screen_power_set(sp, true), SCREEN_POWER_DRM);
    assert_int_equal(n_sets, 2);
    assert_int_equal(sets[0].conn, 31);
    assert_int_equal(sets[0].prop, PROP_DPMS);
    assert_int_equal(sets[0].value, DRM_MODE_DPMS_OFF);
    assert_int_equal(sets[0].value, 3);
    assert_int_equal(sets[1].value, DRM_MODE_DPMS_ON);
    assert_int_equal(sets[1].value, 0);
    assert_int_equal(live_objects, 0); /* every libdrm object freed */
    screen_power_destroy(sp);
}

static void test_x11_dpms(void **state)
{
    int dummy;
    struct screen_power_setup su = {.drm_fd = -1, .x11_display = &dummy};
    struct screen_power *sp = screen_power_create(&su, &fake_ops);
    assert_int_equal(screen_power_set(sp, false), SCREEN_POWER_X11);
    assert_int_equal(screen_power_set(sp, true), SCREEN_POWER_X11);
    assert_int_equal(n_x11, 2);
    assert_int_equal(x11_levels[0], DPMSModeOff);
    assert_int_equal(x11_levels[1], DPMSModeOn);
    screen_power_destroy(sp);
    screen_power_destroy(NULL);
    assert_int_equal(screen_power_set(NULL, false), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cec_frames, reset),
        cmocka_unit_test_setup(test_cec_sequence, reset),
        cmocka_unit_test_setup(test_drm_dpms, reset),
        cmocka_unit_test_setup(test_x11_dpms, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
