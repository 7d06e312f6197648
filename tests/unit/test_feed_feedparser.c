/* The feedparser test corpus (DP_CORPUS/feedparser/tests): every file goes
 * through feed_parse without a crash, a leak (under ASan) or a hang; files
 * whose `Expect:` is one comparison of a field we carry are checked against
 * our parser's raw output (before feed_finalize drops posts that have only an
 * id, as most of these one-field fixtures do). See
 * tests/fixtures/feeds/FEEDPARSER.md. Skipped when the corpus is absent. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "base/utf8.h"
#include "feed/feed.h"
#include "base/xalloc.h"
#include "feed/feed_internal.h"
#include "feed/html_text.h"
#include "test_feed_golden.h"

#define ROOT DP_CORPUS "/feedparser/tests"
#define MAX_SECONDS_PER_FILE 2.0

/* Mapped cases where we differ from feedparser on purpose. */
static const struct {
    const char *file, *why;
} known[] = {
    {"entry_title_escaped_markup.xml", "titles are plain text: HTML markup removed"},
    {"entry_title_inline_markup.xml", "titles are plain text: inline XHTML markup removed"},
    {"entry_title_inline_markup_2.xml", "titles are plain text: entities decoded"},
    {"entry_title_base64_2.xml", "titles are plain text: HTML markup removed"},
    {"feed_title_escaped_markup.xml", "titles are plain text: HTML markup removed"},
    {"feed_title_inline_markup.xml", "titles are plain text: inline XHTML markup removed"},
    {"feed_title_inline_markup_2.xml", "titles are plain text: entities decoded"},
    {"feed_title_base64_2.xml", "titles are plain text: HTML markup removed"},
    {"entry_author_map_author.xml", "author is the name only, without the e-mail"},
    {"entry_content_and_summary.xml", "content is preferred to the summary"},
    {"entry_summary_base64.xml", "base64 application/octet-stream is read as text, not HTML"},
    {"entry_summary_base64_2.xml", "base64 application/octet-stream is read as text, not HTML"},
};

struct stats {
    int files, mapped, pass, known_diff, fail, unmapped, ok_parses;
    double worst_secs;
    char worst[256];
};

static const char *known_reason(const char *name)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].file, name) == 0)
            return known[i].why;
    return NULL;
}

/* Reads a Python string literal ('..' or "..", optional u prefix) at *p. */
static char *py_string(const char **p)
{
    const char *s = *p;
    if (*s == 'u')
        s++;
    char q = *s;
    if (q != '\'' && q != '"')
        return NULL;
    s++;
    char *out = malloc(strlen(s) * 4 + 1);
    size_t o = 0;
    while (*s && *s != q) {
        if (*s != '\\') {
            out[o++] = *s++;
            continue;
        }
        s++;
        unsigned cp;
        int n = 0;
        switch (*s) {
        case '\\':
        case '\'':
        case '"':
            out[o++] = *s++;
            break;
        case 'n':
            out[o++] = '\n';
            s++;
            break;
        case 't':
            out[o++] = '\t';
            s++;
            break;
        case 'x':
            if (sscanf(s + 1, "%2x%n", &cp, &n) != 1 || n != 2)
                goto bad;
            o += dp_utf8_put(out + o, cp);
            s += 3;
            break;
        case 'u':
            if (sscanf(s + 1, "%4x%n", &cp, &n) != 1 || n != 4)
                goto bad;
            o += dp_utf8_put(out + o, cp);
            s += 5;
            break;
        default:
            goto bad;
        }
    }
    if (*s != q)
        goto bad;
    out[o] = '\0';
    *p = s + 1;
    return out;
bad:
    free(out);
    return NULL;
}

enum field {
    F_FEED_TITLE,
    F_AUTHOR,
    F_TEXT,
    F_ID,
    F_TITLE,
    F_LINK,
    F_ENC_URL,
    F_ENC_TYPE,
    F_ENC_LENGTH,
    F_PUBLISHED
};

struct expect {
    enum field field;
    char *value; /* string fields */
    int tm[6];   /* F_PUBLISHED */
};

