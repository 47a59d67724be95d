/* Unit tests of src/stream/reassembly.c: in-order delivery with offsets, out-of-order data,
 * overlaps (same and different bytes, policies), gaps on ACK and at flow end, depth, the
 * reassembly memcap, sequence wraparound, TCP Fast Open data, and that nothing leaks
 * (every test ends with both memcaps back at zero). */
#include "stream_test.h"

static void test_in_order(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1001, 5001, "hello ");
    pkt(t, true, A | P, 1007, 5001, "world");
    assert_stream(t, 0, "hello world");
    assert_int_equal(t->sink.chunks[0], 2);
    assert_int_equal(t->sink.next_off[0], 11);
    /* delivered data is kept until acknowledged, then given back */
    assert_true(cn_stream_reassembly_memcap(t->ctx)->used > 0);
    pkt(t, false, A, 5001, 1012, NULL);
    assert_int_equal(cn_stream_reassembly_memcap(t->ctx)->used, 0);
    assert_int_equal(t->stats.v[CN_STAT_TCP_REASSEMBLY_MEMUSE], 0);
    /* an exact retransmission is neither delivered again nor an event */
    pkt(t, true, A | P, 1007, 5001, "world");
    assert_int_equal(t->sink.n[0], 11);
    assert_int_equal(t->sink.eof[0], 0);
    tctx_free(t);
}

static void test_out_of_order(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1007, 5001, "CCC");
    pkt(t, true, A | P, 1004, 5001, "BBB");
    assert_int_equal(t->sink.n[0], 0);
    struct cn_packet *p = pkt(t, true, A | P, 1001, 5001, "AAA");
    assert_int_equal(p->events_n, 0);
    assert_stream(t, 0, "AAABBBCCC");
    pkt(t, true, A | P, 1010, 5001, "D");
    assert_stream(t, 0, "AAABBBCCCD");
    assert_int_equal(t->stats.v[CN_STAT_TCP_OVERLAP], 0);
    tctx_free(t);
}

