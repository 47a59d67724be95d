/* Unit tests of the content keyword family's parsing (src/detect/kw/content.c and the
 * modifiers, isdataat, pcre): hex sections, escapes, negation, bad syntax, and the rules
 * Suricata applies when modifiers are combined. */
#include "payload_harness.h"

/* The last content of the payload list. */
static const struct cn_content *last_content(struct rb *x)
{
    const struct cn_smlist *l = &x->r.lists[x->b.list];
    assert_true(l->n > 0);
    assert_ptr_equal(l->v[l->n - 1].kw, &cn_kw_content);
    return l->v[l->n - 1].data;
}

static void expect_bytes(const char *opts, const void *want, size_t wlen)
{
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, opts);
    const struct cn_content *c = last_content(&x);
    assert_int_equal(c->len, wlen);
    assert_memory_equal(c->bytes, want, wlen);
    rb_free(&x);
}

static void test_plain_and_hex(void **state)
{
    (void)state;
    expect_bytes("content:\"abc\"", "abc", 3);
    expect_bytes("content:\"|41 42|C\"", "ABC", 3);
    expect_bytes("content:\"a|0d0a|b\"", "a\r\nb", 4);
    expect_bytes("content:\"|41,42|\"", "AB", 2);
    expect_bytes("content:\"uid=0|28|root|29|\"", "uid=0(root)", 11);
    expect_bytes("content:\"|00 00 00|\"", "\0\0\0", 3);
    expect_bytes("content:\"|ff|\"", "\xff", 1);
}

static void test_escapes(void **state)
{
    (void)state;
    expect_bytes("content:\"a\\;b\"", "a;b", 3);
    expect_bytes("content:\"a\\\"b\"", "a\"b", 3);
    expect_bytes("content:\"a\\\\b\"", "a\\b", 3);
    expect_bytes("content:\"a\\:b\"", "a:b", 3);
    rb_fails("content:\"a\\xb\"", "escape");
    rb_fails("content:\"a\"b\"", "quote");
}

static void test_negation(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:!\"abc\"");
    assert_true(last_content(&x)->flags & CN_CONTENT_NEGATED);
    rb_ok(&x, "content:! \"def\"");
    assert_true(last_content(&x)->flags & CN_CONTENT_NEGATED);
    rb_ok(&x, "content:\"ghi\"");
    assert_false(last_content(&x)->flags & CN_CONTENT_NEGATED);
    assert_int_equal(x.r.lists[CN_LIST_PAYLOAD].n, 3);
    assert_true(x.r.flags & CN_RULE_HAS_PAYLOAD);
    rb_free(&x);
}

static void test_bad_syntax(void **state)
{
    (void)state;
    rb_fails("content:abc", "double quotes");
    rb_fails("content:\"abc", "double quotes");
    rb_fails("content:\"abc\\\"", "double quotes");
    rb_fails("content:\"\"", "empty");
    rb_fails("content:\"||\"", "empty");
    rb_fails("content:\"|4|\"", "odd");
    rb_fails("content:\"|41\"", "unterminated");
    rb_fails("content:\"|zz|\"", "invalid hex");
    rb_fails("content", NULL);
}

static void test_sticky_list(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    x.b.list = CN_LIST__BUILTIN + 3;
    rb_ok(&x, "content:\"abc\"; nocase");
    assert_int_equal(x.r.lists[CN_LIST__BUILTIN + 3].n, 1);
    assert_int_equal(x.r.lists[CN_LIST_PAYLOAD].n, 0);
    assert_int_equal(x.r.nlists, CN_LIST__BUILTIN + 4);
    /* rawbytes makes no sense inside a sticky buffer */
    assert_int_not_equal(rb_opts(&x, "rawbytes"), 0);
    rb_free(&x);
}

static void test_nocase(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"AbC|0D|\"; nocase");
    const struct cn_content *c = last_content(&x);
    assert_true(c->flags & CN_CONTENT_NOCASE);
    assert_memory_equal(c->bytes, "abc\r", 4);
    assert_int_not_equal(rb_opts(&x, "nocase"), 0);
    assert_non_null(strstr(x.err, "multiple"));
    rb_free(&x);
}

static void test_no_preceding_content(void **state)
{
    (void)state;
    const char *mods[] = {"nocase",   "depth:3",      "offset:1",   "distance:0", "within:4",
                          "rawbytes", "fast_pattern", "startswith", "endswith"};
    for (size_t i = 0; i < CN_ARRAY_LEN(mods); i++)
        rb_fails(mods[i], "no preceding content");
    /* a modifier inside a sticky buffer does not reach content of another buffer */
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"abc\"");
    x.b.list = CN_LIST__BUILTIN;
    assert_int_not_equal(rb_opts(&x, "nocase"), 0);
    assert_non_null(strstr(x.err, "no preceding content"));
    rb_free(&x);
}

