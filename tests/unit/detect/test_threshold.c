/* Unit tests of src/detect/threshold.c and the threshold and detection_filter keywords: rules
 * and threshold.config files are loaded through the real loader, then hand-built packets with
 * chosen packet times go through cn_detect_packet(). Covers the keyword syntax and its errors,
 * limit, threshold and both, every track (by_src, by_dst, by_both, by_rule, by_flow), the
 * window rolling over in packet time, detection_filter, and threshold.config: suppress with
 * and without addresses, event_filter and threshold overriding a rule's own setting, the
 * wildcard precedence, rate_filter changing the action for its timeout, bad lines, a missing
 * file, and the memcap refusing entries. */
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

static void write_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

/* Loads rules (and a threshold.config when conf is not NULL); failures are allowed and
 * counted in fx->rep. */
static void load_cfg(struct fixture *fx, const char *rules, const char *conf, uint64_t memcap)
{
    char rpath[] = "/tmp/cn-th-rules-XXXXXX";
    char cpath[] = "/tmp/cn-th-conf-XXXXXX";
    write_file(rpath, rules);
    if (conf != NULL)
        write_file(cpath, conf);
    const char *files[] = {rpath};
    struct cn_detect_load_config cfg = {
        .files = files,
        .nfiles = 1,
        .threshold_file = conf != NULL ? cpath : NULL,
        .threshold_memcap = memcap,
    };
    memset(&fx->rep, 0, sizeof(fx->rep));
    fx->rs = cn_detect_load(&cfg, &fx->rep);
    unlink(rpath);
    if (conf != NULL)
        unlink(cpath);
    assert_non_null(fx->rs);
    memset(&fx->stats, 0, sizeof(fx->stats));
    fx->ctx = cn_detect_ctx_new(fx->rs, &fx->stats);
    assert_non_null(fx->ctx);
}

static void load(struct fixture *fx, const char *rules, const char *conf)
{
    load_cfg(fx, rules, conf, 0);
    assert_int_equal(fx->rep.failed, 0);
}

static void unload(struct fixture *fx)
{
    cn_detect_ctx_free(fx->ctx);
    cn_ruleset_free(fx->rs);
}

/* 10.0.0.<src> -> 10.0.0.<dst> ICMP echo request at second sec (plus usec) */
static void icmp_packet(struct cn_packet *p, uint8_t src, uint8_t dst, uint64_t sec)
{
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_IPV4 | CN_PKT_ICMPV4;
    p->ip_ver = 4;
    p->src.b[0] = 10;
    p->src.b[3] = src;
    p->dst.b[0] = 10;
    p->dst.b[3] = dst;
    p->proto = 1;
    p->ts = sec * CN_USEC + 1000;
}

/* Runs one packet; returns whether sid alerted, and the alert's action in *action. */
static bool run(struct fixture *fx, struct cn_packet *p, uint32_t sid, enum cn_action *action)
{
    const struct cn_alert *a;
    unsigned n = cn_detect_packet(fx->ctx, p, &a);
    for (unsigned i = 0; i < n; i++) {
        if (cn_rule_sid(a[i].rule) == sid) {
            if (action != NULL)
                *action = a[i].action;
            return true;
        }
    }
    return false;
}

/* How many of npkts identical packets (one per second from sec0) alert for sid. */
static unsigned count_alerts(struct fixture *fx, uint32_t sid, uint8_t src, uint8_t dst,
                             uint64_t sec0, unsigned npkts)
{
    unsigned hits = 0;
    for (unsigned i = 0; i < npkts; i++) {
        struct cn_packet p;
        icmp_packet(&p, src, dst, sec0 + i);
        hits += run(fx, &p, sid, NULL);
    }
    return hits;
}

/* Sends npkts identical packets (one per second from sec0) and counts the alerts of each
 * gen_id 1 rule by sid (sids below 16). */
