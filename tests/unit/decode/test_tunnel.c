/* Tunnels: GRE v0 (IPv4, Ethernet, keyed), GRE v1 (PPTP), VXLAN, Geneve, IPv4-in-IPv4,
 * IPv6-in-IPv4, IPv4-in-IPv6: the packet describes the innermost IP, tunnel ids differ per
 * outer pair and are symmetric. */
#include "builders.h"

static void inner_udp(struct fb *f, uint32_t src, uint32_t dst)
{
    size_t ip = ipv4(f, 17, src, dst);
    size_t u = udp(f, 1111, 2222);
    fill(f, 'i', 5);
    udp_done(f, ip, u);
    ipv4_done(f, ip);
}

static void assert_inner(const struct cn_packet *p, uint32_t src)
{
    assert_int_equal(p->ip_ver, 4);
    assert_true(p->flags & CN_PKT_TUNNEL);
    assert_true(p->flags & CN_PKT_UDP);
    assert_int_equal(p->sp, 1111);
    assert_int_equal(p->dp, 2222);
    uint8_t s[4] = {(uint8_t)(src >> 24), (uint8_t)(src >> 16), (uint8_t)(src >> 8), (uint8_t)src};
    assert_memory_equal(p->src.b, s, 4);
    assert_int_not_equal(p->tunnel_id, 0);
    assert_false(p->flags & CN_PKT_INVALID);
}

static uint32_t gre_frame(struct tctx *t, uint32_t osrc, uint32_t odst, bool key, uint32_t isrc,
                          uint32_t idst)
{
    struct fb f = {0};
    size_t ip = ipv4(&f, 47, osrc, odst);
    put8(&f, key ? 0x20 : 0);
    put8(&f, 0);
    put16(&f, 0x0800);
    if (key)
        put32(&f, 77);
    inner_udp(&f, isrc, idst);
    ipv4_done(&f, ip);
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
    assert_inner(p, isrc);
    return p->tunnel_id;
}

static void test_gre(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    uint32_t a = gre_frame(t, 0x01010101, 0x02020202, false, 0x0a000001, 0x0a000002);
    uint32_t b = gre_frame(t, 0x02020202, 0x01010101, false, 0x0a000002, 0x0a000001);
    uint32_t c = gre_frame(t, 0x01010101, 0x03030303, false, 0x0a000001, 0x0a000002);
    uint32_t k = gre_frame(t, 0x01010101, 0x02020202, true, 0x0a000001, 0x0a000002);
    assert_int_equal(a, b); /* symmetric */
    assert_int_not_equal(a, c);
    assert_int_not_equal(a, k);
    assert_int_equal(stat(t, CN_STAT_DECODER_GRE), 4);
    assert_int_equal(stat(t, CN_STAT_DECODER_IPV4), 8);

    /* Ethernet over GRE (0x6558) */
    struct fb e = {0};
    size_t ip = ipv4(&e, 47, 1, 2);
    put16(&e, 0);
    put16(&e, 0x6558);
    eth(&e, 0x0800);
    inner_udp(&e, 0x0b000001, 0x0b000002);
    ipv4_done(&e, ip);
    assert_inner(dec(t, CN_LINK_IPV4, &e), 0x0b000001);

    /* bad versions and flags */
    struct fb v = {0};
    ip = ipv4(&v, 47, 1, 2);
    put16(&v, 0x0002);
    put16(&v, 0x0800);
    ipv4_done(&v, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &v), CN_EV_GRE_WRONG_VERSION));
    set16(&v, 20, 0x0100); /* recursion */
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &v), CN_EV_GRE_VERSION0_RECUR));
    set16(&v, 20, 0x2000); /* key flag, no room for it */
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &v), CN_EV_GRE_VERSION0_HDR_TOO_BIG));
    set16(&v, 20, 0x0001); /* v1 without key */
    set16(&v, 22, 0x880b);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &v), CN_EV_GRE_VERSION1_NO_KEY));
    set16(&v, 22, 0x0800);
    set16(&v, 20, 0x2001);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &v), CN_EV_GRE_VERSION1_WRONG_PROTOCOL));
    struct fb s = {0};
    ip = ipv4(&s, 47, 1, 2);
    put16(&s, 0);
    ipv4_done(&s, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &s), CN_EV_GRE_PKT_TOO_SMALL));
    tctx_free(t);
}

static void test_pptp(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 47, 1, 2);
    put8(&f, 0x30); /* K, S */
    put8(&f, 0x01);
    put16(&f, 0x880b);
    size_t plen = f.n;
    put16(&f, 0);
    put16(&f, 5); /* call id */
    put32(&f, 1); /* sequence */
    size_t start = f.n;
    put8(&f, 0xff);
    put8(&f, 0x03);
    put16(&f, 0x0021);
    inner_udp(&f, 0x0c000001, 0x0c000002);
    set16(&f, plen, (uint16_t)(f.n - start));
    ipv4_done(&f, ip);
    assert_inner(dec(t, CN_LINK_IPV4, &f), 0x0c000001);
    assert_int_equal(stat(t, CN_STAT_DECODER_PPP), 1);
    tctx_free(t);
}