static void test_depth_offset(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"abc\"; depth:5; offset:2");
    const struct cn_content *c = last_content(&x);
    assert_int_equal(c->offset, 2);
    assert_int_equal(c->depth, 7); /* stored as the window's end */
    rb_free(&x);

    rb_init(&x, NULL);
    rb_ok(&x, "content:\"abc\"; offset:2; depth:5");
    assert_int_equal(last_content(&x)->depth, 7);
    rb_free(&x);

    rb_fails("content:\"abc\"; depth:2", "depth must be >= content length");
    rb_fails("content:\"abc\"; depth:-1", "invalid depth");
    rb_fails("content:\"abc\"; depth:70000", "invalid depth");
    rb_fails("content:\"abc\"; depth:x", "byte_extract");
    rb_fails("content:\"abc\"; depth:4; depth:5", "multiple depth");
    rb_fails("content:\"abc\"; offset:1; offset:2", "multiple offset");
    rb_fails("content:\"abc\"; offset:abc", "byte_extract");
    rb_fails("content:\"abc\"; offset:1x", "invalid offset");
    rb_fails("content:\"a\"; content:\"abc\"; distance:0; depth:5", "distance/within");
    rb_fails("content:\"a\"; content:\"abc\"; within:5; offset:1", "distance/within");
}

static void test_relative(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"a\"; content:\"bc\"; distance:-2; within:4");
    const struct cn_content *c = last_content(&x);
    assert_int_equal(c->distance, -2);
    assert_int_equal(c->within, 4);
    assert_true(c->flags & CN_CONTENT_DISTANCE);
    assert_true(c->flags & CN_CONTENT_WITHIN);
    /* within makes the previous content retryable */
    const struct cn_content *prev = x.r.lists[CN_LIST_PAYLOAD].v[0].data;
    assert_true(prev->flags & CN_CONTENT_WITHIN_NEXT);
    rb_free(&x);

    rb_init(&x, NULL);
    rb_ok(&x, "content:\"a\"; content:\"b\"; distance:1");
    prev = x.r.lists[CN_LIST_PAYLOAD].v[0].data;
    assert_true(prev->flags & CN_CONTENT_DISTANCE_NEXT);
    assert_false(prev->flags & CN_CONTENT_WITHIN_NEXT);
    rb_free(&x);

    rb_fails("content:\"abc\"; within:2", "within must be >= content length");
    rb_fails("content:\"abc\"; within:-5", "within must be >= content length");
    rb_fails("content:\"abc\"; within:3; within:4", "multiple within");
    rb_fails("content:\"abc\"; distance:1; distance:2", "multiple distance");
    rb_fails("content:\"abc\"; depth:4; distance:0", "depth/offset");
    rb_fails("content:\"abc\"; offset:1; within:4", "depth/offset");
    rb_fails("content:\"abc\"; distance:2000000", "invalid distance");
    rb_fails("content:\"abc\"; within:var", "byte_extract");
}

static void test_startswith_endswith(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"GET \"; startswith; endswith");
    const struct cn_content *c = last_content(&x);
    assert_int_equal(c->depth, 4);
    assert_int_equal(c->offset, 0);
    assert_true(c->flags & CN_CONTENT_STARTSWITH);
    assert_true(c->flags & CN_CONTENT_ENDSWITH);
    rb_free(&x);

    rb_fails("content:\"abc\"; startswith; depth:5", "depth cannot be used with startswith");
    rb_fails("content:\"abc\"; depth:5; startswith", "startswith cannot be used with depth");
    rb_fails("content:\"abc\"; offset:1; startswith", "offset");
    rb_fails("content:\"abc\"; startswith; offset:1", "startswith");
    rb_fails("content:\"a\"; content:\"b\"; distance:0; startswith", "distance/within");
    rb_fails("content:\"abc\"; startswith; startswith", "multiple startswith");
    rb_fails("content:\"abc\"; endswith; endswith", "multiple endswith");
}

