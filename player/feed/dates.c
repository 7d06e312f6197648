/* Date parsing for feeds: RFC 3339 (JSON Feed, Atom, Mastodon) and RFC 822
 * as it is really written in RSS (missing seconds or weekday, named and
 * military zones, two-digit years). Pure; any thread. Results in Unix ms. */
#include "feed/dates.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static bool is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Validates the fields and converts to Unix ms (offset in minutes east). */
static bool make_time(long year, int mon, int day, int h, int mi, int s, int ms, int off_min,
                      int64_t *out)
{
    if (year < 1 || year > 9999 || mon < 1 || mon > 12 || day < 1 ||
        day > days_in_month(year, mon) || h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 ||
        s > 60 || ms < 0 || ms > 999)
        return false;
    if (h == 24 && (mi || s || ms))
        return false;
    struct tm tm = {0};
    tm.tm_year = (int)(year - 1900);
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s == 60 ? 59 : s; /* a leap second is the last second */
    time_t t = timegm(&tm);
    *out = ((int64_t)t - (int64_t)off_min * 60) * 1000 + ms;
    return true;
}

/* Reads exactly n digits. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* "+hh:mm", "-hhmm" or "+hh" at *p (the sign included): the offset in
 * minutes. Shared by RFC 3339 and RFC 822. */
static bool numeric_zone(const char **p, int *off)
{
    int sign = *(*p)++ == '-' ? -1 : 1, oh, om = 0;
    if (!digits(p, 2, &oh))
        return false;
    if (**p == ':')
        (*p)++;
    if (isdigit((unsigned char)**p) && !digits(p, 2, &om))
        return false;
    if (oh > 23 || om > 59)
        return false;
    *off = sign * (oh * 60 + om);
    return true;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

bool date_parse_rfc3339(const char *s, int64_t *ms)
{
    if (!s)
        return false;
    const char *p = skip_ws(s);
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
            return false;
        if (*p == ':') { /* seconds are optional in the real world */
            p++;
            if (!digits(&p, 2, &sec))
                return false;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return false;
                int scale = 100;
                while (isdigit((unsigned char)*p)) {
                    frac += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                }
            }
        }
        p = skip_ws(p);
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            if (!numeric_zone(&p, &off))
                return false;
        } else if (*p) {
            return false;
        }
        /* No zone at all: taken as UTC. */
    }
    p = skip_ws(p);
    if (*p)
        return false;
    return make_time(y, mo, d, h, mi, sec, frac, off, ms);
}

static int month_from_name(const char *p, size_t n)
{
    static const char *names[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                    "jul", "aug", "sep", "oct", "nov", "dec"};
    static const char *full[12] = {"january",   "february", "march",    "april",
                                   "may",       "june",     "july",     "august",
                                   "september", "october",  "november", "december"};
    for (int i = 0; i < 12; i++) {
        if ((n == 3 && strncasecmp(p, names[i], 3) == 0) ||
            (n == strlen(full[i]) && strncasecmp(p, full[i], n) == 0) ||
            (n == 4 && i == 8 && strncasecmp(p, "sept", 4) == 0))
            return i + 1;
    }
    return 0;
}

/* Named zones -> minutes east; false when unknown. */
static bool zone_from_name(const char *p, size_t n, int *off)
{
    static const struct {
        const char *name;
        int hours;
    } zones[] = {
        {"GMT", 0},  {"UT", 0},   {"UTC", 0},  {"Z", 0},    {"EST", -5}, {"EDT", -4},
        {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7},
        {"AST", -4}, {"ADT", -3}, {"ET", -5},  {"CT", -6},  {"MT", -7},  {"PT", -8},
    };
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        if (n == strlen(zones[i].name) && strncasecmp(p, zones[i].name, n) == 0) {
            *off = zones[i].hours * 60;
            return true;
        }
    }
    if (n == 1 && isalpha((unsigned char)*p)) {
        /* Military zones as RFC 822 wrote them: A-I -1..-9, K-M -10..-12,
         * N-Y +1..+12, Z 0 (J is not used). */
        char c = (char)toupper((unsigned char)*p);
        if (c >= 'A' && c <= 'I')
            *off = -(c - 'A' + 1) * 60;
        else if (c >= 'K' && c <= 'M')
            *off = -(c - 'K' + 10) * 60;
        else if (c >= 'N' && c <= 'Y')
            *off = (c - 'N' + 1) * 60;
        else
            return false;
        return true;
    }
    return false;
}

