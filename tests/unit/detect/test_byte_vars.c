/* byte_extract, byte_math and the variables they set: every byte_extract option, every
 * byte_math operator (division by zero, shifts past 64 bits, wrap-around, bitmask), the
 * consumers that read a variable where they take a number (byte_test, byte_jump, byte_math,
 * content's offset/depth/distance/within, isdataat), values after backtracking, load-time
 * errors (unknown variable, use before definition, too many, duplicates, bad operator), and
 * through the engine a variable set in one buffer and read in another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "payload_harness.h"

/* Like HIT/MISS for buffers with NUL bytes. */
static bool match_len(const char *opts, const void *buf, size_t len)
{
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, opts);
    bool m = rb_match_len(&x, buf, len, NULL);
    rb_free(&x);
    return m;
}
#define HIT_LEN(opts, buf)  assert_true(match_len((opts), (buf), sizeof(buf) - 1))
#define MISS_LEN(opts, buf) assert_false(match_len((opts), (buf), sizeof(buf) - 1))

static void test_extract_binary(void **state)
{
    (void)state;
    /* n = 3, the position moves past the byte read: X is 3 bytes after it */
    HIT("byte_extract:1,0,n; content:\"X\"; distance:n; within:1;", "\x03"
                                                                    "abcX");
    MISS("byte_extract:1,0,n; content:\"X\"; distance:n; within:1;", "\x02"
                                                                     "abcX");
    /* big (default) and little endian */
    HIT_LEN("byte_extract:2,0,n; byte_test:1,=,n,2;", "\x00\x05\x05");
    HIT_LEN("byte_extract:2,0,n,big; byte_test:1,=,n,2;", "\x00\x05\x05");
    MISS_LEN("byte_extract:2,0,n,little; byte_test:1,=,n,2;", "\x00\x05\x05");
    HIT_LEN("byte_extract:2,0,n,little; byte_test:1,=,n,2;", "\x05\x00\x05");
    /* multiplier: 2 x 3 = 6, and byte 6 exists in 7 bytes but not in 6 */
    HIT("byte_extract:1,0,n,multiplier 3; isdataat:n;", "\x02"
                                                        "abcdef");
    MISS("byte_extract:1,0,n,multiplier 3; isdataat:n;", "\x02"
                                                         "abcde");
    /* align 4 rounds 2 up to 4; align 2 rounds 3 up to 4 */
    HIT("byte_extract:1,0,n,align 4; content:\"K\"; offset:n; depth:1;", "\x02xyzK");
    MISS("byte_extract:1,0,n; content:\"K\"; offset:n; depth:1;", "\x02xyzK");
    HIT("byte_extract:1,0,n,align 2; content:\"K\"; offset:n; depth:1;", "\x03xyzK");
    /* relative to a content; reading past the end does not match */
    HIT("content:\"L\"; byte_extract:1,0,n,relative; isdataat:n,relative;", "L\x02"
                                                                            "ab");
    MISS("content:\"L\"; byte_extract:1,0,n,relative; isdataat:n,relative;", "L\x03"
                                                                             "ab");
    MISS("content:\"L\"; byte_extract:2,1,n,relative;", "xL\x01");
    MISS("byte_extract:1,-1,n;", "abc");
}

static void test_extract_string(void **state)
{
    (void)state;
    HIT("content:\"len=\"; byte_extract:2,0,n,relative,string,dec; content:\"!\"; distance:n; "
        "within:1;",
        "len=03abc!");
    MISS("content:\"len=\"; byte_extract:2,0,n,relative,string,dec; content:\"!\"; distance:n; "
         "within:1;",
         "len=02abc!");
    /* the base defaults to decimal; hex and oct */
    HIT("byte_extract:2,0,n,string; byte_test:2,=,n,2,string;", "1212");
    HIT("byte_extract:2,0,n,string,hex; byte_test:2,=,n,2,string;", "0a10");
    HIT("byte_extract:2,0,n,string,oct; byte_test:2,=,n,2,string;", "1210");
    MISS("byte_extract:2,0,n,string,oct; byte_test:2,=,n,2,string;", "1212");
    /* "3x" reads 3 from one character: the position continues after the '3' */
    HIT("content:\"len=\"; byte_extract:2,0,n,relative,string; content:\"!\"; distance:n; "
        "within:1;",
        "len=3xab!");
    MISS("byte_extract:2,0,n,string,dec;", "zz");
}

