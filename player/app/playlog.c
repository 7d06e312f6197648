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
