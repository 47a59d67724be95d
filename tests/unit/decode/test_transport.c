/* TCP (header and options), UDP (length rules) and ICMPv4/ICMPv6 (types, codes, quoted
 * headers). */
#include "builders.h"

/* IPv4/TCP with the given options (a multiple of 4 bytes). */
static struct cn_packet *tcp_with_opts(struct tctx *t, const uint8_t *o, size_t n)
{
    struct fb f = {0};
    size_t ip = ipv4(&f, 6, 0x0a000001, 0x0a000002);
    size_t tc = tcp(&f, 40000, 443, 0x02);
    f.b[tc + 12] = (uint8_t)((5 + n / 4) << 4);
    put(&f, o, n);
    fill(&f, 'd', 3);
    tcp_done(&f, ip, tc);
    ipv4_done(&f, ip);
    return dec(t, CN_LINK_IPV4, &f);
}

static void test_tcp_options(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    const uint8_t syn[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 8, 10,
                           0, 0, 0,    9,    0, 0, 0, 0, 4, 2, 0, 0};
    struct cn_packet *p = tcp_with_opts(t, syn, sizeof(syn));
    assert_true(p->flags & CN_PKT_TCP);
    assert_false(p->flags & CN_PKT_L4_CSUM_BAD);
    assert_int_equal(p->tcp.flags, CN_TH_SYN);
    assert_int_equal(p->tcp.hlen, 44);
    assert_int_equal(p->tcp.seq, 1000);
    assert_int_equal(p->tcp.ack, 2000);
    assert_true(p->tcp.has_mss);
    assert_int_equal(p->tcp.mss, 1460);
    assert_true(p->tcp.has_wscale);
    assert_int_equal(p->tcp.wscale, 7);
    assert_true(p->tcp.has_ts);
    assert_int_equal(p->tcp.ts_val, 9);
    assert_true(p->tcp.has_sackok);
    assert_false(p->tcp.has_sack);
    assert_int_equal(p->payload_len, 3);
    assert_int_equal(p->events_n, 0);
    assert_int_equal(stat(t, CN_STAT_DECODER_TCP), 1);

    /* empty SACK is fine; one block counted; TFO cookie */
    const uint8_t sack[] = {1, 1, 5, 2, 1,  1, 5, 10, 0, 0, 0, 1,
                            0, 0, 0, 2, 34, 6, 1, 2,  3, 4, 0, 0};
    p = tcp_with_opts(t, sack, sizeof(sack));
    assert_true(p->tcp.has_sack);
    assert_int_equal(p->tcp.sack_blocks, 0); /* the duplicate was ignored */
    assert_true(cn_packet_has_event(p, CN_EV_TCP_OPT_DUPLICATE));
    assert_true(p->tcp.has_tfo);

    /* bad MSS length; option running past the header */
    const uint8_t badmss[] = {2, 3, 5, 1};
    p = tcp_with_opts(t, badmss, sizeof(badmss));
    assert_true(cn_packet_has_event(p, CN_EV_TCP_OPT_INVALID_LEN));
    assert_false(p->tcp.has_mss);
    assert_false(p->flags & CN_PKT_INVALID);
    const uint8_t over[] = {1, 8, 10, 0};
    p = tcp_with_opts(t, over, sizeof(over));
    assert_true(cn_packet_has_event(p, CN_EV_TCP_OPT_INVALID_LEN));
    assert_true(p->flags & CN_PKT_INVALID);
    tctx_free(t);
}

