/* XML feeds: hardened parsing with libxml2, dispatch to RSS/RDF or Atom,
 * and the helpers both share (text, markup, xml:base URLs; Media RSS is
 * media_rss.c).
 *
 * Hostile documents (feeds.md "Rules for every format"):
 * - options: XML_PARSE_NONET, never NOENT, DTDLOAD, DTDATTR or HUGE, so no
 *   network, no external DTD and libxml2's own amplification limits apply;
 * - the SAX entityDecl callback is wrapped: a document that declares an
 *   external or parameter entity, an entity whose value refers to another
 *   entity (the "billion laughs" shape), a long entity or too many entities
 *   stops the parser at once and is FEED_ERR_REJECTED;
 * - a UTF-8 document is repaired (U+FFFD) before parsing, since libxml2
 *   would otherwise stop at the first invalid byte.
 * Any thread: the parser context is per call; xmlInitParser runs once. */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "feed/feed_internal.h"
#include "feed/feed_xml.h"
#include "feed/html_text.h"
#include "feed/url.h"

#define XML_ENTITY_MAX_BYTES 1024 /* longest entity value accepted */
#define XML_ENTITIES_MAX 256      /* entity declarations accepted */
#define XML_TEXT_MAX_BYTES (4L * 1024 * 1024)
#define XML_TEXT_MAX_DEPTH 64

/* ---- hardened parsing -------------------------------------------------- */

#define XML_ENTITY_REFS_MAX 100000 /* references to non-predefined entities */

struct guard {
    entityDeclSAXFunc entity_decl; /* libxml2's own callbacks */
    referenceSAXFunc reference;
    startElementNsSAX2Func start_element;
    int n_entities;
    long n_refs;
    const char *why; /* set when the document is refused */
};

static void refuse(xmlParserCtxtPtr ctxt, struct guard *g, const char *why)
{
    g->why = why;
    xmlStopParser(ctxt);
}

/* Entity references in content: each becomes a node; too many is an attack
 * on memory (and on anything that expands them). */
static void guarded_reference(void *ctx, const xmlChar *name)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct guard *g = ctxt->_private;
    if (g->why)
        return;
    if (++g->n_refs > XML_ENTITY_REFS_MAX) {
        refuse(ctxt, g, "too many entity references");
        return;
    }
    g->reference(ctx, name);
}

/* Entity references in attribute values arrive unexpanded ("&a;"). */
static void guarded_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                                  const xmlChar *uri, int nb_namespaces,
                                  const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                                  const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct guard *g = ctxt->_private;
    if (g->why)
        return;
    for (int i = 0; i < nb_attributes; i++) {
        const xmlChar *v = attributes[i * 5 + 3], *end = attributes[i * 5 + 4];
        for (; v && v < end; v++) {
            if (*v == '&' && v + 1 < end && v[1] != '#' && ++g->n_refs > XML_ENTITY_REFS_MAX) {
                refuse(ctxt, g, "too many entity references");
                return;
            }
        }
    }
    g->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                     nb_defaulted, attributes);
}

static bool predefined(const xmlChar *s, size_t n)
{
    static const char *const names[] = {"amp", "lt", "gt", "quot", "apos"};
    for (size_t i = 0; i < 5; i++)
        if (strlen(names[i]) == n && strncmp((const char *)s, names[i], n) == 0)
            return true;
    return false;
}

static void guarded_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                                const xmlChar *system_id, xmlChar *content)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct guard *g = ctxt->_private;
    if (g->why)
        return;
    if (type != XML_INTERNAL_GENERAL_ENTITY)
        g->why = "external or parameter entity";
    else if (++g->n_entities > XML_ENTITIES_MAX)
        g->why = "too many entities";
    else if (content && xmlStrlen(content) > XML_ENTITY_MAX_BYTES)
        g->why = "entity too long";
    else if (content) {
        /* Character references are already decoded here; any '&' left
         * starts a reference to another entity. */
        for (const xmlChar *p = content; (p = (const xmlChar *)strchr((const char *)p, '&'));
             p++) {
            size_t n = strcspn((const char *)p + 1, ";");
            if (!predefined(p + 1, n)) {
                g->why = "entity refers to other entities";
                break;
            }
        }
        if (!g->why && strchr((const char *)content, '%'))
            g->why = "entity refers to parameter entities";
    }
    if (g->why) {
        refuse(ctxt, g, g->why);
        return;
    }
    g->entity_decl(ctx, name, type, public_id, system_id, content);
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static void xml_silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void feed_xml_quiet(void)
{
    pthread_once(&xml_once, xml_init);
    /* libxml2 keeps this per thread; encoding errors bypass XML_PARSE_NOERROR. */
    xmlSetGenericErrorFunc(NULL, xml_silent);
}

