/* Unit tests of src/detect/inspect.c: content lists run over buffers with Suricata's
 * semantics. Each modifier matches where it should and not where it should not; relative
 * chains backtrack to later occurrences; negation, isdataat and pcre (with R) follow
 * Suricata; hostile rules and patterns end in bounded time. */
#include <time.h>

#include "payload_harness.h"

static void test_content_basic(void **state)
{
    (void)state;
    HIT("content:\"abc\"", "xxabcxx");
    MISS("content:\"abc\"", "xxabxcx");
    MISS("content:\"abc\"", "");
    HIT("content:\"uid=0|28|root|29|\"", "... uid=0(root) gid=0");
    HIT("content:\"a\"; content:\"b\"", "ba"); /* not relative: order does not matter */
    MISS("content:\"a\"; content:\"c\"", "ab");
}

static void test_nocase(void **state)
{
    (void)state;
    HIT("content:\"ABC\"; nocase", "xxaBcxx");
    HIT("content:\"abc\"; nocase", "xxABCxx");
    MISS("content:\"ABC\"", "xxabcxx");
    HIT("content:\"1A\"; nocase", "xx1axx");
    MISS("content:\"ABD\"; nocase", "abcabCaBex");
    HIT("content:\"ABD\"; nocase", "abcabCaBdx");
}

static void test_depth_offset(void **state)
{
    (void)state;
    HIT("content:\"b\"; depth:2", "ab");
    MISS("content:\"b\"; depth:2", "aab");
    MISS("content:\"a\"; offset:1", "ab");
    HIT("content:\"a\"; offset:1", "ba");
    HIT("content:\"b\"; offset:1; depth:1", "ab");
    MISS("content:\"b\"; offset:1; depth:1", "aab");
    HIT("content:\"bc\"; depth:2; offset:1", "abc");
    MISS("content:\"bc\"; depth:2; offset:2", "abc");
    MISS("content:\"abc\"; offset:5", "abc"); /* window beyond the buffer */
}

static void test_distance_within(void **state)
{
    (void)state;
    HIT("content:\"a\"; content:\"c\"; distance:1", "abc");
    MISS("content:\"a\"; content:\"c\"; distance:1", "ac");
    HIT("content:\"a\"; content:\"b\"; within:1", "ab");
    MISS("content:\"a\"; content:\"b\"; within:1", "a.b");
    HIT("content:\"a\"; content:\"c\"; distance:1; within:1", "abc");
    MISS("content:\"a\"; content:\"c\"; distance:1; within:1", "abbc");
    /* negative distance reaches back before the previous match */
    HIT("content:\"bc\"; content:\"a\"; distance:-3; within:1", "abc");
    MISS("content:\"bc\"; content:\"b\"; distance:-1; within:1", "abc");
    /* a relative content with nothing before it is anchored at 0 */
    HIT("content:\"a\"; distance:0; within:1", "ab");
    MISS("content:\"a\"; distance:0; within:1", "ba");
    HIT("content:\"a\"; distance:1", "ba");
    MISS("content:\"a\"; distance:1", "ab");
}

static void test_backtracking(void **state)
{
    (void)state;
    /* the first "a" is followed by ".", the second by "b" */
    HIT("content:\"a\"; content:\"b\"; distance:0; within:1", "a.ab");
    MISS("content:\"a\"; content:\"b\"; distance:0; within:1", "a.a.b");
    /* three levels: only the last "a" starts "abc" */
    HIT("content:\"a\"; content:\"b\"; within:1; content:\"c\"; within:1", "ab.a.abc");
    MISS("content:\"a\"; content:\"b\"; within:1; content:\"c\"; within:1", "ab.a.abd");
    /* the middle content backtracks too */
    HIT("content:\"x\"; content:\"a\"; distance:0; content:\"b\"; within:1", "x a. ab");
    /* an absolute content that is missing ends the search */
    MISS("content:\"a\"; content:\"q\"; content:\"b\"; within:1", "a.ab");
}

