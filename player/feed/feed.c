/* Posts: allocation, the rules every format shares (feeds.md "Rules for every
 * format"), format detection and the normalised JSON used by golden tests.
 *
 * A feed is built by one thread (the parser), then published: from then on
 * it is immutable and only its reference count changes, atomically. */
#include "feed/feed.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/sha256.h"
#include "base/log.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "feed/feed_internal.h"
#include "feed/url.h"

/* ---- small shared helpers ---------------------------------------------- */

int feed_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

bool feed_utf8_clean(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c && c < 0x80) {
            i++;
            continue;
        }
        size_t at = i;
        uint32_t cp;
        if (!dp_utf8_next(s, len, &i, &cp) || cp == 0 || (cp == 0xFFFD && i - at == 1))
            return false;
    }
    return true;
}

char *feed_utf8_repair(const char *s, size_t len, size_t *out_len)
{
    char *out = dp_malloc(len * 3 + 1); /* each bad byte may become 3 bytes */
    size_t i = 0, o = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c && c < 0x80) { /* fast path */
            out[o++] = (char)c;
            i++;
            continue;
        }
        uint32_t cp;
        if (!dp_utf8_next(s, len, &i, &cp))
            break;
        if (cp)
            o += dp_utf8_put(out + o, cp);
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}

void feed_set(char **field, const char *s)
{
    char *copy = dp_strdup(s);
    free(*field);
    *field = copy;
}

static bool hls_mime(const char *mime)
{
    static const char *const names[] = {"application/vnd.apple.mpegurl", "application/x-mpegurl",
                                        "audio/mpegurl", "audio/x-mpegurl", NULL};
    while (mime && *mime == ' ')
        mime++;
    for (size_t i = 0; mime && names[i]; i++) {
        size_t n = strlen(names[i]);
        if (strncasecmp(mime, names[i], n) == 0 && (!mime[n] || mime[n] == ';' || mime[n] == ' '))
            return true;
    }
    return false;
}

static bool hls_ext(const char *url)
{
    size_t end = url ? strcspn(url, "?#") : 0;
    return end >= 5 && strncasecmp(url + end - 5, ".m3u8", 5) == 0;
}

bool feed_is_live(const char *mime, const char *url)
{
    return hls_mime(mime) || hls_ext(url);
}

bool feed_kind_from_mime(const char *mime, enum media_kind *kind)
{
    if (!mime)
        return false;
    while (*mime == ' ')
        mime++;
    if (hls_mime(mime)) {
        *kind = MEDIA_VIDEO; /* live: feed_is_live */
        return true;
    }
    if (strncasecmp(mime, "image/", 6) == 0 && mime[6]) {
        *kind = MEDIA_IMAGE;
        return true;
    }
    if (strncasecmp(mime, "video/", 6) == 0 && mime[6]) {
        *kind = MEDIA_VIDEO;
        return true;
    }
    return false;
}

bool feed_kind_from_ext(const char *url, enum media_kind *kind)
{
    static const char *const images[] = {"jpg",  "jpeg", "png",  "gif", "webp", "bmp", "avif",
                                         "jfif", "heic", "heif", "hif", "jxl",  NULL};
    static const char *const videos[] = {"mp4", "m4v", "mov", "webm", "mkv",
                                         "ogv", "avi", "ts",  NULL};
    if (!url)
        return false;
    if (hls_ext(url)) {
        *kind = MEDIA_VIDEO; /* live: feed_is_live */
        return true;
    }
    size_t end = strcspn(url, "?#");
    size_t dot = end;
    while (dot > 0 && url[dot - 1] != '.' && url[dot - 1] != '/')
        dot--;
    if (dot == 0 || url[dot - 1] != '.')
        return false;
    size_t n = end - dot;
    for (size_t i = 0; images[i]; i++)
        if (n == strlen(images[i]) && strncasecmp(url + dot, images[i], n) == 0) {
            *kind = MEDIA_IMAGE;
            return true;
        }
    for (size_t i = 0; videos[i]; i++)
        if (n == strlen(videos[i]) && strncasecmp(url + dot, videos[i], n) == 0) {
            *kind = MEDIA_VIDEO;
            return true;
        }
    return false;
}

/* ---- allocation and reference counting --------------------------------- */