static void tally(struct fixture *fx, uint8_t src, uint8_t dst, uint64_t sec0, unsigned npkts,
                  unsigned counts[16])
{
    memset(counts, 0, 16 * sizeof(counts[0]));
    for (unsigned i = 0; i < npkts; i++) {
        struct cn_packet p;
        icmp_packet(&p, src, dst, sec0 + i);
        const struct cn_alert *a;
        unsigned n = cn_detect_packet(fx->ctx, &p, &a);
        for (unsigned k = 0; k < n; k++)
            if (cn_rule_gid(a[k].rule) == 1 && cn_rule_sid(a[k].rule) < 16)
                counts[cn_rule_sid(a[k].rule)]++;
    }
}

/* The one rule must fail with a reason that contains what. */
static void rejects(const char *rule, const char *what)
{
    struct fixture fx;
    load_cfg(&fx, rule, NULL, 0);
    if (fx.rep.failed != 1)
        fail_msg("accepted: %s", rule);
    if (strstr(fx.rep.reasons[0].reason, what) == NULL)
        fail_msg("reason '%s' lacks '%s'", fx.rep.reasons[0].reason, what);
    unload(&fx);
}

static void accepts(const char *rule)
{
    struct fixture fx;
    load_cfg(&fx, rule, NULL, 0);
    if (fx.rep.failed != 0)
        fail_msg("rejected (%s): %s", fx.rep.reasons[0].reason, rule);
    unload(&fx);
}

static void test_keyword_syntax(void **state)
{
    (void)state;
    accepts("alert icmp any any -> any any (threshold:type limit, track by_src, count 1, "
            "seconds 60; sid:1;)");
    /* any order, blanks around the commas, every track */
    accepts("alert icmp any any -> any any (threshold: seconds 60 ,count 5,track by_dst , type "
            "both; sid:1;)");
    accepts("alert icmp any any -> any any (threshold:track by_rule, type threshold, count 2, "
            "seconds 1; sid:1;)");
    accepts("alert icmp any any -> any any (threshold:type limit, track by_both, count 1, "
            "seconds 0; sid:1;)");
    accepts("alert icmp any any -> any any (threshold:type limit, track by_flow, count 1, "
            "seconds 60; sid:1;)");
    accepts("alert icmp any any -> any any (detection_filter:track by_src, count 3, seconds 60; "
            "sid:1;)");
    accepts("alert icmp any any -> any any (detection_filter:seconds 9, track by_flow, count 1; "
            "sid:1;)");

    rejects("alert icmp any any -> any any (threshold:type limit, track by_src, count 1; sid:1;)",
            "threshold");
    rejects("alert icmp any any -> any any (threshold:type limit, track by_src, count 1, count 2;"
            " sid:1;)",
            "twice");
    rejects("alert icmp any any -> any any (threshold:type any, track by_src, count 1, seconds "
            "60; sid:1;)",
            "type must be");
    rejects("alert icmp any any -> any any (threshold:type limit, track by_either, count 1, "
            "seconds 60; sid:1;)",
            "track must be");
    rejects("alert icmp any any -> any any (threshold:type limit, track by_src, count x, seconds "
            "60; sid:1;)",
            "numbers");
    rejects("alert icmp any any -> any any (threshold:type limit, track by_src, count -1, seconds "
            "60; sid:1;)",
            "numbers");
    rejects("alert icmp any any -> any any (threshold:type limit, track by_src, count 1, seconds "
            "60, foo 1; sid:1;)",
            "threshold");
    rejects("alert icmp any any -> any any (threshold:type limit, track by_src, count 1, seconds "
            "4294967296; sid:1;)",
            "numbers");
    rejects("alert icmp any any -> any any (threshold:type limit, track by_src, count 1, seconds "
            "60; threshold:type limit, track by_src, count 1, seconds 60; sid:1;)",
            "multiple threshold");
    rejects("alert icmp any any -> any any (threshold:type limit, track by_src, count 1, seconds "
            "60; detection_filter:track by_src, count 1, seconds 60; sid:1;)",
            "not allowed in the same rule");
    rejects("alert icmp any any -> any any (detection_filter:track by_src, count 1, seconds 60; "
            "threshold:type limit, track by_src, count 1, seconds 60; sid:1;)",
            "not allowed in the same rule");
    rejects("alert icmp any any -> any any (detection_filter:track by_src, count 0, seconds 60; "
            "sid:1;)",
            "greater than 0");
    rejects("alert icmp any any -> any any (detection_filter:track by_src, count 1, seconds 0; "
            "sid:1;)",
            "greater than 0");
    rejects("alert icmp any any -> any any (detection_filter:track by_src, count 1, seconds 1, "
            "type limit; sid:1;)",
            "detection_filter");
    rejects("alert icmp any any -> any any (threshold; sid:1;)", "threshold");
}