/* UTF-32 (by BOM or by the "<" of the first character): libxml2 2.9 cannot
 * read it, so it is turned into UTF-8 here. Returns NULL for anything else;
 * invalid code points become U+FFFD. Caller frees. */
static char *utf32_to_utf8(const char *data, size_t len, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)data;
    bool be;
    size_t i = 0;
    if (len < 8)
        return NULL;
    if (u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) {
        be = true;
        i = 4;
    } else if (u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) {
        be = false;
        i = 4;
    } else if (u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] == '<') {
        be = true;
    } else if (u[0] == '<' && u[1] == 0 && u[2] == 0 && u[3] == 0) {
        be = false;
    } else {
        return NULL;
    }
    char *out = dp_malloc(len + 1); /* 4 bytes in, at most 4 out */
    size_t o = 0;
    for (; i + 4 <= len; i += 4) {
        uint32_t cp = be ? (uint32_t)u[i] << 24 | (uint32_t)u[i + 1] << 16 |
                               (uint32_t)u[i + 2] << 8 | u[i + 3]
                         : (uint32_t)u[i + 3] << 24 | (uint32_t)u[i + 2] << 16 |
                               (uint32_t)u[i + 1] << 8 | u[i];
        if (cp == 0)
            continue;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        o += dp_utf8_put(out + o, cp);
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

enum doc_encoding {
    ENC_UNDECLARED, /* no BOM, no encoding declaration: UTF-8 by default */
    ENC_UTF8,       /* UTF-8 BOM or declared UTF-8 */
    ENC_OTHER,      /* UTF-16/32, EBCDIC or another declared encoding */
};

static enum doc_encoding doc_encoding(const char *data, size_t len)
{
    const unsigned char *u = (const unsigned char *)data;
    if (len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE)))
        return ENC_OTHER;
    if (len >= 2 && (u[0] == 0 || u[1] == 0))
        return ENC_OTHER;
    if (len >= 4 && u[0] == 0x4C && u[1] == 0x6F && u[2] == 0xA7 && u[3] == 0x94)
        return ENC_OTHER; /* EBCDIC */
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return ENC_UTF8;
    if (len < 5 || strncmp(data, "<?xml", 5) != 0)
        return ENC_UNDECLARED;
    size_t end = 5;
    while (end < len && end < 200 && data[end] != '>')
        end++;
    for (size_t i = 5; i + 8 < end; i++) {
        if (strncmp(data + i, "encoding", 8) == 0) {
            size_t j = i + 8;
            while (j < end && (data[j] == ' ' || data[j] == '='))
                j++;
            if (j < end && (data[j] == '"' || data[j] == '\''))
                j++;
            bool utf8 = (end - j >= 5 && strncasecmp(data + j, "utf-8", 5) == 0) ||
                        (end - j >= 4 && strncasecmp(data + j, "utf8", 4) == 0);
            return utf8 ? ENC_UTF8 : ENC_OTHER;
        }
    }
    return ENC_UNDECLARED;
}

/* The bytes of white space (after a UTF-8 BOM, counted too) before the
 * document's first '<'; 0 when there are none. */
static size_t xml_leading_space(const char *data, size_t len)
{
    size_t i = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, start = i;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    return i > start && i < len && data[i] == '<' ? i : 0;
}

int xmlfeed_parse(const char *data, size_t len, struct feed **out, char *err, size_t errlen)
{
    return xmlfeed_parse_charset(data, len, NULL, out, err, errlen);
}

