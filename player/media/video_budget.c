/* Budgets for video containers and decoders: see video_budget.h.
 *
 * DESIGN: the Matroska walk reads element headers (an ID and a size, at
 * most 12 bytes each) and jumps over bodies, so it costs one pread per
 * top-level element whatever the file's size; it stops at an element of
 * unknown size (a live stream's cluster), where the demuxer takes over. */
#include "media/video_budget.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <libavutil/mem.h>

#include "base/limits.h"
#include "base/log.h"

#define EBML_ID_HEADER 0x1A45DFA3u
#define MKV_ID_SEGMENT 0x18538067u
#define MKV_ID_ATTACHMENTS 0x1941A469u
#define EBML_MAX_ELEMENTS 100000 /* top-level elements walked at most */

/* A variable-length integer at p (n bytes available): its length, or 0.
 * keep_marker: IDs keep their length marker, sizes lose it; *unknown when
 * a size is all ones. */
static int ebml_vint(const unsigned char *p, size_t n, bool keep_marker, uint64_t *v,
                     bool *unknown)
{
    if (n == 0 || p[0] == 0)
        return 0;
    int len = 1;
    while (!(p[0] & (0x80 >> (len - 1))))
        len++;
    if ((size_t)len > n || (keep_marker && len > 4))
        return 0;
    uint64_t x = keep_marker ? p[0] : p[0] & (0xFF >> len);
    bool ones = x == (uint64_t)(0xFF >> len);
    for (int i = 1; i < len; i++) {
        x = x << 8 | p[i];
        ones = ones && p[i] == 0xFF;
    }
    *v = x;
    if (unknown)
        *unknown = !keep_marker && ones;
    return len;
}

/* The element header at off: ID, body size, header length; false at the
 * end, on a read error or a malformed header. */
static bool ebml_header(int fd, off_t off, uint32_t *id, uint64_t *size, bool *unknown, int *hlen)
{
    unsigned char b[12];
    ssize_t n = pread(fd, b, sizeof b, off);
    if (n <= 0)
        return false;
    uint64_t v;
    int a = ebml_vint(b, (size_t)n, true, &v, NULL);
    if (!a)
        return false;
    *id = (uint32_t)v;
    int s = ebml_vint(b + a, (size_t)n - (size_t)a, false, size, unknown);
    if (!s)
        return false;
    *hlen = a + s;
    return true;
}

int video_budget_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    uint32_t id;
    uint64_t size;
    bool unknown;
    int hlen, rc = 0;
    off_t off = 0;
    if (!ebml_header(fd, 0, &id, &size, &unknown, &hlen) || id != EBML_ID_HEADER || unknown)
        goto out;
    off = hlen + (off_t)size;
    if (!ebml_header(fd, off, &id, &size, &unknown, &hlen) || id != MKV_ID_SEGMENT)
        goto out;
    off += hlen; /* into the segment's children */
    uint64_t attached = 0;
    for (int i = 0; i < EBML_MAX_ELEMENTS; i++) {
        if (!ebml_header(fd, off, &id, &size, &unknown, &hlen) || unknown)
            break;
        if (id == MKV_ID_ATTACHMENTS) {
            attached += size;
            if (attached > DP_VIDEO_MAX_ATTACHMENT_BYTES) {
                snprintf(err, errlen, "attachments too large (%llu bytes, limit %lld)",
                         (unsigned long long)attached, (long long)DP_VIDEO_MAX_ATTACHMENT_BYTES);
                rc = -1;
                break;
            }
        }
        if (size > (uint64_t)INT64_MAX - (uint64_t)off - (uint64_t)hlen)
            break;
        off += hlen + (off_t)size;
    }
out:
    close(fd);
    return rc;
}

static pthread_once_t max_alloc_once = PTHREAD_ONCE_INIT;

static void set_max_alloc(void)
{
    av_max_alloc(DP_VIDEO_MAX_ALLOC);
}

void video_budget_format(AVFormatContext *fmt)
{
    pthread_once(&max_alloc_once, set_max_alloc);
    fmt->probesize = DP_VIDEO_PROBE_BYTES;
    fmt->max_analyze_duration = DP_VIDEO_ANALYZE_US;
}

static bool too_many_pixels(int64_t w, int64_t h)
{
    return w > DP_VIDEO_MAX_SIDE || h > DP_VIDEO_MAX_SIDE || w * h > DP_VIDEO_MAX_PIXELS;
}

int video_budget_streams(AVFormatContext *fmt, AVDictionary ***opts, unsigned *n, char *err,
                         size_t errlen)
{
    *opts = NULL;
    *n = 0;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVCodecParameters *par = fmt->streams[i]->codecpar;
        if (par->codec_type == AVMEDIA_TYPE_VIDEO && too_many_pixels(par->width, par->height)) {
            snprintf(err, errlen, "picture too large: %dx%d", par->width, par->height);
            return -1;
        }
    }
    if (fmt->nb_streams == 0)
        return 0;
    *opts = av_calloc(fmt->nb_streams, sizeof **opts);
    if (!*opts)
        return 0;
    *n = fmt->nb_streams;
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        av_dict_set_int(&(*opts)[i], "max_pixels", DP_VIDEO_MAX_PIXELS, 0);
    return 0;
}

void video_budget_free(AVDictionary **opts, unsigned n)
{
    if (!opts)
        return;
    /* What the decoders left (they take the keys they use). */
    for (unsigned i = 0; i < n; i++)
        av_dict_free(&opts[i]);
    av_free(opts);
}

void video_budget_codec(AVCodecContext *ctx)
{
    ctx->max_pixels = DP_VIDEO_MAX_PIXELS;
}
