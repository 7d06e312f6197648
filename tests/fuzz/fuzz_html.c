/* libFuzzer: HTML to text and the first <img>. */
#include <stdint.h>
#include <stdlib.h>

#include "feed/html_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    free(html_to_text((const char *)data, size));
    free(html_first_img((const char *)data, size));
    return 0;
}