static void test_limit(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx,
         "alert icmp any any -> any any (threshold:type limit, track by_src, count 1, seconds 60;"
         " sid:1;)\n"
         "alert icmp any any -> any any (threshold:type limit, track by_src, count 3, seconds 60;"
         " sid:2;)\n",
         NULL);
    assert_int_equal(count_alerts(&fx, 1, 1, 2, 0, 10), 1);
    /* 9 matches of sid 1 and 7 of sid 2 past their limit */
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], 16);
    /* another source has its own count */
    assert_int_equal(count_alerts(&fx, 1, 3, 2, 0, 10), 1);
    unload(&fx);

    load(&fx,
         "alert icmp any any -> any any (threshold:type limit, track by_src, count 3, seconds 60;"
         " sid:2;)\n",
         NULL);
    assert_int_equal(count_alerts(&fx, 2, 1, 2, 0, 10), 3);
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], 7);
    unload(&fx);
}

static void test_threshold_type(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx,
         "alert icmp any any -> any any (threshold:type threshold, track by_src, count 3, "
         "seconds 60; sid:1;)\n",
         NULL);
    unsigned pattern = 0;
    for (unsigned i = 0; i < 9; i++) {
        struct cn_packet p;
        icmp_packet(&p, 1, 2, i);
        if (run(&fx, &p, 1, NULL))
            pattern |= 1u << i;
    }
    /* the 3rd, 6th and 9th match; below the count nothing is counted as suppressed */
    assert_int_equal(pattern, (1u << 2) | (1u << 5) | (1u << 8));
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], 0);
    unload(&fx);

    /* count 1: every match */
    load(&fx,
         "alert icmp any any -> any any (threshold:type threshold, track by_src, count 1, "
         "seconds 60; sid:1;)\n",
         NULL);
    assert_int_equal(count_alerts(&fx, 1, 1, 2, 0, 5), 5);
    unload(&fx);
}

static void test_both(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx,
         "alert icmp any any -> any any (threshold:type both, track by_dst, count 3, seconds 60;"
         " sid:1;)\n",
         NULL);
    unsigned pattern = 0;
    for (unsigned i = 0; i < 8; i++) {
        struct cn_packet p;
        icmp_packet(&p, 1, 2, i);
        if (run(&fx, &p, 1, NULL))
            pattern |= 1u << i;
    }
    assert_int_equal(pattern, 1u << 2);
    /* the matches past the count are suppressed (5), the two before it are not */
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], 5);
    unload(&fx);
}

