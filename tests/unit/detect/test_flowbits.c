/* Unit tests of flowbits, flowint, xbits and noalert (kw/flowbits.c, kw/flowint.c,
 * kw/xbits.c, kw/noalert.c, flowvar.c, xbits_table.c), through the real loader and
 * cn_detect_packet(): set/isset across packets of one flow, isnotset, unset, toggle, the a|b
 * forms, noalert (actions still run, matches counted as suppressed), flowint arithmetic and
 * comparisons, the evaluation order (a checker loaded before its setter sees the bit set on
 * the same packet), xbits shared by two flows of one host and by both directions of a pair,
 * expiry in packet time, the xbits memcap, the outputs' view of a flow's variables, and the
 * values that must fail to load. */
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

static struct cn_ruleset *load_text(const char *text, struct cn_detect_report *rep)
{
    char path[] = "/tmp/cn-flowbits-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1};
    struct cn_ruleset *rs = cn_detect_load(&cfg, rep);
    unlink(path);
    assert_non_null(rs);
    return rs;
}

/* Loads text; every rule must load. */
static void load(struct fixture *fx, const char *text)
{
    memset(fx, 0, sizeof(*fx));
    fx->rs = load_text(text, &fx->rep);
    assert_int_equal(fx->rep.failed, 0);
    fx->ctx = cn_detect_ctx_new(fx->rs, &fx->stats);
    assert_non_null(fx->ctx);
}

static void unload(struct fixture *fx)
{
    cn_detect_ctx_free(fx->ctx);
    cn_ruleset_free(fx->rs);
}

/* The rule must fail to load. */
static void load_fails(const char *rule)
{
    struct cn_detect_report rep;
    struct cn_ruleset *rs = load_text(rule, &rep);
    if (rep.failed != 1 || rep.loaded != 0)
        fail_msg("rule loaded: %s", rule);
    cn_ruleset_free(rs);
}

/* 10.0.0.<src>:<sp> -> 10.0.0.<dst>:80 TCP with payload text, at time t seconds */
static void packet(struct cn_packet *p, struct cn_flow *f, uint8_t src, uint16_t sp, uint8_t dst,
                   const char *text, uint64_t t)
{
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_IPV4 | CN_PKT_TCP;
    p->ip_ver = 4;
    p->src.b[0] = 10;
    p->src.b[3] = src;
    p->dst.b[0] = 10;
    p->dst.b[3] = dst;
    p->proto = 6;
    p->sp = sp;
    p->dp = 80;
    p->ttl = 64;
    p->ts = t * CN_USEC;
    p->payload = (const uint8_t *)text;
    p->payload_len = (uint32_t)strlen(text);
    p->flow = f;
    p->toserver = true;
}

static void reverse(struct cn_packet *p)
{
    union cn_addr a = p->src;
    p->src = p->dst;
    p->dst = a;
    uint16_t port = p->sp;
    p->sp = p->dp;
    p->dp = port;
    p->toserver = !p->toserver;
}

static bool has_sid(const struct cn_alert *a, unsigned n, uint32_t sid)
{
    for (unsigned i = 0; i < n; i++)
        if (cn_rule_sid(a[i].rule) == sid)
            return true;
    return false;
}

/* Runs one packet with payload text on flow f and returns the one sid that alerted (0 when
 * none; fails when more than one did). */
static uint32_t run1(struct fixture *fx, struct cn_flow *f, const char *text)
{
    struct cn_packet p;
    const struct cn_alert *a;
    packet(&p, f, 1, 1234, 2, text, 100);
    unsigned n = cn_detect_packet(fx->ctx, &p, &a);
    assert_true(n <= 1);
    return n ? cn_rule_sid(a[0].rule) : 0;
}

