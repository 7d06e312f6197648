/* The loader thread: see loader.h. */
#include "app/loader.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_ttf.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "cache/cache.h"
#include "feed/url.h"
#include "media/image.h"
#include "media/image_check.h"
#include "media/video.h"
#include "render/card_emoji.h"
#include "net/net.h"
#include "render/text.h"

#define LOADER_QUEUE 16
#define MSG_REQ 1
#define MSG_QUIT 2

struct loader {
    struct loader_config cfg;
    struct fontset *fonts;
    struct dp_mq *in, *out;
    int msg_type;
    pthread_t thread;
};

void loader_request_free(struct loader_request *req)
{
    if (!req)
        return;
    feed_unref(req->feed);
    free(req->urls);
    free(req->item_id);
    free(req->title);
    free(req);
}

static void request_free(void *p)
{
    loader_request_free(p);
}

void loader_result_free(void *p)
{
    struct loader_result *r = p;
    if (!r)
        return;
    SDL_FreeSurface(r->surface);
    SDL_FreeSurface(r->overlay);
    video_close(r->video);
    free(r->item_id);
    free(r);
}

/* The file behind a media URL: local files as they are (*fd -1); remote
 * ones from the cache, opened after its size and hash checks, and read by
 * the /proc/self/fd name of that descriptor (*fd; the caller closes it), so
 * that what the cache checked is what the decoder reads. */
static int media_file(struct loader *l, const char *url, char **path, int *fd, enum dp_reason *why)
{
    *fd = -1;
    if (url_is_local(url)) {
        *path = url_to_path(url);
        if (!*path) {
            *why = DP_REASON_NOT_CACHED;
            return -1;
        }
        return 0;
    }
    char buf[4096];
    int r = cache_media_open(l->cfg.cache, url, fd);
    if (r < 0) {
        *why = r == -EBADMSG ? DP_REASON_CORRUPT : DP_REASON_NOT_CACHED;
        return -1;
    }
    *path = dp_fd_path(*fd);
    if (!*path && cache_media_path(l->cfg.cache, url, buf, sizeof buf) == 0)
        *path = dp_strdup(buf); /* no /proc: by its name */
    if (!*path) {
        close(*fd);
        *fd = -1;
        *why = DP_REASON_NOT_CACHED;
        return -1;
    }
    return 0;
}

/* An animated GIF or WebP: a silent loop (the video path) until the
 * item's time is up, enlarged no more than a still would be. Returns -1
 * when it cannot be opened (then shown as a still). */
static int load_animation(struct loader *l, struct loader_request *req, struct loader_result *res,
                          const struct card_style *st, const char *path, int bw, int bh)
{
    struct video_opts o;
    video_opts_defaults(&o);
    o.audio = false;
    o.repeat = true;
    /* Longer than any slot: the image item's own deadline ends it. */
    o.max_duration_ms = 24LL * 3600 * 1000;
    o.hwdec = "none";
    o.name = req->media->url;
    char err[256];
    struct video *v = video_open(path, &o, NULL, err, sizeof err);
    if (!v) {
        LOG_I("app", "animation %s: %s", req->media->url, err);
        return -1;
    }
    int vw, vh, rot;
    video_get_size(v, &vw, &vh, &rot);
    int cap = l->cfg.upscale_max;
    int fw, fh;
    image_fit(vw, vh, bw, bh, &fw, &fh);
    if (cap > 0 && vw > 0 && fw > vw * cap) {
        bw = vw * cap;
        bh = vh * cap;
    }
    res->video = v;
    res->overlay = card_overlay(l->fonts, l->cfg.w, l->cfg.h, st, req->post);
    res->box_w = bw;
    res->box_h = bh;
    return 0;
}

/* The post's custom emoji pictures, from the cache (missing ones are left
 * out of the drawing), each at most EMOJI_PX square. */
#define EMOJI_PX 256

static void emoji_load(struct loader *l, const struct post *post, struct card_emoji *em)
{
    em->n = post->n_emoji;
    em->pics = em->n ? dp_calloc(em->n, sizeof *em->pics) : NULL;
    for (size_t i = 0; i < em->n; i++) {
        char *path = NULL;
        int fd;
        enum dp_reason why;
        if (!post->emoji[i].url || media_file(l, post->emoji[i].url, &path, &fd, &why) < 0)
            continue;
        if (image_load_capped(path, EMOJI_PX, EMOJI_PX, 0, &em->pics[i], &why) < 0)
            em->pics[i] = NULL;
        free(path);
        if (fd >= 0)
            close(fd);
    }
}

static void emoji_free(struct card_emoji *em)
{
    for (size_t i = 0; i < em->n; i++)
        SDL_FreeSurface(em->pics[i]);
    free(em->pics);
}

/* A media item from path (the verified file). */
static void load_media(struct loader *l, struct loader_request *req, struct loader_result *res,
                       const struct card_style *st, const char *path);

static void load_item(struct loader *l, struct loader_request *req, struct loader_result *res)
{
    struct card_style st = l->cfg.style;
    struct card_emoji em = {NULL, 0};
    emoji_load(l, req->post, &em);
    st.emoji = &em;
    if (req->kind == ITEM_TEXT) {
        res->surface = card_text(l->fonts, l->cfg.w, l->cfg.h, &st, req->post, req->now_wall_ms);
        if (!res->surface)
            res->reason = DP_REASON_OUT_OF_MEMORY;
    } else if (req->media->live) {
        load_media(l, req, res, &st, req->media->url); /* from the network, never cached */
    } else {
        char *path = NULL;
        int fd;
        if (media_file(l, req->media->url, &path, &fd, &res->reason) == 0)
            load_media(l, req, res, &st, path);
        free(path);
        if (fd >= 0)
            close(fd); /* a video opened its own */
    }
    emoji_free(&em);
}