static void test_math_operators(void **state)
{
    (void)state;
    HIT("byte_math:bytes 1, offset 0, oper +, rvalue 2, result r; byte_test:1,=,r,1;", "\x05\x07");
    MISS("byte_math:bytes 1, offset 0, oper +, rvalue 2, result r; byte_test:1,=,r,1;", "\x05\x06");
    HIT("byte_math:bytes 1, offset 0, oper -, rvalue 2, result r; byte_test:1,=,r,1;", "\x05\x03");
    HIT("byte_math:bytes 1, offset 0, oper *, rvalue 2, result r; byte_test:1,=,r,1;", "\x05\x0a");
    HIT("byte_math:bytes 1, offset 0, oper /, rvalue 2, result r; byte_test:1,=,r,1;", "\x07\x03");
    HIT("byte_math:bytes 1, offset 0, oper <<, rvalue 1, result r; byte_test:1,=,r,1;", "\x05\x0a");
    HIT("byte_math:bytes 1, offset 0, oper >>, rvalue 1, result r; byte_test:1,=,r,1;", "\x05\x02");
    /* options in any order, relative and little endian: 0x0102 + 1 */
    HIT("content:\"M\"; byte_math:result r, oper +, rvalue 1, relative, endian little, "
        "offset 0, bytes 2; byte_test:2,=,r,3;",
        "M\x02\x01\x01\x03");
    /* string: "12" x 2 = 24 */
    HIT("byte_math:bytes 2, offset 0, oper *, rvalue 2, result r, string dec; byte_test:1,=,r,2;",
        "12\x18");
    /* the position moves past the bytes read */
    HIT("byte_math:bytes 1, offset 1, oper +, rvalue 0, result r; content:\"A\"; distance:0; "
        "within:1;",
        "xyA");
}

static void test_math_edges(void **state)
{
    (void)state;
    /* division by zero never matches, from a number or a variable */
    MISS("byte_math:bytes 1, offset 0, oper /, rvalue 0, result r;", "\x05");
    MISS_LEN("byte_extract:1,1,z; byte_math:bytes 1, offset 0, oper /, rvalue z, result r;",
             "\x05\x00");
    HIT_LEN("byte_extract:1,1,z; byte_math:bytes 1, offset 0, oper /, rvalue z, result r;",
            "\x05\x01");
    /* 64-bit wrap-around: all ones + 2 = 1; 2^63 x 2 = 0 */
    HIT("byte_math:bytes 8, offset 0, oper +, rvalue 2, result r; byte_test:1,=,r,8;",
        "\xff\xff\xff\xff\xff\xff\xff\xff\x01");
    HIT_LEN("byte_math:bytes 8, offset 0, oper *, rvalue 2, result r; byte_test:1,=,r,8;",
            "\x80\x00\x00\x00\x00\x00\x00\x00\x00");
    /* 0 - 1 wraps to all ones */
    HIT_LEN("byte_math:bytes 1, offset 0, oper -, rvalue 1, result r; "
            "byte_test:8,=,r,1;",
            "\x00\xff\xff\xff\xff\xff\xff\xff\xff");
    /* a shift by 64 or more gives 0 */
    HIT_LEN("byte_math:bytes 1, offset 0, oper <<, rvalue 64, result r; byte_test:1,=,r,1;",
            "\x05\x00");
    /* bitmask on the result: 0x3c & 0xf0 = 0x30, shifted by 4 = 3 (0x also optional) */
    HIT("byte_math:bytes 1, offset 0, oper +, rvalue 0, result r, bitmask 0xf0; "
        "byte_test:1,=,r,1;",
        "\x3c\x03");
    HIT("byte_math:bytes 1, offset 0, oper +, rvalue 0, result r, bitmask f0; "
        "byte_test:1,=,r,1;",
        "\x3c\x03");
    MISS("byte_math:bytes 1, offset 0, oper +, rvalue 0, result r, bitmask 0xf0; "
         "byte_test:1,=,r,1;",
         "\x3c\x3c");
    /* 9 binary bytes parse but never match (as Suricata); out of the buffer never matches */
    MISS("byte_math:bytes 9, offset 0, oper +, rvalue 0, result r;", "abcdefghij");
    MISS("byte_math:bytes 2, offset 1, oper +, rvalue 0, result r;", "ab");
}

