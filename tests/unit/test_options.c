/* options: the key table, the INI loader and its messages, --check-config
 * output, the example file and the command line.
 * DP_UPDATE_EXAMPLE=1 rewrites config/deskplayer.conf.example from
 * options_write_example instead of comparing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options/options.h"

#define EXAMPLE_PATH DP_SOURCE_DIR "/config/deskplayer.conf.example"

static char tmpdir[256];

static int make_tmpdir(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/dp-options-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int remove_tmpdir(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes text to <tmpdir>/name; returns the path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static char *print_config_as(const struct dp_config *cfg, enum options_secrets secrets)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    options_print(cfg, f, secrets);
    fclose(f);
    return buf;
}

static char *print_config(const struct dp_config *cfg)
{
    return print_config_as(cfg, OPTIONS_SHOW_SECRETS);
}

/* ---- parsers ----------------------------------------------------------- */

static void test_parse_size(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        int64_t bytes;
    } cases[] = {
        {"0", true, 0},
        {"10", true, 10},
        {"5K", true, 5120},
        {"5k", true, 5120},
        {"2M", true, 2097152},
        {"1G", true, 1073741824},
        {"1.5G", true, 1610612736},
        {"500 M", true, 524288000},
        {"", false, 0},
        {"K", false, 0},
        {"-1", false, 0},
        {"2T", false, 0},
        {"10KB", false, 0},
        {"1.", false, 0},
        {" 5K", false, 0},
        {"5K ", false, 0},
        {"abc", false, 0},
        {"99999999999G", false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = -7;
        bool ok = options_parse_size(cases[i].in, &v);
        if (ok != cases[i].ok)
            fail_msg("size \"%s\": ok %d, want %d", cases[i].in, ok, cases[i].ok);
        if (ok)
            assert_int_equal(v, cases[i].bytes);
        else
            assert_int_equal(v, -7);
    }
}

static void test_parse_duration(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        int64_t ms;
    } cases[] = {
        {"0", true, 0},        {"10", true, 10000},     {"2.5", true, 2500},
        {"600ms", true, 600},  {"5s", true, 5000},      {"2m", true, 120000},
        {"1h", true, 3600000}, {"1.5h", true, 5400000}, {"600 ms", true, 600},
        {"", false, 0},        {"ms", false, 0},        {"5d", false, 0},
        {"5S", false, 0},      {"-5s", false, 0},       {"5s5", false, 0},
        {"auto", false, 0},    {"1e3", false, 0},       {"10 minutes", false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = -7;
        bool ok = options_parse_duration(cases[i].in, &v);
        if (ok != cases[i].ok)
            fail_msg("duration \"%s\": ok %d, want %d", cases[i].in, ok, cases[i].ok);
        if (ok)
            assert_int_equal(v, cases[i].ms);
    }
}

static void test_parse_wxh(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        int w, h;
    } cases[] = {
        {"1920x1080", true, 1920, 1080},
        {"800X600", true, 800, 600},
        {"1x1", true, 1, 1},
        {"7680x4320", true, 7680, 4320},
        {"4320x7680", true, 4320, 7680},
        {"7681x100", false, 0, 0},
        {"16384x16384", false, 0, 0},
        {"7680x4321", false, 0, 0},
        {"32767x32767", false, 0, 0},
        {"0x100", false, 0, 0},
        {"100x", false, 0, 0},
        {"x100", false, 0, 0},
        {"100*100", false, 0, 0},
        {"32768x10", false, 0, 0},
        {"1920x1080 ", false, 0, 0},
        {"abc", false, 0, 0},
        {"", false, 0, 0},
        {"-1x5", false, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int w = -1, h = -1;
        bool ok = options_parse_wxh(cases[i].in, &w, &h);
        if (ok != cases[i].ok)
            fail_msg("wxh \"%s\": ok %d, want %d", cases[i].in, ok, cases[i].ok);
        if (ok) {
            assert_int_equal(w, cases[i].w);
            assert_int_equal(h, cases[i].h);
        }
    }
}

/* ---- defaults ---------------------------------------------------------- */

