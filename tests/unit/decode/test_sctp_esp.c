/* SCTP (RFC 4960 section 3.1 common header: ports, payload after 12 bytes) and ESP (RFC 4303
 * section 2: SPI and sequence number, nothing decoded after them) over IPv4 and IPv6,
 * directly and behind IPv6 extension headers; too-short headers raise Suricata's
 * pkt_too_small events and counters. */
#include "builders.h"

/* An SCTP common header followed by one chunk-like blob of n bytes. */
static void sctp_hdr(struct fb *f, uint16_t sp, uint16_t dp, size_t n)
{
    put16(f, sp);
    put16(f, dp);
    put32(f, 0xdeadbeef); /* verification tag */
    put32(f, 0);          /* CRC32c: not checked, as in Suricata */
    fill(f, 'c', n);
}

static void esp_hdr(struct fb *f, uint32_t spi, uint32_t seq, size_t n)
{
    put32(f, spi);
    put32(f, seq);
    fill(f, 0xe5, n);
}

/* IPv6 destination options header (8 bytes: a tunnel encapsulation limit, RFC 2473, and a
 * PadN, so that it raises no only-padding event) announcing next header nh. */
static void dst_opts(struct fb *f, uint8_t nh)
{
    put8(f, nh);
    put8(f, 0);
    put8(f, 4);
    put8(f, 1);
    put8(f, 4);
    put8(f, 1);
    put8(f, 1);
    put8(f, 0);
}

static struct cn_packet *v4(struct tctx *t, uint8_t proto, struct fb *body)
{
    struct fb f = {0};
    size_t ip = ipv4(&f, proto, 0x0a000001, 0x0a000002);
    put(&f, body->b, body->n);
    ipv4_done(&f, ip);
    return dec(t, CN_LINK_IPV4, &f);
}

/* IPv6 carrying body as proto, behind a destination options header when ext is set. */
static struct cn_packet *v6(struct tctx *t, uint8_t proto, bool ext, struct fb *body)
{
    struct fb f = {0};
    size_t ip = ipv6(&f, ext ? 60 : proto, V6_A, V6_B);
    if (ext)
        dst_opts(&f, proto);
    put(&f, body->b, body->n);
    ipv6_done(&f, ip);
    return dec(t, CN_LINK_IPV6, &f);
}

static void assert_sctp_ok(const struct cn_packet *p, size_t payload)
{
    assert_int_equal(p->proto, 132);
    assert_int_equal(p->sp, 36412);
    assert_int_equal(p->dp, 2905);
    assert_non_null(p->l4);
    assert_int_equal(p->l4_len, 12 + payload);
    assert_int_equal(p->payload_len, payload);
    assert_ptr_equal(p->payload, p->l4 + 12);
    if (payload)
        assert_int_equal(p->payload[0], 'c');
    assert_false(p->flags & CN_PKT_INVALID);
    assert_int_equal(p->events_n, 0); /* in particular no ipv6.unknown_next_header */
}

static void test_sctp_valid(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb s = {0};
    sctp_hdr(&s, 36412, 2905, 20);
    assert_sctp_ok(v4(t, 132, &s), 20);
    assert_sctp_ok(v6(t, 132, false, &s), 20);
    struct cn_packet *p = v6(t, 132, true, &s);
    assert_sctp_ok(p, 20);
    assert_true(p->ipv6_exthdrs & CN_IPV6_EXT_DST);

    /* the bare common header: an empty payload is fine */
    struct fb bare = {0};
    sctp_hdr(&bare, 36412, 2905, 0);
    assert_sctp_ok(v4(t, 132, &bare), 0);
    assert_int_equal(stat(t, CN_STAT_DECODER_SCTP), 4);
    assert_int_equal(stat(t, CN_STAT_EV_SCTP_PKT_TOO_SMALL), 0);
    tctx_free(t);
}

static void assert_too_small(const struct cn_packet *p, enum cn_event_id ev)
{
    assert_true(cn_packet_has_event(p, ev));
    assert_int_equal(p->events_n, 1);
    assert_true(p->flags & CN_PKT_INVALID);
    assert_null(p->l4);
    assert_int_equal(p->sp, 0);
    assert_int_equal(p->dp, 0);
}

