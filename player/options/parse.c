/* The value parsers and formatters behind the key table, and the helpers
 * for messages (edit distance, quoting). All pure: no state, any thread. */
#include "options/options.h"

#include "base/limits.h"
#include "base/xalloc.h"
#include "options/options_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KB 1024LL
#define MB (1024LL * KB)
#define GB (1024LL * MB)
#define SEC 1000LL
#define HOUR (3600LL * SEC)

int options_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 99;
    int d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int cost = ca != cb;
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[n][m];
}

int options_close_enough(size_t len, int d)
{
    return d <= 1 + (int)len / 3;
}

void options_quote(const char *s, char *out, size_t outlen)
{
    size_t max = outlen > 4 ? outlen - 4 : 0, n;
    if (max > 60)
        max = 60;
    for (n = 0; s[n] && n < max; n++)
        out[n] = (unsigned char)s[n] < 0x20 ? '?' : s[n];
    if (s[n] && outlen >= 4)
        strcpy(out + n, "...");
    else if (outlen)
        out[n < outlen ? n : outlen - 1] = '\0';
}

/* ---- value parsers ----------------------------------------------------- */

/* A decimal number (digits, optionally '.' and digits) followed by optional
 * spaces and a unit; *unit points at the unit (maybe ""). */
static bool parse_number_unit(const char *s, double *num, const char **unit)
{
    char tmp[32];
    size_t n = 0;
    if (!s || !isdigit((unsigned char)s[0]))
        return false;
    while (isdigit((unsigned char)s[n]))
        n++;
    if (s[n] == '.') {
        n++;
        if (!isdigit((unsigned char)s[n]))
            return false;
        while (isdigit((unsigned char)s[n]))
            n++;
    }
    if (n >= sizeof(tmp))
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *num = strtod(tmp, NULL);
    s += n;
    while (*s == ' ')
        s++;
    *unit = s;
    return true;
}

bool options_parse_size(const char *s, int64_t *bytes)
{
    double num, mult;
    const char *unit;
    if (!parse_number_unit(s, &num, &unit))
        return false;
    if (!*unit)
        mult = 1;
    else if (!strcasecmp(unit, "K"))
        mult = KB;
    else if (!strcasecmp(unit, "M"))
        mult = MB;
    else if (!strcasecmp(unit, "G"))
        mult = GB;
    else
        return false;
    double v = num * mult;
    if (v >= 4611686018427387904.0) /* 2^62 */
        return false;
    *bytes = llround(v);
    return true;
}

bool options_parse_duration(const char *s, int64_t *ms)
{
    double num, mult;
    const char *unit;
    if (!parse_number_unit(s, &num, &unit))
        return false;
    if (!*unit || !strcmp(unit, "s"))
        mult = SEC;
    else if (!strcmp(unit, "ms"))
        mult = 1;
    else if (!strcmp(unit, "m"))
        mult = 60 * SEC;
    else if (!strcmp(unit, "h"))
        mult = HOUR;
    else
        return false;
    double v = num * mult;
    if (v >= 1e15)
        return false;
    *ms = llround(v);
    return true;
}

static bool parse_dim(const char **p, int *out)
{
    long v = 0;
    const char *s = *p;
    if (!isdigit((unsigned char)*s))
        return false;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s++ - '0');
        if (v > 32767)
            return false;
    }
    if (v < 1)
        return false;
    *out = (int)v;
    *p = s;
    return true;
}

bool options_parse_wxh(const char *s, int *w, int *h)
{
    int a, b;
    if (!s || !parse_dim(&s, &a) || (*s != 'x' && *s != 'X'))
        return false;
    s++;
    if (!parse_dim(&s, &b) || *s)
        return false;
    if (a > DP_DISPLAY_MAX_SIDE || b > DP_DISPLAY_MAX_SIDE ||
        (int64_t)a * b > DP_DISPLAY_MAX_PIXELS)
        return false; /* every canvas, snapshot and texture is this large */
    *w = a;
    *h = b;
    return true;
}

bool options_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcasecmp(s, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool options_parse_int(const char *s, int64_t *out)
{
    char *end;
    if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1])))
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool options_parse_colour(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    if (s[0] != '#' || strlen(s) != 7)
        return false;
    for (int i = 1; i < 7; i++) {
        int c = tolower((unsigned char)s[i]);
        if (!isxdigit(c))
            return false;
        v = v * 16 + (uint32_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
    }
    *out = v;
    return true;
}

bool options_parse_addr(const char *s)
{
    const char *colon;
    char *end;
    if (!*s)
        return true;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close == s + 1 || close[1] != ':')
            return false;
        colon = close + 1;
    } else {
        colon = strchr(s, ':');
        if (!colon || colon == s || strchr(colon + 1, ':'))
            return false;
        for (const char *p = s; p < colon; p++)
            if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
                return false;
    }
    if (!isdigit((unsigned char)colon[1]))
        return false;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    return !errno && !*end && port >= 1 && port <= 65535;
}

bool options_addr_is_loopback(const char *s)
{
    return !*s || !strncmp(s, "127.", 4) || !strncmp(s, "localhost:", 10) ||
           !strncmp(s, "[::1]:", 6);
}

static bool header_name_char(int c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Appends the header lines of v (separated by "\n" escapes) to *out,
 * each trimmed and checked. Returns false on a malformed line. */
bool options_parse_headers(const char *v, char **out)
{
    size_t cap = strlen(v) + (*out ? strlen(*out) : 0) + 2;
    char *res = dp_malloc(cap);
    size_t n = 0;
    if (*out && **out) {
        n = strlen(*out);
        memcpy(res, *out, n);
    }
    while (*v) {
        const char *end = strstr(v, "\\n");
        size_t len = end ? (size_t)(end - v) : strlen(v);
        const char *a = v, *b = v + len;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (a < b) {
            const char *p = a;
            while (p < b && header_name_char((unsigned char)*p))
                p++;
            if (p == a || p == b || *p != ':')
                goto bad;
            for (const char *q = p; q < b; q++)
                if ((unsigned char)*q < 0x20 && *q != '\t')
                    goto bad;
            if (n)
                res[n++] = '\n';
            memcpy(res + n, a, (size_t)(b - a));
            n += (size_t)(b - a);
        }
        v += len + (end ? 2 : 0);
    }
    res[n] = '\0';
    free(*out);
    *out = n ? res : NULL;
    if (!n)
        free(res);
    return true;
bad:
    free(res);
    return false;
}

void options_format_size(int64_t v, char *buf, size_t len)
{
    if (v && v % GB == 0)
        snprintf(buf, len, "%lldG", (long long)(v / GB));
    else if (v && v % MB == 0)
        snprintf(buf, len, "%lldM", (long long)(v / MB));
    else if (v && v % KB == 0)
        snprintf(buf, len, "%lldK", (long long)(v / KB));
    else
        snprintf(buf, len, "%lld", (long long)v);
}

void options_format_duration(int64_t ms, char *buf, size_t len)
{
    if (ms == 0)
        snprintf(buf, len, "0");
    else if (ms % SEC)
        snprintf(buf, len, "%lldms", (long long)ms);
    else if (ms % HOUR == 0)
        snprintf(buf, len, "%lldh", (long long)(ms / HOUR));
    else if (ms % (60 * SEC) == 0)
        snprintf(buf, len, "%lldm", (long long)(ms / (60 * SEC)));
    else
        snprintf(buf, len, "%llds", (long long)(ms / SEC));
}
