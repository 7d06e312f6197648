/* XML helpers shared by rss.c and atom.c (feed/ internal). Everything works
 * on a libxml2 tree parsed by xmlfeed.c with no network, no DTD loading and
 * no entity substitution. Strings returned are fresh (caller frees). */
#ifndef DP_FEED_XML_H
#define DP_FEED_XML_H

#include <stdbool.h>

#include <libxml/tree.h>

#include "feed/feed.h"

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RSS10 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_MEDIA "http://search.yahoo.com/mrss/"
#define NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"

/* ns NULL: an element in no namespace or in one of the RSS namespaces
 * (RSS 0.9x/2.0 have none, RDF uses RSS 1.0's). NS_MEDIA also matches the
 * common misspelling without the trailing slash. */
bool xml_is(const xmlNode *n, const char *ns, const char *name);
/* The first child element matching xml_is, or NULL. */
xmlNode *xml_child(const xmlNode *n, const char *ns, const char *name);
/* Text content: text, CDATA and entity references (declared ones from the
 * document, else HTML's named entities) of the element and its descendants,
 * trimmed. Capped at a few MiB. Never NULL. */
char *xml_text(const xmlNode *n);
/* Like xml_text, but NULL when absent or empty. */
char *xml_child_text(const xmlNode *n, const char *ns, const char *name);
/* The markup inside the element: child elements serialised, text escaped
 * back; for HTML carried unescaped or as xhtml. Never NULL. */
char *xml_inner_markup(const xmlNode *n);
/* Attribute value (NULL when absent or empty). */
char *xml_attr(const xmlNode *n, const char *name);
/* Attribute value as a URL, resolved against the element's xml:base when
 * that base is absolute. */
char *xml_attr_url(const xmlNode *n, const char *name);
/* url (owned, returned or replaced) resolved against n's xml:base when
 * that is an absolute remote URL; NULL stays NULL. */
char *xml_with_base(const xmlNode *n, char *url);
/* Element text as a URL, resolved against xml:base likewise. */
char *xml_text_url(const xmlNode *n);
/* Integer attribute, 0 when absent or not a number. */
long long xml_attr_num(const xmlNode *n, const char *name);
double xml_attr_double(const xmlNode *n, const char *name);

/* Media RSS, enclosures already added: media:content and media:group
 * children of item (largest rendition of a group) are added to p (URLs
 * already in p are skipped); when p still has no media, the first
 * media:thumbnail. */
void media_rss_collect(const xmlNode *item, struct post *p);
/* Adds a media_ref unless url is NULL or already present; takes url. */
struct media_ref *xml_add_media(struct post *p, char *url, enum media_kind kind);
/* An RSS <enclosure> or an Atom <link rel="enclosure">: the URL in attribute
 * url_attr, its type (else the URL's extension) and length. */
void xml_add_enclosure(struct post *p, const xmlNode *c, const char *url_attr);
/* When p has no media, the first <img src> of each HTML string in turn,
 * resolved against the xml:base of ctx. */
void xml_img_fallback(const xmlNode *ctx, struct post *p, const char *html1, const char *html2);
/* media:description of the item, or of its first media:group/content that
 * has one (YouTube puts the video's description there); NULL if none. */
char *media_rss_description(const xmlNode *item);

/* Fill f from a parsed document; return FEED_OK or a feed_error. */
int rss_parse_doc(xmlDoc *doc, xmlNode *root, struct feed *f);
int atom_parse_doc(xmlDoc *doc, xmlNode *root, struct feed *f);

#endif