struct feed *feed_alloc(const char *format)
{
    struct feed *f = dp_calloc(1, sizeof *f);
    f->format = format;
    f->refs = 1;
    return f;
}

/* Grows an array that holds n elements: capacity is implicit (8, then each
 * power of two from 8 on doubles it). */
static void *grow(void *arr, size_t n, size_t elem)
{
    if (n == 0)
        return dp_realloc(arr, 8 * elem);
    if (n >= 8 && (n & (n - 1)) == 0)
        return dp_realloc(arr, 2 * n * elem);
    return arr;
}

struct post *feed_add_post(struct feed *f)
{
    f->posts = grow(f->posts, f->n_posts, sizeof *f->posts);
    struct post *p = &f->posts[f->n_posts++];
    memset(p, 0, sizeof *p);
    p->published_ms = DP_TIME_NONE;
    p->signage.start_ms = DP_TIME_NONE;
    p->signage.end_ms = DP_TIME_NONE;
    return p;
}

struct media_ref *post_add_media(struct post *p)
{
    p->media = grow(p->media, p->n_media, sizeof *p->media);
    struct media_ref *m = &p->media[p->n_media++];
    memset(m, 0, sizeof *m);
    return m;
}

static void media_finish(struct media_ref *m)
{
    free(m->url);
    free(m->mime);
    free(m->alt);
}

static void post_finish(struct post *p)
{
    free(p->id);
    free(p->author);
    free(p->avatar);
    free(p->title);
    free(p->text);
    free(p->link);
    for (size_t i = 0; i < p->n_media; i++)
        media_finish(&p->media[i]);
    free(p->media);
    for (size_t i = 0; i < p->n_emoji; i++) {
        free(p->emoji[i].code);
        free(p->emoji[i].url);
    }
    free(p->emoji);
}

struct feed *feed_ref(struct feed *f)
{
    if (f)
        __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    return f;
}

void feed_unref(struct feed *f)
{
    if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t i = 0; i < f->n_posts; i++)
        post_finish(&f->posts[i]);
    free(f->posts);
    free(f->title);
    free(f->icon);
    free(f->home);
    free(f);
}

/* ---- feed_finalize ----------------------------------------------------- */

/* C1 controls (U+0080-U+009F) in feeds are nearly always windows-1252
 * bytes read as ISO-8859-1; like HTML, read them as windows-1252. */
