/* Animated pictures (issue 10): an animated GIF showed its first frame,
 * frozen, and an animated WebP was a decode_error. Both are played as
 * silent loops for their item's duration through the video path, one
 * frame decoded at a time (never the whole animation in memory): a GIF by
 * FFmpeg's GIF decoder, a WebP by libwebp (video_webp.c). This file tells
 * an animation from a still; image_webp.c gives the first frame of an
 * animated WebP for when it cannot be played (a canvas over
 * DP_ANIM_MAX_PIXELS). */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/limits.h"
#include "media/image.h"
#include "media/image_formats.h"

bool webp_is_animated(const unsigned char *d, size_t len)
{
    if (len < 30 || memcmp(d + 12, "VP8X", 4) != 0 || !(d[20] & 0x02))
        return false;
    int frames = 0;
    size_t pos = 12;
    while (pos + 8 <= len && frames < 2) {
        uint32_t n = (uint32_t)d[pos + 4] | (uint32_t)d[pos + 5] << 8 |
                     (uint32_t)d[pos + 6] << 16 | (uint32_t)d[pos + 7] << 24;
        if (n > len - pos - 8)
            break;
        frames += memcmp(d + pos, "ANMF", 4) == 0;
        pos += 8 + (size_t)n + (n & 1);
    }
    return frames >= 2;
}

/* Whether the file's first bytes say GIF, or WebP with the animation flag:
 * only those are read whole (a JPEG or PNG costs one small read here). */
static bool may_be_animated(const char *path)
{
    unsigned char head[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    if (n < 21)
        return false;
    if (memcmp(head, "GIF8", 4) == 0)
        return true;
    return n >= 21 && memcmp(head, "RIFF", 4) == 0 && memcmp(head + 8, "WEBPVP8X", 8) == 0 &&
           (head[20] & 0x02);
}

bool image_is_animated(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    if (!may_be_animated(path) || dp_read_file(path, DP_IMAGE_MAX_FILE_BYTES, &data, &len) < 0)
        return false;
    int w, h;
    const unsigned char *d = (const unsigned char *)data;
    enum image_format f = image_sniff(d, len, &w, &h);
    bool anim = (f == IMAGE_GIF && gif_count_frames(d, len, 2) >= 2) ||
                (f == IMAGE_WEBP && webp_is_animated(d, len));
    free(data);
    return anim;
}