int xmlfeed_parse_charset(const char *data, size_t len, const char *charset, struct feed **out,
                          char *err, size_t errlen)
{
    feed_xml_quiet();
    if (len > (size_t)DP_FEED_MAX_BYTES || len > (size_t)INT32_MAX)
        return feed_fail(err, errlen, FEED_ERR_TOO_LARGE, "feed too large");
    char *fixed = NULL;
    size_t skip = xml_leading_space(data, len);
    if (skip) {
        /* Blank lines before "<?xml" (a common server quirk) make libxml2
         * drop the declaration and, in recovery, the predefined entities: the
         * document is read from its first '<', keeping a UTF-8 BOM. */
        bool bom = skip >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0;
        fixed = dp_malloc(len - skip + 4);
        memcpy(fixed, "\xEF\xBB\xBF", bom ? 3 : 0);
        memcpy(fixed + (bom ? 3 : 0), data + skip, len - skip);
        len = len - skip + (bom ? 3 : 0);
        data = fixed;
    }
    size_t fixed_len = len;
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_RECOVER |
                  XML_PARSE_NOCDATA;
    xmlCharEncodingHandlerPtr handler = NULL;
    char *wide = utf32_to_utf8(data, len, &fixed_len);
    if (wide) {
        free(fixed);
        data = fixed = wide;
        options |= XML_PARSE_IGNORE_ENC; /* now UTF-8, whatever it declares */
    } else {
        enum doc_encoding enc = doc_encoding(data, len);
        if (enc != ENC_OTHER && !feed_utf8_clean(data, len)) {
            /* Not UTF-8 after all: an HTTP charset may name the real one
             * (RFC 7303) when the document itself says nothing. */
            if (enc == ENC_UNDECLARED && charset && strcasecmp(charset, "utf-8") != 0)
                handler = xmlFindCharEncodingHandler(charset);
            if (!handler) {
                char *repaired = feed_utf8_repair(data, len, &fixed_len);
                free(fixed);
                data = fixed = repaired;
            }
        }
    }
    int r = FEED_OK;
    struct guard g = {0};
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(data, (int)fixed_len);
    if (!ctxt) {
        if (handler)
            xmlCharEncCloseFunc(handler);
        free(fixed);
        return feed_fail(err, errlen, FEED_ERR_SYNTAX, "cannot create XML parser");
    }
    xmlCtxtUseOptions(ctxt, options);
    if (handler)
        xmlSwitchToEncoding(ctxt, handler); /* takes the handler */
    g.entity_decl = ctxt->sax->entityDecl;
    ctxt->sax->entityDecl = guarded_entity_decl;
    g.reference = ctxt->sax->reference;
    ctxt->sax->reference = guarded_reference;
    g.start_element = ctxt->sax->startElementNs;
    ctxt->sax->startElementNs = guarded_start_element;
    ctxt->_private = &g;
    xmlParseDocument(ctxt);
    xmlDoc *doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    int errnum = ctxt->errNo;
    xmlFreeParserCtxt(ctxt);
    free(fixed);
    struct feed *f = NULL;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (g.why) {
        r = feed_fail(err, errlen, FEED_ERR_REJECTED, "XML refused: %s", g.why);
    } else if (errnum == XML_ERR_ENTITY_LOOP || errnum == XML_ERR_ENTITY_PE_INTERNAL) {
        r = feed_fail(err, errlen, FEED_ERR_REJECTED, "XML refused: entity amplification");
    } else if (!root) {
        r = feed_fail(err, errlen, FEED_ERR_SYNTAX, "not an XML document");
    } else if (xmlStrcmp(root->name, (const xmlChar *)"rss") == 0 ||
               xmlStrcmp(root->name, (const xmlChar *)"RDF") == 0) {
        f = feed_alloc("rss");
        r = rss_parse_doc(doc, root, f);
    } else if (xmlStrcmp(root->name, (const xmlChar *)"feed") == 0) {
        f = feed_alloc("atom");
        r = atom_parse_doc(doc, root, f);
    } else {
        r = feed_fail(err, errlen, FEED_ERR_SYNTAX, "unknown XML root <%.40s>",
                      (const char *)root->name);
    }
    xmlFreeDoc(doc);
    if (r != FEED_OK) {
        feed_unref(f);
        return r;
    }
    *out = f;
    return FEED_OK;
}

/* ---- element helpers --------------------------------------------------- */

