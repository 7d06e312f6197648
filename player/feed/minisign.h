/* minisign signature verification (jedisct1/minisign, libsodium).
 *
 * Callers: net's poller checks a fetched feed against `<feed url>.minisig`
 * when `[feed] public_key` is set (interface.md). Pure: no I/O, no globals
 * besides libsodium's own one-time initialisation, so any thread may call
 * any function here at any time.
 *
 * Formats, exactly as minisign writes them:
 *   public key  base64("Ed" || key id[8] || Ed25519 public key[32]), either
 *               alone or as the second line of a .pub file whose first line
 *               is "untrusted comment: ...".
 *   .minisig    line 1 "untrusted comment: ..."
 *               line 2 base64(alg[2] || key id[8] || signature[64]); alg
 *                      "Ed" signs the message itself (legacy), "ED" signs
 *                      BLAKE2b-512 of the message (prehashed, the default)
 *               line 3 "trusted comment: <text>"
 *               line 4 base64(Ed25519 over signature[64] || <text>)
 * Lines end in LF or CRLF; the last line may lack its newline; lines after
 * the fourth are ignored, as minisign ignores them. Stricter than minisign:
 * no NUL byte or inner CR anywhere, the whole file within
 * MINISIGN_SIG_TEXT_MAX. */
#ifndef DP_MINISIGN_H
#define DP_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#define MINISIGN_KEYID_BYTES 8
#define MINISIGN_PK_BYTES 32
#define MINISIGN_SIG_BYTES 64
/* Caps on hostile input; minisign's own limits (COMMENTMAXBYTES,
 * TRUSTEDCOMMENTMAXBYTES) include the line's newline. */
#define MINISIGN_PUBKEY_TEXT_MAX 4096     /* a whole .pub file */
#define MINISIGN_COMMENT_MAX 1024         /* untrusted comment line */
#define MINISIGN_TRUSTED_COMMENT_MAX 8192 /* trusted comment line */
#define MINISIGN_SIG_TEXT_MAX 16384       /* a whole .minisig file */

/* Negative results of minisign_verify() and minisign_parse_pubkey(). */
enum minisign_error {
    MINISIGN_ERR_MALFORMED = -1,       /* unparsable key or signature file */
    MINISIGN_ERR_KEY_ID = -2,          /* signed by another key */
    MINISIGN_ERR_SIGNATURE = -3,       /* message does not match */
    MINISIGN_ERR_TRUSTED_COMMENT = -4, /* trusted comment does not match */
    MINISIGN_ERR_INTERNAL = -5,        /* libsodium failed to initialise */
};

/* A parsed public key; plain data, copy it freely. */
struct minisign_key {
    unsigned char id[MINISIGN_KEYID_BYTES]; /* as stored (little endian) */
    unsigned char pk[MINISIGN_PK_BYTES];
};

/* Parses text, either the bare base64 line (surrounding blanks ignored) or a
 * whole .pub file, into *out. Returns 0, or a negative minisign_error with a
 * one-line reason in err (always NUL-terminated when errlen > 0; err may be
 * NULL). *out is only written on success. */
int minisign_parse_pubkey(const char *text, struct minisign_key *out, char *err, size_t errlen);

/* Verifies the .minisig text sig_text[0..sig_len) (need not be
 * NUL-terminated) for msg[0..len) against key: key ids, the signature over
 * the message (legacy or prehashed) and the signature over the trusted
 * comment. Returns 0 when all hold; otherwise a negative minisign_error and
 * a one-line reason in err: "malformed signature file: ...", "key id
 * mismatch", "bad signature", "bad trusted comment signature". Nothing is
 * allocated; msg may be NULL when len is 0. */
int minisign_verify(const struct minisign_key *key, const void *msg, size_t len,
                    const char *sig_text, size_t sig_len, char *err, size_t errlen);

/* The Ed25519 check minisign_verify() uses (libsodium's strict
 * crypto_sign_verify_detached: canonical S, no small-order keys or R).
 * Exposed for the Wycheproof test. Returns 0 when valid, -1 otherwise. */
int minisign_ed25519_verify(const unsigned char sig[MINISIGN_SIG_BYTES], const void *msg,
                            size_t len, const unsigned char pk[MINISIGN_PK_BYTES]);

/* "22503F9818820B42": the key id as minisign prints it, into out (17 bytes
 * with the NUL). For log lines; never fails. */
void minisign_key_id_hex(const unsigned char id[MINISIGN_KEYID_BYTES], char out[17]);

#endif
