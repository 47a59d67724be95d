/* Transforms (src/detect/transform.c and the transform keywords): each transform's output on
 * known inputs and a rule that matches or misses through it, chains in rule order, option
 * errors, the placement rules (a transform must directly follow a sticky buffer), the scratch
 * space's bounds, the per-packet reuse of identical chains, and rules with transforms going
 * through the real loader and engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/transform.h"
#include "payload_harness.h"

#define TCP_LIST (CN_LIST__BUILTIN + CN_BUFFER_TCP_HDR)

/* Builds "tcp.hdr; <opts>" and runs the tcp.hdr list's chain over in[0..n). Returns false
 * when the chain cannot run; otherwise the transformed bytes are in out/outlen (copied). */
static bool xform(const char *opts, const void *in, size_t n, uint8_t *out, uint32_t *outlen)
{
    char text[1024];
    snprintf(text, sizeof(text), "tcp.hdr; %s", opts);
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, text);
    struct cn_transform_scratch *s = NULL;
    const uint8_t *buf = in;
    uint32_t len = (uint32_t)n;
    struct cn_smlist rest;
    bool ok = cn_transform_buffer(&s, TCP_LIST, &x.r.lists[TCP_LIST], &rest, &buf, &len);
    if (ok) {
        assert_true(len <= CN_TRANSFORM_MAX_LEN);
        memcpy(out, buf, len);
        *outlen = len;
        /* the chain is not inspected as a keyword */
        assert_int_equal(rest.n, x.r.lists[TCP_LIST].n - 1);
    }
    cn_transform_scratch_free(s);
    rb_free(&x);
    return ok;
}

/* The transformed bytes of a C string must equal want (wantlen bytes). */
static void expect(const char *opts, const char *in, const void *want, size_t wantlen)
{
    static uint8_t out[CN_TRANSFORM_MAX_LEN];
    uint32_t n = 0;
    if (!xform(opts, in, strlen(in), out, &n))
        fail_msg("'%s' failed on '%s'", opts, in);
    if (n != wantlen || memcmp(out, want, n) != 0)
        fail_msg("'%s' on '%s': got %u bytes '%.*s'", opts, in, n, (int)n, (const char *)out);
}
#define EXPECT(opts, in, want) expect((opts), (in), (want), sizeof(want) - 1)

/* Runs "tcp.hdr; <opts>" (transforms then content) over a C string through the chain and the
 * inspector, as the engine does. */
static bool rule_on(const char *opts, const char *in)
{
    char text[1024];
    snprintf(text, sizeof(text), "tcp.hdr; %s", opts);
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, text);
    struct cn_transform_scratch *s = NULL;
    const uint8_t *buf = (const uint8_t *)in;
    uint32_t len = (uint32_t)strlen(in);
    struct cn_smlist rest;
    bool m = cn_transform_buffer(&s, TCP_LIST, &x.r.lists[TCP_LIST], &rest, &buf, &len);
    if (m) {
        struct cn_inspect in2 = {.rule = &x.r, .buf = buf, .len = len};
        m = cn_inspect_list(&in2, &rest);
    }
    cn_transform_scratch_free(s);
    rb_free(&x);
    return m;
}
#define RHIT(opts, in)  assert_true(rule_on((opts), (in)))
#define RMISS(opts, in) assert_false(rule_on((opts), (in)))

static void test_case(void **state)
{
    (void)state;
    EXPECT("to_lowercase;", "GET /Index.HTML\xC4", "get /index.html\xC4");
    EXPECT("to_uppercase;", "get /index.html\xE4", "GET /INDEX.HTML\xE4");
    RHIT("to_lowercase; content:\"index.html\";", "GET /Index.HTML");
    RMISS("to_lowercase; content:\"Index\";", "GET /Index.HTML");
    RHIT("to_uppercase; content:\"INDEX\";", "GET /index.html");
    RMISS("to_uppercase; content:\"index\";", "GET /index.html");
}

