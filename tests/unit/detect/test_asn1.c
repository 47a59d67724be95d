/* asn1: option parsing (separators, numbers and their ranges, refusals), each check matching
 * and not matching, the offsets (absolute, relative to a content, negative), what Suricata's
 * decoder opens and what ends decoding, and hostile encodings (truncated, over-long lengths
 * and tags, deep nesting, many elements, random bytes) that must neither crash nor match.
 * Buffers are copied to exactly-sized heap blocks so ASan sees any read past their end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "payload_harness.h"

/* Runs opts over len bytes of buf. */
static bool asn1_run(const char *opts, const void *buf, size_t len)
{
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, opts);
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    bool m = rb_match_len(&x, copy, len, NULL);
    free(copy);
    rb_free(&x);
    return m;
}

#define HIT_BYTES(opts, ...)                                                                       \
    do {                                                                                           \
        const uint8_t b_[] = {__VA_ARGS__};                                                        \
        assert_true(asn1_run((opts), b_, sizeof(b_)));                                             \
    } while (0)
#define MISS_BYTES(opts, ...)                                                                      \
    do {                                                                                           \
        const uint8_t b_[] = {__VA_ARGS__};                                                        \
        assert_false(asn1_run((opts), b_, sizeof(b_)));                                            \
    } while (0)

static void test_parse_ok(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "asn1:bitstring_overflow;",
        "asn1:double_overflow;",
        "asn1:oversize_length 0;",
        "asn1:oversize_length 4294967295;",
        "asn1:bitstring_overflow, double_overflow, oversize_length 1024;",
        "asn1:oversize_length 1024 absolute_offset 10, bitstring_overflow;", /* blanks separate */
        "asn1:absolute_offset 65535, bitstring_overflow;",
        "asn1:relative_offset -65535, bitstring_overflow;",
        "asn1:relative_offset 65535, bitstring_overflow;",
        "asn1:bitstring_overflow,;",                               /* a trailing comma */
        "asn1:\tdouble_overflow , oversize_length   5 ;",          /* blanks around commas */
        "asn1:absolute_offset 0;",                                 /* loads; checks nothing */
        "content:\"a\"; asn1:relative_offset 2, double_overflow;", /* relative to it */
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(ok); i++) {
        struct rb x;
        rb_init(&x, NULL);
        rb_ok(&x, ok[i]);
        const struct cn_smlist *l = &x.r.lists[CN_LIST_PAYLOAD];
        assert_true(l->n >= 1);
        assert_string_equal(l->v[l->n - 1].kw->name, "asn1");
        rb_free(&x);
    }
}

static void test_parse_bad(void **state)
{
    (void)state;
    rb_fails("asn1;", "needs an option");
    rb_fails("asn1:   ;", "needs an option");
    rb_fails("asn1:overflow;", "unknown option 'overflow'");
    rb_fails("asn1:Bitstring_overflow;", "unknown option");
    rb_fails("asn1:bitstring_overflowabsolute_offset;", "unknown option"); /* no separator */
    rb_fails("asn1:oversize_length 10, some_other_param 360;", "unknown option 'some_other_param'");
    rb_fails("asn1:oversize_length;", "oversize_length needs a number");
    rb_fails("asn1:oversize_length,5;", "oversize_length needs a number");
    rb_fails("asn1:absolute_offset;", "absolute_offset needs a number");
    rb_fails("asn1:relative_offset ;", "relative_offset needs a number");
    rb_fails("asn1:oversize_length x;", "invalid oversize_length 'x'");
    rb_fails("asn1:oversize_length 10x;", "invalid oversize_length");
    rb_fails("asn1:oversize_length -1;", "invalid oversize_length");
    rb_fails("asn1:oversize_length +1;", "invalid oversize_length");
    rb_fails("asn1:oversize_length 4294967296;", "invalid oversize_length");
    rb_fails("asn1:oversize_length 99999999999999999999999;", "invalid oversize_length");
    rb_fails("asn1:absolute_offset -1;", "invalid absolute_offset");
    rb_fails("asn1:absolute_offset 65536;", "invalid absolute_offset");
    rb_fails("asn1:relative_offset -65536;", "invalid relative_offset");
    rb_fails("asn1:relative_offset 65536;", "invalid relative_offset");
    rb_fails("asn1:relative_offset --1;", "invalid relative_offset");
    rb_fails("asn1:,bitstring_overflow;", "empty option");
    rb_fails("asn1:bitstring_overflow,,double_overflow;", "empty option");
    rb_fails("asn1:oversize_length 1024, , bitstring_overflow;", "empty option");
    rb_fails("asn1:,;", "empty option");
}

