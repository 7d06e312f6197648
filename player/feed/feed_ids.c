/* Post ids and JSON string escapes (issue 8).
 *
 * cJSON refuses a whole document for one lone UTF-16 surrogate escape and
 * cuts a string at \u0000, so that one bad id lost every post, and "a\u0000b"
 * became "a" (colliding with a real "a"). Before cJSON sees a document,
 * feed_json_fix_escapes rewrites in a copy, escape for escape (same length):
 * a lone surrogate becomes \uFFFD (the text rule for invalid input) and
 * \u0000 becomes \uFFFF, a noncharacter that text sanitising drops and that
 * feed_id_finish refuses in an id. An id that sanitising had to change
 * (repaired, trimmed, cut at DP_URL_MAX_BYTES) gets a hash of its source
 * bytes, so that two different ids never become one. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "feed/feed_internal.h"

int feed_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of the \uXXXX escape at s[i] (s[i] == '\\'), or -1. */
static long escape_at(const char *s, size_t len, size_t i)
{
    if (len - i < 6 || s[i] != '\\' || s[i + 1] != 'u')
        return -1;
    long v = 0;
    for (int k = 2; k < 6; k++) {
        int h = feed_hex_digit(s[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

char *feed_json_fix_escapes(const char *s, size_t len)
{
    char *out = NULL;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!in_string) {
            in_string = c == '"';
            continue;
        }
        if (c == '"') {
            in_string = false;
            continue;
        }
        if (c != '\\')
            continue;
        long u = escape_at(s, len, i);
        if (u < 0) {
            i++; /* a two-character escape: skip it whole */
            continue;
        }
        const char *repl = NULL;
        if (u >= 0xD800 && u <= 0xDBFF) {
            long lo = i + 6 < len ? escape_at(s, len, i + 6) : -1;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i += 11; /* a pair: left alone */
                continue;
            }
            repl = "\\uFFFD";
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            repl = "\\uFFFD";
        } else if (u == 0) {
            repl = "\\uFFFF";
        }
        if (repl) {
            if (!out) {
                out = dp_malloc(len + 1);
                memcpy(out, s, len);
                out[len] = '\0';
            }
            memcpy(out + i, repl, 6);
        }
        i += 5;
    }
    return out;
}

bool feed_id_finish(char **id)
{
    if (!*id)
        return true;
    char *src = *id;
    size_t len = strlen(src);
    if (strstr(src, "\xEF\xBF\xBF")) /* U+FFFF: a NUL in the source */
        return false;
    char *clean = dp_text_sanitize(src, len, DP_URL_MAX_BYTES, false);
    if (!*clean) {
        free(clean);
        free(src);
        *id = NULL; /* nothing left: a synthesised id */
        return true;
    }
    if (strcmp(clean, src) != 0) {
        char hex[DP_SHA256_HEX];
        dp_sha256_hex(src, len, hex);
        char *tagged = dp_strfmt("%s~%.16s", clean, hex);
        free(clean);
        clean = tagged;
    }
    free(src);
    *id = clean;
    return true;
}
