/* byte_test and byte_jump: parsing (operators, endianness, string bases, bitmask, the jump
 * options) and matching, absolute and relative, with jumps that land inside, at the end of
 * and outside the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "payload_harness.h"

static void test_byte_test_binary(void **state)
{
    (void)state;
    /* bytes 0..3: 00 00 01 2c = 300 big-endian */
    const char buf[] = "\x00\x00\x01\x2c"
                       "tail";
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "byte_test:4,=,300,0;");
    assert_true(rb_match_len(&x, buf, sizeof(buf) - 1, NULL));
    rb_free(&x);
    /* (HIT/MISS buffers are C strings: no NUL bytes inside) */
    HIT("byte_test:2,=,300,0;", "\x01\x2c");
    MISS("byte_test:2,=,300,0;", "\x2c\x01");
    HIT("byte_test:2,=,300,0,little;", "\x2c\x01");
    HIT("byte_test:1,>,10,0;", "\x0b");
    MISS("byte_test:1,>,10,0;", "\x0a");
    HIT("byte_test:1,!=,10,0;", "\x0b");
    HIT("byte_test:1,&,0x80,0;", "\x81");
    MISS("byte_test:1,&,0x80,0;", "\x7f");
    HIT("byte_test:1,<=,5,0;", "\x05");
    MISS("byte_test:4,=,1,2;", "\x00\x00\x01"); /* runs past the end */
}

static void test_byte_test_string_relative(void **state)
{
    (void)state;
    HIT("content:\"len=\"; byte_test:3,>,99,0,relative,string,dec;", "xx len=120 yy");
    MISS("content:\"len=\"; byte_test:3,>,200,0,relative,string,dec;", "xx len=120 yy");
    HIT("content:\"id:\"; byte_test:2,=,255,0,relative,string,hex;", "id:ff");
    HIT("content:\"n\"; byte_test:2,=,13,0,relative,string;", "n13"); /* base defaults to dec */
    MISS("byte_test:2,=,13,0,string,dec;", "zz");                     /* no digits */
    /* bitmask: 0x3c & 0xf0 = 0x30, shifted right by 4 = 3 */
    HIT("byte_test:1,=,3,0,bitmask 0xf0;", "\x3c");
}

static void test_byte_test_bad(void **state)
{
    (void)state;
    rb_fails("byte_test:4,=,1;", "expected");
    rb_fails("byte_test:9,=,1,0;", "out of range");
    rb_fails("byte_test:4,~,1,0;", "expected");
    rb_fails("byte_test:4,=,1,0,sideways;", "unknown option");
    rb_fails("byte_test:4,=,1,0,dce;", "dce");
    rb_fails("byte_test:4,=,var,0;", "unknown variable 'var'");
}

static void test_byte_jump(void **state)
{
    (void)state;
    /* length byte 3, skip three bytes, then "end" */
    HIT("byte_jump:1,0; content:\"end\"; distance:0; within:3;", "\x03"
                                                                 "abcend");
    MISS("byte_jump:1,0; content:\"end\"; distance:0; within:3;", "\x02"
                                                                  "abcend");
    /* relative to a content, string length, multiplier and post_offset */
    HIT("content:\"L\"; byte_jump:1,0,relative,string,dec,multiplier 2; content:\"Z\"; "
        "distance:0; within:1;",
        "L2abcdZ");
    HIT("content:\"L\"; byte_jump:1,0,relative,post_offset 1; content:\"Z\"; distance:0; "
        "within:1;",
        "L\x02"
        "abxZ");
    /* from_beginning and from_end */
    HIT("byte_jump:1,0,from_beginning; content:\"Q\"; distance:0; within:1;", "\x04"
                                                                              "abcQ");
    HIT("content:\"?\"; byte_jump:2,0,relative,string,from_end,post_offset -17; "
        "content:\"end?\"; distance:0;",
        "Question?13When will it end?");
    /* a jump past the end fails, one to the very end succeeds */
    MISS("byte_jump:1,0; content:\"x\"; distance:0;", "\x09"
                                                      "ab");
    HIT("byte_jump:1,0; isdataat:!1,relative;", "\x02"
                                                "ab");
    /* align rounds the jump up to a multiple of 4 */
    HIT("byte_jump:1,0,align; content:\"K\"; distance:0; within:1;", "\x02xyzwK");
    MISS("byte_jump:1,0; content:\"K\"; distance:0; within:1;", "\x02xyzwK");
}

/* Suricata's byte_jump details: zero bytes jump by post_offset alone, a jump before the
 * buffer lands on its start, a string number ends at its first non-digit (the jump counts
 * from there), strings may be up to 23 characters. */
static void test_byte_jump_suricata(void **state)
{
    (void)state;
    HIT("content:\"ab\"; byte_jump:0,0,relative,post_offset 2; content:\"e\"; distance:0; "
        "within:1;",
        "abcde");
    MISS("content:\"ab\"; byte_jump:0,0,relative,post_offset 1; content:\"e\"; distance:0; "
         "within:1;",
         "abcde");
    /* 1 + 1 - 10 is before the start: the position becomes 0, not a failure */
    HIT("byte_jump:1,0,post_offset -10; content:\"|01|\"; distance:0; within:1;", "\x01Q");
    MISS("byte_jump:1,0,post_offset -10; content:\"Q\"; distance:0; within:1;", "\x01Q");
    /* "2ab" reads 2 from one character: the jump starts after the '2' and lands on X */
    HIT("byte_jump:3,0,string,dec; content:\"X\"; distance:0; within:1;", "2abXcd");
    MISS("byte_jump:3,0,string,dec; content:\"d\"; distance:0; within:1;", "2abXcd");
    HIT("byte_jump:22,0,string,dec; isdataat:!1,relative;", "0000000000000000000000");
}

static void test_byte_jump_bad(void **state)
{
    (void)state;
    rb_fails("byte_jump:4;", "expected");
    rb_fails("byte_jump:4,0,multiplier 0;", "multiplier");
    rb_fails("byte_jump:9,0;", "out of range");
    rb_fails("byte_jump:0,0,string;", "out of range");
    rb_fails("byte_jump:24,0,string;", "out of range");
    rb_fails("byte_jump:1,0,from_beginning,from_end;", "from_end");
    rb_fails("byte_jump:1,len;", "unknown variable 'len'");
    rb_fails("byte_jump:4,0,upward;", "unknown option");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_test_binary), cmocka_unit_test(test_byte_test_string_relative),
        cmocka_unit_test(test_byte_test_bad),    cmocka_unit_test(test_byte_jump),
        cmocka_unit_test(test_byte_jump_bad),    cmocka_unit_test(test_byte_jump_suricata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