/* A whole rule through the loader: the reason names the keyword. */
static void test_rule_load(void **state)
{
    (void)state;
    struct cn_detect_loader ld = {0};
    struct cn_detect_vars *vars = cn_detect_vars_new(NULL);
    assert_non_null(vars);
    assert_int_equal(cn_detect_classes_load(&ld, NULL), 0);
    ld.vars = vars;
    char err[160] = "";
    struct cn_rule *r = cn_rule_parse("alert udp any any -> any 161 (msg:\"snmp\"; "
                                      "asn1:bitstring_overflow, oversize_length 1000; sid:1;)",
                                      &ld, err, sizeof(err));
    assert_non_null(r);
    assert_true(r->flags & CN_RULE_HAS_PAYLOAD);
    cn_rule_free(r);
    r = cn_rule_parse("alert udp any any -> any any (asn1:bitstring_overflow,,; sid:2;)", &ld, err,
                      sizeof(err));
    assert_null(r);
    assert_string_equal(err, "asn1: empty option in 'bitstring_overflow,,'");
    r = cn_rule_parse("alert udp any any -> any any (asn1; sid:3;)", &ld, err, sizeof(err));
    assert_null(r);
    assert_non_null(strstr(err, "asn1"));
    cn_detect_loader_clear(&ld);
    cn_detect_vars_free(vars);
}

/* BIT STRING: the unused-bits count against 8 bits per octet of length (Suricata's test). */
static void test_bitstring_overflow(void **state)
{
    (void)state;
    const char *o = "asn1:bitstring_overflow;";
    HIT_BYTES(o, 0x03, 0x01, 0xff);
    MISS_BYTES(o, 0x03, 0x01, 0x07);
    MISS_BYTES(o, 0x03, 0x01, 0x08); /* 8 is not above 8 * 1 */
    HIT_BYTES(o, 0x03, 0x01, 0x09);
    MISS_BYTES(o, 0x03, 0x02, 0x10, 0x00);
    HIT_BYTES(o, 0x03, 0x02, 0x11, 0x00);
    /* inside SEQUENCE and SET, after other elements, and with a high-tag-number form */
    HIT_BYTES(o, 0x30, 0x05, 0x05, 0x00, 0x03, 0x01, 0xff);
    HIT_BYTES(o, 0x31, 0x08, 0x30, 0x06, 0x02, 0x01, 0x05, 0x03, 0x01, 0xff);
    HIT_BYTES(o, 0x02, 0x01, 0x01, 0x04, 0x00, 0x03, 0x01, 0xff);
    HIT_BYTES(o, 0x1f, 0x03, 0x01, 0xff);
    /* not universal, or not primitive: not a BIT STRING check */
    MISS_BYTES(o, 0x43, 0x01, 0xff);
    MISS_BYTES(o, 0x83, 0x01, 0xff);
    MISS_BYTES(o, 0x23, 0x03, 0x03, 0x01, 0xff);
    /* Suricata opens only SEQUENCE and SET: context and application wrappers stay opaque */
    MISS_BYTES(o, 0xa0, 0x03, 0x03, 0x01, 0xff);
    MISS_BYTES(o, 0x61, 0x03, 0x03, 0x01, 0xff);
    /* a BIT STRING without its unused-bits octet ends decoding: what follows is not seen */
    MISS_BYTES(o, 0x03, 0x00, 0x03, 0x01, 0xff);
    /* other checks asked for only: no match */
    MISS_BYTES("asn1:double_overflow;", 0x03, 0x01, 0xff);
}

/* A REAL of n bytes whose first content octet is first, followed by tail bytes. */
static bool real_run(const char *opts, unsigned n, uint8_t first, size_t have)
{
    uint8_t *b = calloc(1, 4 + n);
    assert_non_null(b);
    b[0] = 0x09;
    b[1] = 0x82;
    b[2] = (uint8_t)(n >> 8);
    b[3] = (uint8_t)n;
    memset(b + 4, '5', n);
    b[4] = first;
    bool m = asn1_run(opts, b, CN_MIN(have, 4 + (size_t)n));
    free(b);
    return m;
}

