/* The player: wiring of every module and the main loop. Main thread. */
#ifndef DP_PLAYER_H
#define DP_PLAYER_H

#include "options/options.h"

struct player_setup {
    const struct dp_config *cfg;
    const struct dp_cmdline *cl;
    const char *feed_url;  /* resolved: command line, config, or demo */
    const char *cache_dir; /* resolved */
    const char *assets_dir;
    /* SIGHUP: loads the config again into a fresh cfg (defaults + file).
     * Returns 0, or -1 with a message (the running settings stay). */
    int (*reload)(const struct dp_cmdline *cl, struct dp_config *cfg, char *err, size_t errlen);
};

/* Runs until a signal, --run-for or --cycles. Returns the exit code:
 * 0 normal end, 1 fatal runtime error (no display, cache not writable). */
int player_run(const struct player_setup *setup);

#endif