static bool ns_is(const xmlNode *n, const char *ns)
{
    const char *href = n->ns ? (const char *)n->ns->href : NULL;
    if (!ns)
        return !href || strcmp(href, NS_RSS10) == 0 || strcmp(href, NS_RSS090) == 0;
    if (!href)
        return strcmp(ns, NS_ATOM) == 0; /* <feed> without its namespace */
    if (strcmp(ns, NS_MEDIA) == 0)
        return strncmp(href, "http://search.yahoo.com/mrss", 28) == 0;
    if (strcmp(ns, NS_ATOM) == 0)
        return strcmp(href, NS_ATOM) == 0 || strcmp(href, NS_ATOM03) == 0;
    return strcmp(href, ns) == 0;
}

/* "content:encoded" with no xmlns:content declared: libxml2 keeps the whole
 * qualified name and no namespace. The usual prefixes are accepted. */
static bool undeclared_prefix_is(const xmlNode *n, const char *ns, const char *name)
{
    static const char *const known[][2] = {
        {NS_CONTENT, "content"}, {NS_ITUNES, "itunes"}, {NS_MEDIA, "media"}, {NS_DC, "dc"}};
    if (n->ns || !ns)
        return false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        size_t pl = strlen(known[i][1]);
        const char *q = (const char *)n->name;
        if (strcmp(ns, known[i][0]) == 0 && strncmp(q, known[i][1], pl) == 0 && q[pl] == ':' &&
            strcmp(q + pl + 1, name) == 0)
            return true;
    }
    return false;
}

bool xml_is(const xmlNode *n, const char *ns, const char *name)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return false;
    if (xmlStrcmp(n->name, (const xmlChar *)name) == 0)
        return ns_is(n, ns);
    return undeclared_prefix_is(n, ns, name);
}

xmlNode *xml_child(const xmlNode *n, const char *ns, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (xml_is(c, ns, name))
            return c;
    return NULL;
}

static void append_entity(struct dp_buf *b, const xmlNode *ref)
{
    xmlEntityPtr ent = xmlGetDocEntity(ref->doc, ref->name);
    if (ent && ent->content) {
        dp_buf_append(b, ent->content, (size_t)xmlStrlen(ent->content));
        return;
    }
    const htmlEntityDesc *h = htmlEntityLookup(ref->name);
    if (h) {
        char enc[4];
        dp_buf_append(b, enc, dp_utf8_put(enc, h->value));
        return;
    }
    dp_buf_appendf(b, "&%s;", (const char *)ref->name);
}

static void text_rec(struct dp_buf *b, const xmlNode *n, int depth)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content)
                dp_buf_append(b, c->content, (size_t)xmlStrlen(c->content));
        } else if (c->type == XML_ENTITY_REF_NODE) {
            append_entity(b, c);
        } else if (c->type == XML_ELEMENT_NODE && depth < XML_TEXT_MAX_DEPTH) {
            text_rec(b, c, depth + 1);
        }
    }
}

static char *trim_steal(struct dp_buf *b)
{
    size_t len;
    char *s = dp_buf_steal(b, &len);
    size_t start = 0;
    while (start < len && isspace((unsigned char)s[start]))
        start++;
    while (len > start && isspace((unsigned char)s[len - 1]))
        len--;
    memmove(s, s + start, len - start);
    s[len - start] = '\0';
    return s;
}

char *xml_text(const xmlNode *n)
{
    struct dp_buf b;
    dp_buf_init(&b, XML_TEXT_MAX_BYTES);
    if (n)
        text_rec(&b, n, 0);
    return trim_steal(&b);
}

char *xml_child_text(const xmlNode *n, const char *ns, const char *name)
{
    xmlNode *c = xml_child(n, ns, name);
    if (!c)
        return NULL;
    char *s = xml_text(c);
    if (!*s) {
        free(s);
        return NULL;
    }
    return s;
}

static char *attr_value(const xmlAttr *a);

