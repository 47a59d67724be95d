/* Unit tests of src/detect/address.c and vars.c: Suricata's address syntax (any, IPv4 and IPv6
 * addresses, CIDR, netmasks, ranges, nested lists, negation, variables), how negations resolve
 * into sorted merged ranges, and the bounds on hostile input (bad syntax, variable loops,
 * deep nesting, exponential variable expansion). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "detect/detect_int.h"

static struct cn_detect_vars *stock;

static int setup_vars(void **state)
{
    (void)state;
    stock = cn_detect_vars_new(NULL);
    return stock ? 0 : -1;
}

static int teardown_vars(void **state)
{
    (void)state;
    cn_detect_vars_free(stock);
    return 0;
}

/* Does the set parsed from text contain the address ip (IPv4 or IPv6 text)? */
static bool in(const struct cn_addr_set *s, const char *ip)
{
    union cn_addr a;
    memset(&a, 0, sizeof(a));
    if (strchr(ip, ':')) {
        assert_int_equal(inet_pton(AF_INET6, ip, a.b), 1);
        return cn_addr_set_match(s, &a, 6);
    }
    assert_int_equal(inet_pton(AF_INET, ip, a.b), 1);
    return cn_addr_set_match(s, &a, 4);
}

static void parse_ok(struct cn_addr_set *s, const char *text, const struct cn_detect_vars *v)
{
    char err[128] = "";
    int rc = cn_addr_set_parse(s, text, v, err, sizeof(err));
    if (rc != 0)
        fail_msg("'%s' rejected: %s", text, err);
}

static void parse_bad(const char *text, const struct cn_detect_vars *v)
{
    struct cn_addr_set s;
    char err[128] = "";
    int rc = cn_addr_set_parse(&s, text, v, err, sizeof(err));
    if (rc != -CN_EINVAL)
        fail_msg("'%s' accepted", text);
    assert_true(err[0] != '\0');
    assert_null(s.v4);
    assert_null(s.v6);
    assert_false(s.any);
}

static void test_any_and_single(void **state)
{
    (void)state;
    struct cn_addr_set s;
    parse_ok(&s, "any", NULL);
    assert_true(s.any);
    assert_true(in(&s, "1.2.3.4") && in(&s, "2001:db8::1"));
    cn_addr_set_free(&s);

    parse_ok(&s, " 192.0.2.7 ", NULL);
    assert_false(s.any);
    assert_int_equal(s.n4, 1);
    assert_int_equal(s.n6, 0);
    assert_true(in(&s, "192.0.2.7"));
    assert_false(in(&s, "192.0.2.6"));
    assert_false(in(&s, "192.0.2.8"));
    assert_false(in(&s, "::c000:207"));
    cn_addr_set_free(&s);
}

static void test_cidr_mask_range(void **state)
{
    (void)state;
    struct cn_addr_set s;
    /* host bits are cleared, as Suricata does */
    parse_ok(&s, "10.1.2.3/16", NULL);
    assert_true(in(&s, "10.1.0.0") && in(&s, "10.1.255.255"));
    assert_false(in(&s, "10.2.0.0") || in(&s, "10.0.255.255"));
    cn_addr_set_free(&s);

    parse_ok(&s, "10.1.0.0/255.255.255.0", NULL);
    assert_true(in(&s, "10.1.0.200"));
    assert_false(in(&s, "10.1.1.0"));
    cn_addr_set_free(&s);

    parse_ok(&s, "0.0.0.0/0", NULL);
    assert_true(in(&s, "255.255.255.255") && in(&s, "0.0.0.0"));
    assert_false(in(&s, "::1"));
    cn_addr_set_free(&s);

    parse_ok(&s, "192.0.2.10-192.0.2.20", NULL);
    assert_true(in(&s, "192.0.2.10") && in(&s, "192.0.2.20") && in(&s, "192.0.2.15"));
    assert_false(in(&s, "192.0.2.9") || in(&s, "192.0.2.21"));
    cn_addr_set_free(&s);
}

