/* Mastodon statuses (GET /api/v1/accounts/:id/statuses) as posts, feeds.md
 * §4: boosts show the boosted status under the boost's own id, replies are
 * left out, sensitive posts show only their spoiler text. Any thread. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/limits.h"
#include "base/xalloc.h"
#include "feed/dates.h"
#include "feed/feed_internal.h"
#include "feed/html_text.h"

/* What a post shows in place of what it cannot show (neutral wording). */
#define MASTODON_SENSITIVE_TEXT "Sensitive content (not shown)"
#define MASTODON_UNKNOWN_TEXT "An attachment that cannot be shown here"

/* mastodon_emoji.c: removes the status's custom emoji (":blobcat:", from
 * its "emojis" list) from text in place, with the space they leave doubled;
 * or turns each into U+FFFC in p->text with its picture in p->emoji. */
void mastodon_strip_emoji(const struct cJSON *status, char *text);
void mastodon_place_emoji(const struct cJSON *status, struct post *p);

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) && v->valuestring && *v->valuestring ? v->valuestring : NULL;
}

static double num_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble > 0 ? v->valuedouble
                                                                               : 0;
}

/* Ids are strings in Mastodon's API; numbers are accepted as decimal text. */
static char *id_of(const cJSON *status)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(status, "id");
    if (cJSON_IsString(v) && v->valuestring && *v->valuestring)
        return dp_strdup(v->valuestring);
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && fabs(v->valuedouble) < 1e18)
        return dp_strfmt("%lld", (long long)v->valuedouble);
    return NULL;
}

static void add_attachments(const cJSON *status, struct post *p, int *unknown)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(status, "media_attachments");
    const cJSON *a;
    if (!cJSON_IsArray(arr))
        return;
    cJSON_ArrayForEach(a, arr)
    {
        if (!cJSON_IsObject(a))
            continue;
        const char *type = str_of(a, "type");
        const char *url = str_of(a, "url");
        if (!url)
            url = str_of(a, "remote_url");
        if (!type || !url)
            continue;
        enum media_kind kind;
        bool loop = false;
        if (strcmp(type, "image") == 0) {
            kind = MEDIA_IMAGE;
        } else if (strcmp(type, "video") == 0) {
            kind = MEDIA_VIDEO;
        } else if (strcmp(type, "gifv") == 0) {
            kind = MEDIA_VIDEO;
            loop = true;
        } else if (strcmp(type, "unknown") == 0) {
            /* A remote file the server could not process: its own URL may
             * still be a picture or a clip. */
            url = str_of(a, "remote_url") ? str_of(a, "remote_url") : url;
            if (!feed_kind_from_ext(url, &kind)) {
                (*unknown)++;
                continue;
            }
        } else {
            continue; /* audio */
        }
        struct media_ref *m = post_add_media(p);
        m->url = dp_strdup(url);
        m->kind = kind;
        m->loop = loop;
        m->alt = dp_strdup(str_of(a, "description"));
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(a, "meta");
        const cJSON *orig = cJSON_IsObject(meta)
                                ? cJSON_GetObjectItemCaseSensitive(meta, "original")
                                : NULL;
        if (cJSON_IsObject(orig)) {
            double w = num_of(orig, "width"), h = num_of(orig, "height");
            if (w < DP_IMAGE_MAX_SIDE * 10.0 && h < DP_IMAGE_MAX_SIDE * 10.0) {
                m->width = (int)w;
                m->height = (int)h;
            }
            m->duration_s = num_of(orig, "duration");
        }
    }
}

static void parse_status(const cJSON *outer, struct feed *f)
{
    const cJSON *reply = cJSON_GetObjectItemCaseSensitive(outer, "in_reply_to_id");
    if (reply && !cJSON_IsNull(reply))
        return;
    const cJSON *reblog = cJSON_GetObjectItemCaseSensitive(outer, "reblog");
    const cJSON *s = cJSON_IsObject(reblog) ? reblog : outer;
    struct post *p = feed_add_post(f);
    p->id = id_of(outer);
    const char *date = str_of(outer, "created_at");
    int64_t ms;
    if (date && date_parse_rfc3339(date, &ms))
        p->published_ms = ms;
    p->link = dp_strdup(str_of(s, "url"));
    if (!p->link)
        p->link = dp_strdup(str_of(s, "uri"));
    const cJSON *account = cJSON_GetObjectItemCaseSensitive(s, "account");
    if (cJSON_IsObject(account)) {
        const char *name = str_of(account, "display_name");
        p->author = dp_strdup(name ? name : str_of(account, "username"));
        mastodon_strip_emoji(account, p->author);
        p->avatar = dp_strdup(str_of(account, "avatar"));
    }
    const char *spoiler = str_of(s, "spoiler_text");
    if (spoiler || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "sensitive"))) {
        /* Never the media of a sensitive post; never dropped without a word. */
        p->text = dp_strdup(spoiler ? spoiler : MASTODON_SENSITIVE_TEXT);
        return;
    }
    const char *content = str_of(s, "content");
    p->text = content ? html_to_text(content, strlen(content)) : dp_strdup("");
    mastodon_place_emoji(s, p);
    int unknown = 0;
    add_attachments(s, p, &unknown);
    if (p->n_media == 0 && unknown && !*p->text) {
        free(p->text);
        p->text = dp_strdup(MASTODON_UNKNOWN_TEXT);
    }
}

int mastodon_parse(const char *data, size_t len, struct feed **out, char *err, size_t errlen)
{
    cJSON *root;
    int r = feed_json_parse(data, len, &root, err, errlen);
    if (r != FEED_OK)
        return r;
    if (!cJSON_IsArray(root)) {
        cJSON_Delete(root);
        return feed_fail(err, errlen, FEED_ERR_SYNTAX, "not a statuses array");
    }
    struct feed *f = feed_alloc("mastodon");
    const cJSON *status;
    cJSON_ArrayForEach(status, root)
    {
        if (f->n_posts >= FEED_PARSE_MAX_ITEMS)
            break;
        if (cJSON_IsObject(status))
            parse_status(status, f);
    }
    cJSON_Delete(root);
    *out = f;
    return FEED_OK;
}
