/* Unit tests of src/output/eve_anomaly.c and the packet record header: the exact record for
 * a decode event and for a protocol-detection event, the decode/stream/applayer filters, flow_id
 * and community_id for packets with a flow, VLAN ids and the Ethernet header, ICMP type and code
 * without ports, a packet without IP, and packets without events (no record). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"
#include "jcheck.h"

struct fixture {
    char *dir;
    struct cn_output *out;
    struct cn_output_thread *ot;
};

static void open_out(struct fixture *fx, const struct cn_output_config *c)
{
    char err[256];
    fx->out = cn_output_open(c, err, sizeof(err));
    assert_non_null(fx->out);
    fx->ot = cn_output_thread_new(fx->out);
    assert_non_null(fx->ot);
}

/* Closes the output and returns eve.json's contents (caller frees). */
static char *finish(struct fixture *fx)
{
    cn_output_thread_free(fx->ot);
    cn_output_close(fx->out);
    char *s = read_all(fx->dir, "eve.json", NULL);
    assert_non_null(s);
    rm_tree(fx->dir);
    return s;
}

static void config(struct fixture *fx, struct cn_output_config *c)
{
    fx->dir = tmp_logdir();
    assert_non_null(fx->dir);
    cn_output_config_defaults(c);
    c->logdir = fx->dir;
}

static void test_decode_event_record(void **state)
{
    (void)state;
    struct fixture fx;
    struct cn_output_config c;
    config(&fx, &c);
    c.anomaly_decode = true;
    open_out(&fx, &c);

    unsigned dec = first_event(CN_EVL_DECODE);
    assert_int_not_equal(dec, CN_EV_NONE);
    struct cn_packet p;
    test_packet(&p);
    cn_packet_event(&p, (enum cn_event_id)dec);
    cn_output_packet_events(fx.ot, &p);
    char *s = finish(&fx);

    char want[1024];
    snprintf(want, sizeof(want),
             "{\"timestamp\":\"2024-01-02T03:04:05.000001+0000\",\"pcap_cnt\":7,"
             "\"event_type\":\"anomaly\",\"src_ip\":\"10.0.0.1\",\"src_port\":1234,"
             "\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,\"proto\":\"TCP\",\"ip_v\":4,"
             "\"pkt_src\":\"wire/pcap\",\"anomaly\":{\"type\":\"decode\",\"event\":\"%s\"}}\n",
             cn_event_descs[dec].name);
    assert_string_equal(s, want);
    assert_true(strncmp(cn_event_descs[dec].name, "decoder.", 8) == 0);
    free(s);
}

/* A protocol-detection event: the flow's app_proto inside the anomaly object and
 * "layer":"proto_detect", written under the stock configuration and not when applayer is off. */
static void test_applayer_event_record(void **state)
{
    (void)state;
    for (int on = 0; on <= 1; on++) {
        struct fixture fx;
        struct cn_output_config c;
        config(&fx, &c);
        c.anomaly_applayer = on;
        open_out(&fx, &c);
        struct cn_flow f;
        memset(&f, 0, sizeof(f));
        f.app_proto = CN_ALPROTO_HTTP1;
        struct cn_packet p;
        test_packet(&p);
        p.flow = &f;
        cn_packet_event(&p, CN_EV_APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS);
        cn_output_packet_events(fx.ot, &p);
        char *s = finish(&fx);
        if (!on) {
            assert_string_equal(s, "");
        } else {
            assert_int_equal(count_lines(s), 1);
            assert_non_null(strstr(s, "\"anomaly\":{\"app_proto\":\"http\",\"type\":\"applayer\","
                                      "\"event\":\"APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS\","
                                      "\"layer\":\"proto_detect\"}}\n"));
        }
        free(s);
    }
}