static void test_set_then_isset_across_packets(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any 80 (content:\"GET \"; flowbits:set,req; "
              "flowbits:noalert; sid:1;)\n"
              "alert tcp any 80 -> any any (content:\"HTTP/1.1 200\"; flowbits:isset,req; "
              "sid:2;)\n");
    struct cn_flow f1, f2;
    memset(&f1, 0, sizeof(f1));
    memset(&f2, 0, sizeof(f2));
    struct cn_packet p;
    const struct cn_alert *a;

    packet(&p, &f1, 1, 1234, 2, "GET / HTTP/1.1\r\n", 100);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0); /* noalert */
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], 1);
    assert_false(f1.alerted);

    packet(&p, &f1, 1, 1234, 2, "HTTP/1.1 200 OK\r\n", 101);
    reverse(&p);
    unsigned n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 1);
    assert_int_equal(cn_rule_sid(a[0].rule), 2);

    /* another flow saw no request: the bit is per flow */
    packet(&p, &f2, 1, 1235, 2, "HTTP/1.1 200 OK\r\n", 101);
    reverse(&p);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);

    /* a packet without a flow never matches isset */
    packet(&p, NULL, 1, 1236, 2, "HTTP/1.1 200 OK\r\n", 101);
    reverse(&p);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);

    cn_detect_flow_end(&f1);
    cn_detect_flow_end(&f2);
    assert_null(f1.detect);
    unload(&fx);
}

static void test_isnotset_unset_toggle(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"SET\"; flowbits:set,a; noalert; sid:1;)\n"
              "alert tcp any any -> any any (content:\"UNS\"; flowbits:unset,a; noalert; sid:2;)\n"
              "alert tcp any any -> any any (content:\"TOG\"; flowbits:toggle,a; noalert; sid:3;)\n"
              "alert tcp any any -> any any (content:\"CHK\"; flowbits:isset,a; sid:4;)\n"
              "alert tcp any any -> any any (content:\"CHK\"; flowbits:isnotset,a; sid:5;)\n");
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    assert_int_equal(run1(&fx, &f, "CHK"), 5);
    assert_null(f.detect); /* checks allocate nothing */
    assert_int_equal(run1(&fx, &f, "UNS"), 0);
    assert_null(f.detect); /* neither does unsetting a bit that is not set */
    assert_int_equal(run1(&fx, &f, "SET"), 0);
    assert_int_equal(run1(&fx, &f, "CHK"), 4);
    assert_int_equal(run1(&fx, &f, "SET"), 0); /* setting twice keeps it set */
    assert_int_equal(run1(&fx, &f, "CHK"), 4);
    assert_int_equal(run1(&fx, &f, "UNS"), 0);
    assert_int_equal(run1(&fx, &f, "CHK"), 5);
    assert_int_equal(run1(&fx, &f, "TOG"), 0);
    assert_int_equal(run1(&fx, &f, "CHK"), 4);
    assert_int_equal(run1(&fx, &f, "TOG"), 0);
    assert_int_equal(run1(&fx, &f, "CHK"), 5);
    /* every action rule matched and raised nothing */
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], 6);
    cn_detect_flow_end(&f);
    unload(&fx);
}

static void test_or_forms(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"A\"; flowbits:set,a; noalert; sid:1;)\n"
              "alert tcp any any -> any any (content:\"B\"; flowbits:set,b; noalert; sid:2;)\n"
              "alert tcp any any -> any any (content:\"CHK1\"; flowbits:isset,x | b|y; sid:3;)\n"
              "alert tcp any any -> any any (content:\"CHK2\"; flowbits:isnotset, a|b ; sid:4;)\n");
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    assert_int_equal(run1(&fx, &f, "CHK1"), 0);
    assert_int_equal(run1(&fx, &f, "CHK2"), 4); /* neither set */
    assert_int_equal(run1(&fx, &f, "A"), 0);
    assert_int_equal(run1(&fx, &f, "CHK1"), 0); /* a is not in x|b|y */
    assert_int_equal(run1(&fx, &f, "CHK2"), 4); /* b still unset */
    assert_int_equal(run1(&fx, &f, "B"), 0);
    assert_int_equal(run1(&fx, &f, "CHK1"), 3);
    assert_int_equal(run1(&fx, &f, "CHK2"), 0); /* both set */
    cn_detect_flow_end(&f);
    unload(&fx);
}

