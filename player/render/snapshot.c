/* Snapshots: see snapshot.h.
 * DESIGN: one writer thread takes (surface, name) pairs from two queues, the
 * per-item ones first (interval ones never delay them), and saves them with
 * IMG_SavePNG under a temporary name, then renames them, so a reader never
 * sees a half-written PNG. Each queued snapshot rings a bell (a third queue)
 * once; the quit message rings last, so everything queued is written. The
 * reservations (snapshot.h) bound what is queued. */
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

#define SNAPSHOT_ITEMS_PENDING 8    /* a show event at most every second or so */
#define SNAPSHOT_INTERVAL_PENDING 4 /* --snapshot-interval: skipped past this */
#define MSG_SNAP 1
#define MSG_QUIT 2

struct snapshots {
    char *dir;
    struct dp_mq *q[2]; /* per kind */
    struct dp_mq *bell;
    pthread_t thread;
    pthread_mutex_t lock;
    int held[2];     /* reservations per kind, until written */
    int64_t skipped; /* interval snapshots refused */
};

static const int pending_max[2] = {SNAPSHOT_ITEMS_PENDING, SNAPSHOT_INTERVAL_PENDING};

struct snap {
    SDL_Surface *surf;
    char *name;
    enum snapshot_kind kind;
};

static void release(struct snapshots *s, enum snapshot_kind kind)
{
    pthread_mutex_lock(&s->lock);
    s->held[kind]--;
    pthread_mutex_unlock(&s->lock);
}

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
        if (!dp_mq_wait(s->bell, &m, -1))
            continue;
        if (m.type == MSG_QUIT)
            break;
        if (!dp_mq_get(s->q[SNAPSHOT_ITEM], &m) && !dp_mq_get(s->q[SNAPSHOT_INTERVAL], &m))
            continue; /* not reached: one bell per snapshot */
        struct snap *sn = m.payload;
        char *path = dp_strfmt("%s/%s", s->dir, sn->name);
        char *tmp = dp_strfmt("%s/.%s.tmp", s->dir, sn->name);
        if (IMG_SavePNG(sn->surf, tmp) < 0 || rename(tmp, path) < 0) {
            LOG_W("render", "snapshot %s: %s", path, IMG_GetError());
            remove(tmp);
        }
        free(path);
        free(tmp);
        enum snapshot_kind kind = sn->kind;
        dp_msg_free(&m);
        release(s, kind);
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
    for (int k = 0; k < 2; k++)
        s->q[k] = dp_mq_create((unsigned)pending_max[k], NULL, NULL);
    s->bell = dp_mq_create(SNAPSHOT_ITEMS_PENDING + SNAPSHOT_INTERVAL_PENDING + 1, NULL, NULL);
    pthread_mutex_init(&s->lock, NULL);
    if (pthread_create(&s->thread, NULL, writer, s) != 0) {
        snprintf(err, errlen, "cannot start the snapshot writer");
        pthread_mutex_destroy(&s->lock);
        dp_mq_destroy(s->bell);
        dp_mq_destroy(s->q[0]);
        dp_mq_destroy(s->q[1]);
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
    /* Posted last, so every queued snapshot is written first. */
    dp_mq_post_must(s->bell, (struct dp_msg){.type = MSG_QUIT});
    pthread_join(s->thread, NULL);
    if (s->skipped)
        LOG_I("render", "%lld interval snapshots skipped: the writer was behind",
              (long long)s->skipped);
    pthread_mutex_destroy(&s->lock);
    dp_mq_destroy(s->bell);
    dp_mq_destroy(s->q[0]);
    dp_mq_destroy(s->q[1]);
    free(s->dir);
    free(s);
}

bool snapshots_reserve(struct snapshots *s, enum snapshot_kind kind)
{
    pthread_mutex_lock(&s->lock);
    bool ok = s->held[kind] < pending_max[kind];
    if (ok)
        s->held[kind]++;
    else if (kind == SNAPSHOT_INTERVAL)
        s->skipped++;
    pthread_mutex_unlock(&s->lock);
    return ok;
}

void snapshots_write(struct snapshots *s, enum snapshot_kind kind, SDL_Surface *surf,
                     const char *name)
{
    if (!surf) {
        release(s, kind);
        return;
    }
    struct snap *sn = dp_malloc(sizeof *sn);
    sn->surf = surf;
    sn->name = dp_strdup(name);
    sn->kind = kind;
    /* Within the reservations, so the queues' bounds are never what limits. */
    dp_mq_post_must(s->q[kind],
                    (struct dp_msg){.type = MSG_SNAP, .payload = sn, .free_payload = snap_free});
    dp_mq_post_must(s->bell, (struct dp_msg){.type = MSG_SNAP});
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
