/* Unit tests of src/detect/parse.c: the rule header (every action, every protocol name,
 * family-only protocols, directions, addresses and ports with variables), option splitting
 * (escaped ';', ';' and ':' inside quotes, white space), keyword dispatch and its errors
 * (unknown keyword, value where none is allowed, missing value), and the defaults a rule gets
 * (gid 1, rev 0, priority 3 or the class's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "detect/detect_int.h"

static struct cn_detect_loader ld;
static struct cn_detect_vars *vars;

static int setup_loader(void **state)
{
    (void)state;
    vars = cn_detect_vars_new(NULL);
    if (vars == NULL || cn_detect_classes_load(&ld, NULL) != 0)
        return -1;
    ld.vars = vars;
    return 0;
}

static int teardown_loader(void **state)
{
    (void)state;
    cn_detect_loader_clear(&ld);
    cn_detect_vars_free(vars);
    return 0;
}

static struct cn_rule *ok(const char *text)
{
    char err[160] = "";
    struct cn_rule *r = cn_rule_parse(text, &ld, err, sizeof(err));
    if (r == NULL)
        fail_msg("rule rejected: %s\n  %s", err, text);
    return r;
}

/* The rule must fail with exactly this reason. */
static void bad(const char *text, const char *reason)
{
    char err[160] = "";
    struct cn_rule *r = cn_rule_parse(text, &ld, err, sizeof(err));
    if (r != NULL) {
        cn_rule_free(r);
        fail_msg("rule accepted: %s", text);
    }
    if (strcmp(err, reason) != 0)
        fail_msg("reason '%s', expected '%s'\n  %s", err, reason, text);
}

/* The rule must fail with a reason that starts with prefix. */
static void bad_prefix(const char *text, const char *prefix)
{
    char err[160] = "";
    struct cn_rule *r = cn_rule_parse(text, &ld, err, sizeof(err));
    if (r != NULL) {
        cn_rule_free(r);
        fail_msg("rule accepted: %s", text);
    }
    if (strncmp(err, prefix, strlen(prefix)) != 0)
        fail_msg("reason '%s', expected '%s...'\n  %s", err, prefix, text);
}

static void test_actions(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum cn_action a;
    } acts[] = {
        {"alert", CN_ACTION_ALERT},
        {"pass", CN_ACTION_PASS},
        {"drop", CN_ACTION_DROP},
        {"reject", CN_ACTION_REJECT},
        {"rejectsrc", CN_ACTION_REJECTSRC},
        {"rejectdst", CN_ACTION_REJECTDST},
        {"rejectboth", CN_ACTION_REJECTBOTH},
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(acts); i++) {
        char text[128];
        snprintf(text, sizeof(text), "%s tcp any any -> any any (sid:%zu;)", acts[i].name, i + 1);
        struct cn_rule *r = ok(text);
        assert_int_equal(r->action, acts[i].a);
        assert_string_equal(cn_action_name(r->action), acts[i].name);
        cn_rule_free(r);
    }
    bad("alarm tcp any any -> any any (sid:1;)", "unknown action 'alarm'");
    bad("log tcp any any -> any any (sid:1;)", "unknown action 'log'");
}

static void test_protocols(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int proto; /* -1: any */
        bool app;
    } protos[] = {
        {"ip", -1, false},        {"pkthdr", -1, false}, {"tcp", 6, false},
        {"udp", 17, false},       {"icmp", 1, false},    {"icmpv4", 1, false},
        {"icmpv6", 58, false},    {"sctp", 132, false},  {"tcp-pkt", 6, false},
        {"tcp-stream", 6, false}, {"http", 6, true},     {"tls", 6, true},
        {"ssh", 6, true},         {"dns", -1, true},     {"TCP", 6, false},
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(protos); i++) {
        char text[128];
        snprintf(text, sizeof(text), "alert %s any any -> any any (sid:1;)", protos[i].name);
        struct cn_rule *r = ok(text);
        if (protos[i].proto < 0) {
            assert_true(r->proto_any);
        } else {
            assert_false(r->proto_any);
            assert_int_equal(r->proto, protos[i].proto);
        }
        assert_int_equal(r->app_proto != 0, protos[i].app);
        assert_true(r->src.any && r->dst.any && r->sp.any && r->dp.any);
        cn_rule_free(r);
    }
    /* distinct application protocols get distinct ids */
    struct cn_rule *h = ok("alert http any any -> any any (sid:1;)");
    struct cn_rule *d = ok("alert dns any any -> any any (sid:1;)");
    assert_int_not_equal(h->app_proto, d->app_proto);
    cn_rule_free(h);
    cn_rule_free(d);

    /* the ids are src/app's: what protocol detection puts on flows */
    struct cn_rule *s = ok("alert smtp any any -> any any (sid:1;)");
    assert_int_equal(s->app_proto, CN_ALPROTO_SMTP);
    assert_int_equal(s->proto, 6);
    cn_rule_free(s);
    s = ok("alert http1 any any -> any any (sid:1;)");
    assert_int_equal(s->app_proto, CN_ALPROTO_HTTP1);
    cn_rule_free(s);
    bad("alert modbus any any -> any any (sid:1;)", "unsupported protocol 'modbus'");
    bad("alert foo any any -> any any (sid:1;)", "unsupported protocol 'foo'");
}

