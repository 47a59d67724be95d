/* The header keywords (src/detect/kw/): dsize, ttl, tos, id, ip_proto, ipopts, fragbits,
 * fragoffset, sameip, flags, seq, ack, window, tcp.mss, itype, icode, icmp_id, icmp_seq. For
 * each: a packet that matches, packets that do not (including other protocols), and values
 * that must be refused. */
#include "kw_harness.h"

static struct cn_packet ipv4_tcp(void)
{
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    p.flags = CN_PKT_IPV4 | CN_PKT_TCP;
    p.ip_ver = 4;
    p.proto = 6;
    p.ttl = 64;
    p.src.b[0] = 10, p.src.b[3] = 1;
    p.dst.b[0] = 10, p.dst.b[3] = 2;
    p.tcp.flags = CN_TH_SYN;
    p.tcp.seq = 12345;
    p.tcp.ack = 0;
    p.tcp.win = 8192;
    return p;
}

static struct cn_packet ipv4_icmp(uint8_t type, uint8_t code)
{
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    p.flags = CN_PKT_IPV4 | CN_PKT_ICMPV4;
    p.ip_ver = 4;
    p.proto = 1;
    p.icmp.type = type;
    p.icmp.code = code;
    return p;
}

static struct cn_packet ipv6_udp(void)
{
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    p.flags = CN_PKT_IPV6 | CN_PKT_UDP;
    p.ip_ver = 6;
    p.proto = 17;
    p.ttl = 255;
    p.src.b[15] = 1;
    p.dst.b[15] = 2;
    return p;
}

static void test_dsize(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    static const uint8_t data[10] = "0123456789";
    p.payload = data;
    p.payload_len = 10;
    MATCH("dsize", "10", &p);
    MATCH("dsize", "<=10", &p);
    MATCH("dsize", "8<>20", &p);
    MATCH("dsize", "!9", &p);
    NO_MATCH("dsize", "<10", &p);
    NO_MATCH("dsize", "!10", &p);
    NO_MATCH("dsize", ">10", &p);
    p.payload_len = 0;
    MATCH("dsize", "<10", &p);
    MATCH("dsize", "<=0", &p);
    MATCH("dsize", "0", &p);
    /* without a payload, !=, >, >= and ranges never match (Suricata's payload requirement) */
    NO_MATCH("dsize", "!9", &p);
    NO_MATCH("dsize", ">=1", &p);
    NO_MATCH("dsize", "0<>5", &p);
    p.flags |= CN_PKT_PSEUDO;
    NO_MATCH("dsize", "0", &p);
    kw_rejects("dsize", "abc");
    kw_rejects("dsize", "65536");
    kw_rejects("dsize", NULL);
    kw_rejects("dsize", "10-11");
}

static void test_ttl(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    MATCH("ttl", "64", &p);
    MATCH("ttl", "<65", &p);
    MATCH("ttl", "60-70", &p);
    NO_MATCH("ttl", "63", &p);
    NO_MATCH("ttl", ">64", &p);
    struct cn_packet p6 = ipv6_udp(); /* the hop limit */
    MATCH("ttl", "255", &p6);
    NO_MATCH("ttl", "64", &p6);
    struct cn_packet arp;
    memset(&arp, 0, sizeof(arp));
    arp.flags = CN_PKT_ARP;
    NO_MATCH("ttl", "0", &arp);
    kw_rejects("ttl", "256");
    kw_rejects("ttl", "");
    kw_rejects("ttl", ">255");
}

static void test_tos(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    p.tos = 0x10;
    MATCH("tos", "16", &p);
    MATCH("tos", "0x10", &p);
    MATCH("tos", "x10", &p);
    MATCH("tos", "!8", &p);
    NO_MATCH("tos", "!16", &p);
    NO_MATCH("tos", "17", &p);
    struct cn_packet p6 = ipv6_udp(); /* IPv4 only, as in Suricata */
    p6.tos = 0x10;
    NO_MATCH("tos", "16", &p6);
    kw_rejects("tos", ">5");
    kw_rejects("tos", "256");
    kw_rejects("tos", "0x100");
}