static void test_tracks(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx,
         "alert icmp any any -> any any (threshold:type limit, track by_dst, count 1, seconds 60;"
         " sid:1;)\n"
         "alert icmp any any -> any any (threshold:type limit, track by_rule, count 1, seconds "
         "60; sid:2;)\n"
         "alert icmp any any -> any any (threshold:type limit, track by_both, count 1, seconds "
         "60; sid:3;)\n"
         "alert icmp any any -> any any (threshold:type limit, track by_src, count 1, seconds 60;"
         " sid:4;)\n",
         NULL);
    struct cn_packet p;
    icmp_packet(&p, 1, 2, 0);
    assert_true(run(&fx, &p, 1, NULL));
    icmp_packet(&p, 1, 2, 1);
    const struct cn_alert *a;
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);

    /* new source, same destination: only by_src alerts again */
    icmp_packet(&p, 5, 2, 2);
    unsigned n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_int_equal(cn_rule_sid(a[0].rule) + cn_rule_sid(a[1].rule), 3 + 4);

    /* the reverse direction of 1<->2: by_both already counted the pair; by_dst (1) and
     * by_src (2) are new */
    icmp_packet(&p, 2, 1, 3);
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    assert_int_equal(cn_rule_sid(a[0].rule) + cn_rule_sid(a[1].rule), 1 + 4);
    icmp_packet(&p, 2, 1, 4);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);

    /* by_rule: one count for every address */
    icmp_packet(&p, 7, 8, 5);
    n = cn_detect_packet(fx.ctx, &p, &a);
    bool rule_alerted = false;
    for (unsigned i = 0; i < n; i++)
        rule_alerted |= cn_rule_sid(a[i].rule) == 2;
    assert_false(rule_alerted);
    unload(&fx);
}

static void test_by_flow(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx,
         "alert icmp any any -> any any (threshold:type limit, track by_flow, count 2, seconds "
         "3600; sid:1;)\n"
         "alert icmp any any -> any any (detection_filter:track by_flow, count 2, seconds 3600; "
         "sid:2;)\n",
         NULL);
    struct cn_flow f1, f2;
    memset(&f1, 0, sizeof(f1));
    memset(&f2, 0, sizeof(f2));
    unsigned hits1 = 0, hits2 = 0, df2 = 0;
    for (unsigned i = 0; i < 6; i++) {
        struct cn_packet p;
        icmp_packet(&p, 1, 2, i);
        p.flow = &f1;
        hits1 += run(&fx, &p, 1, NULL);
        if (i % 2 == 0) {
            icmp_packet(&p, 1, 2, i);
            p.flow = &f2;
            enum cn_action act;
            const struct cn_alert *a;
            unsigned n = cn_detect_packet(fx.ctx, &p, &a);
            for (unsigned k = 0; k < n; k++) {
                hits2 += cn_rule_sid(a[k].rule) == 1;
                df2 += cn_rule_sid(a[k].rule) == 2;
            }
            (void)act;
        }
    }
    /* f1 saw 6 matches, f2 3, from the same addresses: each flow counts its own */
    assert_int_equal(hits1, 2);
    assert_int_equal(hits2, 2);
    assert_int_equal(df2, 1); /* detection_filter count 2: the 3rd match of f2 */
    assert_non_null(f1.detect);

    /* no flow: a by_flow threshold cannot count, no alert (as in Suricata) */
    struct cn_packet p;
    icmp_packet(&p, 1, 2, 10);
    assert_false(run(&fx, &p, 1, NULL));
    assert_false(run(&fx, &p, 2, NULL));

    icmp_packet(&p, 1, 2, 11);
    p.flow = &f2;
    assert_true(run(&fx, &p, 2, NULL));
    cn_detect_flow_end(&f1);
    cn_detect_flow_end(&f2);
    assert_null(f1.detect);
    unload(&fx);
}

