/* Unit tests of src/detect/engine.c: rules are loaded through the real loader from a temporary
 * rule file, then hand-built packets go through cn_detect_packet(). Covers the protocol
 * groups (tcp, udp, ip, icmp for both ICMP versions), addresses and ports in the rule's
 * direction and both for <>, fragments against port rules, the packet and payload lists,
 * pass suppression, the action/priority/load ordering, the per-packet alert limit, noalert
 * counting and the flow's alerted flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/detect_int.h"

struct fixture {
    struct cn_ruleset *rs;
    struct cn_detect_ctx *ctx;
    struct cn_stats stats;
    struct cn_detect_report rep;
};

/* Loads text as a rule file; every rule must load. */
static void load(struct fixture *fx, const char *text)
{
    char path[] = "/tmp/cn-engine-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1};
    memset(&fx->rep, 0, sizeof(fx->rep));
    fx->rs = cn_detect_load(&cfg, &fx->rep);
    unlink(path);
    assert_non_null(fx->rs);
    assert_int_equal(fx->rep.failed, 0);
    memset(&fx->stats, 0, sizeof(fx->stats));
    fx->ctx = cn_detect_ctx_new(fx->rs, &fx->stats);
    assert_non_null(fx->ctx);
}

static void unload(struct fixture *fx)
{
    cn_detect_ctx_free(fx->ctx);
    cn_ruleset_free(fx->rs);
}

static const uint8_t payload_text[] = "GET /index.html HTTP/1.1\r\n";

/* 10.0.0.1:1234 -> 10.0.0.2:80 TCP with a payload */
static void tcp_packet(struct cn_packet *p)
{
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_IPV4 | CN_PKT_TCP;
    p->ip_ver = 4;
    p->src.b[0] = 10;
    p->src.b[3] = 1;
    p->dst.b[0] = 10;
    p->dst.b[3] = 2;
    p->proto = 6;
    p->sp = 1234;
    p->dp = 80;
    p->ttl = 64;
    p->payload = payload_text;
    p->payload_len = sizeof(payload_text) - 1;
}

static void reverse(struct cn_packet *p)
{
    union cn_addr a = p->src;
    p->src = p->dst;
    p->dst = a;
    uint16_t port = p->sp;
    p->sp = p->dp;
    p->dp = port;
}

static bool alerted_sid(const struct cn_alert *a, unsigned n, uint32_t sid)
{
    for (unsigned i = 0; i < n; i++)
        if (cn_rule_sid(a[i].rule) == sid)
            return true;
    return false;
}

static void test_protocols(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (msg:\"tcp\"; sid:1;)\n"
              "alert udp any any -> any any (msg:\"udp\"; sid:2;)\n"
              "alert ip any any -> any any (msg:\"ip\"; sid:3;)\n"
              "alert icmp any any -> any any (msg:\"icmp\"; sid:4;)\n");
    struct cn_packet p;
    const struct cn_alert *a;

    tcp_packet(&p);
    unsigned n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_true(alerted_sid(a, n, 1) && alerted_sid(a, n, 3));

    p.flags = CN_PKT_IPV4 | CN_PKT_UDP;
    p.proto = 17;
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_true(alerted_sid(a, n, 2) && alerted_sid(a, n, 3));

    /* icmp rules cover ICMPv4 and ICMPv6, as in Suricata */
    p.flags = CN_PKT_IPV4 | CN_PKT_ICMPV4;
    p.proto = 1;
    p.sp = p.dp = 0;
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_true(alerted_sid(a, n, 4));
    p.flags = CN_PKT_IPV6 | CN_PKT_ICMPV6;
    p.ip_ver = 6;
    p.proto = 58;
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_true(alerted_sid(a, n, 4) && alerted_sid(a, n, 3));

    /* a protocol no rule names meets only the ip rules */
    p.flags = CN_PKT_IPV4;
    p.ip_ver = 4;
    p.proto = 47;
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 1);
    assert_int_equal(cn_rule_sid(a[0].rule), 3);

    /* no IP layer: nothing */
    p.ip_ver = 0;
    p.flags = 0;
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERT], 9);
    unload(&fx);
}