static void test_fast_pattern(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"abcdef\"; fast_pattern:1,3");
    const struct cn_content *c = last_content(&x);
    assert_true(c->flags & CN_CONTENT_FP_CHOP);
    assert_int_equal(c->fp_chop_offset, 1);
    assert_int_equal(c->fp_chop_len, 3);
    rb_free(&x);

    rb_init(&x, NULL);
    rb_ok(&x, "content:\"abc\"; fast_pattern:only");
    assert_true(last_content(&x)->flags & CN_CONTENT_FP_ONLY);
    rb_free(&x);

    rb_init(&x, NULL);
    rb_ok(&x, "content:\"abc\"; fast_pattern; content:\"def\"; distance:0");
    assert_true(x.r.lists[CN_LIST_PAYLOAD].n == 2);
    rb_free(&x);

    rb_fails("content:\"abc\"; fast_pattern:2,2", "exceeds");
    rb_fails("content:\"abc\"; fast_pattern:a,b", "only or offset,length");
    rb_fails("content:\"abc\"; fast_pattern:bogus", "only or offset,length");
    rb_fails("content:\"abc\"; fast_pattern; fast_pattern", "multiple fast_pattern");
    rb_fails("content:\"abc\"; fast_pattern; content:\"d\"; fast_pattern", "one content");
    rb_fails("content:!\"abc\"; fast_pattern:only", "negated");
    rb_fails("content:\"a\"; content:!\"abc\"; distance:0; fast_pattern", "negated");
    rb_fails("content:\"abc\"; depth:4; fast_pattern:only", "relative");
    rb_fails("content:\"abc\"; fast_pattern:only; depth:4", "fast_pattern:only");
}

static void test_isdataat_parse(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"a\"; isdataat:!4, relative ,rawbytes");
    const struct cn_smlist *l = &x.r.lists[CN_LIST_PAYLOAD];
    assert_int_equal(l->n, 2);
    assert_ptr_equal(l->v[1].kw, &cn_kw_isdataat);
    const struct cn_isdataat *d = l->v[1].data;
    assert_int_equal(d->dataat, 4);
    assert_int_equal(d->flags, CN_ISDATAAT_NEGATED | CN_ISDATAAT_RELATIVE | CN_ISDATAAT_RAWBYTES);
    const struct cn_content *c = l->v[0].data;
    assert_true(c->flags & CN_CONTENT_WITHIN_NEXT);
    rb_free(&x);

    rb_fails("isdataat:len,relative", "byte_extract");
    rb_fails("isdataat:4,sideways", "unknown isdataat option");
    rb_fails("isdataat:-1", "invalid");
    rb_fails("isdataat", NULL);
}

static void test_pcre_parse(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, "content:\"a\"; pcre:\"/b+c/Ri\"; pcre:!\"/x\\;y/smxAEGOB\"; pcre:/bare/");
    const struct cn_smlist *l = &x.r.lists[CN_LIST_PAYLOAD];
    assert_int_equal(l->n, 4);
    const struct cn_pcre *p1 = l->v[1].data, *p2 = l->v[2].data;
    assert_true(p1->flags & CN_PCRE_RELATIVE);
    assert_false(p1->flags & CN_PCRE_NEGATED);
    assert_true(p2->flags & CN_PCRE_NEGATED);
    assert_true(p2->flags & CN_PCRE_NO_LIMITS);
    assert_true(((const struct cn_content *)l->v[0].data)->flags & CN_CONTENT_WITHIN_NEXT);
    rb_free(&x);

    rb_fails("pcre:\"/a/U\"", "unsupported pcre modifier 'U'");
    rb_fails("pcre:\"/a/H\"", "unsupported pcre modifier 'H'");
    rb_fails("pcre:\"/a/z\"", "unknown pcre modifier 'z'");
    rb_fails("pcre:\"/a(/\"", "pcre at");
    rb_fails("pcre:\"abc\"", "/regex/flags");
    rb_fails("pcre:\"/abc\"", "/regex/flags");
    rb_fails("pcre:\"/abc/", "quotes");
}

static void test_add_match_bounds(void **state)
{
    (void)state;
    struct cn_rule r;
    memset(&r, 0, sizeof(r));
    struct cn_isdataat *d = cn_calloc(1, sizeof(*d));
    /* an impossible list is refused and the data released (no leak under ASan) */
    assert_int_equal(cn_rule_add_match(&r, CN_LIST__MAX, &cn_kw_isdataat, d), -CN_EINVAL);
    assert_int_equal(r.nlists, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_hex),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_negation),
        cmocka_unit_test(test_bad_syntax),
        cmocka_unit_test(test_sticky_list),
        cmocka_unit_test(test_nocase),
        cmocka_unit_test(test_no_preceding_content),
        cmocka_unit_test(test_depth_offset),
        cmocka_unit_test(test_relative),
        cmocka_unit_test(test_startswith_endswith),
        cmocka_unit_test(test_fast_pattern),
        cmocka_unit_test(test_isdataat_parse),
        cmocka_unit_test(test_pcre_parse),
        cmocka_unit_test(test_add_match_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
