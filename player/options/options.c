/* The config file: one table of every key drives the defaults, INI parsing,
 * --check-config output and config/deskplayer.conf.example.
 *
 * The file is read (bounded, regular files only) and cut into lines by
 * conf_read.c, the one tokeniser; each line arrives here with its number,
 * so every message names file:line.
 *
 * The table itself is options_keys.c, the value parsers parse.c, the
 * command line cmdline.c.
 *
 * A load works on a copy of the config and replaces it only on success, so
 * a bad file (e.g. on SIGHUP) leaves the running settings untouched. */
#include "options/options.h"
#include "rotation/schedule.h"

#include "base/log.h"
#include "base/xalloc.h"
#include "options/conf_read.h"
#include "options/options_internal.h"
#include "options/options_keys.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static bool is_string_type(enum opt_type t)
{
    return t == OPT_STRING || t == OPT_SECRET || t == OPT_HEADERS || t == OPT_ADDR ||
           t == OPT_SCHEDULE;
}

static void *field(struct dp_config *cfg, size_t off)
{
    return (char *)cfg + off;
}

static const void *cfield(const struct dp_config *cfg, size_t off)
{
    return (const char *)cfg + off;
}

static char **str_field(struct dp_config *cfg, const struct opt_def *d)
{
    return field(cfg, d->offset);
}

/* ---- the table-driven setter ------------------------------------------ */

/* What a key takes, for "expected <what>" messages. */
static void describe(const struct opt_def *d, char *buf, size_t len)
{
    char lo[32], hi[32];
    switch (d->type) {
    case OPT_STRING:
    case OPT_SECRET:
        snprintf(buf, len, "text");
        break;
    case OPT_HEADERS:
        snprintf(buf, len, "\"Name: value\" headers separated by \\n");
        break;
    case OPT_ADDR:
        snprintf(buf, len, "HOST:PORT (e.g. 127.0.0.1:8642), or empty to turn it off");
        break;
    case OPT_BOOL:
        snprintf(buf, len, "true or false");
        break;
    case OPT_INT:
        snprintf(buf, len, "an integer from %lld to %lld", (long long)d->min, (long long)d->max);
        break;
    case OPT_SIZE:
        options_format_size(d->min, lo, sizeof(lo));
        options_format_size(d->max, hi, sizeof(hi));
        snprintf(buf, len, "a size from %s to %s (e.g. 500M; K, M, G suffixes)", lo, hi);
        break;
    case OPT_DURATION:
    case OPT_TEXT_DURATION:
        options_format_duration(d->min, lo, sizeof(lo));
        options_format_duration(d->max, hi, sizeof(hi));
        snprintf(buf, len, "%sa duration from %s to %s (e.g. 1.5s; ms, s, m, h suffixes)",
                 d->type == OPT_TEXT_DURATION ? "auto or " : "", lo, hi);
        break;
    case OPT_ENUM: {
        size_t n = 0, count = 0;
        while (d->words[count])
            count++;
        buf[0] = '\0';
        for (size_t i = 0; i < count && n < len; i++) {
            const char *sep = i == 0 ? "" : i + 1 == count ? " or " : ", ";
            n += (size_t)snprintf(buf + n, len - n, "%s%s", sep, d->words[i]);
        }
        break;
    }
    case OPT_COLOUR:
        snprintf(buf, len, "a colour #RRGGBB (e.g. #000000)");
        break;
    case OPT_WXH:
        snprintf(buf, len,
                 "WxH (e.g. 1920x1080, at most 7680x4320), or empty for the native mode");
        break;
    case OPT_ROTATION:
        snprintf(buf, len, "0, 90, 180 or 270");
        break;
    case OPT_SCHEDULE:
        snprintf(buf, len, "days and hours like mon-fri 07:00-22:00, sat 09:00-18:00");
        break;
    }
}

