/* Sticky buffers: each packet-level buffer returns the right bytes or nothing, the buffer
 * keywords move later content to their own list, and pkt_data moves it back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "payload_harness.h"

/* an IPv4/TCP packet with 4 bytes of options and the payload "data" */
static const uint8_t frame[] = {
    0x45, 0x00, 0x00, 0x30, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00, 10,  0,   0,   1,
    10,   0,    0,    2,    0x30, 0x39, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0,   0,   0,   0,
    0x60, 0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 'd', 'a', 't', 'a'};

static struct cn_packet tcp_packet(void)
{
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    p.flags = CN_PKT_IPV4 | CN_PKT_TCP;
    p.ip_ver = 4;
    p.l3 = frame;
    p.l3_len = sizeof(frame);
    p.ip_hlen = 20;
    p.l4 = frame + 20;
    p.l4_len = sizeof(frame) - 20;
    p.tcp.hlen = 24;
    p.payload = frame + 44;
    p.payload_len = 4;
    return p;
}

static void test_packet_buffers(void **state)
{
    (void)state;
    struct cn_packet p = tcp_packet();
    const uint8_t *b;
    uint32_t n;
    assert_true(cn_buffer_get(CN_LIST__BUILTIN + CN_BUFFER_TCP_HDR, &p, &b, &n));
    assert_ptr_equal(b, frame + 20);
    assert_int_equal(n, 24); /* options included */
    assert_true(cn_buffer_get(CN_LIST__BUILTIN + CN_BUFFER_IPV4_HDR, &p, &b, &n));
    assert_int_equal(n, 20);
    /* buffers the packet does not have */
    assert_false(cn_buffer_get(CN_LIST__BUILTIN + CN_BUFFER_UDP_HDR, &p, &b, &n));
    assert_false(cn_buffer_get(CN_LIST__BUILTIN + CN_BUFFER_IPV6_HDR, &p, &b, &n));
    assert_false(cn_buffer_get(CN_LIST__BUILTIN + CN_BUFFER_ICMPV4_HDR, &p, &b, &n));
    assert_false(cn_buffer_get(CN_LIST_PAYLOAD, &p, &b, &n)); /* not a registry list */
    assert_false(cn_buffer_get(CN_LIST__BUILTIN + CN_BUFFER__COUNT, &p, &b, &n));
}

static void test_sticky_lists(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "tcp.hdr; content:\"|02 04 05 b4|\"; offset:20; pkt_data; content:\"data\";");
    unsigned tcp = CN_LIST__BUILTIN + CN_BUFFER_TCP_HDR;
    assert_int_equal(x.r.lists[tcp].n, 1); /* the content (offset modifies it) */
    assert_int_equal(x.r.lists[CN_LIST_PAYLOAD].n, 1);
    rb_free(&x);
    /* the buffer keywords take no value (the parser enforces the flag) and are sticky */
    const struct cn_keyword *kw = cn_kw_find("ipv6.hdr");
    assert_non_null(kw);
    assert_true(kw->flags & CN_KW_NOVALUE);
    assert_true(kw->flags & CN_KW_STICKY);
    assert_non_null(cn_kw_find("pkt_data"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet_buffers),
        cmocka_unit_test(test_sticky_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
