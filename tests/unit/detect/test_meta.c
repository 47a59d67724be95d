/* Unit tests of the metadata keywords (msg, sid, rev, gid, classtype, priority, reference,
 * metadata, target) and of the keyword table in src/detect/kw/keyword.c. */
#include <strings.h>

#include "payload_harness.h"

/* sorted by name, as the loader keeps them (cn_detect_classtype searches by halves) */
static struct cn_classtype classes[] = {
    {"bad-unknown", "Potentially Bad Traffic", 2},
    {"misc-activity", "Misc activity", 3},
    {"trojan-activity", "A Network Trojan was detected", 1},
};
static const struct cn_detect_loader loader = {.classes = classes, .nclasses = 3};

static void fails_with(const char *opts, const char *want)
{
    struct rb x;
    rb_init(&x, &loader);
    int rc = rb_opts(&x, opts);
    if (rc == 0)
        fail_msg("'%s' accepted", opts);
    assert_int_equal(rc, -CN_EINVAL);
    if (strstr(x.err, want) == NULL)
        fail_msg("'%s': reason '%s' lacks '%s'", opts, x.err, want);
    rb_free(&x);
}

static void test_msg(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, &loader);
    rb_ok(&x, "msg:\"ET TEST \\\"quoted\\\" a\\;b c\\:d e\\\\f\"");
    assert_string_equal(x.r.msg, "ET TEST \"quoted\" a;b c:d e\\f");
    assert_int_not_equal(rb_opts(&x, "msg:\"again\""), 0);
    assert_non_null(strstr(x.err, "duplicated"));
    rb_free(&x);
    fails_with("msg:unquoted", "double quotes");
    fails_with("msg:\"", "double quotes");
}

static void test_sid_rev_gid(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, &loader);
    rb_ok(&x, "sid:2100498; rev:7; gid:3");
    assert_int_equal(x.r.sid, 2100498);
    assert_int_equal(x.r.rev, 7);
    assert_int_equal(x.r.gid, 3);
    assert_int_not_equal(rb_opts(&x, "sid:5"), 0);
    assert_non_null(strstr(x.err, "duplicated sid"));
    assert_int_not_equal(rb_opts(&x, "rev:8"), 0);
    rb_free(&x);

    rb_init(&x, &loader);
    rb_ok(&x, "sid:4294967294");
    assert_int_equal(x.r.sid, 4294967294u);
    rb_free(&x);

    fails_with("sid:0", "sid 0");
    fails_with("sid:4294967296", "invalid sid");
    fails_with("sid:12a", "invalid sid");
    fails_with("sid:-1", "invalid sid");
    fails_with("sid:", "invalid sid");
    fails_with("rev:x", "invalid rev");
    fails_with("gid:1.5", "invalid gid");
}

static void test_classtype_priority(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, &loader);
    rb_ok(&x, "classtype:bad-unknown");
    assert_string_equal(x.r.classtype, "Potentially Bad Traffic");
    assert_int_equal(x.r.priority, 2);
    assert_int_not_equal(rb_opts(&x, "classtype:misc-activity"), 0);
    assert_non_null(strstr(x.err, "duplicated"));
    rb_free(&x);

    /* an explicit priority wins, before or after the classtype */
    rb_init(&x, &loader);
    rb_ok(&x, "priority:4; classtype:trojan-activity");
    assert_int_equal(x.r.priority, 4);
    rb_free(&x);
    rb_init(&x, &loader);
    rb_ok(&x, "classtype:trojan-activity; priority:5");
    assert_int_equal(x.r.priority, 5);
    assert_string_equal(x.r.classtype, "A Network Trojan was detected");
    rb_free(&x);

    fails_with("classtype:no-such-class", "unknown classtype");
    fails_with("priority:0", "priority");
    fails_with("priority:256", "priority");
    fails_with("priority:high", "priority");
}