static void test_overlap_same_data(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1005, 5001, "efgh");
    struct cn_packet *p = pkt(t, true, A | P, 1003, 5001, "cdef"); /* overlaps "ef" */
    assert_false(has_ev(p, CN_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    assert_int_equal(t->stats.v[CN_STAT_TCP_OVERLAP], 1);
    pkt(t, true, A | P, 1001, 5001, "ab");
    assert_stream(t, 0, "abcdefgh");
    assert_int_equal(t->stats.v[CN_STAT_TCP_OVERLAP_DIFF_DATA], 0);
    tctx_free(t);
}

static void test_overlap_different_queued(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(); /* BSD: the original wins unless the new one starts before */
    handshake(t);
    pkt(t, true, A | P, 1005, 5001, "EFGH");
    struct cn_packet *p = pkt(t, true, A | P, 1005, 5001, "xxxx");
    assert_true(has_ev(p, CN_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    assert_int_equal(t->stats.v[CN_STAT_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA], 1);
    assert_int_equal(t->stats.v[CN_STAT_TCP_OVERLAP_DIFF_DATA], 1);
    p = pkt(t, true, A | P, 1004, 5001, "dyy"); /* starts before: its bytes win */
    assert_true(has_ev(p, CN_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    pkt(t, true, A | P, 1001, 5001, "abc");
    assert_stream(t, 0, "abcdyyGH");
    tctx_free(t);
}

static void run_policy(enum cn_stream_overlap_policy pol, const char *want)
{
    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    cfg.overlap_policy = pol;
    struct tctx *t = tctx_new_cfg(&cfg);
    handshake(t);
    pkt(t, true, A | P, 1003, 5001, "cdef");
    pkt(t, true, A | P, 1003, 5001, "CDEFG"); /* same start, longer */
    pkt(t, true, A | P, 1002, 5001, "BCD");   /* starts before, ends inside */
    pkt(t, true, A | P, 1001, 5001, "a");
    assert_stream(t, 0, want);
    tctx_free(t);
}

static void test_overlap_policies(void **state)
{
    (void)state;
    run_policy(CN_OVERLAP_FIRST, "aBcdefG");
    run_policy(CN_OVERLAP_LAST, "aBCDEFG");
    run_policy(CN_OVERLAP_BSD, "aBCDefG");
    run_policy(CN_OVERLAP_LINUX, "aBCDEFG");
    run_policy(CN_OVERLAP_SOLARIS, "aBcdefG");
}

static void test_retransmission_different_data(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1001, 5001, "GET /index");
    /* not yet acknowledged: the retransmission is compared with what was delivered */
    struct cn_packet *p = pkt(t, true, A | P, 1005, 5001, "/evil");
    assert_true(has_ev(p, CN_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    assert_stream(t, 0, "GET /index");              /* what was delivered stays delivered */
    p = pkt(t, true, A | P, 1005, 5001, "/index!"); /* same bytes, then new ones */
    assert_false(has_ev(p, CN_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    assert_stream(t, 0, "GET /index!");
    tctx_free(t);
}

static void test_gap_on_ack(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1001, 5001, "abc");
    /* 1004..1009 lost; 1010.. arrives */
    pkt(t, true, A | P, 1010, 5001, "xyz");
    assert_stream(t, 0, "abc");
    struct cn_packet *p = pkt(t, false, A, 5001, 1013, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_REASSEMBLY_SEQ_GAP));
    assert_int_equal(t->stats.v[CN_STAT_TCP_REASSEMBLY_GAP], 1);
    assert_int_equal(t->sink.gaps[0], 1);
    assert_int_equal(t->sink.gap_bytes[0], 6);
    assert_stream(t, 0, "abc######xyz");
    /* the lost bytes turning up late are before the base now */
    p = pkt(t, true, A | P, 1004, 5001, "DEF");
    assert_true(has_ev(p, CN_EV_STREAM_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ) ||
                has_ev(p, CN_EV_STREAM_PKT_SPURIOUS_RETRANSMISSION));
    pkt(t, true, A | P, 1013, 5001, "!");
    assert_stream(t, 0, "abc######xyz!");
    /* a gap at the tail: the peer acks bytes never seen at all */
    pkt(t, false, A, 5001, 1020, NULL);
    assert_int_equal(t->sink.gaps[0], 2);
    pkt(t, true, A | P, 1020, 5001, "z");
    assert_stream(t, 0, "abc######xyz!######z");
    tctx_free(t);
}

/* What flow records report (cn_stream_summary): a gap only when one was reported, and a
 * second region when out-of-order data lies more than 256 KiB beyond the rest. */
static void test_summary_gaps_and_regions(void **state)
{
    (void)state;
    bool gap;
    unsigned regions;
    /* window scaling (shift 7) on both SYNs, so data 300 KB ahead is within the window */
    struct tctx *t = tctx_new();
    for (int i = 0; i < 2; i++) {
        struct cn_packet *p = &t->p;
        memset(p, 0, sizeof(*p));
        p->flags = CN_PKT_TCP | CN_PKT_IPV4;
        p->ip_ver = 4;
        p->proto = 6;
        p->ts = (t->clock += 1000);
        p->tcp.flags = i ? (S | A) : S;
        p->tcp.seq = i ? 5000 : 1000;
        p->tcp.ack = i ? 1001 : 0;
        p->tcp.win = 65535;
        p->tcp.has_wscale = true;
        p->tcp.wscale = 7;
        p->flow = &t->flow;
        p->toserver = !i;
        cn_stream_packet(t->ctx, NULL, &t->flow, p);
    }
    pkt(t, true, A, 1001, 5001, NULL);
    pkt(t, false, A, 5001, 1001, NULL); /* the server's scaled window: 8 MiB */
    pkt(t, true, A | P, 1001, 5001, "abc");
    struct cn_packet *far = pkt(t, true, A | P, 1004 + 300000, 5001, "far");
    assert_int_equal(far->events_n, 0);
    cn_stream_summary(&t->flow, true, &gap, &regions);
    assert_int_equal(regions, 2);
    assert_false(gap);
    tctx_free(t);

    t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1001, 5001, "abc");
    pkt(t, true, A | P, 1010, 5001, "xyz");
    cn_stream_summary(&t->flow, true, &gap, &regions);
    assert_false(gap);
    assert_int_equal(regions, 1);       /* 6 bytes apart: one region */
    pkt(t, false, A, 5001, 1013, NULL); /* the peer acks the hole: a reported gap */
    cn_stream_summary(&t->flow, true, &gap, &regions);
    assert_true(gap);
    cn_stream_summary(&t->flow, false, &gap, &regions);
    assert_false(gap);
    assert_int_equal(regions, 1);
    tctx_free(t);
}

static void test_no_gap_on_normal_traffic(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    for (int i = 0; i < 50; i++) {
        uint32_t cs = 1001 + (uint32_t)i * 4, ss = 5001 + (uint32_t)i * 6;
        struct cn_packet *p = pkt(t, true, A | P, cs, ss, "ping");
        assert_int_equal(p->events_n, 0);
        p = pkt(t, false, A | P, ss, cs + 4, "pong!!");
        assert_int_equal(p->events_n, 0);
    }
    pkt(t, true, F | A, 1201, 5301, NULL);
    pkt(t, false, F | A, 5301, 1202, NULL);
    struct cn_packet *p = pkt(t, true, A, 1202, 5302, NULL);
    assert_int_equal(p->events_n, 0);
    assert_int_equal(t->sink.gaps[0] + t->sink.gaps[1], 0);
    assert_int_equal(t->sink.n[0], 200);
    assert_int_equal(t->sink.n[1], 300);
    for (unsigned e = 1; e < CN_EV__COUNT; e++)
        if (cn_event_descs[e].counter < CN_STAT__COUNT) /* app-layer events have none */
            assert_int_equal(t->stats.v[cn_event_descs[e].counter], 0);
    assert_int_equal(cn_stream_reassembly_memcap(t->ctx)->used, 0);
    tctx_free(t);
}

static void test_flow_end_with_hole(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1001, 5001, "ab");
    pkt(t, true, A | P, 1005, 5001, "ef");
    pkt(t, true, A | P, 1010, 5001, "jk");
    assert_true(cn_stream_reassembly_memcap(t->ctx)->used > 0);
    cn_stream_flow_end(t->ctx, &t->flow);
    assert_null(t->flow.stream);
    assert_stream(t, 0, "ab##ef###jk");
    assert_int_equal(t->sink.eof[0], 1);
    assert_int_equal(t->sink.eof[1], 1);
    /* holes found only when the flow ends are delivered as gaps but not counted or raised:
     * the data may have been in flight (Suricata does the same) */
    assert_int_equal(t->stats.v[CN_STAT_TCP_REASSEMBLY_GAP], 0);
    assert_int_equal(t->stats.v[CN_STAT_TCP_ACTIVE_SESSIONS], 0);
    tctx_free(t);
}

static void test_fin_eof_waits_for_data(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, F | A | P, 1004, 5001, "def"); /* FIN at 1007, data 1001..1003 missing */
    assert_int_equal(t->sink.eof[0], 0);
    pkt(t, true, A | P, 1001, 5001, "abc");
    assert_stream(t, 0, "abcdef");
    assert_int_equal(t->sink.eof[0], 1);
    tctx_free(t);
}

static void test_depth(void **state)
{
    (void)state;
    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    cfg.depth = 10;
    struct tctx *t = tctx_new_cfg(&cfg);
    handshake(t);
    struct cn_packet *p = pkt(t, true, A | P, 1001, 5001, "0123456");
    assert_int_equal(p->events_n, 0);
    p = pkt(t, true, A | P, 1008, 5001, "789abc");
    assert_true(has_ev(p, CN_EV_STREAM_REASSEMBLY_DEPTH_REACHED));
    assert_int_equal(t->stats.v[CN_STAT_TCP_STREAM_DEPTH_REACHED], 1);
    assert_int_equal(t->sink.depth[0], 1);
    assert_stream(t, 0, "0123456789");
    p = pkt(t, true, A | P, 1014, 5001, "more");
    assert_false(has_ev(p, CN_EV_STREAM_REASSEMBLY_DEPTH_REACHED));
    assert_stream(t, 0, "0123456789");
    assert_int_equal(t->stats.v[CN_STAT_TCP_STREAM_DEPTH_REACHED], 1);
    /* the other direction has its own depth */
    pkt(t, false, A | P, 5001, 1018, "short");
    assert_stream(t, 1, "short");
    assert_int_equal(t->sink.depth[1], 0);
    tctx_free(t);
}

static void test_reassembly_memcap(void **state)
{
    (void)state;
    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    cfg.reassembly_memcap = 2048;
    struct tctx *t = tctx_new_cfg(&cfg);
    handshake(t);
    uint8_t buf[1000];
    memset(buf, 'q', sizeof(buf));
    /* out of order and so must be stored: the second one no longer fits */
    struct cn_packet *p = pktn(t, true, A | P, 2001, 5001, buf, 1000);
    assert_false(has_ev(p, CN_EV_STREAM_REASSEMBLY_INSERT_MEMCAP));
    p = pktn(t, true, A | P, 3001, 5001, buf, 1000);
    assert_true(has_ev(p, CN_EV_STREAM_REASSEMBLY_INSERT_MEMCAP));
    assert_int_equal(t->stats.v[CN_STAT_TCP_SEGMENT_MEMCAP_DROP], 1);
    assert_int_equal(t->stats.v[CN_STAT_EV_STREAM_REASSEMBLY_INSERT_MEMCAP], 1);
    assert_true(cn_stream_reassembly_memcap(t->ctx)->used <= 2048);
    /* in-order data still flows straight through */
    pktn(t, true, A | P, 1001, 5001, buf, 1000);
    assert_int_equal(t->sink.n[0], 2000);
    for (uint32_t i = 0; i < 200; i++)
        pktn(t, true, A | P, 10001 + i * 20, 5001, buf, 10);
    assert_true(cn_stream_reassembly_memcap(t->ctx)->used <= 2048);
    tctx_free(t);
}

static void test_wraparound(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    uint32_t isn = 0xfffffff8u;
    pkt(t, true, S, isn, 0, NULL);
    pkt(t, false, S | A, 0xfffffffeu, isn + 1, NULL);
    pkt(t, true, A, isn + 1, 0xffffffffu, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    /* client bytes at 0xfffffff9 .. 0x00000008 */
    pkt(t, true, A | P, isn + 1 + 10, 0xffffffffu, "KLMNO"); /* after the wrap, early */
    pkt(t, true, A | P, isn + 1, 0xffffffffu, "abcdefg");    /* before the wrap */
    pkt(t, true, A | P, isn + 1 + 7, 0xffffffffu, "HIJ");    /* across it */
    assert_stream(t, 0, "abcdefgHIJKLMNO");
    /* server bytes starting at 0xffffffff */
    pkt(t, false, A | P, 0xffffffffu, isn + 16, "xy");
    pkt(t, false, A | P, 1, isn + 16, "z");
    assert_stream(t, 1, "xyz");
    pkt(t, true, A, isn + 16, 2, NULL);
    pkt(t, false, A, 2, isn + 16, NULL);
    assert_int_equal(cn_stream_reassembly_memcap(t->ctx)->used, 0);
    tctx_free(t);
}

static void test_tfo(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    struct cn_packet *p = &t->p;
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_TCP;
    p->tcp.flags = S;
    p->tcp.seq = 1000;
    p->tcp.win = 1000;
    p->tcp.has_tfo = true;
    p->payload = (const uint8_t *)"early";
    p->payload_len = 5;
    p->toserver = true;
    cn_stream_packet(t->ctx, NULL, &t->flow, p);
    assert_stream(t, 0, "early");
    pkt(t, false, S | A, 5000, 1006, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_SYN_RECV);
    pkt(t, true, A | P, 1006, 5001, " data");
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    assert_stream(t, 0, "early data");
    tctx_free(t);
}

static void test_ooo_limit_and_hostile(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    /* many one-byte out-of-order segments, never filled: bounded and freed at the end */
    for (uint32_t i = 0; i < 3000; i++)
        pkt(t, true, A | P, 1003 + i * 2, 5001, "x");
    assert_true(t->stats.v[CN_STAT_EV_STREAM_REASSEMBLY_INSERT_LIMIT] > 0);
    assert_int_equal(t->sink.n[0], 0);
    tctx_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_overlap_same_data),
        cmocka_unit_test(test_overlap_different_queued),
        cmocka_unit_test(test_overlap_policies),
        cmocka_unit_test(test_retransmission_different_data),
        cmocka_unit_test(test_gap_on_ack),
        cmocka_unit_test(test_summary_gaps_and_regions),
        cmocka_unit_test(test_no_gap_on_normal_traffic),
        cmocka_unit_test(test_flow_end_with_hole),
        cmocka_unit_test(test_fin_eof_waits_for_data),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_reassembly_memcap),
        cmocka_unit_test(test_wraparound),
        cmocka_unit_test(test_tfo),
        cmocka_unit_test(test_ooo_limit_and_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
