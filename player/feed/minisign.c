/* minisign.c: verifying minisign signatures with libsodium.
 *
 * Everything is parsed from bounded buffers on the stack: a hostile
 * .minisig can at worst make us read MINISIGN_SIG_TEXT_MAX bytes. The order
 * of checks follows minisign's verify(): parse the whole file, then the key
 * id, the signature over the message, the signature over the trusted
 * comment. */
#include "feed/minisign.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define ALG_LEGACY "Ed"
#define ALG_HASHED "ED"
#define ALG_BYTES 2

/* alg || key id || pk and alg || key id || signature, as minisign packs them */
#define PUBKEY_BIN_BYTES (ALG_BYTES + MINISIGN_KEYID_BYTES + MINISIGN_PK_BYTES)
#define SIG_BIN_BYTES (ALG_BYTES + MINISIGN_KEYID_BYTES + MINISIGN_SIG_BYTES)
/* base64 lengths with padding: 42 -> 56, 74 -> 100, 64 -> 88 */
#define B64_LEN(n) ((((n) + 2) / 3) * 4)

struct line {
    const char *p;
    size_t len; /* without the LF and a CR before it */
};

static int fail(int code, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next line of buf[*pos..len) into *out; the last line may lack its LF.
 * Returns 0, 1 at the end of buf, -1 when the line (with its line ending)
 * is longer than cap bytes. */
static int next_line(const char *buf, size_t len, size_t *pos, size_t cap, struct line *out)
{
    if (*pos >= len)
        return 1;
    const char *start = buf + *pos;
    size_t left = len - *pos;
    const char *nl = memchr(start, '\n', left < cap ? left : cap);
    size_t raw;
    if (nl) {
        raw = (size_t)(nl - start);
        *pos += raw + 1;
    } else if (left <= cap) {
        raw = left;
        *pos = len;
    } else {
        return -1;
    }
    if (raw > 0 && start[raw - 1] == '\r')
        raw--;
    out->p = start;
    out->len = raw;
    return 0;
}

static bool has_prefix(const struct line *l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l->len >= n && memcmp(l->p, prefix, n) == 0;
}

/* Strict base64 (original alphabet, padded, no whitespace) of exactly
 * `want` bytes. */
static bool decode_exact(const struct line *l, unsigned char *bin, size_t want)
{
    size_t got = 0;
    if (l->len != B64_LEN(want))
        return false;
    if (sodium_base642bin(bin, want, l->p, l->len, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return got == want;
}

void minisign_key_id_hex(const unsigned char id[MINISIGN_KEYID_BYTES], char out[17])
{
    static const char digits[] = "0123456789ABCDEF";
    /* minisign prints le64_load(id) with PRIX64: most significant first */
    for (int i = 0; i < MINISIGN_KEYID_BYTES; i++) {
        unsigned char b = id[MINISIGN_KEYID_BYTES - 1 - i];
        out[2 * i] = digits[b >> 4];
        out[2 * i + 1] = digits[b & 15];
    }
    out[16] = '\0';
}

int minisign_ed25519_verify(const unsigned char sig[MINISIGN_SIG_BYTES], const void *msg,
                            size_t len, const unsigned char pk[MINISIGN_PK_BYTES])
{
    static const unsigned char empty[1];
    if (sodium_init() < 0)
        return -1;
    if (!msg)
        msg = empty;
    return crypto_sign_verify_detached(sig, msg, (unsigned long long)len, pk) == 0 ? 0 : -1;
}

int minisign_parse_pubkey(const char *text, struct minisign_key *out, char *err, size_t errlen)
{
    if (!text || !out)
        return fail(MINISIGN_ERR_MALFORMED, err, errlen, "malformed public key: missing");
    if (sodium_init() < 0)
        return fail(MINISIGN_ERR_INTERNAL, err, errlen, "libsodium failed to initialise");
    size_t len = strnlen(text, MINISIGN_PUBKEY_TEXT_MAX + 1);
    if (len > MINISIGN_PUBKEY_TEXT_MAX)
        return fail(MINISIGN_ERR_MALFORMED, err, errlen, "malformed public key: too long");

    size_t pos = 0;
    while (pos < len && is_blank(text[pos]))
        pos++;
    struct line l;
    if (next_line(text, len, &pos, len, &l) != 0)
        return fail(MINISIGN_ERR_MALFORMED, err, errlen, "malformed public key: empty");
    if (has_prefix(&l, "untrusted comment:")) {
        /* a whole .pub file: the key is the second line */
        if (next_line(text, len, &pos, len, &l) != 0)
            return fail(MINISIGN_ERR_MALFORMED, err, errlen,
                        "malformed public key: no key after the comment line");
    }
    while (l.len > 0 && is_blank(l.p[l.len - 1]))
        l.len--;
    for (; pos < len; pos++) {
        if (!is_blank(text[pos]))
            return fail(MINISIGN_ERR_MALFORMED, err, errlen,
                        "malformed public key: trailing data after the key");
    }

    unsigned char bin[PUBKEY_BIN_BYTES];
    if (!decode_exact(&l, bin, sizeof bin))
        return fail(MINISIGN_ERR_MALFORMED, err, errlen,
                    "malformed public key: not base64 of a %d-byte minisign key",
                    PUBKEY_BIN_BYTES);
    if (memcmp(bin, ALG_LEGACY, ALG_BYTES) != 0)
        return fail(MINISIGN_ERR_MALFORMED, err, errlen,
                    "malformed public key: unsupported algorithm");
    memcpy(out->id, bin + ALG_BYTES, MINISIGN_KEYID_BYTES);
    memcpy(out->pk, bin + ALG_BYTES + MINISIGN_KEYID_BYTES, MINISIGN_PK_BYTES);
    return 0;
}

/* What a parsed .minisig holds; the trusted comment points into the text. */
struct parsed_sig {
    bool hashed;
    unsigned char id[MINISIGN_KEYID_BYTES];
    unsigned char sig[MINISIGN_SIG_BYTES];
    unsigned char global_sig[MINISIGN_SIG_BYTES];
    const char *comment;
    size_t comment_len;
};

/* Returns NULL when text parses, otherwise what is wrong with it. */
static const char *parse_sig(const char *text, size_t len, struct parsed_sig *ps)
{
    if (len > MINISIGN_SIG_TEXT_MAX)
        return "too large";
    if (memchr(text, '\0', len))
        return "NUL byte";

    size_t pos = 0;
    struct line l;
    /* the caps leave room for minisign's fgets() terminator, as it does */
    int r = next_line(text, len, &pos, MINISIGN_COMMENT_MAX - 1, &l);
    if (r < 0)
        return "untrusted comment too long";
    if (r > 0 || !has_prefix(&l, UNTRUSTED_PREFIX))
        return "line 1 is not an untrusted comment";

    r = next_line(text, len, &pos, B64_LEN(SIG_BIN_BYTES) + 2, &l);
    if (r != 0)
        return r < 0 ? "signature line too long" : "missing signature line";
    unsigned char bin[SIG_BIN_BYTES];
    if (!decode_exact(&l, bin, sizeof bin))
        return "signature line is not base64 of a minisign signature";
    if (memcmp(bin, ALG_LEGACY, ALG_BYTES) == 0)
        ps->hashed = false;
    else if (memcmp(bin, ALG_HASHED, ALG_BYTES) == 0)
        ps->hashed = true;
    else
        return "unsupported signature algorithm";
    memcpy(ps->id, bin + ALG_BYTES, MINISIGN_KEYID_BYTES);
    memcpy(ps->sig, bin + ALG_BYTES + MINISIGN_KEYID_BYTES, MINISIGN_SIG_BYTES);

    r = next_line(text, len, &pos, MINISIGN_TRUSTED_COMMENT_MAX - 1, &l);
    if (r < 0)
        return "trusted comment too long";
    if (r > 0 || !has_prefix(&l, TRUSTED_PREFIX))
        return "line 3 is not a trusted comment";
    ps->comment = l.p + strlen(TRUSTED_PREFIX);
    ps->comment_len = l.len - strlen(TRUSTED_PREFIX);
    if (memchr(ps->comment, '\r', ps->comment_len))
        return "CR inside the trusted comment";

    r = next_line(text, len, &pos, B64_LEN(MINISIGN_SIG_BYTES) + 2, &l);
    if (r != 0)
        return r < 0 ? "trusted comment signature line too long"
                     : "missing trusted comment signature line";
    if (!decode_exact(&l, ps->global_sig, sizeof ps->global_sig))
        return "trusted comment signature line is not base64 of 64 bytes";

    /* Like minisign, which reads four lines and no more, ignore the rest. */
    return NULL;
}

int minisign_verify(const struct minisign_key *key, const void *msg, size_t len,
                    const char *sig_text, size_t sig_len, char *err, size_t errlen)
{
    static const unsigned char empty[1];
    if (!key || (!msg && len > 0))
        return fail(MINISIGN_ERR_MALFORMED, err, errlen, "malformed call: no key or message");
    if (!msg)
        msg = empty;
    if (!sig_text || sig_len == 0)
        return fail(MINISIGN_ERR_MALFORMED, err, errlen, "malformed signature file: empty");
    if (sodium_init() < 0)
        return fail(MINISIGN_ERR_INTERNAL, err, errlen, "libsodium failed to initialise");

    struct parsed_sig ps;
    const char *why = parse_sig(sig_text, sig_len, &ps);
    if (why)
        return fail(MINISIGN_ERR_MALFORMED, err, errlen, "malformed signature file: %s", why);

    if (sodium_memcmp(ps.id, key->id, MINISIGN_KEYID_BYTES) != 0) {
        char want[17], got[17];
        minisign_key_id_hex(key->id, want);
        minisign_key_id_hex(ps.id, got);
        return fail(MINISIGN_ERR_KEY_ID, err, errlen, "key id mismatch (signed by %s, key is %s)",
                    got, want);
    }

    int bad;
    if (ps.hashed) {
        unsigned char h[crypto_generichash_BYTES_MAX];
        crypto_generichash(h, sizeof h, msg, (unsigned long long)len, NULL, 0);
        bad = minisign_ed25519_verify(ps.sig, h, sizeof h, key->pk);
    } else {
        bad = minisign_ed25519_verify(ps.sig, msg, len, key->pk);
    }
    if (bad)
        return fail(MINISIGN_ERR_SIGNATURE, err, errlen, "bad signature");

    unsigned char signed_comment[MINISIGN_SIG_BYTES + MINISIGN_TRUSTED_COMMENT_MAX];
    memcpy(signed_comment, ps.sig, MINISIGN_SIG_BYTES);
    memcpy(signed_comment + MINISIGN_SIG_BYTES, ps.comment, ps.comment_len);
    if (minisign_ed25519_verify(ps.global_sig, signed_comment, MINISIGN_SIG_BYTES + ps.comment_len,
                                key->pk) != 0)
        return fail(MINISIGN_ERR_TRUSTED_COMMENT, err, errlen, "bad trusted comment signature");
    return 0;
}
