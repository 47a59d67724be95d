/* Unit tests of the engine's candidate stages: the Hyperscan literal prefilter (prefilter.c)
 * and the IP-only address index (iponly.c), through the real loader and cn_detect_packet()
 * and through their own interfaces. Covers fast pattern choice (longest, fast_pattern, :only,
 * the <offset>,<length> chop, nocase), patterns shared by several rules, rules without a
 * pattern (negated contents, header-only rules filed by port, rules tried always), the
 * per-direction prefilters, the evaluation order (flowbits set/isset on one packet), the
 * candidate lists (ascending, exact for pattern and port-filed rules), and a property test of
 * the IP-only index against a brute-force header match, plus the once-per-flow-direction rule
 * for IP-only rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/detect_int.h"
#include "detect/iponly.h"
#include "detect/prefilter.h"

struct fixture {
    struct cn_ruleset *rs;
    struct cn_detect_ctx *ctx;
    struct cn_stats stats;
    struct cn_detect_report rep;
};

/* Loads text as a rule file; every rule must load. */
static void load(struct fixture *fx, const char *text)
{
    char path[] = "/tmp/cn-prefilter-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1};
    memset(fx, 0, sizeof(*fx));
    fx->rs = cn_detect_load(&cfg, &fx->rep);
    unlink(path);
    assert_non_null(fx->rs);
    if (fx->rep.failed != 0)
        fail_msg("%u rules failed to load", fx->rep.failed);
    fx->ctx = cn_detect_ctx_new(fx->rs, &fx->stats);
    assert_non_null(fx->ctx);
}

static void unload(struct fixture *fx)
{
    cn_detect_ctx_free(fx->ctx);
    cn_ruleset_free(fx->rs);
}

/* 10.0.0.1:sp -> 10.0.0.2:dp TCP carrying text, without a flow */
static void tcp_packet(struct cn_packet *p, uint16_t sp, uint16_t dp, const char *text)
{
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_IPV4 | CN_PKT_TCP;
    p->ip_ver = 4;
    p->src.b[0] = 10;
    p->src.b[3] = 1;
    p->dst.b[0] = 10;
    p->dst.b[3] = 2;
    p->proto = 6;
    p->sp = sp;
    p->dp = dp;
    p->ttl = 64;
    p->toserver = true;
    p->payload = (const uint8_t *)text;
    p->payload_len = (uint32_t)strlen(text);
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

/* Runs p and returns the alerted sids as a bit set (sids 1..31). */
static uint32_t run(struct fixture *fx, struct cn_packet *p)
{
    const struct cn_alert *a;
    unsigned n = cn_detect_packet(fx->ctx, p, &a);
    uint32_t bits = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t sid = cn_rule_sid(a[i].rule);
        assert_true(sid > 0 && sid < 32);
        assert_false(bits & (1u << sid)); /* one alert per rule */
        bits |= 1u << sid;
    }
    assert_int_equal(n, (unsigned)__builtin_popcount(bits));
    return bits;
}

/* The sids alerted by a flowless TCP packet sp -> dp carrying text. */
static uint32_t run_text(struct fixture *fx, uint16_t sp, uint16_t dp, const char *text)
{
    struct cn_packet p;
    tcp_packet(&p, sp, dp, text);
    return run(fx, &p);
}

#define S(x) (1u << (x))

/* ---- engine level: pattern rules ---- */

static void test_content_present_absent(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (msg:\"present\"; content:\"index\"; sid:1;)\n"
              "alert tcp any any -> any any (msg:\"absent\"; content:\"nothere\"; sid:2;)\n"
              "alert tcp any any -> any any (content:\"GET\"; content:\"nothere\"; sid:3;)\n"
              "alert tcp any any -> any any (content:\"GET\"; content:\"html\"; sid:4;)\n");
    assert_int_equal(run_text(&fx, 1234, 80, "GET /index.html HTTP/1.1"), S(1) | S(4));
    assert_int_equal(run_text(&fx, 1234, 80, "nothere"), S(2));
    /* the longest content is the pattern, but the other must match too */
    assert_int_equal(run_text(&fx, 1234, 80, "POST /nothere"), S(2));
    assert_int_equal(run_text(&fx, 1234, 80, "GET nothere"), S(2) | S(3));
    assert_int_equal(run_text(&fx, 1234, 80, "xyz"), 0);
    assert_int_equal(run_text(&fx, 1234, 80, ""), 0);
    /* case matters without nocase */
    assert_int_equal(run_text(&fx, 1234, 80, "INDEX"), 0);
    unload(&fx);
}

/* Patterns with NUL and high bytes (Hyperscan literals, not C strings). */
static void test_binary_pattern(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"|00 01|ab|ff|\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"|00|\"; sid:2;)\n");
    static const uint8_t hit[] = {'x', 0, 1, 'a', 'b', 0xff, 'y'};
    static const uint8_t miss[] = {'x', 0, 1, 'a', 'c', 0xff, 'y'};
    static const uint8_t none[] = {'x', 1, 'a', 'b', 0xff};
    struct cn_packet p;
    tcp_packet(&p, 1234, 80, "");
    p.payload = hit;
    p.payload_len = sizeof(hit);
    assert_int_equal(run(&fx, &p), S(1) | S(2));
    p.payload = miss;
    p.payload_len = sizeof(miss);
    assert_int_equal(run(&fx, &p), S(2));
    p.payload = none;
    p.payload_len = sizeof(none);
    assert_int_equal(run(&fx, &p), 0);
    unload(&fx);
}

