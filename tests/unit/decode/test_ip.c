/* IPv4 (header checks, options and the ipopts bits) and IPv6 (extension headers and their
 * events). */
#include "builders.h"

/* IPv4 with options: opts must be a multiple of 4 bytes. */
static void ipv4_opts_frame(struct fb *f, const uint8_t *opts, size_t n)
{
    size_t ip = f->n;
    put8(f, (uint8_t)(0x40 | (5 + n / 4)));
    put8(f, 0);
    put16(f, 0);
    put16(f, 1);
    put16(f, 0);
    put8(f, 64);
    put8(f, 17);
    put16(f, 0);
    put32(f, 0x0a000001);
    put32(f, 0x0a000002);
    put(f, opts, n);
    size_t u = udp(f, 1, 2);
    udp_done(f, ip, u);
    ipv4_done(f, ip);
}

static void test_ipv4_ok(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 17, 0xc0a80101, 0x08080808);
    size_t u = udp(&f, 5353, 53);
    fill(&f, 'q', 10);
    udp_done(&f, ip, u);
    ipv4_done(&f, ip);
    fill(&f, 0, 5); /* trailing padding is outside the IP length */
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
    const uint8_t s[4] = {192, 168, 1, 1}, d[4] = {8, 8, 8, 8};
    assert_memory_equal(p->src.b, s, 4);
    assert_memory_equal(p->dst.b, d, 4);
    assert_int_equal(p->src.w[1] | p->src.q[1], 0);
    assert_int_equal(p->ttl, 64);
    assert_int_equal(p->ip_id, 0x1234);
    assert_int_equal(p->proto, 17);
    assert_int_equal(p->l3_len, 38);
    assert_int_equal(p->ip_hlen, 20);
    assert_int_equal(p->payload_len, 10);
    assert_int_equal(p->ipv4_opts, 0);
    assert_false(p->flags & (CN_PKT_IPV4_CSUM_BAD | CN_PKT_L4_CSUM_BAD));
    assert_int_equal(stat(t, CN_STAT_DECODER_IPV4), 1);
    assert_int_equal(stat(t, CN_STAT_DECODER_UDP), 1);
    tctx_free(t);
}

static void test_ipv4_errors(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 6, 1, 2);
    size_t tc = tcp(&f, 1, 2, 2);
    tcp_done(&f, ip, tc);
    ipv4_done(&f, ip);

    struct fb g = f;
    g.n = 19;
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_IPV4_PKT_TOO_SMALL));
    g = f;
    g.b[0] = 0x65;
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &g);
    assert_true(cn_packet_has_event(p, CN_EV_IPV4_WRONG_IP_VER));
    assert_true(p->flags & CN_PKT_INVALID);
    g = f;
    g.b[0] = 0x44;
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_IPV4_HLEN_TOO_SMALL));
    g = f;
    set16(&g, 2, 19);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_IPV4_IPLEN_SMALLER_THAN_HLEN));
    g = f;
    g.n -= 1;
    p = dec(t, CN_LINK_IPV4, &g);
    assert_true(cn_packet_has_event(p, CN_EV_IPV4_TRUNC_PKT));
    assert_false(p->flags & CN_PKT_TCP);
    assert_int_equal(stat(t, CN_STAT_DECODER_INVALID), 5);
    assert_int_equal(stat(t, CN_STAT_EV_IPV4_TRUNC_PKT), 1);

    g = f;
    g.b[8] = 1; /* TTL changed, checksum not */
    p = dec(t, CN_LINK_IPV4, &g);
    assert_true(p->flags & CN_PKT_IPV4_CSUM_BAD);
    assert_true(p->flags & CN_PKT_TCP); /* a bad checksum is flagged, not fatal, no event */
    assert_int_equal(p->events_n, 0);

    g = f;
    g.b[9] = 58; /* ICMPv6 over IPv4 */
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV4, &g), CN_EV_IPV4_WITH_ICMPV6));
    tctx_free(t);
}

