/* HTML to plain text with libxml2's HTML parser (no network, no errors
 * printed, recovering from broken markup). The tree is walked without
 * recursion: text nodes are copied with their whitespace folded, <br> and the
 * ends of block elements become line breaks, script/style/head are dropped.
 * The result goes through dp_text_sanitize. Any thread. */
#include "feed/html_text.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "feed/feed_internal.h"

static bool name_in(const xmlChar *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (xmlStrEqual(name, (const xmlChar *)list[i]))
            return true;
    return false;
}

static const char *const dropped[] = {"script",   "style", "head", "template",
                                      "noscript", "title", NULL};
static const char *const blocks[] = {
    "p",    "div",     "li",         "h1",     "h2",      "h3",     "h4",
    "h5",   "h6",      "blockquote", "tr",     "ul",      "ol",     "table",
    "pre",  "section", "article",    "header", "footer",  "figure", "figcaption",
    "hr",   "dl",      "dt",         "dd",     "address", "aside",  "nav",
    "main", "details", "summary",    "center", NULL};

static void newline(struct dp_buf *b)
{
    while (b->len && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
    if (b->len && b->data[b->len - 1] != '\n')
        dp_buf_append(b, "\n", 1);
}

/* Appends text with every ASCII whitespace run turned into one space. */
static void append_text(struct dp_buf *b, const xmlChar *t)
{
    const char *s = (const char *)t;
    while (*s) {
        size_t n = strcspn(s, " \t\r\n\f");
        if (n)
            dp_buf_append(b, s, n);
        s += n;
        if (*s) {
            dp_buf_append(b, " ", 1);
            s += strspn(s, " \t\r\n\f");
        }
    }
}

static htmlDocPtr parse(const char *html, size_t len)
{
    if (!html || len == 0 || len > (size_t)DP_FEED_MAX_BYTES)
        return NULL;
    /* libxml2 gives up on invalid UTF-8 (it switches to Latin-1): repair first. */
    feed_xml_quiet();
    size_t fixed_len = len;
    char *fixed = feed_utf8_clean(html, len) ? NULL : feed_utf8_repair(html, len, &fixed_len);
    htmlDocPtr doc = htmlReadMemory(fixed ? fixed : html, (int)fixed_len, NULL, "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_RECOVER);
    free(fixed);
    return doc;
}

/* True when the element's class list holds word (Mastodon marks the hidden
 * parts of long links "invisible" and the shown part "ellipsis"). */
static bool has_class(xmlNodePtr n, const char *word)
{
    if (!n->properties)
        return false;
    xmlChar *cls = xmlGetProp(n, (const xmlChar *)"class");
    bool found = false;
    size_t wl = strlen(word);
    for (const char *p = (const char *)cls; p && *p && !found;) {
        p += strspn(p, " \t\r\n\f");
        size_t l = strcspn(p, " \t\r\n\f");
        found = l == wl && strncmp(p, word, l) == 0;
        p += l;
    }
    xmlFree(cls);
    return found;
}

static bool is_dropped(xmlNodePtr n)
{
    return name_in(n->name, dropped) ||
           (xmlStrEqual(n->name, (const xmlChar *)"span") && has_class(n, "invisible"));
}

/* Leaving an element: blocks end the line, Mastodon's ellipsis part of a
 * shortened link gets its "…". */
static void close_element(struct dp_buf *b, xmlNodePtr n)
{
    if (name_in(n->name, blocks))
        newline(b);
    else if (xmlStrEqual(n->name, (const xmlChar *)"span") && has_class(n, "ellipsis"))
        dp_buf_append(b, "\xE2\x80\xA6", 3);
}

char *html_to_text(const char *html, size_t len)
{
    /* Plain text (no tag, no entity): HTML whitespace rules only. */
    if (html && len <= (size_t)DP_FEED_MAX_BYTES && !memchr(html, '<', len) &&
        !memchr(html, '&', len)) {
        char *plain = feed_demoronize(dp_strndup(html, len));
        char *text = dp_text_sanitize(plain, strlen(plain), DP_TEXT_MAX_CHARS, false);
        free(plain);
        return text;
    }
    htmlDocPtr doc = parse(html, len);
    if (!doc)
        return dp_strdup("");
    struct dp_buf b;
    dp_buf_init(&b, 0);
    xmlNodePtr n = doc->children;
    while (n) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                append_text(&b, n->content);
        } else if (n->type == XML_ELEMENT_NODE) {
            if (xmlStrEqual(n->name, (const xmlChar *)"br")) {
                dp_buf_append(&b, "\n", 1);
            } else if (!is_dropped(n)) {
                if (name_in(n->name, blocks))
                    newline(&b);
                if (n->children) {
                    n = n->children;
                    continue;
                }
                close_element(&b, n);
            }
        }
        /* Climb until a sibling exists, closing elements on the way. */
        while (n && !n->next) {
            n = n->parent;
            if (!n || n->type == XML_HTML_DOCUMENT_NODE || n->type == XML_DOCUMENT_NODE) {
                n = NULL;
                break;
            }
            if (n->type == XML_ELEMENT_NODE)
                close_element(&b, n);
        }
        if (n)
            n = n->next;
    }
    xmlFreeDoc(doc);
    size_t out_len;
    char *raw = feed_demoronize(dp_buf_steal(&b, &out_len));
    char *text = dp_text_sanitize(raw, strlen(raw), DP_TEXT_MAX_CHARS, true);
    free(raw);
    return text;
}

/* A tracking pixel: width or height of 0 or 1. */
static bool is_pixel(xmlNodePtr img)
{
    static const char *const dims[] = {"width", "height"};
    bool pixel = false;
    for (int i = 0; i < 2 && !pixel; i++) {
        xmlChar *v = xmlGetProp(img, (const xmlChar *)dims[i]);
        if (v) {
            const char *p = (const char *)v;
            while (*p == ' ')
                p++;
            pixel = (p[0] == '0' || p[0] == '1') && (p[1] == '\0' || p[1] == 'p' || p[1] == ' ');
        }
        xmlFree(v);
    }
    return pixel;
}

char *html_first_img(const char *html, size_t len)
{
    htmlDocPtr doc = parse(html, len);
    if (!doc)
        return NULL;
    char *src = NULL;
    xmlNodePtr n = doc->children;
    while (n && !src) {
        if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, (const xmlChar *)"img") &&
            !is_pixel(n)) {
            xmlChar *v = xmlGetProp(n, (const xmlChar *)"src");
            if (v && *v)
                src = dp_strdup((const char *)v);
            xmlFree(v);
        }
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next) {
            n = n->parent;
            if (n && (n->type == XML_HTML_DOCUMENT_NODE || n->type == XML_DOCUMENT_NODE))
                n = NULL;
        }
        if (n)
            n = n->next;
    }
    xmlFreeDoc(doc);
    return src;
}
