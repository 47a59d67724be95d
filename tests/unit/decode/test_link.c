/* Link layers and L2 shims: Ethernet, VLAN/QinQ, SLL, SLL2, null/loop, raw, ARP, PPPoE, MPLS,
 * unknown ethertypes, the layer limit, and truncation at every length. */
#include "builders.h"

static void ipv4_udp(struct fb *f)
{
    size_t ip = ipv4(f, 17, 0x0a000001, 0x0a000002);
    size_t u = udp(f, 1234, 53);
    fill(f, 'x', 4);
    udp_done(f, ip, u);
    ipv4_done(f, ip);
}

static void test_ethernet_ok(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    eth(&f, 0x0800);
    ipv4_udp(&f);
    struct cn_packet *p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(p->flags & CN_PKT_ETH);
    assert_memory_equal(p->eth_src, MAC_A, 6);
    assert_memory_equal(p->eth_dst, MAC_B, 6);
    assert_true(p->flags & CN_PKT_UDP);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->sp, 1234);
    assert_int_equal(p->dp, 53);
    assert_int_equal(p->payload_len, 4);
    assert_int_equal(p->events_n, 0);
    assert_false(p->flags & CN_PKT_INVALID);
    assert_int_equal(stat(t, CN_STAT_DECODER_ETHERNET), 1);
    assert_int_equal(stat(t, CN_STAT_DECODER_PKTS), 1);
    assert_int_equal(stat(t, CN_STAT_DECODER_BYTES), f.n);
    assert_int_equal(stat(t, CN_STAT_DECODER_MAX_PKT_SIZE), f.n);
    tctx_free(t);
}

static void test_ethernet_short(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    fill(&f, 0, 13);
    struct cn_packet *p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(cn_packet_has_event(p, CN_EV_ETHERNET_PKT_TOO_SMALL));
    assert_true(p->flags & CN_PKT_INVALID);
    assert_false(p->flags & CN_PKT_ETH);
    assert_int_equal(stat(t, CN_STAT_DECODER_INVALID), 1);
    assert_int_equal(stat(t, CN_STAT_EV_ETHERNET_PKT_TOO_SMALL), 1);
    tctx_free(t);
}

static void test_unknown_ethertype(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    eth(&f, 0x88cc); /* LLDP */
    fill(&f, 0, 20);
    struct cn_packet *p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(cn_packet_has_event(p, CN_EV_ETHERNET_UNKNOWN_ETHERTYPE));
    assert_false(p->flags & CN_PKT_INVALID);
    assert_int_equal(stat(t, CN_STAT_DECODER_UNKNOWN_ETHERTYPE), 1);
    tctx_free(t);
}

static void test_vlan_qinq(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    eth(&f, 0x88a8);
    vlan(&f, 0x2000 | 100, 0x8100);
    vlan(&f, 200, 0x0800);
    ipv4_udp(&f);
    struct cn_packet *p = dec(t, CN_LINK_ETHERNET, &f);
    assert_int_equal(p->vlan_n, 2);
    assert_int_equal(p->vlan[0], 100);
    assert_int_equal(p->vlan[1], 200);
    assert_true(p->flags & CN_PKT_UDP);
    assert_int_equal(stat(t, CN_STAT_DECODER_VLAN), 1);
    assert_int_equal(stat(t, CN_STAT_DECODER_VLAN_QINQ), 1);
    assert_int_equal(stat(t, CN_STAT_DECODER_VLAN_QINQINQ), 0);

    /* four tags: one too many */
    struct fb g = {0};
    eth(&g, 0x8100);
    vlan(&g, 1, 0x8100);
    vlan(&g, 2, 0x8100);
    vlan(&g, 3, 0x8100);
    vlan(&g, 4, 0x0800);
    ipv4_udp(&g);
    p = dec(t, CN_LINK_ETHERNET, &g);
    assert_int_equal(p->vlan_n, 3);
    assert_true(cn_packet_has_event(p, CN_EV_VLAN_HEADER_TOO_MANY_LAYERS));
    assert_int_equal(p->ip_ver, 0);

    /* truncated tag */
    struct fb h = {0};
    eth(&h, 0x8100);
    put16(&h, 5);
    p = dec(t, CN_LINK_ETHERNET, &h);
    assert_true(cn_packet_has_event(p, CN_EV_VLAN_HEADER_TOO_SMALL));

    /* unknown inner type */
    struct fb u = {0};
    eth(&u, 0x8100);
    vlan(&u, 7, 0x1234);
    p = dec(t, CN_LINK_ETHERNET, &u);
    assert_true(cn_packet_has_event(p, CN_EV_VLAN_UNKNOWN_TYPE));
    tctx_free(t);
}

