/* Unit tests of src/output/eve_flow.c: the exact flow record of a hand-built TCP flow, a
 * TCP flow without a session, UDP and ICMP flows (no "tcp" object; no ports for ICMP), the
 * "ether" lists, VLAN ids and the type filter.
 *
 * The TCP session is opaque outside src/stream, so this test supplies cn_stream_state(),
 * cn_stream_summary() and cn_tcp_state_name() itself; the flow stage's name functions are the
 * real ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"
#include "jcheck.h"

static enum cn_tcp_state fake_state = CN_TCP_ESTABLISHED;
static const struct cn_flow *state_asked_for;

enum cn_tcp_state cn_stream_state(const struct cn_flow *f)
{
    state_asked_for = f;
    return fake_state;
}

static bool fake_tc_gap;

void cn_stream_summary(const struct cn_flow *f, bool toserver, bool *gap, unsigned *max_regions)
{
    (void)f;
    *gap = !toserver && fake_tc_gap;
    *max_regions = toserver ? 1 : 2;
}

const char *cn_tcp_state_name(enum cn_tcp_state s)
{
    return s == CN_TCP_LAST_ACK ? "last_ack" : s == CN_TCP_SYN_SENT ? "syn_sent" : "other";
}

static char *dir;

static struct cn_output *open_out(struct cn_output_config *c)
{
    char err[256];
    struct cn_output *out = cn_output_open(c, err, sizeof(err));
    assert_non_null(out);
    return out;
}

static void config(struct cn_output_config *c)
{
    dir = tmp_logdir();
    assert_non_null(dir);
    cn_output_config_defaults(c);
    c->logdir = dir;
}

/* Logs each flow through a fresh thread, closes, and returns eve.json. */
static char *log_flows(struct cn_output_config *c, const struct cn_flow **fl, int n)
{
    struct cn_output *out = open_out(c);
    struct cn_output_thread *ot = cn_output_thread_new(out);
    assert_non_null(ot);
    for (int i = 0; i < n; i++)
        cn_output_flow(ot, fl[i]);
    cn_output_thread_free(ot);
    cn_output_close(out);
    char *s = read_all(dir, "eve.json", NULL);
    assert_non_null(s);
    rm_tree(dir);
    return s;
}

static int session; /* stands in for the opaque TCP session */

static void tcp_flow(struct cn_flow *f)
{
    memset(f, 0, sizeof(*f));
    f->src.b[0] = 192;
    f->src.b[1] = 168;
    f->src.b[3] = 253;
    f->dst.b[0] = 151;
    f->dst.b[1] = 101;
    f->dst.b[2] = 36;
    f->dst.b[3] = 133;
    f->sp = 49584;
    f->dp = 443;
    f->proto = 6;
    f->ip_ver = 4;
    f->flow_id = 2075472148512345ULL;
    f->start = 1704164645ULL * CN_USEC + 500000; /* 03:04:05.5 */
    f->last = 1704164702ULL * CN_USEC + 250000;  /* 03:05:02.25 */
    f->pkts_toserver = 10;
    f->pkts_toclient = 19;
    f->bytes_toserver = 1584;
    f->bytes_toclient = 6151;
    f->tcp_flags_ts = 0x1b;
    f->tcp_flags_tc = 0x1b;
    f->state = CN_FLOW_CLOSED;
    f->end_reason = CN_FLOW_END_SHUTDOWN;
    f->stream = &session;
}