static void test_id(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    p.ip_id = 1234;
    MATCH("id", "1234", &p);
    MATCH("id", "\"1234\"", &p);
    NO_MATCH("id", "1235", &p);
    struct cn_packet p6 = ipv6_udp();
    p6.ip_id = 1234;
    NO_MATCH("id", "1234", &p6);
    kw_rejects("id", "!1");
    kw_rejects("id", "65536");
    kw_rejects("id", "<5");
}

static void test_ip_proto(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    MATCH("ip_proto", "6", &p);
    MATCH("ip_proto", "tcp", &p);
    MATCH("ip_proto", "TCP", &p);
    MATCH("ip_proto", "!udp", &p);
    MATCH("ip_proto", "! 17", &p);
    MATCH("ip_proto", ">5", &p);
    NO_MATCH("ip_proto", "!6", &p);
    NO_MATCH("ip_proto", "udp", &p);
    NO_MATCH("ip_proto", "<6", &p);
    struct cn_packet p6 = ipv6_udp();
    p6.flags = CN_PKT_IPV6 | CN_PKT_ICMPV6;
    p6.proto = 58;
    MATCH("ip_proto", "ipv6-icmp", &p6);
    MATCH("ip_proto", "58", &p6);
    kw_rejects("ip_proto", "bogus");
    kw_rejects("ip_proto", ">=6");
    kw_rejects("ip_proto", "256");
    kw_rejects("ip_proto", "");
    kw_rejects("ip_proto", "<ip");
}

static void test_ipopts(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    p.ipv4_opts = CN_IPV4_OPT_RR | CN_IPV4_OPT_EOL | CN_IPV4_OPT_ANY;
    MATCH("ipopts", "rr", &p);
    MATCH("ipopts", "eol", &p);
    MATCH("ipopts", "any", &p);
    MATCH("ipopts", " RR ", &p);
    NO_MATCH("ipopts", "lsrr", &p);
    NO_MATCH("ipopts", "ts", &p);
    p.ipv4_opts = CN_IPV4_OPT_SATID | CN_IPV4_OPT_ANY;
    MATCH("ipopts", "satid", &p);
    p.ipv4_opts = 0;
    NO_MATCH("ipopts", "any", &p);
    struct cn_packet p6 = ipv6_udp();
    p6.ipv4_opts = CN_IPV4_OPT_ANY;
    NO_MATCH("ipopts", "any", &p6);
    kw_rejects("ipopts", "foo");
    kw_rejects("ipopts", "rr,ts");
    kw_rejects("ipopts", "");
    kw_rejects("ipopts", NULL);
}

static void test_fragbits(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    p.frag_df = true;
    MATCH("fragbits", "D", &p);
    MATCH("fragbits", "*MD", &p);
    MATCH("fragbits", "!M", &p);
    MATCH("fragbits", "! M", &p);
    NO_MATCH("fragbits", "M", &p);
    NO_MATCH("fragbits", "MD", &p);
    NO_MATCH("fragbits", "!D", &p);
    NO_MATCH("fragbits", "+D", &p); /* '+' wants another bit besides */
    p.frag_mf = true;
    MATCH("fragbits", "+D", &p);
    MATCH("fragbits", "MD", &p);
    MATCH("fragbits", "dm", &p);
    NO_MATCH("fragbits", "D", &p);
    NO_MATCH("fragbits", "!MD", &p);
    p.frag_rf = true;
    NO_MATCH("fragbits", "!MD", &p);
    NO_MATCH("fragbits", "MD", &p);
    MATCH("fragbits", "MDR", &p);
    MATCH("fragbits", "+MD", &p);
    NO_MATCH("fragbits", "!R", &p);
    struct cn_packet p6 = ipv6_udp();
    p6.frag_mf = true;
    NO_MATCH("fragbits", "M", &p6);
    kw_rejects("fragbits", "X");
    kw_rejects("fragbits", "");
    kw_rejects("fragbits", "+");
    kw_rejects("fragbits", "D+");
    kw_rejects("fragbits", "D M");
}