static void test_double_overflow(void **state)
{
    (void)state;
    const char *o = "asn1:double_overflow;";
    assert_true(real_run(o, 257, 0x05, SIZE_MAX)); /* decimal (NR form) text, 257 bytes */
    assert_true(real_run(o, 600, 0x03, SIZE_MAX));
    assert_false(real_run(o, 256, 0x05, SIZE_MAX)); /* 256 fits the library's buffer */
    assert_false(real_run(o, 257, 0x80, SIZE_MAX)); /* binary encoding */
    assert_false(real_run(o, 257, 0x40, SIZE_MAX)); /* special value */
    assert_false(real_run(o, 257, 0x05, 200));      /* declared longer than the buffer */
    assert_false(real_run("asn1:bitstring_overflow;", 257, 0x05, SIZE_MAX));
    /* constructed REAL: not checked */
    uint8_t b[4 + 300] = {0x29, 0x82, 0x01, 0x2c};
    for (size_t i = 4; i + 1 < sizeof(b); i += 2) {
        b[i] = 0x05; /* NULLs inside */
        b[i + 1] = 0x00;
    }
    assert_false(asn1_run(o, b, sizeof(b)));
}

static void test_oversize_length(void **state)
{
    (void)state;
    HIT_BYTES("asn1:oversize_length 4;", 0x04, 0x05, 'h', 'e', 'l', 'l', 'o');
    MISS_BYTES("asn1:oversize_length 5;", 0x04, 0x05, 'h', 'e', 'l', 'l', 'o');
    /* long-form lengths, up to four octets */
    HIT_BYTES("asn1:oversize_length 4;", 0x04, 0x81, 0x05, 'h', 'e', 'l', 'l', 'o');
    HIT_BYTES("asn1:oversize_length 4;", 0x04, 0x84, 0, 0, 0, 0x05, 'h', 'e', 'l', 'l', 'o');
    /* a SEQUENCE's own length counts, and so do its elements' */
    HIT_BYTES("asn1:oversize_length 6;", 0x30, 0x07, 0x04, 0x05, 'h', 'e', 'l', 'l', 'o');
    MISS_BYTES("asn1:oversize_length 7;", 0x30, 0x07, 0x04, 0x05, 'h', 'e', 'l', 'l', 'o');
    /* an opaque wrapper counts as one element of its length */
    HIT_BYTES("asn1:oversize_length 2;", 0xa0, 0x03, 0x05, 0x01, 0x00);
    MISS_BYTES("asn1:oversize_length 3;", 0xa0, 0x03, 0x05, 0x01, 0x00);
    /* indefinite length: the bytes up to the end-of-contents octets */
    HIT_BYTES("asn1:oversize_length 4;", 0x30, 0x80, 0x04, 0x03, 'a', 'b', 'c', 0x00, 0x00);
    MISS_BYTES("asn1:oversize_length 5;", 0x30, 0x80, 0x04, 0x03, 'a', 'b', 'c', 0x00, 0x00);
    HIT_BYTES("asn1:oversize_length 4;", 0xa1, 0x80, 0x04, 0x03, 'a', 'b', 'c', 0x00, 0x00);
    /* a length beyond the buffer: the element does not decode, so nothing matches */
    MISS_BYTES("asn1:oversize_length 10;", 0x04, 0x82, 0x10, 0x00, 'a', 'b', 'c');
    MISS_BYTES("asn1:oversize_length 0;", 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x05, 0x00);
    /* an element that tripped inside a SEQUENCE that then fails does not count */
    MISS_BYTES("asn1:oversize_length 1;", 0x30, 0x06, 0x04, 0x02, 'a', 'b', 0x04, 0x09);
    MISS_BYTES("asn1:oversize_length 0;", 0x30, 0x80, 0x04, 0x03, 'a', 'b', 'c');
    /* ... but earlier top-level elements do */
    HIT_BYTES("asn1:oversize_length 1;", 0x04, 0x02, 'a', 'b', 0x04, 0x09);
    /* primitive elements cannot be indefinite */
    MISS_BYTES("asn1:oversize_length 0;", 0x04, 0x80, 'a', 0x00, 0x00);
}