static void test_tcp_errors(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 6, 1, 2);
    fill(&f, 0, 19);
    ipv4_done(&f, ip);
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
    assert_true(cn_packet_has_event(p, CN_EV_TCP_PKT_TOO_SMALL));
    assert_false(p->flags & CN_PKT_TCP);
    assert_int_equal(stat(t, CN_STAT_DECODER_TCP), 1);

    struct fb g = {0};
    ip = ipv4(&g, 6, 1, 2);
    size_t tc = tcp(&g, 1, 2, 0x10);
    g.b[tc + 12] = 0x40; /* 16-byte header */
    ipv4_done(&g, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_TCP_HLEN_TOO_SMALL));
    g.b[tc + 12] = 0x60; /* 24 bytes, only 20 present */
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_TCP_HLEN_TOO_SMALL));

    /* payload altered after the checksum: flagged, no event */
    struct fb h = {0};
    ip = ipv4(&h, 6, 1, 2);
    tc = tcp(&h, 1, 2, 0x18);
    fill(&h, 'a', 11);
    tcp_done(&h, ip, tc);
    ipv4_done(&h, ip);
    h.b[h.n - 1] ^= 1;
    p = dec(t, CN_LINK_IPV4, &h);
    assert_true(p->flags & CN_PKT_L4_CSUM_BAD);
    assert_false(p->flags & CN_PKT_IPV4_CSUM_BAD);
    assert_int_equal(p->events_n, 0);
    tctx_free(t);
}

static void test_udp(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 17, 1, 2);
    size_t u = udp(&f, 10, 20);
    fill(&f, 'u', 8);
    udp_done(&f, ip, u);
    ipv4_done(&f, ip);

    struct fb g = f;
    set16(&g, u + 4, 4);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_UDP_LEN_INVALID));
    g = f;
    set16(&g, u + 4, 30);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_UDP_PKT_TOO_SMALL));
    g = f;
    set16(&g, u + 4, 12);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_UDP_HLEN_INVALID));
    g = f;
    g.n = ip + 20 + 7;
    ipv4_done(&g, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_UDP_HLEN_TOO_SMALL));
    assert_int_equal(stat(t, CN_STAT_DECODER_INVALID), 4);

    /* zero checksum over IPv4: not checked */
    g = f;
    set16(&g, u + 6, 0);
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &g);
    assert_false(p->flags & CN_PKT_L4_CSUM_BAD);
    g.b[g.n - 1] ^= 0xff;
    p = dec(t, CN_LINK_IPV4, &g);
    assert_false(p->flags & CN_PKT_L4_CSUM_BAD);
    /* non-zero and wrong */
    g = f;
    g.b[g.n - 1] ^= 0xff;
    p = dec(t, CN_LINK_IPV4, &g);
    assert_true(p->flags & CN_PKT_L4_CSUM_BAD);

    /* zero checksum over IPv6: invalid */
    struct fb h = {0};
    ip = ipv6(&h, 17, V6_A, V6_B);
    u = udp(&h, 1, 2);
    ipv6_done(&h, ip);
    set16(&h, u + 4, 8);
    p = dec(t, CN_LINK_IPV6, &h);
    assert_true(p->flags & CN_PKT_L4_CSUM_BAD);
    tctx_free(t);
}