/* backoff: alerts at matches count, count*m, count*m^2, ... of each flow; by_flow only. */
static void test_backoff(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx,
         "alert icmp any any -> any any (threshold:type backoff, track by_flow, count 1, "
         "multiplier 10; sid:1;)\n"
         "alert icmp any any -> any any (threshold:multiplier 2, count 3, track by_flow, type "
         "backoff; sid:2;)\n",
         NULL);
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    unsigned got1[8] = {0}, n1 = 0, got2[8] = {0}, n2 = 0;
    for (unsigned i = 1; i <= 120; i++) {
        struct cn_packet p;
        icmp_packet(&p, 1, 2, 0);
        p.flow = &f;
        const struct cn_alert *a;
        unsigned n = cn_detect_packet(fx.ctx, &p, &a);
        for (unsigned k = 0; k < n; k++) {
            if (cn_rule_sid(a[k].rule) == 1 && n1 < 8)
                got1[n1++] = i;
            if (cn_rule_sid(a[k].rule) == 2 && n2 < 8)
                got2[n2++] = i;
        }
    }
    assert_int_equal(n1, 3);
    assert_int_equal(got1[0], 1);
    assert_int_equal(got1[1], 10);
    assert_int_equal(got1[2], 100);
    assert_int_equal(n2, 6); /* 3, 6, 12, 24, 48, 96 */
    assert_int_equal(got2[0], 3);
    assert_int_equal(got2[5], 96);
    /* the silent matches are counted as suppressed */
    /* sid 2: its first match (of count 3) is dropped, not suppressed */
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], (120 - 3) + (120 - 6 - 1));
    cn_detect_flow_end(&f);
    unload(&fx);

    rejects("alert icmp any any -> any any (threshold:type backoff, track by_src, count 1, "
            "multiplier 10; sid:1;)",
            "by_flow only");
    rejects("alert icmp any any -> any any (threshold:type backoff, track by_flow, count 1, "
            "seconds 10; sid:1;)",
            "takes a multiplier");
    rejects("alert icmp any any -> any any (threshold:type limit, track by_flow, count 1, "
            "multiplier 10; sid:1;)",
            "type backoff only");
    rejects("alert icmp any any -> any any (threshold:type backoff, track by_flow, count 0, "
            "multiplier 10; sid:1;)",
            "above 0");
    rejects("alert icmp any any -> any any (threshold:type backoff, track by_flow, count 1, "
            "multiplier 0; sid:1;)",
            "above 0");
}

static void test_window_rolls_over(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx,
         "alert icmp any any -> any any (threshold:type limit, track by_src, count 1, seconds "
         "60; sid:1;)\n"
         "alert icmp any any -> any any (threshold:type threshold, track by_src, count 2, "
         "seconds 10; sid:2;)\n",
         NULL);
    struct cn_packet p;
    uint64_t times[] = {1000, 1030, 1060, 1061, 1121, 1122};
    bool expect1[] = {true, false, false, true, false, true};
    for (size_t i = 0; i < CN_ARRAY_LEN(times); i++) {
        icmp_packet(&p, 1, 2, times[i]);
        /* the window is [t0, t0 + 60s] with t0 = 1000.001 s: 1060.001 is still inside */
        if (run(&fx, &p, 1, NULL) != expect1[i])
            fail_msg("limit: packet %zu at %llu", i, (unsigned long long)times[i]);
    }
    /* threshold count 2 within 10 s: two matches 20 s apart never reach it */
    unsigned hits = 0;
    for (unsigned i = 0; i < 5; i++) {
        icmp_packet(&p, 9, 2, 2000 + 20 * i);
        hits += run(&fx, &p, 2, NULL);
    }
    assert_int_equal(hits, 0);
    icmp_packet(&p, 9, 2, 2085);
    assert_true(run(&fx, &p, 2, NULL));
    /* packet time, not the wall clock: a packet older than the window's start (out of order)
     * counts inside the current window */
    icmp_packet(&p, 1, 2, 1100);
    assert_false(run(&fx, &p, 1, NULL));
    unload(&fx);
}