/* Sets one key from its text. Returns false (cfg unchanged) on a bad value. */
static bool set_value(struct dp_config *cfg, const struct opt_def *d, const char *v)
{
    int64_t n;
    switch (d->type) {
    case OPT_STRING:
    case OPT_SECRET: {
        char **p = str_field(cfg, d);
        free(*p);
        *p = *v ? dp_strdup(v) : NULL;
        return true;
    }
    case OPT_HEADERS: {
        char *res = NULL;
        if (!options_parse_headers(v, &res))
            return false;
        char **p = str_field(cfg, d);
        free(*p);
        *p = res;
        return true;
    }
    case OPT_SCHEDULE: {
        struct schedule sched;
        char msg[160];
        if (schedule_parse(v, &sched, msg, sizeof msg) < 0)
            return false;
        char **p = str_field(cfg, d);
        free(*p);
        *p = *v ? dp_strdup(v) : NULL;
        return true;
    }
    case OPT_ADDR: {
        if (!options_parse_addr(v))
            return false;
        char **p = str_field(cfg, d);
        free(*p);
        *p = dp_strdup(v);
        return true;
    }
    case OPT_BOOL:
        return options_parse_bool(v, field(cfg, d->offset));
    case OPT_INT:
        if (!options_parse_int(v, &n) || n < d->min || n > d->max)
            return false;
        *(int *)field(cfg, d->offset) = (int)n;
        return true;
    case OPT_SIZE:
        if (!options_parse_size(v, &n) || n < d->min || n > d->max)
            return false;
        *(int64_t *)field(cfg, d->offset) = n;
        return true;
    case OPT_TEXT_DURATION:
        if (!strcasecmp(v, "auto")) {
            *(int64_t *)field(cfg, d->offset) = 0;
            return true;
        }
        if (!options_parse_duration(v, &n) || (n != 0 && (n < d->min || n > d->max)))
            return false;
        *(int64_t *)field(cfg, d->offset) = n;
        return true;
    case OPT_DURATION:
        if (!options_parse_duration(v, &n) || n < d->min || n > d->max)
            return false;
        *(int64_t *)field(cfg, d->offset) = n;
        return true;
    case OPT_ENUM:
        for (int i = 0; d->words[i]; i++) {
            if (!strcasecmp(v, d->words[i])) {
                *(int *)field(cfg, d->offset) = i;
                return true;
            }
        }
        return false;
    case OPT_COLOUR:
        return options_parse_colour(v, field(cfg, d->offset));
    case OPT_WXH: {
        int w = 0, h = 0;
        if (*v && !options_parse_wxh(v, &w, &h))
            return false;
        *(int *)field(cfg, d->offset) = w;
        *(int *)field(cfg, d->offset2) = h;
        return true;
    }
    case OPT_ROTATION:
        if (!options_parse_int(v, &n) || (n != 0 && n != 90 && n != 180 && n != 270))
            return false;
        *(int *)field(cfg, d->offset) = (int)n;
        return true;
    }
    return false;
}

/* The value of a key as the file would say it; strings may be longer than
 * buf, so the result points either into buf or into cfg. */
static const char *format_value(const struct dp_config *cfg, const struct opt_def *d, char *buf,
                                size_t len)
{
    const void *f = cfield(cfg, d->offset);
    switch (d->type) {
    case OPT_STRING:
    case OPT_SECRET:
    case OPT_HEADERS:
    case OPT_SCHEDULE:
    case OPT_ADDR: {
        const char *s = *(char *const *)f;
        return s ? s : "";
    }
    case OPT_BOOL:
        return *(const bool *)f ? "true" : "false";
    case OPT_INT:
    case OPT_ROTATION:
        snprintf(buf, len, "%d", *(const int *)f);
        return buf;
    case OPT_SIZE:
        options_format_size(*(const int64_t *)f, buf, len);
        return buf;
    case OPT_TEXT_DURATION:
        if (*(const int64_t *)f == 0)
            return "auto";
        options_format_duration(*(const int64_t *)f, buf, len);
        return buf;
    case OPT_DURATION:
        options_format_duration(*(const int64_t *)f, buf, len);
        return buf;
    case OPT_ENUM: {
        int i = *(const int *)f, count = 0;
        while (d->words[count])
            count++;
        return i >= 0 && i < count ? d->words[i] : d->words[0];
    }
    case OPT_COLOUR:
        snprintf(buf, len, "#%06x", (unsigned)(*(const uint32_t *)f & 0xffffff));
        return buf;
    case OPT_WXH: {
        int w = *(const int *)f, h = *(const int *)cfield(cfg, d->offset2);
        if (w <= 0 || h <= 0)
            return "";
        snprintf(buf, len, "%dx%d", w, h);
        return buf;
    }
    }
    return "";
}

static const struct opt_def *find_def(const char *section, const char *key)
{
    for (size_t i = 0; i < OPTIONS_N_KEYS; i++)
        if (!strcmp(options_keys[i].section, section) && !strcmp(options_keys[i].key, key))
            return &options_keys[i];
    return NULL;
}

static bool known_section(const char *s)
{
    for (int i = 0; options_sections[i]; i++)
        if (!strcmp(options_sections[i], s))
            return true;
    return false;
}

