/* One logging path: levels and a component tag; repeated identical lines are
 * collapsed. Thread-safe. Writes to standard error: "HH:MM:SS level [tag] msg",
 * or, when standard error is the journal's stream ($JOURNAL_STREAM names its
 * device and inode, as systemd sets it), "<P>level [tag] msg" with the
 * sd-daemon priority P (3 error, 4 warn, 6 info, 7 debug) and no stamp. */
#ifndef DP_LOG_H
#define DP_LOG_H

#include <stdbool.h>

enum dp_log_level { DP_LOG_ERROR, DP_LOG_WARN, DP_LOG_INFO, DP_LOG_DEBUG };

/* Looks at $JOURNAL_STREAM and standard error once (main calls it first; a
 * test again after moving fd 2). Any thread. Returns true for the journal. */
bool dp_log_init(void);
void dp_log_set_level(enum dp_log_level level);
enum dp_log_level dp_log_get_level(void);
/* Parses "error", "warn", "info", "debug"; returns false on anything else. */
bool dp_log_parse_level(const char *s, enum dp_log_level *out);
void dp_log(enum dp_log_level level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_E(tag, ...) dp_log(DP_LOG_ERROR, tag, __VA_ARGS__)
#define LOG_W(tag, ...) dp_log(DP_LOG_WARN, tag, __VA_ARGS__)
#define LOG_I(tag, ...) dp_log(DP_LOG_INFO, tag, __VA_ARGS__)
#define LOG_D(tag, ...) dp_log(DP_LOG_DEBUG, tag, __VA_ARGS__)

#endif
