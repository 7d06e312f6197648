/* UTF-8 helpers. */
#ifndef DP_UTF8_H
#define DP_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s[*i] (len bytes in all) and advances *i.
 * Invalid or truncated sequences, overlongs and surrogates yield U+FFFD and
 * advance by one byte. Returns false at the end of the input. */
bool dp_utf8_next(const char *s, size_t len, size_t *i, uint32_t *cp);
/* Appends cp as UTF-8 to out (room for 4 bytes); returns bytes written. */
size_t dp_utf8_put(char *out, uint32_t cp);
/* The text rules of feeds.md: invalid UTF-8 repaired with U+FFFD, control
 * characters removed (newlines kept when keep_newlines, tabs become spaces),
 * bidi override/isolate controls removed, runs of spaces folded, lines
 * trimmed, at most max_chars code points (an ellipsis marks a cut).
 * Returns a fresh string (caller frees); never NULL. */
char *dp_text_sanitize(const char *s, size_t len, size_t max_chars, bool keep_newlines);
/* Number of code points. */
size_t dp_utf8_count(const char *s);

#endif