static void test_whitespace(void **state)
{
    (void)state;
    EXPECT("strip_whitespace;", " a b\tc\r\n\vd\f", "abcd");
    EXPECT("strip_whitespace;", " \t ", "");
    /* each run keeps its first byte as it is */
    EXPECT("compress_whitespace;", "a  \t b\t\t c  ", "a b\tc ");
    EXPECT("compress_whitespace;", "abc", "abc");
    RHIT("strip_whitespace; content:\"window.navigate(\";", "window.navigate  (");
    RMISS("content:\"window.navigate(\";", "window.navigate  (");
    RHIT("compress_whitespace; content:\"a b\";", "a    b");
    RMISS("compress_whitespace; content:\"a  b\";", "a    b");
}

static void test_dotprefix(void **state)
{
    (void)state;
    EXPECT("dotprefix;", "example.com", ".example.com");
    EXPECT("dotprefix;", "", "");
    RHIT("dotprefix; content:\".example.com\"; endswith;", "www.example.com");
    RHIT("dotprefix; content:\".example.com\"; endswith;", "example.com");
    RMISS("dotprefix; content:\".example.com\"; endswith;", "badexample.com");
}

static void test_url_decode(void **state)
{
    (void)state;
    EXPECT("url_decode;", "Suricata%20is+%27%61wesome%21%27%25%30%30%ZZ%4",
           "Suricata is 'awesome!'%00%ZZ%4");
    EXPECT("url_decode;", "%41%4", "A%4");
    EXPECT("url_decode;", "%4a%4A%", "JJ%");
    RHIT("url_decode; content:\"mail=a@b\";", "mail%3Da%40b");
    RMISS("url_decode; content:\"%3D\";", "mail%3Da%40b");
}

static void test_xor(void **state)
{
    (void)state;
    EXPECT("xor:\"0102\";", "abcde", "\x60\x60\x62\x66\x64");
    EXPECT("xor:\"00\";", "abc", "abc");
    RHIT("xor:\"0d0ac8ff\"; content:\"|6c 68 ab 9b|\";", "abcd");
    RMISS("xor:\"0d0ac8fe\"; content:\"|6c 68 ab 9b|\";", "abcd");
    rb_fails("tcp.hdr; xor:\"123\";", "even");
    rb_fails("tcp.hdr; xor:\"\";", "even");
    rb_fails("tcp.hdr; xor:\"zz\";", "hex");
    rb_fails("tcp.hdr; xor:0102;", "quotes");
    char big[600] = "tcp.hdr; xor:\"";
    size_t o = strlen(big);
    for (int i = 0; i < 512; i++)
        big[o++] = 'a';
    big[o++] = '"';
    big[o] = '\0';
    rb_fails(big, "longer");
}

static void test_hashes(void **state)
{
    (void)state;
    /* the FIPS 180 and RFC 1321 "abc" test vectors */
    EXPECT("to_md5;", "abc", "\x90\x01\x50\x98\x3c\xd2\x4f\xb0\xd6\x96\x3f\x7d\x28\xe1\x7f\x72");
    EXPECT("to_sha1;", "abc",
           "\xa9\x99\x3e\x36\x47\x06\x81\x6a\xba\x3e\x25\x71\x78\x50\xc2\x6c\x9c\xd0\xd8\x9d");
    EXPECT("to_sha256;", "abc",
           "\xba\x78\x16\xbf\x8f\x01\xcf\xea\x41\x41\x40\xde\x5d\xae\x22\x23"
           "\xb0\x03\x61\xa3\x96\x17\x7a\x9c\xb4\x10\xff\x61\xf2\x00\x15\xad");
    RHIT("to_md5; content:\"|90 01 50 98 3c d2 4f b0 d6 96 3f 7d 28 e1 7f 72|\"; bsize:16;", "abc");
    RMISS("to_md5; content:\"|90 01 50 98 3c d2 4f b0 d6 96 3f 7d 28 e1 7f 72|\";", "abd");
    RMISS("to_sha1; content:\"abc\";", "abc");
}