static void test_family_protocols(void **state)
{
    (void)state;
    struct cn_rule *r = ok("alert ipv6 any any -> any any (sid:1;)");
    assert_true(r->proto_any);
    assert_false(r->src.any || r->dst.any);
    assert_int_equal(r->src.n4, 0);
    assert_int_equal(r->src.n6, 1);
    union cn_addr a;
    memset(&a, 0, sizeof(a));
    a.b[0] = 0x20;
    assert_true(cn_addr_set_match(&r->src, &a, 6));
    assert_false(cn_addr_set_match(&r->src, &a, 4));
    cn_rule_free(r);

    r = ok("alert ip4 [10.0.0.0/8,2001:db8::/32] any -> any any (sid:1;)");
    assert_int_equal(r->src.n4, 1);
    assert_int_equal(r->src.n6, 0);
    assert_int_equal(r->dst.n4, 1);
    cn_rule_free(r);

    bad("alert ipv4 2001:db8::1 any -> any any (sid:1;)", "address set has no IPv4 address");
}

static void test_header_fields(void **state)
{
    (void)state;
    struct cn_rule *r = ok("alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)");
    assert_false(r->flags & CN_RULE_BIDIR);
    assert_false(r->src.any);
    assert_int_equal(r->src.n4, 3);
    assert_true(r->sp.any);
    assert_true(cn_port_set_match(&r->dp, 80));
    assert_false(cn_port_set_match(&r->dp, 81));
    cn_rule_free(r);

    r = ok("  alert\tudp [1.2.3.4, 5.6.7.8] [53, 5353] <> any !53   (sid:2;)  ");
    assert_true(r->flags & CN_RULE_BIDIR);
    assert_int_equal(r->src.n4, 2);
    assert_true(cn_port_set_match(&r->sp, 5353));
    assert_false(cn_port_set_match(&r->dp, 53));
    cn_rule_free(r);

    bad_prefix("alert tcp any any <- any any (sid:1;)", "bad direction");
    bad_prefix("alert tcp any any => any any (sid:1;)", "bad direction");
    bad_prefix("alert tcp any any any any (sid:1;)", "bad rule header");
    bad_prefix("alert tcp any any -> any any any (sid:1;)", "bad rule header");
    bad_prefix("alert tcp any -> any (sid:1;)", "bad rule header");
    bad_prefix("alert tcp 1.2.3.256 any -> any any (sid:1;)", "bad address");
    bad_prefix("alert tcp any 70000 -> any any (sid:1;)", "bad port");
    bad_prefix("alert tcp $NOPE any -> any any (sid:1;)", "undefined address variable");
    bad_prefix("alert tcp any any -> any $NOPE (sid:1;)", "undefined port variable");
    bad_prefix("alert tcp !any any -> any any (sid:1;)", "address set matches nothing");
    bad("alert tcp any any -> any any", "rule has no (options)");
    bad("alert tcp any any -> any any (sid:1;) extra", "text after the closing ')'");
}

static void test_option_splitting(void **state)
{
    (void)state;
    struct cn_rule *r = ok("alert tcp any any -> any any (msg:\"a\\;b\"; sid:1;)");
    assert_string_equal(cn_rule_msg(r), "a;b");
    cn_rule_free(r);

    /* ';' and ':' inside quotes do not split */
    r = ok("alert tcp any any -> any any (msg:\"x; y: z\"; sid:2;)");
    assert_string_equal(cn_rule_msg(r), "x; y: z");
    assert_int_equal(r->sid, 2);
    cn_rule_free(r);

    /* escaped quotes do not end the quoted part */
    r = ok("alert tcp any any -> any any (msg:\"say \\\"hi; there\\\"\"; sid:3;)");
    assert_string_equal(cn_rule_msg(r), "say \"hi; there\"");
    cn_rule_free(r);

    /* white space around names and values; empty options are skipped */
    r = ok("alert tcp any any -> any any ( msg : \"m\" ;  sid : 4 ; ; rev:7;)");
    assert_string_equal(cn_rule_msg(r), "m");
    assert_int_equal(r->sid, 4);
    assert_int_equal(r->rev, 7);
    cn_rule_free(r);

    /* content reaches the payload list with the ';' in it */
    r = ok("alert tcp any any -> any any (content:\"a\\;b\"; content:\"|3b|\"; sid:5;)");
    assert_int_equal(r->lists[CN_LIST_PAYLOAD].n, 2);
    assert_true(r->flags & CN_RULE_HAS_PAYLOAD);
    cn_rule_free(r);

    bad("alert tcp any any -> any any (msg:\"open; sid:1;)", "unbalanced quotes in the options");
    bad("alert tcp any any -> any any (msg:\"m\"; sid:1)",
        "last option 'sid:1' not terminated by ';'");
}