static void test_startswith_endswith(void **state)
{
    (void)state;
    HIT("content:\"GET\"; startswith", "GET /");
    MISS("content:\"GET\"; startswith", " GET /");
    HIT("content:\"ab\"; endswith", "cab");
    MISS("content:\"ab\"; endswith", "abc");
    HIT("content:\"AB\"; nocase; endswith", "abcaB");
    HIT("content:\"ab\"; startswith; endswith", "ab");
    MISS("content:\"ab\"; startswith; endswith", "abab");
    HIT("content:\"x\"; content:\"ab\"; distance:0; endswith", "xab");
    MISS("content:\"x\"; content:\"ab\"; distance:2; endswith", "xab");
    /* distance 9, within 29: at most 38 bytes into the buffer, so a 39-byte one misses */
    MISS("content:\"yYYYYYYYYYYYYYYYY\"; distance:9; within:29; endswith",
         "0123456789abcdefghijklyYYYYYYYYYYYYYYYY");
    HIT("content:\"yYYYYYYYYYYYYYYYY\"; distance:9; within:29; endswith",
        "123456789abcdefghijklyYYYYYYYYYYYYYYYY");
}

static void test_negated(void **state)
{
    (void)state;
    HIT("content:!\"evil\"", "good");
    MISS("content:!\"evil\"", "so evil");
    HIT("content:\"a\"; content:!\"b\"; within:1", "ac");
    MISS("content:\"a\"; content:!\"b\"; within:1", "ab");
    /* the negated relative content fails after the first "a", holds after the second */
    HIT("content:\"a\"; content:!\"b\"; within:1", "ab ac");
    HIT("content:\"a\"; content:!\"b\"; distance:0", "ba");
    MISS("content:\"a\"; content:!\"b\"; distance:0", "ab");
    HIT("content:!\"b\"; depth:1", "ab");
    MISS("content:!\"a\"; depth:1", "ab");
    /* negated endswith: the buffer must not end with it */
    HIT("content:!\".google.com\"; endswith", "www.google.com.evil.net");
    MISS("content:!\".google.com\"; endswith", "www.google.com");
    HIT("content:!\"b\"; offset:10", "aaab"); /* empty window */
}

static void test_isdataat(void **state)
{
    (void)state;
    HIT("isdataat:3", "abcd");
    MISS("isdataat:3", "abc");
    HIT("isdataat:!3", "abc");
    MISS("isdataat:!3", "abcd");
    HIT("content:\"a\"; isdataat:2,relative", "abc");
    MISS("content:\"a\"; isdataat:2,relative", "ab");
    HIT("content:\"a\"; isdataat:!1,relative", "xa");
    MISS("content:\"a\"; isdataat:!1,relative", "ab");
    /* the first "a" has data after it; retrying finds the one at the end */
    HIT("content:\"a\"; isdataat:!1,relative", "aba");
    HIT("content:\"abc\"; isdataat:5,relative; content:\"x\"; distance:4; within:1", "abc1234x");
}

static void test_pcre(void **state)
{
    (void)state;
    HIT("pcre:\"/ab+c/\"", "xabbbc");
    MISS("pcre:\"/ab+c/\"", "xac");
    MISS("pcre:\"/^abc/\"", "xabc");
    HIT("pcre:\"/ABC/i\"", "xabc");
    HIT("pcre:!\"/abc/\"", "xyz");
    MISS("pcre:!\"/abc/\"", "xabc");
    HIT("pcre:\"/a.c/s\"", "a\nc");
    MISS("pcre:\"/a.c/\"", "a\nc");
    HIT("pcre:\"/^b$/m\"", "a\nb\nc");
    HIT("pcre:\"/a b/x\"", "ab");
    /* R: the subject starts after the previous match, and ^ anchors there */
    HIT("content:\"a\"; pcre:\"/^b/R\"", "ab");
    MISS("content:\"a\"; pcre:\"/^b/R\"", "a.b");
    HIT("content:\"a\"; pcre:\"/^b/R\"", "a.ab"); /* backtracks to the second "a" */
    MISS("content:\"b\"; pcre:\"/a/R\"", "ab");
    /* a content relative to a pcre's match; the pcre is retried further on */
    HIT("pcre:\"/a./\"; content:\"x\"; within:1", "abacx");
    MISS("pcre:\"/a./\"; content:\"x\"; within:1", "abacy");
    /* a negated relative pcre does not move the position */
    HIT("content:\"a\"; pcre:!\"/^b/R\"; content:\"c\"; within:1", "ac");
}

