/* Reading a config file: see conf_read.h. */
#include "options/conf_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/xalloc.h"
#include "options/options_internal.h"

#define SECTION_MAX 64 /* longer names are cut (and unknown) */

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "a folder";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

int options_read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: expected a regular file, got %s", path, file_kind(st.st_mode));
        close(fd);
        return -1;
    }
    if (st.st_size > DP_CONFIG_MAX_BYTES) {
        snprintf(err, errlen, "%s: larger than %ld bytes (%lld)", path, (long)DP_CONFIG_MAX_BYTES,
                 (long long)st.st_size);
        close(fd);
        return -1;
    }
    /* The size may change while it is read: never more than the cap + 1. */
    size_t cap = (size_t)DP_CONFIG_MAX_BYTES + 1, n = 0;
    char *buf = dp_malloc((size_t)st.st_size + 2);
    size_t have = (size_t)st.st_size + 1;
    for (;;) {
        if (n == have) {
            if (have >= cap)
                break;
            have = have * 2 < cap ? have * 2 : cap;
            buf = dp_realloc(buf, have + 1);
        }
        ssize_t r = read(fd, buf + n, have - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > (size_t)DP_CONFIG_MAX_BYTES) {
        snprintf(err, errlen, "%s: larger than %ld bytes", path, (long)DP_CONFIG_MAX_BYTES);
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* ---- the tokeniser --------------------------------------------------------- */

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

struct tok {
    const char *path;
    int lineno;
    char *err;
    size_t errlen;
};

static int malformed(struct tok *t, const char *what, const char *got)
{
    char q[72];
    options_quote(got, q, sizeof q);
    snprintf(t->err, t->errlen, "%s:%d: expected %s, got \"%s\"", t->path, t->lineno, what, q);
    return -2;
}

/* Trims the value in place (s is NUL-terminated and writable): blanks, a
 * " ;" comment, matching quotes. Returns the value, or NULL (message
 * written) for an unclosed quote. */
static char *clean_value(struct tok *t, char *raw)
{
    char *s = raw;
    while (blank(*s))
        s++;
    if (*s == '"' || *s == '\'') {
        char *close = strchr(s + 1, *s);
        if (!close) {
            malformed(t, "a closing quote", s);
            return NULL;
        }
        char *rest = close + 1;
        while (blank(*rest))
            rest++;
        if (*rest && *rest != ';') {
            malformed(t, "nothing but a comment after the closing quote", s);
            return NULL;
        }
        *close = '\0';
        return s + 1;
    }
    for (char *p = raw; *p; p++) {
        if (*p == ';' && p > raw && blank(p[-1])) {
            *p = '\0';
            break;
        }
    }
    size_t n = strlen(s);
    while (n && blank(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* One line (NUL-terminated, writable). */
static int tokenise_line(struct tok *t, char *line, char *section, char *key, bool *prev_key,
                         conf_line_fn on_line, void *ctx)
{
    char *s = line;
    if (t->lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
        s += 3;
    bool indented = blank(*s);
    while (blank(*s))
        s++;
    struct conf_line l = {.lineno = t->lineno, .section = section};
    if (!*s || *s == ';' || *s == '#')
        return 0; /* a comment keeps the key being continued */
    if (indented && *prev_key) {
        l.kind = CONF_CONTINUATION;
        l.key = key;
        if (!(l.value = clean_value(t, line)))
            return -2;
        return on_line(ctx, &l) < 0 ? -1 : 0;
    }
    if (*s == '[') {
        char *end = strchr(s, ']');
        if (!end)
            return malformed(t, "\"[section]\"", s);
        size_t n = (size_t)(end - s - 1);
        if (n >= SECTION_MAX)
            n = SECTION_MAX - 1;
        memcpy(section, s + 1, n);
        section[n] = '\0';
        *prev_key = false;
        l.kind = CONF_SECTION;
        return on_line(ctx, &l) < 0 ? -1 : 0;
    }
    char *sep = strpbrk(s, "=:");
    if (!sep)
        return malformed(t, "\"key = value\" or \"[section]\"", s);
    char *k_end = sep;
    while (k_end > s && blank(k_end[-1]))
        k_end--;
    *k_end = '\0';
    /* The key is kept for continuations: at most a line long. */
    memmove(key, s, (size_t)(k_end - s) + 1);
    l.kind = CONF_KEY;
    l.key = key;
    if (!(l.value = clean_value(t, sep + 1)))
        return -2;
    *prev_key = true;
    return on_line(ctx, &l) < 0 ? -1 : 0;
}

int options_tokenise(const char *path, const char *text, size_t len, conf_line_fn on_line,
                     void *ctx, char *err, size_t errlen)
{
    struct tok t = {.path = path, .err = err, .errlen = errlen};
    char section[SECTION_MAX] = "";
    char *line = dp_malloc((size_t)DP_CONFIG_LINE_MAX + 1);
    char *key = dp_malloc((size_t)DP_CONFIG_LINE_MAX + 1);
    bool prev_key = false;
    int rc = 0;
    size_t i = 0;
    while (i < len && rc == 0) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
        t.lineno++;
        if (n && text[i + n - 1] == '\r')
            n--;
        if (n > DP_CONFIG_LINE_MAX) {
            snprintf(err, errlen, "%s:%d: line longer than %d characters", path, t.lineno,
                     DP_CONFIG_LINE_MAX);
            rc = -2;
            break;
        }
        if (memchr(text + i, '\0', n)) {
            snprintf(err, errlen, "%s:%d: a NUL byte in the line", path, t.lineno);
            rc = -2;
            break;
        }
        memcpy(line, text + i, n);
        line[n] = '\0';
        rc = tokenise_line(&t, line, section, key, &prev_key, on_line, ctx);
        i += (nl ? (size_t)(nl - (text + i)) + 1 : len - i);
    }
    free(key);
    free(line);
    return rc;
}
