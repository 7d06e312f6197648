/* Shared by the format parsers of feed/ only; not part of the module's API.
 *
 * Each format parser takes the raw document and fills a fresh struct feed
 * (feed_alloc) without applying the rules of feeds.md: feed_parse runs
 * feed_finalize afterwards. On success it returns FEED_OK and *out holds one
 * reference; on failure a feed_error, a message in err, and *out untouched.
 * Any thread. */
#ifndef DP_FEED_INTERNAL_H
#define DP_FEED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/limits.h"
#include "feed/feed.h"

/* Items read from one document at most: the rules keep DP_MAX_POSTS, this
 * bounds the work on a 10 MiB feed of tiny items (feeds list newest first). */
#define FEED_PARSE_MAX_ITEMS (10 * DP_MAX_POSTS)

int jsonfeed_parse(const char *data, size_t len, struct feed **out, char *err, size_t errlen);
int mastodon_parse(const char *data, size_t len, struct feed **out, char *err, size_t errlen);
/* RSS 2.0/0.9x, RDF 1.0 and Atom 1.0 (one XML entry point, dispatched on the
 * root element). */
int xmlfeed_parse(const char *data, size_t len, struct feed **out, char *err, size_t errlen);
/* The same, with the charset of an HTTP Content-Type (NULL if none): used
 * only for a document with no BOM and no encoding declaration that is not
 * valid UTF-8. */
int xmlfeed_parse_charset(const char *data, size_t len, const char *charset, struct feed **out,
                          char *err, size_t errlen);

/* Initialises libxml2 once and silences its generic error output on the
 * calling thread (encoding errors are printed despite XML_PARSE_NOERROR). */
void feed_xml_quiet(void);

/* Writes a printf message into err (err may be NULL); returns code. */
int feed_fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* C1 controls (U+0080-U+009F) replaced by what they mean in windows-1252
 * (U+0092 -> U+2019), as HTML does: feeds mislabelled ISO-8859-1 are common.
 * Takes s; returns s itself when nothing changed, else a fresh string. */
char *feed_demoronize(char *s);

/* True when s is valid UTF-8 without NUL bytes (nothing to repair). */
bool feed_utf8_clean(const char *s, size_t len);
/* A copy of s where every invalid UTF-8 sequence is replaced by U+FFFD and
 * NUL bytes are dropped; nothing else changes. Caller frees; never NULL. */
char *feed_utf8_repair(const char *s, size_t len, size_t *out_len);

/* Checks a JSON document against the RFC 8259 grammar in one linear pass
 * without allocating (a leading UTF-8 BOM is allowed). Returns FEED_OK,
 * FEED_ERR_REJECTED when nesting exceeds max_depth, else FEED_ERR_SYNTAX. */
int feed_json_check(const char *s, size_t len, int max_depth);

struct cJSON;
/* Parses a whole JSON document with cJSON after the depth check: nesting
 * beyond DP_JSON_MAX_DEPTH -> FEED_ERR_REJECTED, anything feed_json_check
 * refuses -> FEED_ERR_SYNTAX. *root is freed with cJSON_Delete. */
/* Issue 8 (feed_ids.c). A copy of the JSON text s (*out_len bytes, NUL
 * after them) whose strings have \u0000 as \uFFFF, a lone surrogate as
 * \uFFFE and the private-use character naming it, a literal U+FFFE as
 * \uFFFE\uF000; or NULL when nothing needs it. Caller frees. Pure. */
char *feed_json_fix_escapes(const char *s, size_t len, size_t *out_len);
/* The value of one hex digit, or -1 (JSON escapes, URL percent-escapes). */
int feed_hex_digit(char c);
/* Sanitises a post id in place like a title, with a hash of the source
 * bytes appended ("~" and 16 hex digits) when sanitising changed it; false
 * (the id left alone) when it held a NUL (U+FFFF after the escape fix): the
 * post is refused. *id may become NULL (nothing left). */
bool feed_id_finish(char **id);
int feed_json_parse(const char *data, size_t len, struct cJSON **root, char *err, size_t errlen);

/* Replaces *field with a fresh copy of s (NULL ok), freeing the old value. */
void feed_set(char **field, const char *s);

/* Media kind from a MIME type ("image/..", "video/..") ; false otherwise. */
bool feed_kind_from_mime(const char *mime, enum media_kind *kind);
/* Media kind guessed from the URL's file extension; false when unknown. */
bool feed_kind_from_ext(const char *url, enum media_kind *kind);

/* Drops a post's media that are not items of their own: its author's
 * avatar, and pictures under 200x200 beside a larger one (issue 10). URLs
 * must be resolved already. Reports each through on_drop (NULL ok). */
void feed_drop_small_pictures(struct post *p,
                              void (*on_drop)(void *ctx, const char *post_id, const char *url,
                                              const char *reason),
                              void *ctx);

#endif
