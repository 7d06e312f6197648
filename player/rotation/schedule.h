/* Schedule: the [schedule] on_hours rule -> is the screen on at a local time,
 * and when does that change next.
 *
 * Pure: no clock, no time zone. Times are "local ms": Unix ms plus the local
 * UTC offset at that moment (the app adds localtime_r's tm_gmtoff * 1000, so
 * DST is the app's business). Minute resolution; weeks start on Monday.
 *
 * Grammar (case-insensitive; entries separated by commas or spaces):
 *   entry  = days range { range }
 *   days   = day [ "-" day ] { "," day [ "-" day ] }  |  "daily"
 *   day    = mon tue wed thu fri sat sun (or the full English name)
 *   range  = HH:MM "-" HH:MM      (H:MM too; 24:00 only as an end)
 * "mon-fri 07:00-22:00, sat 09:00-18:00", "mon,wed,fri 09:00-12:00",
 * "mon 08:00-12:00 14:00-18:00", "fri-mon 10:00-11:00" (wraps over Sunday).
 * A range whose end is at or before its start runs over midnight and belongs
 * to the day it starts on: "fri 20:00-02:00" is Friday 20:00 to Saturday
 * 02:00, "sun 22:00-01:00" ends on Monday. Entries add up (a union). Empty
 * or blank text means always on. */
#ifndef DP_SCHEDULE_H
#define DP_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHEDULE_MINUTES_PER_WEEK (7 * 1440)

/* One bit per minute of the week, bit 0 = Monday 00:00. Plain data: copy it
 * freely. A zeroed struct is never on; schedule_parse("") is always on. */
struct schedule {
    uint8_t on[SCHEDULE_MINUTES_PER_WEEK / 8];
};

/* Parses on_hours text into *out. Returns 0, or -1 with a one-line message
 * in err (no file:line; the option parser adds it), e.g.
 * `expected a day (mon..sun, daily) at "xyz"`; *out is unchanged on failure.
 * text may be NULL (= empty). err may be NULL when errlen is 0.
 * Pure, any thread, allocates nothing. */
int schedule_parse(const char *text, struct schedule *out, char *err, size_t errlen);

/* Is the screen on at local_ms (any value, negative too)? Pure, any thread. */
bool schedule_is_on(const struct schedule *s, int64_t local_ms);

/* The first local ms after local_ms at which schedule_is_on changes (always
 * on a minute boundary, always > local_ms), or INT64_MAX when it never does
 * (always on, never on, or past the end of int64). Pure, any thread. */
int64_t schedule_next_change(const struct schedule *s, int64_t local_ms);

#endif