static void test_pcrexform(void **state)
{
    (void)state;
    EXPECT("pcrexform:\"[a-zA-Z]+\\s+(.*)\\s+HTTP\";", "GET /index.html HTTP/1.1", "/index.html");
    /* no match: the buffer passes unchanged (Suricata 7) */
    EXPECT("pcrexform:\"^POST (.*)\";", "GET /x", "GET /x");
    /* an empty capture gives an empty buffer */
    EXPECT("pcrexform:\"GET ([0-9]*)\";", "GET /x", "");
    RHIT("pcrexform:\"Host: ([^\\r\\n]+)\"; content:\"example\"; startswith;",
         "GET / HTTP/1.1\r\nHost: example.com\r\n");
    RMISS("pcrexform:\"Host: ([^\\r\\n]+)\"; content:\"GET\";",
          "GET / HTTP/1.1\r\nHost: example.com\r\n");
    rb_fails("tcp.hdr; pcrexform:\"abc\";", "exactly one capture group");
    rb_fails("tcp.hdr; pcrexform:\"(a)(b)\";", "exactly one capture group");
    rb_fails("tcp.hdr; pcrexform:\"(a\";", "pcrexform at");
    rb_fails("tcp.hdr; pcrexform:(a);", "quotes");
}

static void test_header_lowercase(void **state)
{
    (void)state;
    EXPECT("header_lowercase;", "Host: ExAmple\r\nUser-Agent: Foo: Bar\r\nX-A:B",
           "host: ExAmple\r\nuser-agent: Foo: Bar\r\nx-a:B");
    RHIT("header_lowercase; content:\"user-agent: Foo\";", "User-Agent: Foo\r\n");
    RMISS("header_lowercase; content:\"user-agent: foo\";", "User-Agent: Foo\r\n");
}

static void test_chains(void **state)
{
    (void)state;
    /* applied in rule order, each on the previous one's output */
    EXPECT("to_lowercase; dotprefix;", "WWW.Example.COM", ".www.example.com");
    EXPECT("strip_whitespace; to_uppercase; dotprefix;", " a b ", ".AB");
    EXPECT("url_decode; compress_whitespace;", "a+%20+b", "a b");
    EXPECT("compress_whitespace; url_decode;", "a+%20+b", "a   b");
    /* md5("ab"): strip first, then hash */
    EXPECT("strip_whitespace; to_md5;", " a b ",
           "\x18\x7e\xf4\x43\x61\x22\xd1\xcc\x2f\x40\xdc\x2b\x92\xf0\xeb\xa0");
    EXPECT("to_md5; to_sha1;", "abc",
           "\x27\x43\x0d\x3b\x3b\x37\xc6\xa3\xf4\x59\xda\xac\x1e\x3d\x21\x7d\x0e\x55\x69\x8e");
    RHIT("to_uppercase; xor:\"20\"; content:\"abc\";", "aBc");
    RMISS("xor:\"20\"; to_uppercase; content:\"abc\";", "aBc");
    /* sixteen transforms are allowed, a seventeenth is not */
    char opts[1024] = "tcp.hdr;";
    for (int i = 0; i < 16; i++)
        strcat(opts, " to_lowercase;");
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, opts);
    rb_free(&x);
    strcat(opts, " to_lowercase;");
    rb_fails(opts, "more than 16 transforms");
}

static void test_placement(void **state)
{
    (void)state;
    /* no sticky buffer, after pkt_data, after a content of the buffer */
    rb_fails("to_lowercase; content:\"a\";", "transforms must directly follow stickybuffers");
    rb_fails("tcp.hdr; content:\"a\"; pkt_data; dotprefix;",
             "transforms must directly follow stickybuffers");
    rb_fails("tcp.hdr; content:\"a\"; to_lowercase;",
             "transforms must directly follow stickybuffers");
    rb_fails("tcp.hdr; to_md5; content:\"a\"; to_lowercase;",
             "transforms must directly follow stickybuffers");
    /* each buffer has its own chain; the payload list has none */
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "ipv4.hdr; to_md5; content:\"a\"; tcp.hdr; to_lowercase; content:\"b\"; pkt_data; "
              "content:\"c\";");
    assert_true(cn_transform_list_has_chain(&x.r.lists[CN_LIST__BUILTIN + CN_BUFFER_IPV4_HDR]));
    assert_true(cn_transform_list_has_chain(&x.r.lists[TCP_LIST]));
    assert_false(cn_transform_list_has_chain(&x.r.lists[CN_LIST_PAYLOAD]));
    rb_free(&x);
    /* content modifiers still reach the buffer's content past the chain */
    assert_false(rule_on("to_lowercase; content:\"abc\"; offset:1;", "ABC"));
    assert_true(rule_on("to_lowercase; content:\"abc\"; offset:1;", "xABC"));
    /* a list without a chain passes through untouched */
    rb_init(&x, NULL);
    rb_ok(&x, "tcp.hdr; content:\"abc\";");
    struct cn_transform_scratch *s = NULL;
    const uint8_t *buf = (const uint8_t *)"xabc";
    uint32_t len = 4;
    struct cn_smlist rest;
    assert_true(cn_transform_buffer(&s, TCP_LIST, &x.r.lists[TCP_LIST], &rest, &buf, &len));
    assert_null(s); /* nothing allocated for rules without transforms */
    assert_int_equal(len, 4);
    assert_int_equal(rest.n, 1);
    rb_free(&x);
}

