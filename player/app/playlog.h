/* The play log (interface.md): one JSON object per line, each with ts and
 * event. Thread-safe: net's threads and main write to it. */
#ifndef DP_PLAYLOG_H
#define DP_PLAYLOG_H

#include <cjson/cJSON.h>

struct playlog;

/* path: a file (appended), "-" for standard output, NULL for none.
 * Returns NULL with errno set when the file cannot be opened. */
struct playlog *playlog_open(const char *path);
void playlog_close(struct playlog *pl);       /* NULL ok */
/* Writes obj (adding ts and event first) and frees it. pl may be NULL (the
 * object is freed). */
void playlog_write(struct playlog *pl, const char *event, cJSON *obj);

#endif
