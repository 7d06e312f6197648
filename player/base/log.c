#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum dp_log_level log_level = DP_LOG_INFO;
static char last_line[600];
static unsigned repeats;

static bool to_journal; /* stderr is the journal's stream: <N> prefixes, no stamp */

static const char *const level_names[] = {"error", "warn", "info", "debug"};
/* sd-daemon(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const int journal_prio[] = {3, 4, 6, 7};

bool dp_log_init(void)
{
    bool journal = false;
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0)
        journal = (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
    pthread_mutex_lock(&log_lock);
    to_journal = journal;
    pthread_mutex_unlock(&log_lock);
    return journal;
}

void dp_log_set_level(enum dp_log_level level)
{
    log_level = level;
}
enum dp_log_level dp_log_get_level(void)
{
    return log_level;
}

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
    char stamp[32];
    if (to_journal) {
        /* journald stamps each line itself and reads the priority prefix. */
        snprintf(stamp, sizeof stamp, "<%d>", journal_prio[level]);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    }
    const char *sep = to_journal ? "" : " ";
    if (repeats)
        fprintf(stderr, "%s%s(last line repeated %u more times)\n", stamp, sep, repeats);
    repeats = 0;
    snprintf(last_line, sizeof last_line, "%s", line);
    fprintf(stderr, "%s%s%s\n", stamp, sep, line);
    pthread_mutex_unlock(&log_lock);
}
