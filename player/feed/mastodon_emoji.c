/* Mastodon custom emoji: a status's "emojis" list names the ":shortcode:"
 * texts that its server draws as pictures (they showed as words: a post made
 * only of them read ":pacman: :verified:" in huge letters). In the text each
 * becomes U+FFFC, and post->emoji lists their static pictures in the same
 * order: the cards draw them inline at the line's height. Where no picture
 * can be drawn (the author line; past MASTODON_EMOJI_MAX) they are taken
 * out. Only listed shortcodes count: "10:30:00" and ":-)" stay. Any thread. */
#include <stdbool.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/xalloc.h"
#include "feed/feed_internal.h"

void mastodon_strip_emoji(const struct cJSON *status, char *text);
void mastodon_place_emoji(const struct cJSON *status, struct post *p);

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

#define MASTODON_EMOJI_MAX 32 /* pictures per post; more are taken out */

static const char *emoji_url(const cJSON *e)
{
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "static_url");
    if (!cJSON_IsString(u) || !u->valuestring || !*u->valuestring)
        u = cJSON_GetObjectItemCaseSensitive(e, "url");
    return cJSON_IsString(u) && u->valuestring && *u->valuestring ? u->valuestring : NULL;
}

void mastodon_place_emoji(const struct cJSON *status, struct post *p)
{
    const cJSON *emojis = cJSON_GetObjectItemCaseSensitive(status, "emojis");
    char *text = p->text;
    if (!cJSON_IsArray(emojis) || cJSON_GetArraySize(emojis) == 0 || !text)
        return;
    size_t o = 0;
    for (size_t i = 0; text[i];) {
        if (strncmp(text + i, POST_EMOJI_CHAR, 3) == 0) {
            i += 3; /* one the post wrote itself would shift the pictures */
            continue;
        }
        const cJSON *e;
        size_t n = shortcode_at(emojis, text + i, &e);
        if (!n) {
            text[o++] = text[i++];
            continue;
        }
        /* ":x:" is 3 bytes at least, U+FFFC 3: written in place. */
        if (p->n_emoji < MASTODON_EMOJI_MAX) {
            p->emoji = dp_realloc(p->emoji, (p->n_emoji + 1) * sizeof *p->emoji);
            p->emoji[p->n_emoji].code = dp_strndup(text + i + 1, n - 2);
            p->emoji[p->n_emoji].url = dp_strdup(emoji_url(e));
            p->n_emoji++;
            memcpy(text + o, POST_EMOJI_CHAR, 3);
            o += 3;
        }
        i += n;
    }
    text[o] = '\0';
}