static void test_offsets(void **state)
{
    (void)state;
    const uint8_t buf[] = {'X', 'X', 0x03, 0x01, 0xff};
    /* from 0, "XX" reads as an element longer than the buffer */
    assert_false(asn1_run("asn1:bitstring_overflow;", buf, sizeof(buf)));
    assert_true(asn1_run("asn1:bitstring_overflow, absolute_offset 2;", buf, sizeof(buf)));
    assert_false(asn1_run("asn1:bitstring_overflow, absolute_offset 1;", buf, sizeof(buf)));
    assert_false(asn1_run("asn1:bitstring_overflow, absolute_offset 5;", buf, sizeof(buf)));
    assert_false(asn1_run("asn1:bitstring_overflow, absolute_offset 600;", buf, sizeof(buf)));
    /* relative to the end of the previous match; without one, from 0 */
    assert_true(
        asn1_run("content:\"XX\"; asn1:relative_offset 0, bitstring_overflow;", buf, sizeof(buf)));
    assert_true(
        asn1_run("content:\"X\"; asn1:bitstring_overflow, relative_offset 1;", buf, sizeof(buf)));
    assert_true(asn1_run("asn1:relative_offset 2, bitstring_overflow;", buf, sizeof(buf)));
    assert_true(asn1_run("content:\"|01 ff|\"; asn1:relative_offset -3, bitstring_overflow;", buf,
                         sizeof(buf)));
    assert_false(
        asn1_run("content:\"XX\"; asn1:relative_offset -3, bitstring_overflow;", buf, sizeof(buf)));
    assert_false(
        asn1_run("content:\"XX\"; asn1:relative_offset 3, bitstring_overflow;", buf, sizeof(buf)));
    assert_false(asn1_run("content:\"|ff|\"; asn1:relative_offset 0, bitstring_overflow;", buf,
                          sizeof(buf)));
    /* absolute_offset wins over relative_offset, as in Suricata */
    assert_true(asn1_run("content:\"|ff|\"; asn1:relative_offset 0, absolute_offset 2, "
                         "bitstring_overflow;",
                         buf, sizeof(buf)));
    /* a relative asn1 that fails makes the content retry at its next occurrence */
    const uint8_t two[] = {'A', 'A', 0x05, 0x00, 'A', 'A', 0x03, 0x01, 0xff};
    assert_true(
        asn1_run("content:\"AA\"; asn1:relative_offset 0, bitstring_overflow;", two, sizeof(two)));
    assert_false(asn1_run("content:\"AA\"; depth:2; asn1:relative_offset 0, bitstring_overflow;",
                          two, sizeof(two)));
    /* no check asked for, or an empty buffer: never a match */
    assert_false(asn1_run("asn1:absolute_offset 2;", buf, sizeof(buf)));
    assert_false(asn1_run("asn1:oversize_length 0;", buf, 0));
}

/* The personnel record of X.690 Annex A: an APPLICATION 0 wrapper of 133 bytes, opaque to
 * the decoder, so only its own length is compared (Suricata: 132 matches, 133 does not). */
static const char x690_a[] = "\x60\x81\x85"
                             "\x61\x10\x1a\x04John\x1a\x01P\x1a\x05Smith"
                             "\xa0\x0a\x1a\x08"
                             "Director"
                             "\x42\x01\x33"
                             "\xa1\x0a\x43\x08"
                             "19710917"
                             "\xa2\x12\x61\x10\x1a\x04Mary\x1a\x01T\x1a\x05Smith"
                             "\xa3\x42"
                             "\x31\x1f\x61\x11\x1a\x05Ralph\x1a\x01T\x1a\x05Smith"
                             "\xa0\x0a\x43\x08"
                             "19571111"
                             "\x31\x1f\x61\x11\x1a\x05Susan\x1a\x01"
                             "B\x1a\x05Jones"
                             "\xa0\x0a\x43\x08"
                             "19590717";

static void test_x690_example(void **state)
{
    (void)state;
    const size_t len = sizeof(x690_a) - 1;
    assert_int_equal(len, 136);
    assert_true(asn1_run("asn1:oversize_length 132 absolute_offset 0;", x690_a, len));
    assert_false(asn1_run("asn1:oversize_length 133 absolute_offset 0;", x690_a, len));
    assert_false(asn1_run("asn1:bitstring_overflow, double_overflow;", x690_a, len));
    /* cut one byte short, it no longer decodes */
    assert_false(asn1_run("asn1:oversize_length 0;", x690_a, len - 1));
    /* behind a prefix, relative to the content that ends there */
    char buf[2 + sizeof(x690_a)] = "AA";
    memcpy(buf + 2, x690_a, len);
    assert_true(
        asn1_run("content:\"AA\"; asn1:relative_offset 0, oversize_length 130;", buf, len + 2));
    assert_false(
        asn1_run("content:\"AA\"; asn1:relative_offset 0, oversize_length 140;", buf, len + 2));
    assert_false(asn1_run("asn1:oversize_length 130;", buf, len + 2));
}

