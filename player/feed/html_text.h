/* HTML to plain text with libxml2's HTML parser: <br> and paragraphs become
 * line breaks, entities decoded, scripts and styles dropped, links reduced to
 * their text, whitespace normalised. No network access. Any thread.
 * Returns a fresh UTF-8 string (caller frees); never NULL. */
#ifndef DP_HTML_TEXT_H
#define DP_HTML_TEXT_H

#include <stddef.h>

char *html_to_text(const char *html, size_t len);
/* The src of the first <img> in the HTML, or NULL (caller frees). */
char *html_first_img(const char *html, size_t len);

#endif
