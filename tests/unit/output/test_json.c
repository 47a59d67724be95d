/* Unit tests of src/output/json.c: commas and nesting, string escaping (quotes, backslash,
 * control characters, invalid UTF-8 as Suricata writes it), integers at their limits, hex,
 * MAC and IP helpers, the timestamp cache, and the sticky error on misuse and size limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "output/output_int.h"
#include "jcheck.h"

/* The builder's text as a NUL-terminated string (the builder does not terminate). */
static const char *text(struct cn_json *j)
{
    static char buf[65536];
    assert_false(j->err);
    assert_true(j->len < sizeof(buf));
    memcpy(buf, j->buf, j->len);
    buf[j->len] = '\0';
    return buf;
}

static void test_commas_and_nesting(void **state)
{
    (void)state;
    struct cn_json j;
    assert_true(cn_json_init(&j, 16)); /* tiny: forces growth */
    cn_json_open_object(&j, NULL);
    cn_json_u64(&j, "a", 1);
    cn_json_str(&j, "b", "x");
    cn_json_open_object(&j, "o");
    cn_json_close(&j);
    cn_json_open_array(&j, "arr");
    cn_json_u64(&j, NULL, 1);
    cn_json_open_object(&j, NULL);
    cn_json_bool(&j, "t", true);
    cn_json_bool(&j, "f", false);
    cn_json_null(&j, "n");
    cn_json_close(&j);
    cn_json_open_array(&j, NULL);
    cn_json_close(&j);
    cn_json_str(&j, NULL, "s");
    cn_json_close(&j);
    cn_json_i64(&j, "neg", -42);
    cn_json_close(&j);
    assert_int_equal(j.depth, 0);
    assert_string_equal(text(&j),
                        "{\"a\":1,\"b\":\"x\",\"o\":{},\"arr\":[1,{\"t\":true,\"f\":false,"
                        "\"n\":null},[],\"s\"],\"neg\":-42}");
    assert_true(jc_valid_object(j.buf, j.len));

    /* reset keeps the memory and starts a fresh record */
    cn_json_reset(&j);
    cn_json_open_object(&j, NULL);
    cn_json_close(&j);
    assert_string_equal(text(&j), "{}");
    cn_json_free(&j);
}

static void test_integers(void **state)
{
    (void)state;
    struct cn_json j;
    assert_true(cn_json_init(&j, 64));
    cn_json_open_array(&j, NULL);
    cn_json_u64(&j, NULL, 0);
    cn_json_u64(&j, NULL, 9);
    cn_json_u64(&j, NULL, 10);
    cn_json_u64(&j, NULL, UINT64_MAX);
    cn_json_i64(&j, NULL, INT64_MIN);
    cn_json_i64(&j, NULL, INT64_MAX);
    cn_json_i64(&j, NULL, 0);
    cn_json_close(&j);
    assert_string_equal(text(&j), "[0,9,10,18446744073709551615,-9223372036854775808,"
                                  "9223372036854775807,0]");
    cn_json_free(&j);
}

static void test_escaping(void **state)
{
    (void)state;
    struct cn_json j;
    assert_true(cn_json_init(&j, 64));
    cn_json_open_object(&j, NULL);
    cn_json_str(&j, "q", "a\"b\\c/d");
    const char ctl[] = {'\b', '\t', '\n', '\f', '\r', 0x01, 0x1f, 0x7f};
    cn_json_str_n(&j, "c", 1, ctl, sizeof(ctl));
    const char nul[] = {'x', 0, 'y'};
    cn_json_str_n(&j, "z", 1, nul, sizeof(nul));
    cn_json_close(&j);
    assert_string_equal(text(&j),
                        "{\"q\":\"a\\\"b\\\\c/d\",\"c\":\"\\b\\t\\n\\f\\r\\u0001\\u001f\x7f\","
                        "\"z\":\"x\\u0000y\"}");
    assert_true(jc_valid_object(j.buf, j.len));
    cn_json_free(&j);
}

