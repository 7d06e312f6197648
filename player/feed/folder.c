/* Local folders (feeds.md §5). Placeholder until issue 5 lands. */
#include "feed/feed_internal.h"

int feed_read_folder(const char *path, struct feed **out, char *err, size_t errlen)
{
    (void)path;
    (void)out;
    return feed_fail(err, errlen, FEED_ERR_SYNTAX, "folders not supported yet");
}
