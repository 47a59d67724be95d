/* Defrag: in order, out of order, overlap under each policy, IPv6, timeout, memcap and
 * tracker limits, too-large fragments, and the rebuilt packet's bytes. */
#include "builders.h"

#include "decode/decode_int.h"

#define PAYLOAD 48

/* The UDP datagram to fragment: 8-byte header + PAYLOAD bytes 0, 1, 2, ... */
static void datagram(uint8_t *d, size_t *n)
{
    struct fb f = {0};
    size_t ip = ipv4(&f, 17, 0x0a000001, 0x0a000002);
    size_t u = udp(&f, 1000, 2000);
    for (int i = 0; i < PAYLOAD; i++)
        put8(&f, (uint8_t)i);
    udp_done(&f, ip, u);
    memcpy(d, f.b + 20, f.n - 20);
    *n = f.n - 20;
}

/* An Ethernet/IPv4 fragment carrying bytes [off, off+len) of data. */
static struct cn_packet *frag4(struct tctx *t, uint16_t id, const uint8_t *data, size_t off,
                               size_t len, bool more, cn_time_t ts)
{
    struct fb f = {0};
    eth(&f, 0x0800);
    size_t ip = ipv4(&f, 17, 0x0a000001, 0x0a000002);
    set16(&f, ip + 4, id);
    set16(&f, ip + 6, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
    put(&f, data + off, len);
    ipv4_done(&f, ip);
    return dec_ts(t, CN_LINK_ETHERNET, &f, ts);
}

static void check_rebuilt(struct tctx *t, const uint8_t *want, size_t n)
{
    struct cn_packet *r = cn_decode_next_rebuilt(t->ctx);
    assert_non_null(r);
    assert_true(r->flags & CN_PKT_REBUILT);
    assert_true(r->flags & CN_PKT_UDP);
    assert_false(r->flags & CN_PKT_FRAGMENT);
    assert_false(r->flags & (CN_PKT_IPV4_CSUM_BAD | CN_PKT_L4_CSUM_BAD));
    assert_int_equal(r->sp, 1000);
    assert_int_equal(r->l3_len, 20 + n);
    assert_memory_equal(r->l3 + 20, want, n);
    assert_int_equal(r->caplen, 14 + 20 + n);
    assert_true(r->flags & CN_PKT_ETH);
    assert_memory_equal(r->eth_src, MAC_A, 6);
    assert_null(cn_decode_next_rebuilt(t->ctx));
}

static void test_in_order(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    uint8_t d[128];
    size_t n;
    datagram(d, &n);
    struct cn_packet *p = frag4(t, 1, d, 0, 24, true, 1);
    assert_true(p->flags & CN_PKT_FRAGMENT);
    assert_false(p->flags & CN_PKT_UDP);
    assert_null(cn_decode_next_rebuilt(t->ctx));
    p = frag4(t, 1, d, 24, n - 24, false, 2);
    assert_int_equal(p->pcap_cnt, 2);
    struct cn_packet *r = &t->ctx->rebuilt;
    check_rebuilt(t, d, n);
    assert_int_equal(r->pcap_cnt, 2);
    assert_int_equal(r->ts, 2);
    assert_int_equal(stat(t, CN_STAT_DEFRAG_IPV4_FRAGMENTS), 2);
    assert_int_equal(stat(t, CN_STAT_DEFRAG_IPV4_REASSEMBLED), 1);
    assert_int_equal(stat(t, CN_STAT_DECODER_UDP), 1);
    assert_int_equal(stat(t, CN_STAT_DECODER_IPV4), 3);
    assert_int_equal(stat(t, CN_STAT_DECODER_PKTS), 2);
    assert_int_equal(cn_defrag_trackers(t->ctx->defrag), 0);
    assert_int_equal(stat(t, CN_STAT_DEFRAG_MEMUSE), 0);
    tctx_free(t);
}

static void test_out_of_order(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    uint8_t d[128];
    size_t n;
    datagram(d, &n);
    frag4(t, 2, d, 32, n - 32, false, 1);
    frag4(t, 3, d, 0, 16, true, 1); /* another datagram: must not mix */
    assert_null(cn_decode_next_rebuilt(t->ctx));
    frag4(t, 2, d, 16, 16, true, 1);
    assert_null(cn_decode_next_rebuilt(t->ctx));
    assert_int_equal(cn_defrag_trackers(t->ctx->defrag), 2);
    frag4(t, 2, d, 0, 16, true, 1);
    check_rebuilt(t, d, n);
    assert_int_equal(cn_defrag_trackers(t->ctx->defrag), 1);
    tctx_free(t);
}

/* Old fragment A covers [8, 24) with 'A'; new fragment B covers [0, 32) with 'B' (starts
 * before and ends after); then [32, end) completes. */
static void overlap_case(enum cn_defrag_policy pol, uint8_t want_mid)
{
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    cfg.checksum = CN_CSUM_NONE;
    cfg.defrag_policy = pol;
    struct tctx *t = tctx_new(&cfg);
    uint8_t d[128], a[128], b[128];
    size_t n;
    datagram(d, &n);
    memcpy(a, d, n);
    memcpy(b, d, n);
    memset(a + 8, 'A', 16);
    memset(b + 8, 'B', 24);
    frag4(t, 9, a, 8, 16, true, 1);
    struct cn_packet *p = frag4(t, 9, b, 0, 32, true, 1);
    assert_true(cn_packet_has_event(p, CN_EV_IPV4_FRAG_OVERLAP));
    frag4(t, 9, d, 32, n - 32, false, 1);
    struct cn_packet *r = cn_decode_next_rebuilt(t->ctx);
    assert_non_null(r);
    assert_int_equal(r->l3[20 + 10], want_mid); /* a byte A and B both cover */
    assert_int_equal(r->l3[20 + 28], 'B');      /* only B covers it */
    tctx_free(t);
}

static void test_overlap_policies(void **state)
{
    (void)state;
    overlap_case(CN_DEFRAG_BSD, 'B'); /* new starts first */
    overlap_case(CN_DEFRAG_LINUX, 'B');
    overlap_case(CN_DEFRAG_WINDOWS, 'B'); /* new strictly contains old */
    overlap_case(CN_DEFRAG_SOLARIS, 'B');
    overlap_case(CN_DEFRAG_FIRST, 'A');
    overlap_case(CN_DEFRAG_LAST, 'B');
}

/* Same start, new one longer: BSD keeps the old, Linux takes the new. */
static void same_start_case(enum cn_defrag_policy pol, uint8_t want)
{
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    cfg.checksum = CN_CSUM_NONE;
    cfg.defrag_policy = pol;
    struct tctx *t = tctx_new(&cfg);
    uint8_t d[128], a[128], b[128];
    size_t n;
    datagram(d, &n);
    memcpy(a, d, n);
    memcpy(b, d, n);
    memset(a + 8, 'A', 8);
    memset(b + 8, 'B', 16);
    frag4(t, 5, a, 8, 8, true, 1);
    frag4(t, 5, b, 8, 16, true, 1);
    frag4(t, 5, d, 0, 8, true, 1);
    frag4(t, 5, d, 24, n - 24, false, 1);
    struct cn_packet *r = cn_decode_next_rebuilt(t->ctx);
    assert_non_null(r);
    assert_int_equal(r->l3[20 + 9], want);
    assert_int_equal(r->l3[20 + 20], 'B');
    tctx_free(t);
}

static void test_overlap_same_start(void **state)
{
    (void)state;
    same_start_case(CN_DEFRAG_BSD, 'A');
    same_start_case(CN_DEFRAG_LINUX, 'B');
    same_start_case(CN_DEFRAG_WINDOWS, 'A');
    same_start_case(CN_DEFRAG_FIRST, 'A');
    same_start_case(CN_DEFRAG_LAST, 'B');
}

static void test_timeout(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    uint8_t d[128];
    size_t n;
    datagram(d, &n);
    frag4(t, 4, d, 0, 24, true, 10 * CN_USEC);
    cn_decode_timeout(t->ctx, 69 * CN_USEC);
    assert_int_equal(cn_defrag_trackers(t->ctx->defrag), 1);
    assert_true(stat(t, CN_STAT_DEFRAG_MEMUSE) > 0);
    cn_decode_timeout(t->ctx, 71 * CN_USEC);
    assert_int_equal(cn_defrag_trackers(t->ctx->defrag), 0);
    assert_int_equal(stat(t, CN_STAT_DEFRAG_IPV4_TIMEOUTS), 1);
    assert_int_equal(stat(t, CN_STAT_DEFRAG_MEMUSE), 0);
    /* the late second half alone does not complete anything */
    frag4(t, 4, d, 24, n - 24, false, 72 * CN_USEC);
    assert_null(cn_decode_next_rebuilt(t->ctx));
    /* expiry also happens on insert */
    frag4(t, 4, d, 0, 24, true, 200 * CN_USEC);
    assert_int_equal(cn_defrag_trackers(t->ctx->defrag), 1);
    assert_int_equal(stat(t, CN_STAT_DEFRAG_IPV4_TIMEOUTS), 2);
    tctx_free(t);
}

static void test_limits(void **state)
{
    (void)state;
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    cfg.defrag_memcap = 600;
    struct tctx *t = tctx_new(&cfg);
    uint8_t big[1500] = {0};
    struct cn_packet *p = frag4(t, 1, big, 0, 1400, true, 1);
    assert_true(cn_packet_has_event(p, CN_EV_IPV4_FRAG_IGNORED));
    assert_true(stat(t, CN_STAT_DEFRAG_MEMUSE) <= 600);
    p = frag4(t, 1, big, 0, 64, true, 1); /* a small one still fits */
    assert_false(cn_packet_has_event(p, CN_EV_IPV4_FRAG_IGNORED));
    tctx_free(t);

    cn_decode_config_defaults(&cfg);
    cfg.defrag_trackers = 2;
    t = tctx_new(&cfg);
    frag4(t, 2, big, 0, 8, true, 1);
    frag4(t, 3, big, 0, 8, true, 1);
    p = frag4(t, 4, big, 0, 8, true, 1);
    assert_true(cn_packet_has_event(p, CN_EV_IPV4_FRAG_IGNORED));
    assert_int_equal(stat(t, CN_STAT_DEFRAG_MAX_TRACKERS_REACHED), 1);
    assert_int_equal(cn_defrag_trackers(t->ctx->defrag), 2);
    tctx_free(t);

    cn_decode_config_defaults(&cfg);
    cfg.defrag_max_frags = 3;
    t = tctx_new(&cfg);
    for (uint16_t i = 0; i < 10; i++)
        frag4(t, 7, big, (size_t)i * 16, 8, true, 1);
    assert_int_equal(stat(t, CN_STAT_DEFRAG_MAX_FRAGS_REACHED), 7);
    tctx_free(t);

    /* a fragment ending past 65535 */
    t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 17, 1, 2);
    set16(&f, ip + 6, 0x1fff);
    fill(&f, 0, 16);
    ipv4_done(&f, ip);
    p = dec(t, CN_LINK_IPV4, &f);
    assert_true(cn_packet_has_event(p, CN_EV_IPV4_FRAG_PKT_TOO_LARGE));
    assert_int_equal(cn_defrag_trackers(t->ctx->defrag), 0);
    tctx_free(t);
}