static void test_detection_filter(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx,
         "alert icmp any any -> any any (detection_filter:track by_src, count 2, seconds 60; "
         "sid:1;)\n"
         "alert icmp any any -> any any (detection_filter:track by_rule, count 7, seconds 60; "
         "sid:2;)\n",
         NULL);
    unsigned pattern = 0;
    for (unsigned i = 0; i < 8; i++) {
        struct cn_packet p;
        icmp_packet(&p, 1, 2, i);
        if (run(&fx, &p, 1, NULL))
            pattern |= 1u << i;
    }
    assert_int_equal(pattern, 0xfcu);                        /* every match after the 2nd */
    assert_int_equal(count_alerts(&fx, 2, 4, 2, 100, 1), 0); /* 9th by_rule match in a new window */
    unload(&fx);

    load(&fx,
         "alert icmp any any -> any any (detection_filter:track by_dst, count 7, seconds 60; "
         "sid:2;)\n",
         NULL);
    assert_int_equal(count_alerts(&fx, 2, 1, 2, 0, 8), 1);
    /* past the window the count starts again */
    assert_int_equal(count_alerts(&fx, 2, 1, 2, 100, 7), 0);
    unload(&fx);
}

static const char two_rules[] =
    "alert icmp any any -> any any (sid:1;)\n"
    "alert icmp any any -> any any (threshold:type limit, track by_src, count 5, seconds 60; "
    "sid:2;)\n"
    "alert icmp any any -> any any (gid:3; sid:7;)\n";

static void test_suppress(void **state)
{
    (void)state;
    struct fixture fx;
    unsigned c[16];
    load(&fx, two_rules, "# comment\n\nsuppress gen_id 1, sig_id 1\n");
    tally(&fx, 1, 2, 0, 4, c);
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 4);
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_ALERTS_SUPPRESSED], 4);
    unload(&fx);

    /* by_src with a list; by_dst; by_either with a variable */
    load(&fx, two_rules,
         "suppress gen_id 1, sig_id 1, track by_src, ip [10.0.0.1, 10.0.0.3]\n"
         "suppress gen_id 1, sig_id 2, track by_dst, ip 10.0.0.0/30\n"
         "suppress gen_id 3, sig_id 7, track by_either, ip $EXTERNAL_NET\n");
    assert_int_equal(count_alerts(&fx, 1, 1, 2, 0, 1), 0);
    assert_int_equal(count_alerts(&fx, 1, 3, 2, 0, 1), 0);
    assert_int_equal(count_alerts(&fx, 1, 2, 1, 0, 1), 1);
    assert_int_equal(count_alerts(&fx, 2, 1, 2, 0, 1), 0);
    assert_int_equal(count_alerts(&fx, 2, 1, 9, 0, 1), 1);
    /* $EXTERNAL_NET is !$HOME_NET; 10/8 is home in the stock variables */
    struct cn_packet p;
    icmp_packet(&p, 1, 2, 0);
    const struct cn_alert *a;
    unsigned n = cn_detect_packet(fx.ctx, &p, &a);
    bool gid3 = false;
    for (unsigned i = 0; i < n; i++)
        gid3 |= cn_rule_gid(a[i].rule) == 3;
    assert_true(gid3);
    p.src.b[0] = 8;
    n = cn_detect_packet(fx.ctx, &p, &a);
    gid3 = false;
    for (unsigned i = 0; i < n; i++)
        gid3 |= cn_rule_gid(a[i].rule) == 3;
    assert_false(gid3);
    unload(&fx);

    /* wildcards: gen_id 0, sig_id 0 is every rule; gen_id 3, sig_id 0 every rule of gid 3 */
    load(&fx, two_rules, "suppress gen_id 3, sig_id 0\n");
    icmp_packet(&p, 1, 2, 0);
    n = cn_detect_packet(fx.ctx, &p, &a);
    assert_int_equal(n, 2);
    unload(&fx);
    load(&fx, two_rules, "suppress gen_id 0, sig_id 0, track by_dst, ip 10.0.0.2\n");
    icmp_packet(&p, 1, 2, 0);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 0);
    icmp_packet(&p, 1, 3, 0);
    assert_int_equal(cn_detect_packet(fx.ctx, &p, &a), 3);
    unload(&fx);
}