/* A rule naming a transform without a sticky buffer fails to load, with Suricata's reason. */
static void test_load_error(void **state)
{
    (void)state;
    struct cn_detect_loader ld = {0};
    struct cn_detect_vars *vars = cn_detect_vars_new(NULL);
    assert_non_null(vars);
    ld.vars = vars;
    char err[160] = "";
    struct cn_rule *r =
        cn_rule_parse("alert tcp any any -> any any (to_lowercase; content:\"a\"; sid:1;)", &ld,
                      err, sizeof(err));
    assert_null(r);
    assert_non_null(strstr(err, "transforms must directly follow stickybuffers"));
    r = cn_rule_parse("alert tcp any any -> any any (tcp.hdr; to_lowercase; content:\"a\"; sid:1;)",
                      &ld, err, sizeof(err));
    assert_non_null(r);
    cn_rule_free(r);
    cn_detect_vars_free(vars);
}

static void test_bounds(void **state)
{
    (void)state;
    static uint8_t big[CN_TRANSFORM_MAX_LEN + 1];
    static uint8_t out[CN_TRANSFORM_MAX_LEN];
    memset(big, 'A', sizeof(big));
    uint32_t n = 0;
    /* exactly the limit fits; one byte more, or a prefix on a full buffer, does not */
    assert_true(xform("to_lowercase;", big, CN_TRANSFORM_MAX_LEN, out, &n));
    assert_int_equal(n, CN_TRANSFORM_MAX_LEN);
    assert_int_equal(out[n - 1], 'a');
    assert_false(xform("to_lowercase;", big, sizeof(big), out, &n));
    assert_false(xform("dotprefix;", big, CN_TRANSFORM_MAX_LEN, out, &n));
    assert_true(xform("dotprefix;", big, CN_TRANSFORM_MAX_LEN - 1, out, &n));
    assert_int_equal(n, CN_TRANSFORM_MAX_LEN);
    /* shrinking steps bring an over-long buffer back under the limit only if they run first:
     * the input itself is checked */
    assert_false(xform("to_sha256;", big, sizeof(big), out, &n));
    /* a chain that grows then shrinks stays within the limit */
    assert_true(xform("dotprefix; to_sha1;", big, CN_TRANSFORM_MAX_LEN - 1, out, &n));
    assert_int_equal(n, 20);
}

/* Identical chains over the same buffer share one run per packet; different chains, other
 * buffers and the next packet do not. */
static void test_reuse(void **state)
{
    (void)state;
    struct rb a, b, c;
    rb_init(&a, NULL);
    rb_init(&b, NULL);
    rb_init(&c, NULL);
    rb_ok(&a, "tcp.hdr; to_lowercase; xor:\"01\"; content:\"x\";");
    rb_ok(&b, "tcp.hdr; to_lowercase; xor:\"01\"; content:\"y\";");
    rb_ok(&c, "tcp.hdr; to_lowercase; xor:\"02\"; content:\"x\";");
    uint8_t input[8] = "ABCDEFG";
    struct cn_transform_scratch *s = NULL;
    struct cn_smlist rest;
    const uint8_t *ba = input, *bb = input, *bc = input;
    uint32_t la = 7, lb = 7, lc = 7;
    assert_true(cn_transform_buffer(&s, TCP_LIST, &a.r.lists[TCP_LIST], &rest, &ba, &la));
    assert_true(cn_transform_buffer(&s, TCP_LIST, &b.r.lists[TCP_LIST], &rest, &bb, &lb));
    assert_ptr_equal(ba, bb); /* b reused a's result */
    assert_true(cn_transform_buffer(&s, TCP_LIST, &c.r.lists[TCP_LIST], &rest, &bc, &lc));
    assert_ptr_not_equal(bc, ba);
    assert_int_equal(ba[0], 'a' ^ 1);
    assert_int_equal(bc[0], 'a' ^ 2);
    /* same chain, another buffer: runs again */
    const uint8_t *bo = input;
    uint32_t lo = 7;
    assert_true(cn_transform_buffer(&s, TCP_LIST + 1, &b.r.lists[TCP_LIST], &rest, &bo, &lo));
    assert_ptr_not_equal(bo, ba);
    /* the next packet: same address, new bytes, new result */
    cn_transform_scratch_next(s);
    input[0] = 'Z';
    const uint8_t *bn = input;
    uint32_t ln = 7;
    assert_true(cn_transform_buffer(&s, TCP_LIST, &b.r.lists[TCP_LIST], &rest, &bn, &ln));
    assert_int_equal(bn[0], 'z' ^ 1);
    cn_transform_scratch_free(s);
    rb_free(&a);
    rb_free(&b);
    rb_free(&c);
}