/* A flood of distinct first fragments never holds more than the limits allow. */
static void test_flood_bounded(void **state)
{
    (void)state;
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    cfg.defrag_memcap = 64 * 1024;
    cfg.defrag_trackers = 100;
    struct tctx *t = tctx_new(&cfg);
    uint8_t d[64] = {0};
    for (uint32_t i = 0; i < 5000; i++)
        frag4(t, (uint16_t)i, d, (i % 4) * 8, 8, true, 1);
    assert_true(cn_defrag_trackers(t->ctx->defrag) <= 100);
    assert_true(stat(t, CN_STAT_DEFRAG_MEMUSE) <= 64 * 1024);
    tctx_free(t);
}

static struct cn_packet *frag6(struct tctx *t, const uint8_t *data, size_t off, size_t len,
                               bool more)
{
    struct fb f = {0};
    eth(&f, 0x8100);
    vlan(&f, 6, 0x86dd);
    size_t ip = ipv6(&f, 44, V6_A, V6_B);
    put8(&f, 17);
    put8(&f, 0);
    put16(&f, (uint16_t)(off | (more ? 1 : 0)));
    put32(&f, 0xabcdef01);
    put(&f, data + off, len);
    ipv6_done(&f, ip);
    return dec(t, CN_LINK_ETHERNET, &f);
}