static void test_pcre_limit(void **state)
{
    (void)state;
    /* catastrophic backtracking stops at the match limit and counts as no match */
    char buf[64];
    memset(buf, 'a', 40);
    strcpy(buf + 40, "!");
    clock_t t0 = clock();
    assert_false(payload_match("pcre:\"/(a+)+$/\"", buf));
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
}

static void test_budget(void **state)
{
    (void)state;
    /* every "a" starts a chain that fails at its end: without the step budget this is
     * polynomial in the buffer with the chain length as exponent */
    static char buf[20001];
    memset(buf, 'a', sizeof(buf) - 1);
    const char *rule = "content:\"a\"; content:\"a\"; within:50; content:\"a\"; within:50; "
                       "content:\"a\"; within:50; content:\"b\"; within:50";
    clock_t t0 = clock();
    assert_false(payload_match(rule, buf));
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
}

/* A keyword from another family: true when the byte at the position is 'x'. */
static bool at_x(struct cn_inspect *in, const void *data)
{
    (void)data;
    return in->pos < in->len && in->buf[in->pos] == 'x';
}
static const struct cn_keyword kw_at_x = {.name = "test_at_x", .match = at_x};

/* Moves the position forward by 2 (like byte_jump). */
static bool skip2(struct cn_inspect *in, const void *data)
{
    (void)data;
    if (in->pos + 2 > in->len)
        return false;
    in->pos += 2;
    return true;
}
static const struct cn_keyword kw_skip2 = {.name = "test_skip2", .match = skip2};

static void test_foreign_keywords(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"a\"");
    assert_int_equal(cn_rule_add_match(&x.r, CN_LIST_PAYLOAD, &kw_at_x, NULL), 0);
    assert_true(rb_match_len(&x, "a.ax", 4, NULL)); /* retried at the second "a" */
    assert_false(rb_match_len(&x, "a.a.", 4, NULL));
    rb_free(&x);

    rb_init(&x, NULL);
    rb_ok(&x, "content:\"a\"");
    assert_int_equal(cn_rule_add_match(&x.r, CN_LIST_PAYLOAD, &kw_skip2, NULL), 0);
    rb_ok(&x, "content:\"z\"; within:1");
    assert_true(rb_match_len(&x, "a12z", 4, NULL));
    assert_false(rb_match_len(&x, "a1z2", 4, NULL));
    rb_free(&x);
}

static void test_single_keyword_match(void **state)
{
    (void)state;
    /* kw->match on its own works from in->pos */
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"b\"; distance:0; within:1");
    const struct cn_sigmatch *sm = &x.r.lists[CN_LIST_PAYLOAD].v[0];
    struct cn_inspect in = {.buf = (const uint8_t *)"abab", .len = 4, .pos = 1};
    assert_true(sm->kw->match(&in, sm->data));
    assert_int_equal(in.pos, 2);
    in.pos = 2;
    assert_false(sm->kw->match(&in, sm->data));
    rb_free(&x);
}

static void test_nocase_search_edges(void **state)
{
    (void)state;
    /* candidates of both cases interleave; the match needs the later one */
    HIT("content:\"AbZ\"; nocase", "aBy Abx ABz");
    MISS("content:\"AbZ\"; nocase", "aBy Abx ABq");
    /* pattern exactly the buffer */
    HIT("content:\"Q\"; nocase", "q");
    MISS("content:\"QQ\"; nocase", "q");
    /* bytes outside ASCII letters are compared exactly */
    HIT("content:\"|c3 a9|\"; nocase", "caf\xc3\xa9");
    MISS("content:\"|c3 89|\"; nocase", "caf\xc3\xa9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_basic),
        cmocka_unit_test(test_nocase),
        cmocka_unit_test(test_depth_offset),
        cmocka_unit_test(test_distance_within),
        cmocka_unit_test(test_backtracking),
        cmocka_unit_test(test_startswith_endswith),
        cmocka_unit_test(test_negated),
        cmocka_unit_test(test_isdataat),
        cmocka_unit_test(test_pcre),
        cmocka_unit_test(test_pcre_limit),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_foreign_keywords),
        cmocka_unit_test(test_single_keyword_match),
        cmocka_unit_test(test_nocase_search_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
