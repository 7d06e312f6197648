/* Mastodon statuses (feeds.md §4). Placeholder until issue 5 lands. */
#include "feed/feed_internal.h"

int mastodon_parse(const char *data, size_t len, struct feed **out, char *err, size_t errlen)
{
    (void)data;
    (void)len;
    (void)out;
    return feed_fail(err, errlen, FEED_ERR_SYNTAX, "Mastodon statuses not supported yet");
}
