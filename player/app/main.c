/* deskplayer: command line, config, and the exit codes of interface.md. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/player.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "options/options.h"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

#ifndef DP_DATA_DIR
#define DP_DATA_DIR "/usr/local/share/deskplayer"
#endif

/* Where the fonts and the demo feed are: $DESKPLAYER_ASSETS, else
 * <bin>/../share/deskplayer (an installed or unpacked package runs in place),
 * else the compiled-in prefix's share/deskplayer, else the source tree (a
 * build tree). The log says which. Caller frees. */
static char *find_assets(void)
{
    const char *env = getenv("DESKPLAYER_ASSETS");
    char *dir = NULL;
    const char *why = NULL;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (env && is_dir(env)) {
        dir = dp_strdup(env);
        why = "$DESKPLAYER_ASSETS";
    } else if (n > 0) {
        exe[n] = '\0';
        char *beside = dp_strfmt("%s/../share/deskplayer", dirname(exe));
        dir = realpath(beside, NULL);
        free(beside);
        why = "beside the program";
    }
    if (!dir || !is_dir(dir)) {
        free(dir);
        dir = dp_strdup(is_dir(DP_DATA_DIR) ? DP_DATA_DIR : DP_SOURCE_DIR "/assets");
        why = is_dir(DP_DATA_DIR) ? "the installed prefix" : "the source tree";
    }
    LOG_I("app", "data: %s (%s)", dir, why);
    return dir;
}

/* Defaults, then the config file options_config_path() names. 0, or -1
 * with a message naming file:line and key. */
static int load_config(const struct dp_cmdline *cl, struct dp_config *cfg, char *err,
                       size_t errlen)
{
    options_defaults(cfg);
    const char *path = options_config_path(cl);
    if ((path && options_load_file(cfg, path, err, errlen) < 0) ||
        options_check_display(cfg, cl, err, errlen) < 0) {
        options_finish(cfg);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    dp_log_init();
    struct dp_cmdline cl;
    char err[1024] = "";
    if (options_parse_cmdline(argc, argv, &cl, err, sizeof err) < 0) {
        fprintf(stderr, "deskplayer: %s\n(see deskplayer --help)\n", err);
        return 2;
    }
    if (cl.help) {
        options_usage(stdout);
        return 0;
    }
    if (cl.version) {
        printf("deskplayer %s\n", DP_VERSION);
        return 0;
    }
    if (cl.log_level) {
        enum dp_log_level level;
        if (dp_log_parse_level(cl.log_level, &level))
            dp_log_set_level(level);
    }

    struct dp_config cfg;
    const char *config_why = NULL;
    const char *config_path = options_config_find(&cl, NULL, &config_why);
    if (!cl.check_config)
        LOG_I("app", "config: %s (%s)", config_path ? config_path : "none", config_why);
    if (load_config(&cl, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "deskplayer: %s\n", err);
        return 2;
    }
    if (cl.check_config) {
        if (config_path)
            printf("# config: %s\n", config_path);
        else
            printf("# config: built-in defaults\n");
        options_print(&cfg, stdout, OPTIONS_HIDE_SECRETS);
        options_finish(&cfg);
        return 0;
    }

    char *assets = find_assets();
    char *feed = NULL;
    if (cl.feed)
        feed = dp_strdup(cl.feed);
    else if (cfg.feed_url && *cfg.feed_url)
        feed = dp_strdup(cfg.feed_url);
    else
        feed = dp_strfmt("%s/demo/feed.json", assets);
    /* A relative local path becomes absolute, so that the media it names
     * resolve the same whatever the working directory later is. */
    if (!strstr(feed, "://") && feed[0] != '/') {
        char *abs = realpath(feed, NULL);
        if (abs) {
            free(feed);
            feed = abs;
        }
    }
    char *cache_dir = cl.cache_dir                      ? dp_strdup(cl.cache_dir)
                      : cfg.cache_dir && *cfg.cache_dir ? dp_strdup(cfg.cache_dir)
                                                        : options_default_cache_dir();

    struct player_setup setup = {
        .cfg = &cfg,
        .cl = &cl,
        .feed_url = feed,
        .cache_dir = cache_dir,
        .assets_dir = assets,
        .reload = load_config,
    };
    int code = player_run(&setup);
    free(feed);
    free(cache_dir);
    free(assets);
    options_finish(&cfg);
    return code;
}
