/* libFuzzer: JSON Feed parser, then the shared rules and JSON rendering. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_feed(jsonfeed_parse, data, size);
}
