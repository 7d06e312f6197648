/* The video decoder choice ([playback] hwdec): auto tries the platform's
 * hardware decoder, then software. Free of SDL and FFmpeg, so that options
 * can store it. MEDIA_HWDEC_WORDS lists the names in enum order (NULL-ended)
 * for the option table and media_hwdec_name. */
#ifndef DP_HWDEC_H
#define DP_HWDEC_H

enum media_hwdec {
    MEDIA_HWDEC_AUTO,
    MEDIA_HWDEC_NONE,
    MEDIA_HWDEC_VAAPI,
    MEDIA_HWDEC_V4L2M2M,
    MEDIA_HWDEC_DRM
};

#define MEDIA_HWDEC_WORDS                               \
    {                                                   \
        "auto", "none", "vaapi", "v4l2m2m", "drm", NULL \
    }

/* The name video_opts.hwdec takes ("auto" out of range). Any thread. */
static inline const char *media_hwdec_name(enum media_hwdec h)
{
    static const char *const words[] = MEDIA_HWDEC_WORDS;
    return h >= MEDIA_HWDEC_AUTO && h <= MEDIA_HWDEC_DRM ? words[h] : "auto";
}

#endif
