/* Helpers shared by options.c, parse.c and cmdline.c; not the module's API.
 * All pure: no state, any thread. Parsers return false on a bad value and
 * leave their outputs alone. */
#ifndef DP_OPTIONS_INTERNAL_H
#define DP_OPTIONS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Edit distance (optimal string alignment: insertions, deletions,
 * substitutions and swaps of neighbours), case-insensitive. Pure. */
int options_distance(const char *a, const char *b);

/* Whether a misspelling at distance d from a word of len characters is
 * close enough to suggest that word. Pure. */
int options_close_enough(size_t len, int d);

/* Copies s into out as it is quoted in messages: at most 60 bytes, control
 * characters as '?', "..." when cut. Pure. */
void options_quote(const char *s, char *out, size_t outlen);

/* true/yes/on/1, false/no/off/0, any case. */
bool options_parse_bool(const char *s, bool *out);
/* A whole decimal number, optionally negative. */
bool options_parse_int(const char *s, int64_t *out);
/* #RRGGBB -> 0xRRGGBB. */
bool options_parse_colour(const char *s, uint32_t *out);
/* HOST:PORT, [V6]:PORT, or empty. */
bool options_parse_addr(const char *s);
/* Empty, 127.x, localhost or [::1]. */
bool options_addr_is_loopback(const char *s);
/* Appends the "Name: value" lines of v (separated by the two characters
 * "\n") to *out, which is replaced by a fresh heap string (NULL when there
 * are no lines); the old one is freed. */
bool options_parse_headers(const char *v, char **out);
/* The shortest exact form: 2G, 500M, 7K, 10; 1h, 2m, 10s, 600ms, 0. */
void options_format_size(int64_t bytes, char *buf, size_t len);
void options_format_duration(int64_t ms, char *buf, size_t len);

#endif