/* ---- through the loader and the engine ---- */

/* an IPv4/TCP packet with 4 bytes of options and the payload "data" */
static const uint8_t frame[] = {
    0x45, 0x00, 0x00, 0x30, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00, 10,  0,   0,   1,
    10,   0,    0,    2,    0x30, 0x39, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0,   0,   0,   0,
    0x60, 0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 'd', 'a', 't', 'a'};

static void tcp_packet(struct cn_packet *p)
{
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_IPV4 | CN_PKT_TCP;
    p->ip_ver = 4;
    p->proto = 6;
    p->src.b[0] = 10;
    p->src.b[3] = 1;
    p->dst.b[0] = 10;
    p->dst.b[3] = 2;
    p->sp = 12345;
    p->dp = 80;
    p->l3 = frame;
    p->l3_len = sizeof(frame);
    p->ip_hlen = 20;
    p->l4 = frame + 20;
    p->l4_len = sizeof(frame) - 20;
    p->tcp.hlen = 24;
    p->payload = frame + 44;
    p->payload_len = 4;
}

static void test_engine(void **state)
{
    (void)state;
    /* tcp.hdr XOR 0x30 turns the MSS option 02 04 05 b4 into 32 34 35 84 */
    const char *rules =
        "alert tcp any any -> any any (tcp.hdr; xor:\"30\"; content:\"|32 34 35 84|\"; "
        "offset:20; sid:1;)\n"
        "alert tcp any any -> any any (tcp.hdr; xor:\"30\"; content:\"|32 34 35 85|\"; sid:2;)\n"
        "alert tcp any any -> any any (tcp.hdr; xor:\"30\"; bsize:24; content:\"|00 09|\"; "
        "sid:3;)\n"
        "alert tcp any any -> any any (ipv4.hdr; to_md5; bsize:16; tcp.hdr; to_uppercase; "
        "content:\"|02 04 05 b4|\"; pkt_data; content:\"data\"; sid:4;)\n"
        "alert tcp any any -> any any (ipv4.hdr; to_md5; bsize:20; sid:5;)\n";
    char path[] = "/tmp/cn-transform-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
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
    struct cn_packet p;
    const struct cn_alert *alerts;
    for (int round = 0; round < 2; round++) { /* the second packet must not see stale results */
        tcp_packet(&p);
        unsigned n = cn_detect_packet(ctx, &p, &alerts);
        bool seen[6] = {false};
        for (unsigned i = 0; i < n; i++)
            seen[cn_rule_sid(alerts[i].rule)] = true;
        /* ports 12345 -> 80: 0x30 0x39 XOR 0x30 = 00 09 */
        assert_true(seen[1]);
        assert_false(seen[2]);
        assert_true(seen[3]);
        assert_true(seen[4]);
        assert_false(seen[5]);
        assert_int_equal(n, 3);
    }
    cn_detect_ctx_free(ctx);
    cn_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case),       cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_dotprefix),  cmocka_unit_test(test_url_decode),
        cmocka_unit_test(test_xor),        cmocka_unit_test(test_hashes),
        cmocka_unit_test(test_pcrexform),  cmocka_unit_test(test_header_lowercase),
        cmocka_unit_test(test_chains),     cmocka_unit_test(test_placement),
        cmocka_unit_test(test_load_error), cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_reuse),      cmocka_unit_test(test_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
