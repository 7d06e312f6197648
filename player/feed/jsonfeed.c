/* JSON Feed 1.1 (and 1.0) per feeds.md §1, with the `_signage` extension.
 * The nesting depth is checked by a linear scan before cJSON sees the
 * document, so hostile inputs ("[[[[...") are refused in microseconds.
 * Any thread. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/xalloc.h"
#include "feed/dates.h"
#include "feed/feed_internal.h"
#include "feed/html_text.h"

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) && v->valuestring && *v->valuestring ? v->valuestring : NULL;
}

static bool num_of(const cJSON *obj, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return false;
    *out = v->valuedouble;
    return true;
}

static bool bool_of(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* Item ids: a string, or a number taken as its decimal text. */
static char *id_of(const cJSON *item)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "id");
    if (cJSON_IsString(v) && v->valuestring && *v->valuestring)
        return dp_strdup(v->valuestring);
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 1e18)
            return dp_strfmt("%lld", (long long)d);
        return dp_strfmt("%.17g", d);
    }
    return NULL;
}

/* authors[] names joined by ", " (1.1), else author.name (1.0). The first
 * avatar found goes to *avatar. */
static char *authors_of(const cJSON *obj, char **avatar)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "authors");
    struct dp_buf b;
    dp_buf_init(&b, 0);
    const cJSON *a;
    if (cJSON_IsArray(arr)) {
        cJSON_ArrayForEach(a, arr)
        {
            if (!cJSON_IsObject(a))
                continue;
            const char *name = str_of(a, "name");
            if (name)
                dp_buf_appendf(&b, "%s%s", b.len ? ", " : "", name);
            if (!*avatar && str_of(a, "avatar"))
                *avatar = dp_strdup(str_of(a, "avatar"));
        }
    }
    a = cJSON_GetObjectItemCaseSensitive(obj, "author");
    if (!b.len && cJSON_IsObject(a)) {
        if (str_of(a, "name"))
            dp_buf_appendf(&b, "%s", str_of(a, "name"));
        if (!*avatar && str_of(a, "avatar"))
            *avatar = dp_strdup(str_of(a, "avatar"));
    }
    if (!b.len) {
        dp_buf_finish(&b);
        return NULL;
    }
    return dp_buf_steal(&b, NULL);
}

static int64_t date_of(const cJSON *obj, const char *key)
{
    int64_t ms;
    const char *s = str_of(obj, key);
    return s && date_parse_rfc3339(s, &ms) ? ms : DP_TIME_NONE;
}

static void parse_signage(const cJSON *item, struct signage *sg)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(item, "_signage");
    if (!cJSON_IsObject(s))
        return;
    double d;
    if (num_of(s, "duration", &d) && d > 0 && d < 86400.0 * 365)
        sg->duration_ms = (int64_t)llround(d * 1000.0);
    if (num_of(s, "priority", &d)) {
        if (d > 1000000)
            d = 1000000;
        if (d < -1000000)
            d = -1000000;
        sg->priority = (int)d;
    }
    sg->pinned = bool_of(s, "pinned");
    sg->mute = bool_of(s, "mute");
    sg->start_ms = date_of(s, "start");
    sg->end_ms = date_of(s, "end");
}

static void parse_attachments(const cJSON *item, struct post *p)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(item, "attachments");
    const cJSON *a;
    if (cJSON_IsArray(arr)) {
        cJSON_ArrayForEach(a, arr)
        {
            enum media_kind kind;
            const char *url = cJSON_IsObject(a) ? str_of(a, "url") : NULL;
            const char *mime = url ? str_of(a, "mime_type") : NULL;
            if (!url)
                continue;
            if (!feed_kind_from_mime(mime, &kind)) {
                if (!feed_is_live(NULL, url))
                    continue;
                kind = MEDIA_VIDEO; /* a .m3u8, whatever its type says */
            }
            struct media_ref *m = post_add_media(p);
            m->url = dp_strdup(url);
            m->mime = dp_strdup(mime);
            m->kind = kind;
            m->alt = dp_strdup(str_of(a, "title"));
            double d;
            if (num_of(a, "size_in_bytes", &d) && d > 0 && d < 9e15)
                m->size = (int64_t)d;
            if (num_of(a, "duration_in_seconds", &d))
                m->duration_s = d;
        }
    }
    if (p->n_media == 0) {
        const char *img = str_of(item, "image");
        if (!img)
            img = str_of(item, "banner_image");
        if (img) {
            struct media_ref *m = post_add_media(p);
            m->url = dp_strdup(img);
            m->kind = MEDIA_IMAGE;
        }
    }
}

static void parse_item(const cJSON *item, const cJSON *feed_obj, struct feed *f)
{
    struct post *p = feed_add_post(f);
    p->id = id_of(item);
    p->link = dp_strdup(str_of(item, "url"));
    if (!p->link)
        p->link = dp_strdup(str_of(item, "external_url"));
    p->title = dp_strdup(str_of(item, "title"));
    const char *text = str_of(item, "content_text");
    const char *html = str_of(item, "content_html");
    if (text)
        p->text = dp_strdup(text);
    else if (html)
        p->text = html_to_text(html, strlen(html));
    else if (str_of(item, "summary"))
        p->text = dp_strdup(str_of(item, "summary"));
    p->published_ms = date_of(item, "date_published");
    if (p->published_ms == DP_TIME_NONE)
        p->published_ms = date_of(item, "date_modified");
    p->author = authors_of(item, &p->avatar);
    if (!p->author)
        p->author = authors_of(feed_obj, &p->avatar);
    parse_attachments(item, p);
    parse_signage(item, &p->signage);
}

int jsonfeed_parse(const char *data, size_t len, struct feed **out, char *err, size_t errlen)
{
    cJSON *root;
    int r = feed_json_parse(data, len, &root, err, errlen);
    if (r != FEED_OK)
        return r;
    const char *version = cJSON_IsObject(root) ? str_of(root, "version") : NULL;
    if (!version || (strncmp(version, "https://jsonfeed.org/version/1", 30) != 0 &&
                     strncmp(version, "http://jsonfeed.org/version/1", 29) != 0)) {
        cJSON_Delete(root);
        return feed_fail(err, errlen, FEED_ERR_SYNTAX, "not a JSON Feed (version)");
    }
    struct feed *f = feed_alloc("jsonfeed");
    f->title = dp_strdup(str_of(root, "title"));
    f->home = dp_strdup(str_of(root, "home_page_url"));
    f->icon = dp_strdup(str_of(root, "icon"));
    if (!f->icon)
        f->icon = dp_strdup(str_of(root, "favicon"));
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
    const cJSON *item;
    if (cJSON_IsArray(items)) {
        cJSON_ArrayForEach(item, items)
        {
            if (f->n_posts >= FEED_PARSE_MAX_ITEMS)
                break;
            if (cJSON_IsObject(item))
                parse_item(item, root, f);
        }
    }
    cJSON_Delete(root);
    *out = f;
    return FEED_OK;
}