static void test_noalert(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"X\"; noalert; sid:1;)\n"
              "alert tcp any any -> any any (content:\"X\"; flowbits:noalert; sid:2;)\n"
              "alert tcp any any -> any any (content:\"X\"; xbits:noalert; sid:3;)\n"
              "alert tcp any any -> any any (content:\"X\"; sid:4;)\n");
    for (unsigned i = 0; i < fx.rs->n; i++)
        assert_int_equal(cn_rule_noalert(fx.rs->rules[i]), cn_rule_sid(fx.rs->rules[i]) != 4);
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    assert_int_equal(run1(&fx, &f, "X"), 4);
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], 3);
    cn_detect_flow_end(&f);
    unload(&fx);
}

static void test_flowint(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"INC\"; flowint:cnt,+,1; noalert; sid:1;)\n"
              "alert tcp any any -> any any (content:\"DEC\"; flowint:cnt,-,2; noalert; sid:2;)\n"
              "alert tcp any any -> any any (content:\"LIM\"; flowint:lim,=,2; noalert; sid:3;)\n"
              "alert tcp any any -> any any (content:\"NOT\"; flowint:cnt,notset; sid:10;)\n"
              "alert tcp any any -> any any (content:\"ISS\"; flowint:cnt,isset; sid:11;)\n"
              "alert tcp any any -> any any (content:\"GE3\"; flowint:cnt,>=,3; sid:12;)\n"
              "alert tcp any any -> any any (content:\"EQL\"; flowint:cnt,==,lim; sid:13;)\n"
              "alert tcp any any -> any any (content:\"NEL\"; flowint:cnt,!=,lim; sid:14;)\n"
              "alert tcp any any -> any any (content:\"LT2\"; flowint:cnt,<,2; sid:15;)\n"
              "alert tcp any any -> any any (content:\"LE2\"; flowint:cnt,<=,2; sid:16;)\n"
              "alert tcp any any -> any any (content:\"GT0\"; flowint:cnt,>,0; sid:17;)\n");
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    /* unset: only notset matches; "-" on an unset counter does nothing */
    assert_int_equal(run1(&fx, &f, "NOT"), 10);
    assert_int_equal(run1(&fx, &f, "ISS"), 0);
    assert_int_equal(run1(&fx, &f, "GT0"), 0);
    assert_int_equal(run1(&fx, &f, "NEL"), 0);
    assert_int_equal(run1(&fx, &f, "DEC"), 0);
    assert_int_equal(run1(&fx, &f, "NOT"), 10);
    /* "+" starts an unset counter at its value */
    assert_int_equal(run1(&fx, &f, "INC"), 0);
    assert_int_equal(run1(&fx, &f, "ISS"), 11);
    assert_int_equal(run1(&fx, &f, "NOT"), 0);
    assert_int_equal(run1(&fx, &f, "LT2"), 15);
    assert_int_equal(run1(&fx, &f, "GT0"), 17);
    /* cnt == lim while lim is unset compares with 0 */
    assert_int_equal(run1(&fx, &f, "EQL"), 0);
    assert_int_equal(run1(&fx, &f, "NEL"), 14);
    assert_int_equal(run1(&fx, &f, "LIM"), 0);
    assert_int_equal(run1(&fx, &f, "INC"), 0);
    assert_int_equal(run1(&fx, &f, "EQL"), 13); /* 2 == 2 */
    assert_int_equal(run1(&fx, &f, "LE2"), 16);
    assert_int_equal(run1(&fx, &f, "LT2"), 0);
    assert_int_equal(run1(&fx, &f, "GE3"), 0);
    assert_int_equal(run1(&fx, &f, "INC"), 0);
    assert_int_equal(run1(&fx, &f, "GE3"), 12);
    assert_int_equal(run1(&fx, &f, "NEL"), 14);
    /* 3 - 2 = 1; again wraps around to 2^32 - 1 */
    assert_int_equal(run1(&fx, &f, "DEC"), 0);
    assert_int_equal(run1(&fx, &f, "LT2"), 15);
    assert_int_equal(run1(&fx, &f, "DEC"), 0);
    assert_int_equal(run1(&fx, &f, "GE3"), 12);

    /* the outputs' view: flowbits first (none here), then the flowints with their values */
    unsigned it = 0, seen = 0;
    struct cn_flow_var v;
    while (cn_detect_flow_var(&f, &it, &v)) {
        assert_int_equal(v.kind, CN_FLOW_VAR_INT);
        if (!strcmp(v.name, "cnt"))
            assert_int_equal(v.value, UINT32_MAX);
        else if (!strcmp(v.name, "lim"))
            assert_int_equal(v.value, 2);
        else
            fail_msg("unexpected flowint %s", v.name);
        seen++;
    }
    assert_int_equal(seen, 2);
    cn_detect_flow_end(&f);
    unload(&fx);
}

