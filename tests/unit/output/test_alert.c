/* Unit tests of src/output/eve_alert.c and the fast.log line (fast.c): the exact alert record
 * for a packet of a flow (alert object, metadata grouped by key, direction, flow object with
 * the client first), a to-client packet, a rule without classtype (category "" and no
 * [Classification] in fast.log), reject/drop actions, ICMP type/code in fast.log, the payload,
 * payload_printable and packet options, and alert records turned off. Rules come from the
 * real loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"
#include "jcheck.h"

static struct cn_ruleset *load_rules(const char *text)
{
    char path[] = "/tmp/cn-alert-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1};
    struct cn_detect_report rep;
    memset(&rep, 0, sizeof(rep));
    struct cn_ruleset *rs = cn_detect_load(&cfg, &rep);
    unlink(path);
    assert_non_null(rs);
    assert_int_equal(rep.failed, 0);
    return rs;
}

/* Runs the rules over p and writes its alerts; returns eve.json and (in *fast) fast.log. */
static char *alerts_of(const struct cn_output_config *c0, const char *rules, struct cn_packet *p,
                       char **fast)
{
    struct cn_output_config c = *c0;
    char *dir = tmp_logdir();
    assert_non_null(dir);
    c.logdir = dir;
    char err[256];
    struct cn_output *out = cn_output_open(&c, err, sizeof(err));
    assert_non_null(out);
    struct cn_output_thread *ot = cn_output_thread_new(out);
    assert_non_null(ot);
    struct cn_ruleset *rs = load_rules(rules);
    struct cn_detect_ctx *ctx = cn_detect_ctx_new(rs, NULL);
    assert_non_null(ctx);
    const struct cn_alert *a;
    unsigned n = cn_detect_packet(ctx, p, &a);
    cn_output_alerts(ot, p, a, n);
    cn_output_thread_free(ot);
    cn_output_close(out);
    cn_detect_ctx_free(ctx);
    cn_ruleset_free(rs);
    char *s = read_all(dir, "eve.json", NULL);
    assert_non_null(s);
    if (fast) {
        *fast = read_all(dir, "fast.log", NULL);
        assert_non_null(*fast);
    }
    rm_tree(dir);
    return s;
}

static void with_flow(struct cn_packet *p, struct cn_flow *f)
{
    memset(f, 0, sizeof(*f));
    f->flow_id = 1234567;
    f->src = p->src;
    f->dst = p->dst;
    f->sp = p->sp;
    f->dp = p->dp;
    f->proto = 6;
    f->ip_ver = 4;
    f->start = p->ts - 500000;
    f->pkts_toserver = 3;
    f->pkts_toclient = 2;
    f->bytes_toserver = 180;
    f->bytes_toclient = 120;
    p->flow = f;
    p->toserver = true;
}

static const char rule_full[] =
    "alert tcp any any -> any 80 (msg:\"test rule\"; classtype:bad-unknown; "
    "metadata: created_at 2024_01_02, former_category POLICY, created_at 2024_02_03; "
    "rev:2; sid:1000001;)\n";

static void test_record_exact(void **state)
{
    (void)state;
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    struct cn_packet p;
    struct cn_flow f;
    test_packet(&p);
    with_flow(&p, &f);
    char *fast;
    char *s = alerts_of(&c, rule_full, &p, &fast);
    const char *want =
        "{\"timestamp\":\"2024-01-02T03:04:05.000001+0000\",\"flow_id\":1234567,\"pcap_cnt\":7,"
        "\"event_type\":\"alert\",\"src_ip\":\"10.0.0.1\",\"src_port\":1234,"
        "\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,\"proto\":\"TCP\",\"ip_v\":4,"
        "\"pkt_src\":\"wire/pcap\",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
        "\"signature_id\":1000001,\"rev\":2,\"signature\":\"test rule\","
        "\"category\":\"Potentially Bad Traffic\",\"severity\":2,"
        "\"metadata\":{\"created_at\":[\"2024_01_02\",\"2024_02_03\"],"
        "\"former_category\":[\"POLICY\"]}},\"direction\":\"to_server\","
        "\"flow\":{\"pkts_toserver\":3,\"pkts_toclient\":2,\"bytes_toserver\":180,"
        "\"bytes_toclient\":120,\"start\":\"2024-01-02T03:04:04.500001+0000\","
        "\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\",\"src_port\":1234,\"dest_port\":80}}\n";
    assert_string_equal(s, want);
    assert_true(jc_valid_object(s, strlen(s) - 1));
    assert_string_equal(fast, "01/02/2024-03:04:05.000001  [**] [1:1000001:2] test rule [**] "
                              "[Classification: Potentially Bad Traffic] [Priority: 2] {TCP} "
                              "10.0.0.1:1234 -> 10.0.0.2:80\n");
    free(s);
    free(fast);
}

