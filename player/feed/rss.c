/* RSS 2.0, 0.91/0.92 and RDF (RSS 0.90/1.0) items as posts (feeds.md §2).
 * Called by xmlfeed.c with a parsed, already vetted document. Any thread. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/sha256.h"
#include "base/xalloc.h"
#include "feed/dates.h"
#include "feed/feed_internal.h"
#include "feed/feed_xml.h"
#include "feed/html_text.h"

/* "jo@example.com (Jo Smith)" -> "Jo Smith"; other forms unchanged. */
static char *author_name(char *s)
{
    if (!s)
        return NULL;
    char *open = strchr(s, '(');
    char *close = open ? strrchr(open, ')') : NULL;
    if (open && close && close > open + 1 && strchr(s, '@')) {
        char *name = dp_strndup(open + 1, (size_t)(close - open - 1));
        free(s);
        return name;
    }
    return s;
}

static int64_t item_date(const xmlNode *item)
{
    static const struct {
        const char *ns, *name;
    } fields[] = {
        {NULL, "pubDate"},       {NS_DC, "date"},          {NS_DCTERMS, "issued"},
        {NS_DCTERMS, "created"}, {NS_DCTERMS, "modified"}, {NS_ATOM, "published"},
        {NS_ATOM, "updated"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char *s = xml_child_text(item, fields[i].ns, fields[i].name);
        int64_t ms;
        bool ok = s && date_parse_any(s, &ms);
        free(s);
        if (ok)
            return ms;
    }
    return DP_TIME_NONE;
}

/* True when s holds a tag ("<b>", "</p>", "<br/>") or an entity ("&amp;",
 * "&#8217;"); "1 < 2", "a<b" or "AT&T" are plain text. */
static bool looks_like_html(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/' || p[1] == '!') &&
            strchr(p, '>'))
            return true;
        if (*p == '&' && (isalpha((unsigned char)p[1]) || p[1] == '#')) {
            size_t n = 1 + strspn(p + 1, "#abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789");
            if (p[n] == ';')
                return true;
        }
    }
    return false;
}

/* Titles are text, but feeds often put (escaped) markup in them. */
static char *title_text(char *s)
{
    if (!s || !looks_like_html(s))
        return s;
    char *t = html_to_text(s, strlen(s));
    free(s);
    if (!*t) {
        free(t);
        return NULL;
    }
    return t;
}

static void add_enclosures(const xmlNode *item, struct post *p)
{
    for (const xmlNode *c = item->children; c; c = c->next) {
        if (xml_is(c, NULL, "enclosure"))
            xml_add_enclosure(p, c, "url");
    }
}

/* What an item inherits from its channel. */
struct channel_ctx {
    char *author;
    char *image; /* itunes:image href */
};

static void parse_item(const xmlNode *item, const struct channel_ctx *ch, struct feed *f)
{
    struct post *p = feed_add_post(f);
    char *guid = NULL;
    bool guid_is_link = false;
    xmlNode *g = xml_child(item, NULL, "guid");
    if (g) {
        guid = xml_text(g);
        char *perma = xml_attr(g, "isPermaLink");
        guid_is_link = !perma || strcasecmp(perma, "false") != 0;
        free(perma);
        if (!*guid) {
            free(guid);
            guid = NULL;
        }
    }
    p->link = xml_text_url(xml_child(item, NULL, "link"));
    if (!p->link && guid && guid_is_link && strstr(guid, "://"))
        p->link = dp_strdup(guid);
    p->title = title_text(xml_child_text(item, NULL, "title"));
    if (!p->title)
        p->title = title_text(xml_child_text(item, NS_DC, "title"));
    if (!p->title)
        p->title = title_text(xml_child_text(item, NS_MEDIA, "title"));

    xmlNode *d = xml_child(item, NULL, "description");
    char *desc = xml_inner_markup(d ? d : xml_child(item, NS_DC, "description"));
    char *encoded = xml_inner_markup(xml_child(item, NS_CONTENT, "encoded"));
    char *t1 = html_to_text(desc, strlen(desc));
    char *t2 = html_to_text(encoded, strlen(encoded));
    if (strlen(t2) > strlen(t1)) {
        p->text = t2;
        free(t1);
    } else {
        p->text = t1;
        free(t2);
    }

    if (guid) {
        p->id = guid;
    } else {
        char *about = xml_attr(item, "about"); /* RDF: rdf:about */
        if (about)
            p->id = about;
        else if (p->link)
            p->id = dp_strdup(p->link);
        else if (p->title || *desc) {
            char *t = xml_child_text(item, NULL, "title");
            char *both = dp_strfmt("%s\n%s", t ? t : "", desc);
            char hex[DP_SHA256_HEX];
            dp_sha256_hex(both, strlen(both), hex);
            p->id = dp_strfmt("sha256:%.32s", hex);
            free(both);
            free(t);
        }
    }
    p->published_ms = item_date(item);
    p->author = xml_child_text(item, NS_DC, "creator");
    if (!p->author)
        p->author = xml_child_text(item, NS_DC, "author");
    if (!p->author)
        p->author = author_name(xml_child_text(item, NULL, "author"));
    if (!p->author)
        p->author = xml_child_text(item, NS_ITUNES, "author");
    if (!p->author)
        p->author = dp_strdup(ch->author);

    add_enclosures(item, p);
    media_rss_collect(item, p);
    xml_img_fallback(item, p, encoded, desc);
    if (!*p->text) {
        char *md = media_rss_description(item);
        if (!md)
            md = xml_child_text(item, NS_ITUNES, "summary");
        if (md) {
            free(p->text);
            p->text = md;
        }
    }
    /* A podcast episode's cover (else the show's) when nothing else shows. */
    if (p->n_media == 0) {
        char *cover = xml_attr_url(xml_child(item, NS_ITUNES, "image"), "href");
        if (!cover && ch->image)
            cover = dp_strdup(ch->image);
        xml_add_media(p, cover, MEDIA_IMAGE);
    }
    free(desc);
    free(encoded);
}

static void parse_items(const xmlNode *parent, const struct channel_ctx *ch, struct feed *f)
{
    const xmlNode *c = parent->children;
    for (; c && f->n_posts < FEED_PARSE_MAX_ITEMS; c = c->next)
        if (xml_is(c, NULL, "item"))
            parse_item(c, ch, f);
}

int rss_parse_doc(xmlDoc *doc, xmlNode *root, struct feed *f)
{
    (void)doc;
    xmlNode *channel = xml_child(root, NULL, "channel");
    if (channel) {
        f->title = title_text(xml_child_text(channel, NULL, "title"));
        if (!f->title)
            f->title = title_text(xml_child_text(channel, NS_DC, "title"));
        f->home = xml_text_url(xml_child(channel, NULL, "link"));
        xmlNode *image = xml_child(channel, NULL, "image");
        if (!image)
            image = xml_child(root, NULL, "image"); /* RDF puts it beside the channel */
        f->icon = xml_text_url(xml_child(image, NULL, "url"));
    }
    struct channel_ctx ch = {NULL, NULL};
    if (channel) {
        ch.author = xml_child_text(channel, NS_DC, "creator");
        if (!ch.author)
            ch.author = xml_child_text(channel, NS_ITUNES, "author");
        ch.image = xml_attr_url(xml_child(channel, NS_ITUNES, "image"), "href");
        parse_items(channel, &ch, f);
    }
    parse_items(root, &ch, f); /* RDF, and RSS 0.9x written that way */
    free(ch.author);
    free(ch.image);
    return FEED_OK;
}