static void test_direction_and_ports(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp 10.0.0.1 any -> 10.0.0.2 80 (msg:\"one way\"; sid:10;)\n"
              "alert tcp 10.0.0.1 any <> 10.0.0.2 80 (msg:\"both ways\"; sid:11;)\n"
              "alert tcp any any -> any !80 (msg:\"not 80\"; sid:12;)\n"
              "alert tcp [10.0.0.0/8,!10.0.0.1] any -> any any (msg:\"net\"; sid:13;)\n");
    struct cn_packet p;
    const struct cn_alert *a;
    tcp_packet(&p);
    unsigned n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_true(alerted_sid(a, n, 10) && alerted_sid(a, n, 11));

    reverse(&p); /* 10.0.0.2:80 -> 10.0.0.1:1234 */
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 3);
    assert_true(alerted_sid(a, n, 11) && alerted_sid(a, n, 12) && alerted_sid(a, n, 13));
    assert_false(alerted_sid(a, n, 10));

    /* another port: only the rules without a port constraint on it */
    tcp_packet(&p);
    p.dp = 8080;
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 1);
    assert_int_equal(cn_rule_sid(a[0].rule), 12);

    /* a fragment has no ports: port rules do not match it, address rules do */
    tcp_packet(&p);
    p.flags = CN_PKT_IPV4 | CN_PKT_FRAGMENT;
    p.sp = p.dp = 0;
    reverse(&p);
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 1);
    assert_int_equal(cn_rule_sid(a[0].rule), 13);
    unload(&fx);
}

static void test_packet_and_payload_lists(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (msg:\"ttl\"; ttl:64; sid:20;)\n"
              "alert tcp any any -> any any (msg:\"ttl other\"; ttl:3; sid:21;)\n"
              "alert tcp any any -> any any (msg:\"get\"; content:\"GET\"; sid:22;)\n"
              "alert tcp any any -> any any (msg:\"post\"; content:\"POST\"; sid:23;)\n");
    struct cn_packet p;
    const struct cn_alert *a;
    tcp_packet(&p);
    unsigned n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_true(alerted_sid(a, n, 20) && alerted_sid(a, n, 22));

    /* a payload rule does not match a packet without payload */
    p.payload = NULL;
    p.payload_len = 0;
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 1);
    assert_int_equal(cn_rule_sid(a[0].rule), 20);
    unload(&fx);
}

static void test_pass_and_order(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (msg:\"a prio 3\"; sid:30;)\n"
              "alert tcp any any -> any any (msg:\"a prio 1\"; priority:1; sid:31;)\n"
              "reject tcp any any -> any any (msg:\"reject\"; sid:32;)\n"
              "drop tcp any any -> any any (msg:\"drop\"; sid:33;)\n"
              "pass tcp any any -> any 443 (msg:\"pass 443\"; sid:34;)\n");
    struct cn_packet p;
    const struct cn_alert *a;
    tcp_packet(&p);
    unsigned n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 4);
    /* drop, reject, then alerts by priority, then load order */
    assert_int_equal(cn_rule_sid(a[0].rule), 33);
    assert_int_equal(a[0].action, CN_ACTION_DROP);
    assert_int_equal(cn_rule_sid(a[1].rule), 32);
    assert_int_equal(cn_rule_sid(a[2].rule), 31);
    assert_int_equal(cn_rule_sid(a[3].rule), 30);

    /* the pass rule matches port 443: it silences everything ordered after it */
    p.dp = 443;
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    unload(&fx);
}

static void test_max_alerts_and_noalert(void **state)
{
    (void)state;
    struct fixture fx;
    char text[4096] = "";
    for (int i = 0; i < 20; i++) {
        char line[128];
        snprintf(line, sizeof(line), "alert tcp any any -> any any (msg:\"r%d\"; sid:%d;)\n", i,
                 100 + i);
        strcat(text, line);
    }
    load(&fx, text);
    /* the 20th rule raises no alert */
    fx.rs->rules[19]->flags |= CN_RULE_NOALERT;
    struct cn_packet p;
    const struct cn_alert *a;
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    tcp_packet(&p);
    p.flow = &f;
    unsigned n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, CN_DETECT_MAX_ALERTS);
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(cn_rule_sid(a[i].rule), 100 + i);
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERT], CN_DETECT_MAX_ALERTS);
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERT_QUEUE_OVERFLOW], 4);
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], 1);
    assert_true(f.alerted);

    /* a packet no rule matches leaves a fresh flow unflagged */
    memset(&f, 0, sizeof(f));
    p.proto = 17;
    p.flags = CN_PKT_IPV4 | CN_PKT_UDP;
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    assert_false(f.alerted);
    unload(&fx);
}

static void test_empty_ruleset(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "# nothing but a comment\n\n");
    assert_int_equal(cn_ruleset_count(fx.rs), 0);
    struct cn_packet p;
    const struct cn_alert *a;
    tcp_packet(&p);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    unload(&fx);

    /* a context without a rule set is valid and matches nothing */
    struct cn_detect_ctx *ctx = cn_detect_ctx_new(NULL, NULL);
    assert_non_null(ctx);
    assert_int_equal(cn_detect_packet(ctx, &p, &a), 0);
    cn_detect_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocols),
        cmocka_unit_test(test_direction_and_ports),
        cmocka_unit_test(test_packet_and_payload_lists),
        cmocka_unit_test(test_pass_and_order),
        cmocka_unit_test(test_max_alerts_and_noalert),
        cmocka_unit_test(test_empty_ruleset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
