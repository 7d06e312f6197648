/* URL resolution (RFC 3986 §5) and the scheme rules of feeds.md.
 *
 * A reference is split into its five components, merged with the base per
 * §5.2.2 and the dot segments removed per §5.2.4. Plain paths ("/srv/feed.json",
 * "feeds/a.json") are treated as file:// URLs when used as a base. Nothing
 * here touches the network or the disk. */
#include "feed/url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/xalloc.h"
#include "feed/feed_internal.h"

struct url_parts {
    const char *scheme;
    size_t scheme_len;
    bool has_authority;
    const char *authority;
    size_t authority_len;
    const char *path;
    size_t path_len;
    bool has_query;
    const char *query;
    size_t query_len;
    bool has_fragment;
    const char *fragment;
    size_t fragment_len;
};

/* Length of the scheme of s (without ':'), or 0 when s has none. */
static size_t scheme_len(const char *s)
{
    if (!isalpha((unsigned char)s[0]))
        return 0;
    size_t i = 1;
    while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
        i++;
    return s[i] == ':' ? i : 0;
}

static void url_split(const char *s, struct url_parts *u)
{
    memset(u, 0, sizeof *u);
    size_t n = scheme_len(s);
    if (n) {
        u->scheme = s;
        u->scheme_len = n;
        s += n + 1;
    }
    if (s[0] == '/' && s[1] == '/') {
        s += 2;
        u->has_authority = true;
        u->authority = s;
        u->authority_len = strcspn(s, "/?#");
        s += u->authority_len;
    }
    u->path = s;
    u->path_len = strcspn(s, "?#");
    s += u->path_len;
    if (*s == '?') {
        s++;
        u->has_query = true;
        u->query = s;
        u->query_len = strcspn(s, "#");
        s += u->query_len;
    }
    if (*s == '#') {
        s++;
        u->has_fragment = true;
        u->fragment = s;
        u->fragment_len = strlen(s);
    }
}

/* RFC 3986 §5.2.4, on a NUL-terminated copy; returns a fresh string. */
static char *remove_dot_segments(const char *in)
{
    size_t len = strlen(in);
    char *out = dp_malloc(len + 1);
    size_t o = 0;
    const char *p = in;
    while (*p) {
        if (strncmp(p, "../", 3) == 0) {
            p += 3;
        } else if (strncmp(p, "./", 2) == 0) {
            p += 2;
        } else if (strncmp(p, "/./", 3) == 0) {
            p += 2;
        } else if (strcmp(p, "/.") == 0) {
            p += 1;
            out[o++] = '/';
            break;
        } else if (strncmp(p, "/../", 4) == 0 || strcmp(p, "/..") == 0) {
            bool last = p[3] == '\0';
            p += 3;
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            if (last) {
                out[o++] = '/';
                break;
            }
        } else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
            break;
        } else {
            do {
                out[o++] = *p++;
            } while (*p && *p != '/');
        }
    }
    out[o] = '\0';
    return out;
}

/* Appends the components, lowering the scheme; spaces are percent-encoded. */
static void append_enc(struct dp_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ')
            dp_buf_append(b, "%20", 3);
        else
            dp_buf_append(b, s + i, 1);
    }
}

static char *url_join(const char *scheme, size_t scheme_n, bool has_auth, const char *auth,
                      size_t auth_n, const char *path, bool has_q, const char *q, size_t q_n,
                      bool has_f, const char *f, size_t f_n)
{
    struct dp_buf b;
    dp_buf_init(&b, 0);
    for (size_t i = 0; i < scheme_n; i++) {
        char c = (char)tolower((unsigned char)scheme[i]);
        dp_buf_append(&b, &c, 1);
    }
    if (scheme_n)
        dp_buf_append(&b, ":", 1);
    if (has_auth) {
        dp_buf_append(&b, "//", 2);
        append_enc(&b, auth, auth_n);
    }
    append_enc(&b, path, strlen(path));
    if (has_q) {
        dp_buf_append(&b, "?", 1);
        append_enc(&b, q, q_n);
    }
    if (has_f) {
        dp_buf_append(&b, "#", 1);
        append_enc(&b, f, f_n);
    }
    return dp_buf_steal(&b, NULL);
}

/* Trims surrounding whitespace; NULL when control characters remain. */
static char *clean_ref(const char *ref)
{
    while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r' || *ref == '\f')
        ref++;
    size_t n = strlen(ref);
    while (n && (ref[n - 1] == ' ' || ref[n - 1] == '\t' || ref[n - 1] == '\n' ||
                 ref[n - 1] == '\r' || ref[n - 1] == '\f'))
        n--;
    if (n > DP_URL_MAX_BYTES)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ref[i];
        if (c < 0x20 || c == 0x7f)
            return NULL;
    }
    return dp_strndup(ref, n);
}

