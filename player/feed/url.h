/* URL resolution and scheme rules. Pure; any thread. */
#ifndef DP_URL_H
#define DP_URL_H

#include <stdbool.h>

/* Resolves ref against base (RFC 3986 §5). Returns a fresh string (caller
 * frees), or NULL when ref is unusable (too long, control characters). */
char *url_resolve(const char *base, const char *ref);
/* "http", "https" always; "file" only when allow_file. */
bool url_scheme_allowed(const char *url, bool allow_file);
/* True for file:// URLs and plain paths (no scheme). */
bool url_is_local(const char *url);
/* "file:///a/b" or "/a/b" -> "/a/b" (percent-decoded). Caller frees; NULL if
 * not local. */
char *url_to_path(const char *url);

#endif