static void test_fragoffset(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    p.frag_off = 100; /* 8-byte units on the wire */
    MATCH("fragoffset", "100", &p);
    MATCH("fragoffset", ">50", &p);
    MATCH("fragoffset", "!0", &p);
    NO_MATCH("fragoffset", "<50", &p);
    NO_MATCH("fragoffset", "0", &p);
    p.frag_off = 0;
    MATCH("fragoffset", "0", &p);
    struct cn_packet p6 = ipv6_udp();
    p6.frag_off = 100;
    NO_MATCH("fragoffset", "100", &p6); /* no fragment header */
    p6.ipv6_exthdrs = CN_IPV6_EXT_FH;
    MATCH("fragoffset", "800", &p6); /* IPv6 compares bytes, as Suricata */
    kw_rejects("fragoffset", ">=5");
    kw_rejects("fragoffset", "1-9");
    kw_rejects("fragoffset", "abc");
}

static void test_sameip(void **state)
{
    (void)state;
    assert_true(cn_kw_find("sameip")->flags & CN_KW_NOVALUE);
    struct cn_packet p = ipv4_tcp();
    NO_MATCH("sameip", NULL, &p);
    p.dst = p.src;
    MATCH("sameip", NULL, &p);
    struct cn_packet p6 = ipv6_udp();
    NO_MATCH("sameip", NULL, &p6);
    p6.dst = p6.src;
    MATCH("sameip", NULL, &p6);
    struct cn_packet arp;
    memset(&arp, 0, sizeof(arp));
    arp.flags = CN_PKT_ARP;
    NO_MATCH("sameip", NULL, &arp);
}

/* decode-event / stream-event: the packet carries the named anomaly; unknown names fail. */
static void test_events(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    NO_MATCH("decode-event", "ipv4.trunc_pkt", &p);
    cn_packet_event(&p, CN_EV_IPV4_TRUNC_PKT);
    MATCH("decode-event", "ipv4.trunc_pkt", &p);
    NO_MATCH("decode-event", "ipv4.pkt_too_small", &p);
    NO_MATCH("stream-event", "pkt_invalid_timestamp", &p);
    cn_packet_event(&p, CN_EV_STREAM_PKT_INVALID_TIMESTAMP);
    MATCH("stream-event", "pkt_invalid_timestamp", &p);
    /* a stream event is not a decoder event, whatever the spelling */
    kw_rejects("decode-event", "pkt_invalid_timestamp");
    kw_rejects("decode-event", "no.such_event");
    kw_rejects("stream-event", "ipv4.trunc_pkt");
    kw_rejects("stream-event", NULL);
}

/* app-layer-event: protocol-detection events in any case; a parser's events name the parser
 * the rule waits for. */
static void test_app_layer_event(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    NO_MATCH("app-layer-event", "applayer_mismatch_protocol_both_directions", &p);
    cn_packet_event(&p, CN_EV_APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS);
    MATCH("app-layer-event", "applayer_mismatch_protocol_both_directions", &p);
    MATCH("app-layer-event", "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS", &p);
    NO_MATCH("app-layer-event", "applayer_detect_protocol_only_one_direction", &p);
    /* decoder and stream events are not app-layer events */
    kw_rejects("app-layer-event", "ipv4.trunc_pkt");
    kw_rejects("app-layer-event", "decoder.ipv4.trunc_pkt");
    kw_rejects("app-layer-event", "no_such_event");
    kw_rejects("app-layer-event", NULL);
    struct cn_rule r;
    char err[128];
    memset(&r, 0, sizeof(r));
    assert_int_equal(kw_add(&r, "app-layer-event",
                            "http.invalid_transfer_encoding_value_in_request", err, sizeof(err)),
                     -CN_EINVAL);
    assert_non_null(strstr(err, "needs the http parser"));
    kw_clear(&r);
}