static void test_flow_var_view(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"X\"; flowbits:set,ET.Evil; "
              "flowbits:set,ET.BotccIP; flowint:n,+,5; noalert; sid:1;)\n"
              "alert tcp any any -> any any (content:\"X\"; flowbits:isset,never; sid:2;)\n");
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    unsigned it = 0;
    struct cn_flow_var v;
    assert_false(cn_detect_flow_var(&f, &it, &v));
    assert_int_equal(run1(&fx, &f, "X"), 0);
    it = 0;
    assert_true(cn_detect_flow_var(&f, &it, &v));
    assert_int_equal(v.kind, CN_FLOW_VAR_BIT);
    assert_string_equal(v.name, "ET.Evil");
    assert_true(cn_detect_flow_var(&f, &it, &v));
    assert_string_equal(v.name, "ET.BotccIP");
    assert_true(cn_detect_flow_var(&f, &it, &v));
    assert_int_equal(v.kind, CN_FLOW_VAR_INT);
    assert_string_equal(v.name, "n");
    assert_int_equal(v.value, 5);
    assert_false(cn_detect_flow_var(&f, &it, &v)); /* "never" is not set */
    assert_false(cn_detect_flow_var(&f, &it, &v));
    cn_detect_flow_end(&f);
    unload(&fx);
}

static void test_setter_runs_before_checker(void **state)
{
    (void)state;
    struct fixture fx;
    /* the checkers come first in the file; the setters still run first */
    load(&fx, "alert tcp any any -> any any (content:\"GET\"; flowbits:isset,o; sid:1;)\n"
              "alert tcp any any -> any any (content:\"GET\"; flowint:c,==,7; sid:2;)\n"
              "alert tcp any any -> any any (content:\"GET\"; flowbits:isnotset,o; sid:3;)\n"
              "alert tcp any any -> any any (content:\"GET\"; flowbits:set,o; noalert; sid:4;)\n"
              "alert tcp any any -> any any (content:\"GET\"; flowint:c,=,7; noalert; sid:5;)\n");
    /* load order kept for reporting, evaluation order in rs->rules */
    for (unsigned i = 0; i < fx.rs->n; i++) {
        const struct cn_rule *r = fx.rs->rules[i];
        assert_int_equal(r->num, i);
        assert_int_equal(r->order, cn_rule_sid(r) - 1);
    }
    assert_int_equal(cn_rule_sid(fx.rs->rules[0]), 4); /* flowbits writer first */
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    struct cn_packet p;
    const struct cn_alert *a;
    packet(&p, &f, 1, 1234, 2, "GET /", 100);
    unsigned n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_true(has_sid(a, n, 1) && has_sid(a, n, 2));
    assert_false(has_sid(a, n, 3));
    /* alerts are reported by load order */
    assert_int_equal(cn_rule_sid(a[0].rule), 1);
    cn_detect_flow_end(&f);
    unload(&fx);
}