static size_t word_len(const char *p)
{
    size_t n = 0;
    while (isalpha((unsigned char)p[n]))
        n++;
    return n;
}

bool date_parse_rfc822(const char *s, int64_t *ms)
{
    if (!s)
        return false;
    const char *p = skip_ws(s);
    /* Optional weekday, with or without its comma. */
    size_t n = word_len(p);
    if (n >= 3 && !month_from_name(p, n)) {
        p = skip_ws(p + n);
        if (*p == ',')
            p = skip_ws(p + 1);
    }
    int day = 0, mon = 0, h, mi, sec = 0, off = 0;
    long year = 0;
    /* "02 Oct 2002" or, sometimes, "Oct 02 2002". */
    if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p) && day < 100)
            day = day * 10 + (*p++ - '0');
        p = skip_ws(p);
        if (*p == '-')
            p++;
        n = word_len(p);
        mon = month_from_name(p, n);
        p += n;
    } else {
        n = word_len(p);
        mon = month_from_name(p, n);
        p = skip_ws(p + n);
        while (isdigit((unsigned char)*p) && day < 100)
            day = day * 10 + (*p++ - '0');
        if (*p == ',')
            p++;
    }
    if (!mon || !day)
        return false;
    p = skip_ws(p);
    if (*p == '-')
        p++;
    int ydigits = 0;
    while (isdigit((unsigned char)*p) && ydigits < 5) {
        year = year * 10 + (*p++ - '0');
        ydigits++;
    }
    if (ydigits == 0 || ydigits == 5 || isdigit((unsigned char)*p))
        return false;
    if (ydigits <= 2)
        year += year < 50 ? 2000 : 1900;
    else if (ydigits == 3)
        year += 1900;
    p = skip_ws(p);
    if (!*p) /* a date without a time: midnight UTC */
        return make_time(year, mon, day, 0, 0, 0, 0, 0, ms);
    int hd = 0;
    h = 0;
    while (isdigit((unsigned char)*p) && hd < 2) {
        h = h * 10 + (*p++ - '0');
        hd++;
    }
    if (!hd || *p++ != ':' || !digits(&p, 2, &mi))
        return false;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &sec))
            return false;
    }
    if (*p == '.' || *p == ',') { /* fractions are ignored */
        p++;
        while (isdigit((unsigned char)*p))
            p++;
    }
    p = skip_ws(p);
    if (*p == '+' || *p == '-') {
        if (!numeric_zone(&p, &off))
            return false;
    } else if (isalpha((unsigned char)*p)) {
        n = word_len(p);
        /* RFC 2822 4.3: an unknown zone name is taken as UTC, which beats an
         * undated post ("CEST", "IST" and friends are ambiguous anyway). */
        if (!zone_from_name(p, n, &off)) {
            if (n > 5)
                return false;
            off = 0;
        }
        p += n;
        /* "GMT+0200" */
        if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1])) {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (!digits(&p, 2, &oh))
                return false;
            if (*p == ':')
                p++;
            if (isdigit((unsigned char)*p) && !digits(&p, 2, &om))
                return false;
            off += sign * (oh * 60 + om);
        }
    }
    p = skip_ws(p);
    /* A trailing comment such as "(PST)" is tolerated. */
    if (*p && *p != '(')
        return false;
    return make_time(year, mon, day, h, mi, sec, 0, off, ms);
}

bool date_parse_any(const char *s, int64_t *ms)
{
    return date_parse_rfc3339(s, ms) || date_parse_rfc822(s, ms);
}