static void test_ipv6(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb g = {0};
    size_t ip = ipv6(&g, 17, V6_A, V6_B);
    size_t u = udp(&g, 1000, 2000);
    for (int i = 0; i < PAYLOAD; i++)
        put8(&g, (uint8_t)(i * 3));
    ipv6_done(&g, ip);
    udp_done(&g, ip, u);
    const uint8_t *d = g.b + 40;
    size_t n = g.n - 40;

    struct cn_packet *p = frag6(t, d, 16, n - 16, false);
    assert_true(p->flags & CN_PKT_FRAGMENT);
    assert_true(p->ipv6_exthdrs & CN_IPV6_EXT_FH);
    frag6(t, d, 0, 16, true);
    struct cn_packet *r = cn_decode_next_rebuilt(t->ctx);
    assert_non_null(r);
    assert_true(r->flags & CN_PKT_UDP);
    assert_false(r->flags & CN_PKT_L4_CSUM_BAD);
    assert_int_equal(r->proto, 17);
    assert_int_equal(r->ip_hlen, 40);
    assert_int_equal(r->vlan_n, 1);
    assert_int_equal(r->vlan[0], 6);
    assert_memory_equal(r->l3 + 40, d, n);
    assert_int_equal(stat(t, CN_STAT_DEFRAG_IPV6_REASSEMBLED), 1);

    /* a non-last fragment not a multiple of 8 */
    p = frag6(t, d, 0, 12, true);
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_FRAG_INVALID_LENGTH));
    /* overlap */
    frag6(t, d, 0, 16, true);
    p = frag6(t, d, 8, 16, true);
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_FRAG_OVERLAP));
    tctx_free(t);
}

static void test_disabled(void **state)
{
    (void)state;
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    cfg.defrag_enabled = false;
    struct tctx *t = tctx_new(&cfg);
    uint8_t d[128];
    size_t n;
    datagram(d, &n);
    frag4(t, 1, d, 0, 24, true, 1);
    struct cn_packet *p = frag4(t, 1, d, 24, n - 24, false, 1);
    assert_true(p->flags & CN_PKT_FRAGMENT);
    assert_null(cn_decode_next_rebuilt(t->ctx));
    assert_int_equal(stat(t, CN_STAT_DEFRAG_IPV4_FRAGMENTS), 0);
    tctx_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),         cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_overlap_policies), cmocka_unit_test(test_overlap_same_start),
        cmocka_unit_test(test_timeout),          cmocka_unit_test(test_limits),
        cmocka_unit_test(test_flood_bounded),    cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_disabled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