char *feed_demoronize(char *s)
{
    static const uint16_t cp1252[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
    const char *p = s;
    while ((p = strchr(p, '\xC2')) &&
           !((unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9F))
        p++;
    if (!p)
        return s;
    size_t len = strlen(s);
    char *out = dp_malloc(len * 2 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i], d = (unsigned char)s[i + 1];
        if (c == 0xC2 && d >= 0x80 && d <= 0x9F && cp1252[d - 0x80]) {
            o += dp_utf8_put(out + o, cp1252[d - 0x80]);
            i += 2;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    free(s);
    return out;
}

static void sanitize_field(char **field, size_t max, bool keep_newlines)
{
    if (!*field)
        return;
    *field = feed_demoronize(*field);
    char *s = dp_text_sanitize(*field, strlen(*field), max, keep_newlines);
    free(*field);
    if (!*s) {
        free(s);
        s = NULL;
    }
    *field = s;
}

/* Resolves a non-media URL (link, avatar, icon); unusable ones become NULL. */
static void resolve_field(char **field, const char *base, bool allow_file)
{
    if (!*field)
        return;
    char *r = url_resolve(base, *field);
    free(*field);
    *field = NULL;
    if (r && url_scheme_allowed(r, allow_file))
        *field = r;
    else
        free(r);
}

typedef void (*drop_fn)(void *ctx, const char *post_id, const char *url, const char *reason);

static void finalize_media(struct post *p, const char *base, bool allow_file, drop_fn on_drop,
                           void *ctx)
{
    size_t keep = 0;
    for (size_t i = 0; i < p->n_media; i++) {
        struct media_ref *m = &p->media[i];
        char *r = m->url ? url_resolve(base, m->url) : NULL;
        const char *reason = NULL;
        if (!r || !url_scheme_allowed(r, allow_file))
            reason = "bad_scheme";
        else if (keep >= DP_MAX_MEDIA_PER_POST)
            reason = "too_many";
        if (reason) {
            if (on_drop)
                on_drop(ctx, p->id, m->url ? m->url : "", reason);
            free(r);
            media_finish(m);
            continue;
        }
        free(m->url);
        m->url = r;
        sanitize_field(&m->alt, DP_FIELD_MAX_CHARS, false);
        sanitize_field(&m->mime, 255, false);
        for (char *c = m->mime; c && *c; c++)
            *c = (char)tolower((unsigned char)*c);
        if (m->width < 0 || m->height < 0)
            m->width = m->height = 0;
        if (!(m->duration_s > 0 && m->duration_s < 1e7))
            m->duration_s = 0;
        if (m->size < 0)
            m->size = 0;
        m->live = m->kind == MEDIA_VIDEO && feed_is_live(m->mime, m->url);
        p->media[keep++] = *m;
    }
    p->n_media = keep;
    if (keep == 0) {
        free(p->media);
        p->media = NULL;
    }
    feed_drop_small_pictures(p, on_drop, ctx);
}

/* A stable id for a post that came without one: a hash of its content. */
static char *synth_id(const struct post *p)
{
    struct dp_buf b;
    dp_buf_init(&b, 0);
    dp_buf_appendf(&b, "%s\n%s\n%s", p->title ? p->title : "", p->text ? p->text : "",
                   p->link ? p->link : "");
    for (size_t i = 0; i < p->n_media; i++)
        dp_buf_appendf(&b, "\n%s", p->media[i].url);
    size_t len;
    char *data = dp_buf_steal(&b, &len);
    char hex[DP_SHA256_HEX];
    dp_sha256_hex(data, len, hex);
    free(data);
    return dp_strfmt("sha256:%.32s", hex);
}

/* Open-addressing set of ids, for "the same id twice: the first wins". */
struct id_set {
    const char **slots;
    size_t cap;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

/* Returns false when id was already present. */
static bool id_set_add(struct id_set *set, const char *id)
{
    size_t i = (size_t)hash_str(id) & (set->cap - 1);
    while (set->slots[i]) {
        if (strcmp(set->slots[i], id) == 0)
            return false;
        i = (i + 1) & (set->cap - 1);
    }
    set->slots[i] = id;
    return true;
}

struct sort_key {
    struct post post;
    size_t index;
};

static int cmp_posts(const void *a, const void *b)
{
    const struct sort_key *x = a, *y = b;
    if (x->post.signage.priority != y->post.signage.priority)
        return x->post.signage.priority > y->post.signage.priority ? -1 : 1;
    bool xd = x->post.published_ms != DP_TIME_NONE, yd = y->post.published_ms != DP_TIME_NONE;
    if (xd != yd)
        return xd ? -1 : 1;
    if (xd && x->post.published_ms != y->post.published_ms)
        return x->post.published_ms > y->post.published_ms ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

size_t feed_finalize(struct feed *f, const char *base_url, drop_fn on_drop, void *drop_ctx)
{
    bool allow_file = base_url && url_is_local(base_url);
    sanitize_field(&f->title, DP_FIELD_MAX_CHARS, false);
    resolve_field(&f->icon, base_url, allow_file);
    resolve_field(&f->home, base_url, false);

    size_t cap = 16;
    while (cap < f->n_posts * 2)
        cap *= 2;
    struct id_set ids = {dp_calloc(cap, sizeof *ids.slots), cap};
    size_t keep = 0;
    for (size_t i = 0; i < f->n_posts; i++) {
        struct post *p = &f->posts[i];
        if (!feed_id_finish(&p->id)) {
            LOG_W("feed", "a post whose id holds a NUL is refused");
            post_finish(p);
            continue;
        }
        sanitize_field(&p->title, DP_FIELD_MAX_CHARS, false);
        sanitize_field(&p->author, DP_FIELD_MAX_CHARS, false);
        if (p->text)
            p->text = feed_demoronize(p->text);
        char *text = dp_text_sanitize(p->text ? p->text : "", p->text ? strlen(p->text) : 0,
                                      DP_TEXT_MAX_CHARS, true);
        free(p->text);
        p->text = text;
        resolve_field(&p->link, base_url, false);
        resolve_field(&p->avatar, base_url, allow_file);
        for (size_t e = 0; e < p->n_emoji; e++)
            resolve_field(&p->emoji[e].url, base_url, false);
        finalize_media(p, base_url, allow_file, on_drop, drop_ctx);
        if (p->signage.duration_ms < 0)
            p->signage.duration_ms = 0;
        bool empty = !*p->text && !p->title && p->n_media == 0;
        if (!empty && !p->id)
            p->id = synth_id(p);
        if (empty || !id_set_add(&ids, p->id)) {
            post_finish(p);
            continue;
        }
        f->posts[keep++] = *p;
    }
    free(ids.slots);
    f->n_posts = keep;

    /* The id set pointed into the posts; it is gone before they move. */
    if (keep > 1) {
        struct sort_key *keys = dp_malloc(keep * sizeof *keys);
        for (size_t i = 0; i < keep; i++) {
            keys[i].post = f->posts[i];
            keys[i].index = i;
        }
        qsort(keys, keep, sizeof *keys, cmp_posts);
        for (size_t i = 0; i < keep; i++)
            f->posts[i] = keys[i].post;
        free(keys);
    }
    /* Cap: pinned posts count like the others (issue 8: 4,000 pinned posts
     * escaped it), but come first, then the others in rank order. */
    if (keep > DP_MAX_POSTS) {
        size_t pinned = 0;
        for (size_t i = 0; i < keep; i++)
            pinned += f->posts[i].signage.pinned;
        size_t room_pinned = pinned < DP_MAX_POSTS ? pinned : DP_MAX_POSTS;
        size_t room_other = DP_MAX_POSTS - room_pinned, n = 0;
        for (size_t i = 0; i < keep; i++) {
            size_t *room = f->posts[i].signage.pinned ? &room_pinned : &room_other;
            if (*room > 0) {
                (*room)--;
                f->posts[n++] = f->posts[i];
            } else {
                post_finish(&f->posts[i]);
            }
        }
        f->n_posts = keep = n;
    }
    if (keep == 0) {
        free(f->posts);
        f->posts = NULL;
    }
    return keep;
}

/* ---- feed_parse -------------------------------------------------------- */

enum doc_kind { DOC_UNKNOWN, DOC_JSON_OBJECT, DOC_JSON_ARRAY, DOC_XML };

static enum doc_kind sniff(const char *data, size_t len, const char *content_type)
{
    size_t i = 0;
    const unsigned char *u = (const unsigned char *)data;
    if (len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE)))
        return DOC_XML; /* UTF-16/32 BOM: only XML feeds come that way */
    if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF)
        return DOC_XML; /* UTF-32BE BOM */
    if (len >= 4 && ((u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] == '<') ||
                     (u[0] == 0 && u[1] == '<') || (u[0] == '<' && u[1] == 0)))
        return DOC_XML;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len) {
        if (data[i] == '{')
            return DOC_JSON_OBJECT;
        if (data[i] == '[')
            return DOC_JSON_ARRAY;
        if (data[i] == '<')
            return DOC_XML;
        return DOC_UNKNOWN;
    }
    (void)content_type;
    return DOC_UNKNOWN;
}