static void test_event_filter_overrides(void **state)
{
    (void)state;
    struct fixture fx;
    unsigned c[16];
    /* a specific entry replaces the rule's own threshold; event_filter is the same thing */
    load(&fx, two_rules,
         "event_filter gen_id 1, sig_id 2, type limit, track by_src, count 1, seconds 60\n"
         "threshold gen_id 1, sig_id 1, type threshold, track by_dst, count 2, seconds 60\n");
    tally(&fx, 1, 2, 0, 6, c);
    assert_int_equal(c[2], 1);
    assert_int_equal(c[1], 3);
    unload(&fx);

    /* a wildcard leaves rules with their own threshold alone */
    load(&fx, two_rules,
         "threshold gen_id 0, sig_id 0, type limit, track by_rule, count 2, seconds 60\n");
    tally(&fx, 1, 2, 0, 6, c);
    assert_int_equal(c[1], 2);
    assert_int_equal(c[2], 5);
    unload(&fx);

    /* a specific entry wins over a wildcard whatever their order */
    load(&fx, two_rules,
         "threshold gen_id 1, sig_id 1, type limit, track by_src, count 4, seconds 60\n"
         "threshold gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60\n");
    assert_int_equal(count_alerts(&fx, 1, 1, 2, 0, 6), 4);
    unload(&fx);
}

static void test_rate_filter(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, two_rules,
         "rate_filter gen_id 1, sig_id 1, track by_src, count 2, seconds 10, new_action drop, "
         "timeout 5\n"
         /* the rule's own threshold takes precedence over a rate_filter */
         "rate_filter gen_id 1, sig_id 2, track by_src, count 1, seconds 10, new_action drop, "
         "timeout 5\n");
    enum cn_action act[8];
    uint64_t t[8] = {0, 1, 2, 3, 6, 8, 9, 30};
    for (unsigned i = 0; i < 8; i++) {
        struct cn_packet p;
        icmp_packet(&p, 1, 2, t[i]);
        act[i] = CN_ACTION_PASS;
        assert_true(run(&fx, &p, 1, &act[i]));
    }
    /* 3rd match within 10 s: drop from then on for 5 s (until second 7), then alert again */
    assert_int_equal(act[0], CN_ACTION_ALERT);
    assert_int_equal(act[1], CN_ACTION_ALERT);
    assert_int_equal(act[2], CN_ACTION_DROP);
    assert_int_equal(act[3], CN_ACTION_DROP);
    assert_int_equal(act[4], CN_ACTION_DROP);
    assert_int_equal(act[5], CN_ACTION_ALERT);
    /* still inside the first 10 s window, past the count again: the new action returns */
    assert_int_equal(act[6], CN_ACTION_DROP);
    assert_int_equal(act[7], CN_ACTION_ALERT);
    /* sid 2 kept its own threshold (limit 5), so the rate_filter did not change it */
    struct cn_packet p;
    for (unsigned i = 0; i < 3; i++) {
        enum cn_action a2 = CN_ACTION_PASS;
        icmp_packet(&p, 3, 2, i);
        assert_true(run(&fx, &p, 2, &a2));
        assert_int_equal(a2, CN_ACTION_ALERT);
    }
    unload(&fx);

    /* new_action pass ends the alerts of the packet like a pass rule */
    load(&fx, two_rules,
         "rate_filter gen_id 1, sig_id 1, track by_rule, count 1, seconds 60, new_action pass, "
         "timeout 60\n");
    icmp_packet(&p, 1, 2, 0);
    assert_true(run(&fx, &p, 1, NULL));
    icmp_packet(&p, 1, 2, 1);
    assert_false(run(&fx, &p, 1, NULL));
    unload(&fx);
}