static void test_filters(void **state)
{
    (void)state;
    unsigned dec = first_event(CN_EVL_DECODE), str = first_event(CN_EVL_STREAM);
    assert_int_not_equal(str, CN_EV_NONE);
    static const struct {
        bool decode, stream, type_anomaly;
        int want_decode, want_stream;
    } cases[] = {
        {false, false, true, 0, 0}, /* Suricata's stock configuration */
        {true, false, true, 1, 0},  {false, true, true, 0, 1},
        {true, true, true, 1, 1},   {true, true, false, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fixture fx;
        struct cn_output_config c;
        config(&fx, &c);
        c.anomaly_decode = cases[i].decode;
        c.anomaly_stream = cases[i].stream;
        c.type_anomaly = cases[i].type_anomaly;
        open_out(&fx, &c);
        struct cn_packet p;
        test_packet(&p);
        cn_packet_event(&p, (enum cn_event_id)dec);
        cn_packet_event(&p, (enum cn_event_id)str);
        cn_output_packet_events(fx.ot, &p);
        /* a packet without events never makes a record */
        test_packet(&p);
        cn_output_packet_events(fx.ot, &p);
        char *s = finish(&fx);
        assert_int_equal(count_lines(s), cases[i].want_decode + cases[i].want_stream);
        assert_int_equal(strstr(s, "\"type\":\"decode\"") != NULL, cases[i].want_decode);
        assert_int_equal(strstr(s, "\"type\":\"stream\"") != NULL, cases[i].want_stream);
        if (cases[i].want_stream) {
            char ev[256];
            snprintf(ev, sizeof(ev), "\"event\":\"%s\"", cn_event_descs[str].name);
            assert_non_null(strstr(s, ev));
            assert_true(strncmp(cn_event_descs[str].name, "stream.", 7) == 0);
        }
        free(s);
    }
}

static void test_flow_vlan_ether(void **state)
{
    (void)state;
    struct fixture fx;
    struct cn_output_config c;
    config(&fx, &c);
    c.anomaly_decode = true;
    c.eve_ethernet = true;
    c.community_id = true;
    c.community_id_seed = 3;
    c.in_iface = "eth7";
    open_out(&fx, &c);

    static const uint8_t frame[] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xbb, 0x02, 0x00, 0x00,
                                    0x00, 0x00, 0xaa, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00};
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 1234567890123ULL;
    f.proto = 6;
    f.ip_ver = 4;
    struct cn_packet p;
    test_packet(&p);
    p.data = frame;
    p.caplen = sizeof(frame);
    p.eth_dst = frame;
    p.eth_src = frame + 6;
    p.vlan[0] = 10;
    p.vlan[1] = 4095;
    p.vlan_n = 2;
    p.flow = &f;
    cn_packet_event(&p, (enum cn_event_id)first_event(CN_EVL_DECODE));
    cn_output_packet_events(fx.ot, &p);
    char *s = finish(&fx);
    assert_true(jc_valid_object(s, strlen(s) - 1));
    char v[256];
    assert_true(jc_get(s, "flow_id", v, sizeof(v)));
    assert_string_equal(v, "1234567890123");
    assert_true(jc_get(s, "in_iface", v, sizeof(v)));
    assert_string_equal(v, "\"eth7\"");
    assert_true(jc_get(s, "vlan", v, sizeof(v)));
    assert_string_equal(v, "[10,4095]");
    assert_true(jc_get(s, "ether", v, sizeof(v)));
    assert_string_equal(v, "{\"ether_type\":33024,\"src_mac\":\"02:00:00:00:00:aa\","
                           "\"dest_mac\":\"02:00:00:00:00:bb\"}");
    /* the community id comes from the flow stage; only its presence is ours */
    assert_true(jc_get(s, "community_id", v, sizeof(v)));
    assert_true(strncmp(v, "\"1:", 3) == 0);
    /* header order: flow_id before event_type, pkt_src before ether */
    assert_true(strstr(s, "\"flow_id\"") < strstr(s, "\"event_type\""));
    assert_true(strstr(s, "\"pkt_src\"") < strstr(s, "\"ether\""));
    free(s);
}