/* Issue 8: the margin must leave a quarter of an output whose size is known. */
static void test_check_display(void **state)
{
    (void)state;
    static const struct {
        bool headless, windowed;
        int size_w, size_h, cfg_w, cfg_h, margin;
        int want;
    } cases[] = {
        {true, false, 640, 360, 0, 0, 90, 0},     {true, false, 640, 360, 0, 0, 91, -1},
        {true, false, 640, 360, 0, 0, 400, -1},   {true, false, 1, 1, 0, 0, 0, 0},
        {true, false, 1, 1, 0, 0, 1, -1},         {false, true, 1280, 720, 0, 0, 180, 0},
        {false, true, 1280, 720, 0, 0, 181, -1},  {false, false, 0, 0, 1920, 1080, 271, -1},
        {false, false, 0, 0, 1920, 1080, 270, 0}, {false, false, 0, 0, 0, 0, 2000, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dp_config c;
        struct dp_cmdline cl;
        memset(&cl, 0, sizeof cl);
        options_defaults(&c);
        cl.headless = cases[i].headless;
        cl.windowed = cases[i].windowed;
        cl.size_w = cl.windowed_w = cases[i].size_w;
        cl.size_h = cl.windowed_h = cases[i].size_h;
        c.size_w = cases[i].cfg_w;
        c.size_h = cases[i].cfg_h;
        c.margin = cases[i].margin;
        char err[256] = "";
        int rc = options_check_display(&c, &cl, err, sizeof err);
        if (rc != cases[i].want)
            fail_msg("case %zu: rc %d, want %d (%s)", i, rc, cases[i].want, err);
        if (rc < 0)
            assert_non_null(strstr(err, "margin"));
        options_finish(&c);
    }
}

static void test_defaults(void **state)
{
    struct dp_config c;
    options_defaults(&c);
    assert_null(c.feed_url);
    assert_int_equal(c.poll_interval_ms, 60000);
    assert_null(c.public_key);
    assert_null(c.ca_file);
    assert_null(c.headers);
    assert_null(c.cache_dir);
    assert_int_equal(c.max_size, 2LL << 30);
    assert_int_equal(c.max_media_size, 1LL << 30);
    assert_int_equal(c.size_w, 0);
    assert_int_equal(c.size_h, 0);
    assert_int_equal(c.rotation, 0);
    assert_int_equal(c.margin, 0);
    assert_int_equal(c.background, 0x000000);
    assert_int_equal(c.transition, RENDER_TRANSITION_FADE);
    assert_int_equal(c.transition_ms, 600);
    assert_null(c.font);
    assert_true(c.show_qr);
    assert_int_equal(c.image_duration_ms, 10000);
    assert_int_equal(c.text_duration_ms, 0);
    assert_int_equal(c.video_max_duration_ms, 0);
    assert_true(c.audio);
    assert_int_equal(c.volume, 100);
    assert_int_equal(c.max_items, 50);
    assert_int_equal(c.max_age_ms, 0);
    assert_int_equal(c.new_posts, ROTATION_NEW_NEXT);
    assert_int_equal(c.sync, DP_SYNC_NONE);
    assert_null(c.on_hours);
    assert_string_equal(c.status_listen, "127.0.0.1:8642");
    assert_null(c.status_token);
    options_finish(&c);
    options_finish(NULL);
}

/* --check-config never prints the login of [feed] notify (issue 11). */
static void test_print_hides_notify_login(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"mqtt://screen:s3cret@broker:1883/desk/t",
         "\nnotify = mqtt://<login>@broker:1883/desk/t\n"},
        {"mqtts://broker/desk/t", "\nnotify = mqtts://broker/desk/t\n"},
        {"mqtt://broker/t@x", "\nnotify = mqtt://broker/t@x\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dp_config c;
        options_defaults(&c);
        free(c.notify);
        c.notify = strdup(cases[i][0]);
        char *out = print_config_as(&c, OPTIONS_HIDE_SECRETS); /* as --check-config */
        if (!strstr(out, cases[i][1]) || strstr(out, "s3cret"))
            fail_msg("%s printed as:\n%s", cases[i][0], out);
        free(out);
        options_finish(&c);
    }
}

/* Every key of interface.md appears in --check-config output with its default. */
static void test_print_every_key(void **state)
{
    static const char *const lines[] = {
        "[feed]\n",
        "\nurl =\n",
        "\npoll_interval = 1m\n",
        "\npublic_key =\n",
        "\nca_file =\n",
        "\nheaders =\n",
        "[cache]\n",
        "\ndir =\n",
        "\nmax_size = 2G\n",
        "\nmax_media_size = 1G\n",
        "[display]\n",
        "\nsize =\n",
        "\nrotation = 0\n",
        "\nmargin = 0\n",
        "\nbackground = #000000\n",
        "\ntransition = fade\n",
        "\ntransition_time = 600ms\n",
        "\nfont =\n",
        "\nshow_qr = true\n",
        "[playback]\n",
        "\nimage_duration = 10s\n",
        "\ntext_duration = auto\n",
        "\nvideo_max_duration = 0\n",
        "\naudio = true\n",
        "\nvolume = 100\n",
        "\nmax_items = 50\n",
        "\nmax_age = 0\n",
        "\nnew_posts = next\n",
        "\nsync = none\n",
        "[schedule]\n",
        "\non_hours =\n",
        "[status]\n",
        "\nlisten = 127.0.0.1:8642\n",
        "\ntoken =\n",
        "\nnotify =\n",
        "\nnotify_jitter = 500ms\n",
        "\nlive_max_duration = 10m\n",
    };
    struct dp_config c;
    options_defaults(&c);
    char *out = print_config(&c);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        if (!strstr(out, lines[i]))
            fail_msg("--check-config output lacks \"%s\":\n%s", lines[i], out);
    free(out);
    options_finish(&c);
}

/* ---- a good file ------------------------------------------------------- */