static void test_order_keys(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (flowbits:isset,a; sid:1;)\n"
              "alert tcp any any -> any any (sid:2;)\n"
              "alert tcp any any -> any any (flowbits:isset,a; flowbits:set,b; sid:3;)\n"
              "alert tcp any any -> any any (flowbits:set,a; sid:4;)\n"
              "pass tcp any any -> any any (flowbits:isset,a; sid:5;)\n"
              "alert tcp any any -> any any (priority:1; sid:6;)\n"
              "alert tcp any any -> any any (xbits:set,h,track ip_pair; sid:7;)\n"
              "alert tcp any any -> any any (xbits:isset,h,track ip_pair; sid:8;)\n");
    /* action, then flowbits (write, both, read, none), then xbits, then priority, then sid */
    static const uint32_t want[] = {5, 4, 3, 1, 7, 8, 6, 2};
    assert_int_equal(fx.rs->n, CN_ARRAY_LEN(want));
    for (unsigned i = 0; i < CN_ARRAY_LEN(want); i++)
        assert_int_equal(cn_rule_sid(fx.rs->rules[i]), want[i]);
    unload(&fx);
}

static void test_xbits_host_and_pair(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"HSET\"; xbits:set,seen,track ip_src,"
              "expire 10; noalert; sid:1;)\n"
              "alert tcp any any -> any any (content:\"HCHK\"; xbits:isset,seen,track ip_src; "
              "sid:2;)\n"
              "alert tcp any any -> any any (content:\"PSET\"; xbits:set,pair,track ip_pair; "
              "noalert; sid:3;)\n"
              "alert tcp any any -> any any (content:\"PCHK\"; xbits:isset,pair,track ip_pair; "
              "sid:4;)\n"
              "alert tcp any any -> any any (content:\"DCHK\"; xbits:isnotset,seen,track ip_dst; "
              "sid:5;)\n"
              "alert tcp any any -> any any (content:\"UNS\"; xbits:unset,seen,track ip_src; "
              "noalert; sid:6;)\n"
              "alert tcp any any -> any any (content:\"TOG\"; xbits:toggle,seen,track ip_src; "
              "noalert; sid:7;)\n");
    struct cn_flow f1, f2, f3;
    memset(&f1, 0, sizeof(f1));
    memset(&f2, 0, sizeof(f2));
    memset(&f3, 0, sizeof(f3));
    struct cn_packet p;
    const struct cn_alert *a;

    /* host 10.0.0.1 sets the bit on one flow and a second flow of the same host sees it */
    packet(&p, &f1, 1, 1000, 2, "HSET", 100);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    packet(&p, &f2, 1, 2000, 3, "HCHK", 101);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 1);
    assert_int_equal(cn_rule_sid(a[0].rule), 2);
    /* another host does not */
    packet(&p, &f3, 4, 3000, 2, "HCHK", 101);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    /* ip_dst keys on the destination: 10.0.0.1 as destination has the bit */
    packet(&p, &f3, 4, 3000, 1, "DCHK", 101);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    packet(&p, &f3, 4, 3000, 2, "DCHK", 101);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 1);
    /* expiry in packet time: valid before 100 + 10 s, gone at it */
    packet(&p, &f2, 1, 2000, 3, "HCHK", 109);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 1);
    packet(&p, &f2, 1, 2000, 3, "HCHK", 110);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    /* set again renews; unset and toggle */
    packet(&p, &f1, 1, 1000, 2, "HSET", 200);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    packet(&p, &f1, 1, 1000, 2, "UNS", 201);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    packet(&p, &f2, 1, 2000, 3, "HCHK", 202);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    packet(&p, &f1, 1, 1000, 2, "TOG", 203);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    packet(&p, &f2, 1, 2000, 3, "HCHK", 204);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 1);
    packet(&p, &f1, 1, 1000, 2, "TOG", 207);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    packet(&p, &f2, 1, 2000, 3, "HCHK", 208);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);

    /* ip_pair: both directions share the bit, another pair does not */
    packet(&p, &f1, 1, 1000, 2, "PSET", 300);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    packet(&p, &f2, 1, 2000, 2, "PCHK", 301);
    reverse(&p);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 1);
    packet(&p, &f3, 1, 2000, 3, "PCHK", 301);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    /* the default lifetime is 30 s */
    packet(&p, &f2, 1, 2000, 2, "PCHK", 329);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 1);
    packet(&p, &f2, 1, 2000, 2, "PCHK", 330);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);

    cn_detect_flow_end(&f1);
    cn_detect_flow_end(&f2);
    cn_detect_flow_end(&f3);
    unload(&fx);
}