static void test_icmp_and_non_ip(void **state)
{
    (void)state;
    struct fixture fx;
    struct cn_output_config c;
    config(&fx, &c);
    c.anomaly_decode = true;
    open_out(&fx, &c);
    unsigned dec = first_event(CN_EVL_DECODE);

    struct cn_packet p;
    test_packet(&p);
    p.flags = CN_PKT_ETH | CN_PKT_IPV6 | CN_PKT_ICMPV6;
    p.ip_ver = 6;
    memset(p.src.b, 0, 16);
    memset(p.dst.b, 0, 16);
    p.src.b[0] = 0xfe;
    p.src.b[1] = 0x80;
    p.src.b[15] = 1;
    p.dst.b[0] = 0xff;
    p.dst.b[1] = 0x02;
    p.dst.b[15] = 2;
    p.proto = 58;
    p.icmp.type = 135;
    p.icmp.code = 0;
    cn_packet_event(&p, (enum cn_event_id)dec);
    cn_output_packet_events(fx.ot, &p);

    /* a truncated TCP header: proto is known, ports are not */
    test_packet(&p);
    p.flags = CN_PKT_ETH | CN_PKT_IPV4 | CN_PKT_INVALID;
    p.pcap_cnt = 8;
    cn_packet_event(&p, (enum cn_event_id)dec);
    cn_output_packet_events(fx.ot, &p);

    /* no IP at all */
    test_packet(&p);
    p.flags = CN_PKT_ETH | CN_PKT_INVALID;
    p.ip_ver = 0;
    p.proto = 0;
    p.pcap_cnt = 9;
    cn_packet_event(&p, (enum cn_event_id)dec);
    cn_output_packet_events(fx.ot, &p);
    char *s = finish(&fx);
    assert_int_equal(count_lines(s), 3);

    char *l2 = strchr(s, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    l2[-1] = l3[-1] = '\0';
    char v[256];
    assert_true(jc_valid_object(s, strlen(s)));
    assert_true(jc_get(s, "src_ip", v, sizeof(v)));
    assert_string_equal(v, "\"fe80:0000:0000:0000:0000:0000:0000:0001\"");
    assert_true(jc_get(s, "proto", v, sizeof(v)));
    assert_string_equal(v, "\"IPv6-ICMP\"");
    assert_true(jc_get(s, "ip_v", v, sizeof(v)));
    assert_string_equal(v, "6");
    assert_true(jc_get(s, "icmp_type", v, sizeof(v)));
    assert_string_equal(v, "135");
    assert_true(jc_get(s, "icmp_code", v, sizeof(v)));
    assert_string_equal(v, "0");
    assert_false(jc_get(s, "src_port", v, sizeof(v)));
    assert_false(jc_get(s, "flow_id", v, sizeof(v)));

    assert_true(jc_get(l2, "proto", v, sizeof(v)));
    assert_string_equal(v, "\"TCP\"");
    assert_false(jc_get(l2, "src_port", v, sizeof(v)));
    assert_false(jc_get(l2, "dest_port", v, sizeof(v)));

    assert_true(jc_valid_object(l3, strlen(l3)));
    assert_false(jc_get(l3, "src_ip", v, sizeof(v)));
    assert_false(jc_get(l3, "proto", v, sizeof(v)));
    assert_true(jc_get(l3, "anomaly.type", v, sizeof(v)));
    assert_string_equal(v, "\"decode\"");
    free(s);
}

static void test_pkt_src(void **state)
{
    (void)state;
    struct fixture fx;
    struct cn_output_config c;
    config(&fx, &c);
    c.anomaly_decode = true;
    open_out(&fx, &c);
    struct cn_packet p;
    test_packet(&p);
    p.flags |= CN_PKT_REBUILT;
    p.proto = 200; /* no IANA keyword: written as the number */
    cn_packet_event(&p, (enum cn_event_id)first_event(CN_EVL_DECODE));
    cn_output_packet_events(fx.ot, &p);
    char *s = finish(&fx);
    assert_non_null(strstr(s, "\"pkt_src\":\"defrag\""));
    assert_non_null(strstr(s, "\"proto\":\"200\""));
    assert_null(strstr(s, "src_port"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_event_record),
        cmocka_unit_test(test_applayer_event_record),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_flow_vlan_ether),
        cmocka_unit_test(test_icmp_and_non_ip),
        cmocka_unit_test(test_pkt_src),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
