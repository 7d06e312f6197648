#include "base/utf8.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

bool dp_utf8_next(const char *str, size_t len, size_t *i, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (*i >= len)
        return false;
    unsigned c = s[*i];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        (*i)++;
        return true;
    } else if ((c & 0xE0) == 0xC0) {
        n = 1;
        v = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 2;
        v = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 3;
        v = c & 0x07;
        min = 0x10000;
    } else {
        goto bad;
    }
    if (*i + n >= len)
        goto bad;
    for (size_t k = 1; k <= n; k++) {
        unsigned cc = s[*i + k];
        if ((cc & 0xC0) != 0x80)
            goto bad;
        v = (v << 6) | (cc & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto bad;
    *cp = v;
    *i += n + 1;
    return true;
bad:
    *cp = 0xFFFD;
    (*i)++;
    return true;
}

size_t dp_utf8_put(char *out, uint32_t cp)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    } else if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool is_bidi_control(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

static bool is_space(uint32_t cp)
{
    /* No-break spaces (U+00A0, U+2007, U+202F) are kept: French typography
     * ties « » ! ? : ; to their words with them. */
    return cp == ' ' || cp == '\t' || cp == 0x3000 ||
           (cp >= 0x2000 && cp <= 0x200A && cp != 0x2007) || cp == 0x205F;
}

char *dp_text_sanitize(const char *s, size_t len, size_t max_chars, bool keep_newlines)
{
    /* One allocation: each input byte yields at most 3 output bytes (an
     * invalid byte becomes U+FFFD), plus the ellipsis and a NUL. Written
     * in place: this runs on every text of every post. */
    size_t cap = 3 * len;
    if (max_chars < SIZE_MAX / 8 && cap > 4 * max_chars + 16)
        cap = 4 * max_chars + 16; /* counted characters are at most 4 bytes */
    char *out = dp_malloc(cap + 8);
    size_t o = 0, i = 0, count = 0;
    uint32_t cp;
    int pending_space = 0, pending_newlines = 0;
    bool at_start = true;
    while (s && i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != ' ') {
            cp = c; /* printable ASCII: the common case */
            i++;
        } else {
            dp_utf8_next(s, len, &i, &cp);
        }
        if (cp == 0xFFFE && i < len) {
            /* feed_ids.c's marks: U+FFFE then U+E000.. (a lone surrogate in
             * a JSON feed, shown as U+FFFD) or U+F000 (a literal U+FFFE). */
            size_t j = i;
            uint32_t next;
            dp_utf8_next(s, len, &j, &next);
            if ((next >= 0xE000 && next <= 0xE7FF) || next == 0xF000) {
                i = j;
                if (next == 0xF000)
                    continue;
                cp = 0xFFFD;
            }
        }
        if (cp == '\r')
            continue;
        if (cp == '\n' || cp == 0x2028 || cp == 0x2029) {
            if (keep_newlines) {
                pending_space = 0;
                if (!at_start && pending_newlines < 2)
                    pending_newlines++;
            } else if (!at_start) {
                pending_space = 1;
            }
            continue;
        }
        if (is_space(cp)) {
            if (!at_start)
                pending_space = 1;
            continue;
        }
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || is_bidi_control(cp) || cp == 0xFEFF ||
            (cp >= 0xFFF9 && cp <= 0xFFFB) || cp == 0xFFFE || cp == 0xFFFF)
            continue; /* U+FFFF: a \u0000 in a JSON feed (feed_ids.c) */
        if (count >= max_chars) {
            memcpy(out + o, "\xE2\x80\xA6", 3);
            o += 3;
            break;
        }
        if (pending_newlines) {
            for (int k = 0; k < pending_newlines; k++)
                out[o++] = '\n';
            count += (size_t)pending_newlines;
        } else if (pending_space) {
            out[o++] = ' ';
            count++;
        }
        pending_newlines = pending_space = 0;
        o += dp_utf8_put(out + o, cp);
        count++;
        at_start = false;
    }
    out[o] = '\0';
    return out;
}

size_t dp_utf8_count(const char *s)
{
    size_t n = 0, i = 0, len = strlen(s);
    uint32_t cp;
    while (dp_utf8_next(s, len, &i, &cp))
        n++;
    return n;
}