static void test_config_errors(void **state)
{
    (void)state;
    struct fixture fx;
    /* bad lines are reported and skipped; the good ones (first, last) still apply */
    load(
        &fx, two_rules,
        "suppress gen_id 1, sig_id 1\n"
        "threshold gen_id 1, sig_id 2, type sometimes, track by_src, count 1, seconds 60\n"
        "threshold gen_id 1, sig_id 2, type limit, track by_src, count 0, seconds 60\n"
        "threshold gen_id 1, sig_id 2, type limit, track by_src, seconds 60\n"
        "threshold gen_id 1, sig_id 2, type limit, type limit, track by_src, count 1, seconds 1\n"
        "threshold gen_id 0, sig_id 2, type limit, track by_src, count 1, seconds 60\n"
        "rate_filter gen_id 1, sig_id 2, track by_src, count 1, seconds 60, new_action boom, "
        "timeout 1\n"
        "suppress gen_id 1, sig_id 2, track by_src\n"
        "suppress gen_id 1, sig_id 2, track by_src, ip not-an-address\n"
        "suppress gen_id 1, sig_id 2, track by_rule, ip 1.2.3.4\n"
        "frobnicate gen_id 1, sig_id 2\n"
        "threshold gen_id 1, sig_id 99, type limit, track by_src, count 1, seconds 60\n"
        "threshold gen_id 1, \\\n  sig_id 2, type limit, track by_src, \\\n count 2, seconds 60\n");
    unsigned c[16];
    tally(&fx, 1, 2, 0, 6, c);
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 2);
    unload(&fx);

    /* a missing file: no thresholds beyond the rules' own, and the rules load */
    const char *files[] = {"/nonexistent/rules"};
    struct cn_detect_load_config cfg = {.files = files,
                                        .nfiles = 0,
                                        .threshold_file = "/nonexistent/threshold.config",
                                        .threshold_file_optional = true};
    struct cn_detect_report rep;
    struct cn_ruleset *rs = cn_detect_load(&cfg, &rep);
    assert_non_null(rs);
    cn_ruleset_free(rs);
    cfg.threshold_file_optional = false;
    rs = cn_detect_load(&cfg, &rep);
    assert_non_null(rs);
    assert_int_equal(rep.failed, 0);
    cn_ruleset_free(rs);
}

static void test_memcap(void **state)
{
    (void)state;
    struct fixture fx;
    /* a memcap too small for one entry: every new key is refused and its match dropped */
    load_cfg(&fx,
             "alert icmp any any -> any any (threshold:type limit, track by_src, count 5, "
             "seconds 60; sid:1;)\n",
             NULL, 1);
    assert_int_equal(fx.rep.failed, 0);
    assert_int_equal(count_alerts(&fx, 1, 1, 2, 0, 3), 0);
    assert_int_equal(fx.stats.v[CN_STAT_DETECT_THRESHOLDS_MEMCAP], 3);
    unload(&fx);

    /* room for a few entries: expired ones are reused, live ones are kept */
    load_cfg(&fx,
             "alert icmp any any -> any any (threshold:type limit, track by_src, count 1, "
             "seconds 10; sid:1;)\n",
             NULL, 512);
    unsigned hits = 0;
    for (unsigned round = 0; round < 4; round++)
        for (unsigned src = 1; src <= 200; src++)
            hits += count_alerts(&fx, 1, (uint8_t)src, 2, round * 100, 1);
    assert_true(hits > 0);
    assert_true(hits < 800);
    assert_true(fx.stats.v[CN_STAT_DETECT_THRESHOLDS_MEMCAP] > 0);
    assert_true(fx.stats.v[CN_STAT_DETECT_THRESHOLDS_MEMUSE] <= 512);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_syntax),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_threshold_type),
        cmocka_unit_test(test_both),
        cmocka_unit_test(test_tracks),
        cmocka_unit_test(test_by_flow),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_window_rolls_over),
        cmocka_unit_test(test_detection_filter),
        cmocka_unit_test(test_suppress),
        cmocka_unit_test(test_event_filter_overrides),
        cmocka_unit_test(test_rate_filter),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_memcap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