static void test_flags(void **state)
{
    (void)state;
    assert_ptr_equal(cn_kw_find("tcp.flags"), cn_kw_find("flags"));
    struct cn_packet p = ipv4_tcp(); /* SYN */
    MATCH("flags", "S", &p);
    MATCH("flags", "+S", &p);
    MATCH("flags", "S+", &p);
    MATCH("flags", "*SF", &p);
    MATCH("flags", "!A", &p);
    MATCH("flags", "!0", &p);
    MATCH("tcp.flags", "S", &p);
    NO_MATCH("flags", "SA", &p);
    NO_MATCH("flags", "!S", &p);
    NO_MATCH("flags", "0", &p);
    NO_MATCH("flags", "A", &p);
    /* ECN bits: exact unless masked */
    p.tcp.flags = CN_TH_SYN | CN_TH_ECE | CN_TH_CWR;
    NO_MATCH("flags", "S", &p);
    MATCH("flags", "S,12", &p);
    MATCH("flags", "S, CE", &p);
    MATCH("flags", "SEC", &p);
    MATCH("flags", "S12", &p);
    p.tcp.flags = CN_TH_SYN | CN_TH_ACK;
    MATCH("flags", "SA", &p);
    MATCH("flags", "AS", &p);
    MATCH("flags", "+S", &p);
    MATCH("flags", "S,A", &p); /* ACK ignored */
    NO_MATCH("flags", "S", &p);
    p.tcp.flags = 0;
    MATCH("flags", "0", &p);
    NO_MATCH("flags", "!0", &p);
    p.tcp.flags = CN_TH_RST | CN_TH_ACK;
    MATCH("flags", "R,A", &p); /* bug-1401 / bug-6244 style */
    struct cn_packet u = ipv6_udp();
    NO_MATCH("flags", "0", &u);
    kw_rejects("flags", "X");
    kw_rejects("flags", "");
    kw_rejects("flags", NULL);
    kw_rejects("flags", "S,");
    kw_rejects("flags", "S,X");
    kw_rejects("flags", "++S");
    kw_rejects("flags", "!S+");
    kw_rejects("flags", "S A");
    kw_rejects("flags", "+");
}

static void test_seq_ack_window(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    p.tcp.ack = 4294967295u;
    MATCH("seq", "12345", &p);
    NO_MATCH("seq", "12346", &p);
    MATCH("ack", "4294967295", &p);
    NO_MATCH("ack", "0", &p);
    MATCH("window", "8192", &p);
    MATCH("window", "!100", &p);
    NO_MATCH("window", "!8192", &p);
    NO_MATCH("window", "100", &p);
    struct cn_packet u = ipv6_udp();
    NO_MATCH("seq", "0", &u);
    NO_MATCH("ack", "0", &u);
    NO_MATCH("window", "0", &u);
    kw_rejects("seq", "<5");
    kw_rejects("seq", "-1");
    kw_rejects("seq", "4294967296");
    kw_rejects("ack", "!1");
    kw_rejects("window", "65536");
    kw_rejects("window", ">5");
}

static void test_tcp_mss(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_tcp();
    NO_MATCH("tcp.mss", "<65535", &p); /* no MSS option */
    p.tcp.has_mss = true;
    p.tcp.mss = 1460;
    MATCH("tcp.mss", "1460", &p);
    MATCH("tcp.mss", ">1000", &p);
    MATCH("tcp.mss", "1000-1500", &p);
    NO_MATCH("tcp.mss", "<536", &p);
    kw_rejects("tcp.mss", "70000");
    kw_rejects("tcp.mss", "mss");
}

