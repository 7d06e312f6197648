/* Media of XML feeds: enclosures, Media RSS (media:content, media:group,
 * media:thumbnail, descriptions and alt texts) and the first <img> of the
 * HTML as a fallback, shared by RSS and Atom. */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "base/xalloc.h"
#include "feed/feed_internal.h"
#include "feed/feed_xml.h"
#include "feed/html_text.h"

struct media_ref *xml_add_media(struct post *p, char *url, enum media_kind kind)
{
    if (!url)
        return NULL;
    for (size_t i = 0; i < p->n_media; i++) {
        if (strcmp(p->media[i].url, url) == 0) {
            free(url);
            return NULL;
        }
    }
    struct media_ref *m = post_add_media(p);
    m->url = url;
    m->kind = kind;
    return m;
}

void xml_add_enclosure(struct post *p, const xmlNode *c, const char *url_attr)
{
    char *url = xml_attr_url(c, url_attr);
    char *type = xml_attr(c, "type");
    enum media_kind kind;
    bool ok = url && (type ? feed_kind_from_mime(type, &kind) : feed_kind_from_ext(url, &kind));
    struct media_ref *m = ok ? xml_add_media(p, url, kind) : NULL;
    if (!ok)
        free(url);
    if (m) {
        m->mime = type;
        type = NULL;
        m->size = xml_attr_num(c, "length");
    }
    free(type);
}

/* The kind of a media:content: medium, else type, else the extension. */
static bool content_kind(const xmlNode *mc, const char *url, enum media_kind *kind)
{
    char *medium = xml_attr(mc, "medium");
    char *type = xml_attr(mc, "type");
    bool ok;
    if (medium) {
        ok = strcasecmp(medium, "image") == 0 || strcasecmp(medium, "video") == 0;
        if (ok)
            *kind = strcasecmp(medium, "image") == 0 ? MEDIA_IMAGE : MEDIA_VIDEO;
    } else if (type) {
        ok = feed_kind_from_mime(type, kind);
    } else {
        ok = feed_kind_from_ext(url, kind);
    }
    free(medium);
    free(type);
    return ok;
}

/* Alt text: media:description, else media:title, of the element or of the
 * group holding it. */
static char *desc_or_title(const xmlNode *n)
{
    char *s = xml_child_text(n, NS_MEDIA, "description");
    return s ? s : xml_child_text(n, NS_MEDIA, "title");
}

static char *media_alt(const xmlNode *mc)
{
    char *s = desc_or_title(mc);
    if (!s && mc->parent && xml_is(mc->parent, NS_MEDIA, "group"))
        s = desc_or_title(mc->parent);
    return s;
}

/* A media:content that is the author's picture (WordPress puts each post's
 * gravatar there, titled with the author's name): the post's avatar. */
static bool author_picture(const xmlNode *mc, const char *url, const struct post *p)
{
    if (strstr(url, "gravatar.com/avatar/"))
        return true;
    char *t = p->author ? xml_child_text(mc, NS_MEDIA, "title") : NULL;
    bool same = t && strcasecmp(t, p->author) == 0;
    free(t);
    return same;
}

static void add_content(const xmlNode *mc, struct post *p)
{
    char *url = xml_attr_url(mc, "url");
    enum media_kind kind;
    if (!url || !content_kind(mc, url, &kind)) {
        free(url);
        return;
    }
    if (kind == MEDIA_IMAGE && author_picture(mc, url, p)) {
        if (!p->avatar)
            p->avatar = url;
        else
            free(url);
        return;
    }
    struct media_ref *m = NULL;
    for (size_t i = 0; i < p->n_media && !m; i++)
        if (strcmp(p->media[i].url, url) == 0)
            m = &p->media[i]; /* also an enclosure: complete what it lacks */
    if (m)
        free(url);
    else
        m = xml_add_media(p, url, kind);
    if (!m->mime)
        m->mime = xml_attr(mc, "type");
    if (m->width || m->height || m->duration_s || m->alt)
        return;
    m->width = (int)xml_attr_num(mc, "width");
    m->height = (int)xml_attr_num(mc, "height");
    m->duration_s = xml_attr_double(mc, "duration");
    if (!m->size)
        m->size = xml_attr_num(mc, "fileSize");
    m->alt = media_alt(mc);
}

static double rendition_score(const xmlNode *mc)
{
    double px = xml_attr_double(mc, "width") * xml_attr_double(mc, "height");
    return px * 1e6 + xml_attr_double(mc, "fileSize") / 1e6 + xml_attr_double(mc, "bitrate");
}

static void add_group(const xmlNode *g, struct post *p)
{
    const xmlNode *best = NULL;
    double best_score = -1;
    for (const xmlNode *c = g->children; c; c = c->next) {
        if (!xml_is(c, NS_MEDIA, "content"))
            continue;
        char *url = xml_attr_url(c, "url");
        enum media_kind kind;
        bool ok = url && content_kind(c, url, &kind);
        free(url);
        if (!ok)
            continue;
        double s = rendition_score(c);
        char *def = xml_attr(c, "isDefault");
        bool is_default = def && strcmp(def, "true") == 0;
        free(def);
        if (s > best_score || (s == best_score && is_default)) {
            best = c;
            best_score = s;
        }
    }
    if (best)
        add_content(best, p);
}

static const xmlNode *first_thumbnail(const xmlNode *n, int depth)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (xml_is(c, NS_MEDIA, "thumbnail"))
            return c;
    }
    if (depth >= 2)
        return NULL;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (xml_is(c, NS_MEDIA, "group") || xml_is(c, NS_MEDIA, "content")) {
            const xmlNode *t = first_thumbnail(c, depth + 1);
            if (t)
                return t;
        }
    }
    return NULL;
}

void media_rss_collect(const xmlNode *item, struct post *p)
{
    for (const xmlNode *c = item->children; c; c = c->next) {
        if (xml_is(c, NS_MEDIA, "content"))
            add_content(c, p);
        else if (xml_is(c, NS_MEDIA, "group"))
            add_group(c, p);
    }
    if (p->n_media)
        return;
    const xmlNode *t = first_thumbnail(item, 0);
    if (t) {
        struct media_ref *m = xml_add_media(p, xml_attr_url(t, "url"), MEDIA_IMAGE);
        if (m) {
            m->width = (int)xml_attr_num(t, "width");
            m->height = (int)xml_attr_num(t, "height");
        }
    }
}

void xml_img_fallback(const xmlNode *ctx, struct post *p, const char *html1, const char *html2)
{
    const char *list[2] = {html1, html2};
    for (int i = 0; i < 2 && p->n_media == 0; i++) {
        if (!list[i] || !strstr(list[i], "<"))
            continue;
        char *src = html_first_img(list[i], strlen(list[i]));
        if (src)
            xml_add_media(p, xml_with_base(ctx, src), MEDIA_IMAGE);
    }
}

char *media_rss_description(const xmlNode *item)
{
    char *s = xml_child_text(item, NS_MEDIA, "description");
    for (const xmlNode *c = item->children; c && !s; c = c->next) {
        if (xml_is(c, NS_MEDIA, "group") || xml_is(c, NS_MEDIA, "content"))
            s = xml_child_text(c, NS_MEDIA, "description");
    }
    return s;
}
