/* Tunnels: GRE v0 (IPv4, Ethernet, keyed), GRE v1 (PPTP), VXLAN, Geneve, IPv4-in-IPv4,
 * IPv6-in-IPv4, IPv4-in-IPv6, Teredo, ERSPAN types I-III: the packet describes the innermost
 * IP, tunnel ids differ per outer pair and are symmetric. */
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

/* IPv4 / UDP sp -> dp / [indicator] / IPv6 / UDP 1111 -> 2222, all lengths consistent. */
static struct cn_packet *teredo_frame(struct tctx *t, struct fb *f, uint16_t sp, uint16_t dp,
                                      const uint8_t *ind, size_t ind_len, uint8_t hlim)
{
    memset(f, 0, sizeof(*f));
    size_t ip = ipv4(f, 17, 0xc0000201, 0xc0000202);
    size_t u = udp(f, sp, dp);
    if (ind_len)
        put(f, ind, ind_len);
    size_t i6 = ipv6(f, 17, V6_A, V6_B);
    f->b[i6 + 7] = hlim;
    size_t iu = udp(f, 1111, 2222);
    fill(f, 't', 6);
    ipv6_done(f, i6);
    udp_done(f, i6, iu);
    udp_done(f, ip, u);
    ipv4_done(f, ip);
    return dec(t, CN_LINK_IPV4, f);
}

static void assert_teredo_inner(const struct cn_packet *p)
{
    assert_int_equal(p->ip_ver, 6);
    assert_true(p->flags & CN_PKT_TUNNEL);
    assert_true(p->flags & CN_PKT_UDP);
    assert_memory_equal(p->src.b, V6_A, 16);
    assert_int_equal(p->sp, 1111);
    assert_int_equal(p->dp, 2222);
    assert_false(p->flags & CN_PKT_INVALID);
}

static void assert_plain_udp(const struct cn_packet *p, uint16_t dp)
{
    assert_int_equal(p->ip_ver, 4);
    assert_false(p->flags & CN_PKT_TUNNEL);
    assert_true(p->flags & CN_PKT_UDP);
    assert_int_equal(p->dp, dp);
    assert_int_equal(p->events_n, 0);
}

static void test_teredo(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f;
    struct cn_packet *p = teredo_frame(t, &f, 40000, 3544, NULL, 0, 64);
    assert_teredo_inner(p);
    uint32_t id = p->tunnel_id;
    assert_int_equal(stat(t, CN_STAT_DECODER_TEREDO), 1);
    /* the relay's answer comes from 3544; an origin indication (RFC 4380 5.1.1) precedes it */
    static const uint8_t origin[8] = {0, 0, 0x12, 0x34, 0x3f, 0xff, 0xff, 0xfe};
    p = teredo_frame(t, &f, 3544, 40000, origin, sizeof(origin), 64);
    assert_teredo_inner(p);
    assert_int_equal(p->tunnel_id, id);
    assert_int_equal(stat(t, CN_STAT_DECODER_TEREDO), 2);

    /* authentication indicator (qualification traffic): Suricata leaves it to UDP */
    static const uint8_t auth[13] = {0, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0};
    assert_plain_udp(teredo_frame(t, &f, 40000, 3544, auth, sizeof(auth), 64), 3544);
    /* hop limit 0: a chance match */
    assert_plain_udp(teredo_frame(t, &f, 40000, 3544, NULL, 0, 0), 3544);
    /* another port */
    assert_plain_udp(teredo_frame(t, &f, 40000, 3545, NULL, 0, 64), 3545);
    assert_int_equal(stat(t, CN_STAT_DECODER_TEREDO), 2);
    tctx_free(t);
}