/* Truncated headers, over-long tags and lengths, the reserved length octet. */
static void test_hostile_headers(void **state)
{
    (void)state;
    const char *all = "asn1:bitstring_overflow, double_overflow, oversize_length 0;";
    MISS_BYTES(all, 0x04);
    MISS_BYTES(all, 0x1f);
    MISS_BYTES(all, 0x1f, 0x81);
    MISS_BYTES(all, 0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x01, 0x00); /* five tag octets */
    MISS_BYTES(all, 0x04, 0x82, 0x01);
    MISS_BYTES(all, 0x04, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01, 'a'); /* five length octets */
    MISS_BYTES(all, 0x04, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'a');
    MISS_BYTES(all, 0x04, 0xff, 0x01, 'a');
    MISS_BYTES(all, 0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 'a');
    MISS_BYTES(all, 0x30, 0x80);
    MISS_BYTES(all, 0x30, 0x80, 0x00);
    MISS_BYTES(all, 0x30, 0x80, 0x30, 0x80, 0x00, 0x00); /* the outer one never closes */
    MISS_BYTES(all, 0x10, 0x01, 0x05);                   /* a primitive SEQUENCE */
    MISS_BYTES("asn1:oversize_length 0;", 0x05, 0x00, 0x05, 0x00, 0x00, 0x00);
    /* a long high tag number still decodes (four octets after the first) */
    HIT_BYTES("asn1:oversize_length 0;", 0x5f, 0x81, 0x81, 0x81, 0x01, 0x01, 'a');
}

/* k SEQUENCEs around a bad BIT STRING (definite lengths: k <= 62). */
static bool nested_run(unsigned k)
{
    uint8_t b[3 + 2 * 62];
    size_t n = 2 * k;
    for (unsigned i = 0; i < k; i++) {
        b[2 * i] = 0x30;
        b[2 * i + 1] = (uint8_t)(3 + 2 * (k - 1 - i));
    }
    b[n] = 0x03;
    b[n + 1] = 0x01;
    b[n + 2] = 0xff;
    return asn1_run("asn1:bitstring_overflow;", b, n + 3);
}

static void test_nesting(void **state)
{
    (void)state;
    /* 30 levels decode (the BIT STRING is the 30th); one more and decoding stops */
    assert_true(nested_run(0));
    assert_true(nested_run(29));
    assert_false(nested_run(30));
    assert_false(nested_run(62));
    /* 10,000 levels of indefinite SEQUENCEs, closed or not */
    const size_t levels = 10000;
    uint8_t *b = malloc(levels * 4 + 3);
    assert_non_null(b);
    for (size_t i = 0; i < levels; i++) {
        b[2 * i] = 0x30;
        b[2 * i + 1] = 0x80;
    }
    memcpy(b + 2 * levels, "\x03\x01\xff", 3);
    memset(b + 2 * levels + 3, 0, 2 * levels);
    assert_false(asn1_run("asn1:bitstring_overflow, oversize_length 0;", b, levels * 4 + 3));
    assert_false(asn1_run("asn1:bitstring_overflow;", b, 2 * levels + 3));
    /* opaque indefinite wrappers are scanned for their end within the same bounds */
    for (size_t i = 0; i < levels; i++)
        b[2 * i] = 0xa0;
    assert_false(asn1_run("asn1:oversize_length 0;", b, levels * 4 + 3));
    free(b);
}

/* A SEQUENCE of n NULLs, then a bad BIT STRING, with a two-octet length. */
static bool many_run(const char *opts, unsigned n)
{
    size_t len = 4 + 2 * (size_t)n + 3;
    uint8_t *b = calloc(1, len);
    assert_non_null(b);
    b[0] = 0x30;
    b[1] = 0x82;
    b[2] = (uint8_t)((len - 4) >> 8);
    b[3] = (uint8_t)(len - 4);
    for (unsigned i = 0; i < n; i++)
        b[4 + 2 * i] = 0x05;
    memcpy(b + len - 3, "\x03\x01\xff", 3);
    bool m = asn1_run(opts, b, len);
    free(b);
    return m;
}

