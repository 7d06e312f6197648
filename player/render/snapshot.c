/* Snapshots: see snapshot.h.
 * DESIGN: one writer thread takes (surface, name) pairs from a bounded queue
 * and saves them with IMG_SavePNG under a temporary name, then renames them,
 * so a reader never sees a half-written PNG. */
#include "render/snapshot.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <SDL_image.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/mq.h"
#include "base/xalloc.h"

#define SNAPSHOT_QUEUE 32
#define MSG_SNAP 1
#define MSG_QUIT 2

struct snapshots {
    char *dir;
    struct dp_mq *q;
    pthread_t thread;
};

struct snap {
    SDL_Surface *surf;
    char *name;
};

static void snap_free(void *p)
{
    struct snap *s = p;
    SDL_FreeSurface(s->surf);
    free(s->name);
    free(s);
}

static void *writer(void *arg)
{
    struct snapshots *s = arg;
    struct dp_msg m;
    for (;;) {
        if (!dp_mq_wait(s->q, &m, -1))
            continue;
        if (m.type == MSG_QUIT)
            break;
        struct snap *sn = m.payload;
        char *path = dp_strfmt("%s/%s", s->dir, sn->name);
        char *tmp = dp_strfmt("%s/.%s.tmp", s->dir, sn->name);
        if (IMG_SavePNG(sn->surf, tmp) < 0 || rename(tmp, path) < 0) {
            LOG_W("render", "snapshot %s: %s", path, IMG_GetError());
            remove(tmp);
        }
        free(path);
        free(tmp);
        dp_msg_free(&m);
    }
    return NULL;
}

struct snapshots *snapshots_create(const char *dir, char *err, size_t errlen)
{
    if (dp_mkdir_p(dir, 0755) < 0) {
        snprintf(err, errlen, "snapshot dir %s cannot be created", dir);
        return NULL;
    }
    struct snapshots *s = dp_calloc(1, sizeof *s);
    s->dir = dp_strdup(dir);
    s->q = dp_mq_create(SNAPSHOT_QUEUE, NULL, NULL);
    if (pthread_create(&s->thread, NULL, writer, s) != 0) {
        snprintf(err, errlen, "cannot start the snapshot writer");
        dp_mq_destroy(s->q);
        free(s->dir);
        free(s);
        return NULL;
    }
    return s;
}

void snapshots_destroy(struct snapshots *s)
{
    if (!s)
        return;
    /* Posted last, so every queued snapshot is written first. The queue may
     * be full: wait for room. */
    while (dp_mq_post(s->q, (struct dp_msg){.type = MSG_QUIT}) < 0)
        SDL_Delay(5);
    pthread_join(s->thread, NULL);
    dp_mq_destroy(s->q);
    free(s->dir);
    free(s);
}

void snapshots_write(struct snapshots *s, SDL_Surface *surf, const char *name)
{
    struct snap *sn = dp_malloc(sizeof *sn);
    sn->surf = surf;
    sn->name = dp_strdup(name);
    if (dp_mq_post(s->q, (struct dp_msg){.type = MSG_SNAP, .payload = sn,
                                         .free_payload = snap_free}) < 0)
        LOG_W("render", "snapshot %s dropped: the writer is behind", name);
}

/* ---- PNG in memory ------------------------------------------------------------- */

static Sint64 png_rw_size(SDL_RWops *rw)
{
    return (Sint64)((struct dp_buf *)rw->hidden.unknown.data1)->len;
}

static size_t png_rw_write(SDL_RWops *rw, const void *data, size_t size, size_t n)
{
    struct dp_buf *b = rw->hidden.unknown.data1;
    return dp_buf_append(b, data, size * n) == 0 ? n : 0;
}

static Sint64 png_rw_seek(SDL_RWops *rw, Sint64 off, int whence)
{
    struct dp_buf *b = rw->hidden.unknown.data1;
    return whence == RW_SEEK_CUR && off == 0 ? (Sint64)b->len : -1;
}

static int png_rw_close(SDL_RWops *rw)
{
    SDL_FreeRW(rw);
    return 0;
}

int snapshot_encode_png(SDL_Surface *surf, void **png, size_t *len)
{
    struct dp_buf b;
    dp_buf_init(&b, 64L * 1024 * 1024);
    SDL_RWops *rw = SDL_AllocRW();
    int r = -1;
    if (rw) {
        rw->size = png_rw_size;
        rw->write = png_rw_write;
        rw->seek = png_rw_seek;
        rw->close = png_rw_close;
        rw->hidden.unknown.data1 = &b;
        r = IMG_SavePNG_RW(surf, rw, 1);
    }
    if (r < 0) {
        dp_buf_finish(&b);
        return -1;
    }
    *png = dp_buf_steal(&b, len);
    return 0;
}