static void markup_rec(struct dp_buf *b, const xmlNode *n, int depth)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            /* Escape back: this text becomes HTML source again. */
            for (const xmlChar *p = c->content; p && *p; p++) {
                if (*p == '<')
                    dp_buf_append(b, "&lt;", 4);
                else if (*p == '&')
                    dp_buf_append(b, "&amp;", 5);
                else
                    dp_buf_append(b, p, 1);
            }
        } else if (c->type == XML_ENTITY_REF_NODE) {
            struct dp_buf t;
            dp_buf_init(&t, XML_ENTITY_MAX_BYTES * 4);
            append_entity(&t, c);
            if (t.data)
                dp_buf_append(b, t.data, t.len);
            dp_buf_finish(&t);
        } else if (c->type == XML_ELEMENT_NODE && depth < XML_TEXT_MAX_DEPTH) {
            dp_buf_appendf(b, "<%s", (const char *)c->name);
            for (xmlAttr *a = c->properties; a; a = a->next) {
                char *v = attr_value(a);
                dp_buf_appendf(b, " %s=\"", (const char *)a->name);
                for (const char *p = v; p && *p; p++) {
                    if (*p == '"')
                        dp_buf_append(b, "&quot;", 6);
                    else if (*p == '&')
                        dp_buf_append(b, "&amp;", 5);
                    else
                        dp_buf_append(b, p, 1);
                }
                dp_buf_append(b, "\"", 1);
                free(v);
            }
            dp_buf_append(b, ">", 1);
            markup_rec(b, c, depth + 1);
            dp_buf_appendf(b, "</%s>", (const char *)c->name);
        }
    }
}

char *xml_inner_markup(const xmlNode *n)
{
    struct dp_buf b;
    dp_buf_init(&b, XML_TEXT_MAX_BYTES);
    bool has_elements = false;
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        has_elements |= c->type == XML_ELEMENT_NODE;
    if (!n) {
    } else if (has_elements) {
        markup_rec(&b, n, 0);
    } else {
        text_rec(&b, n, 0); /* escaped HTML arrives as text */
    }
    return trim_steal(&b);
}

/* An attribute's value in linear time (xmlGetProp concatenates entity
 * expansions one xmlStrcat at a time), capped. Caller frees. */
static char *attr_value(const xmlAttr *a)
{
    struct dp_buf b;
    dp_buf_init(&b, DP_URL_MAX_BYTES * 4);
    for (const xmlNode *c = a->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content)
            dp_buf_append(&b, c->content, (size_t)xmlStrlen(c->content));
        else if (c->type == XML_ENTITY_REF_NODE)
            append_entity(&b, c);
    }
    return dp_buf_steal(&b, NULL);
}

char *xml_attr(const xmlNode *n, const char *name)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return NULL;
    const xmlAttr *a = n->properties;
    while (a && xmlStrcmp(a->name, (const xmlChar *)name) != 0)
        a = a->next;
    if (!a)
        return NULL;
    char *v = attr_value(a);
    char *p = v;
    while (isspace((unsigned char)*p))
        p++;
    size_t l = strlen(p);
    while (l && isspace((unsigned char)p[l - 1]))
        l--;
    char *s = l ? dp_strndup(p, l) : NULL;
    free(v);
    return s;
}

char *xml_with_base(const xmlNode *n, char *url)
{
    if (!url)
        return NULL;
    xmlChar *base = xmlNodeGetBase(n->doc, n);
    if (base && strchr((const char *)base, ':') && !url_is_local((const char *)base)) {
        char *r = url_resolve((const char *)base, url);
        if (r) {
            free(url);
            url = r;
        }
    }
    xmlFree(base);
    return url;
}

char *xml_attr_url(const xmlNode *n, const char *name)
{
    return n ? xml_with_base(n, xml_attr(n, name)) : NULL;
}

char *xml_text_url(const xmlNode *n)
{
    if (!n)
        return NULL;
    char *s = xml_text(n);
    if (!*s) {
        free(s);
        return NULL;
    }
    return xml_with_base(n, s);
}

long long xml_attr_num(const xmlNode *n, const char *name)
{
    double d = xml_attr_double(n, name);
    return d >= 0 && d < 9e15 ? (long long)d : 0;
}

double xml_attr_double(const xmlNode *n, const char *name)
{
    char *s = xml_attr(n, name);
    if (!s)
        return 0;
    char *end;
    double d = strtod(s, &end);
    if (end == s || !isfinite(d) || d < 0)
        d = 0;
    free(s);
    return d;
}
