/* Post ids and JSON string escapes (issue 8).
 *
 * cJSON refuses a whole document for one lone UTF-16 surrogate escape and
 * cuts a string at \u0000, so that one bad id lost every post, and "a\u0000b"
 * became "a" (colliding with a real "a"). Before cJSON sees a document,
 * feed_json_fix_escapes rewrites its strings in a copy:
 * - \u0000 becomes \uFFFF, a noncharacter that text sanitising drops and
 *   that feed_id_finish refuses in an id;
 * - a lone surrogate \uD8xx becomes \uFFFE followed by the private-use
 *   character U+E000 + (its value - 0xD800): text sanitising shows the pair
 *   as one U+FFFD (the text rule for invalid input), and an id keeps which
 *   surrogate it was, so "a\uD800", "a\uD801" and "a\uFFFD" stay three ids;
 * - a literal U+FFFE (escaped or raw) becomes \uFFFE\uF000 (dropped from
 *   text, as before), so that it cannot pose as a repaired surrogate.
 * An id that sanitising had to change (repaired, trimmed, cut at
 * DP_URL_MAX_BYTES) gets a hash of its source bytes, so that two different
 * ids never become one. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
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

/* What replaces the escape or bytes at s[i] (*n: how many source bytes),
 * or NULL when they stay. in string; s[i] is not the closing quote. */
static const char *replacement(const char *s, size_t len, size_t i, size_t *n, char tmp[32])
{
    const unsigned char *u8 = (const unsigned char *)s;
    if (len - i >= 3 && u8[i] == 0xEF && u8[i + 1] == 0xBF && u8[i + 2] == 0xBE) {
        *n = 3;
        return "\\uFFFE\\uF000"; /* a literal U+FFFE, raw */
    }
    long u = escape_at(s, len, i);
    *n = u < 0 ? (s[i] == '\\' && i + 1 < len ? 2 : 1) : 6;
    if (u < 0)
        return NULL; /* a plain byte, or a two-character escape kept whole */
    if (u == 0)
        return "\\uFFFF";
    if (u == 0xFFFE)
        return "\\uFFFE\\uF000";
    if (u >= 0xD800 && u <= 0xDBFF) {
        long lo = i + 6 < len ? escape_at(s, len, i + 6) : -1;
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            *n = 12; /* a pair: left alone */
            return NULL;
        }
    } else if (u < 0xDC00 || u > 0xDFFF) {
        return NULL;
    }
    /* A lone surrogate: U+FFFE then the private-use character that names
     * it (U+E000 + its offset), which text sanitising turns into U+FFFD. */
    snprintf(tmp, 32, "\\uFFFE\\u%04X", (unsigned)(0xE000 + (u - 0xD800)) & 0xFFFFu);
    return tmp;
}

char *feed_json_fix_escapes(const char *s, size_t len, size_t *out_len)
{
    struct dp_buf b;
    bool changed = false, in_string = false;
    size_t done = 0; /* s[..done) is in b */
    dp_buf_init(&b, 0);
    for (size_t i = 0; i < len;) {
        if (!in_string || s[i] == '"') {
            in_string = !in_string ? s[i] == '"' : false;
            i++;
            continue;
        }
        size_t n;
        char tmp[32];
        const char *repl = replacement(s, len, i, &n, tmp);
        if (repl) {
            dp_buf_append(&b, s + done, i - done);
            dp_buf_append(&b, repl, strlen(repl));
            done = i + n;
            changed = true;
        }
        i += n;
    }
    if (!changed) {
        dp_buf_finish(&b);
        return NULL;
    }
    dp_buf_append(&b, s + done, len - done);
    return dp_buf_steal(&b, out_len);
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
