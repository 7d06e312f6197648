/* libFuzzer: the image header checks run before any decoder (issue 8):
 * image_sniff, image_check_frames on every format, and libjpeg's header
 * read with the budget installed (image_jpeg_budget_check). */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

#include "media/image_check.h"

struct fuzz_jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
};

static void fuzz_jpeg_exit(j_common_ptr c)
{
    longjmp(((struct fuzz_jerr *)c->err)->jump, 1);
}
static void fuzz_jpeg_quiet(j_common_ptr c, int level)
{
    (void)c;
    (void)level;
}

static void fuzz_jpeg_header(const uint8_t *data, size_t size)
{
    struct jpeg_decompress_struct cinfo;
    struct fuzz_jerr e;
    struct image_jpeg_budget b;
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = fuzz_jpeg_exit;
    e.mgr.emit_message = fuzz_jpeg_quiet;
    jpeg_create_decompress(&cinfo);
    if (setjmp(e.jump) == 0) {
        image_jpeg_budget_install(&cinfo, &b);
        jpeg_mem_src(&cinfo, data, (unsigned long)size);
        enum dp_reason why;
        if (jpeg_read_header(&cinfo, TRUE) == JPEG_HEADER_OK)
            (void)image_jpeg_budget_check(&cinfo, &why);
    }
    jpeg_destroy_decompress(&cinfo);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int w, h;
    enum dp_reason why;
    enum image_format fmt = image_sniff(data, size, &w, &h);
    (void)image_check_frames(fmt, data, size, &why);
    /* The walkers on bytes of any kind (a sniffed format is not needed). */
    (void)image_check_frames(IMAGE_GIF, data, size, &why);
    (void)image_check_frames(IMAGE_WEBP, data, size, &why);
    if (size && size < 65536)
        fuzz_jpeg_header(data, size);
    return 0;
}
