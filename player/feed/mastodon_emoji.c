/* Mastodon custom emoji: a status's "emojis" list names the ":shortcode:"
 * texts that its server draws as pictures. deskplayer does not draw inline
 * pictures in text yet, so the shortcodes are taken out of the text rather
 * than shown as words (a post made only of them showed ":pacman: :verified:"
 * in huge letters). Only listed shortcodes are removed: "10:30:00" and
 * ":-)" stay. Any thread. */
#include <stdbool.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/xalloc.h"
#include "feed/feed_internal.h"

void mastodon_strip_emoji(const struct cJSON *status, char *text);
char *mastodon_first_emoji(const struct cJSON *status, const char *html);

#define SHORTCODE_MAX 64

static const char SHORTCODE_CHARS[] = "abcdefghijklmnopqrstuvwxyz"
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

static const cJSON *listed(const cJSON *emojis, const char *code, size_t n)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, emojis)
    {
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(e, "shortcode");
        if (cJSON_IsString(sc) && sc->valuestring && strlen(sc->valuestring) == n &&
            memcmp(sc->valuestring, code, n) == 0)
            return e;
    }
    return NULL;
}

/* The length of the listed shortcode at s (":name:"), else 0. */
static size_t shortcode_at(const cJSON *emojis, const char *s, const cJSON **emoji)
{
    if (s[0] != ':')
        return 0;
    size_t n = strspn(s + 1, SHORTCODE_CHARS);
    if (n == 0 || n > SHORTCODE_MAX || s[1 + n] != ':')
        return 0;
    *emoji = listed(emojis, s + 1, n);
    return *emoji ? n + 2 : 0;
}

char *mastodon_first_emoji(const struct cJSON *status, const char *html)
{
    const cJSON *emojis = cJSON_GetObjectItemCaseSensitive(status, "emojis");
    if (!cJSON_IsArray(emojis) || !html)
        return NULL;
    for (const char *p = html; (p = strchr(p, ':')); p++) {
        const cJSON *e;
        if (shortcode_at(emojis, p, &e)) {
            const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "static_url");
            if (!cJSON_IsString(u) || !u->valuestring || !*u->valuestring)
                u = cJSON_GetObjectItemCaseSensitive(e, "url");
            if (cJSON_IsString(u) && u->valuestring && *u->valuestring)
                return dp_strdup(u->valuestring);
        }
    }
    return NULL;
}

void mastodon_strip_emoji(const struct cJSON *status, char *text)
{
    const cJSON *emojis = cJSON_GetObjectItemCaseSensitive(status, "emojis");
    if (!cJSON_IsArray(emojis) || cJSON_GetArraySize(emojis) == 0 || !text)
        return;
    size_t o = 0;
    for (size_t i = 0; text[i];) {
        const cJSON *e;
        size_t n = shortcode_at(emojis, text + i, &e);
        if (n) {
            i += n;
            /* One space where the emoji sat between two words. */
            while (text[i] == ' ' && (o == 0 || text[o - 1] == ' ' || text[o - 1] == '\n'))
                i++;
            continue;
        }
        text[o++] = text[i++];
    }
    while (o > 0 && (text[o - 1] == ' ' || text[o - 1] == '\n'))
        o--;
    text[o] = '\0';
}
