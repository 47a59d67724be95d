/* The bounds-checked cursor: reads inside the buffer succeed, any read past it sets the
 * sticky error flag and returns zeros, and sub-cursors never reach past their parent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/core.h"

static void reads_in_bounds(void **state)
{
    (void)state;
    const uint8_t buf[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
    struct cn_cursor c = cn_cursor_init(buf, sizeof(buf));
    assert_int_equal(cn_cur_u8(&c), 0x01);
    assert_int_equal(cn_cur_be16(&c), 0x0203);
    assert_int_equal(cn_cur_be32(&c), 0x04050607);
    assert_true(cn_cur_ok(&c));
    assert_int_equal(cn_cur_left(&c), 0);
}

static void read_past_end_is_sticky(void **state)
{
    (void)state;
    const uint8_t buf[] = {0xaa, 0xbb, 0xcc};
    struct cn_cursor c = cn_cursor_init(buf, sizeof(buf));
    assert_int_equal(cn_cur_be32(&c), 0);
    assert_false(cn_cur_ok(&c));
    /* later reads that would fit still fail: the error is sticky */
    assert_int_equal(cn_cur_u8(&c), 0);
    assert_null(cn_cur_bytes(&c, 1));
    assert_int_equal(cn_cur_left(&c), 0);
}

static void little_endian_and_skip(void **state)
{
    (void)state;
    const uint8_t buf[] = {0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xff};
    struct cn_cursor c = cn_cursor_init(buf, sizeof(buf));
    assert_int_equal(cn_cur_le16(&c), 0x1234);
    assert_int_equal(cn_cur_le32(&c), 0x12345678);
    cn_cur_skip(&c, 2);
    assert_false(cn_cur_ok(&c));
}

static void sub_cursor_is_bounded(void **state)
{
    (void)state;
    const uint8_t buf[] = {2, 0xde, 0xad, 0xbe};
    struct cn_cursor c = cn_cursor_init(buf, sizeof(buf));
    uint8_t n = cn_cur_u8(&c);
    struct cn_cursor sub = cn_cursor_sub(&c, n);
    assert_true(cn_cur_ok(&sub));
    assert_int_equal(cn_cur_be16(&sub), 0xdead);
    assert_int_equal(cn_cur_u8(&sub), 0); /* the sub-cursor ends before 0xbe */
    assert_false(cn_cur_ok(&sub));
    assert_true(cn_cur_ok(&c)); /* the parent is unaffected */
    assert_int_equal(cn_cur_u8(&c), 0xbe);
    struct cn_cursor bad = cn_cursor_sub(&c, 5);
    assert_false(cn_cur_ok(&bad));
    assert_false(cn_cur_ok(&c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_in_bounds),
        cmocka_unit_test(read_past_end_is_sticky),
        cmocka_unit_test(little_endian_and_skip),
        cmocka_unit_test(sub_cursor_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
