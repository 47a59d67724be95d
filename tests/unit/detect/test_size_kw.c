/* Size keywords: bsize (the current sticky buffer's size, transforms applied), stream_size (a
 * TCP session's sequence progress per side, Suricata's next_seq - isn) and ttl on IPv6 (the
 * hop limit, checked through the real decoder). Positive and negative cases and the values
 * that must be refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "detect/transform.h"
#include "kw_harness.h"
#include "payload_harness.h"
#include "stream/stream_int.h"

#define TCP_LIST (CN_LIST__BUILTIN + CN_BUFFER_TCP_HDR)

/* "tcp.hdr; <opts>" over buf, through the chain and the inspector as the engine runs it. */
static bool on_buffer(const char *opts, const char *buf)
{
    char text[512];
    snprintf(text, sizeof(text), "tcp.hdr; %s", opts);
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, text);
    struct cn_transform_scratch *s = NULL;
    const uint8_t *b = (const uint8_t *)buf;
    uint32_t len = (uint32_t)strlen(buf);
    struct cn_smlist rest;
    bool m = cn_transform_buffer(&s, TCP_LIST, &x.r.lists[TCP_LIST], &rest, &b, &len);
    if (m) {
        struct cn_inspect in = {.rule = &x.r, .buf = b, .len = len};
        m = cn_inspect_list(&in, &rest);
    }
    cn_transform_scratch_free(s);
    rb_free(&x);
    return m;
}

static void test_bsize(void **state)
{
    (void)state;
    assert_true(on_buffer("bsize:5;", "hello"));
    assert_false(on_buffer("bsize:4;", "hello"));
    assert_true(on_buffer("bsize:<6;", "hello"));
    assert_false(on_buffer("bsize:<5;", "hello"));
    assert_true(on_buffer("bsize:>=5;", "hello"));
    assert_false(on_buffer("bsize:>5;", "hello"));
    assert_true(on_buffer("bsize:4<>6;", "hello"));
    assert_false(on_buffer("bsize:5<>9;", "hello"));
    assert_true(on_buffer("bsize:3-10;", "hello"));
    assert_true(on_buffer("bsize:!4;", "hello"));
    /* with content, in any order */
    assert_true(on_buffer("content:\"ell\"; bsize:5;", "hello"));
    assert_false(on_buffer("bsize:5; content:\"ell\";", "help!"));
    /* the size after the transforms */
    assert_true(on_buffer("dotprefix; bsize:6;", "hello"));
    assert_true(on_buffer("to_sha256; bsize:32;", "hello"));
    assert_true(on_buffer("strip_whitespace; bsize:2;", " h i "));
    assert_false(on_buffer("bsize:2;", " h i "));
    /* placement and values */
    rb_fails("bsize:5;", "bsize must follow a sticky buffer");
    rb_fails("tcp.hdr; content:\"a\"; pkt_data; bsize:5;", "bsize must follow a sticky buffer");
    rb_fails("tcp.hdr; bsize:abc;", NULL);
    rb_fails("tcp.hdr; bsize:5-5;", NULL);
    rb_fails("tcp.hdr; bsize;", NULL);
    rb_fails("tcp.hdr; bsize:<0;", NULL);
}

/* A TCP flow whose session has seen cli/srv payload bytes. */
struct tcpflow {
    struct cn_flow f;
    struct cn_session ssn;
    struct cn_packet p;
};

static void tcpflow_init(struct tcpflow *t, uint64_t cli, uint64_t srv)
{
    memset(t, 0, sizeof(*t));
    t->ssn.d[CLI].bytes = cli;
    t->ssn.d[SRV].bytes = srv;
    t->f.stream = &t->ssn;
    t->f.proto = 6;
    t->f.pkts_toserver = 3;
    t->f.pkts_toclient = 2;
    t->f.tcp_flags_ts = CN_TH_SYN | CN_TH_ACK;
    t->f.tcp_flags_tc = CN_TH_SYN | CN_TH_ACK;
    t->p.flags = CN_PKT_IPV4 | CN_PKT_TCP;
    t->p.ip_ver = 4;
    t->p.proto = 6;
    t->p.flow = &t->f;
    t->p.toserver = true;
}

