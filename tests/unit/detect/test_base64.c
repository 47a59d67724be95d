/* Unit tests of base64_decode and base64_data (kw/base64_decode.c, kw/base64_data.c): the
 * decoder on RFC 4648's test vectors, its stop at the first byte outside the alphabet and
 * short final groups; the options (bytes, offset, relative) and their errors; a match needing
 * both keywords; the payload list ending at base64_decode; retrying the relative content;
 * hostile input (random bytes, budget). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "payload_harness.h"

static void expect_decode(const char *in, const char *out)
{
    uint8_t buf[256];
    uint32_t n = cn_base64_decode((const uint8_t *)in, (uint32_t)strlen(in), buf);
    if (n != strlen(out) || memcmp(buf, out, n) != 0)
        fail_msg("'%s' decoded to %u bytes '%.*s', want '%s'", in, n, (int)n, buf, out);
}

static void test_decoder(void **state)
{
    (void)state;
    /* RFC 4648 section 10 */
    expect_decode("", "");
    expect_decode("Zg==", "f");
    expect_decode("Zm8=", "fo");
    expect_decode("Zm9v", "foo");
    expect_decode("Zm9vYg==", "foob");
    expect_decode("Zm9vYmE=", "fooba");
    expect_decode("Zm9vYmFy", "foobar");
    /* unpadded short groups, the stop at the first byte outside the alphabet */
    expect_decode("Zm9vYg", "foob");
    expect_decode("Zm9v\r\nYmFy", "foo");
    expect_decode("Zm9v YmFy", "foo");
    expect_decode("Z", "");
    expect_decode("!Zm9v", "");
    expect_decode("dGVzdAo=&not_base64", "test\n");
    /* random bytes: never more than three bytes per four in */
    uint8_t in[512], out[512];
    srand(7);
    for (int k = 0; k < 2000; k++) {
        uint32_t n = (uint32_t)(rand() % 512);
        for (uint32_t i = 0; i < n; i++)
            in[i] = (uint8_t)rand();
        assert_true(cn_base64_decode(in, n, out) <= n / 4 * 3 + 2);
    }
}

static void test_options(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "base64_decode; base64_data; content:\"x\"");
    rb_free(&x);
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"a\"; base64_decode:bytes 8, offset 1, relative; base64_data; "
              "content:\"test\"");
    rb_free(&x);
    rb_fails("base64_decode:bytes 0", "bytes above 0");
    rb_fails("base64_decode:bytes 70000", "up to 65535");
    rb_fails("base64_decode:offset x", "base64_decode takes");
    rb_fails("base64_decode:relative 3", "base64_decode takes");
    rb_fails("base64_decode:bytes 1, bytes 2", "base64_decode takes");
    rb_fails("base64_decode:frobnicate", "base64_decode takes");
    rb_fails("base64_data; content:\"x\"", "needs a base64_decode");
    rb_fails("base64_decode; base64_data; base64_decode", "cannot inspect base64_data");
}

static void test_matching(void **state)
{
    (void)state;
    /* Suricata's documented example: decode 8 bytes one byte after "somestring" */
    const char *uri = "GET /en/somestring&dGVzdAo=&not_base64";
    const char *rule = "content:\"somestring\"; base64_decode:bytes 8, offset 1, relative; "
                       "base64_data; content:\"test\"";
    HIT(rule, uri);
    MISS("content:\"somestring\"; base64_decode:bytes 8, offset 2, relative; base64_data; "
         "content:\"test\"",
         uri);
    /* absolute: from the buffer's start plus offset */
    HIT("base64_decode:offset 4; base64_data; content:\"foobar\"; startswith", "xxx Zm9vYmFy");
    MISS("base64_decode:offset 4, bytes 4; base64_data; content:\"foobar\"", "xxx Zm9vYmFy");
    /* without base64_data nothing matches; nothing decoded never matches */
    MISS("content:\"Zm9v\"; base64_decode", "Zm9vYmFy");
    MISS("base64_decode; base64_data; content:!\"x\"", "!!!!");
    /* the list ends at base64_decode, as in Suricata: a later content is not checked */
    HIT("base64_decode; base64_data; content:\"foo\"; pkt_data; content:\"absent\"", "Zm9v");
    /* the relative content is retried at its next occurrence */
    HIT("content:\"=\"; base64_decode:relative; base64_data; content:\"bar\"", "=Zm9v =YmFy");
    /* an offset at or past the end of the buffer */
    MISS("base64_decode:offset 4; base64_data; content:\"a\"", "YWFh");
}

/* 60,000 occurrences of the relative content, each followed by up to 60 KB of base64: the
 * inspection budget bounds the decoding (unbounded, this would decode some 3.6 GB). */
static void test_budget(void **state)
{
    (void)state;
    size_t n = 60000;
    char *buf = malloc(n + 1);
    assert_non_null(buf);
    memset(buf, 'Q', n);
    buf[n] = '\0';
    MISS("content:\"QQ\"; base64_decode:relative; base64_data; content:\"nothing\"", buf);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoder),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
