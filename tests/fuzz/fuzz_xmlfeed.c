/* libFuzzer: RSS/RDF/Atom parser (hardened libxml2), then the shared rules. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_feed(xmlfeed_parse, data, size);
}