static void test_sll_sll2_null_raw(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    put16(&f, 0);
    put16(&f, 1);
    put16(&f, 6);
    fill(&f, 0xaa, 8);
    put16(&f, 0x0800);
    ipv4_udp(&f);
    struct cn_packet *p = dec(t, CN_LINK_SLL, &f);
    assert_true(p->flags & CN_PKT_UDP);
    assert_int_equal(stat(t, CN_STAT_DECODER_SLL), 1);

    struct fb g = {0};
    put16(&g, 0x0800);
    fill(&g, 0, 18);
    ipv4_udp(&g);
    p = dec(t, CN_LINK_SLL2, &g);
    assert_true(p->flags & CN_PKT_UDP);
    assert_int_equal(stat(t, CN_STAT_DECODER_SLL2), 1);

    struct fb s = {0};
    fill(&s, 0, 10);
    p = dec(t, CN_LINK_SLL, &s);
    assert_true(cn_packet_has_event(p, CN_EV_SLL_PKT_TOO_SMALL));
    p = dec(t, CN_LINK_SLL2, &s);
    assert_true(cn_packet_has_event(p, CN_EV_SLL2_PKT_TOO_SMALL));

    /* BSD null, little-endian AF_INET and big-endian FreeBSD AF_INET6 */
    struct fb n = {0};
    put32(&n, 0x02000000);
    ipv4_udp(&n);
    p = dec(t, CN_LINK_NULL, &n);
    assert_int_equal(p->ip_ver, 4);
    struct fb n6 = {0};
    put32(&n6, 28);
    size_t ip = ipv6(&n6, 59, V6_A, V6_B);
    ipv6_done(&n6, ip);
    p = dec(t, CN_LINK_LOOP, &n6);
    assert_int_equal(p->ip_ver, 6);
    struct fb nx = {0};
    put32(&nx, 0x07000000);
    p = dec(t, CN_LINK_NULL, &nx);
    assert_true(cn_packet_has_event(p, CN_EV_LTNULL_UNSUPPORTED_TYPE));
    struct fb ns = {0};
    fill(&ns, 2, 3);
    p = dec(t, CN_LINK_NULL, &ns);
    assert_true(cn_packet_has_event(p, CN_EV_LTNULL_PKT_TOO_SMALL));

    /* raw: by version nibble, and 228 direct */
    struct fb r = {0};
    ipv4_udp(&r);
    p = dec(t, CN_LINK_RAW, &r);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(stat(t, CN_STAT_DECODER_RAW), 1);
    p = dec(t, CN_LINK_DLT_RAW, &r);
    assert_int_equal(p->ip_ver, 4);
    p = dec(t, CN_LINK_IPV4, &r);
    assert_true(p->flags & CN_PKT_UDP);
    assert_int_equal(stat(t, CN_STAT_DECODER_RAW), 2);
    r.b[0] = 0x55;
    p = dec(t, CN_LINK_RAW, &r);
    assert_true(cn_packet_has_event(p, CN_EV_IPRAW_INVALID_IPV));
    tctx_free(t);
}

static void test_arp(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    eth(&f, 0x0806);
    put16(&f, 1);
    put16(&f, 0x0800);
    put8(&f, 6);
    put8(&f, 4);
    put16(&f, 2);
    put(&f, MAC_A, 6);
    put32(&f, 0xc0a80001);
    put(&f, MAC_B, 6);
    put32(&f, 0xc0a80002);
    struct cn_packet *p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(p->flags & CN_PKT_ARP);
    assert_int_equal(p->arp.op, 2);
    assert_memory_equal(p->arp.sha, MAC_A, 6);
    const uint8_t tpa[4] = {192, 168, 0, 2};
    assert_memory_equal(p->arp.tpa, tpa, 4);
    assert_int_equal(stat(t, CN_STAT_DECODER_ARP), 1);

    f.b[14 + 4] = 8; /* hardware size */
    p = dec(t, CN_LINK_ETHERNET, &f);
    assert_false(p->flags & CN_PKT_ARP);
    assert_true(cn_packet_has_event(p, CN_EV_ARP_INVALID_HARDWARE_SIZE));
    f.n -= 1;
    p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(cn_packet_has_event(p, CN_EV_ARP_PKT_TOO_SMALL));
    tctx_free(t);
}

static void test_pppoe(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    eth(&f, 0x8864);
    put8(&f, 0x11);
    put8(&f, 0);
    put16(&f, 0x0101);
    size_t lenat = f.n;
    put16(&f, 0);
    put16(&f, 0x0021);
    ipv4_udp(&f);
    set16(&f, lenat, (uint16_t)(f.n - lenat - 2));
    fill(&f, 0, 6); /* Ethernet padding past the PPPoE length */
    struct cn_packet *p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(p->flags & CN_PKT_UDP);
    assert_int_equal(stat(t, CN_STAT_DECODER_PPPOE), 1);
    assert_int_equal(stat(t, CN_STAT_DECODER_PPP), 1);

    f.b[lenat + 3] = 0x23; /* PPP protocol OSI: known, not followed */
    p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(cn_packet_has_event(p, CN_EV_PPP_UNSUP_PROTO));
    f.b[lenat + 2] = 0x12; /* not a PPP protocol */
    f.b[lenat + 3] = 0x34;
    p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(cn_packet_has_event(p, CN_EV_PPP_WRONG_TYPE));

    set16(&f, lenat, 2000); /* length past the frame */
    p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(cn_packet_has_event(p, CN_EV_PPPOE_PKT_TOO_SMALL));

    /* discovery PADI with a truncated tag */
    struct fb d = {0};
    eth(&d, 0x8863);
    put8(&d, 0x11);
    put8(&d, 0x09);
    put16(&d, 0);
    put16(&d, 4);
    put16(&d, 0x0101);
    put16(&d, 10);
    p = dec(t, CN_LINK_ETHERNET, &d);
    assert_true(cn_packet_has_event(p, CN_EV_PPPOE_MALFORMED_TAGS));
    d.b[15] = 0x42;
    p = dec(t, CN_LINK_ETHERNET, &d);
    assert_true(cn_packet_has_event(p, CN_EV_PPPOE_WRONG_CODE));
    tctx_free(t);
}

