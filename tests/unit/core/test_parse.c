/* Parsing of configuration values: sizes in Suricata's units, booleans, numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/core.h"

static void sizes(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(cn_parse_size("4096", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(cn_parse_size("64mb", &v), 0);
    assert_int_equal(v, 64ULL << 20);
    assert_int_equal(cn_parse_size("32 MiB", &v), 0);
    assert_int_equal(v, 32ULL << 20);
    assert_int_equal(cn_parse_size("1gb", &v), 0);
    assert_int_equal(v, 1ULL << 30);
    assert_int_equal(cn_parse_size("8KB", &v), 0);
    assert_int_equal(v, 8192);
    assert_int_equal(cn_parse_size("banana", &v), -CN_EINVAL);
    assert_int_equal(cn_parse_size("12 parsecs", &v), -CN_EINVAL);
    assert_int_equal(cn_parse_size("-1mb", &v), -CN_EINVAL);
    assert_int_equal(cn_parse_size("", &v), -CN_EINVAL);
}

static void booleans(void **state)
{
    (void)state;
    bool b = false;
    assert_int_equal(cn_parse_bool("yes", &b), 0);
    assert_true(b);
    assert_int_equal(cn_parse_bool("Off", &b), 0);
    assert_false(b);
    assert_int_equal(cn_parse_bool("true", &b), 0);
    assert_true(b);
    assert_int_equal(cn_parse_bool("maybe", &b), -CN_EINVAL);
}

static void numbers(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(cn_parse_u64("65536", &v), 0);
    assert_int_equal(v, 65536);
    assert_int_equal(cn_parse_u64("12x", &v), -CN_EINVAL);
    assert_int_equal(cn_parse_u64("-3", &v), -CN_EINVAL);
    assert_int_equal(cn_parse_u64("99999999999999999999999", &v), -CN_EINVAL);
}

static void time_and_addr_format(void **state)
{
    (void)state;
    char t[CN_TIME_STRLEN];
    cn_time_format(1704164645123456ULL, t);
    assert_string_equal(t, "2024-01-02T03:04:05.123456+0000");
    union cn_addr a = {.b = {192, 168, 1, 5}};
    char s[CN_ADDR_STRLEN];
    cn_addr_format(&a, 4, s);
    assert_string_equal(s, "192.168.1.5");
    union cn_addr a6 = {.b = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
    cn_addr_format(&a6, 6, s);
    assert_string_equal(s, "2001:0db8:0000:0000:0000:0000:0000:0001");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes),
        cmocka_unit_test(booleans),
        cmocka_unit_test(numbers),
        cmocka_unit_test(time_and_addr_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