static void test_nocase(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"INDEX.HTML\"; nocase; sid:1;)\n"
              "alert tcp any any -> any any (content:\"INDEX.HTML\"; sid:2;)\n"
              "alert tcp any any -> any any (content:\"index.html\"; sid:3;)\n");
    assert_int_equal(run_text(&fx, 1234, 80, "GET /index.html"), S(1) | S(3));
    assert_int_equal(run_text(&fx, 1234, 80, "GET /INDEX.HTML"), S(1) | S(2));
    assert_int_equal(run_text(&fx, 1234, 80, "GET /InDeX.hTmL"), S(1));
    assert_int_equal(run_text(&fx, 1234, 80, "GET /index.htm"), 0);
    unload(&fx);
}

static void test_fast_pattern_only(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"secret\"; fast_pattern:only; sid:1;)\n"
              "alert tcp any any -> any any (content:\"longer-content\"; content:\"ab\"; "
              "fast_pattern; sid:2;)\n");
    assert_int_equal(run_text(&fx, 1234, 80, "the secret word"), S(1));
    assert_int_equal(run_text(&fx, 1234, 80, "the secre word"), 0);
    /* sid 2's pattern is the short marked one: present alone it is not enough */
    assert_int_equal(run_text(&fx, 1234, 80, "ab"), 0);
    assert_int_equal(run_text(&fx, 1234, 80, "longer-content"), 0);
    assert_int_equal(run_text(&fx, 1234, 80, "longer-content ab"), S(2));
    unload(&fx);
}

static void test_fast_pattern_chop(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"abcdefgh\"; fast_pattern:2,3; sid:1;)\n"
              "alert tcp any any -> any any (content:\"ABCDEFGH\"; nocase; fast_pattern:5,3; "
              "sid:2;)\n");
    /* the slice alone is a candidate, never a match */
    assert_int_equal(run_text(&fx, 1234, 80, "xxcdexx"), 0);
    assert_int_equal(run_text(&fx, 1234, 80, "xxFGHxx"), 0);
    assert_int_equal(run_text(&fx, 1234, 80, "xxcdexxfgh"), 0);
    assert_int_equal(run_text(&fx, 1234, 80, "zzabcdefghzz"), S(1) | S(2));
    assert_int_equal(run_text(&fx, 1234, 80, "zzABCDEFGHzz"), S(2));
    assert_int_equal(run_text(&fx, 1234, 80, "zzabcdefgzz"), 0);
    unload(&fx);
}

static void test_shared_pattern(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"index\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"index\"; depth:10; sid:2;)\n"
              "alert tcp any any -> any any (content:\"GET\"; content:\"index\"; sid:3;)\n"
              "alert tcp any any -> any any (content:\"index\"; nocase; sid:4;)\n"
              "alert tcp any any -> any any (content:\"other\"; sid:5;)\n");
    assert_int_equal(run_text(&fx, 1234, 80, "GET /index.html"), S(1) | S(2) | S(3) | S(4));
    /* depth 10 no longer covers it */
    assert_int_equal(run_text(&fx, 1234, 80, "GET /////////index"), S(1) | S(3) | S(4));
    assert_int_equal(run_text(&fx, 1234, 80, "INDEX other"), S(4) | S(5));
    assert_int_equal(run_text(&fx, 1234, 80, "GET /"), 0);
    unload(&fx);
}

static void test_negated_only(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:!\"evil\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"GET\"; content:!\"evil\"; sid:2;)\n"
              "alert tcp any any -> any any (content:!\"evil\"; fast_pattern; content:\"GET\"; "
              "sid:3;)\n");
    assert_int_equal(run_text(&fx, 1234, 80, "GET /good"), S(1) | S(2) | S(3));
    assert_int_equal(run_text(&fx, 1234, 80, "POST /good"), S(1));
    assert_int_equal(run_text(&fx, 1234, 80, "GET /evil"), 0);
    assert_int_equal(run_text(&fx, 1234, 80, "evil"), 0);
    unload(&fx);
}

/* The checker is loaded first and its pattern is the shorter (so the lower pattern id, and it
 * comes first in the payload): only ordering the candidates by rule lets the setter run first. */
static void test_evaluation_order(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"GET\"; flowbits:isset,seen; sid:1;)\n"
              "alert tcp any any -> any any (flowbits:isset,seen; sid:2;)\n"
              "alert tcp any any -> any any (content:\"index.html\"; flowbits:set,seen; "
              "noalert; sid:3;)\n");
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    f.pkts_toserver = 1;
    struct cn_packet p;
    tcp_packet(&p, 1234, 80, "GET /other");
    p.flow = &f;
    assert_int_equal(run(&fx, &p), 0); /* not set yet */
    tcp_packet(&p, 1234, 80, "GET /index.html");
    p.flow = &f;
    assert_int_equal(run(&fx, &p), S(1) | S(2));
    cn_detect_flow_end(&f);

    /* the same on a fresh flow: the set on this very packet is seen */
    memset(&f, 0, sizeof(f));
    f.pkts_toserver = 1;
    tcp_packet(&p, 1234, 80, "GET /index.html");
    p.flow = &f;
    assert_int_equal(run(&fx, &p), S(1) | S(2));
    cn_detect_flow_end(&f);
    unload(&fx);
}

