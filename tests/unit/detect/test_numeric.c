/* The shared numeric comparison (src/detect/kw/numeric.c): every operator and its boundaries,
 * per-keyword bounds and operator sets, hexadecimal forms, and malformed values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "detect/kw/numeric.h"

static const struct cn_num_spec u8_all = {.max = UINT8_MAX, .ops = CN_NUM_OPS_ALL};
static const struct cn_num_spec u16_all = {.max = UINT16_MAX, .ops = CN_NUM_OPS_ALL};
static const struct cn_num_spec u32_eq = {.max = UINT32_MAX, .ops = CN_NUM_OPS_EQ};

static struct cn_num parse_ok(const char *text, const struct cn_num_spec *spec)
{
    struct cn_num n;
    char err[128] = "";
    int rc = cn_num_parse(&n, text, spec, err, sizeof(err));
    if (rc != 0)
        fail_msg("'%s' rejected: %s", text, err);
    return n;
}

static void parse_bad(const char *text, const struct cn_num_spec *spec)
{
    struct cn_num n;
    char err[128] = "";
    int rc = cn_num_parse(&n, text, spec, err, sizeof(err));
    if (rc != -CN_EINVAL)
        fail_msg("'%s' accepted", text ? text : "(null)");
    assert_true(err[0] != '\0'); /* a reason is always given */
}

static void test_equal(void **state)
{
    (void)state;
    const char *forms[] = {"10", "=10", " 10 ", "= 10", "\"10\"", "\" 10 \""};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        struct cn_num n = parse_ok(forms[i], &u8_all);
        assert_int_equal(n.op, CN_NUM_EQ);
        assert_true(cn_num_match(&n, 10));
        assert_false(cn_num_match(&n, 9));
        assert_false(cn_num_match(&n, 11));
    }
    struct cn_num z = parse_ok("0", &u8_all);
    assert_true(cn_num_match(&z, 0));
    assert_false(cn_num_match(&z, 1));
}

static void test_not_equal(void **state)
{
    (void)state;
    const char *forms[] = {"!9", "!=9", "! 9", " != 9 "};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        struct cn_num n = parse_ok(forms[i], &u8_all);
        assert_int_equal(n.op, CN_NUM_NE);
        assert_false(cn_num_match(&n, 9));
        assert_true(cn_num_match(&n, 8));
        assert_true(cn_num_match(&n, 10));
    }
}

static void test_less_greater(void **state)
{
    (void)state;
    struct cn_num n = parse_ok("<10", &u16_all);
    assert_int_equal(n.op, CN_NUM_LT);
    assert_true(cn_num_match(&n, 0));
    assert_true(cn_num_match(&n, 9));
    assert_false(cn_num_match(&n, 10));

    n = parse_ok("<=10", &u16_all);
    assert_int_equal(n.op, CN_NUM_LE);
    assert_true(cn_num_match(&n, 10));
    assert_false(cn_num_match(&n, 11));

    n = parse_ok("> 8", &u16_all);
    assert_int_equal(n.op, CN_NUM_GT);
    assert_false(cn_num_match(&n, 8));
    assert_true(cn_num_match(&n, 9));

    n = parse_ok(">=10", &u16_all);
    assert_int_equal(n.op, CN_NUM_GE);
    assert_false(cn_num_match(&n, 9));
    assert_true(cn_num_match(&n, 10));
    assert_true(cn_num_match(&n, 65535));
}

static void test_ranges(void **state)
{
    (void)state;
    /* Suricata's ranges exclude both ends: 8<>20 is 9..19. */
    const char *forms[] = {"8<>20", "8-20", "8 <> 20", " 8 - 20 "};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        struct cn_num n = parse_ok(forms[i], &u16_all);
        assert_int_equal(n.op, CN_NUM_RANGE);
        assert_false(cn_num_match(&n, 8));
        assert_true(cn_num_match(&n, 9));
        assert_true(cn_num_match(&n, 19));
        assert_false(cn_num_match(&n, 20));
    }
    struct cn_num n = parse_ok("!8-20", &u16_all);
    assert_int_equal(n.op, CN_NUM_NOT_RANGE);
    assert_true(cn_num_match(&n, 8));
    assert_false(cn_num_match(&n, 9));
    assert_false(cn_num_match(&n, 19));
    assert_true(cn_num_match(&n, 20));
    /* the smallest range holds one value */
    n = parse_ok("4-6", &u8_all);
    assert_true(cn_num_match(&n, 5));
    assert_false(cn_num_match(&n, 4));
    assert_false(cn_num_match(&n, 6));
}