static void test_itype_icode(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_icmp(3, 1);
    MATCH("itype", "3", &p);
    MATCH("itype", ">2", &p);
    NO_MATCH("itype", "8", &p);
    MATCH("icode", "1", &p);
    MATCH("icode", "<2", &p);
    NO_MATCH("icode", "0", &p);
    struct cn_packet p6 = ipv6_udp();
    p6.flags = CN_PKT_IPV6 | CN_PKT_ICMPV6;
    p6.icmp.type = 128;
    MATCH("itype", "128", &p6);
    MATCH("icode", "0", &p6);
    struct cn_packet t = ipv4_tcp();
    NO_MATCH("itype", "0", &t);
    NO_MATCH("icode", "0", &t);
    kw_rejects("itype", "256");
    kw_rejects("icode", "x");
}

static void test_icmp_id_seq(void **state)
{
    (void)state;
    struct cn_packet p = ipv4_icmp(8, 0); /* echo request */
    p.icmp.id = 21781;
    p.icmp.seq = 2216;
    MATCH("icmp_id", "21781", &p);
    MATCH("icmp_id", "\"21781\"", &p);
    NO_MATCH("icmp_id", "21782", &p);
    MATCH("icmp_seq", "2216", &p);
    NO_MATCH("icmp_seq", "5000", &p);
    p.icmp.type = 14; /* timestamp reply carries them too */
    MATCH("icmp_id", "21781", &p);
    /* a destination unreachable has no id: icmp_id:0 must not match it */
    struct cn_packet u = ipv4_icmp(3, 3);
    NO_MATCH("icmp_id", "0", &u);
    NO_MATCH("icmp_seq", "0", &u);
    struct cn_packet p6 = ipv6_udp();
    p6.flags = CN_PKT_IPV6 | CN_PKT_ICMPV6;
    p6.icmp.type = 129;
    p6.icmp.id = 7;
    p6.icmp.seq = 9;
    MATCH("icmp_id", "7", &p6);
    MATCH("icmp_seq", "9", &p6);
    p6.icmp.type = 1;
    NO_MATCH("icmp_id", "0", &p6);
    struct cn_packet t = ipv4_tcp();
    NO_MATCH("icmp_id", "0", &t);
    kw_rejects("icmp_id", "!5");
    kw_rejects("icmp_id", "abc");
    kw_rejects("icmp_id", "65536");
    kw_rejects("icmp_seq", "\"5");
}

static void test_several_keywords(void **state)
{
    (void)state;
    /* A rule's packet list matches only when every keyword does. */
    struct cn_rule r;
    char err[128];
    memset(&r, 0, sizeof(r));
    assert_int_equal(kw_add(&r, "ttl", "64", err, sizeof(err)), 0);
    assert_int_equal(kw_add(&r, "flags", "S", err, sizeof(err)), 0);
    assert_int_equal(kw_add(&r, "window", "8192", err, sizeof(err)), 0);
    assert_int_equal(r.lists[CN_LIST_PACKET].n, 3);
    assert_false(r.flags & CN_RULE_HAS_PAYLOAD);
    struct cn_packet p = ipv4_tcp();
    assert_true(kw_run(&r, &p));
    p.tcp.win = 1;
    assert_false(kw_run(&r, &p));
    kw_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dsize),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test(test_tos),
        cmocka_unit_test(test_id),
        cmocka_unit_test(test_ip_proto),
        cmocka_unit_test(test_ipopts),
        cmocka_unit_test(test_fragbits),
        cmocka_unit_test(test_fragoffset),
        cmocka_unit_test(test_sameip),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_app_layer_event),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_seq_ack_window),
        cmocka_unit_test(test_tcp_mss),
        cmocka_unit_test(test_itype_icode),
        cmocka_unit_test(test_icmp_id_seq),
        cmocka_unit_test(test_several_keywords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
