/* JSON for the feed parsers: a strict grammar check before cJSON sees a
 * document (feed_json_check) and the parse that every JSON format uses
 * (feed_json_parse). Pure; any thread. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/limits.h"
#include "feed/feed.h"
#include "feed/feed_internal.h"

/* A strict RFC 8259 grammar check in one linear pass with a fixed stack, so
 * that cJSON (lenient about numbers and control characters, recursive) only
 * sees well-formed documents of bounded depth. Bytes >= 0x80 in strings are
 * let through: invalid UTF-8 is repaired later, not refused. */
static bool json_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool json_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool json_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Advances *i past a string starting at s[*i] == '"'. */
static bool json_string(const char *s, size_t len, size_t *i)
{
    size_t j = *i + 1;
    while (j < len) {
        unsigned char c = (unsigned char)s[j];
        if (c == '"') {
            *i = j + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (++j >= len)
                return false;
            char e = s[j];
            if (e == 'u') {
                if (j + 4 >= len || !json_hex(s[j + 1]) || !json_hex(s[j + 2]) ||
                    !json_hex(s[j + 3]) || !json_hex(s[j + 4]))
                    return false;
                j += 4;
            } else if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                return false;
            }
        }
        j++;
    }
    return false;
}

static bool json_number(const char *s, size_t len, size_t *i)
{
    size_t j = *i;
    if (j < len && s[j] == '-')
        j++;
    if (j >= len || !json_digit(s[j]))
        return false;
    if (s[j] == '0')
        j++;
    else
        while (j < len && json_digit(s[j]))
            j++;
    if (j < len && s[j] == '.') {
        j++;
        if (j >= len || !json_digit(s[j]))
            return false;
        while (j < len && json_digit(s[j]))
            j++;
    }
    if (j < len && (s[j] == 'e' || s[j] == 'E')) {
        j++;
        if (j < len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j >= len || !json_digit(s[j]))
            return false;
        while (j < len && json_digit(s[j]))
            j++;
    }
    *i = j;
    return true;
}

int feed_json_check(const char *s, size_t len, int max_depth)
{
    enum { VALUE, VALUE_OR_CLOSE, KEY, KEY_OR_CLOSE, AFTER } state = VALUE;
    char stack[256];
    int depth = 0;
    if (max_depth > (int)sizeof stack)
        max_depth = (int)sizeof stack;
    size_t i = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (;;) {
        while (i < len && json_ws(s[i]))
            i++;
        if (state == AFTER && depth == 0)
            return i == len ? FEED_OK : FEED_ERR_SYNTAX;
        if (i >= len)
            return FEED_ERR_SYNTAX;
        char c = s[i];
        switch (state) {
        case VALUE:
        case VALUE_OR_CLOSE:
            if (c == '{' || c == '[') {
                if (depth >= max_depth)
                    return FEED_ERR_REJECTED;
                stack[depth++] = c;
                i++;
                state = c == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
            } else if (c == ']' && state == VALUE_OR_CLOSE) {
                depth--;
                i++;
                state = AFTER;
            } else if (c == '"') {
                if (!json_string(s, len, &i))
                    return FEED_ERR_SYNTAX;
                state = AFTER;
            } else if (c == '-' || json_digit(c)) {
                if (!json_number(s, len, &i))
                    return FEED_ERR_SYNTAX;
                state = AFTER;
            } else if (len - i >= 4 && memcmp(s + i, "true", 4) == 0) {
                i += 4;
                state = AFTER;
            } else if (len - i >= 5 && memcmp(s + i, "false", 5) == 0) {
                i += 5;
                state = AFTER;
            } else if (len - i >= 4 && memcmp(s + i, "null", 4) == 0) {
                i += 4;
                state = AFTER;
            } else {
                return FEED_ERR_SYNTAX;
            }
            break;
        case KEY:
        case KEY_OR_CLOSE:
            if (c == '}' && state == KEY_OR_CLOSE) {
                depth--;
                i++;
                state = AFTER;
                break;
            }
            if (c != '"' || !json_string(s, len, &i))
                return FEED_ERR_SYNTAX;
            while (i < len && json_ws(s[i]))
                i++;
            if (i >= len || s[i] != ':')
                return FEED_ERR_SYNTAX;
            i++;
            state = VALUE;
            break;
        case AFTER:
            if (c == ',') {
                state = stack[depth - 1] == '{' ? KEY : VALUE;
            } else if ((c == '}' && stack[depth - 1] == '{') ||
                       (c == ']' && stack[depth - 1] == '[')) {
                depth--;
                state = AFTER;
            } else {
                return FEED_ERR_SYNTAX;
            }
            i++;
            break;
        }
    }
}

int feed_json_parse(const char *data, size_t len, cJSON **root, char *err, size_t errlen)
{
    *root = NULL;
    int r = feed_json_check(data, len, DP_JSON_MAX_DEPTH);
    if (r == FEED_ERR_REJECTED)
        return feed_fail(err, errlen, r, "JSON nested deeper than %d", DP_JSON_MAX_DEPTH);
    if (r != FEED_OK)
        return feed_fail(err, errlen, r, "invalid JSON");
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    size_t fixed_len = 0;
    char *fixed = feed_json_fix_escapes(data, len, &fixed_len);
    cJSON *doc = cJSON_ParseWithLength(fixed ? fixed : data, fixed ? fixed_len : len);
    free(fixed);
    if (!doc)
        return feed_fail(err, errlen, FEED_ERR_SYNTAX, "invalid JSON");
    *root = doc;
    return FEED_OK;
}