static void test_metadata(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, &loader);
    rb_ok(&x, "metadata:created_at 2010_09_23, lonely,  former_category  MALWARE , "
              "signature_severity Major words here");
    assert_int_equal(x.r.nmeta, 3);
    assert_string_equal(x.r.meta_key[0], "created_at");
    assert_string_equal(x.r.meta_value[0], "2010_09_23");
    assert_string_equal(x.r.meta_key[1], "former_category");
    assert_string_equal(x.r.meta_value[1], "MALWARE");
    assert_string_equal(x.r.meta_key[2], "signature_severity");
    assert_string_equal(x.r.meta_value[2], "Major words here");
    /* a second metadata keyword appends */
    rb_ok(&x, "metadata:policy balanced-ips");
    assert_int_equal(x.r.nmeta, 4);
    assert_string_equal(x.r.meta_value[3], "balanced-ips");
    rb_free(&x);

    rb_init(&x, &loader);
    rb_ok(&x, "metadata:onlykey, , ,");
    assert_int_equal(x.r.nmeta, 0);
    rb_free(&x);
}

static void test_reference_target(void **state)
{
    (void)state;
    struct rb x;
    rb_init(&x, &loader);
    rb_ok(&x, "reference:url,doc.emergingthreats.net/2008124; reference:cve,2021-44228; "
              "reference:nosuchsystem,abc; reference:url,\"example.com/get.php?id=1\"");
    rb_ok(&x, "target:dest_ip");
    assert_true(x.r.flags & CN_RULE_TARGET_DST);
    assert_false(x.r.flags & CN_RULE_TARGET_SRC);
    assert_int_not_equal(rb_opts(&x, "target:src_ip"), 0);
    rb_free(&x);

    rb_init(&x, &loader);
    rb_ok(&x, "target:src_ip");
    assert_true(x.r.flags & CN_RULE_TARGET_SRC);
    rb_free(&x);

    fails_with("reference:url", "system,id");
    fails_with("reference:,abc", "system,id");
    fails_with("reference:url,", "system,id");
    fails_with("target:both", "src_ip or dest_ip");
}

static void test_keyword_table(void **state)
{
    (void)state;
    assert_true(cn_kw_count() > 0);
    assert_null(cn_kw_find("no_such_keyword"));
    assert_null(cn_kw_find(""));
    assert_null(cn_kw_find(NULL));
    assert_ptr_equal(cn_kw_find("CONTENT"), &cn_kw_content);
    assert_ptr_equal(cn_kw_find("pcre"), &cn_kw_pcre);
    unsigned n = 0;
    for (const char *name; (name = cn_detect_keyword_name(n)) != NULL; n++) {
        const struct cn_keyword *kw = cn_kw_find(name);
        assert_non_null(kw);
        assert_ptr_equal(kw, cn_kw_at(n));
        assert_non_null(kw->setup);
    }
    assert_int_equal(n, cn_kw_count());
    assert_null(cn_kw_at(n));
    const char *mine[] = {
        "msg",      "sid",      "rev",          "gid",        "classtype", "priority", "reference",
        "metadata", "target",   "content",      "nocase",     "depth",     "offset",   "distance",
        "within",   "rawbytes", "fast_pattern", "startswith", "endswith",  "isdataat", "pcre"};
    for (size_t i = 0; i < CN_ARRAY_LEN(mine); i++)
        if (cn_kw_find(mine[i]) == NULL)
            fail_msg("'%s' missing from the table", mine[i]);
    /* modifiers take no value; fast_pattern's is optional */
    assert_true(cn_kw_find("nocase")->flags & CN_KW_NOVALUE);
    assert_true(cn_kw_find("fast_pattern")->flags & CN_KW_OPTVALUE);
}

static void test_unquote(void **state)
{
    (void)state;
    char a[] = "\"a\\\"b\\;c\\\\d\"";
    assert_true(cn_kw_unquote(a));
    assert_string_equal(a, "a\"b;c\\d");
    char b[] = "plain";
    assert_true(cn_kw_unquote(b));
    assert_string_equal(b, "plain");
    char c[] = "\"open";
    assert_false(cn_kw_unquote(c));
    char d[] = "close\"";
    assert_false(cn_kw_unquote(d));
    char e[] = "\"esc\\\"";
    assert_false(cn_kw_unquote(e));
    char f[] = "\"\"";
    assert_true(cn_kw_unquote(f));
    assert_string_equal(f, "");
    char g[] = "\"";
    assert_false(cn_kw_unquote(g));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msg),
        cmocka_unit_test(test_sid_rev_gid),
        cmocka_unit_test(test_classtype_priority),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_reference_target),
        cmocka_unit_test(test_keyword_table),
        cmocka_unit_test(test_unquote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
