/* minisign.c: signatures built here exactly as minisign writes them (legacy
 * "Ed" and prehashed "ED"), tampered and malformed variants, files made by
 * the real minisign 0.11 (tests/fixtures/minisign), a folder of bad files,
 * and every Wycheproof Ed25519 vector through the same verify path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <sodium.h>

#include "feed/minisign.h"

#define FIXTURES DP_FIXTURES "/minisign"
#define WYCHEPROOF DP_CORPUS "/wycheproof/testvectors_v1/ed25519_test.json"
#define TEXT_CAP 65536

/* ---- helpers ---------------------------------------------------------- */

struct keypair {
    unsigned char id[MINISIGN_KEYID_BYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
};

static struct keypair kp, other_kp;

static void make_keypair(struct keypair *k)
{
    assert_int_equal(crypto_sign_keypair(k->pk, k->sk), 0);
    randombytes_buf(k->id, sizeof k->id);
}

static void b64(char *out, size_t cap, const unsigned char *bin, size_t len)
{
    assert_true(sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL) <= cap);
    sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_ORIGINAL);
}

/* The .pub file as `minisign -G` writes it; line_only: just the key line. */
static void make_pub(char *out, size_t cap, const struct keypair *k, bool line_only)
{
    unsigned char bin[2 + MINISIGN_KEYID_BYTES + MINISIGN_PK_BYTES];
    char line[128], hex[17];
    memcpy(bin, "Ed", 2);
    memcpy(bin + 2, k->id, MINISIGN_KEYID_BYTES);
    memcpy(bin + 2 + MINISIGN_KEYID_BYTES, k->pk, MINISIGN_PK_BYTES);
    b64(line, sizeof line, bin, sizeof bin);
    minisign_key_id_hex(k->id, hex);
    if (line_only)
        snprintf(out, cap, "%s", line);
    else
        snprintf(out, cap, "untrusted comment: minisign public key %s\n%s\n", hex, line);
}

/* The four lines of a .minisig as minisign -S writes them, without line
 * endings; each a fresh string. */
struct sig_lines {
    char *l[4];
};

static void free_lines(struct sig_lines *s)
{
    for (int i = 0; i < 4; i++)
        free(s->l[i]);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

/* What to do to a signature while building it. */
enum tamper {
    T_NONE,
    T_SIG_BYTE,    /* flip a bit of the message signature */
    T_GLOBAL_BYTE, /* flip a bit of the trusted comment signature */
    T_COMMENT,     /* change the trusted comment after signing */
    T_KEY_ID,      /* a key id other than the key's */
    T_OTHER_KEY,   /* signed by another key that claims our key id */
    T_ALG_SWAP,    /* "Ed" <-> "ED" after signing */
    T_ALG_UNKNOWN, /* "XX" */
};

static void make_sig(struct sig_lines *s, const struct keypair *k, bool hashed, const void *msg,
                     size_t len, const char *comment, enum tamper t)
{
    const struct keypair *signer = t == T_OTHER_KEY ? &other_kp : k;
    unsigned char h[crypto_generichash_BYTES_MAX];
    const unsigned char *m = msg;
    size_t mlen = len;
    if (hashed) {
        crypto_generichash(h, sizeof h, msg, len, NULL, 0);
        m = h;
        mlen = sizeof h;
    }
    unsigned char bin[2 + MINISIGN_KEYID_BYTES + MINISIGN_SIG_BYTES];
    unsigned char *sig = bin + 2 + MINISIGN_KEYID_BYTES;
    memcpy(bin, hashed ? "ED" : "Ed", 2);
    memcpy(bin + 2, k->id, MINISIGN_KEYID_BYTES);
    crypto_sign_detached(sig, NULL, m, mlen, signer->sk);

    size_t clen = strlen(comment);
    unsigned char *sc = malloc(MINISIGN_SIG_BYTES + clen);
    assert_non_null(sc);
    memcpy(sc, sig, MINISIGN_SIG_BYTES);
    memcpy(sc + MINISIGN_SIG_BYTES, comment, clen);
    unsigned char global[MINISIGN_SIG_BYTES];
    crypto_sign_detached(global, NULL, sc, MINISIGN_SIG_BYTES + clen, signer->sk);
    free(sc);

    switch (t) {
    case T_SIG_BYTE:
        sig[17] ^= 0x04;
        break;
    case T_GLOBAL_BYTE:
        global[40] ^= 0x01;
        break;
    case T_KEY_ID:
        bin[2] ^= 0xff;
        break;
    case T_ALG_SWAP:
        bin[1] = hashed ? 'd' : 'D';
        break;
    case T_ALG_UNKNOWN:
        memcpy(bin, "XX", 2);
        break;
    default:
        break;
    }

    char line[256];
    s->l[0] = xstrdup("untrusted comment: signature from minisign secret key");
    b64(line, sizeof line, bin, sizeof bin);
    s->l[1] = xstrdup(line);
    size_t tlen = strlen("trusted comment: ") + clen + 2;
    s->l[2] = malloc(tlen);
    assert_non_null(s->l[2]);
    snprintf(s->l[2], tlen, "trusted comment: %s%s", comment, t == T_COMMENT ? "!" : "");
    b64(line, sizeof line, global, sizeof global);
    s->l[3] = xstrdup(line);
}

/* Joins the lines with eol, the last one too unless no_final_eol. */
static size_t join(char *out, size_t cap, const struct sig_lines *s, const char *eol,
                   bool no_final_eol)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        if (!s->l[i])
            continue;
        int w = snprintf(out + n, cap - n, "%s%s", s->l[i], i == 3 && no_final_eol ? "" : eol);
        assert_true(w >= 0 && (size_t)w < cap - n);
        n += (size_t)w;
    }
    return n;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            assert_non_null(nb);
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, fp);
        n += r;
        if (r == 0)
            break;
    }
    fclose(fp);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The reason is one line and begins with the expected words. */
