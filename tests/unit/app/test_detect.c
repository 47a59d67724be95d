/* Protocol detection: each recogniser on the opening bytes it is made for, and on bytes it
 * must refuse; port-gated ones only on their ports; the per-direction and per-flow decisions
 * (flags on the deciding packet, "failed" after enough unknown bytes, the first named
 * protocol wins, a mismatch keeps both directions' names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "app/app.h"
#include "stream/stream.h"

static struct cn_flow flow(uint16_t sp, uint16_t dp)
{
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    f.sp = sp;
    f.dp = dp;
    return f;
}

/* What one direction's opening bytes are detected as (TCP). */
static unsigned tcp_first(uint16_t dp, const char *bytes, size_t len, bool toserver)
{
    struct cn_flow f = flow(40000, dp);
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    cn_app_stream_data(&f, &p, toserver, (const uint8_t *)bytes, (uint32_t)len, 0, 0);
    return toserver ? f.alproto_ts : f.alproto_tc;
}
#define TCP_TS(dp, lit) tcp_first(dp, lit, sizeof(lit) - 1, true)
#define TCP_TC(dp, lit) tcp_first(dp, lit, sizeof(lit) - 1, false)

static void names(void **state)
{
    (void)state;
    assert_int_equal(cn_alproto_by_name("tls"), CN_ALPROTO_TLS);
    assert_int_equal(cn_alproto_by_name("failed"), CN_ALPROTO_FAILED);
    assert_int_equal(cn_alproto_by_name("TLS"), CN_ALPROTO_UNKNOWN);
    assert_int_equal(cn_alproto_by_name("nope"), CN_ALPROTO_UNKNOWN);
    assert_string_equal(cn_alproto_name(CN_ALPROTO_HTTP1), "http1");
    assert_string_equal(cn_alproto_eve_name(CN_ALPROTO_HTTP1), "http");
    assert_null(cn_alproto_name(CN_ALPROTO__COUNT));
    assert_true(cn_alproto_covers(CN_ALPROTO_HTTP, CN_ALPROTO_HTTP1));
    assert_true(cn_alproto_covers(CN_ALPROTO_HTTP, CN_ALPROTO_HTTP2));
    assert_false(cn_alproto_covers(CN_ALPROTO_HTTP1, CN_ALPROTO_HTTP2));
    assert_false(cn_alproto_covers(CN_ALPROTO_TLS, CN_ALPROTO_UNKNOWN));
}

static void tcp_recognisers(void **state)
{
    (void)state;
    assert_int_equal(TCP_TS(8080, "GET /index.html HTTP/1.1\r\n"), CN_ALPROTO_HTTP1);
    assert_int_equal(TCP_TC(8080, "HTTP/1.1 200 OK\r\nServer: x\r\n"), CN_ALPROTO_HTTP1);
    assert_int_equal(TCP_TS(80, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), CN_ALPROTO_HTTP2);
    assert_int_equal(TCP_TS(2222, "SSH-2.0-OpenSSH_9.2\r\n"), CN_ALPROTO_SSH);
    assert_int_equal(TCP_TS(4443, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), CN_ALPROTO_TLS);
    assert_int_equal(TCP_TS(445, "\x00\x00\x00\x54\xfeSMB\x40\x00\x00\x00"), CN_ALPROTO_SMB);
    assert_int_equal(
        TCP_TS(135, "\x05\x00\x0b\x03\x10\x00\x00\x00\x48\x00\x00\x00\x01\x00\x00\x00"),
        CN_ALPROTO_DCERPC);
    assert_int_equal(TCP_TS(3389, "\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00"),
                     CN_ALPROTO_RDP);
    assert_int_equal(TCP_TC(5900, "RFB 003.008\n"), CN_ALPROTO_RFB);
    assert_int_equal(TCP_TS(2525, "EHLO mail.example.org\r\n"), CN_ALPROTO_SMTP);
    /* banners mean something only on their ports */
    assert_int_equal(TCP_TC(25, "220 mx.example.org ESMTP ready\r\n"), CN_ALPROTO_SMTP);
    assert_int_equal(TCP_TC(21, "220 FTP server ready, welcome\r\n"), CN_ALPROTO_FTP);
    assert_int_equal(TCP_TC(143, "* OK IMAP4rev1 server ready\r\n"), CN_ALPROTO_IMAP);
    assert_int_equal(TCP_TC(8021, "220 FTP server ready, welcome\r\n"), CN_ALPROTO_FAILED);
    /* near misses */
    assert_int_equal(TCP_TS(80, "GETX / HTTP/1.1\r\nHost: a\r\n"), CN_ALPROTO_FAILED);
    assert_int_equal(
        TCP_TS(443, "\x16\x02\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x00\x00\x00\x00\x00"),
        CN_ALPROTO_FAILED);
    assert_int_equal(TCP_TS(22, "ssh-2.0-lowercase is not it\r\n"), CN_ALPROTO_FAILED);
}