static void test_icmpv4(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 1, 0x0a000001, 0x0a000002);
    size_t ic = f.n;
    put8(&f, 8);
    put8(&f, 0);
    put16(&f, 0);
    put16(&f, 0x4242);
    put16(&f, 7);
    fill(&f, 'p', 16);
    l4_csum(&f, ip, ic, 1, 2);
    ipv4_done(&f, ip);
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
    assert_true(p->flags & CN_PKT_ICMPV4);
    assert_int_equal(p->icmp.type, 8);
    assert_int_equal(p->icmp.id, 0x4242);
    assert_int_equal(p->icmp.seq, 7);
    assert_false(p->flags & CN_PKT_L4_CSUM_BAD);
    assert_int_equal(p->events_n, 0);

    f.b[ic + 1] = 3; /* echo with code 3 */
    p = dec(t, CN_LINK_IPV4, &f);
    assert_true(cn_packet_has_event(p, CN_EV_ICMPV4_UNKNOWN_CODE));
    assert_true(p->flags & CN_PKT_L4_CSUM_BAD);
    f.b[ic] = 42;
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &f), CN_EV_ICMPV4_UNKNOWN_TYPE));

    /* destination unreachable quoting a UDP datagram */
    struct fb u = {0};
    ip = ipv4(&u, 1, 0x0a000002, 0x0a000001);
    ic = u.n;
    put8(&u, 3);
    put8(&u, 3);
    put32(&u, 0);
    put16(&u, 0);
    size_t qip = ipv4(&u, 17, 0x0a000001, 0x0a000002);
    set16(&u, qip + 2, 36);
    put16(&u, 5000);
    put16(&u, 53);
    put32(&u, 0);
    l4_csum(&u, ip, ic, 1, 2);
    ipv4_done(&u, ip);
    p = dec(t, CN_LINK_IPV4, &u);
    assert_true(p->icmp.has_quoted);
    assert_int_equal(p->icmp.quoted_proto, 17);
    assert_int_equal(p->icmp.quoted_sp, 5000);
    assert_int_equal(p->icmp.quoted_dp, 53);
    const uint8_t qs[4] = {10, 0, 0, 1};
    assert_memory_equal(p->icmp.quoted_src.b, qs, 4);

    /* quoted header cut short */
    struct fb s = {0};
    ip = ipv4(&s, 1, 1, 2);
    put8(&s, 11);
    put8(&s, 0);
    put16(&s, 0);
    put32(&s, 0);
    put8(&s, 0x45);
    fill(&s, 0, 10);
    ipv4_done(&s, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &s), CN_EV_ICMPV4_IPV4_TRUNC_PKT));

    struct fb tiny = {0};
    ip = ipv4(&tiny, 1, 1, 2);
    fill(&tiny, 0, 7);
    ipv4_done(&tiny, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &tiny), CN_EV_ICMPV4_PKT_TOO_SMALL));
    tctx_free(t);
}

static void test_icmpv6(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv6(&f, 58, V6_A, V6_B);
    size_t ic = f.n;
    put8(&f, 128);
    put8(&f, 0);
    put16(&f, 0);
    put16(&f, 99);
    put16(&f, 3);
    ipv6_done(&f, ip);
    l4_csum(&f, ip, ic, 58, 2);
    struct cn_packet *p = dec(t, CN_LINK_IPV6, &f);
    assert_true(p->flags & CN_PKT_ICMPV6);
    assert_int_equal(p->icmp.id, 99);
    assert_int_equal(p->icmp.seq, 3);
    assert_false(p->flags & CN_PKT_L4_CSUM_BAD);
    assert_int_equal(p->events_n, 0);

    f.b[ic] = 130; /* MLD query with hop limit 64 */
    assert_true(
        cn_packet_has_event(dec(t, CN_LINK_IPV6, &f), CN_EV_ICMPV6_MLD_MESSAGE_WITH_INVALID_HL));
    f.b[ic] = 100;
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &f), CN_EV_ICMPV6_EXPERIMENTATION_TYPE));
    f.b[ic] = 50;
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &f), CN_EV_ICMPV6_UNASSIGNED_TYPE));
    f.b[ic] = 3;
    f.b[ic + 1] = 9;
    p = dec(t, CN_LINK_IPV6, &f);
    assert_true(cn_packet_has_event(p, CN_EV_ICMPV6_UNKNOWN_CODE));
    assert_true(cn_packet_has_event(p, CN_EV_ICMPV6_IPV6_TRUNC_PKT));

    struct fb s = {0};
    ip = ipv6(&s, 58, V6_A, V6_B);
    put16(&s, 0x8000);
    ipv6_done(&s, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &s), CN_EV_ICMPV6_PKT_TOO_SMALL));

    struct fb v4 = {0};
    ip = ipv6(&v4, 1, V6_A, V6_B);
    fill(&v4, 0, 8);
    ipv6_done(&v4, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &v4), CN_EV_IPV6_WITH_ICMPV4));
    tctx_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_options), cmocka_unit_test(test_tcp_errors),
        cmocka_unit_test(test_udp),         cmocka_unit_test(test_icmpv4),
        cmocka_unit_test(test_icmpv6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