static void test_consumers(void **state)
{
    (void)state;
    /* byte_test: value, offset and bytes from variables */
    HIT("byte_extract:1,0,v; byte_test:1,=,v,1;", "\x07\x07");
    MISS("byte_extract:1,0,v; byte_test:1,=,v,1;", "\x07\x08");
    HIT("byte_extract:1,0,o; byte_test:1,=,9,o;", "\x02x\x09");
    HIT("byte_extract:1,0,nb; byte_test:nb,=,0x0102,1;", "\x02\x01\x02");
    MISS("byte_extract:1,0,nb; byte_test:nb,=,0x0102,1;", "\x09\x01\x02");
    /* byte_jump: offset and bytes from variables */
    HIT("byte_extract:1,0,o; byte_jump:1,o; content:\"Z\"; distance:0; within:1;", "\x02"
                                                                                   "x\x01"
                                                                                   "aZ");
    HIT("byte_extract:1,0,nb; byte_jump:nb,0,relative; content:\"Z\"; distance:0; within:1;",
        "\x01\x01"
        "aZ");
    /* byte_math: rvalue, offset and bytes from variables */
    HIT("byte_extract:1,0,a; byte_math:bytes 1, offset 1, oper +, rvalue a, result s; "
        "byte_test:1,=,s,2;",
        "\x02\x03\x05");
    HIT("byte_extract:1,0,o; byte_math:bytes 1, offset o, oper +, rvalue 1, result s; "
        "byte_test:1,=,s,3;",
        "\x02x\x04\x05");
    HIT("byte_extract:1,0,nb; byte_math:bytes nb, offset 1, oper +, rvalue 0, result s; "
        "byte_test:2,=,s,1;",
        "\x02\x01\x02");
    /* content: offset/depth as an absolute window, distance/within relative */
    HIT("byte_extract:1,0,o; content:\"ab\"; offset:o;", "\x03xxab");
    MISS("byte_extract:1,0,o; content:\"ab\"; offset:o;", "\x04xxab");
    HIT("byte_extract:1,0,d; content:\"ab\"; depth:d;", "\x05xxab");
    MISS("byte_extract:1,0,d; content:\"ab\"; depth:d;", "\x04xxab");
    /* depth counts from a variable offset, and from a static one */
    HIT("byte_extract:1,0,o; content:\"ab\"; offset:o; depth:2;", "\x03xxab");
    MISS("byte_extract:1,0,o; content:\"ab\"; offset:o; depth:2;", "\x02xxab");
    HIT("byte_extract:1,0,d; content:\"ab\"; offset:2; depth:d;", "\x03xxab");
    MISS("byte_extract:1,0,d; content:\"ab\"; offset:2; depth:d;", "\x02xxab");
    HIT("byte_extract:1,0,w; content:\"ab\"; distance:0; within:w;", "\x04xxab");
    MISS("byte_extract:1,0,w; content:\"ab\"; distance:0; within:w;", "\x03xxab");
    /* isdataat: absolute, relative, negated */
    HIT("byte_extract:1,0,n; isdataat:n;", "\x03xxx");
    MISS("byte_extract:1,0,n; isdataat:n;", "\x04xxx");
    HIT("byte_extract:1,0,n; isdataat:n,relative;", "\x03xxx");
    MISS("byte_extract:1,0,n; isdataat:n,relative;", "\x04xxx");
    HIT("byte_extract:1,0,n; isdataat:!n,relative;", "\x04xxx");
}

/* When a later keyword fails and an earlier content is retried, the readers see the value of
 * the current attempt, also in windows that would otherwise give up. */