static void test_to_client_and_plain_rule(void **state)
{
    (void)state;
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    struct cn_packet p;
    struct cn_flow f;
    test_packet(&p);
    with_flow(&p, &f);
    /* the server's reply: 10.0.0.2:80 -> 10.0.0.1:1234 */
    p.src = f.dst;
    p.dst = f.src;
    p.sp = 80;
    p.dp = 1234;
    p.toserver = false;
    char *fast;
    char *s = alerts_of(&c, "reject tcp any 80 -> any any (msg:\"reply\"; sid:7;)\n", &p, &fast);
    assert_non_null(strstr(s, "\"alert\":{\"action\":\"blocked\",\"gid\":1,\"signature_id\":7,"
                              "\"rev\":0,\"signature\":\"reply\",\"category\":\"\","
                              "\"severity\":3},\"direction\":\"to_client\""));
    /* the flow object still names the client first */
    assert_non_null(strstr(s, "\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\","
                              "\"src_port\":1234,\"dest_port\":80}}"));
    assert_null(strstr(s, "metadata"));
    assert_string_equal(fast, "01/02/2024-03:04:05.000001  [wDrop] [**] [1:7:0] reply [**] "
                              "[Priority: 3] {TCP} 10.0.0.2:80 -> 10.0.0.1:1234\n");
    free(s);
    free(fast);

    /* drop: allowed in IDS mode, blocked (and [Drop]) in IPS mode (flow:to_client keeps the
     * rule from being IP-only, which would see only a direction's first packet) */
    c.ips_mode = true;
    s = alerts_of(&c, "drop tcp any any -> any any (msg:\"d\"; flow:to_client; sid:8;)\n", &p,
                  &fast);
    assert_non_null(strstr(s, "\"action\":\"blocked\""));
    assert_non_null(strstr(fast, "  [Drop] [**] [1:8:0] d [**]"));
    free(s);
    free(fast);
    c.ips_mode = false;
    s = alerts_of(&c, "drop tcp any any -> any any (msg:\"d\"; flow:to_client; sid:8;)\n", &p,
                  NULL);
    assert_non_null(strstr(s, "\"action\":\"allowed\""));
    free(s);
}

static void test_icmp_fast_line(void **state)
{
    (void)state;
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    struct cn_packet p;
    test_packet(&p);
    p.flags = CN_PKT_ETH | CN_PKT_IPV4 | CN_PKT_ICMPV4;
    p.proto = 1;
    p.sp = p.dp = 0;
    p.icmp.type = 8;
    p.icmp.code = 0;
    char *fast;
    char *s = alerts_of(&c, "alert icmp any any -> any any (msg:\"ping\"; sid:9;)\n", &p, &fast);
    assert_string_equal(fast, "01/02/2024-03:04:05.000001  [**] [1:9:0] ping [**] "
                              "[Priority: 3] {ICMP} 10.0.0.1:8 -> 10.0.0.2:0\n");
    /* no flow: no direction, no flow object; ICMP: type and code, no ports */
    assert_null(strstr(s, "direction"));
    assert_null(strstr(s, "src_port"));
    assert_non_null(strstr(s, "\"icmp_type\":8,\"icmp_code\":0"));
    free(s);
    free(fast);
}

static void test_payload_options(void **state)
{
    (void)state;
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    c.alert_payload = true;
    c.alert_payload_printable = true;
    c.alert_packet = true;
    c.alert_metadata = false;
    static const uint8_t pl[] = {'a', 'b', '\r', '\n', 0x00, 0xff, 'z'};
    struct cn_packet p;
    struct cn_flow f;
    test_packet(&p);
    with_flow(&p, &f);
    p.payload = pl;
    p.payload_len = sizeof(pl);
    char *s = alerts_of(&c, rule_full, &p, NULL);
    /* base64 of 61 62 0d 0a 00 ff 7a; CR and LF stay, other unprintable bytes become '.' */
    assert_non_null(strstr(s, "\"direction\":\"to_server\",\"payload\":\"YWINCgD/eg==\","
                              "\"payload_printable\":\"ab\\r\\n..z\",\"stream\":0,"
                              "\"packet\":\""));
    assert_non_null(strstr(s, "\"packet_info\":{\"linktype\":1,\"linktype_name\":\"EN10MB\"}}\n"));
    /* metadata off: neither the rule's metadata nor the flow object */
    assert_null(strstr(s, "\"metadata\""));
    assert_null(strstr(s, "\"flow\":{"));
    /* the frame: 54 bytes, base64 without padding is 72 characters */
    const char *pk = strstr(s, "\"packet\":\"") + 10;
    assert_int_equal(strchr(pk, '"') - pk, 72);
    free(s);
}

static void test_alert_type_off(void **state)
{
    (void)state;
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    c.type_alert = false;
    struct cn_packet p;
    test_packet(&p);
    char *fast;
    char *s = alerts_of(&c, rule_full, &p, &fast);
    assert_string_equal(s, "");
    assert_int_equal(count_lines(fast), 1); /* fast.log is its own output */
    free(s);
    free(fast);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_exact),   cmocka_unit_test(test_to_client_and_plain_rule),
        cmocka_unit_test(test_icmp_fast_line), cmocka_unit_test(test_payload_options),
        cmocka_unit_test(test_alert_type_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