static const char good_conf[] =
    "; a comment\n"
    "# another\n"
    "[feed]\n"
    "url = https://example.com/feed.json\n"
    "poll_interval = 2m\n"
    "public_key = RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n"
    "ca_file = /etc/ssl/extra.pem\n"
    "headers = Authorization: Bearer abc\\nX-Screen: lobby\n"
    "[cache]\n"
    "dir = /srv/cache\n"
    "max_size = 500M\n"
    "max_media_size = 1.5G\n"
    "[display]\n"
    "size = 1280x720\n"
    "rotation = 90\n"
    "margin = 16\n"
    "background = #1A2b3C\n"
    "transition = cut\n"
    "transition_time = 250ms\n"
    "font = /usr/share/fonts/x.ttf\n"
    "show_qr = no\n"
    "[playback]\n"
    "image_duration = 7.5\n"
    "text_duration = 12s\n"
    "video_max_duration = 1m\n"
    "audio = off\n"
    "volume = 35 ; quieter\n"
    "max_items = 20\n"
    "max_age = 48h\n"
    "new_posts = interrupt\n"
    "sync = wallclock\n"
    "[schedule]\n"
    "on_hours = mon-fri 07:00-22:00, sat 09:00-18:00\n"
    "[status]\n"
    "listen = 0.0.0.0:9000\n"
    "token = s3cret\n";

static void check_good(const struct dp_config *c)
{
    assert_string_equal(c->feed_url, "https://example.com/feed.json");
    assert_int_equal(c->poll_interval_ms, 120000);
    assert_string_equal(c->public_key, "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3");
    assert_string_equal(c->ca_file, "/etc/ssl/extra.pem");
    assert_string_equal(c->headers, "Authorization: Bearer abc\nX-Screen: lobby");
    assert_string_equal(c->cache_dir, "/srv/cache");
    assert_int_equal(c->max_size, 500LL << 20);
    assert_int_equal(c->max_media_size, 3LL << 29);
    assert_int_equal(c->size_w, 1280);
    assert_int_equal(c->size_h, 720);
    assert_int_equal(c->rotation, 90);
    assert_int_equal(c->margin, 16);
    assert_int_equal(c->background, 0x1a2b3c);
    assert_int_equal(c->transition, RENDER_TRANSITION_CUT);
    assert_int_equal(c->transition_ms, 250);
    assert_string_equal(c->font, "/usr/share/fonts/x.ttf");
    assert_false(c->show_qr);
    assert_int_equal(c->image_duration_ms, 7500);
    assert_int_equal(c->text_duration_ms, 12000);
    assert_int_equal(c->video_max_duration_ms, 60000);
    assert_false(c->audio);
    assert_int_equal(c->volume, 35);
    assert_int_equal(c->max_items, 20);
    assert_int_equal(c->max_age_ms, 48LL * 3600 * 1000);
    assert_int_equal(c->new_posts, ROTATION_NEW_INTERRUPT);
    assert_int_equal(c->sync, DP_SYNC_WALLCLOCK);
    assert_string_equal(c->on_hours, "mon-fri 07:00-22:00, sat 09:00-18:00");
    assert_string_equal(c->status_listen, "0.0.0.0:9000");
    assert_string_equal(c->status_token, "s3cret");
}

static void test_good_file(void **state)
{
    struct dp_config c;
    char err[512];
    options_defaults(&c);
    const char *path = write_file("good.conf", good_conf);
    assert_int_equal(options_load_file(&c, path, err, sizeof(err)), 0);
    check_good(&c);
    /* loading over set values frees the old ones (ASan would see a leak) */
    path = write_file("again.conf", "[feed]\nurl = file:///x\n[cache]\ndir =\n");
    assert_int_equal(options_load_file(&c, path, err, sizeof(err)), 0);
    assert_string_equal(c.feed_url, "file:///x");
    assert_null(c.cache_dir);
    assert_int_equal(c.volume, 35);
    options_finish(&c);
}

static void test_headers_continuation(void **state)
{
    struct dp_config c;
    char err[512];
    options_defaults(&c);
    const char *path = write_file("hdr.conf", "[feed]\nheaders =\n    A: 1\n    B-C: two words\n"
                                              "url = x\n");
    assert_int_equal(options_load_file(&c, path, err, sizeof(err)), 0);
    assert_string_equal(c.headers, "A: 1\nB-C: two words");
    assert_string_equal(c.feed_url, "x");
    options_finish(&c);
}

/* ---- errors ------------------------------------------------------------ */