/* The charset parameter of a Content-Type ("" when none). */
static void content_charset(const char *content_type, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *p = content_type;
    while (p && (p = strchr(p, ';'))) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset=", 8) != 0)
            continue;
        p += 8;
        if (*p == '"')
            p++;
        size_t n = strcspn(p, "\"; \t");
        if (n && n < outlen) {
            memcpy(out, p, n);
            out[n] = '\0';
        }
        return;
    }
}

int feed_parse(const char *data, size_t len, const char *base_url, const char *content_type,
               struct feed **out, char *err, size_t errlen, drop_fn on_drop, void *drop_ctx)
{
    if (err && errlen)
        err[0] = '\0';
    *out = NULL;
    if (len > (size_t)DP_FEED_MAX_BYTES)
        return feed_fail(err, errlen, FEED_ERR_TOO_LARGE, "feed of %zu bytes is over %ld", len,
                         (long)DP_FEED_MAX_BYTES);
    if (!data || len == 0)
        return feed_fail(err, errlen, FEED_ERR_SYNTAX, "empty document");
    struct feed *f = NULL;
    char charset[64];
    int r;
    switch (sniff(data, len, content_type)) {
    case DOC_JSON_OBJECT:
        r = jsonfeed_parse(data, len, &f, err, errlen);
        break;
    case DOC_JSON_ARRAY:
        r = mastodon_parse(data, len, &f, err, errlen);
        break;
    case DOC_XML:
        content_charset(content_type, charset, sizeof charset);
        r = xmlfeed_parse_charset(data, len, charset[0] ? charset : NULL, &f, err, errlen);
        break;
    default:
        return feed_fail(err, errlen, FEED_ERR_SYNTAX, "not a feed (%s)",
                         content_type ? content_type : "no content type");
    }
    if (r != FEED_OK)
        return r;
    if (feed_finalize(f, base_url, on_drop, drop_ctx) == 0) {
        feed_unref(f);
        return feed_fail(err, errlen, FEED_ERR_EMPTY, "no usable posts");
    }
    *out = f;
    return FEED_OK;
}

