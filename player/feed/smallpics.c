/* Pictures that are not items (issue 10): the author's avatar repeated as a
 * post's media, and icon-sized renditions (a 96 px thumbnail) beside a
 * real picture. News feeds put both in every item: a feed of 20 posts gave
 * 55 items, half of them blurred faces. Any thread (feed_finalize). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed_internal.h"

/* Below this in both sides, a picture beside a larger one is an icon. */
#define SMALL_PICTURE_SIDE 200

static bool small_picture(const struct media_ref *m)
{
    return m->kind == MEDIA_IMAGE && m->width > 0 && m->height > 0 &&
           m->width < SMALL_PICTURE_SIDE && m->height < SMALL_PICTURE_SIDE;
}

static bool is_avatar(const struct post *p, const struct media_ref *m)
{
    return m->kind == MEDIA_IMAGE && p->avatar && strcmp(m->url, p->avatar) == 0;
}

void feed_drop_small_pictures(struct post *p,
                              void (*on_drop)(void *ctx, const char *post_id, const char *url,
                                              const char *reason),
                              void *ctx)
{
    bool larger = false;
    for (size_t i = 0; i < p->n_media; i++)
        larger |= !small_picture(&p->media[i]) && !is_avatar(p, &p->media[i]);
    size_t keep = 0;
    for (size_t i = 0; i < p->n_media; i++) {
        struct media_ref *m = &p->media[i];
        const char *reason = is_avatar(p, m)              ? "avatar"
                             : larger && small_picture(m) ? "small_picture"
                                                          : NULL;
        if (!reason) {
            p->media[keep++] = *m;
            continue;
        }
        if (on_drop)
            on_drop(ctx, p->id, m->url, reason);
        free(m->url);
        free(m->mime);
        free(m->alt);
    }
    p->n_media = keep;
    if (keep == 0) {
        free(p->media);
        p->media = NULL;
    }
}