static void test_direction(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (flow:to_client; content:\"data\"; sid:1;)\n"
              "alert tcp any any -> any any (flow:to_server; content:\"data\"; sid:2;)\n"
              "alert tcp any any -> any any (content:\"data\"; sid:3;)\n"
              "alert tcp any any -> any any (flow:to_client; dsize:>0; sid:4;)\n"
              "alert tcp any any -> any any (flow:from_server; sid:5;)\n");
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    f.pkts_toserver = 1;
    f.pkts_toclient = 1;
    struct cn_packet p;
    tcp_packet(&p, 1234, 80, "some data");
    p.flow = &f;
    assert_int_equal(run(&fx, &p), S(2) | S(3));
    reverse(&p); /* to the client */
    assert_int_equal(run(&fx, &p), S(1) | S(3) | S(4) | S(5));
    /* no pattern in the payload: only the pattern-less rules of the direction */
    p.payload = (const uint8_t *)"nothing";
    p.payload_len = 7;
    assert_int_equal(run(&fx, &p), S(4) | S(5));
    reverse(&p);
    assert_int_equal(run(&fx, &p), 0);
    /* without a flow a packet counts as to the server (Suricata) */
    tcp_packet(&p, 80, 1234, "some data");
    p.toserver = false;
    assert_int_equal(run(&fx, &p), S(2) | S(3));
    unload(&fx);
}

/* ---- engine level: rules without a pattern ---- */

static void test_port_rules(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any 22 (msg:\"dp 22\"; sid:1;)\n"
              "alert tcp any 80 -> any any (msg:\"sp 80\"; sid:2;)\n"
              "alert tcp 10.0.0.1 any <> 10.0.0.2 22 (msg:\"bidir 22\"; sid:3;)\n"
              "alert tcp any any -> any [2222,8000:8010] (sid:4;)\n"
              "alert tcp any any -> any 1024: (sid:5;)\n"
              "alert tcp any any -> any !22 (sid:6;)\n"
              "alert udp any any -> any 22 (sid:7;)\n"
              "alert tcp any [80,443] -> any 22 (sid:8;)\n");
    assert_int_equal(run_text(&fx, 1234, 22, "x"), S(1) | S(3));
    assert_int_equal(run_text(&fx, 1234, 22, ""), S(1) | S(3)); /* no payload needed */
    assert_int_equal(run_text(&fx, 22, 1234, "x"), S(5) | S(6));
    assert_int_equal(run_text(&fx, 1000, 23, "x"), S(6));
    assert_int_equal(run_text(&fx, 80, 22, "x"), S(1) | S(2) | S(3) | S(8));
    assert_int_equal(run_text(&fx, 80, 21, "x"), S(2) | S(6));
    assert_int_equal(run_text(&fx, 443, 22, "x"), S(1) | S(3) | S(8));
    assert_int_equal(run_text(&fx, 1000, 8005, "x"), S(4) | S(5) | S(6));
    assert_int_equal(run_text(&fx, 1000, 8011, "x"), S(5) | S(6));
    assert_int_equal(run_text(&fx, 1000, 2222, "x"), S(4) | S(5) | S(6));

    /* <> both ways; the reverse of 10.0.0.1:1234 -> 10.0.0.2:22 */
    struct cn_packet p;
    tcp_packet(&p, 1234, 22, "x");
    reverse(&p);
    assert_int_equal(run(&fx, &p), S(3) | S(5) | S(6));
    /* other addresses: not the <> rule */
    tcp_packet(&p, 1234, 22, "x");
    p.dst.b[3] = 3;
    assert_int_equal(run(&fx, &p), S(1));

    /* a fragment that was not rebuilt has no ports: no port rule */
    tcp_packet(&p, 1234, 22, "x");
    p.flags |= CN_PKT_FRAGMENT;
    assert_int_equal(run(&fx, &p), 0);
    p.flags |= CN_PKT_REBUILT;
    assert_int_equal(run(&fx, &p), S(1) | S(3));

    /* udp meets only the udp rule */
    tcp_packet(&p, 1234, 22, "x");
    p.flags = CN_PKT_IPV4 | CN_PKT_UDP;
    p.proto = 17;
    assert_int_equal(run(&fx, &p), S(7));
    p.dp = 23;
    assert_int_equal(run(&fx, &p), 0);
    unload(&fx);
}

static void test_any_ports_keyword(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (dsize:>10; sid:1;)\n"
              "alert tcp any any -> any any (dsize:<5; sid:2;)\n");
    uint32_t x = 12345;
    for (unsigned i = 0; i < 200; i++) {
        x = x * 1103515245u + 12345u;
        uint16_t sp = (uint16_t)(x >> 16);
        x = x * 1103515245u + 12345u;
        uint16_t dp = (uint16_t)(x >> 16);
        assert_int_equal(run_text(&fx, sp, dp, "a longer payload"), S(1));
        assert_int_equal(run_text(&fx, sp, dp, "abc"), S(2));
        assert_int_equal(run_text(&fx, sp, dp, "abcdefg"), 0);
    }
    unload(&fx);
}

/* ---- the prefilter module ---- */

/* What each test rule needs to be a candidate, by sid. */
enum want_kind { W_PATTERN, W_ALWAYS, W_DP, W_SP };
struct want {
    enum want_kind kind;
    const char *pattern; /* W_PATTERN */
    bool nocase;
    uint16_t lo, hi;    /* W_DP, W_SP: the ports */
    bool needs_payload; /* W_ALWAYS, W_DP: a short content, so never on an empty payload */
};