static void test_xbits_memcap(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"SET\"; xbits:set,a,track ip_src; "
              "noalert; sid:1;)\n"
              "alert tcp any any -> any any (content:\"SET\"; xbits:set,a,track ip_pair; "
              "noalert; sid:2;)\n"
              "alert tcp any any -> any any (content:\"CHK\"; xbits:isset,a,track ip_src; "
              "sid:3;)\n");
    struct cn_xbits *t = cn_varstore_xbits(fx.rs->ld.vs);
    assert_non_null(t);
    cn_xbits_set_memcap(t, 0);
    struct cn_packet p;
    const struct cn_alert *a;
    packet(&p, NULL, 1, 1000, 2, "SET", 100);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    assert_int_equal(fx.stats.v[CN_STAT_HOST_MEMCAP], 1);
    assert_int_equal(fx.stats.v[CN_STAT_IPPAIR_MEMCAP], 1);
    assert_int_equal(cn_xbits_memuse(t), 0);
    packet(&p, NULL, 1, 1000, 2, "CHK", 100);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    /* with room, the same set works (xbits need no flow) */
    cn_xbits_set_memcap(t, 1u << 20);
    packet(&p, NULL, 1, 1000, 2, "SET", 100);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    assert_true(cn_xbits_memuse(t) > 0);
    packet(&p, NULL, 1, 1000, 2, "CHK", 100);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 1);
    assert_int_equal(fx.stats.v[CN_STAT_HOST_MEMCAP], 1);
    unload(&fx);
}

static void test_bad_values(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "flowbits:bogus,a;",
        "flowbits:setx,a,grp;",
        "flowbits:set;",
        "flowbits:set,;",
        "flowbits:set,a b;",
        "flowbits:set,a,b;",
        "flowbits:set,a|b;",
        "flowbits:isset,|;",
        "flowbits:noalert,a;",
        "flowbits:isset,a; flowbits:isnotset,a;",
        "flowint:x,~,1;",
        "flowint:x,+;",
        "flowint:x,isset,3;",
        "flowint:1x,=,1;",
        "flowint:x,=,4294967296;",
        "flowint:x,=,12345678901;",
        "flowint:x,=,y z;",
        "flowint:x;",
        "xbits:set,a;",
        "xbits:set,a,track nonsense;",
        "xbits:set,a,track ip_src,expire 0;",
        "xbits:set,a,track ip_src,expire -1;",
        "xbits:set,a,track ip_src,expire 10,more;",
        "xbits:bogus,a,track ip_src;",
        "xbits:set,,track ip_src;",
        "noalert:1;",
    };
    char rule[256];
    for (size_t i = 0; i < CN_ARRAY_LEN(bad); i++) {
        snprintf(rule, sizeof(rule), "alert tcp any any -> any any (%s sid:1;)\n", bad[i]);
        load_fails(rule);
    }
    /* and the accepted spellings */
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (flowbits: set , a ; sid:1;)\n"
              "alert tcp any any -> any any (flowbits:isset,a&b; sid:2;)\n"
              "alert tcp any any -> any any (flowint: x , = , 4294967295; sid:3;)\n"
              "alert tcp any any -> any any (flowint:x,isnotset; sid:4;)\n"
              "alert tcp any any -> any any (xbits:toggle,a,track ip_pair, expire 60; sid:5;)\n"
              "alert tcp any any -> any any (flowbits:isset,a; flowbits:isset,b; sid:6;)\n");
    assert_int_equal(fx.rep.loaded, 6);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_then_isset_across_packets),
        cmocka_unit_test(test_isnotset_unset_toggle),
        cmocka_unit_test(test_or_forms),
        cmocka_unit_test(test_noalert),
        cmocka_unit_test(test_flowint),
        cmocka_unit_test(test_flow_var_view),
        cmocka_unit_test(test_setter_runs_before_checker),
        cmocka_unit_test(test_order_keys),
        cmocka_unit_test(test_xbits_host_and_pair),
        cmocka_unit_test(test_xbits_memcap),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
