#include "cache/record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "base/xalloc.h"

void record_finish(struct record *r)
{
    if (!r)
        return;
    free(r->url);
    free(r->base_url);
    free(r->etag);
    free(r->last_modified);
    free(r->mime);
    memset(r, 0, sizeof *r);
}

static bool parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

static bool is_hex64(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return n == 64;
}

bool record_parse(const char *text, size_t len, struct record *r)
{
    memset(r, 0, sizeof *r);
    char *copy = dp_strndup(text, len);
    char *save = NULL;
    bool first = true, ok = true;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (first) {
            first = false;
            if (strcmp(line, RECORD_MAGIC) != 0) {
                ok = false;
                break;
            }
            continue;
        }
        char *sp = strchr(line, ' ');
        const char *val = sp ? sp + 1 : "";
        if (sp)
            *sp = '\0';
        char **str = NULL;
        int64_t *num = NULL;
        if (strcmp(line, "url") == 0)
            str = &r->url;
        else if (strcmp(line, "base_url") == 0)
            str = &r->base_url;
        else if (strcmp(line, "etag") == 0)
            str = &r->etag;
        else if (strcmp(line, "last_modified") == 0)
            str = &r->last_modified;
        else if (strcmp(line, "mime") == 0)
            str = &r->mime;
        else if (strcmp(line, "size") == 0)
            num = &r->size;
        else if (strcmp(line, "committed") == 0)
            num = &r->committed_ms;
        else if (strcmp(line, "checked") == 0)
            num = &r->checked_ms;
        else if (strcmp(line, "shown") == 0)
            num = &r->shown_ms;
        else if (strcmp(line, "sha256") == 0) {
            if (!is_hex64(val)) {
                ok = false;
                break;
            }
            memcpy(r->sha, val, DP_SHA256_HEX);
            continue;
        } else {
            continue; /* unknown keys from a newer version are ignored */
        }
        if (str) {
            free(*str);
            *str = dp_strdup(val);
        } else if (!parse_i64(val, num) || *num < 0) {
            ok = false;
            break;
        }
    }
    free(copy);
    if (first || !r->url || !*r->url)
        ok = false;
    if (!ok)
        record_finish(r);
    return ok;
}

/* Appends "name value\n" with CR and LF dropped from value; nothing when
 * value is NULL or empty. */
static void put_str(struct dp_buf *b, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    dp_buf_appendf(b, "%s ", name);
    for (const char *p = value; *p; p++) {
        if (*p != '\n' && *p != '\r')
            dp_buf_append(b, p, 1);
    }
    dp_buf_append(b, "\n", 1);
}

char *record_format(const struct record *r, size_t *len)
{
    struct dp_buf b;
    dp_buf_init(&b, 0);
    dp_buf_appendf(&b, "%s\n", RECORD_MAGIC);
    put_str(&b, "url", r->url);
    put_str(&b, "base_url", r->base_url);
    put_str(&b, "etag", r->etag);
    put_str(&b, "last_modified", r->last_modified);
    put_str(&b, "mime", r->mime);
    if (r->sha[0])
        dp_buf_appendf(&b, "sha256 %s\n", r->sha);
    dp_buf_appendf(
        &b, "size %" PRId64 "\ncommitted %" PRId64 "\nchecked %" PRId64 "\nshown %" PRId64 "\n",
        r->size, r->committed_ms, r->checked_ms, r->shown_ms);
    return dp_buf_steal(&b, len);
}

int record_load(int dirfd, const char *name, struct record *r)
{
    char *text = NULL;
    size_t len = 0;
    int e = dp_read_regular_at(dirfd, name, RECORD_MAX_BYTES, &text, &len);
    if (e == -ENOENT)
        return -ENOENT;
    if (e < 0)
        return -EBADMSG;
    bool ok = record_parse(text, len, r);
    free(text);
    return ok ? 0 : -EBADMSG;
}

int record_save(int dirfd, const char *name, const struct record *r)
{
    size_t len = 0;
    char *text = record_format(r, &len);
    int e = dp_write_atomic_at(dirfd, name, text, len);
    free(text);
    return e;
}

void cache_key(const char *url, char key[DP_SHA256_HEX])
{
    dp_sha256_hex(url, strlen(url), key);
}

bool cache_is_key_name(const char *name, const char *suffix)
{
    for (int i = 0; i < 64; i++) {
        char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return strcmp(name + 64, suffix) == 0;
}