static struct cn_packet *vxlan_frame(struct tctx *t, struct fb *f, uint16_t port, uint32_t vni,
                                     uint16_t inner_type)
{
    memset(f, 0, sizeof(*f));
    eth(f, 0x0800);
    size_t ip = ipv4(f, 17, 0x01010101, 0x02020202);
    size_t u = udp(f, 40000, port);
    put32(f, 0x08000000);
    put32(f, vni << 8);
    eth(f, inner_type);
    inner_udp(f, 0x0a0a0a01, 0x0a0a0a02);
    udp_done(f, ip, u);
    ipv4_done(f, ip);
    return dec(t, CN_LINK_ETHERNET, f);
}

static void test_vxlan(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f;
    struct cn_packet *p = vxlan_frame(t, &f, 4789, 100, 0x0800);
    assert_inner(p, 0x0a0a0a01);
    assert_memory_equal(p->eth_src, MAC_A, 6);
    uint32_t id100 = p->tunnel_id;
    p = vxlan_frame(t, &f, 4789, 101, 0x0800);
    assert_int_not_equal(p->tunnel_id, id100);
    assert_int_equal(stat(t, CN_STAT_DECODER_VXLAN), 2);
    p = vxlan_frame(t, &f, 4789, 1, 0x88cc);
    assert_true(cn_packet_has_event(p, CN_EV_VXLAN_UNKNOWN_PAYLOAD_TYPE));
    /* another port: plain UDP */
    p = vxlan_frame(t, &f, 4790, 1, 0x0800);
    assert_false(p->flags & CN_PKT_TUNNEL);
    assert_int_equal(p->dp, 4790);
    tctx_free(t);

    /* disabled by configuration */
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    cfg.vxlan_enabled = false;
    t = tctx_new(&cfg);
    p = vxlan_frame(t, &f, 4789, 1, 0x0800);
    assert_false(p->flags & CN_PKT_TUNNEL);
    tctx_free(t);
}

static void test_geneve(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv6(&f, 17, V6_A, V6_B);
    size_t u = udp(&f, 40000, 6081);
    put8(&f, 1); /* one 4-byte option word */
    put8(&f, 0);
    put16(&f, 0x0800);
    put32(&f, 42 << 8);
    put32(&f, 0x01020304);
    inner_udp(&f, 0x0d000001, 0x0d000002);
    ipv6_done(&f, ip);
    udp_done(&f, ip, u);
    struct cn_packet *p = dec(t, CN_LINK_IPV6, &f);
    assert_inner(p, 0x0d000001);
    assert_int_equal(stat(t, CN_STAT_DECODER_GENEVE), 1);
    set16(&f, u + 10, 0x1234);
    udp_done(&f, ip, u);
    p = dec(t, CN_LINK_IPV6, &f);
    assert_true(cn_packet_has_event(p, CN_EV_GENEVE_UNKNOWN_PAYLOAD_TYPE));
    tctx_free(t);
}

static void test_ip_in_ip(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 4, 0x01010101, 0x02020202);
    inner_udp(&f, 0x0e000001, 0x0e000002);
    ipv4_done(&f, ip);
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
    assert_inner(p, 0x0e000001);
    assert_int_equal(p->tunnel_depth, 1);
    assert_int_equal(stat(t, CN_STAT_DECODER_IPV4_IN_IPV4), 1);

    /* IPv4 in IPv6, and a wrong inner version */
    struct fb g = {0};
    ip = ipv6(&g, 4, V6_A, V6_B);
    inner_udp(&g, 0x0e000003, 0x0e000004);
    ipv6_done(&g, ip);
    assert_inner(dec(t, CN_LINK_IPV6, &g), 0x0e000003);
    assert_int_equal(stat(t, CN_STAT_DECODER_IPV4_IN_IPV6), 1);
    g.b[40] = 0x65;
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &g), CN_EV_IPV4_IN_IPV6_WRONG_IP_VER));
    g.n = 50;
    ipv6_done(&g, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &g), CN_EV_IPV4_IN_IPV6_PKT_TOO_SMALL));

    /* IPv6 in IPv4 (6in4) */
    struct fb h = {0};
    ip = ipv4(&h, 41, 0x01010101, 0x02020202);
    size_t i6 = ipv6(&h, 59, V6_B, V6_A);
    ipv6_done(&h, i6);
    ipv4_done(&h, ip);
    p = dec(t, CN_LINK_IPV4, &h);
    assert_int_equal(p->ip_ver, 6);
    assert_true(p->flags & CN_PKT_TUNNEL);
    assert_memory_equal(p->src.b, V6_B, 16);
    assert_int_equal(stat(t, CN_STAT_DECODER_IPV6_IN_IPV4), 1);

    /* nesting bounded by max_layers */
    struct fb n = {0};
    size_t offs[20];
    for (int i = 0; i < 20; i++)
        offs[i] = ipv4(&n, 4, 0x01000000u + (uint32_t)i, 0x02000000);
    inner_udp(&n, 0x0f000001, 0x0f000002);
    for (int i = 19; i >= 0; i--)
        ipv4_done(&n, offs[i]);
    p = dec(t, CN_LINK_IPV4, &n);
    assert_true(cn_packet_has_event(p, CN_EV_GENERIC_TOO_MANY_LAYERS));
    assert_false(p->flags & CN_PKT_UDP);
    tctx_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gre),      cmocka_unit_test(test_pptp),
        cmocka_unit_test(test_vxlan),    cmocka_unit_test(test_geneve),
        cmocka_unit_test(test_ip_in_ip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