static void test_keywords(void **state)
{
    (void)state;
    bad("alert tcp any any -> any any (msg:\"m\"; http.uri; content:\"x\"; sid:1;)",
        "unsupported keyword 'http.uri' (needs the http parser, not yet in cleannet)");
    bad("alert tcp any any -> any any (urilen:>5; sid:1;)",
        "unsupported keyword 'urilen' (needs the http parser, not yet in cleannet)");
    bad("alert tcp any any -> any any (foo:bar; sid:1;)", "unsupported keyword 'foo'");
    bad("alert tcp any any -> any any (msg:\"m\";)", "rule has no sid");
    bad("alert tcp any any -> any any ()", "rule has no sid");
    bad("alert tcp any any -> any any (sid;)", "sid: needs a value");
    bad("alert tcp any any -> any any (content:\"a\"; nocase:1; sid:1;)", "nocase: takes no value");
    bad_prefix("alert tcp any any -> any any (sid:abc;)", "sid: ");
    bad_prefix("alert tcp any any -> any any (sid:1; classtype:no-such-class;)", "classtype: ");
    bad_prefix("alert tcp any any -> any any (nocase; sid:1;)", "nocase: ");
    bad(":", "rule has no (options)");
    bad("", "rule has no (options)");
    bad_prefix("alert tcp any any -> any any (:x; sid:1;)", "option without a keyword name");
}

static void test_defaults(void **state)
{
    (void)state;
    struct cn_rule *r = ok("alert tcp any any -> any any (sid:10;)");
    assert_int_equal(cn_rule_gid(r), 1);
    assert_int_equal(cn_rule_rev(r), 0);
    assert_int_equal(cn_rule_priority(r), 3);
    assert_string_equal(cn_rule_msg(r), "");
    assert_string_equal(cn_rule_category(r), "");
    assert_null(cn_rule_metadata_key(r, 0));
    cn_rule_free(r);

    r = ok("alert tcp any any -> any any (msg:\"t\"; classtype:trojan-activity; gid:3; rev:2; "
           "metadata:created_at 2024_01_01, tag x; sid:11;)");
    assert_int_equal(cn_rule_gid(r), 3);
    assert_int_equal(cn_rule_rev(r), 2);
    assert_int_equal(cn_rule_priority(r), 1);
    assert_string_equal(cn_rule_category(r), "A Network Trojan was detected");
    assert_string_equal(cn_rule_metadata_key(r, 0), "created_at");
    assert_string_equal(cn_rule_metadata_value(r, 0), "2024_01_01");
    assert_string_equal(cn_rule_metadata_key(r, 1), "tag");
    cn_rule_free(r);

    /* an explicit priority wins over the class's, in either order */
    r = ok("alert tcp any any -> any any (priority:4; classtype:trojan-activity; sid:12;)");
    assert_int_equal(cn_rule_priority(r), 4);
    cn_rule_free(r);
    r = ok("alert tcp any any -> any any (classtype:misc-activity; priority:2; sid:13;)");
    assert_int_equal(cn_rule_priority(r), 2);
    cn_rule_free(r);
}

static void test_hostile(void **state)
{
    (void)state;
    /* an over-long rule is refused without parsing */
    size_t n = CN_RULE_MAX_LEN + 10;
    char *t = malloc(n + 1);
    assert_non_null(t);
    memset(t, 'a', n);
    t[n] = '\0';
    bad(t, "rule too long");

    /* many options within the bound: each is applied, the last one wins the error */
    char *p = t;
    p += sprintf(p, "alert tcp any any -> any any (");
    for (int i = 0; i < 2000; i++)
        p += sprintf(p, "msg:\"m\";");
    sprintf(p, ")");
    bad(t, "msg: duplicated msg");

    /* unbalanced parentheses and brackets */
    bad("alert tcp any any -> any any (sid:1;", "rule has no (options)");
    bad_prefix("alert tcp [1.2.3.4 any -> any any (sid:1;)", "bad rule header");
    bad_prefix("alert tcp [[[[1.2.3.4]]] any -> any any (sid:1;)", "bad rule header");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actions),          cmocka_unit_test(test_protocols),
        cmocka_unit_test(test_family_protocols), cmocka_unit_test(test_header_fields),
        cmocka_unit_test(test_option_splitting), cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_defaults),         cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, setup_loader, teardown_loader);
}