static void test_ipv6(void **state)
{
    (void)state;
    struct cn_addr_set s;
    parse_ok(&s, "2001:db8::/32", NULL);
    assert_int_equal(s.n6, 1);
    assert_int_equal(s.n4, 0);
    assert_true(in(&s, "2001:db8::1") && in(&s, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
    assert_false(in(&s, "2001:db9::") || in(&s, "32.1.13.184"));
    cn_addr_set_free(&s);

    parse_ok(&s, "[fe80::1-fe80::ff, ::1, 10.0.0.0/8]", NULL);
    assert_int_equal(s.n6, 2);
    assert_int_equal(s.n4, 1);
    assert_true(in(&s, "fe80::80") && in(&s, "::1") && in(&s, "10.9.9.9"));
    assert_false(in(&s, "fe80::100") || in(&s, "::2"));
    cn_addr_set_free(&s);

    parse_ok(&s, "::/0", NULL);
    assert_true(in(&s, "ffff::") && in(&s, "::"));
    assert_false(in(&s, "1.1.1.1"));
    cn_addr_set_free(&s);
}

static void test_lists_merge(void **state)
{
    (void)state;
    struct cn_addr_set s;
    /* adjacent and overlapping blocks merge into one range */
    parse_ok(&s, "[1.2.3.0/25, 1.2.3.128/25, 1.2.3.7, [1.2.4.0-1.2.4.9]]", NULL);
    assert_int_equal(s.n4, 1);
    assert_true(in(&s, "1.2.4.9") && in(&s, "1.2.3.0"));
    assert_false(in(&s, "1.2.4.10"));
    cn_addr_set_free(&s);

    /* out of order input ends up sorted */
    parse_ok(&s, "[9.9.9.9,1.1.1.1,5.5.5.5]", NULL);
    assert_int_equal(s.n4, 3);
    assert_true(memcmp(s.v4[0].lo.b, s.v4[1].lo.b, 4) < 0);
    assert_true(memcmp(s.v4[1].lo.b, s.v4[2].lo.b, 4) < 0);
    assert_true(in(&s, "5.5.5.5") && in(&s, "9.9.9.9") && in(&s, "1.1.1.1"));
    assert_false(in(&s, "5.5.5.6") || in(&s, "0.0.0.1") || in(&s, "200.0.0.1"));
    cn_addr_set_free(&s);

    /* a list of everything is any */
    parse_ok(&s, "[0.0.0.0/0, ::/0]", NULL);
    assert_true(s.any);
    cn_addr_set_free(&s);
}

static void test_negation(void **state)
{
    (void)state;
    struct cn_addr_set s;
    parse_ok(&s, "!1.2.3.4", NULL);
    assert_true(in(&s, "1.2.3.3") && in(&s, "1.2.3.5") && in(&s, "0.0.0.0"));
    assert_false(in(&s, "1.2.3.4"));
    /* Suricata negates within the family named: no IPv6 here */
    assert_false(in(&s, "2001:db8::1"));
    assert_int_equal(s.n4, 2);
    cn_addr_set_free(&s);

    parse_ok(&s, "[1.2.3.0/24,!1.2.3.4]", NULL);
    assert_true(in(&s, "1.2.3.3") && in(&s, "1.2.3.5") && in(&s, "1.2.3.255"));
    assert_false(in(&s, "1.2.3.4") || in(&s, "1.2.4.0"));
    assert_int_equal(s.n4, 2);
    cn_addr_set_free(&s);

    parse_ok(&s, "![1.2.3.0/24,!1.2.3.4]", NULL);
    assert_true(in(&s, "1.2.3.4") && in(&s, "8.8.8.8") && in(&s, "1.2.2.255"));
    assert_false(in(&s, "1.2.3.5") || in(&s, "1.2.3.0"));
    assert_int_equal(s.n4, 3);
    cn_addr_set_free(&s);

    /* negations only: the rest of the family */
    parse_ok(&s, "[!10.0.0.0/8, !192.168.0.0/16]", NULL);
    assert_true(in(&s, "11.0.0.0") && in(&s, "192.169.0.0"));
    assert_false(in(&s, "10.5.5.5") || in(&s, "192.168.1.1"));
    cn_addr_set_free(&s);

    /* any minus something keeps the other family */
    parse_ok(&s, "[any,!10.0.0.0/8]", NULL);
    assert_false(s.any);
    assert_true(in(&s, "11.0.0.0") && in(&s, "2001:db8::1"));
    assert_false(in(&s, "10.0.0.1"));
    cn_addr_set_free(&s);

    /* double negation is the address itself */
    parse_ok(&s, "!!1.2.3.4", NULL);
    assert_true(in(&s, "1.2.3.4"));
    assert_false(in(&s, "1.2.3.5"));
    cn_addr_set_free(&s);
}

static void test_vars(void **state)
{
    (void)state;
    struct cn_addr_set s;
    parse_ok(&s, "$HOME_NET", stock);
    assert_true(in(&s, "10.1.1.1") && in(&s, "192.168.0.1") && in(&s, "172.31.255.255"));
    assert_false(in(&s, "8.8.8.8") || in(&s, "172.32.0.0"));
    cn_addr_set_free(&s);

    parse_ok(&s, "$EXTERNAL_NET", stock);
    assert_true(in(&s, "8.8.8.8"));
    assert_false(in(&s, "10.1.1.1") || in(&s, "192.168.9.9"));
    cn_addr_set_free(&s);

    /* AIM_SERVERS -> EXTERNAL_NET -> !HOME_NET, negated once more */
    parse_ok(&s, "[!$AIM_SERVERS]", stock);
    assert_true(in(&s, "10.1.1.1"));
    assert_false(in(&s, "8.8.8.8"));
    cn_addr_set_free(&s);

    parse_bad("$NO_SUCH_VAR", stock);
    parse_bad("$HOME_NET", NULL);
    parse_bad("$", stock);
}

static void test_vars_from_conf(void **state)
{
    (void)state;
    char err[128];
    struct cn_conf *conf = cn_conf_new();
    assert_non_null(conf);
    assert_int_equal(
        cn_conf_set(conf, "vars.address-groups.HOME_NET=[198.51.100.0/24]", err, sizeof(err)), 0);
    assert_int_equal(
        cn_conf_set(conf, "vars.address-groups.LOOP_A=[1.1.1.1,$LOOP_B]", err, sizeof(err)), 0);
    assert_int_equal(cn_conf_set(conf, "vars.address-groups.LOOP_B=$LOOP_A", err, sizeof(err)), 0);
    assert_int_equal(cn_conf_set(conf, "vars.address-groups.SELF=!$SELF", err, sizeof(err)), 0);
    /* exponential: each level names the previous one 16 times */
    assert_int_equal(cn_conf_set(conf, "vars.address-groups.E0=1.1.1.1", err, sizeof(err)), 0);
    for (int i = 1; i <= 5; i++) {
        char a[512];
        int o = snprintf(a, sizeof(a), "vars.address-groups.E%d=[", i);
        for (int k = 0; k < 16; k++)
            o += snprintf(a + o, sizeof(a) - (size_t)o, "%s$E%d", k ? "," : "", i - 1);
        snprintf(a + o, sizeof(a) - (size_t)o, "]");
        assert_int_equal(cn_conf_set(conf, a, err, sizeof(err)), 0);
    }
    struct cn_detect_vars *v = cn_detect_vars_new(conf);
    assert_non_null(v);

    struct cn_addr_set s;
    parse_ok(&s, "$HOME_NET", v);
    assert_true(in(&s, "198.51.100.9"));
    assert_false(in(&s, "10.0.0.1"));
    cn_addr_set_free(&s);
    /* a stock variable not in the configuration follows the configured HOME_NET */
    parse_ok(&s, "$EXTERNAL_NET", v);
    assert_true(in(&s, "10.0.0.1"));
    assert_false(in(&s, "198.51.100.9"));
    cn_addr_set_free(&s);

    parse_bad("$LOOP_A", v);
    parse_bad("$SELF", v);
    /* 16^5 elements: refused by the element bound, quickly */
    assert_int_equal(cn_addr_set_parse(&s, "$E5", v, err, sizeof(err)), -CN_EINVAL);
    assert_non_null(strstr(err, "too long"));
    parse_ok(&s, "$E3", v); /* 4096 copies of one address: fine, merged into one range */
    assert_int_equal(s.n4, 1);
    assert_true(in(&s, "1.1.1.1"));
    cn_addr_set_free(&s);

    cn_detect_vars_free(v);
    cn_conf_free(conf);
}

static void test_bad_syntax(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.256",
        "1.2.3.4/33",
        "1.2.3.4/",
        "1.2.3.4/-1",
        "::1/129",
        "1.2.3.4/255.0.255.0",
        "[1.2.3.4",
        "1.2.3.4]",
        "[1.2.3.4]]",
        "[]",
        "[,]",
        "[1.2.3.4,]",
        "!any",
        "[1.2.3.4,!1.2.3.4]",
        "1.2.3.9-1.2.3.4",
        "1.2.3.4-::1",
        "anyway",
        "!",
        "host.example",
        "[[1.2.3.4],,]",
        "1.2.3.4 5.6.7.8",
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(bad); i++)
        parse_bad(bad[i], stock);
}

static void test_hostile_nesting(void **state)
{
    (void)state;
    /* far deeper than the nesting bound: refused, not a stack overflow */
    size_t depth = 5000;
    char *t = malloc(depth * 2 + 16);
    assert_non_null(t);
    memset(t, '[', depth);
    strcpy(t + depth, "1.2.3.4");
    memset(t + depth + 7, ']', depth);
    t[depth * 2 + 7] = '\0';
    parse_bad(t, stock);
    free(t);

    /* a long flat list is fine up to the element bound */
    size_t n = 3000;
    char *l = malloc(n * 16 + 4);
    assert_non_null(l);
    char *p = l;
    *p++ = '[';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s10.%zu.%zu.1", i ? "," : "", i / 256, i % 256);
    *p++ = ']';
    *p = '\0';
    struct cn_addr_set s;
    parse_ok(&s, l, stock);
    assert_int_equal(s.n4, n);
    assert_true(in(&s, "10.5.183.1"));
    assert_false(in(&s, "10.5.183.2"));
    cn_addr_set_free(&s);
    free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_and_single),
        cmocka_unit_test(test_cidr_mask_range),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_lists_merge),
        cmocka_unit_test(test_negation),
        cmocka_unit_test(test_vars),
        cmocka_unit_test(test_vars_from_conf),
        cmocka_unit_test(test_bad_syntax),
        cmocka_unit_test(test_hostile_nesting),
    };
    return cmocka_run_group_tests(tests, setup_vars, teardown_vars);
}
