/* The play log: see playlog.h. */
#include "app/playlog.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/xalloc.h"

struct playlog {
    FILE *f;
    bool own;
    pthread_mutex_t lock;
};

struct playlog *playlog_open(const char *path)
{
    if (!path)
        return NULL;
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "ae");
    if (!f)
        return NULL;
    struct playlog *pl = dp_calloc(1, sizeof *pl);
    pl->f = f;
    pl->own = f != stdout;
    pthread_mutex_init(&pl->lock, NULL);
    return pl;
}

void playlog_close(struct playlog *pl)
{
    if (!pl)
        return;
    if (pl->own)
        fclose(pl->f);
    else
        fflush(pl->f);
    pthread_mutex_destroy(&pl->lock);
    free(pl);
}

void playlog_write(struct playlog *pl, const char *event, cJSON *obj)
{
    if (!pl) {
        cJSON_Delete(obj);
        return;
    }
    char ts[40];
    dp_format_rfc3339(dp_wall_ms(), ts, sizeof ts);
    /* ts and event first, then the event's own fields. */
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "ts", ts);
    cJSON_AddStringToObject(line, "event", event);
    while (obj && obj->child) {
        /* Moves the field over, keeping its name. */
        cJSON *field = cJSON_DetachItemViaPointer(obj, obj->child);
        cJSON_AddItemToArray(line, field);
    }
    cJSON_Delete(obj);
    char *text = cJSON_PrintUnformatted(line);
    cJSON_Delete(line);
    if (!text)
        return;
    pthread_mutex_lock(&pl->lock);
    fputs(text, pl->f);
    fputc('\n', pl->f);
    fflush(pl->f);
    pthread_mutex_unlock(&pl->lock);
    free(text);
}

/* ---- typed events --------------------------------------------------------------- */

static void add_opt(cJSON *o, const char *name, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, name, s);
}

void playlog_start(struct playlog *pl, const struct playlog_start *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", f->version);
    cJSON_AddStringToObject(o, "feed", f->feed);
    cJSON_AddStringToObject(o, "cache_dir", f->cache_dir);
    char size[32];
    snprintf(size, sizeof size, "%dx%d", f->w, f->h);
    cJSON_AddStringToObject(o, "size", size);
    playlog_write(pl, "start", o);
}

void playlog_stop(struct playlog *pl, const char *reason)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "reason", reason);
    playlog_write(pl, "stop", o);
}

void playlog_error(struct playlog *pl, const char *where, const char *error)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "where", where);
    add_opt(o, "error", error);
    playlog_write(pl, "error", o);
}

void playlog_skip(struct playlog *pl, const struct playlog_skip *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "item", f->item);
    cJSON_AddStringToObject(o, "reason", f->reason);
    add_opt(o, "media", f->media);
    add_opt(o, "error", f->error);
    playlog_write(pl, "skip", o);
}

void playlog_show(struct playlog *pl, const struct playlog_show *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "item", f->item);
    cJSON_AddStringToObject(o, "post", f->post);
    cJSON_AddStringToObject(o, "kind", f->kind);
    add_opt(o, "media", f->media);
    cJSON_AddNumberToObject(o, "duration_ms", (double)f->duration_ms);
    add_opt(o, "snapshot", f->snapshot);
    if (f->live)
        cJSON_AddTrueToObject(o, "live");
    playlog_write(pl, "show", o);
}

void playlog_shown(struct playlog *pl, const struct playlog_shown *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "item", f->item);
    cJSON_AddStringToObject(o, "kind", f->kind);
    cJSON_AddNumberToObject(o, "elapsed_ms", (double)f->elapsed_ms);
    if (f->has_frames) {
        cJSON_AddNumberToObject(o, "frames", (double)f->frames);
        cJSON_AddNumberToObject(o, "dropped", (double)f->dropped);
    }
    if (f->live)
        cJSON_AddTrueToObject(o, "live");
    playlog_write(pl, "shown", o);
}

void playlog_poll(struct playlog *pl, const struct playlog_poll *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "url", f->url);
    cJSON_AddNumberToObject(o, "status", f->status);
    cJSON_AddStringToObject(o, "result", f->result);
    if (f->items >= 0)
        cJSON_AddNumberToObject(o, "items", (double)f->items);
    add_opt(o, "error", f->error);
    playlog_write(pl, "poll", o);
}

void playlog_download(struct playlog *pl, const struct playlog_download *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "url", f->url);
    if (f->bytes >= 0)
        cJSON_AddNumberToObject(o, "bytes", (double)f->bytes);
    cJSON_AddStringToObject(o, "result", f->result);
    add_opt(o, "error", f->error);
    playlog_write(pl, "download", o);
}