/* ---- public: defaults, finish, set ------------------------------------- */

void options_defaults(struct dp_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < OPTIONS_N_KEYS; i++) {
        if (!set_value(cfg, &options_keys[i], options_keys[i].def)) {
            LOG_E("options", "bad built-in default [%s] %s = %s", options_keys[i].section,
                  options_keys[i].key, options_keys[i].def);
            abort();
        }
    }
}

void options_finish(struct dp_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < OPTIONS_N_KEYS; i++) {
        if (is_string_type(options_keys[i].type)) {
            char **p = str_field(cfg, &options_keys[i]);
            free(*p);
            *p = NULL;
        }
    }
}

static void config_copy(struct dp_config *dst, const struct dp_config *src)
{
    *dst = *src;
    for (size_t i = 0; i < OPTIONS_N_KEYS; i++)
        if (is_string_type(options_keys[i].type)) {
            char **p = str_field(dst, &options_keys[i]);
            *p = dp_strdup(*p);
        }
}

/* Writes `expected ..., got "..."` for a bad value of d into err. */
static void bad_value(const struct opt_def *d, const char *v, const char *prefix, char *err,
                      size_t errlen)
{
    char what[160], q[72];
    describe(d, what, sizeof(what));
    options_quote(v, q, sizeof(q));
    snprintf(err, errlen, "%s[%s] %s: expected %s, got \"%s\"", prefix, d->section, d->key, what,
             q);
}

/* `unknown key "[s] k" (did you mean ...?)`: the closest key of all, the
 * same section winning ties; when nothing is close, the section's keys. */
static void unknown_key(const char *section, const char *key, const char *prefix, char *err,
                        size_t errlen)
{
    const struct opt_def *best = NULL;
    int best_cost = 1 << 20, best_d = 0;
    char q[72], qs[72];
    for (size_t i = 0; i < OPTIONS_N_KEYS; i++) {
        int dist = options_distance(key, options_keys[i].key);
        int cost = dist * 2 + (strcmp(options_keys[i].section, section) != 0);
        if (cost < best_cost) {
            best_cost = cost;
            best_d = dist;
            best = &options_keys[i];
        }
    }
    options_quote(key, q, sizeof(q));
    options_quote(section, qs, sizeof(qs));
    if (best && options_close_enough(strlen(key), best_d)) {
        if (strcmp(best->section, section))
            snprintf(err, errlen, "%sunknown key \"[%s] %s\" (did you mean \"[%s] %s\"?)", prefix,
                     qs, q, best->section, best->key);
        else
            snprintf(err, errlen, "%sunknown key \"[%s] %s\" (did you mean \"%s\"?)", prefix, qs,
                     q, best->key);
        return;
    }
    char list[400];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; i < OPTIONS_N_KEYS && n < sizeof(list); i++)
        if (!strcmp(options_keys[i].section, section))
            n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
                                  options_keys[i].key);
    snprintf(err, errlen, "%sunknown key \"[%s] %s\" (the keys of [%s] are: %s)", prefix, qs, q,
             qs, list);
}

static void unknown_section(const char *section, const char *prefix, char *err, size_t errlen)
{
    const char *best = NULL;
    int best_d = 1 << 20;
    char q[72];
    for (int i = 0; options_sections[i]; i++) {
        int dist = options_distance(section, options_sections[i]);
        if (dist < best_d) {
            best_d = dist;
            best = options_sections[i];
        }
    }
    options_quote(section, q, sizeof(q));
    if (best && options_close_enough(strlen(section), best_d))
        snprintf(err, errlen, "%sunknown section [%s] (did you mean [%s]?)", prefix, q, best);
    else
        snprintf(err, errlen,
                 "%sunknown section [%s] (known: [feed], [cache], [display], "
                 "[playback], [schedule], [status])",
                 prefix, q);
}

int options_set(struct dp_config *cfg, const char *section, const char *key, const char *value,
                char *err, size_t errlen)
{
    if (!known_section(section)) {
        unknown_section(section, "", err, errlen);
        return -1;
    }
    const struct opt_def *d = find_def(section, key);
    if (!d) {
        unknown_key(section, key, "", err, errlen);
        return -1;
    }
    if (!set_value(cfg, d, value)) {
        bad_value(d, value, "", err, errlen);
        return -1;
    }
    return 0;
}

/* ---- loading a file ---------------------------------------------------- */