static void test_many_elements(void **state)
{
    (void)state;
    /* at most 256 headers per call: a SEQUENCE of 250 is decoded whole, one of 300 is not */
    assert_true(many_run("asn1:bitstring_overflow;", 250));
    assert_false(many_run("asn1:bitstring_overflow;", 300));
    assert_false(many_run("asn1:bitstring_overflow, oversize_length 1;", 10000));
    /* 10,000 top-level NULLs: only the first 30 are read, and none trips a check */
    const size_t n = 10000;
    uint8_t *b = calloc(n, 2);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        b[2 * i] = 0x05;
    assert_false(
        asn1_run("asn1:bitstring_overflow, double_overflow, oversize_length 0;", b, 2 * n));
    /* a bad element after the 30th top-level one is not reached */
    b[2 * 30] = 0x03;
    b[2 * 30 + 1] = 0x01;
    b[2 * 31] = 0xff;
    assert_false(asn1_run("asn1:bitstring_overflow;", b, 2 * n));
    /* ... while the 30th is */
    memcpy(b + 2 * 29, "\x03\x01\xff", 3);
    assert_true(asn1_run("asn1:bitstring_overflow;", b, 2 * n));
    free(b);
}

/* Random bytes: no crash, no read past the end (ASan), and never a match without a check. */
static void test_random(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    uint8_t b[64];
    for (unsigned round = 0; round < 2000; round++) {
        size_t len = 1 + round % sizeof(b);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            uint8_t v = (uint8_t)(seed >> 16);
            /* bias towards structure so decoding gets deep */
            b[i] = (v & 7) == 0 ? 0x30 : (v & 7) == 1 ? 0x80 : (v & 7) == 2 ? 0x00 : v;
        }
        (void)asn1_run("asn1:bitstring_overflow, double_overflow, oversize_length 3;", b, len);
        assert_false(asn1_run("asn1:absolute_offset 0;", b, len));
        assert_false(asn1_run("asn1:oversize_length 4294967295;", b, len));
    }
}

/* The keyword through the whole engine: a UDP packet, a rule with asn1 alone and one relative
 * to a content. */
static void test_engine(void **state)
{
    (void)state;
    char path[] = "/tmp/cn-asn1-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *rules =
        "alert udp any any -> any 161 (msg:\"bad bitstring\"; asn1:bitstring_overflow; sid:1;)\n"
        "alert udp any any -> any any (msg:\"rel\"; content:\"AA\"; "
        "asn1:relative_offset 0, oversize_length 2; sid:2;)\n"
        "alert udp any any -> any any (msg:\"big\"; asn1:oversize_length 100; sid:3;)\n";
    assert_int_equal(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
    close(fd);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1};
    struct cn_detect_report rep;
    memset(&rep, 0, sizeof(rep));
    struct cn_ruleset *rs = cn_detect_load(&cfg, &rep);
    unlink(path);
    assert_non_null(rs);
    assert_int_equal(rep.failed, 0);
    struct cn_stats stats;
    memset(&stats, 0, sizeof(stats));
    struct cn_detect_ctx *ctx = cn_detect_ctx_new(rs, &stats);
    assert_non_null(ctx);

    static const uint8_t payload[] = {0x03, 0x01, 0xff, 'A', 'A', 0x04, 0x03, 'a', 'b', 'c'};
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    p.flags = CN_PKT_IPV4 | CN_PKT_UDP;
    p.ip_ver = 4;
    p.src.b[0] = 10;
    p.dst.b[0] = 10;
    p.dst.b[3] = 2;
    p.proto = 17;
    p.sp = 40000;
    p.dp = 161;
    p.payload = payload;
    p.payload_len = sizeof(payload);
    const struct cn_alert *a;
    unsigned n = cn_detect_packet(ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_int_equal(cn_rule_sid(a[0].rule), 1);
    assert_int_equal(cn_rule_sid(a[1].rule), 2);
    p.dp = 162; /* sid 1 is for port 161 only */
    n = cn_detect_packet(ctx, &p, &a);
    assert_int_equal(n, 1);
    assert_int_equal(cn_rule_sid(a[0].rule), 2);
    cn_detect_ctx_free(ctx);
    cn_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_rule_load),       cmocka_unit_test(test_bitstring_overflow),
        cmocka_unit_test(test_double_overflow), cmocka_unit_test(test_oversize_length),
        cmocka_unit_test(test_offsets),         cmocka_unit_test(test_hostile_headers),
        cmocka_unit_test(test_nesting),         cmocka_unit_test(test_many_elements),
        cmocka_unit_test(test_random),          cmocka_unit_test(test_engine),
        cmocka_unit_test(test_x690_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