static const char *const pf_rules =
    "alert tcp any any -> any any (content:\"alpha\"; sid:1;)\n"
    "alert tcp any any -> any any (content:\"BETA\"; nocase; sid:2;)\n"
    "alert tcp any any -> any any (content:\"alpha\"; depth:20; sid:3;)\n"
    "alert tcp any any -> any 22 (sid:4;)\n"
    "alert tcp any 80 -> any any (sid:5;)\n"
    "alert tcp any any -> any any (dsize:>0; sid:6;)\n"
    "alert tcp any any -> any any (content:!\"gamma\"; sid:7;)\n"
    "alert tcp any any -> any any (content:\"x\"; content:\"delta-long\"; sid:8;)\n"
    "alert tcp any any -> any any (content:\"epsilon-long\"; content:\"eps\"; fast_pattern; "
    "sid:9;)\n"
    "alert tcp any any -> any any (content:\"abcdefgh\"; fast_pattern:2,3; sid:10;)\n"
    "alert tcp any any -> any 8000:8010 (sid:11;)\n"
    "alert tcp any any -> any 1024: (sid:12;)\n"
    "alert tcp any any <> any 22 (sid:13;)\n"
    "alert tcp any any -> any 22 (content:\"zeta\"; sid:14;)\n"
    "alert tcp any any -> any any (content:\"alpha\"; nocase; sid:15;)\n"
    "alert tcp any any -> any any (content:\"ab\"; sid:16;)\n"
    "alert tcp any any -> any 25 (content:\"q\"; sid:17;)\n"
    "alert tcp any any -> any any (content:\"longer-one\"; content:\"z\"; fast_pattern; "
    "sid:18;)\n";
#define PF_NRULES 18

static const struct want pf_want[PF_NRULES + 1] = {
    [1] = {W_PATTERN, "alpha", false, 0, 0},
    [2] = {W_PATTERN, "beta", true, 0, 0},
    [3] = {W_PATTERN, "alpha", false, 0, 0},
    [4] = {W_DP, NULL, false, 22, 22},
    [5] = {W_SP, NULL, false, 80, 80},
    [6] = {W_ALWAYS, NULL, false, 0, 0},
    [7] = {W_ALWAYS, NULL, false, 0, 0},
    [8] = {W_PATTERN, "delta-long", false, 0, 0},
    [9] = {W_PATTERN, "eps", false, 0, 0},
    [10] = {W_PATTERN, "cde", false, 0, 0},
    [11] = {W_DP, NULL, false, 8000, 8010},
    [12] = {W_ALWAYS, NULL, false, 0, 0},
    [13] = {W_ALWAYS, NULL, false, 0, 0},
    [14] = {W_PATTERN, "zeta", false, 0, 0},
    [15] = {W_PATTERN, "alpha", true, 0, 0},
    /* patterns under PATTERN_MIN bytes are not compiled: tried like rules without one, and a
     * marked one that short gives way to the longest content */
    [16] = {W_ALWAYS, NULL, false, 0, 0, true},
    [17] = {W_DP, NULL, false, 25, 25, true},
    [18] = {W_PATTERN, "longer-one", false, 0, 0},
};

static bool occurs(const uint8_t *buf, uint32_t len, const char *pat, bool nocase)
{
    size_t m = strlen(pat);
    for (size_t i = 0; i + m <= len; i++) {
        size_t k = 0;
        for (; k < m; k++) {
            uint8_t c = buf[i + k];
            if (nocase && c >= 'A' && c <= 'Z')
                c = (uint8_t)(c - 'A' + 'a');
            if (c != (uint8_t)pat[k])
                break;
        }
        if (k == m)
            return true;
    }
    return false;
}

static bool wanted(const struct want *w, const uint8_t *buf, uint32_t len, bool has_ports,
                   uint16_t sp, uint16_t dp)
{
    if (w->needs_payload && len == 0)
        return false;
    switch (w->kind) {
    case W_PATTERN:
        return occurs(buf, len, w->pattern, w->nocase);
    case W_ALWAYS:
        return true;
    case W_DP:
        return has_ports && dp >= w->lo && dp <= w->hi;
    case W_SP:
        return has_ports && sp >= w->lo && sp <= w->hi;
    }
    return false;
}

struct pf_case {
    struct fixture fx;
    const struct cn_rule **rules; /* the ruleset's rules */
    uint32_t sid_of[PF_NRULES];   /* rule index -> sid */
    struct cn_prefilter *pf;
    struct cn_prefilter_scratch *s;
};

/* Builds a prefilter over the rules whose sids are in mask (all when 0). */
static void pf_setup(struct pf_case *c, uint32_t mask)
{
    load(&c->fx, pf_rules);
    assert_int_equal(c->fx.rs->n, PF_NRULES);
    c->rules = (const struct cn_rule **)c->fx.rs->rules;
    uint32_t idx[PF_NRULES];
    unsigned n = 0;
    for (unsigned i = 0; i < c->fx.rs->n; i++) {
        uint32_t sid = cn_rule_sid(c->rules[i]);
        c->sid_of[i] = sid;
        if (!mask || (mask & S(sid)))
            idx[n++] = i;
    }
    char err[256] = "";
    c->pf = cn_prefilter_build(c->rules, idx, n, err, sizeof(err));
    if (!c->pf)
        fail_msg("prefilter build: %s", err);
    c->s = cn_prefilter_scratch_new();
    assert_non_null(c->s);
    assert_int_equal(cn_prefilter_scratch_fit(c->s, c->pf), 0);
}

