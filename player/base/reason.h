/* Why an item or its media is not shown: the typed outcome of the loader,
 * the media decoders and the rotation, and the play log's `skip` reasons
 * (interface.md), written from the one table in reason.c. */
#ifndef DP_REASON_H
#define DP_REASON_H

enum dp_reason {
    DP_REASON_NONE,       /* "": no failure */
    DP_REASON_NOT_CACHED, /* its media is not (yet) verified in the cache */
    DP_REASON_NOT_FOUND,  /* a local file that is not there */
    DP_REASON_CORRUPT,    /* the cache found it damaged (deleted: fetched again) */
    DP_REASON_DECODE_ERROR,
    DP_REASON_TOO_LARGE, /* over a decode budget (limits.h) */
    DP_REASON_NOT_AN_IMAGE,
    DP_REASON_UNREADABLE,
    DP_REASON_NO_VIDEO_STREAM,
    DP_REASON_OUT_OF_MEMORY,
    DP_REASON_RENDER_ERROR,     /* the texture could not be made */
    DP_REASON_EXPIRED,          /* past its _signage.end */
    DP_REASON_UNSUPPORTED,      /* a format variant we cannot decode (12-bit JPEG; issue 10) */
    DP_REASON_TOO_COSTLY,       /* a decode over its time or scan budget (issue 8) */
    DP_REASON_LIVE_UNAVAILABLE, /* issue 11: a live stream that cannot be opened */
    DP_REASON_COUNT
};

/* The play log's name ("not_cached", ...); "" for NONE, "unknown" out of
 * range. Static strings; any thread. */
const char *dp_reason_name(enum dp_reason r);

#endif
