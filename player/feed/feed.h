/* Posts: the one shape every feed format is turned into (feeds.md).
 * A struct feed is immutable once published and reference-counted, so the
 * poller can hand it to other threads; feed_ref/feed_unref are thread-safe. */
#ifndef DP_FEED_H
#define DP_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_TIME_NONE INT64_MIN /* a post or window bound without a date */

enum media_kind { MEDIA_IMAGE, MEDIA_VIDEO };

struct media_ref {
    char *url; /* absolute http(s) URL (file:// only for local feeds) */
    enum media_kind kind;
    char *mime;        /* may be NULL */
    int width, height; /* 0 when not given */
    double duration_s; /* 0 when not given */
    int64_t size;      /* bytes, 0 when not given */
    char *alt;         /* may be NULL */
    bool loop;         /* Mastodon gifv: silent, played once per turn */
    bool live;         /* an HLS playlist (application/vnd.apple.mpegurl,
                           application/x-mpegURL, or a URL ending in .m3u8):
                           a live video, played from the network, never
                           cached (feeds.md) */
};

/* Is this attachment an HLS playlist (a live stream)? mime may be NULL. Pure. */
bool feed_is_live(const char *mime, const char *url);

struct signage {
    int64_t duration_ms; /* 0: the default for the item's kind */
    int priority;        /* higher first, default 0 */
    bool pinned;
    int64_t start_ms; /* Unix ms, DP_TIME_NONE when not set */
    int64_t end_ms;
    bool mute;
};

/* A custom emoji (Mastodon): drawn where its U+FFFC stands in the text. */
struct post_emoji {
    char *code; /* the shortcode, without colons */
    char *url;  /* its static picture (http/https), NULL if unusable */
};

#define POST_EMOJI_CHAR "\xEF\xBF\xBC" /* U+FFFC, one per emoji in post->emoji order */

struct post {
    char *id;             /* never NULL in a parsed feed */
    int64_t published_ms; /* Unix ms, DP_TIME_NONE when unknown */
    char *author;         /* may be NULL */
    char *avatar;         /* may be NULL */
    char *title;          /* may be NULL */
    char *text;           /* plain UTF-8, sanitised; may be "" but not NULL */
    char *link;           /* may be NULL */
    struct media_ref *media;
    size_t n_media;
    struct signage signage;
    struct post_emoji *emoji; /* the i-th U+FFFC of text is emoji[i]; may be NULL */
    size_t n_emoji;
};

struct feed {
    char *title;        /* may be NULL */
    char *icon;         /* may be NULL */
    char *home;         /* may be NULL */
    const char *format; /* "jsonfeed", "rss", "atom", "mastodon", "folder" (static) */
    struct post *posts;
    size_t n_posts;
    int refs; /* use feed_ref / feed_unref */
};

/* The reason a parse failed, for the poll event. */
enum feed_error {
    FEED_OK = 0,
    FEED_ERR_SYNTAX = -1,    /* not a document of a known format */
    FEED_ERR_TOO_LARGE = -2, /* over DP_FEED_MAX_BYTES */
    FEED_ERR_EMPTY = -3,     /* parsed, zero usable posts */
    FEED_ERR_REJECTED = -4,  /* hostile: entity expansion, external entities */
};

/* Parses a feed of any known format, detected from the content (the content
 * type is only a hint and may be NULL). base_url resolves relative URLs and
 * decides whether file:// media are allowed (only when it is a file:// URL or
 * a local path). Applies every rule of feeds.md ("Rules for every format"):
 * sanitising, URL schemes, duplicates, dropping empty posts, ordering.
 * Dropped media URLs are reported through on_drop when it is not NULL.
 * On success *out is a feed with one reference (caller unrefs).
 * On failure returns a feed_error and writes a message into err.
 * Any thread. */
int feed_parse(const char *data, size_t len, const char *base_url, const char *content_type,
               struct feed **out, char *err, size_t errlen,
               void (*on_drop)(void *ctx, const char *post_id, const char *url,
                               const char *reason),
               void *drop_ctx);

/* Reads a local folder per feeds.md §5. Same contract as feed_parse. */
int feed_read_folder(const char *path, struct feed **out, char *err, size_t errlen);
/* The same; only regular files are taken, and a symlink only when it leads
 * to a regular file inside the folder, or anywhere with follow_symlinks
 * ([feed] follow_symlinks; issue 8). feed_read_folder is follow = false. */
int feed_read_folder_ex(const char *path, bool follow_symlinks, struct feed **out, char *err,
                        size_t errlen);

struct feed *feed_ref(struct feed *f);
void feed_unref(struct feed *f); /* NULL ok */

/* The posts as normalised JSON (golden tests, debugging). Caller frees. */
char *feed_to_json(const struct feed *f);

/* Used by the format parsers (feed/ internal, but shared by all formats). */
struct feed *feed_alloc(const char *format);
struct post *feed_add_post(struct feed *f);       /* zeroed, dates NONE */
struct media_ref *post_add_media(struct post *p); /* zeroed */
/* Sanitises text, applies URL rules, drops duplicate and empty posts, sorts
 * (priority, newest first, undated keep feed order after dated). Returns the
 * number of posts left. */
size_t feed_finalize(struct feed *f, const char *base_url,
                     void (*on_drop)(void *ctx, const char *post_id, const char *url,
                                     const char *reason),
                     void *drop_ctx);

#endif