/* Recognises "[not bozo and ]entries[0][...] == value" and nothing more. */
static bool parse_expect(const char *line, struct expect *e)
{
    static const struct {
        const char *key;
        enum field field;
    } keys[] = {
        {"feed['title'] == ", F_FEED_TITLE},
        {"entries[0]['author'] == ", F_AUTHOR},
        {"entries[0]['description'] == ", F_TEXT},
        {"entries[0]['summary'] == ", F_TEXT},
        {"entries[0]['id'] == ", F_ID},
        {"entries[0]['guid'] == ", F_ID},
        {"entries[0]['title'] == ", F_TITLE},
        {"entries[0]['link'] == ", F_LINK},
        {"entries[0]['enclosures'][0]['url'] == ", F_ENC_URL},
        {"entries[0]['enclosures'][0]['href'] == ", F_ENC_URL},
        {"entries[0]['enclosures'][0]['type'] == ", F_ENC_TYPE},
        {"entries[0]['enclosures'][0]['length'] == ", F_ENC_LENGTH},
        {"entries[0]['published_parsed'] == ", F_PUBLISHED},
        {"entries[0]['updated_parsed'] == ", F_PUBLISHED},
    };
    const char *p = line;
    while (*p == ' ')
        p++;
    if (strncmp(p, "not bozo and ", 13) == 0)
        p += 13;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        size_t n = strlen(keys[i].key);
        if (strncmp(p, keys[i].key, n) != 0)
            continue;
        p += n;
        e->field = keys[i].field;
        e->value = NULL;
        if (e->field == F_PUBLISHED) {
            int used = 0;
            if (sscanf(p, "(%d, %d, %d, %d, %d, %d,%n", &e->tm[0], &e->tm[1], &e->tm[2], &e->tm[3],
                       &e->tm[4], &e->tm[5], &used) != 6 ||
                !used)
                return false;
            p = strchr(p, ')');
            if (!p)
                return false;
            p++;
        } else {
            e->value = py_string(&p);
            if (!e->value)
                return false;
        }
        while (*p == ' ' || *p == '\r' || *p == '\n')
            p++;
        if (*p) { /* more clauses: not mapped */
            free(e->value);
            return false;
        }
        return true;
    }
    return false;
}

/* The value of the "<key>" line of the leading comment of an
 * ASCII-compatible file ("Expect:", "Header:"), or NULL. */
static char *comment_line(const char *data, size_t len, const char *key)
{
    size_t lim = len < 4096 ? len : 4096, kl = strlen(key);
    for (size_t i = 0; i + kl < lim; i++) {
        if (memcmp(data + i, key, kl) == 0) {
            size_t j = i + kl;
            size_t end = j;
            while (end < len && data[end] != '\n' && data[end] != '\r')
                end++;
            return strndup(data + j, end - j);
        }
    }
    return NULL;
}