static void test_tcp_record(void **state)
{
    (void)state;
    struct cn_output_config c;
    config(&c);
    struct cn_flow f;
    tcp_flow(&f);
    fake_state = CN_TCP_LAST_ACK;
    const struct cn_flow *fl[] = {&f};
    char *s = log_flows(&c, fl, 1);
    assert_ptr_equal(state_asked_for, &f);
    char want[2048];
    snprintf(want, sizeof(want),
             "{\"timestamp\":\"2024-01-02T03:05:02.250000+0000\",\"flow_id\":2075472148512345,"
             "\"event_type\":\"flow\",\"src_ip\":\"192.168.0.253\",\"src_port\":49584,"
             "\"dest_ip\":\"151.101.36.133\",\"dest_port\":443,\"ip_v\":4,\"proto\":\"TCP\","
             "\"flow\":{\"pkts_toserver\":10,\"pkts_toclient\":19,\"bytes_toserver\":1584,"
             "\"bytes_toclient\":6151,\"start\":\"2024-01-02T03:04:05.500000+0000\","
             "\"end\":\"2024-01-02T03:05:02.250000+0000\",\"age\":57,\"state\":\"%s\","
             "\"reason\":\"%s\",\"alerted\":false},"
             "\"tcp\":{\"tcp_flags\":\"1b\",\"tcp_flags_ts\":\"1b\",\"tcp_flags_tc\":\"1b\","
             "\"syn\":true,\"fin\":true,\"psh\":true,\"ack\":true,\"state\":\"last_ack\","
             "\"ts_max_regions\":1,\"tc_max_regions\":2}}\n",
             cn_flow_state_name(CN_FLOW_CLOSED), cn_flow_end_reason_name(CN_FLOW_END_SHUTDOWN));
    assert_string_equal(s, want);
    /* the flow stage's names are Suricata's */
    assert_string_equal(cn_flow_state_name(CN_FLOW_CLOSED), "closed");
    assert_string_equal(cn_flow_end_reason_name(CN_FLOW_END_SHUTDOWN), "shutdown");
    free(s);
}

static void test_tcp_variants(void **state)
{
    (void)state;
    struct cn_output_config c;
    config(&c);
    c.eve_ethernet = true;
    c.community_id = true;

    /* every flag, alerted, emergency, IPv6, QinQ */
    struct cn_flow a;
    tcp_flow(&a);
    a.tcp_flags_ts = 0xc7;
    a.tcp_flags_tc = 0x3a;
    a.alerted = true;
    a.emergency = true;
    a.ip_ver = 6;
    memset(a.src.b, 0, 16);
    a.src.b[0] = 0x20;
    a.src.b[1] = 0x01;
    a.src.b[15] = 0x0a;
    a.vlan[0] = 100;
    a.vlan[1] = 200;
    a.vlan_n = 2;
    a.state = CN_FLOW_ESTABLISHED;
    a.end_reason = CN_FLOW_END_TIMEOUT;
    /* MACs: two client addresses seen, one server address; replies swap them */
    static const uint8_t cm1[6] = {2, 0, 0, 0, 0, 1}, cm2[6] = {2, 0, 0, 0, 0, 2},
                         sm[6] = {2, 0, 0, 0, 0, 9};
    memcpy(a.mac_src_ts[0], cm1, 6);
    memcpy(a.mac_dst_ts[0], sm, 6);
    memcpy(a.mac_src_ts[1], cm2, 6);
    memcpy(a.mac_dst_ts[1], sm, 6);
    a.macs_ts_n = 2;
    memcpy(a.mac_src_tc[0], sm, 6);
    memcpy(a.mac_dst_tc[0], cm1, 6);
    a.macs_tc_n = 1;

    /* no session: Suricata reports no flags and no state */
    struct cn_flow b;
    tcp_flow(&b);
    b.stream = NULL;
    b.state = CN_FLOW_NEW;
    b.pkts_toclient = 0;
    b.start = b.last; /* age 0 */

    const struct cn_flow *fl[] = {&a, &b};
    char *s = log_flows(&c, fl, 2);
    assert_int_equal(count_lines(s), 2);
    char *l2 = strchr(s, '\n') + 1;
    l2[-1] = '\0';
    assert_true(jc_valid_object(s, strlen(s)));
    assert_true(jc_valid_object(l2, strlen(l2) - 1));

    char v[512];
    assert_true(jc_get(s, "tcp", v, sizeof(v)));
    assert_string_equal(v, "{\"tcp_flags\":\"ff\",\"tcp_flags_ts\":\"c7\",\"tcp_flags_tc\":\"3a\","
                           "\"syn\":true,\"fin\":true,\"rst\":true,\"psh\":true,\"ack\":true,"
                           "\"urg\":true,\"ecn\":true,\"cwr\":true,\"state\":\"last_ack\","
                           "\"ts_max_regions\":1,\"tc_max_regions\":2}");
    assert_true(jc_get(s, "flow.alerted", v, sizeof(v)));
    assert_string_equal(v, "true");
    assert_true(jc_get(s, "flow.emergency", v, sizeof(v)));
    assert_string_equal(v, "true");
    assert_true(jc_get(s, "flow.state", v, sizeof(v)));
    assert_string_equal(v, "\"established\"");
    assert_true(jc_get(s, "flow.reason", v, sizeof(v)));
    assert_string_equal(v, "\"timeout\"");
    assert_true(jc_get(s, "src_ip", v, sizeof(v)));
    assert_string_equal(v, "\"2001:0000:0000:0000:0000:0000:0000:000a\"");
    assert_true(jc_get(s, "ip_v", v, sizeof(v)));
    assert_string_equal(v, "6");
    assert_true(jc_get(s, "vlan", v, sizeof(v)));
    assert_string_equal(v, "[100,200]");
    assert_true(jc_get(s, "ether", v, sizeof(v)));
    assert_string_equal(v, "{\"dest_macs\":[\"02:00:00:00:00:09\"],"
                           "\"src_macs\":[\"02:00:00:00:00:01\",\"02:00:00:00:00:02\"]}");
    assert_true(jc_get(s, "community_id", v, sizeof(v)));
    /* "flow" comes before "ether", "ether" before "tcp" */
    assert_true(strstr(s, "\"flow\":") < strstr(s, "\"ether\":"));
    assert_true(strstr(s, "\"ether\":") < strstr(s, "\"tcp\":"));

    assert_true(jc_get(l2, "tcp", v, sizeof(v)));
    assert_string_equal(v,
                        "{\"tcp_flags\":\"00\",\"tcp_flags_ts\":\"00\",\"tcp_flags_tc\":\"00\"}");
    assert_true(jc_get(l2, "flow.age", v, sizeof(v)));
    assert_string_equal(v, "0");
    assert_true(jc_get(l2, "flow.state", v, sizeof(v)));
    assert_string_equal(v, "\"new\"");
    assert_false(jc_get(l2, "flow.emergency", v, sizeof(v)));
    /* a flow without MACs has no "ether" even when enabled */
    assert_false(jc_get(l2, "ether", v, sizeof(v)));
    free(s);

    /* a direction with a gap: tc_gap before the region counts, as Suricata writes them */
    fake_tc_gap = true;
    config(&c); /* log_flows() removed the log folder */
    s = log_flows(&c, fl, 1);
    assert_true(jc_get(s, "tcp.tc_gap", v, sizeof(v)));
    assert_string_equal(v, "true");
    assert_false(jc_get(s, "tcp.ts_gap", v, sizeof(v)));
    assert_true(strstr(s, "\"tc_gap\":true,\"ts_max_regions\":1") != NULL);
    fake_tc_gap = false;
    free(s);
}

