/* cache/ internal: the small text records the cache keeps on disk.
 *
 * A record is a UTF-8 text file of "key value" lines, first line
 * "deskplayer-cache 1". Values never hold CR or LF (they are dropped when
 * written). Records are always written with dp_write_atomic, so a crash
 * leaves the old record or the new one. Pure helpers; any thread. */
#ifndef DP_CACHE_RECORD_H
#define DP_CACHE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"

#define RECORD_MAX_BYTES (16 * 1024) /* a larger record file is corrupt */
#define RECORD_MAGIC "deskplayer-cache 1"

/* One record: the fields of every kind of record (media, part, feed); the
 * ones a kind does not use stay empty / 0. Strings are owned (free with
 * record_finish). */
struct record {
    char *url;
    char *base_url; /* feed: the effective URL after redirects */
    char *etag;
    char *last_modified;
    char *mime; /* media: mime; feed: content type */
    char sha[DP_SHA256_HEX];
    int64_t size;         /* media/feed: bytes; part: durable bytes */
    int64_t committed_ms; /* wall clock */
    int64_t checked_ms;   /* wall clock of the last check with the server */
    int64_t shown_ms;     /* wall clock of the last show */
};

void record_finish(struct record *r);
/* Parses text; false when it is not a record or lacks url. */
bool record_parse(const char *text, size_t len, struct record *r);
/* Formats r; caller frees. */
char *record_format(const struct record *r, size_t *len);
/* Reads name in the folder open on dirfd (capped, never through a symlink)
 * and parses it. 0, -ENOENT, or -EBADMSG. */
int record_load(int dirfd, const char *name, struct record *r);
/* Writes it there atomically and durably. 0 or a negative errno value. */
int record_save(int dirfd, const char *name, const struct record *r);

/* The file key of a URL: sha256 of the URL in hex. */
void cache_key(const char *url, char key[DP_SHA256_HEX]);
/* True for 64 lower-case hex digits followed by suffix (which may be ""). */
bool cache_is_key_name(const char *name, const char *suffix);

#endif