/* ---- feed_to_json ------------------------------------------------------ */

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *date_json(int64_t ms)
{
    if (ms == DP_TIME_NONE)
        return cJSON_CreateNull();
    int64_t sec = ms / 1000, rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return cJSON_CreateNull();
    char buf[64];
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    if (rem)
        snprintf(buf + n, sizeof buf - n, ".%03dZ", (int)rem);
    else
        snprintf(buf + n, sizeof buf - n, "Z");
    return cJSON_CreateString(buf);
}

char *feed_to_json(const struct feed *f)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "format", str_or_null(f->format));
    cJSON_AddItemToObject(root, "title", str_or_null(f->title));
    cJSON_AddItemToObject(root, "icon", str_or_null(f->icon));
    cJSON_AddItemToObject(root, "home", str_or_null(f->home));
    cJSON *posts = cJSON_AddArrayToObject(root, "posts");
    for (size_t i = 0; i < f->n_posts; i++) {
        const struct post *p = &f->posts[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "id", str_or_null(p->id));
        cJSON_AddItemToObject(o, "published", date_json(p->published_ms));
        cJSON_AddItemToObject(o, "author", str_or_null(p->author));
        cJSON_AddItemToObject(o, "avatar", str_or_null(p->avatar));
        cJSON_AddItemToObject(o, "title", str_or_null(p->title));
        cJSON_AddItemToObject(o, "text", str_or_null(p->text));
        cJSON_AddItemToObject(o, "link", str_or_null(p->link));
        cJSON *media = cJSON_AddArrayToObject(o, "media");
        for (size_t j = 0; j < p->n_media; j++) {
            const struct media_ref *m = &p->media[j];
            cJSON *mo = cJSON_CreateObject();
            cJSON_AddItemToObject(mo, "url", str_or_null(m->url));
            cJSON_AddStringToObject(mo, "kind", m->kind == MEDIA_VIDEO ? "video" : "image");
            cJSON_AddItemToObject(mo, "mime", str_or_null(m->mime));
            cJSON_AddNumberToObject(mo, "width", m->width);
            cJSON_AddNumberToObject(mo, "height", m->height);
            cJSON_AddNumberToObject(mo, "duration_s", m->duration_s);
            cJSON_AddNumberToObject(mo, "size", (double)m->size);
            cJSON_AddItemToObject(mo, "alt", str_or_null(m->alt));
            cJSON_AddBoolToObject(mo, "loop", m->loop);
            cJSON_AddItemToArray(media, mo);
        }
        if (p->n_emoji) {
            cJSON *em = cJSON_AddArrayToObject(o, "emoji");
            for (size_t j = 0; j < p->n_emoji; j++)
                cJSON_AddItemToArray(em, str_or_null(p->emoji[j].url));
        }
        cJSON *sg = cJSON_AddObjectToObject(o, "signage");
        cJSON_AddNumberToObject(sg, "duration_ms", (double)p->signage.duration_ms);
        cJSON_AddNumberToObject(sg, "priority", p->signage.priority);
        cJSON_AddBoolToObject(sg, "pinned", p->signage.pinned);
        cJSON_AddItemToObject(sg, "start", date_json(p->signage.start_ms));
        cJSON_AddItemToObject(sg, "end", date_json(p->signage.end_ms));
        cJSON_AddBoolToObject(sg, "mute", p->signage.mute);
        cJSON_AddItemToArray(posts, o);
    }
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    char *copy = dp_strdup(s); /* callers free() it */
    cJSON_free(s);
    return copy;
}