struct load_ctx {
    const char *path;
    int lineno;
    bool failed;
    int set_on[OPTIONS_N_KEYS]; /* line of each key, 0: not set */
    struct dp_config cfg;
    char *err;
    size_t errlen;
};

static void load_fail(struct load_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void load_fail(struct load_ctx *c, const char *fmt, ...)
{
    va_list ap;
    if (c->failed)
        return;
    c->failed = true;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
}

static void load_prefix(struct load_ctx *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%d: ", c->path, c->lineno);
}

/* A key line, or the continuation of one. */
static int on_key(struct load_ctx *c, const struct conf_line *l)
{
    char prefix[300], q[72];
    const char *section = l->section, *key = l->key, *value = l->value;
    load_prefix(c, prefix, sizeof(prefix));
    if (!*section) {
        const struct opt_def *best = NULL;
        for (size_t i = 0; i < OPTIONS_N_KEYS && !best; i++)
            if (!strcmp(options_keys[i].key, key))
                best = &options_keys[i];
        options_quote(key, q, sizeof(q));
        if (best)
            load_fail(c, "%skey \"%s\" before any [section] (did you mean \"[%s] %s\"?)", prefix,
                      q, best->section, best->key);
        else
            load_fail(c, "%skey \"%s\" before any [section]", prefix, q);
        return -1;
    }
    const struct opt_def *d = find_def(section, key);
    if (!d) {
        unknown_key(section, key, prefix, c->err, c->errlen);
        c->failed = true;
        return -1;
    }
    size_t idx = (size_t)(d - options_keys);
    if (l->kind == CONF_CONTINUATION) {
        char **p = str_field(&c->cfg, d);
        if (d->type != OPT_HEADERS) {
            options_quote(value, q, sizeof(q));
            load_fail(c,
                      "%s[%s] %s: expected the value on one line (an indented line "
                      "continues the one above), got \"%s\"",
                      prefix, section, key, q);
            return -1;
        }
        if (!options_parse_headers(value, p)) {
            bad_value(d, value, prefix, c->err, c->errlen);
            c->failed = true;
            return -1;
        }
        return 0;
    }
    if (c->set_on[idx]) {
        load_fail(c, "%s[%s] %s: set twice (first on line %d)", prefix, section, key,
                  c->set_on[idx]);
        return -1;
    }
    c->set_on[idx] = c->lineno;
    if (!set_value(&c->cfg, d, value)) {
        bad_value(d, value, prefix, c->err, c->errlen);
        c->failed = true;
        return -1;
    }
    return 0;
}

/* The tokeniser's callback: one section, key or continuation line. */
static int on_line(void *ctx, const struct conf_line *l)
{
    struct load_ctx *c = ctx;
    c->lineno = l->lineno;
    if (l->kind != CONF_SECTION)
        return on_key(c, l);
    if (!known_section(l->section)) {
        char prefix[300];
        load_prefix(c, prefix, sizeof(prefix));
        unknown_section(l->section, prefix, c->err, c->errlen);
        c->failed = true;
        return -1;
    }
    return 0;
}

/* Checks across keys, once the whole file is read. */
static void check_whole(struct load_ctx *c)
{
    const struct opt_def *listen = find_def("status", "listen");
    const char *addr = c->cfg.status_listen ? c->cfg.status_listen : "";
    if (!options_addr_is_loopback(addr) && !c->cfg.status_token) {
        char q[72];
        int line = c->set_on[listen - options_keys];
        options_quote(addr, q, sizeof(q));
        if (line)
            load_fail(c,
                      "%s:%d: [status] listen: expected a loopback address unless "
                      "[status] token is set, got \"%s\"",
                      c->path, line, q);
        else
            load_fail(c,
                      "%s: [status] token: expected a token, since listen \"%s\" is "
                      "not a loopback address",
                      c->path, q);
    }
}

int options_load_file(struct dp_config *cfg, const char *path, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    if (errlen)
        err[0] = '\0';
    if (options_read_file(path, &text, &len, err, errlen) < 0)
        return -2;
    struct load_ctx *c = dp_calloc(1, sizeof(*c));
    int rc = 0;
    c->path = path;
    c->err = err;
    c->errlen = errlen;
    config_copy(&c->cfg, cfg);
    if (options_tokenise(path, text, len, on_line, c, err, errlen) == -2)
        c->failed = true;
    if (!c->failed)
        check_whole(c);
    if (c->failed) {
        options_finish(&c->cfg);
        rc = -1;
    } else {
        options_finish(cfg);
        *cfg = c->cfg;
    }
    free(text);
    free(c);
    return rc;
}

/* ---- printing ---------------------------------------------------------- */

/* A value as written to a file: headers get their "\n" escapes back (and
 * "<set>" for their values when secrets are hidden); the login in [feed]
 * notify is hidden as "<login>" (issue 11); a value that would not read back
 * the same (a quote first, " ;" inside, blanks around) is quoted. */
static void put_value(FILE *out, const struct opt_def *d, const char *v,
                      enum options_secrets secrets)
{
    bool hide = secrets == OPTIONS_HIDE_SECRETS;
    if (d->type == OPT_SECRET && hide) {
        fputs(*v ? "<set>" : "", out);
        return;
    }
    const char *scheme = hide && d->offset == OFF(notify) ? strstr(v, "://") : NULL;
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    if (at && (!slash || at < slash)) {
        fprintf(out, "%.*s<login>%s", (int)(scheme + 3 - v), v, at);
        return;
    }
    if (d->type == OPT_HEADERS) {
        for (const char *line = v; *line;) {
            size_t n = strcspn(line, "\n");
            const char *colon = memchr(line, ':', n);
            if (line != v)
                fputs("\\n", out);
            if (hide && colon)
                fprintf(out, "%.*s: <set>", (int)(colon - line), line);
            else
                fwrite(line, 1, n, out);
            line += n + (line[n] == '\n');
        }
        return;
    }
    size_t n = strlen(v);
    bool quote = n && (v[0] == '"' || v[0] == '\'' || isspace((unsigned char)v[0]) ||
                       isspace((unsigned char)v[n - 1]) || strstr(v, " ;") || strstr(v, "\t;"));
    if (quote)
        fprintf(out, strchr(v, '"') ? "'%s'" : "\"%s\"", v);
    else
        fputs(v, out);
}

void options_print(const struct dp_config *cfg, FILE *out, enum options_secrets secrets)
{
    const char *section = NULL;
    char buf[64];
    fputs("# deskplayer: the effective settings\n", out);
    for (size_t i = 0; i < OPTIONS_N_KEYS; i++) {
        const struct opt_def *d = &options_keys[i];
        if (!section || strcmp(section, d->section)) {
            section = d->section;
            fprintf(out, "\n[%s]\n", section);
        }
        const char *v = format_value(cfg, d, buf, sizeof(buf));
        if (!*v && d->empty) {
            if (d->offset == OFF(cache_dir)) {
                char *dir = options_default_cache_dir();
                fprintf(out, "# %s: empty = %s\n", d->key, dir);
                free(dir);
            } else {
                fprintf(out, "# %s: empty = %s\n", d->key, d->empty);
            }
        }
        fprintf(out, "%s =%s", d->key, *v ? " " : "");
        put_value(out, d, v, secrets);
        fputc('\n', out);
    }
}

void options_write_example(FILE *out)
{
    const char *section = NULL;
    fputs("# deskplayer configuration: every key, its meaning and its default.\n"
          "# A line starting with ';' shows a default; remove the ';' to change it.\n"
          "# Sizes take K, M, G suffixes; durations take ms, s, m, h (a bare number\n"
          "# is seconds). Unknown sections or keys are an error.\n"
          "# Check a file with: deskplayer --config FILE --check-config\n",
          out);
    for (size_t i = 0; i < OPTIONS_N_KEYS; i++) {
        const struct opt_def *d = &options_keys[i];
        if (!section || strcmp(section, d->section)) {
            section = d->section;
            fprintf(out, "\n[%s]\n", section);
        } else {
            fputc('\n', out);
        }
        fprintf(out, "# %s\n", d->meaning);
        if (d->empty)
            fprintf(out, "# empty: %s\n", d->empty);
        fprintf(out, ";%s =%s%s\n", d->key, *d->def ? " " : "", d->def);
    }
}

char *options_default_cache_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        return dp_strfmt("%s/deskplayer", xdg);
    if (home && home[0] == '/')
        return dp_strfmt("%s/.cache/deskplayer", home);
    return dp_strdup("/var/cache/deskplayer");
}

void options_apply_cmdline(struct dp_config *cfg, const struct dp_cmdline *cl)
{
    if (cl->feed) {
        free(cfg->feed_url);
        cfg->feed_url = dp_strdup(cl->feed);
    }
    if (cl->cache_dir) {
        free(cfg->cache_dir);
        cfg->cache_dir = cl->cache_dir[0] ? dp_strdup(cl->cache_dir) : NULL;
    }
}