static void pf_teardown(struct pf_case *c)
{
    cn_prefilter_scratch_free(c->s);
    cn_prefilter_free(c->pf);
    unload(&c->fx);
}

/* Runs the prefilter and checks its answer against pf_want for the rules in mask: ascending,
 * every wanted rule present, nothing else. Returns the candidates as a sid bit set. */
static uint32_t pf_check(struct pf_case *c, uint32_t mask, const uint8_t *buf, uint32_t len,
                         bool has_ports, uint16_t sp, uint16_t dp)
{
    const uint32_t *out = NULL;
    unsigned n = cn_prefilter_run(c->pf, c->s, buf, len, has_ports, sp, dp, &out);
    uint32_t got = 0;
    for (unsigned k = 0; k < n; k++) {
        assert_true(out[k] < c->fx.rs->n);
        if (k > 0 && out[k] <= out[k - 1])
            fail_msg("candidates not ascending: %u after %u", out[k], out[k - 1]);
        got |= S(c->sid_of[out[k]]);
    }
    uint32_t want = 0;
    for (uint32_t sid = 1; sid <= PF_NRULES; sid++)
        if ((!mask || (mask & S(sid))) && wanted(&pf_want[sid], buf, len, has_ports, sp, dp))
            want |= S(sid);
    if (got != want)
        fail_msg("'%.*s' ports %d %u->%u: candidates %#x, want %#x", (int)len, (const char *)buf,
                 has_ports, sp, dp, got, want);
    return got;
}

static void test_pf_counts(void **state)
{
    (void)state;
    struct pf_case c;
    pf_setup(&c, 0);
    /* alpha, beta (nocase), alpha (nocase), delta-long, eps, cde, zeta, longer-one */
    assert_int_equal(cn_prefilter_patterns(c.pf), 8);
    assert_int_equal(cn_prefilter_always(c.pf), 5); /* 6, 7, 12, 13, 16 */
    assert_int_equal(cn_prefilter_ported(c.pf), 4); /* 4, 5, 11, 17 */
    pf_teardown(&c);
}

static void test_pf_fixed(void **state)
{
    (void)state;
    struct pf_case c;
    pf_setup(&c, 0);
    const uint32_t always = S(6) | S(7) | S(12) | S(13) | S(16);
    const char *t = "xx alpha yy";
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 1, 2),
                     always | S(1) | S(3) | S(15));
    t = "ALPHA beta";
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 1, 2),
                     always | S(2) | S(15));
    t = "epsilon-lon"; /* the marked short pattern, not the longest */
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 1, 2),
                     always | S(9));
    t = "delta-lon";
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 1, 2), always);
    t = "_cde_"; /* the chop */
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 1, 2),
                     always | S(10));
    t = "abcd"; /* the first bytes of the content are not the pattern */
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 1, 2), always);
    /* port-filed rules by the right port only, and only with ports */
    t = "zeta";
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 80, 22),
                     always | S(4) | S(5) | S(14));
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), false, 80, 22),
                     always | S(14));
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 22, 80),
                     always | S(14));
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 7, 8010),
                     always | S(11) | S(14));
    t = "z longer-one";
    assert_int_equal(pf_check(&c, 0, (const uint8_t *)t, (uint32_t)strlen(t), true, 1, 25),
                     always | S(17) | S(18));
    /* no payload: rule 16's short content cannot be there, nor rule 17's */
    assert_int_equal(pf_check(&c, 0, NULL, 0, true, 1, 8000), (always & ~S(16)) | S(11));
    assert_int_equal(pf_check(&c, 0, NULL, 0, false, 1, 8000), always & ~S(16));
    assert_int_equal(pf_check(&c, 0, NULL, 0, true, 1, 25), always & ~S(16));
    pf_teardown(&c);
}

/* A subset of the rules (not contiguous): the answers are the rules' indexes in the group. */
static void test_pf_subset(void **state)
{
    (void)state;
    const uint32_t mask = S(2) | S(3) | S(5) | S(7) | S(11) | S(14);
    struct pf_case c;
    pf_setup(&c, mask);
    assert_int_equal(cn_prefilter_patterns(c.pf), 3);
    assert_int_equal(cn_prefilter_always(c.pf), 1);
    assert_int_equal(cn_prefilter_ported(c.pf), 2);
    const char *t = "alpha beta zeta";
    assert_int_equal(pf_check(&c, mask, (const uint8_t *)t, (uint32_t)strlen(t), true, 80, 8000),
                     S(2) | S(3) | S(5) | S(7) | S(11) | S(14));
    t = "nothing";
    assert_int_equal(pf_check(&c, mask, (const uint8_t *)t, (uint32_t)strlen(t), true, 1, 1), S(7));
    pf_teardown(&c);
}

/* Empty group: no candidate, no crash. */
static void test_pf_empty(void **state)
{
    (void)state;
    char err[128];
    struct cn_prefilter *pf = cn_prefilter_build(NULL, NULL, 0, err, sizeof(err));
    assert_non_null(pf);
    assert_int_equal(cn_prefilter_patterns(pf), 0);
    struct cn_prefilter_scratch *s = cn_prefilter_scratch_new();
    assert_non_null(s);
    assert_int_equal(cn_prefilter_scratch_fit(s, pf), 0);
    const uint32_t *out = NULL;
    assert_int_equal(cn_prefilter_run(pf, s, (const uint8_t *)"abc", 3, true, 1, 2, &out), 0);
    cn_prefilter_scratch_free(s);
    cn_prefilter_free(pf);
}