static bool check(const struct feed *f, const struct expect *e, char *got, size_t gotlen)
{
    snprintf(got, gotlen, "(no feed)");
    if (f && e->field == F_FEED_TITLE) {
        snprintf(got, gotlen, "%s", f->title ? f->title : "(null)");
        return f->title && strcmp(f->title, e->value) == 0;
    }
    snprintf(got, gotlen, "(no post)");
    if (!f || f->n_posts == 0)
        return false;
    const struct post *p = &f->posts[0];
    const struct media_ref *m = p->n_media ? &p->media[0] : NULL;
    const char *s = NULL;
    char num[64];
    switch (e->field) {
    case F_FEED_TITLE:
        break;
    case F_AUTHOR:
        s = p->author;
        break;
    case F_TEXT: {
        /* feedparser gives (sanitised) HTML, we give text: compare the text
         * of both. */
        char *want = html_to_text(e->value, strlen(e->value));
        char *mine = feed_demoronize(dp_strdup(p->text));
        snprintf(got, gotlen, "%s", mine);
        bool same = strcmp(want, mine) == 0;
        free(want);
        free(mine);
        return same;
    }
    case F_ID:
        s = p->id;
        break;
    case F_TITLE:
        s = p->title;
        break;
    case F_LINK:
        s = p->link;
        break;
    case F_ENC_URL:
        s = m ? m->url : NULL;
        break;
    case F_ENC_TYPE:
        s = m ? m->mime : NULL;
        break;
    case F_ENC_LENGTH:
        if (m) {
            snprintf(num, sizeof num, "%lld", (long long)m->size);
            s = num;
        }
        break;
    case F_PUBLISHED: {
        if (p->published_ms == DP_TIME_NONE) {
            snprintf(got, gotlen, "(no date)");
            return false;
        }
        time_t t = (time_t)(p->published_ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(got, gotlen, "(%d, %d, %d, %d, %d, %d)", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        return tm.tm_year + 1900 == e->tm[0] && tm.tm_mon + 1 == e->tm[1] &&
               tm.tm_mday == e->tm[2] && tm.tm_hour == e->tm[3] && tm.tm_min == e->tm[4] &&
               tm.tm_sec == e->tm[5];
    }
    }
    snprintf(got, gotlen, "%s", s ? s : "(null)");
    return s && strcmp(s, e->value) == 0;
}

static void run_file(const char *path, const char *name, struct stats *st)
{
    size_t len;
    char *data = golden_read(path, &len);
    if (!data)
        return;
    st->files++;
    struct feed *f = NULL;
    char err[256];
    struct timespec t0, t1;
    /* "Header: Content-type: text/xml; charset=..." simulates HTTP. */
    char *header = comment_line(data, len, "Header:");
    const char *ctype = header ? strcasestr(header, "content-type:") : NULL;
    if (ctype)
        ctype += 13;
    const char *cs = ctype ? strcasestr(ctype, "charset=") : NULL;
    char charset[64] = "";
    if (cs) {
        cs += 8 + (cs[8] == '"');
        size_t n = strcspn(cs, "\"; \t\r\n");
        if (n < sizeof charset) {
            memcpy(charset, cs, n);
            charset[n] = '\0';
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int r = feed_parse(data, len, "http://example.com/feed.xml", ctype, &f, err, sizeof err, NULL,
                       NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs > st->worst_secs) {
        st->worst_secs = secs;
        snprintf(st->worst, sizeof st->worst, "%s", name);
    }
    st->ok_parses += r == FEED_OK;
    feed_unref(f);

    char *line = comment_line(data, len, "Expect:");
    struct expect e;
    if (!line || !parse_expect(line, &e)) {
        st->unmapped++;
        free(line);
        free(header);
        free(data);
        return;
    }
    st->mapped++;
    /* Raw posts, before feed_finalize. */
    struct feed *raw = NULL;
    bool xml = strstr(name, ".json") == NULL;
    int rr = xml ? xmlfeed_parse_charset(data, len, charset[0] ? charset : NULL, &raw, err,
                                         sizeof err)
                 : jsonfeed_parse(data, len, &raw, err, sizeof err);
    char got[512];
    bool ok = rr == FEED_OK && check(raw, &e, got, sizeof got);
    const char *why = known_reason(name);
    if (ok) {
        st->pass++;
        if (getenv("DP_FEEDPARSER_VERBOSE"))
            fprintf(stderr, "pass: %s\n", name);
    } else if (why) {
        st->known_diff++;
        if (getenv("DP_FEEDPARSER_VERBOSE"))
            fprintf(stderr, "known: %s: got %s (%s)\n", name, got, why);
    } else {
        st->fail++;
        fprintf(stderr, "FAIL %s: expect%s, got %s\n", path, line, got);
    }
    feed_unref(raw);
    free(e.value);
    free(line);
    free(header);
    free(data);
}

static void walk(const char *dir, struct stats *st, int depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 4) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (ent->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        struct stat sb;
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            walk(path, st, depth + 1);
        else if (S_ISREG(sb.st_mode))
            run_file(path, ent->d_name, st);
    }
    closedir(d);
}

static void test_feedparser_corpus(void **state)
{
    (void)state;
    DIR *d = opendir(ROOT);
    if (!d)
        skip();
    closedir(d);
    struct stats st = {0};
    walk(ROOT, &st, 0);
    fprintf(stderr,
            "feedparser: %d files (%d parsed to posts), slowest %.3f s (%s)\n"
            "feedparser: %d mapped: %d pass, %d known differences, %d fail; %d unmapped\n",
            st.files, st.ok_parses, st.worst_secs, st.worst, st.mapped, st.pass, st.known_diff,
            st.fail, st.unmapped);
    assert_true(st.files >= 540);
    assert_true(st.worst_secs < MAX_SECONDS_PER_FILE);
    assert_int_equal(st.fail, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feedparser_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
