/* libFuzzer: the minisign signature file parser and verifier (feed/minisign.c),
 * and the public key parser. The input is a .minisig file checked against
 * tests/fixtures/minisign/feed.xml and its key (so mutations of the real
 * signature reach the trusted-comment check); the input is also parsed as
 * a public key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/minisign.h"

static char *message;
static size_t message_len;
static struct minisign_key key;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t n = 0;
    message = slurp(DP_SOURCE_DIR "/tests/fixtures/minisign/feed.xml", &message_len);
    char *pub = slurp(DP_SOURCE_DIR "/tests/fixtures/minisign/minisign.pub", &n);
    if (pub && minisign_parse_pubkey(pub, &key, NULL, 0) != 0)
        fprintf(stderr, "fuzz_minisign: the fixture key does not parse\n");
    free(pub);
    if (!message)
        message_len = 0;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    minisign_verify(&key, message, message_len, (const char *)data, size, err, sizeof err);
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct minisign_key k;
    if (minisign_parse_pubkey(s, &k, err, sizeof err) == 0) {
        char hex[17];
        minisign_key_id_hex(k.id, hex);
    }
    free(s);
    return 0;
}