static void test_sctp_too_small(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb s = {0};
    sctp_hdr(&s, 36412, 2905, 0);
    s.n = 11; /* one byte short of the common header */
    assert_too_small(v4(t, 132, &s), CN_EV_SCTP_PKT_TOO_SMALL);
    assert_too_small(v6(t, 132, false, &s), CN_EV_SCTP_PKT_TOO_SMALL);
    assert_too_small(v6(t, 132, true, &s), CN_EV_SCTP_PKT_TOO_SMALL);
    s.n = 2; /* the IPv6 walk wants two bytes of any header, so only IPv4 still reaches SCTP */
    assert_too_small(v4(t, 132, &s), CN_EV_SCTP_PKT_TOO_SMALL);
    assert_int_equal(stat(t, CN_STAT_DECODER_SCTP), 4);
    assert_int_equal(stat(t, CN_STAT_EV_SCTP_PKT_TOO_SMALL), 4);
    assert_int_equal(stat(t, CN_STAT_DECODER_INVALID), 4);
    tctx_free(t);
}

static void assert_esp_ok(const struct cn_packet *p, size_t payload)
{
    assert_int_equal(p->proto, 50);
    assert_int_equal(p->esp.spi, 0x0000c0de);
    assert_int_equal(p->esp.seq, 7);
    assert_non_null(p->l4);
    assert_int_equal(p->l4_len, 8 + payload);
    assert_int_equal(p->payload_len, payload);
    assert_ptr_equal(p->payload, p->l4 + 8);
    assert_int_equal(p->sp, 0); /* ESP has no ports */
    assert_int_equal(p->dp, 0);
    assert_false(p->flags & CN_PKT_INVALID);
    assert_int_equal(p->events_n, 0);
}

static void test_esp_valid(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb e = {0};
    esp_hdr(&e, 0xc0de, 7, 32);
    assert_esp_ok(v4(t, 50, &e), 32);
    struct cn_packet *p = v6(t, 50, false, &e);
    assert_esp_ok(p, 32);
    assert_true(p->ipv6_exthdrs & CN_IPV6_EXT_ESP);
    p = v6(t, 50, true, &e);
    assert_esp_ok(p, 32);
    assert_int_equal(p->ipv6_exthdrs, CN_IPV6_EXT_DST | CN_IPV6_EXT_ESP);
    assert_int_equal(p->ip_hlen, 48);

    struct fb bare = {0};
    esp_hdr(&bare, 0xc0de, 7, 0);
    assert_esp_ok(v4(t, 50, &bare), 0);
    assert_int_equal(stat(t, CN_STAT_DECODER_ESP), 4);
    assert_int_equal(stat(t, CN_STAT_EV_ESP_PKT_TOO_SMALL), 0);
    tctx_free(t);
}

static void test_esp_too_small(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb e = {0};
    esp_hdr(&e, 0xc0de, 7, 0);
    e.n = 7;
    assert_too_small(v4(t, 50, &e), CN_EV_ESP_PKT_TOO_SMALL);
    assert_too_small(v6(t, 50, false, &e), CN_EV_ESP_PKT_TOO_SMALL);
    assert_too_small(v6(t, 50, true, &e), CN_EV_ESP_PKT_TOO_SMALL);
    e.n = 0;
    assert_too_small(v4(t, 50, &e), CN_EV_ESP_PKT_TOO_SMALL);
    assert_int_equal(stat(t, CN_STAT_DECODER_ESP), 4);
    assert_int_equal(stat(t, CN_STAT_EV_ESP_PKT_TOO_SMALL), 4);
    assert_int_equal(stat(t, CN_STAT_DECODER_INVALID), 4);
    tctx_free(t);
}

/* Fragments get no transport decoding; the rebuilt datagram does. */
static void test_fragmented_sctp(void **state)
{
    (void)state;
    struct tctx *t = tctx_new(NULL);
    struct fb f = {0};
    size_t ip = ipv4(&f, 132, 0x0a000001, 0x0a000002);
    set16(&f, ip + 6, 0x2000); /* MF, offset 0 */
    sctp_hdr(&f, 36412, 2905, 4);
    ipv4_done(&f, ip);
    struct cn_packet *p = dec(t, CN_LINK_IPV4, &f);
    assert_true(p->flags & CN_PKT_FRAGMENT);
    assert_null(p->l4);
    assert_int_equal(stat(t, CN_STAT_DECODER_SCTP), 0);

    struct fb g = {0};
    ip = ipv4(&g, 132, 0x0a000001, 0x0a000002);
    set16(&g, ip + 6, 2); /* offset 16 bytes, last */
    fill(&g, 'c', 8);
    ipv4_done(&g, ip);
    dec(t, CN_LINK_IPV4, &g);
    struct cn_packet *r = cn_decode_next_rebuilt(t->ctx);
    assert_non_null(r);
    assert_sctp_ok(r, 12);
    assert_int_equal(stat(t, CN_STAT_DECODER_SCTP), 1);
    tctx_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sctp_valid),      cmocka_unit_test(test_sctp_too_small),
        cmocka_unit_test(test_esp_valid),       cmocka_unit_test(test_esp_too_small),
        cmocka_unit_test(test_fragmented_sctp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
