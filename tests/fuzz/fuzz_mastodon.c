/* libFuzzer: Mastodon statuses parser, then the shared rules. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_feed(mastodon_parse, data, size);
}