static void test_errors(void **state)
{
    static const struct {
        const char *text;
        const char *want[4]; /* substrings of the message */
    } cases[] = {
        {"[display]\nmargin = 3\nbackgroud = #ffffff\n",
         {":3: ", "backgroud", "\"background\"", "unknown key"}},
        {"[feed]\npoll_intreval = 1\n",
         {":2: ", "unknown key \"[feed] poll_intreval\"", "\"poll_interval\"", NULL}},
        {"[display]\npoll_interval = 5s\n",
         {":2: ", "[display] poll_interval", "did you mean \"[feed] poll_interval\"", NULL}},
        {"[display]\nzzzzzzzzzzzz = 1\n", {":2: ", "the keys of [display] are", "show_qr", NULL}},
        {"[playback]\nvolume = 150\n",
         {":2: [playback] volume: expected an integer from 0 to 100, got \"150\"", NULL}},
        {"[display]\ntransition = slide\n",
         {":2: [display] transition: expected fade or cut, got \"slide\"", NULL}},
        {"[display]\nbackground = red\n", {":2: ", "#RRGGBB", "got \"red\"", NULL}},
        {"[display]\nsize = big\n", {"WxH", "got \"big\"", NULL}},
        {"[display]\nrotation = 45\n", {"0, 90, 180 or 270", NULL}},
        {"[display]\nshow_qr = maybe\n", {"true or false", NULL}},
        {"[cache]\nmax_size = 2T\n", {"[cache] max_size: expected a size", "K, M, G", NULL}},
        {"[feed]\npoll_interval = 5 minutes\n", {"expected a duration", "ms, s, m, h", NULL}},
        {"[feed]\npoll_interval = 10ms\n", {"from 1s to 24h", NULL}},
        {"[playback]\ntext_duration = soon\n", {"expected auto or a duration", NULL}},
        {"[playback]\nnew_posts = later\n", {"next, interrupt or queue", NULL}},
        {"[playback]\nmax_items = 0\n", {"from 1 to 10000", NULL}},
        {"[playback]\nmax_items = 5x\n", {"from 1 to 10000", "\"5x\"", NULL}},
        {"[feed]\nheaders = no colon here\n", {"\"Name: value\"", NULL}},
        {"[status]\nlisten = nowhere\n", {"HOST:PORT", NULL}},
        {"[status]\nlisten = 0.0.0.0:8642\n", {":2: ", "loopback", "token", NULL}},
        {"\n[dispaly]\nsize = 1x1\n",
         {":2: unknown section [dispaly] (did you mean [display]?)", NULL}},
        {"[zzzzzzzzzz]\n", {":1: unknown section [zzzzzzzzzz]", "[playback]", NULL}},
        {"url = x\n[feed]\n", {":1: ", "before any [section]", "\"[feed] url\"", NULL}},
        {"[feed]\nurl = a\nurl = b\n", {":3: ", "set twice", "line 2", NULL}},
        {"[feed]\njust words\n", {":2: ", "expected \"key = value\"", NULL}},
        {"[feed\nurl = x\n", {":1: ", "[section]", NULL}},
        {"[playback]\nvolume = 5\n  6\n", {":3: ", "one line", NULL}},
    };
    char err[512];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dp_config c;
        char name[32];
        options_defaults(&c);
        snprintf(name, sizeof(name), "bad%zu.conf", i);
        const char *path = write_file(name, cases[i].text);
        err[0] = '\0';
        int rc = options_load_file(&c, path, err, sizeof(err));
        if (rc != -1)
            fail_msg("case %zu: rc %d for:\n%s", i, rc, cases[i].text);
        if (!strstr(err, path) || strchr(err, '\n'))
            fail_msg("case %zu: message should be one line naming the file: %s", i, err);
        for (int k = 0; k < 4 && cases[i].want[k]; k++)
            if (!strstr(err, cases[i].want[k]))
                fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want[k]);
        /* the config is untouched on failure */
        assert_int_equal(c.volume, 100);
        assert_null(c.feed_url);
        options_finish(&c);
    }
}

/* Lines of any length up to DP_CONFIG_LINE_MAX (issue 13: inih refused a
 * 290-character presigned URL): a 2,000-character URL, a 4,000-character
 * header value (a JWT); a 70 KiB line is refused with file:line. */
