/* libFuzzer: RSS/RDF/Atom parser (hardened libxml2), then the shared rules.
 * The input's length picks the HTTP charset hint (none, Latin-1, Shift_JIS),
 * used by documents that declare nothing and are not UTF-8. */
#include "fuzz_common.h"

static int parse_with_hint(const char *data, size_t len, struct feed **out, char *err,
                           size_t errlen)
{
    static const char *const hints[] = {NULL, "ISO-8859-1", "Shift_JIS"};
    return xmlfeed_parse_charset(data, len, hints[len % 3], out, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_feed(parse_with_hint, data, size);
}
