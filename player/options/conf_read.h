/* Reading a config file: a bounded read of a regular file, and the one
 * tokeniser of its INI lines (used by options.c; no other copy exists).
 *
 * The INI dialect (what inih accepted before, without its 200-byte line):
 * - lines end with \n or \r\n; each is at most DP_CONFIG_LINE_MAX bytes and
 *   holds no NUL; a UTF-8 BOM before the first line is skipped;
 * - blank lines and lines starting (after blanks) with ';' or '#' are
 *   comments;
 * - "[name]" starts a section (text after ']' is ignored);
 * - "key = value" or "key: value" (the first '=' or ':' splits), blanks
 *   around key and value trimmed; " ;" (a ';' after a blank) starts a
 *   comment;
 * - a value in matching double or single quotes loses them (inside, ';' is
 *   text); an opening quote without its closing one is an error. The same
 *   for every key;
 * - an indented line right after a key line (comments may come between)
 *   continues that key: it is handed over as a continuation.
 * Pure apart from options_read_file; any thread. */
#ifndef DP_OPTIONS_CONF_READ_H
#define DP_OPTIONS_CONF_READ_H

#include <stdbool.h>
#include <stddef.h>

/* Reads path whole into a fresh NUL-terminated heap string *text (caller
 * frees) of *len bytes. Refuses, without waiting on it, anything but a
 * regular file (a FIFO, a device, a folder) and files over
 * DP_CONFIG_MAX_BYTES, and never reads more than that plus one byte.
 * Returns 0, or -1 with "path: why" in err. */
int options_read_file(const char *path, char **text, size_t *len, char *err, size_t errlen);

enum conf_line_kind {
    CONF_SECTION,      /* section set, key and value NULL */
    CONF_KEY,          /* key = value in section ("" before any [section]) */
    CONF_CONTINUATION, /* value continues key, the last key of section */
};

struct conf_line {
    enum conf_line_kind kind;
    int lineno;          /* from 1 */
    const char *section; /* "" before the first [section] */
    const char *key;
    const char *value; /* trimmed, quotes and comment removed */
};

/* Called once per non-comment line; returns 0 to go on, or -1 to stop (it
 * has written its own message). */
typedef int (*conf_line_fn)(void *ctx, const struct conf_line *line);

/* Tokenises text[0..len) (from path, used in messages) and calls on_line for
 * each section, key and continuation line in order. Returns 0; -1 when
 * on_line stopped; -2 on a malformed line, with "path:line: what was
 * expected, got ..." in err. */
int options_tokenise(const char *path, const char *text, size_t len, conf_line_fn on_line,
                     void *ctx, char *err, size_t errlen);

#endif
