/* The command line: one table of options drives getopt_long, the --help text
 * and the "did you mean" of unknown options. getopt's own messages are off
 * (opterr = 0); every error is one line in err. */
#include "options/options.h"

#include "base/limits.h"
#include "base/log.h"
#include "options/options_internal.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    CL_CONFIG = 'c',
    CL_HELP = 'h',
    CL_CACHE_DIR = 256,
    CL_WINDOWED,
    CL_HEADLESS,
    CL_SIZE,
    CL_SNAPSHOT_DIR,
    CL_SNAPSHOT_INTERVAL,
    CL_PLAY_LOG,
    CL_RUN_FOR,
    CL_CYCLES,
    CL_CHECK_CONFIG,
    CL_LOG_LEVEL,
    CL_VERSION,
    CL_BENCHMARK,
};

struct cl_def {
    const char *name;
    int has_arg;
    int val;
    const char *arg;     /* for --help, NULL: no argument */
    const char *meaning; /* NULL: hidden */
};

static const struct cl_def cl_defs[] = {
    {"config", required_argument, CL_CONFIG, "FILE", "config file (default: see below)"},
    {"cache-dir", required_argument, CL_CACHE_DIR, "DIR", "overrides [cache] dir"},
    {"windowed", optional_argument, CL_WINDOWED, "[WxH]",
     "a window instead of fullscreen (default 1280x720)"},
    {"headless", no_argument, CL_HEADLESS, NULL, "render offscreen: no display, X or DRM needed"},
    {"size", required_argument, CL_SIZE, "WxH",
     "output size in headless mode (default 1920x1080)"},
    {"snapshot-dir", required_argument, CL_SNAPSHOT_DIR, "DIR",
     "write a PNG each time an item is fully shown"},
    {"snapshot-interval", required_argument, CL_SNAPSHOT_INTERVAL, "MS",
     "with --snapshot-dir: also one PNG every MS ms"},
    {"play-log", required_argument, CL_PLAY_LOG, "FILE",
     "append a JSON line per event (- for stdout)"},
    {"run-for", required_argument, CL_RUN_FOR, "SECONDS", "exit 0 after this much wall time"},
    {"cycles", required_argument, CL_CYCLES, "N", "exit 0 after N full cycles of the rotation"},
    {"check-config", no_argument, CL_CHECK_CONFIG, NULL,
     "check the config, print the settings, exit 0/2"},
    {"log-level", required_argument, CL_LOG_LEVEL, "LEVEL",
     "error, warn, info (default) or debug"},
    {"help", no_argument, CL_HELP, NULL, "show this help and exit"},
    {"version", no_argument, CL_VERSION, NULL, "show the version and exit"},
    {"benchmark", required_argument, CL_BENCHMARK, "N", NULL},
};

#define NCL (sizeof(cl_defs) / sizeof(cl_defs[0]))

static const struct cl_def *cl_find(int val)
{
    for (size_t i = 0; i < NCL; i++)
        if (cl_defs[i].val == val)
            return &cl_defs[i];
    return NULL;
}

static void cl_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cl_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int bad_arg(char *err, size_t errlen, const char *opt, const char *what, const char *got)
{
    char q[72];
    options_quote(got, q, sizeof(q));
    cl_fail(err, errlen, "--%s: expected %s, got \"%s\"", opt, what, q);
    return -1;
}

