/* Unit tests of src/detect/port.c: any, single ports, open and closed ranges, nested lists,
 * negation (of ports, ranges and lists), variables from the stock set and the configuration,
 * merging, and the refusal of bad syntax, loops and hostile nesting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

static void parse_ok(struct cn_port_set *s, const char *text, const struct cn_detect_vars *v)
{
    char err[128] = "";
    if (cn_port_set_parse(s, text, v, err, sizeof(err)) != 0)
        fail_msg("'%s' rejected: %s", text, err);
}

static void parse_bad(const char *text, const struct cn_detect_vars *v)
{
    struct cn_port_set s;
    char err[128] = "";
    if (cn_port_set_parse(&s, text, v, err, sizeof(err)) != -CN_EINVAL)
        fail_msg("'%s' accepted", text);
    assert_true(err[0] != '\0');
    assert_null(s.v);
    assert_false(s.any);
}

#define IN(s, p)  assert_true(cn_port_set_match((s), (p)))
#define OUT(s, p) assert_false(cn_port_set_match((s), (p)))

static void test_basic(void **state)
{
    (void)state;
    struct cn_port_set s;
    parse_ok(&s, "any", NULL);
    assert_true(s.any);
    cn_port_set_free(&s);

    parse_ok(&s, "80", NULL);
    IN(&s, 80);
    OUT(&s, 79);
    OUT(&s, 81);
    cn_port_set_free(&s);

    parse_ok(&s, "1024:", NULL);
    IN(&s, 1024);
    IN(&s, 65535);
    OUT(&s, 1023);
    cn_port_set_free(&s);

    parse_ok(&s, ":1023", NULL);
    IN(&s, 0);
    IN(&s, 1023);
    OUT(&s, 1024);
    cn_port_set_free(&s);

    parse_ok(&s, "80:90", NULL);
    IN(&s, 80);
    IN(&s, 90);
    OUT(&s, 91);
    cn_port_set_free(&s);

    parse_ok(&s, "0:65535", NULL);
    assert_true(s.any);
    cn_port_set_free(&s);
}

static void test_lists_and_negation(void **state)
{
    (void)state;
    struct cn_port_set s;
    parse_ok(&s, "[80, 443, 8000:8080, [21,22]]", NULL);
    assert_int_equal(s.n, 4); /* 21-22 merge */
    IN(&s, 21);
    IN(&s, 22);
    IN(&s, 443);
    IN(&s, 8040);
    OUT(&s, 23);
    OUT(&s, 8081);
    cn_port_set_free(&s);

    parse_ok(&s, "!80", NULL);
    IN(&s, 79);
    IN(&s, 0);
    IN(&s, 65535);
    OUT(&s, 80);
    assert_int_equal(s.n, 2);
    cn_port_set_free(&s);

    parse_ok(&s, "[1:1024,!80,!443]", NULL);
    IN(&s, 1);
    IN(&s, 81);
    IN(&s, 1024);
    OUT(&s, 80);
    OUT(&s, 443);
    OUT(&s, 0);
    OUT(&s, 1025);
    cn_port_set_free(&s);

    parse_ok(&s, "![1:1024,!80]", NULL);
    IN(&s, 80);
    IN(&s, 0);
    IN(&s, 2000);
    OUT(&s, 81);
    OUT(&s, 1);
    cn_port_set_free(&s);

    parse_ok(&s, "[!80,!443]", NULL);
    IN(&s, 81);
    OUT(&s, 80);
    OUT(&s, 443);
    cn_port_set_free(&s);
}

static void test_vars(void **state)
{
    (void)state;
    struct cn_port_set s;
    parse_ok(&s, "$HTTP_PORTS", stock);
    IN(&s, 80);
    OUT(&s, 8080);
    cn_port_set_free(&s);

    parse_ok(&s, "$SHELLCODE_PORTS", stock);
    OUT(&s, 80);
    IN(&s, 81);
    cn_port_set_free(&s);

    parse_ok(&s, "$FILE_DATA_PORTS", stock); /* [$HTTP_PORTS,110,143] */
    IN(&s, 80);
    IN(&s, 110);
    IN(&s, 143);
    OUT(&s, 111);
    cn_port_set_free(&s);

    parse_ok(&s, "$SIP_PORTS", stock); /* "[5060, 5061]" with a space */
    IN(&s, 5061);
    assert_int_equal(s.n, 1);
    cn_port_set_free(&s);

    parse_ok(&s, "[!$HTTP_PORTS,!$SSH_PORTS]", stock);
    OUT(&s, 80);
    OUT(&s, 22);
    IN(&s, 23);
    cn_port_set_free(&s);

    char err[128];
    struct cn_conf *conf = cn_conf_new();
    assert_non_null(conf);
    assert_int_equal(cn_conf_set(conf, "vars.port-groups.HTTP_PORTS=[80,8080]", err, sizeof(err)),
                     0);
    assert_int_equal(cn_conf_set(conf, "vars.port-groups.A=$B", err, sizeof(err)), 0);
    assert_int_equal(cn_conf_set(conf, "vars.port-groups.B=[1,$A]", err, sizeof(err)), 0);
    struct cn_detect_vars *v = cn_detect_vars_new(conf);
    assert_non_null(v);
    parse_ok(&s, "$FILE_DATA_PORTS", v); /* stock variable over the configured HTTP_PORTS */
    IN(&s, 8080);
    IN(&s, 110);
    cn_port_set_free(&s);
    parse_bad("$A", v);
    parse_bad("$HOME_NET", v); /* an address variable is not a port variable */
    cn_detect_vars_free(v);
    cn_conf_free(conf);

    parse_bad("$UNDEFINED_PORTS", stock);
    parse_bad("$HTTP_PORTS", NULL);
}

static void test_bad(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",    "65536",  "-1",   "80:70",   ":",    "80::90",   "abc",      "8o",
        "[80", "80]",    "[]",   "[80,]",   "!any", "[80,!80]", "!0:65535", "1 2",
        "$",   "999999", "0x50", "[[80]],", "!",    "[,80]",
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(bad); i++)
        parse_bad(bad[i], stock);

    size_t depth = 4000;
    char *t = malloc(depth * 2 + 8);
    assert_non_null(t);
    memset(t, '[', depth);
    strcpy(t + depth, "80");
    memset(t + depth + 2, ']', depth);
    t[depth * 2 + 2] = '\0';
    parse_bad(t, stock);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_lists_and_negation),
        cmocka_unit_test(test_vars),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, setup_vars, teardown_vars);
}