static uint32_t rnd_state;
static uint32_t rnd(void)
{
    /* xorshift32: fixed seed, so a failure replays */
    uint32_t x = rnd_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rnd_state = x;
}

/* Random buffers built from pieces of the patterns, and random ports near the filed ones. */
static void test_pf_random(void **state)
{
    (void)state;
    static const char *const pieces[] = {"alpha", "ALPHA",      "Alph",      "beta", "BeTa",
                                         "bet",   "delta-long", "delta-lon", "eps",  "epsilon-long",
                                         "ep",    "cde",        "abcdefgh",  "cd",   "zeta",
                                         "zet",   "gamma",      " ",         "\x00", "\xff"};
    static const uint16_t ports[] = {22, 80, 8000, 8005, 8010, 7999,  8011,
                                     21, 23, 79,   81,   0,    65535, 1024};
    struct pf_case c;
    pf_setup(&c, 0);
    rnd_state = 0x2545f491u;
    uint8_t buf[256];
    for (unsigned iter = 0; iter < 3000; iter++) {
        uint32_t len = 0;
        unsigned np = rnd() % 6;
        for (unsigned k = 0; k < np; k++) {
            if (rnd() % 3 == 0) { /* noise */
                unsigned m = rnd() % 8;
                for (unsigned j = 0; j < m && len < sizeof(buf); j++)
                    buf[len++] = (uint8_t)rnd();
                continue;
            }
            const char *pc = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
            size_t m = pc[0] ? strlen(pc) : 1;
            for (size_t j = 0; j < m && len < sizeof(buf); j++)
                buf[len++] = (uint8_t)pc[j];
        }
        uint16_t sp =
            rnd() % 2 ? ports[rnd() % (sizeof(ports) / sizeof(ports[0]))] : (uint16_t)rnd();
        uint16_t dp =
            rnd() % 2 ? ports[rnd() % (sizeof(ports) / sizeof(ports[0]))] : (uint16_t)rnd();
        bool has_ports = rnd() % 4 != 0;
        pf_check(&c, 0, buf, len, has_ports, sp, dp);
    }
    pf_teardown(&c);
}

/* ---- IP-only ---- */

/* One random element of a narrow address list (at most a /16 or a /48). */
static int rnd_element(char *out, size_t cap, bool v6ok)
{
    unsigned k = rnd() % (v6ok ? 10 : 7);
    unsigned a = rnd() % 4, b = rnd() % 8, c = rnd() % 16;
    switch (k) {
    case 0:
    case 1:
        return snprintf(out, cap, "10.%u.%u.%u", a, b, c);
    case 2:
        return snprintf(out, cap, "10.%u.%u.0/24", a, b);
    case 3:
        return snprintf(out, cap, "10.%u.0.0/16", a);
    case 4:
        return snprintf(out, cap, "192.168.%u.%u", a, c);
    case 5:
        return snprintf(out, cap, "192.168.%u.0/24", a);
    case 6:
        return snprintf(out, cap, "10.%u.%u.%u-10.%u.%u.%u", a, b, c, a, b, c + rnd() % 40);
    case 7:
        return snprintf(out, cap, "2001:db8:%x::%x", a, c);
    case 8:
        return snprintf(out, cap, "2001:db8:%x::/48", a);
    default:
        return snprintf(out, cap, "2001:db8:%x:%x::/64", a, b);
    }
}

/* A random side of a rule header: narrow (lists of small ranges) or wide. */
static void rnd_side(char *out, size_t cap, bool *narrow)
{
    unsigned k = rnd() % 10;
    *narrow = false;
    switch (k) {
    case 0:
        snprintf(out, cap, "any");
        return;
    case 1:
        snprintf(out, cap, "[10.0.0.0/8,172.16.0.0/12,192.168.0.0/16]");
        return;
    case 2:
        snprintf(out, cap, "![10.0.0.0/8,172.16.0.0/12,192.168.0.0/16]");
        return;
    case 3:
        snprintf(out, cap, "[0.0.0.0/1,2001:db8::/32]");
        return;
    case 4:
        snprintf(out, cap, "!10.1.0.0/16");
        return;
    default:
        break;
    }
    *narrow = true;
    unsigned n = 1 + rnd() % 5;
    bool v6ok = rnd() % 2;
    size_t len = 0;
    if (n > 1)
        out[len++] = '[';
    for (unsigned i = 0; i < n; i++) {
        if (i)
            out[len++] = ',';
        int w = rnd_element(out + len, cap - len, v6ok);
        assert_true(w > 0 && (size_t)w < cap - len);
        len += (size_t)w;
    }
    if (n > 1)
        out[len++] = ']';
    out[len] = '\0';
}