static void test_backtracking(void **state)
{
    (void)state;
    /* first L: n = 9, nothing there; second L: n = 1 and Z follows one byte later */
    HIT("content:\"L\"; byte_extract:1,0,n,relative; content:\"Z\"; distance:n; within:1;",
        "L\x09xL\x01xZ");
    MISS("content:\"L\"; byte_extract:1,0,n,relative; content:\"Z\"; distance:n; within:1;",
         "L\x09xL\x02xZ");
    /* an absolute window from a variable: retried, not given up */
    HIT("content:\"L\"; byte_extract:1,0,n,relative; content:\"Z\"; depth:n;", "L\x01xL\x09Z");
    MISS("content:\"L\"; byte_extract:1,0,n,relative; content:\"Z\"; depth:n;", "L\x01xL\x03xZ");
    /* isdataat from a variable is retried too */
    HIT("content:\"L\"; byte_extract:1,0,n,relative; isdataat:n,relative;", "L\x09L\x01x");
    /* byte_math results follow the attempt as well */
    HIT("content:\"L\"; byte_math:bytes 1, offset 0, oper -, rvalue 1, result n, relative; "
        "byte_test:1,=,n,0,relative;",
        "L\x05\x01L\x03\x02");
}

static void test_parse_errors(void **state)
{
    (void)state;
    /* unknown variables, and a use before the definition */
    rb_fails("byte_test:1,=,nope,0;", "unknown variable 'nope'");
    rb_fails("byte_test:1,=,n,0; byte_extract:1,0,n;", "unknown variable 'n'");
    rb_fails("content:\"a\"; depth:nope;", "unknown variable 'nope'");
    rb_fails("content:\"a\"; distance:nope;", "unknown variable");
    rb_fails("isdataat:nope;", "unknown variable");
    rb_fails("byte_jump:1,nope;", "unknown variable");
    rb_fails("byte_math:bytes 1, offset 0, oper +, rvalue nope, result r;", "unknown variable");
    /* too many, duplicates, bad names */
    rb_fails("byte_extract:1,0,a; byte_extract:1,0,b; byte_extract:1,0,c; byte_extract:1,0,d; "
             "byte_extract:1,0,e; byte_extract:1,0,f; byte_extract:1,0,g; byte_extract:1,0,h; "
             "byte_extract:1,0,i;",
             "more than 8 variables");
    rb_fails("byte_extract:1,0,a; byte_math:bytes 1, offset 0, oper +, rvalue 1, result a;",
             "already defined");
    rb_fails("byte_extract:1,0,9a;", "bad variable name");
    rb_fails("byte_extract:1,0;", "expected");
    /* byte_extract options */
    rb_fails("byte_extract:9,0,n;", "out of range");
    rb_fails("byte_extract:21,0,n,string,dec;", "out of range");
    rb_fails("byte_extract:15,0,n,string,hex;", "out of range");
    rb_fails("byte_extract:0,0,n;", "bad bytes");
    rb_fails("byte_extract:1,0,n,align 3;", "align");
    rb_fails("byte_extract:1,0,n,multiplier 0;", "multiplier");
    rb_fails("byte_extract:2,0,n,string,big;", "string");
    rb_fails("byte_extract:2,0,n,hex;", "without string");
    rb_fails("byte_extract:2,0,n,relative,relative;", "twice");
    rb_fails("byte_extract:2,0,n,dce;", "dce");
    rb_fails("byte_extract:2,0,n,sideways;", "unknown option");
    /* byte_math */
    rb_fails("byte_math:bytes 1, offset 0, oper %, rvalue 1, result r;", "unknown operator");
    rb_fails("byte_math:bytes 1, offset 0, oper &, rvalue 1, result r;", "unknown operator");
    rb_fails("byte_math:bytes 1, offset 0, oper +, rvalue 1;", "needs bytes");
    rb_fails("byte_math:bytes 11, offset 0, oper +, rvalue 1, result r;", "bad number");
    rb_fails("byte_math:bytes 5, offset 0, oper <<, rvalue 1, result r;", "1-4");
    rb_fails("byte_math:bytes 1, offset 70000, oper +, rvalue 1, result r;", "bad number");
    rb_fails("byte_math:bytes 1, offset 0, oper +, rvalue 4294967296, result r;", "bad number");
    rb_fails("byte_math:bytes 1, offset 0, oper +, oper -, rvalue 1, result r;", "twice");
    rb_fails("byte_math:bytes 1, offset 0, oper +, rvalue 1, result r, bitmask 0xfg;", "bitmask");
    rb_fails("byte_math:bytes 1, offset 0, oper +, rvalue 1, result r, endian dce;", "dce");
    rb_fails("byte_math:bytes 1, offset 0, oper +, rvalue 1, result r, string bin;", "string");
    rb_fails("byte_math:bytes 1, offset 0, oper +, rvalue 1, result r, colour red;",
             "unknown option");
}