/* A whole decimal number from min to max. */
static bool parse_count(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    if (!isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* "--foo=bar" -> "foo"; the closest visible long option or NULL. */
static const char *closest_option(const char *arg)
{
    char name[64];
    size_t n = 0;
    const char *best = NULL;
    int best_d = 1 << 20;
    while (*arg == '-')
        arg++;
    while (arg[n] && arg[n] != '=' && n + 1 < sizeof(name)) {
        name[n] = arg[n];
        n++;
    }
    name[n] = '\0';
    if (!n)
        return NULL;
    for (size_t i = 0; i < NCL; i++) {
        if (!cl_defs[i].meaning)
            continue;
        int d = options_distance(name, cl_defs[i].name);
        if (d < best_d) {
            best_d = d;
            best = cl_defs[i].name;
        }
    }
    return options_close_enough(n, best_d) ? best : NULL;
}

static void unknown_option(const char *arg, int optopt_val, char *err, size_t errlen)
{
    char q[72];
    if (arg && arg[0] == '-' && arg[1] == '-') {
        const char *best = closest_option(arg);
        size_t n = strcspn(arg, "="), matches = 0, used = 0;
        char name[72], list[200] = "";
        options_quote(arg, q, sizeof(q));
        snprintf(name, sizeof(name), "%.*s", (int)(n < 64 ? n : 64), q);
        for (size_t i = 0; i < NCL && n > 2; i++) {
            if (cl_defs[i].meaning && !strncmp(cl_defs[i].name, arg + 2, n - 2)) {
                matches++;
                if (used < sizeof(list))
                    used += (size_t)snprintf(list + used, sizeof(list) - used, "%s--%s",
                                             used ? ", " : "", cl_defs[i].name);
            }
        }
        if (matches > 1)
            cl_fail(err, errlen, "ambiguous option %s (%s)", name, list);
        else if (best)
            cl_fail(err, errlen, "unknown option %s (did you mean --%s?)", name, best);
        else
            cl_fail(err, errlen, "unknown option %s (see --help)", name);
    } else if (optopt_val > 0 && optopt_val < 256 && isprint(optopt_val)) {
        cl_fail(err, errlen, "unknown option -%c (see --help)", optopt_val);
    } else {
        options_quote(arg ? arg : "?", q, sizeof(q));
        cl_fail(err, errlen, "unknown option %s (see --help)", q);
    }
}

static int take_arg(struct dp_cmdline *cl, int val, const char *arg, char *err, size_t errlen)
{
    const struct cl_def *d = cl_find(val);
    int64_t n;
    switch (val) {
    case CL_CONFIG:
        cl->config_path = arg;
        break;
    case CL_CACHE_DIR:
        cl->cache_dir = arg;
        break;
    case CL_WINDOWED:
        cl->windowed = true;
        if (arg && !options_parse_wxh(arg, &cl->windowed_w, &cl->windowed_h))
            return bad_arg(err, errlen, d->name, "WxH (e.g. 1280x720, at most 7680x4320)", arg);
        break;
    case CL_HEADLESS:
        cl->headless = true;
        break;
    case CL_SIZE:
        if (!options_parse_wxh(arg, &cl->size_w, &cl->size_h))
            return bad_arg(err, errlen, d->name, "WxH (e.g. 1920x1080, at most 7680x4320)", arg);
        break;
    case CL_SNAPSHOT_DIR:
        cl->snapshot_dir = arg;
        break;
    case CL_SNAPSHOT_INTERVAL:
        if (!parse_count(arg, 1, 86400000, &cl->snapshot_interval_ms))
            return bad_arg(err, errlen, d->name, "milliseconds, a whole number > 0", arg);
        break;
    case CL_PLAY_LOG:
        cl->play_log = arg;
        break;
    case CL_RUN_FOR:
        if (!options_parse_duration(arg, &n) || n <= 0)
            return bad_arg(err, errlen, d->name, "seconds > 0 (e.g. 30 or 2.5)", arg);
        cl->run_for_ms = n;
        break;
    case CL_CYCLES:
        if (!parse_count(arg, 1, INT64_MAX, &cl->cycles))
            return bad_arg(err, errlen, d->name, "a whole number > 0", arg);
        break;
    case CL_CHECK_CONFIG:
        cl->check_config = true;
        break;
    case CL_LOG_LEVEL: {
        enum dp_log_level level;
        if (!dp_log_parse_level(arg, &level))
            return bad_arg(err, errlen, d->name, "error, warn, info or debug", arg);
        cl->log_level = arg;
        break;
    }
    case CL_HELP:
        cl->help = true;
        break;
    case CL_VERSION:
        cl->version = true;
        break;
    case CL_BENCHMARK:
        if (!parse_count(arg, 0, INT64_MAX, &cl->benchmark))
            return bad_arg(err, errlen, d->name, "a whole number", arg);
        break;
    default:
        cl_fail(err, errlen, "unhandled option %d", val);
        return -1;
    }
    return 0;
}

int options_parse_cmdline(int argc, char **argv, struct dp_cmdline *cl, char *err, size_t errlen)
{
    struct option longopts[NCL + 1];
    int rc = 0;
    memset(cl, 0, sizeof(*cl));
    cl->windowed_w = 1280;
    cl->windowed_h = 720;
    cl->size_w = 1920;
    cl->size_h = 1080;
    if (errlen)
        err[0] = '\0';
    for (size_t i = 0; i < NCL; i++)
        longopts[i] = (struct option){cl_defs[i].name, cl_defs[i].has_arg, NULL, cl_defs[i].val};
    memset(&longopts[NCL], 0, sizeof(longopts[NCL]));

    optind = 0; /* glibc: a full re-initialisation */
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, ":c:h", longopts, NULL);
        if (c == -1)
            break;
        if (c == '?') {
            /* glibc has stepped past the offending word: it is argv[optind - 1] */
            const char *arg = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : NULL;
            bool is_long = arg && !strncmp(arg, "--", 2);
            const struct cl_def *d = optopt ? cl_find(optopt) : NULL;
            if (is_long && d && d->has_arg == no_argument)
                cl_fail(err, errlen, "--%s takes no argument", d->name);
            else
                unknown_option(is_long ? arg : NULL, optopt, err, errlen);
            rc = -1;
            break;
        }
        if (c == ':') {
            const struct cl_def *d = cl_find(optopt);
            if (d)
                cl_fail(err, errlen, "--%s: expected %s, got nothing", d->name, d->arg);
            else
                cl_fail(err, errlen, "an option needs an argument");
            rc = -1;
            break;
        }
        const char *arg = optarg;
        /* --windowed 800x600: take the next word when it is a size */
        if (c == CL_WINDOWED && !arg && optind < argc) {
            int w, h;
            if (options_parse_wxh(argv[optind], &w, &h))
                arg = argv[optind++];
        }
        if (take_arg(cl, c, arg, err, errlen) < 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0) {
        for (int i = optind; i < argc; i++) {
            if (cl->feed) {
                char q[72], q2[72];
                options_quote(argv[i], q, sizeof(q));
                options_quote(cl->feed, q2, sizeof(q2));
                cl_fail(err, errlen, "unexpected argument \"%s\": one FEED only (already \"%s\")",
                        q, q2);
                rc = -1;
                break;
            }
            cl->feed = argv[i];
        }
    }
    optind = 0;
    return rc;
}

/* issue 12: the system places, in order; the boot partition is the FAT one a
 * user edits from another computer right after flashing a card. */
static const char *const config_system_paths[] = {
    "/etc/deskplayer/deskplayer.conf",
    "/boot/firmware/deskplayer.conf",
    NULL,
};

const char *options_config_find(const struct dp_cmdline *cl, const char *const *system_paths,
                                const char **origin)
{
    const char *env = getenv("DESKPLAYER_CONFIG");
    const char *why = "built-in defaults";
    const char *path = NULL;
    if (!system_paths)
        system_paths = config_system_paths;
    if (cl && cl->config_path) {
        path = cl->config_path;
        why = "--config";
    } else if (env && *env) {
        path = env;
        why = "$DESKPLAYER_CONFIG";
    } else {
        for (size_t i = 0; system_paths[i]; i++) {
            if (access(system_paths[i], F_OK) == 0) {
                path = system_paths[i];
                why = "the first system file that exists";
                break;
            }
        }
    }
    if (origin)
        *origin = why;
    return path;
}

const char *options_config_path(const struct dp_cmdline *cl)
{
    return options_config_find(cl, NULL, NULL);
}

void options_usage(FILE *out)
{
    fputs("Usage: deskplayer [OPTIONS] [FEED]\n"
          "\n"
          "Shows the posts of a feed fullscreen: text cards, images and videos in turn.\n"
          "FEED is an http(s):// or file:// URL, or a local feed file or folder of media;\n"
          "it overrides [feed] url in the config.\n"
          "\n"
          "Options:\n",
          out);
    for (size_t i = 0; i < NCL; i++) {
        const struct cl_def *d = &cl_defs[i];
        char left[64], shortname[8] = "    ";
        if (!d->meaning)
            continue;
        if (d->val < 256)
            snprintf(shortname, sizeof(shortname), "-%c, ", d->val);
        snprintf(left, sizeof(left), "%s--%s%s%s", shortname, d->name, d->arg ? " " : "",
                 d->arg ? d->arg : "");
        fprintf(out, "  %-27s %s\n", left, d->meaning);
    }
    fputs("\n"
          "Config file: --config, else $DESKPLAYER_CONFIG, else the first that exists of\n"
          "/etc/deskplayer/deskplayer.conf and /boot/firmware/deskplayer.conf, else built-in\n"
          "defaults (the log says which). Every key\n"
          "with its default: deskplayer.conf.example, or --check-config.\n"
          "Exit status: 0 normal end (SIGTERM, SIGINT, --run-for, --cycles); 1 fatal\n"
          "runtime error (no display, cache dir not writable); 2 bad command line or config.\n"
          "Signals: SIGHUP reloads the config and polls the feed; SIGUSR1 polls the feed.\n",
          out);
}

int options_check_display(const struct dp_config *cfg, const struct dp_cmdline *cl, char *err,
                          size_t errlen)
{
    int w = cl->headless ? cl->size_w : cl->windowed ? cl->windowed_w : cfg->size_w;
    int h = cl->headless ? cl->size_h : cl->windowed ? cl->windowed_h : cfg->size_h;
    if (w <= 0 || h <= 0)
        return 0;
    int shorter = w < h ? w : h;
    if ((int64_t)cfg->margin * DP_MARGIN_MAX_FRACTION > shorter) {
        snprintf(err, errlen,
                 "[display] margin: expected at most %d for a %dx%d output (a quarter of "
                 "the screen must stay), got %d",
                 shorter / DP_MARGIN_MAX_FRACTION, w, h, cfg->margin);
        return -1;
    }
    return 0;
}
