/* Atom 1.0 entries as posts (feeds.md §3); Atom 0.3 names are read too.
 * Called by xmlfeed.c with a parsed, already vetted document. Any thread. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "base/xalloc.h"
#include "feed/dates.h"
#include "feed/feed_internal.h"
#include "feed/feed_xml.h"
#include "feed/html_text.h"

/* Atom 0.3 mode="base64": the decoded bytes as a string (NULs dropped
 * later by sanitising); "" when it does not decode. */
static char *base64_text(const xmlNode *n)
{
    char *b64 = xml_text(n);
    size_t len = strlen(b64), out_len = 0;
    char *out = dp_malloc(len / 4 * 3 + 4);
    if (sodium_base642bin((unsigned char *)out, len / 4 * 3 + 3, b64, len, " \t\r\n", &out_len,
                          NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        out_len = 0;
    out[out_len] = '\0';
    free(b64);
    return out;
}

/* The text of a text construct (type text, html or xhtml). With html_out,
 * the HTML source is also handed back (for the first-<img> fallback). */
static char *construct_text(const xmlNode *n, char **html_out)
{
    if (!n)
        return NULL;
    char *type = xml_attr(n, "type");
    char *mode = xml_attr(n, "mode"); /* Atom 0.3 */
    char *text;
    bool html_type = type &&
                     (strcasecmp(type, "html") == 0 || strcasecmp(type, "text/html") == 0 ||
                      strcasecmp(type, "xhtml") == 0 ||
                      strcasecmp(type, "application/xhtml+xml") == 0);
    /* RFC 4287 4.1.3.3: a MIME type that is neither text nor XML means
     * base64 content; Atom 0.3 says it with mode="base64". */
    size_t tl = type ? strlen(type) : 0;
    bool base64 = (mode && strcasecmp(mode, "base64") == 0) ||
                  (type && strchr(type, '/') && strncasecmp(type, "text/", 5) != 0 &&
                   !(tl > 4 && (strcasecmp(type + tl - 4, "+xml") == 0 ||
                                strcasecmp(type + tl - 4, "/xml") == 0)));
    if (base64 && (strncasecmp(type ? type : "", "image/", 6) == 0 ||
                   strncasecmp(type ? type : "", "video/", 6) == 0 ||
                   strncasecmp(type ? type : "", "audio/", 6) == 0)) {
        text = dp_strdup(""); /* binary media inline: no text */
    } else if (base64) {
        char *raw = base64_text(n);
        if (html_type) {
            text = html_to_text(raw, strlen(raw));
            if (html_out)
                *html_out = raw;
            else
                free(raw);
        } else {
            text = raw;
        }
    } else if (html_type || (mode && strcasecmp(mode, "escaped") == 0)) {
        char *html = xml_inner_markup(n);
        text = html_to_text(html, strlen(html));
        if (html_out)
            *html_out = html;
        else
            free(html);
    } else {
        text = xml_text(n);
    }
    free(type);
    free(mode);
    if (!*text) {
        free(text);
        return NULL;
    }
    return text;
}

static char *person_name(const xmlNode *parent)
{
    xmlNode *a = xml_child(parent, NS_ATOM, "author");
    return a ? xml_child_text(a, NS_ATOM, "name") : NULL;
}

static int64_t entry_date(const xmlNode *e)
{
    static const char *const names[] = {"published", "updated", "issued", "modified", "created"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *s = xml_child_text(e, NS_ATOM, names[i]);
        int64_t ms;
        bool ok = s && date_parse_any(s, &ms);
        free(s);
        if (ok)
            return ms;
    }
    return DP_TIME_NONE;
}

/* link rel=alternate (or no rel) -> *link (first wins); rel=enclosure ->
 * media. */
static void entry_links(const xmlNode *e, struct post *p, char **link)
{
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (!xml_is(c, NS_ATOM, "link"))
            continue;
        char *rel = xml_attr(c, "rel");
        if (!rel || strcmp(rel, "alternate") == 0) {
            if (!*link)
                *link = xml_attr_url(c, "href");
        } else if (strcmp(rel, "enclosure") == 0) {
            xml_add_enclosure(p, c, "href");
        }
        free(rel);
    }
}

static void parse_entry(const xmlNode *e, const char *feed_author, struct feed *f)
{
    struct post *p = feed_add_post(f);
    p->id = xml_child_text(e, NS_ATOM, "id");
    p->title = construct_text(xml_child(e, NS_ATOM, "title"), NULL);
    char *content_html = NULL, *summary_html = NULL;
    xmlNode *content = xml_child(e, NS_ATOM, "content");
    char *src = content ? xml_attr(content, "src") : NULL;
    if (content && !src)
        p->text = construct_text(content, &content_html);
    if (content && src) {
        /* Out-of-line content that is a picture or a video is media. */
        char *type = xml_attr(content, "type");
        enum media_kind kind;
        if (type && feed_kind_from_mime(type, &kind)) {
            struct media_ref *m = xml_add_media(p, xml_attr_url(content, "src"), kind);
            if (m) {
                m->mime = type;
                type = NULL;
            }
        }
        free(type);
    }
    free(src);
    char *summary = construct_text(xml_child(e, NS_ATOM, "summary"), &summary_html);
    if (!p->text) {
        p->text = summary;
        summary = NULL;
    }
    free(summary);
    p->published_ms = entry_date(e);
    p->author = person_name(e);
    if (!p->author) {
        xmlNode *source = xml_child(e, NS_ATOM, "source");
        p->author = source ? person_name(source) : NULL;
    }
    if (!p->author)
        p->author = dp_strdup(feed_author);
    entry_links(e, p, &p->link);
    media_rss_collect(e, p);
    xml_img_fallback(e, p, content_html, summary_html);
    if (!p->text)
        p->text = media_rss_description(e);
    free(content_html);
    free(summary_html);
}

int atom_parse_doc(xmlDoc *doc, xmlNode *root, struct feed *f)
{
    (void)doc;
    f->title = construct_text(xml_child(root, NS_ATOM, "title"), NULL);
    f->icon = xml_text_url(xml_child(root, NS_ATOM, "icon"));
    if (!f->icon)
        f->icon = xml_text_url(xml_child(root, NS_ATOM, "logo"));
    for (const xmlNode *c = root->children; c; c = c->next) {
        if (!xml_is(c, NS_ATOM, "link"))
            continue;
        char *rel = xml_attr(c, "rel");
        if (!rel || strcmp(rel, "alternate") == 0) {
            f->home = xml_attr_url(c, "href");
            free(rel);
            break;
        }
        free(rel);
    }
    char *author = person_name(root);
    const xmlNode *c = root->children;
    for (; c && f->n_posts < FEED_PARSE_MAX_ITEMS; c = c->next)
        if (xml_is(c, NS_ATOM, "entry"))
            parse_entry(c, author, f);
    free(author);
    return FEED_OK;
}