/* A plain path used as a base becomes a file:// URL. */
static char *base_as_url(const char *base)
{
    if (scheme_len(base) || (base[0] == '/' && base[1] == '/'))
        return dp_strdup(base);
    if (base[0] == '/')
        return dp_strfmt("file://%s", base);
    return dp_strfmt("file:///%s", base); /* relative path: best effort */
}

char *url_resolve(const char *base, const char *ref)
{
    if (!ref)
        return NULL;
    char *r = clean_ref(ref);
    if (!r)
        return NULL;
    char *result = NULL;
    struct url_parts R, B;
    url_split(r, &R);
    if (R.scheme || !base || !*base) {
        /* Already absolute (or nothing to resolve against): normalise only. */
        char *p = dp_strndup(R.path, R.path_len);
        char *dp = R.scheme ? remove_dot_segments(p) : dp_strdup(p);
        result = url_join(R.scheme, R.scheme_len, R.has_authority, R.authority, R.authority_len,
                          dp, R.has_query, R.query, R.query_len, R.has_fragment, R.fragment,
                          R.fragment_len);
        free(p);
        free(dp);
        goto out;
    }
    char *b = base_as_url(base);
    url_split(b, &B);
    if (!B.scheme) {
        free(b);
        goto out;
    }
    char *path;
    const char *auth;
    size_t auth_n;
    bool has_auth, has_q;
    const char *q;
    size_t q_n;
    if (R.has_authority) {
        has_auth = true;
        auth = R.authority;
        auth_n = R.authority_len;
        char *p = dp_strndup(R.path, R.path_len);
        path = remove_dot_segments(p);
        free(p);
        has_q = R.has_query;
        q = R.query;
        q_n = R.query_len;
    } else {
        has_auth = B.has_authority;
        auth = B.authority;
        auth_n = B.authority_len;
        if (R.path_len == 0) {
            path = dp_strndup(B.path, B.path_len);
            has_q = R.has_query || B.has_query;
            q = R.has_query ? R.query : B.query;
            q_n = R.has_query ? R.query_len : B.query_len;
        } else {
            char *merged;
            if (R.path[0] == '/') {
                merged = dp_strndup(R.path, R.path_len);
            } else if (B.has_authority && B.path_len == 0) {
                merged = dp_strfmt("/%.*s", (int)R.path_len, R.path);
            } else {
                size_t keep = B.path_len;
                while (keep > 0 && B.path[keep - 1] != '/')
                    keep--;
                merged = dp_strfmt("%.*s%.*s", (int)keep, B.path, (int)R.path_len, R.path);
            }
            path = remove_dot_segments(merged);
            free(merged);
            has_q = R.has_query;
            q = R.query;
            q_n = R.query_len;
        }
    }
    result = url_join(B.scheme, B.scheme_len, has_auth, auth, auth_n, path, has_q, q, q_n,
                      R.has_fragment, R.fragment, R.fragment_len);
    free(path);
    free(b);
out:
    free(r);
    if (result && strlen(result) > DP_URL_MAX_BYTES) {
        free(result);
        result = NULL;
    }
    return result;
}

static bool has_scheme(const char *url, const char *scheme)
{
    size_t n = scheme_len(url);
    return n == strlen(scheme) && strncasecmp(url, scheme, n) == 0;
}

bool url_scheme_allowed(const char *url, bool allow_file)
{
    if (!url)
        return false;
    if (has_scheme(url, "http") || has_scheme(url, "https")) {
        const char *p = url + scheme_len(url) + 1;
        /* A host is required. */
        return p[0] == '/' && p[1] == '/' && p[2] && p[2] != '/' && p[2] != '?' && p[2] != '#';
    }
    if (has_scheme(url, "file"))
        return allow_file;
    return false;
}

bool url_is_local(const char *url)
{
    if (!url || !*url)
        return false;
    if (has_scheme(url, "file"))
        return true;
    return scheme_len(url) == 0 && !(url[0] == '/' && url[1] == '/');
}


char *url_to_path(const char *url)
{
    if (!url_is_local(url))
        return NULL;
    if (!has_scheme(url, "file"))
        return dp_strdup(url);
    const char *p = url + 5;
    if (p[0] == '/' && p[1] == '/') {
        p += 2;
        size_t host = strcspn(p, "/?#");
        if (host && !(host == 9 && strncasecmp(p, "localhost", 9) == 0))
            return NULL;
        p += host;
    }
    size_t n = strcspn(p, "?#");
    if (n == 0)
        return NULL;
    char *out = dp_malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (p[i] == '%' && i + 2 < n && (hi = feed_hex_digit(p[i + 1])) >= 0 &&
            (lo = feed_hex_digit(p[i + 2])) >= 0) {
            char c = (char)(hi * 16 + lo);
            if (c == '\0') {
                free(out);
                return NULL;
            }
            out[o++] = c;
            i += 2;
        } else {
            out[o++] = p[i];
        }
    }
    out[o] = '\0';
    return out;
}