static void load_media(struct loader *l, struct loader_request *req, struct loader_result *res,
                       const struct card_style *st, const char *path)
{
    int w = l->cfg.w, h = l->cfg.h;
    int bw, bh;
    card_media_box(w, h, st, &bw, &bh);
    if (req->kind == ITEM_VIDEO) {
        struct video_opts o;
        video_opts_defaults(&o);
        o.audio_out = l->cfg.audio_out;
        o.audio = l->cfg.audio && !req->media->loop;
        o.volume = l->cfg.volume;
        o.mute = req->post->signage.mute;
        o.max_duration_ms = l->cfg.video_max_duration_ms;
        if (req->post->signage.duration_ms > 0)
            o.max_duration_ms = req->post->signage.duration_ms;
        o.loop = req->media->loop;
        o.hwdec = l->cfg.hwdec;
        o.name = req->media->url;
        if (req->media->live) {
            /* Its _signage.duration, or until it ends; live_max_duration caps both. */
            int64_t cap = l->cfg.live_max_duration_ms;
            int64_t d = req->post->signage.duration_ms;
            o.live = true;
            o.max_duration_ms = d > 0 && (cap <= 0 || d < cap) ? d : cap;
        }
        char err[256];
        res->video = video_open(path, &o, &res->reason, err, sizeof err);
        if (!res->video) {
            LOG_I("app", "video %s: %s", req->media->url, err);
            if (req->media->live)
                res->reason = DP_REASON_LIVE_UNAVAILABLE;
            /* else res->reason was set by video_open */
            return;
        }
        res->overlay = card_overlay(l->fonts, w, h, st, req->post);
        res->box_w = bw;
        res->box_h = bh;
        return;
    }
    if (image_is_animated(path) && load_animation(l, req, res, st, path, bw, bh) == 0)
        return;
    SDL_Surface *img = NULL;
    if (image_load_capped(path, bw, bh, l->cfg.upscale_max, &img, &res->reason) < 0)
        return;
    res->surface = card_media(l->fonts, w, h, st, img, req->post);
    SDL_FreeSurface(img);
    if (!res->surface)
        res->reason = DP_REASON_OUT_OF_MEMORY;
}

static void *loader_main(void *arg)
{
    struct loader *l = arg;
    struct dp_msg m;
    for (;;) {
        if (!dp_mq_wait(l->in, &m, -1))
            continue;
        if (m.type == MSG_QUIT)
            break;
        struct loader_request *req = m.payload;
        if (req->what == LOAD_WANTED) {
            net_set_wanted(req->net, req->urls, req->n_urls);
            dp_msg_free(&m);
            continue;
        }
        struct loader_result *res = dp_calloc(1, sizeof *res);
        res->gen = req->gen;
        res->what = req->what;
        res->item_id = dp_strdup(req->item_id);
        if (req->what == LOAD_STANDBY) {
            res->surface = card_standby(l->fonts, l->cfg.w, l->cfg.h, &l->cfg.style, req->title,
                                        req->now_wall_ms, req->downloading, req->percent);
        } else {
            load_item(l, req, res);
        }
        dp_msg_free(&m);
        /* Never lost: main waits for it (one result per request). */
        dp_mq_post_must(l->out, (struct dp_msg){.type = l->msg_type,
                                                .payload = res,
                                                .free_payload = loader_result_free});
    }
    /* SDL keeps per-thread storage (the error text SDL_image sets on a file
     * it refuses) that it frees only for threads it created itself. */
    SDL_TLSCleanup();
    return NULL;
}

struct loader *loader_create(const struct loader_config *cfg, struct dp_mq *out, int msg_type,
                             char *err, size_t errlen)
{
    struct loader *l = dp_calloc(1, sizeof *l);
    l->cfg = *cfg;
    l->out = out;
    l->msg_type = msg_type;
    l->fonts = fontset_create(cfg->font, cfg->assets_dir, err, errlen);
    if (!l->fonts) {
        free(l);
        return NULL;
    }
    l->in = dp_mq_create(LOADER_QUEUE, NULL, NULL);
    if (pthread_create(&l->thread, NULL, loader_main, l) != 0) {
        snprintf(err, errlen, "cannot start the loader thread");
        dp_mq_destroy(l->in);
        fontset_destroy(l->fonts);
        free(l);
        return NULL;
    }
    return l;
}

void loader_destroy(struct loader *l)
{
    if (!l)
        return;
    dp_mq_post_must(l->in, (struct dp_msg){.type = MSG_QUIT});
    /* A decode or a video open in progress gives up rather than hold the
     * exit or the reload (issue 8). */
    image_budget_cancel(true);
    video_cancel_opens(true);
    pthread_join(l->thread, NULL);
    video_cancel_opens(false);
    image_budget_cancel(false);
    dp_mq_destroy(l->in);
    fontset_destroy(l->fonts);
    free(l);
}

void loader_submit(struct loader *l, struct loader_request *req)
{
    /* Never dropped: main waits for its result. Main submits one item
     * request at a time (and standby cards), so the list stays short. */
    dp_mq_post_must(
        l->in, (struct dp_msg){.type = MSG_REQ, .payload = req, .free_payload = request_free});
}