static void test_ipv4_options(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct {
        uint8_t o[12];
        size_t n;
        uint32_t bits;
        enum cn_event_id ev;
    } cases[] = {
        /* RR with room for one address, pointer 4 */
        {{7, 7, 4, 0, 0, 0, 0, 0}, 8, CN_IPV4_OPT_RR | CN_IPV4_OPT_EOL, CN_EV_NONE},
        /* router alert + EOL padding */
        {{148, 4, 0, 0}, 4, CN_IPV4_OPT_RTRALT, CN_EV_IPV4_OPT_PAD_REQUIRED},
        /* NOP NOP then EOL */
        {{1, 1, 0, 0}, 4, CN_IPV4_OPT_NOP | CN_IPV4_OPT_EOL, CN_EV_IPV4_OPT_PAD_REQUIRED},
        /* timestamp, flag 0, pointer 5 */
        {{68, 8, 5, 0, 0, 0, 0, 0}, 8, CN_IPV4_OPT_TS, CN_EV_NONE},
        /* LSRR with a bad pointer */
        {{131, 7, 5, 0, 0, 0, 0, 0}, 8, 0, CN_EV_IPV4_OPT_MALFORMED},
        /* option length running past the header */
        {{7, 12, 4, 0, 0, 0, 0, 0}, 8, 0, CN_EV_IPV4_OPT_INVALID_LEN},
        /* stream id of the wrong size */
        {{136, 6, 0, 0, 0, 0, 0, 0}, 8, 0, CN_EV_IPV4_OPT_INVALID_LEN},
        /* unknown type 30 */
        {{30, 4, 0, 0, 0, 0, 0, 0}, 8, CN_IPV4_OPT_EOL, CN_EV_IPV4_OPT_INVALID},
        /* duplicate router alert */
        {{148, 4, 0, 0, 148, 4, 0, 0}, 8, CN_IPV4_OPT_RTRALT, CN_EV_IPV4_OPT_DUPLICATE},
        /* SEC (RFC 1108) */
        {{130, 3, 0xab, 0}, 4, CN_IPV4_OPT_SEC | CN_IPV4_OPT_EOL, CN_EV_IPV4_OPT_PAD_REQUIRED},
        /* lone type byte at the end */
        {{1, 1, 1, 7}, 4, CN_IPV4_OPT_NOP, CN_EV_IPV4_OPT_EOL_REQUIRED},
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(cases); i++) {
        struct fb f = {0};
        ipv4_opts_frame(&f, cases[i].o, cases[i].n);
        struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
        uint32_t want = cases[i].bits ? cases[i].bits | CN_IPV4_OPT_ANY : 0;
        assert_int_equal(p->ipv4_opts, want);
        if (cases[i].ev != CN_EV_NONE)
            assert_true(cn_packet_has_event(p, cases[i].ev));
        else
            assert_int_equal(p->events_n, 0);
        bool invalid =
            cases[i].ev == CN_EV_IPV4_OPT_MALFORMED || cases[i].ev == CN_EV_IPV4_OPT_INVALID_LEN;
        assert_int_equal(!!(p->flags & CN_PKT_INVALID), invalid);
        assert_int_equal(!!(p->flags & CN_PKT_UDP), !invalid);
    }
    tctx_free(t);
}

static void test_ipv6_ok(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv6(&f, 0, V6_A, V6_B);
    /* hop-by-hop with router alert, then destination options with PadN, then UDP */
    put8(&f, 60);
    put8(&f, 0);
    put8(&f, 5);
    put8(&f, 2);
    put16(&f, 0);
    put8(&f, 1);
    put8(&f, 0);
    put8(&f, 17);
    put8(&f, 0);
    put8(&f, 1);
    put8(&f, 4);
    put32(&f, 0);
    size_t u = udp(&f, 546, 547);
    fill(&f, 'z', 7);
    ipv6_done(&f, ip);
    udp_done(&f, ip, u);
    struct cn_packet *p = dec(t, CN_LINK_IPV6, &f);
    assert_int_equal(p->ip_ver, 6);
    assert_memory_equal(p->src.b, V6_A, 16);
    assert_memory_equal(p->dst.b, V6_B, 16);
    assert_int_equal(p->proto, 17);
    assert_int_equal(p->ip_hlen, 56);
    assert_int_equal(p->ipv6_exthdrs, CN_IPV6_EXT_HOP | CN_IPV6_EXT_DST);
    assert_true(p->flags & CN_PKT_UDP);
    assert_false(p->flags & CN_PKT_L4_CSUM_BAD);
    assert_int_equal(p->dp, 547);
    /* the destination options held only padding */
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_DSTOPTS_ONLY_PADDING));
    assert_false(cn_packet_has_event(p, CN_EV_IPV6_HOPOPTS_ONLY_PADDING));
    assert_int_equal(stat(t, CN_STAT_DECODER_IPV6), 1);
    tctx_free(t);
}

