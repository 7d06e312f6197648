/* libFuzzer: URL resolution and date parsing. The input is split at its
 * first newline: base, then reference; the whole input is also a date. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed/dates.h"
#include "feed/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t ms;
    date_parse_any(s, &ms);
    char *nl = strchr(s, '\n');
    const char *base = s, *ref = "";
    if (nl) {
        *nl = '\0';
        ref = nl + 1;
    }
    char *r = url_resolve(base, ref);
    if (r) {
        url_scheme_allowed(r, size & 1);
        free(url_to_path(r));
        free(r);
    }
    free(url_to_path(base));
    url_is_local(ref);
    free(s);
    return 0;
}