static void test_mpls(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    eth(&f, 0x8847);
    put32(&f, (1000u << 12) | 64);         /* not bottom */
    put32(&f, (2000u << 12) | 0x100 | 64); /* bottom */
    ipv4_udp(&f);
    struct cn_packet *p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(p->flags & CN_PKT_UDP);
    assert_int_equal(stat(t, CN_STAT_DECODER_MPLS), 1);

    struct fb g = {0};
    eth(&g, 0x8847);
    put32(&g, (1u << 12) | 0x100);
    ipv4_udp(&g);
    p = dec(t, CN_LINK_ETHERNET, &g);
    assert_true(cn_packet_has_event(p, CN_EV_MPLS_BAD_LABEL_ROUTER_ALERT));

    struct fb h = {0};
    eth(&h, 0x8847);
    put32(&h, (1000u << 12));
    put16(&h, 0);
    p = dec(t, CN_LINK_ETHERNET, &h);
    assert_true(cn_packet_has_event(p, CN_EV_MPLS_HEADER_TOO_SMALL));

    struct fb u = {0};
    eth(&u, 0x8847);
    put32(&u, (1000u << 12) | 0x100);
    put8(&u, 0x90);
    p = dec(t, CN_LINK_ETHERNET, &u);
    assert_true(cn_packet_has_event(p, CN_EV_MPLS_UNKNOWN_PAYLOAD_TYPE));
    tctx_free(t);
}

static void test_too_many_layers(void **state)
{
    (void)state;
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    cfg.max_layers = 3;
    struct tctx *t = tctx_new(&cfg);
    struct fb f = {0};
    eth(&f, 0x8100);
    vlan(&f, 1, 0x8100);
    vlan(&f, 2, 0x0800);
    ipv4_udp(&f);
    struct cn_packet *p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(cn_packet_has_event(p, CN_EV_GENERIC_TOO_MANY_LAYERS));
    assert_true(p->flags & CN_PKT_INVALID);
    assert_int_equal(p->ip_ver, 0);
    assert_int_equal(stat(t, CN_STAT_DECODER_TOO_MANY_LAYERS), 1);
    tctx_free(t);
}

/* Every prefix of a rich frame decodes without reading past its end (ASan watches). */
static void test_truncation_everywhere(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    eth(&f, 0x8100);
    vlan(&f, 9, 0x0800);
    size_t ip = ipv4(&f, 6, 0x01020304, 0x05060708);
    size_t tc = tcp(&f, 80, 1024, 0x12);
    fill(&f, 'a', 30);
    tcp_done(&f, ip, tc);
    ipv4_done(&f, ip);
    for (size_t n = 0; n <= f.n; n++) {
        struct fb g = {0};
        put(&g, f.b, n);
        struct cn_packet *p = dec(t, CN_LINK_ETHERNET, &g);
        if (n < f.n)
            assert_false(p->flags & CN_PKT_TCP);
        else
            assert_true(p->flags & CN_PKT_TCP);
    }
    tctx_free(t);
}

static void test_linktypes(void **state)
{
    (void)state;
    assert_true(cn_decode_linktype_supported(CN_LINK_ETHERNET));
    assert_true(cn_decode_linktype_supported(CN_LINK_SLL2));
    assert_true(cn_decode_linktype_supported(CN_LINK_IPV6));
    assert_true(cn_decode_linktype_supported(CN_LINK_DLT_RAW14));
    assert_true(cn_decode_linktype_supported(CN_LINK_NULL));
    assert_false(cn_decode_linktype_supported(105)); /* 802.11 */
    assert_false(cn_decode_linktype_supported(-1));
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    fill(&f, 0, 40);
    struct cn_packet *p = dec(t, 105, &f);
    assert_int_equal(p->ip_ver, 0);
    assert_int_equal(stat(t, CN_STAT_DECODER_PKTS), 1);
    tctx_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_ok),
        cmocka_unit_test(test_ethernet_short),
        cmocka_unit_test(test_unknown_ethertype),
        cmocka_unit_test(test_vlan_qinq),
        cmocka_unit_test(test_sll_sll2_null_raw),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_pppoe),
        cmocka_unit_test(test_mpls),
        cmocka_unit_test(test_too_many_layers),
        cmocka_unit_test(test_truncation_everywhere),
        cmocka_unit_test(test_linktypes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