static void test_stream_size(void **state)
{
    (void)state;
    struct tcpflow t;
    /* client sent 99 bytes after its SYN: size 100; server 9 bytes: size 10 */
    tcpflow_init(&t, 99, 9);
    assert_int_equal(cn_stream_bytes(&t.f, true), 99); /* the session as the stream reports it */
    assert_int_equal(cn_stream_bytes(&t.f, false), 9);
    MATCH("stream_size", "client,=,100", &t.p);
    NO_MATCH("stream_size", "client,=,99", &t.p);
    MATCH("stream_size", "server,<,11", &t.p);
    NO_MATCH("stream_size", "server,<,10", &t.p);
    MATCH("stream_size", "server,<=,10", &t.p);
    MATCH("stream_size", "client,>,99", &t.p);
    NO_MATCH("stream_size", "client,>,100", &t.p);
    MATCH("stream_size", "client,>=,100", &t.p);
    MATCH("stream_size", "server,!=,11", &t.p);
    NO_MATCH("stream_size", "server,!=,10", &t.p);
    MATCH("stream_size", "both,>,9", &t.p);
    NO_MATCH("stream_size", "both,>,10", &t.p);
    MATCH("stream_size", "either,>,10", &t.p);
    NO_MATCH("stream_size", "either,>,100", &t.p);
    MATCH("stream_size", " server , < , 1111 ", &t.p);
    /* a FIN counts one */
    t.f.tcp_flags_tc |= CN_TH_FIN;
    MATCH("stream_size", "server,=,11", &t.p);
    /* a side that sent nothing has size 0 */
    t.f.pkts_toclient = 0;
    t.ssn.d[SRV].bytes = 0;
    MATCH("stream_size", "server,=,0", &t.p);
    NO_MATCH("stream_size", "server,>,0", &t.p);
    /* no session, no flow, not TCP: never */
    tcpflow_init(&t, 99, 9);
    t.f.stream = NULL;
    NO_MATCH("stream_size", "client,>,1", &t.p);
    NO_MATCH("stream_size", "client,<,1000", &t.p);
    tcpflow_init(&t, 99, 9);
    t.p.flow = NULL;
    NO_MATCH("stream_size", "client,<,1000", &t.p);
    tcpflow_init(&t, 99, 9);
    t.p.flags = CN_PKT_IPV4 | CN_PKT_UDP;
    NO_MATCH("stream_size", "client,<,1000", &t.p);
    /* values */
    kw_rejects("stream_size", "sender,<,5");
    kw_rejects("stream_size", "server,<>,5");
    kw_rejects("stream_size", "server,=<,5");
    kw_rejects("stream_size", "server,<,");
    kw_rejects("stream_size", "server,<,-5");
    kw_rejects("stream_size", "server,<,5-9");
    kw_rejects("stream_size", "server,<,4294967296");
    kw_rejects("stream_size", "server,<");
    kw_rejects("stream_size", "server,<,5,6");
    kw_rejects("stream_size", NULL);
}

/* An IPv6 packet through the decoder: ttl compares the hop limit. */
static void test_ttl_ipv6(void **state)
{
    (void)state;
    /* Ethernet, IPv6 with hop limit 254, a destination options header, then ICMPv6 echo */
    static const uint8_t frame[] = {
        0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x86, 0xdd,
        /* IPv6: payload 16 bytes, next header 60 (dest opts), hop limit 254 */
        0x60, 0, 0, 0, 0, 16, 60, 254, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
        /* destination options: next 58, length 0 (8 bytes), PadN of 4 */
        58, 0, 1, 4, 0, 0, 0, 0,
        /* ICMPv6 echo request (checksum not checked here) */
        128, 0, 0, 0, 0, 1, 0, 1};
    struct cn_stats stats;
    memset(&stats, 0, sizeof(stats));
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    cfg.checksum = CN_CSUM_NONE;
    struct cn_decode_ctx *dc = cn_decode_ctx_new(&cfg, &stats);
    assert_non_null(dc);
    struct cn_frame fr = {
        .data = frame, .caplen = sizeof(frame), .wirelen = sizeof(frame), .linktype = 1};
    struct cn_packet p;
    cn_decode_frame(dc, &fr, &p);
    assert_int_equal(p.ip_ver, 6);
    MATCH("ttl", "254", &p);
    MATCH("ttl", ">200", &p);
    NO_MATCH("ttl", "64", &p);
    NO_MATCH("ttl", "255", &p);
    cn_decode_ctx_free(dc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bsize),
        cmocka_unit_test(test_stream_size),
        cmocka_unit_test(test_ttl_ipv6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
