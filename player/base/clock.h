/* Clocks. Durations and deadlines use the monotonic clock, never the wall
 * clock. Pure modules take "now" as an argument instead of calling these. */
#ifndef DP_CLOCK_H
#define DP_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t dp_mono_ms(void);
int64_t dp_wall_ms(void); /* Unix time in milliseconds */
/* RFC 3339 UTC with milliseconds: "2026-11-25T21:49:45.123Z" (out >= 32). */
void dp_format_rfc3339(int64_t unix_ms, char *out, size_t cap);
/* True when the wall clock is before this build was made: obviously wrong. */
bool dp_wall_clock_suspect(int64_t unix_ms);

#endif