static void test_bounds(void **state)
{
    (void)state;
    struct cn_num n = parse_ok("255", &u8_all);
    assert_true(cn_num_match(&n, 255));
    parse_bad("256", &u8_all);
    n = parse_ok("65535", &u16_all);
    assert_true(cn_num_match(&n, 65535));
    parse_bad("65536", &u16_all);
    n = parse_ok("4294967295", &u32_eq);
    assert_true(cn_num_match(&n, 4294967295u));
    parse_bad("4294967296", &u32_eq);
    /* far too many digits: rejected, not wrapped */
    parse_bad("99999999999999999999999999999999", &u32_eq);
    parse_bad("18446744073709551617", &u32_eq);
    parse_bad("1-256", &u8_all);
    /* never or always true comparisons */
    parse_bad("<0", &u8_all);
    parse_bad(">255", &u8_all);
    parse_bad(">=0", &u8_all);
    parse_bad("<=255", &u8_all);
    n = parse_ok(">254", &u8_all);
    assert_true(cn_num_match(&n, 255));
    n = parse_ok("<1", &u8_all);
    assert_true(cn_num_match(&n, 0));
}

static void test_operator_sets(void **state)
{
    (void)state;
    parse_bad("<5", &u32_eq);
    parse_bad("!5", &u32_eq);
    parse_bad("3-9", &u32_eq);
    static const struct cn_num_spec eqne = {.max = 255, .ops = CN_NUM_OPS_EQ_NE};
    struct cn_num n = parse_ok("!5", &eqne);
    assert_int_equal(n.op, CN_NUM_NE);
    parse_bad(">5", &eqne);
    static const struct cn_num_spec simple = {.max = 255, .ops = CN_NUM_OPS_SIMPLE};
    parse_ok(">5", &simple);
    parse_bad(">=5", &simple);
    parse_bad("3<>9", &simple);
}

static void test_hex(void **state)
{
    (void)state;
    parse_bad("0x10", &u8_all);
    parse_bad("x10", &u8_all);
    static const struct cn_num_spec hex = {
        .max = 255, .ops = CN_NUM_OPS_EQ_NE, .flags = CN_NUM_HEX | CN_NUM_XHEX};
    struct cn_num n = parse_ok("0x1F", &hex);
    assert_true(cn_num_match(&n, 31));
    n = parse_ok("!x1f", &hex);
    assert_int_equal(n.op, CN_NUM_NE);
    assert_false(cn_num_match(&n, 31));
    assert_true(cn_num_match(&n, 30));
    n = parse_ok("16", &hex);
    assert_true(cn_num_match(&n, 16));
    parse_bad("0x", &hex);
    parse_bad("x", &hex);
    parse_bad("0x100", &hex);
    parse_bad("0xg", &hex);
}

static void test_malformed(void **state)
{
    (void)state;
    const char *bad[] = {
        "",    "   ",  "\"\"", "abc", "5x",  "-5",   "+5",    "5-",  "-",   "<",
        "!",   "!=",   "5 6",  "5,6", "<>5", "<5-7", ">5<>9", "7-3", "5-5", "5-6",
        "5<>", "5--7", "<<5",  "=<5", "\"5", "5\"",  "5;",    "1.5", "=!5", "! !5",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        parse_bad(bad[i], &u16_all);
    parse_bad(NULL, &u16_all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal),        cmocka_unit_test(test_not_equal),
        cmocka_unit_test(test_less_greater), cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_bounds),       cmocka_unit_test(test_operator_sets),
        cmocka_unit_test(test_hex),          cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