/* An address near the ranges the rules use (or anywhere, now and then). */
static void rnd_addr(union cn_addr *a, bool v6)
{
    memset(a, 0, sizeof(*a));
    unsigned k = rnd() % 8;
    if (!v6) {
        if (k == 0) {
            a->w[0] = rnd();
        } else if (k < 6) {
            a->b[0] = 10;
            a->b[1] = (uint8_t)(rnd() % 5);
            a->b[2] = (uint8_t)(rnd() % 9);
            a->b[3] = (uint8_t)(rnd() % 60);
        } else if (k == 6) {
            a->b[0] = 192;
            a->b[1] = 168;
            a->b[2] = (uint8_t)(rnd() % 5);
            a->b[3] = (uint8_t)(rnd() % 20);
        } else {
            a->b[0] = 172;
            a->b[1] = (uint8_t)(14 + rnd() % 6);
            a->b[3] = (uint8_t)rnd();
        }
        return;
    }
    if (k == 0) {
        for (unsigned i = 0; i < 16; i++)
            a->b[i] = (uint8_t)rnd();
        return;
    }
    a->b[0] = 0x20;
    a->b[1] = 0x01;
    a->b[2] = 0x0d;
    a->b[3] = 0xb8;
    a->b[5] = (uint8_t)(rnd() % 5);
    if (k < 4)
        a->b[7] = (uint8_t)(rnd() % 9);
    if (k < 6)
        a->b[15] = (uint8_t)(rnd() % 20);
    else
        a->b[8 + rnd() % 8] = (uint8_t)rnd();
}

static bool side_match(const struct cn_addr_set *s, const union cn_addr *a, bool v6)
{
    return s->any || cn_addr_set_match(s, a, v6 ? 6 : 4);
}

#define IPO_NRULES 200

static void test_iponly_property(void **state)
{
    (void)state;
    rnd_state = 0x9e3779b9u;
    size_t cap = IPO_NRULES * 400, len = 0;
    char *text = cn_malloc(cap);
    assert_non_null(text);
    bool narrow_rule[IPO_NRULES + 1]; /* by sid: a side is narrow */
    for (unsigned sid = 1; sid <= IPO_NRULES; sid++) {
        char src[160], dst[160];
        bool ns, nd;
        rnd_side(src, sizeof(src), &ns);
        rnd_side(dst, sizeof(dst), &nd);
        const char *proto = rnd() % 4 ? "ip" : "tcp";
        bool bidir = rnd() % 8 == 0;
        narrow_rule[sid] = ns || nd;
        int w = snprintf(text + len, cap - len, "alert %s %s any %s %s any (sid:%u;)\n", proto, src,
                         bidir ? "<>" : "->", dst, sid);
        assert_true(w > 0 && (size_t)w < cap - len);
        len += (size_t)w;
    }
    struct fixture fx;
    load(&fx, text);
    cn_free(text);
    assert_int_equal(fx.rs->n, IPO_NRULES);
    const struct cn_rule *const *rules = (const struct cn_rule *const *)fx.rs->rules;
    unsigned n = fx.rs->n;
    struct cn_iponly *ix = cn_iponly_build(rules, n);
    assert_non_null(ix);
    uint32_t out[IPO_NRULES];
    bool cand[IPO_NRULES];
    unsigned matched = 0, candidates = 0, matched6 = 0, matched_narrow = 0;
    for (unsigned iter = 0; iter < 5000; iter++) {
        bool v6 = rnd() % 10 < 3;
        union cn_addr src, dst;
        rnd_addr(&src, v6);
        rnd_addr(&dst, v6);
        memset(out, 0xff, sizeof(out));
        unsigned k = cn_iponly_candidates(ix, &src, &dst, v6, out);
        assert_true(k <= n);
        memset(cand, 0, sizeof(cand));
        for (unsigned i = 0; i < k; i++) {
            assert_true(out[i] < n);
            if (i > 0 && out[i] <= out[i - 1])
                fail_msg("iter %u: candidates not ascending: %u after %u", iter, out[i],
                         out[i - 1]);
            cand[out[i]] = true;
        }
        candidates += k;
        for (unsigned i = 0; i < n; i++) {
            const struct cn_rule *r = rules[i];
            bool bidir = r->flags & CN_RULE_BIDIR;
            bool s1 = side_match(&r->src, &src, v6), d1 = side_match(&r->dst, &dst, v6);
            bool s2 = side_match(&r->src, &dst, v6), d2 = side_match(&r->dst, &src, v6);
            bool m = (s1 && d1) || (bidir && s2 && d2);
            if (m && !cand[i])
                fail_msg("iter %u (v%d): sid %u matches but is no candidate", iter, v6 ? 6 : 4,
                         cn_rule_sid(r));
            matched += m;
            matched6 += m && v6;
            matched_narrow += m && narrow_rule[cn_rule_sid(r)];
            /* a directional rule with a narrow side is filed by a side: a candidate only when
             * that side's address is in it */
            if (!bidir && narrow_rule[cn_rule_sid(r)] && cand[i] && !s1 && !d1)
                fail_msg("iter %u (v%d): sid %u is a candidate but neither side matches", iter,
                         v6 ? 6 : 4, cn_rule_sid(r));
        }
    }
    /* the generator hits the ranges, and the index filters */
    assert_true(matched > 5000 && matched6 > 1000 && matched_narrow > 1000);
    assert_true(candidates < 5000u * n / 3);
    cn_iponly_free(ix);
    unload(&fx);
}