/* A variable read in a buffer that the engine inspects before the defining one is refused. */
static void test_list_order_error(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    unsigned tcp = CN_LIST__BUILTIN + CN_BUFFER_TCP_HDR;
    unsigned ip = CN_LIST__BUILTIN + CN_BUFFER_IPV4_HDR;
    x.b.list = tcp;
    rb_ok(&x, "byte_extract:1,0,a;");
    x.b.list = ip;
    rb_ok(&x, "byte_extract:1,0,b; byte_test:1,=,a,0;"); /* tcp.hdr runs first: fine */
    x.b.list = tcp;
    assert_int_not_equal(rb_opts(&x, "byte_test:1,=,b,0;"), 0);
    assert_non_null(strstr(x.err, "inspected after"));
    assert_int_equal(x.r.nvar_lists, 2);
    assert_int_equal(x.r.var_lists[0], tcp);
    assert_int_equal(x.r.var_lists[1], ip);
    rb_free(&x);
}

/* Through the loader and the engine: ipv4.hdr sets a variable that tcp.hdr and the payload
 * read, although their lists come first in list order. */
static void test_engine_cross_buffer(void **state)
{
    (void)state;
    static const char rules[] =
        "alert tcp any any -> any any (msg:\"x\"; ipv4.hdr; byte_extract:1,8,ttl; "
        "tcp.hdr; byte_test:1,=,ttl,13; pkt_data; content:\"A\"; offset:ttl; sid:1;)\n"
        "alert tcp any any -> any any (msg:\"y\"; ipv4.hdr; byte_extract:1,8,ttl; "
        "pkt_data; content:\"A\"; depth:ttl; sid:2;)\n";
    char path[] = "/tmp/cn-bytevars-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, rules, sizeof(rules) - 1), (ssize_t)(sizeof(rules) - 1));
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

    /* IPv4 header with TTL 3 at byte 8; TCP header whose flags byte (13) is 3 too */
    uint8_t ip[20] = {0x45, 0, 0, 44, 0, 0, 0, 0, 3, 6};
    uint8_t tcp[20] = {0};
    tcp[12] = 0x50;
    tcp[13] = 3;
    static const uint8_t payload[] = "xxxAyyy";
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    p.flags = CN_PKT_IPV4 | CN_PKT_TCP;
    p.ip_ver = 4;
    p.proto = 6;
    p.sp = 1234;
    p.dp = 80;
    p.l3 = ip;
    p.l3_len = sizeof(ip);
    p.ip_hlen = 20;
    p.l4 = tcp;
    p.l4_len = sizeof(tcp);
    p.tcp.hlen = 20;
    p.payload = payload;
    p.payload_len = sizeof(payload) - 1;
    const struct cn_alert *a;
    unsigned n = cn_detect_packet(ctx, &p, &a);
    assert_int_equal(n, 1); /* sid 1: A at offset 3; sid 2: depth 3 ends before the A */
    assert_int_equal(cn_rule_sid(a[0].rule), 1);

    ip[8] = 4; /* TTL 4: the flags byte no longer equals it, and depth 4 reaches the A */
    n = cn_detect_packet(ctx, &p, &a);
    assert_int_equal(n, 1);
    assert_int_equal(cn_rule_sid(a[0].rule), 2);
    cn_detect_ctx_free(ctx);
    cn_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extract_binary),      cmocka_unit_test(test_extract_string),
        cmocka_unit_test(test_math_operators),      cmocka_unit_test(test_math_edges),
        cmocka_unit_test(test_consumers),           cmocka_unit_test(test_backtracking),
        cmocka_unit_test(test_parse_errors),        cmocka_unit_test(test_list_order_error),
        cmocka_unit_test(test_engine_cross_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