static void test_long_lines(void **state)
{
    struct dp_config c;
    char err[512];
    options_defaults(&c);
    size_t n = 70 * 1024 + 200;
    char *text = malloc(n), *url = malloc(2001), *jwt = malloc(4001);
    memset(url, 'u', 2000);
    memcpy(url, "https://", 8);
    url[2000] = '\0';
    memset(jwt, 'j', 4000);
    jwt[4000] = '\0';
    snprintf(text, n, "[feed]\nurl = %s\nheaders = Authorization: Bearer %s\\nX-A: b\n", url, jwt);
    const char *path = write_file("long.conf", text);
    if (options_load_file(&c, path, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(strlen(c.feed_url), 2000);
    assert_string_equal(c.feed_url, url);
    assert_int_equal(strlen(c.headers), strlen("Authorization: Bearer \nX-A: b") + 4000);
    assert_memory_equal(c.headers + strlen("Authorization: Bearer "), jwt, 4000);

    /* 70 KiB on line 3: refused, naming the file and the line. */
    memset(text, 0, n);
    strcpy(text, "[feed]\n; fine\nurl = ");
    size_t k = strlen(text);
    memset(text + k, 'x', 70 * 1024);
    strcpy(text + k + 70 * 1024, "\n");
    path = write_file("huge-line.conf", text);
    assert_int_equal(options_load_file(&c, path, err, sizeof(err)), -1);
    char want[600];
    snprintf(want, sizeof(want), "%s:3: line longer than", path);
    if (!strstr(err, want))
        fail_msg("\"%s\" lacks \"%s\"", err, want);
    assert_string_equal(c.feed_url, url); /* unchanged */
    free(text);
    free(url);
    free(jwt);
    options_finish(&c);
}

/* Config files must be regular files of at most 1 MiB, read with a bound
 * (issue 8: /dev/zero grew to 2.8 GB, a FIFO hung forever). */
static void test_not_regular_files(void **state)
{
    struct dp_config c;
    char err[512], fifo[512], big[512];
    options_defaults(&c);
    assert_int_equal(options_load_file(&c, "/nonexistent/x.conf", err, sizeof(err)), -2);
    assert_non_null(strstr(err, "/nonexistent/x.conf"));
    assert_int_equal(options_load_file(&c, "/dev/zero", err, sizeof(err)), -2);
    assert_non_null(strstr(err, "/dev/zero: expected a regular file, got a device"));
    assert_int_equal(options_load_file(&c, tmpdir, err, sizeof(err)), -2);
    assert_non_null(strstr(err, "a folder"));
    snprintf(fifo, sizeof(fifo), "%s/fifo.conf", tmpdir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(options_load_file(&c, fifo, err, sizeof(err)), -2); /* at once */
    assert_non_null(strstr(err, "a FIFO"));
    snprintf(big, sizeof(big), "%s/big.conf", tmpdir);
    FILE *f = fopen(big, "w");
    assert_non_null(f);
    fputs("[feed]\n", f);
    for (int i = 0; i < 1024 * 1024 / 8; i++)
        fputs(";comment", f);
    fclose(f);
    assert_int_equal(options_load_file(&c, big, err, sizeof(err)), -2);
    assert_non_null(strstr(err, "larger than 1048576 bytes"));
    assert_int_equal(c.volume, 100);
    options_finish(&c);
}

/* Quotes around a value go, for every key alike (issue 8: token = "abc"
 * kept them); an unclosed one is an error with file:line. */
static void test_quotes(void **state)
{
    static const struct {
        const char *line;  /* under [status] or [playback] */
        const char *token; /* expected; NULL: an error */
    } cases[] = {
        {"token = \"abc\"", "abc"},
        {"token = 'abc'", "abc"},
        {"token = \"a ;b\" ; comment", "a ;b"},
        {"token = \"a'b\"", "a'b"},
        {"token = abc ; comment", "abc"},
        {"token = a\"b\"", "a\"b\""},
        {"token = \"abc", NULL},
        {"token = \"abc\" x", NULL},
    };
    char err[512], text[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dp_config c;
        options_defaults(&c);
        snprintf(text, sizeof(text), "[status]\n%s\n[playback]\nvolume = \"35\"\n", cases[i].line);
        const char *path = write_file("quotes.conf", text);
        int rc = options_load_file(&c, path, err, sizeof(err));
        if (!cases[i].token) {
            if (rc != -1 || !strstr(err, ":2: "))
                fail_msg("%s: rc %d, \"%s\"", cases[i].line, rc, err);
        } else {
            if (rc != 0)
                fail_msg("%s: %s", cases[i].line, err);
            assert_string_equal(c.status_token, cases[i].token);
            assert_int_equal(c.volume, 35);
        }
        options_finish(&c);
    }
}

/* --check-config hides the token and the header values (issue 8). */
static void test_print_hides_secrets(void **state)
{
    struct dp_config c;
    char err[512];
    options_defaults(&c);
    const char *path = write_file("secret.conf", good_conf);
    assert_int_equal(options_load_file(&c, path, err, sizeof(err)), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    options_print(&c, f, OPTIONS_HIDE_SECRETS);
    fclose(f);
    assert_null(strstr(buf, "s3cret"));
    assert_null(strstr(buf, "Bearer abc"));
    assert_null(strstr(buf, "lobby"));
    assert_non_null(strstr(buf, "\ntoken = <set>\n"));
    assert_non_null(strstr(buf, "\nheaders = Authorization: <set>\\nX-Screen: <set>\n"));
    assert_non_null(strstr(buf, "\nurl = https://example.com/feed.json\n"));
    free(buf);
    options_finish(&c);
}

static void test_options_set(void **state)
{
    struct dp_config c;
    char err[256];
    options_defaults(&c);
    assert_int_equal(options_set(&c, "display", "size", "640x480", err, sizeof(err)), 0);
    assert_int_equal(c.size_w, 640);
    assert_int_equal(options_set(&c, "display", "size", "", err, sizeof(err)), 0);
    assert_int_equal(c.size_w, 0);
    assert_int_equal(options_set(&c, "status", "listen", "", err, sizeof(err)), 0);
    assert_string_equal(c.status_listen, "");
    assert_int_equal(options_set(&c, "playback", "text_duration", "0", err, sizeof(err)), 0);
    assert_int_equal(c.text_duration_ms, 0);
    assert_int_equal(options_set(&c, "playback", "volum", "5", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "\"volume\""));
    assert_int_equal(options_set(&c, "nope", "volume", "5", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unknown section [nope]"));
    options_finish(&c);
}

/* ---- round trips ------------------------------------------------------- */

static void test_round_trip(void **state)
{
    struct dp_config a, b;
    char err[512];
    options_defaults(&a);
    options_defaults(&b);
    const char *path = write_file("rt-in.conf", good_conf);
    assert_int_equal(options_load_file(&a, path, err, sizeof(err)), 0);
    char *first = print_config(&a);
    path = write_file("rt-out.conf", first);
    if (options_load_file(&b, path, err, sizeof(err)) != 0)
        fail_msg("printed config does not load: %s\n%s", err, first);
    check_good(&b);
    char *second = print_config(&b);
    assert_string_equal(first, second);
    free(first);
    free(second);
    options_finish(&a);
    options_finish(&b);

    /* the defaults too */
    options_defaults(&a);
    options_defaults(&b);
    b.volume = 1;
    first = print_config(&a);
    path = write_file("rt-def.conf", first);
    assert_int_equal(options_load_file(&b, path, err, sizeof(err)), 0);
    second = print_config(&b);
    assert_string_equal(first, second);
    free(first);
    free(second);
    options_finish(&a);
    options_finish(&b);
}

static void test_example_file(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    options_write_example(f);
    fclose(f);

    const char *update = getenv("DP_UPDATE_EXAMPLE");
    if (update && !strcmp(update, "1")) {
        FILE *o = fopen(EXAMPLE_PATH, "w");
        assert_non_null(o);
        fwrite(buf, 1, len, o);
        fclose(o);
    }
    FILE *in = fopen(EXAMPLE_PATH, "r");
    if (!in)
        fail_msg("%s missing: run with DP_UPDATE_EXAMPLE=1", EXAMPLE_PATH);
    char *disk = malloc(len + 2);
    size_t n = fread(disk, 1, len + 1, in);
    fclose(in);
    if (n != len || memcmp(disk, buf, len))
        fail_msg("%s is stale: rerun this test with DP_UPDATE_EXAMPLE=1", EXAMPLE_PATH);
    free(disk);

    /* every key is there with its meaning, under its section */
    static const char *const keys[] = {
        "[feed]\n",
        ";url =\n",
        ";poll_interval = 60s\n",
        ";public_key =\n",
        ";ca_file =\n",
        ";headers =\n",
        "[cache]\n",
        ";dir =\n",
        ";max_size = 2G\n",
        ";max_media_size = 1G\n",
        "[display]\n",
        ";size =\n",
        ";rotation = 0\n",
        ";margin = 0\n",
        ";background = #000000\n",
        ";transition = fade\n",
        ";transition_time = 600ms\n",
        ";font =\n",
        ";show_qr = true\n",
        "[playback]\n",
        ";image_duration = 10s\n",
        ";text_duration = auto\n",
        ";video_max_duration = 0\n",
        ";audio = true\n",
        ";volume = 100\n",
        ";max_items = 50\n",
        ";max_age = 0\n",
        ";new_posts = next\n",
        ";sync = none\n",
        "[schedule]\n",
        ";on_hours =\n",
        "[status]\n",
        ";listen = 127.0.0.1:8642\n",
        ";token =\n",
        "# upper bound on cached media bytes\n",
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strstr(buf, keys[i]))
            fail_msg("example lacks \"%s\"", keys[i]);
    free(buf);

    /* it loads, and yields the defaults */
    struct dp_config a, b;
    char err[512];
    options_defaults(&a);
    options_defaults(&b);
    assert_int_equal(options_load_file(&b, EXAMPLE_PATH, err, sizeof(err)), 0);
    char *pa = print_config(&a), *pb = print_config(&b);
    assert_string_equal(pa, pb);
    free(pa);
    free(pb);
    options_finish(&a);
    options_finish(&b);

    /* and with every ';' removed it still yields the defaults */
    in = fopen(EXAMPLE_PATH, "r");
    char line[512];
    char *text = NULL;
    size_t tlen = 0;
    FILE *t = open_memstream(&text, &tlen);
    while (fgets(line, sizeof(line), in))
        fputs(line[0] == ';' ? line + 1 : line, t);
    fclose(in);
    fclose(t);
    const char *path = write_file("uncommented.conf", text);
    free(text);
    options_defaults(&a);
    options_defaults(&b);
    if (options_load_file(&b, path, err, sizeof(err)) != 0)
        fail_msg("uncommented example: %s", err);
    pa = print_config(&a);
    pb = print_config(&b);
    assert_string_equal(pa, pb);
    free(pa);
    free(pb);
    options_finish(&a);
    options_finish(&b);
}

/* ---- command line ------------------------------------------------------ */

#define MAXARGS 12

static int run_cmdline(const char *const *args, struct dp_cmdline *cl, char *err, size_t errlen)
{
    static char store[MAXARGS][128];
    static char *argv[MAXARGS + 1];
    int argc = 0;
    argv[argc++] = strcpy(store[0], "deskplayer");
    for (; args[argc - 1] && argc < MAXARGS; argc++)
        argv[argc] = strcpy(store[argc], args[argc - 1]);
    argv[argc] = NULL;
    return options_parse_cmdline(argc, argv, cl, err, errlen);
}

static void test_cmdline_good(void **state)
{
    struct dp_cmdline cl;
    char err[256];
    const char *none[] = {NULL};
    assert_int_equal(run_cmdline(none, &cl, err, sizeof(err)), 0);
    assert_false(cl.windowed);
    assert_int_equal(cl.size_w, 1920);
    assert_int_equal(cl.size_h, 1080);
    assert_int_equal(cl.windowed_w, 1280);
    assert_null(cl.feed);
    assert_null(cl.config_path);

    const char *a1[] = {"-c",        "/x.conf", "--headless", "--size", "640x360",
                        "--run-for", "2.5",     "feed.json",  NULL};
    assert_int_equal(run_cmdline(a1, &cl, err, sizeof(err)), 0);
    assert_string_equal(cl.config_path, "/x.conf");
    assert_true(cl.headless);
    assert_int_equal(cl.size_w, 640);
    assert_int_equal(cl.size_h, 360);
    assert_int_equal(cl.run_for_ms, 2500);
    assert_string_equal(cl.feed, "feed.json");

    const char *a2[] = {"--windowed", "800x600", "http://x/feed", NULL};
    assert_int_equal(run_cmdline(a2, &cl, err, sizeof(err)), 0);
    assert_true(cl.windowed);
    assert_int_equal(cl.windowed_w, 800);
    assert_int_equal(cl.windowed_h, 600);
    assert_string_equal(cl.feed, "http://x/feed");

    const char *a3[] = {"feed.json", "--windowed", NULL};
    assert_int_equal(run_cmdline(a3, &cl, err, sizeof(err)), 0);
    assert_true(cl.windowed);
    assert_int_equal(cl.windowed_w, 1280);
    assert_int_equal(cl.windowed_h, 720);
    assert_string_equal(cl.feed, "feed.json");

    const char *a4[] = {
        "--windowed=1024x768", "--check-config", "--log-level", "debug", "--cycles", "3", NULL};
    assert_int_equal(run_cmdline(a4, &cl, err, sizeof(err)), 0);
    assert_int_equal(cl.windowed_w, 1024);
    assert_true(cl.check_config);
    assert_string_equal(cl.log_level, "debug");
    assert_int_equal(cl.cycles, 3);

    const char *a5[] = {"--snapshot-dir", "/tmp/s", "--snapshot-interval", "40",
                        "--play-log",     "-",      "--cache-dir=/c",      NULL};
    assert_int_equal(run_cmdline(a5, &cl, err, sizeof(err)), 0);
    assert_string_equal(cl.snapshot_dir, "/tmp/s");
    assert_int_equal(cl.snapshot_interval_ms, 40);
    assert_string_equal(cl.play_log, "-");
    assert_string_equal(cl.cache_dir, "/c");

    const char *a6[] = {"-h", "--version", "--benchmark", "123456789012", NULL};
    assert_int_equal(run_cmdline(a6, &cl, err, sizeof(err)), 0);
    assert_true(cl.help);
    assert_true(cl.version);
    assert_int_equal(cl.benchmark, 123456789012LL);

    /* FEED and --cache-dir override the config */
    const char *a7[] = {"--cache-dir", "/c2", "file:///f.json", NULL};
    assert_int_equal(run_cmdline(a7, &cl, err, sizeof(err)), 0);
    struct dp_config c;
    options_defaults(&c);
    options_apply_cmdline(&c, &cl);
    assert_string_equal(c.feed_url, "file:///f.json");
    assert_string_equal(c.cache_dir, "/c2");
    options_finish(&c);
}

static void test_cmdline_errors(void **state)
{
    static const struct {
        const char *args[MAXARGS];
        const char *want;
    } cases[] = {
        {{"--size", "abc"},
         "--size: expected WxH (e.g. 1920x1080, at most 7680x4320), got \"abc\""},
        {{"--size"}, "--size: expected WxH, got nothing"},
        {{"--foo"}, "unknown option --foo"},
        {{"--hedless"}, "unknown option --hedless (did you mean --headless?)"},
        {{"--cylces=3", "x"}, "did you mean --cycles?"},
        {{"-x"}, "unknown option -x"},
        {{"--headless=yes"}, "--headless takes no argument"},
        {{"--windowed=big"}, "--windowed: expected WxH"},
        {{"--snapshot-interval", "0"}, "--snapshot-interval: expected milliseconds"},
        {{"--snapshot-interval", "1.5"}, "got \"1.5\""},
        {{"--run-for", "soon"}, "--run-for: expected seconds > 0"},
        {{"--run-for", "0"}, "--run-for: expected seconds"},
        {{"--cycles", "-1"}, "--cycles: expected a whole number > 0, got \"-1\""},
        {{"--log-level", "loud"}, "--log-level: expected error, warn, info or debug"},
        {{"-c"}, "--config: expected FILE, got nothing"},
        {{"a.json", "b.json"}, "unexpected argument \"b.json\""},
        {{"--benchmark", "x"}, "--benchmark: expected a whole number"},
        {{"--s", "1x1"}, "ambiguous option --s (--size, --snapshot-dir, --snapshot-interval)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dp_cmdline cl;
        char err[256] = "";
        if (run_cmdline(cases[i].args, &cl, err, sizeof(err)) != -1)
            fail_msg("case %zu (%s) should fail", i, cases[i].args[0]);
        if (!strstr(err, cases[i].want))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
    }
    /* and a good parse right after an error still works */
    struct dp_cmdline cl;
    char err[256];
    const char *ok[] = {"--headless", NULL};
    assert_int_equal(run_cmdline(ok, &cl, err, sizeof(err)), 0);
    assert_true(cl.headless);
}

static void test_usage_and_config_path(void **state)
{
    static const char *const opts[] = {
        "-c, --config FILE",
        "--cache-dir DIR",
        "--windowed [WxH]",
        "--headless",
        "--size WxH",
        "--snapshot-dir DIR",
        "--snapshot-interval MS",
        "--play-log FILE",
        "--run-for SECONDS",
        "--cycles N",
        "--check-config",
        "--log-level LEVEL",
        "-h, --help",
        "--version",
        "[FEED]",
    };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    options_usage(f);
    fclose(f);
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (!strstr(buf, opts[i]))
            fail_msg("usage lacks \"%s\"", opts[i]);
    assert_null(strstr(buf, "benchmark"));
    free(buf);

    struct dp_cmdline cl;
    memset(&cl, 0, sizeof(cl));
    cl.config_path = "/given.conf";
    setenv("DESKPLAYER_CONFIG", "/env.conf", 1);
    assert_string_equal(options_config_path(&cl), "/given.conf");
    cl.config_path = NULL;
    assert_string_equal(options_config_path(&cl), "/env.conf");
    unsetenv("DESKPLAYER_CONFIG");
    const char *p = options_config_path(&cl);
    if (access("/etc/deskplayer/deskplayer.conf", F_OK) == 0)
        assert_string_equal(p, "/etc/deskplayer/deskplayer.conf");
    else
        assert_null(p);

    /* issue 12: the system places in order, the first that exists wins. */
    char etc[512], boot[512];
    snprintf(etc, sizeof etc, "%s/etc.conf", tmpdir);
    snprintf(boot, sizeof boot, "%s/boot.conf", tmpdir);
    const char *const places[] = {etc, boot, NULL};
    static const struct {
        bool etc, boot, given, env;
        const char *want; /* "etc", "boot", "given", "env", NULL */
        const char *why;
    } order[] = {
        {false, false, false, false, NULL, "built-in defaults"},
        {false, true, false, false, "boot", "the first system file that exists"},
        {true, true, false, false, "etc", "the first system file that exists"},
        {true, true, false, true, "env", "$DESKPLAYER_CONFIG"},
        {true, true, true, true, "given", "--config"},
    };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        unlink(etc);
        unlink(boot);
        if (order[i].etc)
            fclose(fopen(etc, "w"));
        if (order[i].boot)
            fclose(fopen(boot, "w"));
        cl.config_path = order[i].given ? "/given.conf" : NULL;
        if (order[i].env)
            setenv("DESKPLAYER_CONFIG", "/env.conf", 1);
        else
            unsetenv("DESKPLAYER_CONFIG");
        const char *why = NULL;
        const char *got = options_config_find(&cl, places, &why);
        const char *want = !order[i].want                       ? NULL
                           : strcmp(order[i].want, "etc") == 0  ? etc
                           : strcmp(order[i].want, "boot") == 0 ? boot
                           : strcmp(order[i].want, "env") == 0  ? "/env.conf"
                                                                : "/given.conf";
        if (want)
            assert_string_equal(got, want);
        else
            assert_null(got);
        assert_string_equal(why, order[i].why);
    }
    unlink(etc);
    unlink(boot);
    unsetenv("DESKPLAYER_CONFIG");
    cl.config_path = NULL;

    setenv("XDG_CACHE_HOME", "/xdg", 1);
    char *d = options_default_cache_dir();
    assert_string_equal(d, "/xdg/deskplayer");
    free(d);
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "/home/u", 1);
    d = options_default_cache_dir();
    assert_string_equal(d, "/home/u/.cache/deskplayer");
    free(d);
    unsetenv("HOME");
    d = options_default_cache_dir();
    assert_string_equal(d, "/var/cache/deskplayer");
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_parse_wxh),
        cmocka_unit_test(test_check_display),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_print_every_key),
        cmocka_unit_test(test_print_hides_notify_login),
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_headers_continuation),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_not_regular_files),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_print_hides_secrets),
        cmocka_unit_test(test_options_set),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_cmdline_good),
        cmocka_unit_test(test_cmdline_errors),
        cmocka_unit_test(test_usage_and_config_path),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