/* A family with no address on a narrow side: never a candidate for it. */
static void test_iponly_family(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert ip 10.0.0.0/24 any -> any any (sid:1;)\n"
              "alert ip 2001:db8::/32 any -> any any (sid:2;)\n"
              "alert ip any any -> any any (sid:3;)\n"
              "alert ip any any -> 10.0.0.5 any (sid:4;)\n");
    const struct cn_rule *const *rules = (const struct cn_rule *const *)fx.rs->rules;
    struct cn_iponly *ix = cn_iponly_build(rules, fx.rs->n);
    assert_non_null(ix);
    uint32_t out[4];
    union cn_addr a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.b[0] = 0x20, a.b[1] = 0x01, a.b[2] = 0x0d, a.b[3] = 0xb8;
    b.b[0] = 10;
    unsigned k = cn_iponly_candidates(ix, &a, &b, true, out);
    uint32_t got = 0;
    for (unsigned i = 0; i < k; i++)
        got |= S(cn_rule_sid(rules[out[i]]));
    assert_int_equal(got, S(2) | S(3));
    k = cn_iponly_candidates(ix, &b, &a, false, out); /* 10.0.0.0 -> 32.1.13.184 */
    got = 0;
    for (unsigned i = 0; i < k; i++)
        got |= S(cn_rule_sid(rules[out[i]]));
    assert_int_equal(got, S(1) | S(3));
    b.b[3] = 5; /* 10.0.0.5 -> 10.0.0.5 */
    k = cn_iponly_candidates(ix, &b, &b, false, out);
    got = 0;
    for (unsigned i = 0; i < k; i++)
        got |= S(cn_rule_sid(rules[out[i]]));
    assert_int_equal(got, S(1) | S(3) | S(4));
    cn_iponly_free(ix);
    unload(&fx);
}

static void test_iponly_once_per_direction(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert ip 10.0.0.1 any -> 10.0.0.2 any (sid:1;)\n"
              "alert ip 10.0.0.1 any <> 10.0.0.2 any (sid:2;)\n"
              "alert ip 10.0.0.9 any -> any any (sid:3;)\n"
              "alert tcp any any -> any any (content:\"x\"; sid:4;)\n");
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    struct cn_packet p;
    tcp_packet(&p, 1234, 80, "x");
    p.flow = &f;
    f.pkts_toserver = 1;
    assert_int_equal(run(&fx, &p), S(1) | S(2) | S(4));
    f.pkts_toserver = 2;
    assert_int_equal(run(&fx, &p), S(4));
    f.pkts_toserver = 3;
    assert_int_equal(run(&fx, &p), S(4));
    /* the first packet to the client, whatever the other direction counted */
    reverse(&p);
    f.pkts_toclient = 1;
    assert_int_equal(run(&fx, &p), S(2) | S(4));
    f.pkts_toclient = 3;
    assert_int_equal(run(&fx, &p), S(4));
    /* the to-server count does not decide for a to-client packet */
    f.pkts_toserver = 1;
    assert_int_equal(run(&fx, &p), S(4));
    /* without a flow: every packet */
    for (unsigned i = 0; i < 3; i++) {
        tcp_packet(&p, 1234, 80, "x");
        assert_int_equal(run(&fx, &p), S(1) | S(2) | S(4));
        reverse(&p);
        assert_int_equal(run(&fx, &p), S(2) | S(4));
    }
    /* another address pair, first packet: none of them */
    tcp_packet(&p, 1234, 80, "y");
    p.src.b[3] = 7;
    assert_int_equal(run(&fx, &p), 0);
    p.src.b[3] = 9;
    assert_int_equal(run(&fx, &p), S(3));
    /* an IPv6 packet meets none of these IPv4 rules */
    tcp_packet(&p, 1234, 80, "x");
    p.flags = CN_PKT_IPV6 | CN_PKT_TCP;
    p.ip_ver = 6;
    assert_int_equal(run(&fx, &p), S(4));
    unload(&fx);
}

static void test_iponly_flowbits(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (flowbits:isset,bad; sid:1;)\n"
              "alert ip 10.0.0.1 any -> any any (flowbits:set,bad; noalert; sid:2;)\n"
              "alert ip 10.0.0.1 any -> any any (msg:\"rep\"; sid:3;)\n");
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    f.pkts_toserver = 1;
    struct cn_packet p;
    tcp_packet(&p, 1234, 80, "x");
    p.flow = &f;
    assert_int_equal(run(&fx, &p), S(1) | S(3));
    f.pkts_toserver = 2; /* set once; the bit stays */
    assert_int_equal(run(&fx, &p), S(1));
    cn_detect_flow_end(&f);

    /* a flow whose first packet came from elsewhere: the setter never runs */
    memset(&f, 0, sizeof(f));
    f.pkts_toserver = 1;
    tcp_packet(&p, 1234, 80, "x");
    p.src.b[3] = 8;
    p.flow = &f;
    assert_int_equal(run(&fx, &p), 0);
    /* nor on a later packet of the direction, even from the right address */
    f.pkts_toserver = 3;
    p.src.b[3] = 1;
    assert_int_equal(run(&fx, &p), 0);
    cn_detect_flow_end(&f);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_present_absent),
        cmocka_unit_test(test_binary_pattern),
        cmocka_unit_test(test_nocase),
        cmocka_unit_test(test_fast_pattern_only),
        cmocka_unit_test(test_fast_pattern_chop),
        cmocka_unit_test(test_shared_pattern),
        cmocka_unit_test(test_negated_only),
        cmocka_unit_test(test_evaluation_order),
        cmocka_unit_test(test_direction),
        cmocka_unit_test(test_port_rules),
        cmocka_unit_test(test_any_ports_keyword),
        cmocka_unit_test(test_pf_counts),
        cmocka_unit_test(test_pf_fixed),
        cmocka_unit_test(test_pf_subset),
        cmocka_unit_test(test_pf_empty),
        cmocka_unit_test(test_pf_random),
        cmocka_unit_test(test_iponly_property),
        cmocka_unit_test(test_iponly_family),
        cmocka_unit_test(test_iponly_once_per_direction),
        cmocka_unit_test(test_iponly_flowbits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