static void test_utf8(void **state)
{
    (void)state;
    struct cn_json j;
    assert_true(cn_json_init(&j, 64));

    /* valid multi-byte text is kept as is */
    cn_json_open_object(&j, NULL);
    cn_json_str(&j, "u", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    cn_json_close(&j);
    assert_string_equal(text(&j), "{\"u\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}");

    /* one bad byte: Suricata then writes every byte >= 0x80 as the text \xNN */
    static const struct {
        const char *in;
        const char *want;
    } bad[] = {
        {"a\xff", "{\"b\":\"a\\\\xff\"}"},
        {"\xc3\xa9\x80", "{\"b\":\"\\\\xc3\\\\xa9\\\\x80\"}"},
        {"\xc0\xaf", "{\"b\":\"\\\\xc0\\\\xaf\"}"},                       /* overlong '/' */
        {"\xed\xa0\x80", "{\"b\":\"\\\\xed\\\\xa0\\\\x80\"}"},            /* surrogate */
        {"\xf4\x90\x80\x80", "{\"b\":\"\\\\xf4\\\\x90\\\\x80\\\\x80\"}"}, /* > U+10FFFF */
        {"\xe2\x82", "{\"b\":\"\\\\xe2\\\\x82\"}"},                       /* truncated */
        {"\"\xff\n", "{\"b\":\"\\\"\\\\xff\\n\"}"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cn_json_reset(&j);
        cn_json_open_object(&j, NULL);
        cn_json_str(&j, "b", bad[i].in);
        cn_json_close(&j);
        assert_string_equal(text(&j), bad[i].want);
        assert_true(jc_valid_object(j.buf, j.len));
    }
    cn_json_free(&j);
}

static void test_long_string(void **state)
{
    (void)state;
    /* longer than one escape chunk, mixing bytes that expand */
    size_t n = 20000;
    char *s = malloc(n);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)(i % 7 == 0 ? 0x01 : i % 5 == 0 ? 0xfe : 'a' + (int)(i % 26));
    struct cn_json j;
    assert_true(cn_json_init(&j, 64));
    cn_json_open_object(&j, NULL);
    cn_json_str_n(&j, "s", 1, s, n);
    cn_json_close(&j);
    assert_false(j.err);
    assert_true(jc_valid_object(j.buf, j.len));
    /* count the output: 6 per control byte, 5 per high byte, 1 otherwise */
    size_t want = 8;
    for (size_t i = 0; i < n; i++)
        want += (unsigned char)s[i] == 0x01 ? 6 : (unsigned char)s[i] == 0xfe ? 5 : 1;
    assert_int_equal(j.len, want);
    cn_json_free(&j);
    free(s);
}

static void test_helpers(void **state)
{
    (void)state;
    struct cn_json j;
    assert_true(cn_json_init(&j, 64));
    cn_json_open_object(&j, NULL);
    const uint8_t fl = 0x1b;
    cn_json_hex(&j, "h", &fl, 1);
    const uint8_t zero = 0;
    cn_json_hex(&j, "z", &zero, 1);
    const uint8_t mac[6] = {0x00, 0x1a, 0x2b, 0xcc, 0xdd, 0xff};
    cn_json_mac(&j, "m", mac);
    union cn_addr a4 = {.b = {10, 0, 200, 255}};
    cn_json_ip(&j, "v4", &a4, 4);
    union cn_addr a0 = {.b = {0, 0, 0, 0}};
    cn_json_ip(&j, "z4", &a0, 4);
    union cn_addr a6 = {.b = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
    cn_json_ip(&j, "v6", &a6, 6);
    cn_json_close(&j);
    assert_string_equal(text(&j), "{\"h\":\"1b\",\"z\":\"00\",\"m\":\"00:1a:2b:cc:dd:ff\","
                                  "\"v4\":\"10.0.200.255\",\"z4\":\"0.0.0.0\","
                                  "\"v6\":\"2001:0db8:0000:0000:0000:0000:0000:0001\"}");
    cn_json_free(&j);
}

static void test_time(void **state)
{
    (void)state;
    struct cn_tscache c;
    cn_tscache_init(&c);
    char a[CN_TIME_STRLEN], b[CN_TIME_STRLEN];
    /* 2024-01-02T03:04:05 UTC */
    cn_time_t base = 1704164645ULL * CN_USEC;
    cn_time_t ts[] = {base + 123456, base + 1, base + 999999, base + CN_USEC, base, 0};
    for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
        int n = cn_tscache_format(&c, ts[i], a);
        int m = cn_time_format(ts[i], b);
        assert_int_equal(n, m);
        assert_string_equal(a, b);
    }
    cn_tscache_format(&c, base + 123456, a);
    assert_string_equal(a, "2024-01-02T03:04:05.123456+0000");
    /* two seconds alternating (a flow's start and end) and a third now and then */
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 3000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        cn_time_t t = base +
                      (i % 3 == 2 ? (x % 5) * CN_USEC : (cn_time_t)(i & 1) * 86400 * CN_USEC) +
                      x % CN_USEC;
        int n = cn_tscache_format(&c, t, a);
        int m = cn_time_format(t, b);
        assert_int_equal(n, m);
        assert_string_equal(a, b);
    }

    struct cn_json j;
    assert_true(cn_json_init(&j, 64));
    cn_json_open_object(&j, NULL);
    cn_json_time(&j, "timestamp", &c, base + 7);
    cn_json_close(&j);
    assert_string_equal(text(&j), "{\"timestamp\":\"2024-01-02T03:04:05.000007+0000\"}");
    cn_json_free(&j);
}