static void check_reason(const char *err, const char *want)
{
    assert_non_null(strstr(err, want));
    assert_ptr_equal(strstr(err, want), err);
    assert_null(strchr(err, '\n'));
}

static const char msg[] = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>\n";

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    make_keypair(&kp);
    make_keypair(&other_kp);
    return 0;
}

/* ---- public keys ------------------------------------------------------- */

static void test_pubkey_forms(void **state)
{
    (void)state;
    char line[128], file[512], buf[1024];
    make_pub(line, sizeof line, &kp, true);
    make_pub(file, sizeof file, &kp, false);

    static const struct {
        const char *fmt; /* %s is the key line or the whole file */
        bool whole_file;
        int expected;
    } cases[] = {
        {"%s", false, 0},
        {"  %s \n", false, 0},
        {"%s\r\n", false, 0},
        {"%s", true, 0},
        {"\n%s\n\n", true, 0},
        {"%sA", false, MINISIGN_ERR_MALFORMED}, /* too long */
        {"A%s", false, MINISIGN_ERR_MALFORMED},
        {"%s\n%s", false, MINISIGN_ERR_MALFORMED}, /* see below: 2 keys */
        {"%s trailing", false, MINISIGN_ERR_MALFORMED},
        {"%sextra line\n", true, MINISIGN_ERR_MALFORMED},
        {"untrusted comment: only a comment\n", false, MINISIGN_ERR_MALFORMED},
        {"", false, MINISIGN_ERR_MALFORMED},
        {"   \n", false, MINISIGN_ERR_MALFORMED},
        {"RWQ!!!!", false, MINISIGN_ERR_MALFORMED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *arg = cases[i].whole_file ? file : line;
        snprintf(buf, sizeof buf, cases[i].fmt, arg, arg);
        struct minisign_key key;
        memset(&key, 0xaa, sizeof key);
        char err[128] = "";
        int rc = minisign_parse_pubkey(buf, &key, err, sizeof err);
        if (rc != cases[i].expected)
            fail_msg("case %zu (%s): rc %d err \"%s\"", i, cases[i].fmt, rc, err);
        if (rc == 0) {
            assert_memory_equal(key.id, kp.id, sizeof key.id);
            assert_memory_equal(key.pk, kp.pk, sizeof key.pk);
        } else {
            check_reason(err, "malformed public key");
        }
    }
}

static void test_pubkey_hostile(void **state)
{
    (void)state;
    struct minisign_key key;
    char err[128];
    /* truncated key lines of every length */
    char line[128];
    make_pub(line, sizeof line, &kp, true);
    for (size_t n = 0; n < strlen(line); n++) {
        char t[128];
        memcpy(t, line, n);
        t[n] = '\0';
        assert_int_equal(minisign_parse_pubkey(t, &key, err, sizeof err), MINISIGN_ERR_MALFORMED);
    }
    /* a signature-algorithm tag other than "Ed" */
    unsigned char bin[42] = "ED";
    sodium_bin2base64(line, sizeof line, bin, sizeof bin, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(minisign_parse_pubkey(line, &key, err, sizeof err), MINISIGN_ERR_MALFORMED);
    check_reason(err, "malformed public key: unsupported algorithm");
    /* a huge text, unterminated within the cap */
    size_t big = MINISIGN_PUBKEY_TEXT_MAX * 4;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, 'A', big);
    huge[big] = '\0';
    assert_int_equal(minisign_parse_pubkey(huge, &key, err, sizeof err), MINISIGN_ERR_MALFORMED);
    free(huge);
    /* NULLs and tiny error buffers */
    assert_int_equal(minisign_parse_pubkey(NULL, &key, err, sizeof err), MINISIGN_ERR_MALFORMED);
    assert_int_equal(minisign_parse_pubkey("x", &key, NULL, 0), MINISIGN_ERR_MALFORMED);
    err[0] = 'z';
    assert_int_equal(minisign_parse_pubkey("x", &key, err, 1), MINISIGN_ERR_MALFORMED);
    assert_int_equal(err[0], '\0');
}

/* ---- signatures built here -------------------------------------------- */

static const struct sig_case {
    const char *name;
    bool hashed;
    enum tamper tamper;
    bool flip_msg;   /* verify a message with one bit flipped */
    const char *eol; /* line ending; NULL: "\n" */
    bool no_final_eol;
    const char *tail; /* appended after line 4 */
    int expected;
    const char *reason;
} sig_cases[] = {
    {"legacy", false, T_NONE, false, NULL, false, NULL, 0, NULL},
    {"prehashed", true, T_NONE, false, NULL, false, NULL, 0, NULL},
    {"legacy crlf", false, T_NONE, false, "\r\n", false, NULL, 0, NULL},
    {"prehashed crlf", true, T_NONE, false, "\r\n", false, NULL, 0, NULL},
    {"no final newline", true, T_NONE, false, NULL, true, NULL, 0, NULL},
    {"trailing blank lines", true, T_NONE, false, NULL, false, "\n\n", 0, NULL},
    /* minisign reads four lines and ignores the rest; so do we */
    {"trailing lines", true, T_NONE, false, NULL, false, "more\n", 0, NULL},
    {"legacy flipped message", false, T_NONE, true, NULL, false, NULL, MINISIGN_ERR_SIGNATURE,
     "bad signature"},
    {"prehashed flipped message", true, T_NONE, true, NULL, false, NULL, MINISIGN_ERR_SIGNATURE,
     "bad signature"},
    {"legacy flipped signature", false, T_SIG_BYTE, false, NULL, false, NULL,
     MINISIGN_ERR_SIGNATURE, "bad signature"},
    {"prehashed flipped signature", true, T_SIG_BYTE, false, NULL, false, NULL,
     MINISIGN_ERR_SIGNATURE, "bad signature"},
    {"legacy changed trusted comment", false, T_COMMENT, false, NULL, false, NULL,
     MINISIGN_ERR_TRUSTED_COMMENT, "bad trusted comment signature"},
    {"prehashed changed trusted comment", true, T_COMMENT, false, NULL, false, NULL,
     MINISIGN_ERR_TRUSTED_COMMENT, "bad trusted comment signature"},
    {"flipped trusted comment signature", true, T_GLOBAL_BYTE, false, NULL, false, NULL,
     MINISIGN_ERR_TRUSTED_COMMENT, "bad trusted comment signature"},
    {"legacy wrong key id", false, T_KEY_ID, false, NULL, false, NULL, MINISIGN_ERR_KEY_ID,
     "key id mismatch"},
    {"prehashed wrong key id", true, T_KEY_ID, false, NULL, false, NULL, MINISIGN_ERR_KEY_ID,
     "key id mismatch"},
    {"other key claiming our id", true, T_OTHER_KEY, false, NULL, false, NULL,
     MINISIGN_ERR_SIGNATURE, "bad signature"},
    {"legacy relabelled prehashed", false, T_ALG_SWAP, false, NULL, false, NULL,
     MINISIGN_ERR_SIGNATURE, "bad signature"},
    {"prehashed relabelled legacy", true, T_ALG_SWAP, false, NULL, false, NULL,
     MINISIGN_ERR_SIGNATURE, "bad signature"},
    {"unknown algorithm", true, T_ALG_UNKNOWN, false, NULL, false, NULL, MINISIGN_ERR_MALFORMED,
     "malformed signature file: unsupported signature algorithm"},
};

static void test_sig_cases(void **state)
{
    (void)state;
    char pub[512];
    make_pub(pub, sizeof pub, &kp, false);
    struct minisign_key key;
    assert_int_equal(minisign_parse_pubkey(pub, &key, NULL, 0), 0);

    for (size_t i = 0; i < sizeof sig_cases / sizeof sig_cases[0]; i++) {
        const struct sig_case *c = &sig_cases[i];
        struct sig_lines s;
        make_sig(&s, &kp, c->hashed, msg, strlen(msg), "timestamp:1700000000\tfile:feed.xml",
                 c->tamper);
        char text[4096];
        size_t n = join(text, sizeof text, &s, c->eol ? c->eol : "\n", c->no_final_eol);
        if (c->tail) {
            snprintf(text + n, sizeof text - n, "%s", c->tail);
            n += strlen(c->tail);
        }
        free_lines(&s);
        char m[sizeof msg];
        memcpy(m, msg, sizeof msg);
        if (c->flip_msg)
            m[7] ^= 0x20;
        char err[160] = "";
        int rc = minisign_verify(&key, m, strlen(msg), text, n, err, sizeof err);
        if (rc != c->expected)
            fail_msg("%s: rc %d, expected %d (%s)", c->name, rc, c->expected, err);
        if (c->reason)
            check_reason(err, c->reason);
    }
}

/* Empty messages, empty and maximal trusted comments. */
static void test_sig_edges(void **state)
{
    (void)state;
    struct minisign_key key;
    memcpy(key.id, kp.id, sizeof key.id);
    memcpy(key.pk, kp.pk, sizeof key.pk);

    /* the longest trusted comment minisign can read: the line and its LF in
     * 8191 bytes; one more byte is malformed */
    size_t max_comment = MINISIGN_TRUSTED_COMMENT_MAX - 2 - strlen("trusted comment: ");
    char *comment = malloc(max_comment + 2);
    assert_non_null(comment);
    static const struct {
        size_t comment_len;
        bool hashed;
        bool empty_msg;
        int expected;
    } cases[] = {
        {0, false, true, 0},
        {0, true, true, 0},
        {0, true, false, 0},
        {1, false, false, 0},
        {SIZE_MAX, true, false, 0},                          /* SIZE_MAX: max_comment */
        {SIZE_MAX - 1, true, false, MINISIGN_ERR_MALFORMED}, /* max_comment + 1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t cl = cases[i].comment_len;
        if (cl == SIZE_MAX)
            cl = max_comment;
        else if (cl == SIZE_MAX - 1)
            cl = max_comment + 1;
        memset(comment, 'c', cl);
        comment[cl] = '\0';
        struct sig_lines s;
        const char *m = cases[i].empty_msg ? NULL : msg;
        size_t ml = cases[i].empty_msg ? 0 : strlen(msg);
        make_sig(&s, &kp, cases[i].hashed, m ? m : "", ml, comment, T_NONE);
        char *text = malloc(TEXT_CAP);
        assert_non_null(text);
        size_t n = join(text, TEXT_CAP, &s, "\n", false);
        free_lines(&s);
        char err[160] = "";
        int rc = minisign_verify(&key, m, ml, text, n, err, sizeof err);
        free(text);
        if (rc != cases[i].expected)
            fail_msg("edge case %zu: rc %d (%s)", i, rc, err);
    }
    free(comment);
}

/* Malformed files: one line of a valid file changed, dropped or swollen. */
enum op { OP_DROP, OP_REPLACE, OP_CUT, OP_APPEND, OP_HUGE };

static const struct bad_case {
    const char *name;
    int line; /* 1..4; 0: the whole text */
    enum op op;
    const char *arg; /* OP_REPLACE, OP_APPEND */
    size_t n;        /* OP_CUT: bytes cut from the end; OP_HUGE: size */
    const char *reason;
} bad_cases[] = {
    {"no untrusted comment", 1, OP_DROP, NULL, 0, "line 1 is not an untrusted comment"},
    {"no signature line", 2, OP_DROP, NULL, 0, "signature line is not base64"},
    {"no trusted comment", 3, OP_DROP, NULL, 0, "line 3 is not a trusted comment"},
    {"no global signature", 4, OP_DROP, NULL, 0, "missing trusted comment signature line"},
    {"empty text", 0, OP_CUT, NULL, SIZE_MAX, "empty"},
    {"only line 1", 0, OP_CUT, NULL, 1000, "missing signature line"},
    {"lowercase prefix", 1, OP_REPLACE, "Untrusted comment: x", 0, "line 1"},
    {"prefix without space", 1, OP_REPLACE, "untrusted comment:x", 0, "line 1"},
    {"trusted prefix typo", 3, OP_REPLACE, "trusted  comment: x", 0, "line 3"},
    {"truncated signature", 2, OP_CUT, NULL, 4, "signature line is not base64"},
    {"signature without padding", 2, OP_CUT, NULL, 1, "signature line is not base64"},
    {"garbage signature", 2, OP_REPLACE,
     "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
     "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
     0, "signature line is not base64"},
    {"url-safe alphabet", 2, OP_REPLACE,
     "RURCC4IYmD9QIhhO6rr1nsGnVOQEUwStslAcIilpruJt2JBk9k"
     "sJuHg3CmI6CXFMzS0thY-314X2GI-_2X_QE2aP9LegOT7cTQQ=",
     0, "signature line is not base64"},
    {"space in signature", 2, OP_APPEND, " ", 0, "signature line is not base64"},
    {"signature of 75 bytes", 2, OP_APPEND, "AAAA", 0, "signature line too long"},
    {"truncated global signature", 4, OP_CUT, NULL, 4, "trusted comment signature line"},
    {"global signature padded wrong", 4, OP_CUT, NULL, 1, "trusted comment signature line"},
    {"CR inside trusted comment", 3, OP_APPEND, "\rx", 0, "CR inside the trusted comment"},
    {"NUL byte", 3, OP_APPEND, "\0", 1, "NUL byte"},
    {"huge untrusted comment", 1, OP_HUGE, NULL, 5000, "untrusted comment too long"},
    {"huge signature line", 2, OP_HUGE, NULL, 5000, "signature line too long"},
    {"huge trusted comment", 3, OP_HUGE, NULL, 9000, "trusted comment too long"},
    {"huge global signature line", 4, OP_HUGE, NULL, 500, "trusted comment signature line too"},
    {"huge file", 0, OP_HUGE, NULL, MINISIGN_SIG_TEXT_MAX + 1, "too large"},
};

static void test_malformed(void **state)
{
    (void)state;
    struct minisign_key key;
    memcpy(key.id, kp.id, sizeof key.id);
    memcpy(key.pk, kp.pk, sizeof key.pk);
    char *text = malloc(TEXT_CAP);
    char *huge = malloc(TEXT_CAP);
    assert_non_null(text);
    assert_non_null(huge);

    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        struct sig_lines s;
        make_sig(&s, &kp, true, msg, strlen(msg), "timestamp:1\tfile:f", T_NONE);
        size_t extra_nul = 0;
        if (c->line > 0) {
            char **l = &s.l[c->line - 1];
            size_t len = strlen(*l);
            switch (c->op) {
            case OP_DROP:
                free(*l);
                *l = NULL;
                break;
            case OP_REPLACE:
                free(*l);
                *l = xstrdup(c->arg);
                break;
            case OP_CUT:
                (*l)[len > c->n ? len - c->n : 0] = '\0';
                break;
            case OP_APPEND:
                if (c->n == 1) {
                    extra_nul = 1; /* a NUL cannot ride in a C string: added below */
                    break;
                }
                *l = realloc(*l, len + strlen(c->arg) + 1);
                assert_non_null(*l);
                strcat(*l, c->arg);
                break;
            case OP_HUGE: {
                char *h = malloc(c->n + 1);
                assert_non_null(h);
                /* keep the line's prefix so that only its size is wrong */
                memset(h, c->line == 2 || c->line == 4 ? 'A' : 'x', c->n);
                memcpy(h, *l, len < c->n ? len : c->n);
                h[c->n] = '\0';
                free(*l);
                *l = h;
                break;
            }
            }
        }
        size_t l4len = s.l[3] ? strlen(s.l[3]) : 0;
        size_t n = join(text, TEXT_CAP, &s, "\n", false);
        free_lines(&s);
        if (extra_nul) {
            /* "...line 3\0\nline 4\n": a NUL before line 3's LF */
            size_t at = n - l4len - 2;
            memmove(text + at + 1, text + at, n - at);
            text[at] = '\0';
            n++;
        }
        const char *t = text;
        if (c->line == 0 && c->op == OP_CUT)
            n = c->n == SIZE_MAX ? 0 : (size_t)(strchr(text, '\n') - text + 1);
        if (c->line == 0 && c->op == OP_HUGE) {
            memset(huge, 'x', c->n);
            memcpy(huge, text, n);
            t = huge;
            n = c->n;
        }
        char err[160] = "";
        int rc = minisign_verify(&key, msg, strlen(msg), t, n, err, sizeof err);
        if (rc != MINISIGN_ERR_MALFORMED || !strstr(err, c->reason))
            fail_msg("%s: rc %d err \"%s\", expected \"%s\"", c->name, rc, err, c->reason);
        check_reason(err, "malformed signature file");
    }
    free(text);
    free(huge);
}

/* ---- files made by the real minisign 0.11 ------------------------------ */

static void load_fixture_key(struct minisign_key *key)
{
    size_t len;
    char *pub = read_all(FIXTURES "/minisign.pub", &len);
    assert_non_null(pub);
    char err[128] = "";
    if (minisign_parse_pubkey(pub, key, err, sizeof err) != 0)
        fail_msg("minisign.pub: %s", err);
    free(pub);
    char hex[17];
    minisign_key_id_hex(key->id, hex);
    assert_string_equal(hex, "22503F9818820B42"); /* as minisign -G printed it */
}

static void test_real_minisign(void **state)
{
    (void)state;
    struct minisign_key key;
    load_fixture_key(&key);
    /* the bare line, as [feed] public_key holds it */
    struct minisign_key bare;
    assert_int_equal(
        minisign_parse_pubkey("RWRCC4IYmD9QIplsHgu3slo87a6nubLoLm1Rspj5LP4k50C3jMjWyW4H", &bare,
                              NULL, 0),
        0);
    assert_memory_equal(&bare, &key, sizeof key);

    size_t mlen;
    char *m = read_all(FIXTURES "/feed.xml", &mlen);
    assert_non_null(m);
    static const struct {
        const char *sig;
        bool flip_msg;
        int expected;
    } cases[] = {
        {"feed.xml.minisig", false, 0},        /* minisign -S (prehashed "ED") */
        {"feed.xml.legacy.minisig", false, 0}, /* minisign -S -l (legacy "Ed") */
        {"feed.xml.minisig", true, MINISIGN_ERR_SIGNATURE},
        {"feed.xml.legacy.minisig", true, MINISIGN_ERR_SIGNATURE},
        {"feed.xml.otherkey.minisig", false, MINISIGN_ERR_KEY_ID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", FIXTURES, cases[i].sig);
        size_t slen;
        char *sig = read_all(path, &slen);
        assert_non_null(sig);
        if (cases[i].flip_msg)
            m[mlen / 2] ^= 1;
        char err[160] = "";
        int rc = minisign_verify(&key, m, mlen, sig, slen, err, sizeof err);
        if (cases[i].flip_msg)
            m[mlen / 2] ^= 1;
        if (rc != cases[i].expected)
            fail_msg("%s (flip %d): rc %d (%s)", cases[i].sig, cases[i].flip_msg, rc, err);
        free(sig);
    }
    free(m);
}

/* tests/fixtures/minisign/bad: each file derived from feed.xml.minisig and
 * each rejected (real minisign rejects them all too). */
static void test_bad_folder(void **state)
{
    (void)state;
    struct minisign_key key;
    load_fixture_key(&key);
    size_t mlen;
    char *m = read_all(FIXTURES "/feed.xml", &mlen);
    assert_non_null(m);
    DIR *d = opendir(FIXTURES "/bad");
    assert_non_null(d);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/bad/%s", FIXTURES, e->d_name);
        size_t slen;
        char *sig = read_all(path, &slen);
        assert_non_null(sig);
        char err[160] = "";
        int rc = minisign_verify(&key, m, mlen, sig, slen, err, sizeof err);
        if (rc >= 0 || err[0] == '\0' || strchr(err, '\n'))
            fail_msg("bad/%s: rc %d (%s)", e->d_name, rc, err);
        free(sig);
        count++;
    }
    closedir(d);
    free(m);
    assert_true(count >= 10);
}

/* ---- Wycheproof -------------------------------------------------------- */

static bool unhex(const char *hex, unsigned char *out, size_t cap, size_t *len)
{
    size_t hl = strlen(hex);
    return sodium_hex2bin(out, cap, hex, hl, NULL, len, NULL) == 0 && *len * 2 == hl;
}

/* Vectors libsodium 1.0.18 judges differently from Wycheproof, with why;
 * empty when it agrees with every vector. */
static const int known_disagreements[] = {0};

static void test_wycheproof(void **state)
{
    (void)state;
    size_t len;
    char *json = read_all(WYCHEPROOF, &len);
    if (!json) {
        print_message("no Wycheproof corpus at %s\n", WYCHEPROOF);
        skip();
    }
    cJSON *root = cJSON_Parse(json);
    free(json);
    assert_non_null(root);

    int total = 0, agree = 0, unexpected = 0, accepted_count = 0;
    const cJSON *group;
    cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(root, "testGroups"))
    {
        const cJSON *pkj = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(group, "publicKey"), "pk");
        assert_true(cJSON_IsString(pkj));
        unsigned char pk[MINISIGN_PK_BYTES];
        size_t pklen;
        bool pk_ok = unhex(pkj->valuestring, pk, sizeof pk, &pklen) && pklen == sizeof pk;
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(group, "tests"))
        {
            int id = cJSON_GetObjectItemCaseSensitive(t, "tcId")->valueint;
            const char *mh = cJSON_GetObjectItemCaseSensitive(t, "msg")->valuestring;
            const char *sh = cJSON_GetObjectItemCaseSensitive(t, "sig")->valuestring;
            const char *res = cJSON_GetObjectItemCaseSensitive(t, "result")->valuestring;
            const char *comment = cJSON_GetObjectItemCaseSensitive(t, "comment")->valuestring;
            size_t mcap = strlen(mh) / 2 + 1, mlen, slen;
            unsigned char *mb = malloc(mcap);
            unsigned char sig[MINISIGN_SIG_BYTES + 8];
            assert_non_null(mb);
            bool accepted = false;
            if (pk_ok && unhex(mh, mb, mcap, &mlen) && unhex(sh, sig, sizeof sig, &slen) &&
                slen == MINISIGN_SIG_BYTES)
                accepted = minisign_ed25519_verify(sig, mb, mlen, pk) == 0;
            free(mb);
            /* "acceptable" would be either; Ed25519 in this file has none */
            bool want = strcmp(res, "valid") == 0;
            total++;
            accepted_count += accepted;
            if (accepted == want || strcmp(res, "acceptable") == 0) {
                agree++;
                continue;
            }
            bool known = false;
            for (size_t k = 0; k < sizeof known_disagreements / sizeof known_disagreements[0]; k++)
                known = known || known_disagreements[k] == id;
            print_message("wycheproof tcId %d (%s, \"%s\"): libsodium %s%s\n", id, res, comment,
                          accepted ? "accepts" : "rejects", known ? " (known)" : "");
            if (!known)
                unexpected++;
        }
    }
    cJSON_Delete(root);
    print_message("wycheproof ed25519: %d/%d vectors agree (%d accepted)\n", agree, total,
                  accepted_count);
    assert_true(total > 100);
    assert_int_equal(unexpected, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pubkey_forms), cmocka_unit_test(test_pubkey_hostile),
        cmocka_unit_test(test_sig_cases),    cmocka_unit_test(test_sig_edges),
        cmocka_unit_test(test_malformed),    cmocka_unit_test(test_real_minisign),
        cmocka_unit_test(test_bad_folder),   cmocka_unit_test(test_wycheproof),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