static void test_ipv6_events(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv6(&f, 17, V6_A, V6_B);
    udp(&f, 1, 2);
    ipv6_done(&f, ip);

    struct fb g = f;
    g.n = 39;
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &g), CN_EV_IPV6_PKT_TOO_SMALL));
    g = f;
    g.b[0] = 0x40;
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &g), CN_EV_IPV6_WRONG_IP_VER));
    g = f;
    set16(&g, 4, 100);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &g), CN_EV_IPV6_TRUNC_PKT));

    /* routing header type 0, truncated ext header, none with data, unknown next header */
    struct fb r = {0};
    ip = ipv6(&r, 43, V6_A, V6_B);
    put8(&r, 59);
    put8(&r, 0);
    put8(&r, 0);
    put8(&r, 0);
    put32(&r, 0);
    put32(&r, 0xdeadbeef);
    ipv6_done(&r, ip);
    struct cn_packet *p = dec(t, CN_LINK_IPV6, &r);
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_EXTHDR_RH_TYPE_0));
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_DATA_AFTER_NONE_HEADER));

    struct fb tr = {0};
    ip = ipv6(&tr, 0, V6_A, V6_B);
    put8(&tr, 17);
    put8(&tr, 3); /* 32 bytes claimed */
    fill(&tr, 0, 6);
    ipv6_done(&tr, ip);
    p = dec(t, CN_LINK_IPV6, &tr);
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_TRUNC_EXTHDR));
    assert_true(p->flags & CN_PKT_INVALID);

    /* a transport protocol with nothing behind the header chain */
    struct fb e0 = {0};
    ip = ipv6(&e0, 6, V6_A, V6_B);
    ipv6_done(&e0, ip);
    p = dec(t, CN_LINK_IPV6, &e0);
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_TRUNC_EXTHDR));
    assert_int_equal(stat(t, CN_STAT_DECODER_TCP), 0);

    struct fb un = {0};
    ip = ipv6(&un, 99, V6_A, V6_B);
    fill(&un, 0, 8);
    ipv6_done(&un, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &un), CN_EV_IPV6_UNKNOWN_NEXT_HEADER));

    /* hop-by-hop with an unknown option, twice */
    struct fb hh = {0};
    ip = ipv6(&hh, 0, V6_A, V6_B);
    put8(&hh, 0);
    put8(&hh, 0);
    put8(&hh, 0x3e);
    put8(&hh, 4);
    put32(&hh, 0);
    put8(&hh, 59);
    put8(&hh, 0);
    put8(&hh, 1);
    put8(&hh, 0); /* zero-length PadN */
    put32(&hh, 0);
    ipv6_done(&hh, ip);
    p = dec(t, CN_LINK_IPV6, &hh);
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_HOPOPTS_UNKNOWN_OPT));
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_EXTHDR_DUPL_HH));
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_EXTHDR_ZERO_LEN_PADN));

    /* an option length running past its header */
    struct fb ol = {0};
    ip = ipv6(&ol, 60, V6_A, V6_B);
    put8(&ol, 59);
    put8(&ol, 0);
    put8(&ol, 0x3e);
    put8(&ol, 9);
    put32(&ol, 0);
    ipv6_done(&ol, ip);
    assert_true(cn_packet_has_event(dec(t, CN_LINK_IPV6, &ol), CN_EV_IPV6_EXTHDR_INVALID_OPTLEN));

    /* atomic fragment: useless fragment header, then UDP decodes */
    struct fb af = {0};
    ip = ipv6(&af, 44, V6_A, V6_B);
    put8(&af, 17);
    put8(&af, 0);
    put16(&af, 0);
    put32(&af, 77);
    size_t u = udp(&af, 7, 9);
    ipv6_done(&af, ip);
    udp_done(&af, ip, u);
    p = dec(t, CN_LINK_IPV6, &af);
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_EXTHDR_USELESS_FH));
    assert_true(p->flags & CN_PKT_UDP);
    assert_false(p->flags & CN_PKT_FRAGMENT);

    /* AH with non-zero reserved bits */
    struct fb ah = {0};
    ip = ipv6(&ah, 51, V6_A, V6_B);
    put8(&ah, 59);
    put8(&ah, 1); /* (1 + 2) * 4 = 12 bytes */
    put16(&ah, 1);
    put32(&ah, 0);
    put32(&ah, 0);
    ipv6_done(&ah, ip);
    p = dec(t, CN_LINK_IPV6, &ah);
    assert_true(cn_packet_has_event(p, CN_EV_IPV6_EXTHDR_AH_RES_NOT_NULL));
    assert_true(p->ipv6_exthdrs & CN_IPV6_EXT_AH);

    /* ESP stops decoding */
    struct fb esp = {0};
    ip = ipv6(&esp, 50, V6_A, V6_B);
    fill(&esp, 0x11, 16);
    ipv6_done(&esp, ip);
    p = dec(t, CN_LINK_IPV6, &esp);
    assert_int_equal(p->proto, 50);
    assert_int_equal(p->events_n, 0);
    tctx_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_ok),      cmocka_unit_test(test_ipv4_errors),
        cmocka_unit_test(test_ipv4_options), cmocka_unit_test(test_ipv6_ok),
        cmocka_unit_test(test_ipv6_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