static void udp_recognisers(void **state)
{
    (void)state;
    static const uint8_t dns_q[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0,   0,   0,
                                    0,    3,    'w',  'w',  'w', 7,   'e', 'x', 'a', 'm', 'p',
                                    'l',  'e',  3,    'c',  'o', 'm', 0,   0,   1,   0,   1};
    struct cn_flow f = flow(53000, 53);
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    p.toserver = true;
    p.payload = dns_q;
    p.payload_len = sizeof(dns_q);
    cn_app_udp_packet(&f, &p);
    assert_int_equal(f.alproto_ts, CN_ALPROTO_DNS);
    assert_int_equal(f.app_proto, CN_ALPROTO_DNS);
    assert_true(p.flags & CN_PKT_PD_TS_DONE);
    /* the same bytes off port 53 are not DNS */
    f = flow(53000, 9999);
    p.flags = 0;
    cn_app_udp_packet(&f, &p);
    assert_int_equal(f.alproto_ts, CN_ALPROTO_FAILED);

    uint8_t ntp[48] = {0x23}; /* version 4, mode 3 (client) */
    f = flow(40000, 123);
    p.payload = ntp;
    p.payload_len = sizeof(ntp);
    cn_app_udp_packet(&f, &p);
    assert_int_equal(f.alproto_ts, CN_ALPROTO_NTP);
    ntp[0] = 0x07; /* version 0 */
    f = flow(40000, 123);
    cn_app_udp_packet(&f, &p);
    assert_int_equal(f.alproto_ts, CN_ALPROTO_FAILED);

    uint8_t dhcp[300] = {1, 1, 6};
    dhcp[236] = 99, dhcp[237] = 130, dhcp[238] = 83, dhcp[239] = 99;
    f = flow(68, 67);
    p.payload = dhcp;
    p.payload_len = sizeof(dhcp);
    cn_app_udp_packet(&f, &p);
    assert_int_equal(f.alproto_ts, CN_ALPROTO_DHCP);
}

static void decisions(void **state)
{
    (void)state;
    struct cn_flow f = flow(40000, 22);
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    /* a 3-byte first chunk is too short to tell: undecided, no flag */
    cn_app_stream_data(&f, &p, true, (const uint8_t *)"GE", 2, 0, 0);
    assert_int_equal(f.alproto_ts, CN_ALPROTO_UNKNOWN);
    assert_int_equal(p.flags, 0);
    /* the next chunk does not restart detection: failed */
    cn_app_stream_data(&f, &p, true, (const uint8_t *)"T / HTTP/1.1\r\n", 15, 2, 0);
    assert_int_equal(f.alproto_ts, CN_ALPROTO_FAILED);
    assert_true(p.flags & CN_PKT_PD_TS_DONE);
    assert_int_equal(f.app_proto, CN_ALPROTO_UNKNOWN); /* the other side may still name it */
    memset(&p, 0, sizeof(p));
    cn_app_stream_data(&f, &p, false, (const uint8_t *)"SSH-2.0-x\r\n", 11, 0, 0);
    assert_int_equal(f.alproto_tc, CN_ALPROTO_SSH);
    assert_int_equal(f.app_proto, CN_ALPROTO_SSH);
    assert_true(p.flags & CN_PKT_PD_TC_DONE);

    assert_false(cn_packet_has_event(&p, CN_EV_APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS));

    /* mismatch: the first named protocol stays the flow's, both directions keep theirs, and
     * the packet that named the second one carries the event */
    f = flow(40000, 22);
    memset(&p, 0, sizeof(p));
    cn_app_stream_data(&f, &p, true, (const uint8_t *)"GET / HTTP/1.0\r\n\r\n", 18, 0, 0);
    assert_int_equal(p.events_n, 0);
    cn_app_stream_data(&f, &p, false, (const uint8_t *)"SSH-2.0-x\r\n", 11, 0, 0);
    assert_int_equal(f.app_proto, CN_ALPROTO_HTTP1);
    assert_int_equal(f.alproto_ts, CN_ALPROTO_HTTP1);
    assert_int_equal(f.alproto_tc, CN_ALPROTO_SSH);
    assert_true(cn_packet_has_event(&p, CN_EV_APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS));
    /* the same protocol both ways is no mismatch */
    f = flow(40000, 80);
    memset(&p, 0, sizeof(p));
    cn_app_stream_data(&f, &p, true, (const uint8_t *)"GET / HTTP/1.0\r\n\r\n", 18, 0, 0);
    cn_app_stream_data(&f, &p, false, (const uint8_t *)"HTTP/1.0 200 OK\r\n", 17, 0, 0);
    assert_int_equal(p.events_n, 0);

    /* both failed: the flow is "failed"; a gap at the start fails; an empty end leaves it */
    f = flow(40000, 7777);
    cn_app_stream_data(&f, &p, true, (const uint8_t *)"0123456789abcdefXYZ", 19, 0, 0);
    assert_int_equal(f.app_proto, CN_ALPROTO_UNKNOWN);
    cn_app_stream_data(&f, &p, false, NULL, 100, 0, CN_STREAM_GAP);
    assert_int_equal(f.alproto_tc, CN_ALPROTO_FAILED);
    assert_int_equal(f.app_proto, CN_ALPROTO_FAILED);
    f = flow(40000, 7777);
    cn_app_stream_data(&f, &p, true, NULL, 0, 0, CN_STREAM_EOF);
    assert_int_equal(f.alproto_ts, CN_ALPROTO_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test(tcp_recognisers),
        cmocka_unit_test(udp_recognisers),
        cmocka_unit_test(decisions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
