#include "base/clock.h"

#include <stdio.h>
#include <time.h>

#ifndef DP_BUILD_EPOCH
#define DP_BUILD_EPOCH 0LL
#endif

int64_t dp_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t dp_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dp_format_rfc3339(int64_t unix_ms, char *out, size_t cap)
{
    time_t secs = (time_t)(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
    int ms = (int)(unix_ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

bool dp_wall_clock_suspect(int64_t unix_ms)
{
    /* A day of slack: the build stamp is the configure time. */
    return unix_ms / 1000 < DP_BUILD_EPOCH - 86400;
}
