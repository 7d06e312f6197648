/* The reason table: see reason.h. */
#include "base/reason.h"

static const char *const names[DP_REASON_COUNT] = {
    [DP_REASON_NONE] = "",
    [DP_REASON_NOT_CACHED] = "not_cached",
    [DP_REASON_NOT_FOUND] = "not_found",
    [DP_REASON_CORRUPT] = "corrupt",
    [DP_REASON_DECODE_ERROR] = "decode_error",
    [DP_REASON_TOO_LARGE] = "too_large",
    [DP_REASON_NOT_AN_IMAGE] = "not_an_image",
    [DP_REASON_UNREADABLE] = "unreadable",
    [DP_REASON_NO_VIDEO_STREAM] = "no_video_stream",
    [DP_REASON_OUT_OF_MEMORY] = "out_of_memory",
    [DP_REASON_RENDER_ERROR] = "render_error",
    [DP_REASON_EXPIRED] = "expired",
    [DP_REASON_UNSUPPORTED] = "unsupported",
    [DP_REASON_TOO_COSTLY] = "too_costly",
    [DP_REASON_LIVE_UNAVAILABLE] = "live_unavailable",
};

const char *dp_reason_name(enum dp_reason r)
{
    return (unsigned)r < DP_REASON_COUNT && names[r] ? names[r] : "unknown";
}
