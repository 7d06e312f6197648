/* Schedule: on_hours parsing and the minute-of-week bitmap. See schedule.h. */
#include "rotation/schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MS_PER_MIN 60000LL
#define MIN_PER_DAY 1440
/* 1970-01-01 was a Thursday: Unix minute 0 is minute 3 * 1440 of its week. */
#define EPOCH_MIN_OF_WEEK (3 * MIN_PER_DAY)
#define QUOTE_MAX 24 /* characters of the input quoted in an error */

static const char *const day_names[7][2] = {
    {"mon", "monday"}, {"tue", "tuesday"},  {"wed", "wednesday"}, {"thu", "thursday"},
    {"fri", "friday"}, {"sat", "saturday"}, {"sun", "sunday"},
};

static const char expect_day[] = "expected a day (mon..sun, daily)";
static const char expect_range[] = "expected a time range (HH:MM-HH:MM)";
static const char expect_day_or_range[] =
    "expected a day (mon..sun, daily) or a time range (HH:MM-HH:MM)";

struct parser {
    const char *p;
    struct schedule s;
    char *err;
    size_t errlen;
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

static bool bit_get(const struct schedule *s, int64_t m)
{
    return (s->on[m >> 3] >> (m & 7)) & 1;
}

static void bit_set(struct schedule *s, int64_t m)
{
    s->on[m >> 3] |= (uint8_t)(1u << (m & 7));
}

/* Minute of the week (0 = Monday 00:00) of a Unix minute. */
static int64_t minute_of_week(int64_t unix_min)
{
    return floor_mod(unix_min + EPOCH_MIN_OF_WEEK, SCHEDULE_MINUTES_PER_WEEK);
}

static void skip_space(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

/* -1 with "<what> at "<the token at at>"" (or "at end of text"). */
static int fail(struct parser *ps, const char *what, const char *at)
{
    if (!ps->err || ps->errlen == 0)
        return -1;
    size_t n = 0;
    while (at[n] && at[n] != ',' && at[n] != ' ' && at[n] != '\t' && n < QUOTE_MAX)
        n++;
    if (*at == ',')
        n = 1;
    if (n == 0)
        snprintf(ps->err, ps->errlen, "%s at end of text", what);
    else
        snprintf(ps->err, ps->errlen, "%s at \"%.*s%s\"", what, (int)n, at,
                 n == QUOTE_MAX && at[n] ? "..." : "");
    return -1;
}

/* A day name at ps->p: 0..6, 7 for "daily", -1 when there is none. */
static int parse_day_word(struct parser *ps)
{
    size_t n = 0;
    while (isalpha((unsigned char)ps->p[n]))
        n++;
    if (n == 0)
        return -1;
    int found = -1;
    if (n == 5 && strncasecmp(ps->p, "daily", 5) == 0)
        found = 7;
    for (int d = 0; d < 7 && found < 0; d++)
        for (int k = 0; k < 2; k++)
            if (strlen(day_names[d][k]) == n && strncasecmp(ps->p, day_names[d][k], n) == 0)
                found = d;
    if (found >= 0)
        ps->p += n;
    return found;
}

/* days = spec { "," spec }, spec = day [ "-" day ] | "daily". Sets mask bits
 * 0..6 (Monday = bit 0). */
static int parse_days(struct parser *ps, unsigned *mask)
{
    *mask = 0;
    for (;;) {
        skip_space(ps);
        const char *start = ps->p;
        int a = parse_day_word(ps);
        if (a < 0)
            return fail(ps, expect_day, start);
        if (a == 7) {
            *mask = 0x7f;
        } else {
            int b = a;
            const char *save = ps->p;
            skip_space(ps);
            if (*ps->p == '-') {
                ps->p++;
                skip_space(ps);
                const char *at = ps->p;
                b = parse_day_word(ps);
                if (b < 0 || b == 7)
                    return fail(ps, "expected a day (mon..sun) after \"-\"", at);
            } else {
                ps->p = save;
            }
            for (int d = a;; d = (d + 1) % 7) { /* fri-mon wraps over Sunday */
                *mask |= 1u << d;
                if (d == b)
                    break;
            }
        }
        const char *save = ps->p;
        skip_space(ps);
        if (*ps->p != ',') {
            ps->p = save;
            return 0;
        }
        ps->p++;
    }
}

/* H:MM or HH:MM -> minutes 0..1440. */
static int parse_time(struct parser *ps, int *minutes)
{
    const char *s = ps->p;
    int h = 0, n = 0;
    while (isdigit((unsigned char)s[n]) && n < 2)
        h = h * 10 + (s[n++] - '0');
    if (n == 0 || s[n] != ':' || !isdigit((unsigned char)s[n + 1]) ||
        !isdigit((unsigned char)s[n + 2]) || isdigit((unsigned char)s[n + 3]))
        return -1;
    int m = (s[n + 1] - '0') * 10 + (s[n + 2] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0))
        return -1;
    ps->p = s + n + 3;
    *minutes = h * 60 + m;
    return 0;
}

/* One HH:MM-HH:MM applied to every day of mask. */
static int parse_range(struct parser *ps, unsigned mask)
{
    const char *start = ps->p;
    int from, to;
    if (parse_time(ps, &from) < 0)
        return fail(ps, "expected a time range (HH:MM-HH:MM, hours 00..24, minutes 00..59)",
                    start);
    if (from == MIN_PER_DAY)
        return fail(ps, "expected a start before 24:00 (24:00 is only an end)", start);
    skip_space(ps);
    if (*ps->p != '-')
        return fail(ps, expect_range, start);
    ps->p++;
    skip_space(ps);
    const char *at = ps->p;
    if (parse_time(ps, &to) < 0)
        return fail(ps, "expected an end time (HH:MM, hours 00..24, minutes 00..59)", at);
    if (to == from)
        return fail(ps, "expected an end time different from the start", start);
    int len = to > from ? to - from : MIN_PER_DAY - from + to; /* over midnight */
    for (int d = 0; d < 7; d++) {
        if (!(mask & (1u << d)))
            continue;
        int64_t base = (int64_t)d * MIN_PER_DAY + from;
        for (int k = 0; k < len; k++)
            bit_set(&ps->s, (base + k) % SCHEDULE_MINUTES_PER_WEEK);
    }
    return 0;
}

int schedule_parse(const char *text, struct schedule *out, char *err, size_t errlen)
{
    struct parser ps = {.p = text ? text : "", .err = err, .errlen = errlen};
    skip_space(&ps);
    if (*ps.p == '\0') {
        memset(out->on, 0xff, sizeof out->on);
        return 0;
    }
    while (*ps.p) {
        unsigned mask;
        if (parse_days(&ps, &mask) < 0)
            return -1;
        skip_space(&ps);
        if (parse_range(&ps, mask) < 0)
            return -1;
        /* More ranges for the same days, until a day name or the end. */
        for (;;) {
            skip_space(&ps);
            if (*ps.p == ',') {
                ps.p++;
                skip_space(&ps);
                if (*ps.p == '\0')
                    return fail(&ps, expect_day_or_range, ps.p);
            }
            if (*ps.p == '\0' || isalpha((unsigned char)*ps.p))
                break;
            if (!isdigit((unsigned char)*ps.p))
                return fail(&ps, expect_day_or_range, ps.p);
            if (parse_range(&ps, mask) < 0)
                return -1;
        }
    }
    *out = ps.s;
    return 0;
}

bool schedule_is_on(const struct schedule *s, int64_t local_ms)
{
    return bit_get(s, minute_of_week(floor_div(local_ms, MS_PER_MIN)));
}

int64_t schedule_next_change(const struct schedule *s, int64_t local_ms)
{
    int64_t minute = floor_div(local_ms, MS_PER_MIN);
    int64_t mow = minute_of_week(minute);
    bool state = bit_get(s, mow);
    for (int64_t k = 1; k <= SCHEDULE_MINUTES_PER_WEEK; k++) {
        if (bit_get(s, (mow + k) % SCHEDULE_MINUTES_PER_WEEK) == state)
            continue;
        if (minute > INT64_MAX / MS_PER_MIN - k)
            return INT64_MAX;
        return (minute + k) * MS_PER_MIN;
    }
    return INT64_MAX;
}
