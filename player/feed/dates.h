/* Date parsing for feeds. Pure; any thread. Results are Unix ms UTC. */
#ifndef DP_DATES_H
#define DP_DATES_H

#include <stdbool.h>
#include <stdint.h>

bool date_parse_rfc3339(const char *s, int64_t *ms);
/* RFC 822/1123 with real-world variants: missing seconds, named zones (GMT,
 * UT, EST, PDT, ...), numeric zones, two-digit years, missing weekday. */
bool date_parse_rfc822(const char *s, int64_t *ms);
/* Tries both. */
bool date_parse_any(const char *s, int64_t *ms);

#endif