static void test_errors(void **state)
{
    (void)state;
    struct cn_json j;
    assert_true(cn_json_init(&j, 64));
    /* close without open */
    cn_json_close(&j);
    assert_true(j.err);
    /* the error is sticky until reset */
    cn_json_open_object(&j, NULL);
    assert_true(j.err);
    cn_json_reset(&j);
    assert_false(j.err);

    /* nesting deeper than the limit */
    for (int i = 0; i < CN_JSON_MAX_DEPTH + 2; i++)
        cn_json_open_array(&j, NULL);
    assert_true(j.err);
    cn_json_reset(&j);

    /* a value larger than a record may be */
    size_t n = CN_JSON_MAX_SIZE / 4 + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 0x01, n); /* each expands to six bytes */
    cn_json_open_object(&j, NULL);
    cn_json_str_n(&j, "big", 3, big, n);
    assert_true(j.err);
    assert_true(j.cap <= CN_JSON_MAX_SIZE);
    free(big);
    cn_json_free(&j);
}

/* Allocation failure: the builder reports it instead of writing past its buffer. */
static void *fail_alloc(void *ctx, size_t size)
{
    (void)ctx;
    (void)size;
    return NULL;
}
static void *fail_realloc(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)p;
    (void)size;
    return NULL;
}
static void plain_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    struct cn_json j;
    assert_true(cn_json_init(&j, 64));
    struct cn_alloc_hook hook = {fail_alloc, fail_realloc, plain_free, NULL};
    cn_alloc_set_hook(&hook);
    cn_json_open_object(&j, NULL);
    char s[200];
    memset(s, 'a', sizeof(s));
    cn_json_str_n(&j, "s", 1, s, sizeof(s));
    assert_true(j.err);
    assert_true(j.len <= j.cap);
    cn_alloc_set_hook(NULL);
    cn_json_free(&j);

    cn_alloc_set_hook(&hook);
    struct cn_json k;
    assert_false(cn_json_init(&k, 64));
    assert_true(k.err);
    cn_alloc_set_hook(NULL);
    cn_json_free(&k);
}

static void test_proto_names(void **state)
{
    (void)state;
    assert_string_equal(cn_output_proto_name(6), "TCP");
    assert_string_equal(cn_output_proto_name(17), "UDP");
    assert_string_equal(cn_output_proto_name(1), "ICMP");
    assert_string_equal(cn_output_proto_name(58), "IPv6-ICMP");
    assert_string_equal(cn_output_proto_name(132), "SCTP");
    assert_string_equal(cn_output_proto_name(47), "GRE");
    assert_string_equal(cn_output_proto_name(143), "Ethernet");
    assert_null(cn_output_proto_name(144));
    assert_null(cn_output_proto_name(255));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commas_and_nesting),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_long_string),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_proto_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
