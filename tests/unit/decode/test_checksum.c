/* Checksums (the 64-bit sum against a plain reference, all lengths and alignments; ALL, NONE
 * and AUTO modes) and the symmetric worker-dispatch hash. */
#include "builders.h"

#include "decode/decode_int.h"

static void test_sum_matches_reference(void **state)
{
    (void)state;
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    for (size_t start = 0; start < 4; start++) {
        for (size_t n = 0; n < 200; n++) {
            uint16_t want = (uint16_t)~ref_fold(ref_sum(0, buf + start, n));
            uint16_t got = cn_csum_fold(cn_csum_add(0, buf + start, n));
            /* host-order result: compare as the bytes it stands for */
            uint8_t gb[2];
            memcpy(gb, &got, 2);
            assert_int_equal(gb[0] << 8 | gb[1], want);
        }
    }
    /* an all-0xff buffer folds to 0xffff without overflow */
    memset(buf, 0xff, sizeof(buf));
    assert_int_equal(cn_csum_fold(cn_csum_add(0, buf, sizeof(buf))), 0xffff);
}

static void test_ipv4_header(void **state)
{
    (void)state;
    struct fb f = {0};
    size_t ip = ipv4(&f, 6, 0xc0a80001, 0xc0a800c7);
    fill(&f, 0, 20);
    ipv4_done(&f, ip);
    assert_true(cn_csum_ipv4_hdr_ok(f.b, 20));
    uint16_t was = (uint16_t)(f.b[10] << 8 | f.b[11]);
    cn_csum_ipv4_set(f.b, 20);
    assert_int_equal(f.b[10] << 8 | f.b[11], was);
    f.b[1] = 4;
    assert_false(cn_csum_ipv4_hdr_ok(f.b, 20));
}

static void bad_tcp(struct fb *f)
{
    memset(f, 0, sizeof(*f));
    size_t ip = ipv4(f, 6, 1, 2);
    size_t tc = tcp(f, 1, 2, 0x10);
    tcp_done(f, ip, tc);
    ipv4_done(f, ip);
    f->b[ip + 10] ^= 0x55; /* IP checksum wrong */
    f->b[tc + 16] ^= 0x55; /* TCP checksum wrong */
}

static void test_modes(void **state)
{
    (void)state;
    struct cn_decode_config cfg;
    cn_decode_config_defaults(&cfg);
    assert_int_equal(cfg.checksum, CN_CSUM_AUTO);
    struct fb f;
    bad_tcp(&f);

    cfg.checksum = CN_CSUM_NONE;
    struct tctx *t = tctx_new(&cfg);
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
    assert_false(p->flags & (CN_PKT_IPV4_CSUM_BAD | CN_PKT_L4_CSUM_BAD));
    assert_true(p->flags & CN_PKT_TCP);
    tctx_free(t);

    /* AUTO: flags bad checksums at first, then gives up once most are bad */
    cfg.checksum = CN_CSUM_AUTO;
    t = tctx_new(&cfg);
    p = dec(t, CN_LINK_IPV4, &f);
    assert_true(p->flags & CN_PKT_IPV4_CSUM_BAD);
    assert_true(p->flags & CN_PKT_L4_CSUM_BAD);
    for (int i = 0; i < 600; i++)
        dec(t, CN_LINK_IPV4, &f);
    p = dec(t, CN_LINK_IPV4, &f);
    assert_false(p->flags & (CN_PKT_IPV4_CSUM_BAD | CN_PKT_L4_CSUM_BAD));
    tctx_free(t);

    /* AUTO with good checksums keeps validating */
    t = tctx_new(&cfg);
    struct fb g = {0};
    size_t ip = ipv4(&g, 6, 1, 2);
    size_t tc = tcp(&g, 1, 2, 0x10);
    tcp_done(&g, ip, tc);
    ipv4_done(&g, ip);
    for (int i = 0; i < 1200; i++)
        dec(t, CN_LINK_IPV4, &g);
    p = dec(t, CN_LINK_IPV4, &f);
    assert_true(p->flags & CN_PKT_L4_CSUM_BAD);
    tctx_free(t);
}

static void test_dispatch_hash(void **state)
{
    (void)state;
    struct fb a = {0}, b = {0};
    eth(&a, 0x8100);
    vlan(&a, 10, 0x0800);
    size_t ip = ipv4(&a, 6, 0x0a000001, 0x0a000002);
    size_t tc = tcp(&a, 1234, 80, 2);
    tcp_done(&a, ip, tc);
    ipv4_done(&a, ip);
    eth(&b, 0x8100);
    vlan(&b, 10, 0x0800);
    ip = ipv4(&b, 6, 0x0a000002, 0x0a000001);
    tc = tcp(&b, 80, 1234, 0x12);
    tcp_done(&b, ip, tc);
    ipv4_done(&b, ip);
    uint32_t ha = cn_decode_dispatch_hash(a.b, (uint32_t)a.n, CN_LINK_ETHERNET);
    uint32_t hb = cn_decode_dispatch_hash(b.b, (uint32_t)b.n, CN_LINK_ETHERNET);
    assert_int_not_equal(ha, 0);
    assert_int_equal(ha, hb);
    a.b[15] = 11; /* another VLAN */
    assert_int_not_equal(cn_decode_dispatch_hash(a.b, (uint32_t)a.n, CN_LINK_ETHERNET), hb);

    struct fb c = {0}, d = {0};
    ip = ipv6(&c, 59, V6_A, V6_B);
    ipv6_done(&c, ip);
    ip = ipv6(&d, 59, V6_B, V6_A);
    ipv6_done(&d, ip);
    uint32_t hc = cn_decode_dispatch_hash(c.b, (uint32_t)c.n, CN_LINK_RAW);
    assert_int_not_equal(hc, 0);
    assert_int_equal(hc, cn_decode_dispatch_hash(d.b, (uint32_t)d.n, CN_LINK_IPV6));

    /* spread: consecutive client addresses to one server land evenly over four workers */
    unsigned bins[4] = {0};
    for (uint32_t i = 0; i < 8000; i++) {
        struct fb g = {0};
        eth(&g, 0x0800);
        size_t gi = ipv4(&g, 17, 0x0a000000 + i, 0xc0a80101);
        ipv4_done(&g, gi);
        bins[cn_decode_dispatch_hash(g.b, (uint32_t)g.n, CN_LINK_ETHERNET) % 4]++;
    }
    for (int k = 0; k < 4; k++)
        assert_true(bins[k] > 1800 && bins[k] < 2200);

    /* no IP, short frames, unknown link: 0, never a read past the end */
    struct fb e = {0};
    eth(&e, 0x0806);
    fill(&e, 0, 28);
    assert_int_equal(cn_decode_dispatch_hash(e.b, (uint32_t)e.n, CN_LINK_ETHERNET), 0);
    for (uint32_t n = 0; n < 34 + 14; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, b.b, n);
        uint32_t h = cn_decode_dispatch_hash(copy, n, CN_LINK_ETHERNET);
        if (n < 14 + 4 + 20)
            assert_int_equal(h, 0);
        free(copy);
    }
    assert_int_equal(cn_decode_dispatch_hash(c.b, (uint32_t)c.n, 147), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sum_matches_reference),
        cmocka_unit_test(test_ipv4_header),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_dispatch_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
