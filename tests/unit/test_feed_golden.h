/* Golden-file helper shared by the tests/unit/test_feed_*.c programs.
 *
 * A fixture <dir>/<name>.<ext> is parsed with feed_parse; the result (the
 * normalised posts of feed_to_json, the error code, and every dropped media
 * URL) is compared with <dir>/<name>.expected.json. With DP_UPDATE_GOLDEN=1 in
 * the environment the expected files are rewritten instead (check them by eye
 * before committing). */
#ifndef TEST_FEED_GOLDEN_H
#define TEST_FEED_GOLDEN_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "feed/feed.h"

__attribute__((unused)) static char *golden_read(const char *path, size_t *len)
{
    if (len)
        *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc(cap + 1);
    size_t got;
    while ((got = fread(data + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            data = realloc(data, cap + 1);
        }
    }
    fclose(fp);
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}

__attribute__((unused)) static void golden_on_drop(void *ctx, const char *post_id, const char *url,
                                                   const char *reason)
{
    cJSON *drops = ctx;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "post", post_id ? post_id : "");
    cJSON_AddStringToObject(o, "url", url ? url : "");
    cJSON_AddStringToObject(o, "reason", reason);
    cJSON_AddItemToArray(drops, o);
}

/* The normalised result of parsing one document: caller frees. */
__attribute__((unused)) static char *golden_render(const char *data, size_t len,
                                                   const char *base_url)
{
    cJSON *drops = cJSON_CreateArray();
    struct feed *f = NULL;
    char err[256];
    int r = feed_parse(data, len, base_url, NULL, &f, err, sizeof err, golden_on_drop, drops);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "result", r);
    if (f) {
        char *js = feed_to_json(f);
        cJSON_AddItemToObject(root, "feed", cJSON_Parse(js));
        free(js);
        feed_unref(f);
    }
    cJSON_AddItemToObject(root, "drops", drops);
    char *out = cJSON_Print(root);
    cJSON_Delete(root);
    size_t n = strlen(out);
    char *copy = malloc(n + 2);
    memcpy(copy, out, n);
    copy[n] = '\n';
    copy[n + 1] = '\0';
    cJSON_free(out);
    return copy;
}

__attribute__((unused)) static int golden_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every fixture of dir whose name ends in ext (".json", ".xml") and is
 * not an expected file. Returns the number of mismatches; *count gets the
 * number of fixtures. */
__attribute__((unused)) static int golden_run_dir(const char *dir, const char *ext,
                                                  const char *base_url, int *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "golden: cannot open %s\n", dir);
        return 1;
    }
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    size_t el = strlen(ext);
    while ((e = readdir(d)) && n < 512) {
        size_t l = strlen(e->d_name);
        if (l > el && strcmp(e->d_name + l - el, ext) == 0 && !strstr(e->d_name, ".expected."))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], golden_cmp);
    bool update = getenv("DP_UPDATE_GOLDEN") && strcmp(getenv("DP_UPDATE_GOLDEN"), "1") == 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024], exp_path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(exp_path, sizeof exp_path, "%s/%.*s.expected.json", dir,
                 (int)(strlen(names[i]) - el), names[i]);
        size_t len;
        char *data = golden_read(path, &len);
        char *got = golden_render(data, len, base_url);
        if (update) {
            FILE *fp = fopen(exp_path, "wb");
            if (fp) {
                fputs(got, fp);
                fclose(fp);
            }
            fprintf(stderr, "golden: wrote %s\n", exp_path);
        } else {
            char *want = golden_read(exp_path, NULL);
            if (!want || strcmp(want, got) != 0) {
                fprintf(stderr, "golden: %s differs from %s; got:\n%s\n", path, exp_path, got);
                bad++;
            }
            free(want);
        }
        free(got);
        free(data);
        free(names[i]);
    }
    *count = (int)n;
    return bad;
}

#endif