static void test_udp_icmp_other(void **state)
{
    (void)state;
    struct cn_output_config c;
    config(&c);
    struct cn_flow u, i, o;
    tcp_flow(&u);
    u.proto = 17;
    u.sp = 53000;
    u.dp = 53;
    tcp_flow(&i);
    i.proto = 1;
    tcp_flow(&o);
    o.proto = 47;
    const struct cn_flow *fl[] = {&u, &i, &o};
    char *s = log_flows(&c, fl, 3);
    assert_int_equal(count_lines(s), 3);
    char *l2 = strchr(s, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    l2[-1] = l3[-1] = '\0';
    char v[256];
    assert_true(jc_get(s, "proto", v, sizeof(v)));
    assert_string_equal(v, "\"UDP\"");
    assert_true(jc_get(s, "dest_port", v, sizeof(v)));
    assert_string_equal(v, "53");
    assert_false(jc_get(s, "tcp", v, sizeof(v)));
    assert_true(jc_get(l2, "proto", v, sizeof(v)));
    assert_string_equal(v, "\"ICMP\"");
    assert_false(jc_get(l2, "src_port", v, sizeof(v)));
    assert_false(jc_get(l2, "dest_port", v, sizeof(v)));
    assert_true(jc_get(l3, "proto", v, sizeof(v)));
    assert_string_equal(v, "\"GRE\"");
    assert_false(jc_get(l3, "src_port", v, sizeof(v)));
    free(s);
}

static void test_type_filter(void **state)
{
    (void)state;
    struct cn_output_config c;
    config(&c);
    c.type_flow = false;
    struct cn_flow f;
    tcp_flow(&f);
    const struct cn_flow *fl[] = {&f};
    char *s = log_flows(&c, fl, 1);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_record),
        cmocka_unit_test(test_tcp_variants),
        cmocka_unit_test(test_udp_icmp_other),
        cmocka_unit_test(test_type_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
