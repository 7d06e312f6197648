#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum dp_log_level log_level = DP_LOG_INFO;
static char last_line[600];
static unsigned repeats;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void dp_log_set_level(enum dp_log_level level) { log_level = level; }
enum dp_log_level dp_log_get_level(void) { return log_level; }

bool dp_log_parse_level(const char *s, enum dp_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum dp_log_level)i;
            return true;
        }
    }
    return false;
}

void dp_log(enum dp_log_level level, const char *tag, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    char line[600];
    snprintf(line, sizeof line, "%s [%s] %s", level_names[level], tag, msg);

    pthread_mutex_lock(&log_lock);
    if (strcmp(line, last_line) == 0) {
        repeats++;
        pthread_mutex_unlock(&log_lock);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    if (repeats)
        fprintf(stderr, "%s (last line repeated %u more times)\n", stamp, repeats);
    repeats = 0;
    snprintf(last_line, sizeof last_line, "%s", line);
    fprintf(stderr, "%s %s\n", stamp, line);
    pthread_mutex_unlock(&log_lock);
}