/* Datagrams on the Teredo port that are not Teredo stay plain UDP, untouched. */
static void test_teredo_decline(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 17, 0xc0000201, 0xc0000202);
    size_t u = udp(&f, 40000, 3544);
    fill(&f, 'x', 60); /* not an IPv6 version nibble */
    udp_done(&f, ip, u);
    ipv4_done(&f, ip);
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
    assert_plain_udp(p, 3544);
    assert_int_equal(p->payload_len, 60);

    /* an IPv6 header whose payload length does not account for the datagram */
    struct cn_packet *q = teredo_frame(t, &f, 40000, 3544, NULL, 0, 64);
    assert_true(q->flags & CN_PKT_TUNNEL);
    f.b[20 + 8 + 5] ^= 1; /* inner IPv6 payload length */
    udp_done(&f, 0, 20);
    assert_plain_udp(dec(t, CN_LINK_IPV4, &f), 3544);

    /* an inner packet that decodes as invalid (UDP length past the datagram) is put back */
    teredo_frame(t, &f, 40000, 3544, NULL, 0, 64);
    set16(&f, 20 + 8 + 40 + 4, 200);
    udp_done(&f, 0, 20);
    p = dec(t, CN_LINK_IPV4, &f);
    assert_plain_udp(p, 3544);
    assert_false(p->flags & CN_PKT_INVALID);
    assert_int_equal(stat(t, CN_STAT_DECODER_TEREDO), 2); /* the two well-formed frames */
    tctx_free(t);

    /* disabled, or moved to another port, by configuration */
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    cfg.teredo_enabled = false;
    t = tctx_new(&cfg);
    assert_plain_udp(teredo_frame(t, &f, 40000, 3544, NULL, 0, 64), 3544);
    tctx_free(t);
    cn_decode_config_defaults(&cfg);
    cfg.teredo_port = 3545;
    t = tctx_new(&cfg);
    assert_teredo_inner(teredo_frame(t, &f, 40000, 3545, NULL, 0, 64));
    assert_plain_udp(teredo_frame(t, &f, 40000, 3544, NULL, 0, 64), 3544);
    tctx_free(t);
}

/* Ethernet [VLANs] / IPv4 / GRE (flags, proto [, seq]) / hdr / Ethernet / IPv4 / UDP. */
static struct cn_packet *erspan_frame(struct tctx *t, struct fb *f, int vlans, uint8_t gre_f0,
                                      uint16_t proto, const uint8_t *hdr, size_t hdr_len)
{
    memset(f, 0, sizeof(*f));
    eth(f, vlans ? 0x8100 : 0x0800);
    for (int i = 0; i < vlans; i++)
        vlan(f, (uint16_t)(10 + i), i + 1 < vlans ? 0x8100 : 0x0800);
    size_t ip = ipv4(f, 47, 0x01010101, 0x02020202);
    put8(f, gre_f0);
    put8(f, 0);
    put16(f, proto);
    if (gre_f0 & 0x10)
        put32(f, 7); /* sequence number */
    if (hdr_len)
        put(f, hdr, hdr_len);
    eth(f, 0x0800);
    inner_udp(f, 0x0a140001, 0x0a140002);
    ipv4_done(f, ip);
    return dec(t, CN_LINK_ETHERNET, f);
}

static void test_erspan(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f;
    /* type II: version 1, VLAN 100, session 5 */
    static const uint8_t t2[8] = {0x10, 0x64, 0x00, 0x05, 0, 0, 0, 1};
    struct cn_packet *p = erspan_frame(t, &f, 0, 0x10, 0x88be, t2, sizeof(t2));
    assert_inner(p, 0x0a140001);
    assert_int_equal(p->vlan_n, 1);
    assert_int_equal(p->vlan[0], 100);
    assert_memory_equal(p->eth_src, MAC_A, 6);
    /* type I: no GRE sequence number, no ERSPAN header */
    p = erspan_frame(t, &f, 0, 0x00, 0x88be, NULL, 0);
    assert_inner(p, 0x0a140001);
    assert_int_equal(p->vlan_n, 0);
    /* type III: version 2, VLAN 0, with the platform-specific subheader (O flag) */
    static const uint8_t t3[20] = {0x20, 0,    0, 5, 0, 0, 0, 9, 0, 0,
                                   0,    0x01, 1, 2, 3, 4, 5, 6, 7, 8};
    p = erspan_frame(t, &f, 0, 0x10, 0x22eb, t3, sizeof(t3));
    assert_inner(p, 0x0a140001);
    assert_int_equal(p->vlan_n, 0);
    /* ... and without it, VLAN 7 after an outer tag */
    static const uint8_t t3b[12] = {0x20, 0x07, 0, 5, 0, 0, 0, 9, 0, 0, 0, 0};
    p = erspan_frame(t, &f, 1, 0x00, 0x22eb, t3b, sizeof(t3b));
    assert_inner(p, 0x0a140001);
    assert_int_equal(p->vlan_n, 2);
    assert_int_equal(p->vlan[0], 10);
    assert_int_equal(p->vlan[1], 7);
    assert_int_equal(stat(t, CN_STAT_DECODER_ERSPAN), 4);
    tctx_free(t);
}

