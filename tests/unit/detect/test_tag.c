/* Unit tests of the tag keyword (kw/tag.c) and session tags (tag.c): the accepted forms and
 * their defaults, refused values (host tags, bad counts and metrics), and on a flow: the
 * alerting packet counted but not tagged, the packets/bytes/seconds limits, a second alert of
 * the same rule restarting its entry (a bounded number of times), entries of several rules,
 * pseudo packets and packets without a flow left alone, and the state released with the
 * flow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "detect/detect.h"
#include "kw_harness.h"

static struct cn_rule tag_rule(const char *value, uint32_t sid)
{
    struct cn_rule r;
    char err[128];
    memset(&r, 0, sizeof(r));
    r.sid = sid;
    r.gid = 1;
    if (kw_add(&r, "tag", value, err, sizeof(err)) != 0)
        fail_msg("tag:%s rejected: %s", value, err);
    return r;
}

static struct cn_packet pkt(struct cn_flow *f, uint64_t sec, uint32_t caplen)
{
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    p.flow = f;
    p.ts = sec * CN_USEC;
    p.caplen = caplen;
    return p;
}

/* Runs packets at the given seconds through the flow's tags; returns a bit per tagged one. */
static unsigned run(struct cn_flow *f, const uint64_t *secs, unsigned n, uint32_t caplen)
{
    unsigned tagged = 0;
    for (unsigned i = 0; i < n; i++) {
        struct cn_packet p = pkt(f, secs[i], caplen);
        cn_detect_tags(&p);
        if (p.flags & CN_PKT_TAGGED)
            tagged |= 1u << i;
    }
    return tagged;
}

static void test_syntax(void **state)
{
    (void)state;
    struct cn_rule r = tag_rule("session", 1);
    assert_int_equal(r.tag_metric, CN_TAG_PACKETS);
    assert_int_equal(r.tag_count, 256);
    r = tag_rule("session, 5, bytes", 1);
    assert_int_equal(r.tag_metric, CN_TAG_BYTES);
    assert_int_equal(r.tag_count, 5);
    r = tag_rule("session,60,seconds", 1);
    assert_int_equal(r.tag_metric, CN_TAG_SECONDS);
    kw_rejects("tag", NULL);
    kw_rejects("tag", "host");
    kw_rejects("tag", "host,100,packets,src");
    kw_rejects("tag", "flow");
    kw_rejects("tag", "session,5");
    kw_rejects("tag", "session,5,packets,src");
    kw_rejects("tag", "session,-1,packets");
    kw_rejects("tag", "session,99999999999,packets");
    kw_rejects("tag", "session,5,frames");
}

static void test_packets_and_restart(void **state)
{
    (void)state;
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    struct cn_rule r = tag_rule("session,3,packets", 7);
    struct cn_packet alerting = pkt(&f, 100, 60);
    cn_tag_flow_add(&r, &alerting);
    const uint64_t secs[5] = {100, 100, 100, 100, 100};
    /* the alerting packet and two more make three: then the entry is gone */
    assert_int_equal(run(&f, secs, 1, 60), 0);
    assert_int_equal(run(&f, secs, 4, 60), 0x3);
    assert_int_equal(((struct cn_flow_detect *)f.detect)->ntags, 0);
    /* a new alert adds it again; a later alert of the same rule restarts the count */
    cn_tag_flow_add(&r, &alerting);
    assert_int_equal(run(&f, secs, 2, 60), 0x2);
    cn_tag_flow_add(&r, &alerting);
    assert_int_equal(((struct cn_flow_detect *)f.detect)->ntags, 1);
    /* (a restart does not skip a packet again: the alerting one is tagged too, as in Suricata) */
    assert_int_equal(run(&f, secs, 3, 60), 0x7);
    /* restarts are bounded: after ten, a further alert no longer extends the tag */
    for (int i = 0; i < 20; i++)
        cn_tag_flow_add(&r, &alerting);
    assert_int_equal(run(&f, secs, 2, 60), 0x3);
    cn_tag_flow_add(&r, &alerting);
    assert_int_equal(run(&f, secs, 2, 60), 0x1);
    cn_detect_flow_end(&f);
    assert_null(f.detect);
}

static void test_bytes_seconds_and_several(void **state)
{
    (void)state;
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    struct cn_rule bytes = tag_rule("session,250,bytes", 1);
    struct cn_rule secs = tag_rule("session,10,seconds", 2);
    struct cn_packet alerting = pkt(&f, 100, 100);
    cn_tag_flow_add(&bytes, &alerting);
    cn_tag_flow_add(&secs, &alerting);
    assert_int_equal(((struct cn_flow_detect *)f.detect)->ntags, 2);
    /* 100 (first) + 100 + 100 > 250 at the third; seconds keep tagging up to 10 s later */
    const uint64_t t[5] = {100, 101, 105, 110, 111};
    assert_int_equal(run(&f, t, 5, 100), 0x2 | 0x4 | 0x8);
    assert_int_equal(((struct cn_flow_detect *)f.detect)->ntags, 0);
    cn_detect_flow_end(&f);
}

static void test_ignored_packets(void **state)
{
    (void)state;
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    struct cn_rule none;
    memset(&none, 0, sizeof(none));
    struct cn_packet p = pkt(&f, 1, 60);
    cn_tag_flow_add(&none, &p); /* a rule without tag: nothing */
    assert_null(f.detect);
    struct cn_rule r = tag_rule("session", 3);
    struct cn_packet nof = pkt(NULL, 1, 60);
    cn_tag_flow_add(&r, &nof);
    cn_detect_tags(&nof);
    assert_int_equal(nof.flags, 0);
    cn_tag_flow_add(&r, &p);
    const uint64_t s[1] = {1};
    assert_int_equal(run(&f, s, 1, 60), 0); /* the alerting packet */
    struct cn_packet pseudo = pkt(&f, 2, 60);
    pseudo.flags = CN_PKT_PSEUDO;
    cn_detect_tags(&pseudo);
    assert_false(pseudo.flags & CN_PKT_TAGGED);
    assert_int_equal(run(&f, s, 1, 60), 0x1);
    cn_detect_flow_end(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_packets_and_restart),
        cmocka_unit_test(test_bytes_seconds_and_several),
        cmocka_unit_test(test_ignored_packets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