static void test_erspan_malformed(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f;
    /* a type II header cut short */
    memset(&f, 0, sizeof(f));
    size_t ip = ipv4(&f, 47, 0x01010101, 0x02020202);
    put16(&f, 0x1000);
    put16(&f, 0x88be);
    put32(&f, 7);
    put32(&f, 0x10640005);
    ipv4_done(&f, ip);
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
    assert_true(cn_packet_has_event(p, CN_EV_ERSPAN_HEADER_TOO_SMALL));
    assert_false(p->flags & (CN_PKT_TUNNEL | CN_PKT_INVALID));
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->proto, 47);
    /* version 2 under 0x88be */
    static const uint8_t v2[8] = {0x20, 0x64, 0x00, 0x05, 0, 0, 0, 1};
    p = erspan_frame(t, &f, 0, 0x10, 0x88be, v2, sizeof(v2));
    assert_true(cn_packet_has_event(p, CN_EV_ERSPAN_UNSUPPORTED_VERSION));
    assert_false(p->flags & CN_PKT_TUNNEL);
    /* version 1 under 0x22eb (type III wants 2) */
    static const uint8_t v1[12] = {0x10, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 0};
    p = erspan_frame(t, &f, 0, 0x10, 0x22eb, v1, sizeof(v1));
    assert_true(cn_packet_has_event(p, CN_EV_ERSPAN_UNSUPPORTED_VERSION));
    /* type III whose O flag promises a subheader that is not there */
    memset(&f, 0, sizeof(f));
    ip = ipv4(&f, 47, 0x01010101, 0x02020202);
    put16(&f, 0);
    put16(&f, 0x22eb);
    put32(&f, 0x20000005);
    put32(&f, 9);
    put32(&f, 0x00000001);
    put32(&f, 0x01020304);
    ipv4_done(&f, ip);
    p = dec(t, CN_LINK_IPV4, &f);
    assert_true(cn_packet_has_event(p, CN_EV_ERSPAN_HEADER_TOO_SMALL));
    /* the header's VLAN on top of three outer tags */
    static const uint8_t t2[8] = {0x10, 0x64, 0x00, 0x05, 0, 0, 0, 1};
    p = erspan_frame(t, &f, 3, 0x10, 0x88be, t2, sizeof(t2));
    assert_true(cn_packet_has_event(p, CN_EV_ERSPAN_TOO_MANY_VLAN_LAYERS));
    assert_int_equal(p->vlan_n, 3);
    assert_false(p->flags & CN_PKT_TUNNEL);
    assert_int_equal(stat(t, CN_STAT_DECODER_ERSPAN), 5);
    assert_int_equal(stat(t, CN_STAT_EV_ERSPAN_HEADER_TOO_SMALL), 2);
    assert_int_equal(stat(t, CN_STAT_EV_ERSPAN_UNSUPPORTED_VERSION), 2);
    assert_int_equal(stat(t, CN_STAT_EV_ERSPAN_TOO_MANY_VLAN_LAYERS), 1);

    /* ERSPAN ethertypes outside GRE are unknown, as in Suricata */
    memset(&f, 0, sizeof(f));
    eth(&f, 0x88be);
    put(&f, t2, sizeof(t2));
    eth(&f, 0x0800);
    inner_udp(&f, 0x0a140001, 0x0a140002);
    p = dec(t, CN_LINK_ETHERNET, &f);
    assert_true(cn_packet_has_event(p, CN_EV_ETHERNET_UNKNOWN_ETHERTYPE));
    assert_int_equal(p->ip_ver, 0);
    assert_int_equal(stat(t, CN_STAT_DECODER_ERSPAN), 5);
    tctx_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gre),
        cmocka_unit_test(test_pptp),
        cmocka_unit_test(test_vxlan),
        cmocka_unit_test(test_geneve),
        cmocka_unit_test(test_ip_in_ip),
        cmocka_unit_test(test_teredo),
        cmocka_unit_test(test_teredo_decline),
        cmocka_unit_test(test_erspan),
        cmocka_unit_test(test_erspan_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
