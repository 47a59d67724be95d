/* Unit tests of src/detect/rules.c, ruleset.c, classification.c and report.c through
 * cn_detect_load(): a rule file mixing good and bad rules, comments, commented-out rules,
 * continuation lines and CRLF gives the right counts, reasons and line numbers; duplicates of
 * gid:sid fail the later rule; over-long rules and NUL bytes fail alone; a missing file is
 * reported and the other files still load; classification and reference files; variables
 * from the configuration; the reason table's overflow slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/detect_int.h"

/* Writes len bytes to a new temporary file; the caller unlinks path. */
static void write_tmp(char path[32], const char *data, size_t len)
{
    strcpy(path, "/tmp/cn-load-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static unsigned reason_count(const struct cn_detect_report *rep, const char *reason)
{
    for (unsigned i = 0; i < rep->nreasons; i++)
        if (strcmp(rep->reasons[i].reason, reason) == 0)
            return rep->reasons[i].count;
    return 0;
}

static const struct cn_rule *by_sid(const struct cn_ruleset *rs, uint32_t gid, uint32_t sid)
{
    for (unsigned i = 0; i < rs->n; i++)
        if (rs->rules[i]->sid == sid && rs->rules[i]->gid == gid)
            return rs->rules[i];
    return NULL;
}

static void test_mixed_file(void **state)
{
    (void)state;
    static const char text[] =
        "# a comment\n"                                                 /* 1 */
        "\n"                                                            /* 2 */
        "# alert tcp any any -> any any (msg:\"disabled\"; sid:100;)\n" /* 3 */
        "alert tcp any any -> any any (msg:\"one\"; sid:1;)\r\n"        /* 4 */
        "alert tcp any any -> any any (msg:\"two\"; \\\n"               /* 5 */
        "    content:\"abc\"; \\\r\n"                                   /* 6 */
        "    sid:2;)\n"                                                 /* 7 */
        "alert tcp any any -> any any (msg:\"bad\"; foo:1; sid:3;)\n"   /* 8 */
        "alert tcp any any -> any any (msg:\"dup\"; sid:1;)\n"          /* 9 */
        "alert tcp any any -> any any (msg:\"gid2\"; gid:2; sid:1;)\n"  /* 10 */
        "alert tcp any any -> any any (msg:\"nosid\";)\n"               /* 11 */
        "   # an indented comment\n"                                    /* 12 */
        "alert tcp any any -> any any (msg:\"multi bad\"; \\\n"         /* 13 */
        "  bar:1; sid:4;)\n"                                            /* 14 */
        "#drop udp any any -> any any (sid:101;)\n"                     /* 15 */
        "\t\r\n"                                                        /* 16 */
        "alert tcp any any -> any any (msg:\"last\"; sid:5;)";          /* 17 */
    char path[32];
    write_tmp(path, text, sizeof(text) - 1);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1};
    struct cn_detect_report rep;
    struct cn_ruleset *rs = cn_detect_load(&cfg, &rep);
    unlink(path);
    assert_non_null(rs);

    assert_int_equal(rep.files, 1);
    assert_int_equal(rep.loaded, 4);
    assert_int_equal(rep.failed, 4);
    assert_int_equal(rep.skipped, 2);
    assert_int_equal(cn_ruleset_count(rs), 4);
    assert_int_equal(rep.nreasons, 4);
    assert_int_equal(reason_count(&rep, "unsupported keyword 'foo'"), 1);
    assert_int_equal(reason_count(&rep, "unsupported keyword 'bar'"), 1);
    assert_int_equal(reason_count(&rep, "duplicate sid"), 1);
    assert_int_equal(reason_count(&rep, "rule has no sid"), 1);

    const struct cn_rule *r = by_sid(rs, 1, 1);
    assert_non_null(r);
    assert_string_equal(cn_rule_msg(r), "one"); /* the first sid:1 stays, the later one fails */
    assert_int_equal(r->line, 4);
    assert_string_equal(r->file, path);
    r = by_sid(rs, 1, 2);
    assert_non_null(r);
    assert_int_equal(r->line, 5); /* a continued rule is reported at its first line */
    assert_int_equal(r->lists[CN_LIST_PAYLOAD].n, 1);
    r = by_sid(rs, 2, 1);
    assert_non_null(r);
    assert_int_equal(r->line, 10);
    r = by_sid(rs, 1, 5);
    assert_non_null(r);
    assert_int_equal(r->line, 17);
    assert_string_equal(cn_rule_msg(r), "last");

    /* load order */
    for (unsigned i = 0; i < rs->n; i++)
        assert_int_equal(rs->rules[i]->order, i);
    assert_int_equal(rs->rules[0]->sid, 1);
    assert_int_equal(rs->rules[3]->sid, 5);

    cn_detect_report_log(&rep);
    cn_ruleset_free(rs);
}

static void test_hostile_lines(void **state)
{
    (void)state;
    /* an over-long rule, a rule with a NUL byte, a continuation at the end of the file */
    size_t big = CN_RULE_MAX_LEN + 5000;
    size_t cap = big + 1024;
    char *t = malloc(cap);
    assert_non_null(t);
    /* a constant prefix, so the compiler can see the memset stays inside the buffer */
    static const char head[] = "alert tcp any any -> any any (msg:\"";
    memcpy(t, head, sizeof(head) - 1);
    size_t o = sizeof(head) - 1;
    memset(t + o, 'x', big);
    o += big;
    o += (size_t)sprintf(t + o, "\"; sid:1;)\n");                           /* 1 */
    o += (size_t)sprintf(t + o, "alert tcp any any -> any any (sid:2;)\n"); /* 2 */
    o += (size_t)sprintf(t + o, "alert tcp any any -> any any (msg:\"a");   /* 3 */
    t[o++] = '\0';
    o += (size_t)sprintf(t + o, "b\"; sid:3;)\n");
    o += (size_t)sprintf(t + o, "alert tcp any any -> any any (sid:4;) \\\n"); /* 4 */
    char path[32];
    write_tmp(path, t, o);
    free(t);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1};
    struct cn_detect_report rep;
    struct cn_ruleset *rs = cn_detect_load(&cfg, &rep);
    unlink(path);
    assert_non_null(rs);
    assert_int_equal(rep.loaded, 2);
    assert_int_equal(rep.failed, 2);
    assert_int_equal(reason_count(&rep, "rule too long"), 1);
    assert_int_equal(reason_count(&rep, "NUL byte in rule"), 1);
    assert_int_equal(by_sid(rs, 1, 2)->line, 2);
    assert_int_equal(by_sid(rs, 1, 4)->line, 4);
    cn_ruleset_free(rs);
}

static void test_missing_file(void **state)
{
    (void)state;
    static const char text[] = "alert udp any any -> any 53 (sid:7;)\n";
    char path[32];
    write_tmp(path, text, sizeof(text) - 1);
    const char *files[] = {"/nonexistent/cn-no-such.rules", path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 2};
    struct cn_detect_report rep;
    struct cn_ruleset *rs = cn_detect_load(&cfg, &rep);
    unlink(path);
    assert_non_null(rs);
    assert_int_equal(rep.files, 2);
    assert_int_equal(rep.loaded, 1);
    assert_int_equal(rep.failed, 1);
    assert_int_equal(reason_count(&rep, "cannot read rule file"), 1);
    cn_ruleset_free(rs);

    /* nothing to load is a valid, empty set */
    rs = cn_detect_load(NULL, NULL);
    assert_non_null(rs);
    assert_int_equal(cn_ruleset_count(rs), 0);
    cn_ruleset_free(rs);
}

static void test_classification(void **state)
{
    (void)state;
    static const char classes[] =
        "# config classification:shortname,short description,priority\n"
        "config classification: my-class,My Class, with a comma,2\n"
        "config classification: broken line\n"
        "config classification: low,Low,4\n"
        "config classification: LOW,Low again,5\n" /* redefinition: the later one counts */
        "config classification: bad-prio,Bad,x\n";
    static const char refs[] = "config reference: cve https://cve.example/\n"
                               "config reference: url http://\n"
                               "config reference: nourl\n";
    static const char rules[] = "alert tcp any any -> any any (classtype:my-class; sid:1;)\n"
                                "alert tcp any any -> any any (classtype:low; sid:2;)\n"
                                "alert tcp any any -> any any (classtype:trojan-activity; sid:3;)\n"
                                "alert tcp any any -> any any (classtype:bad-prio; sid:4;)\n"
                                "alert tcp any any -> any any (reference:cve,2024-1; sid:5;)\n";
    char cpath[32], rpath[32], path[32];
    write_tmp(cpath, classes, sizeof(classes) - 1);
    write_tmp(rpath, refs, sizeof(refs) - 1);
    write_tmp(path, rules, sizeof(rules) - 1);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {
        .files = files, .nfiles = 1, .classification_file = cpath, .reference_file = rpath};
    struct cn_detect_report rep;
    struct cn_ruleset *rs = cn_detect_load(&cfg, &rep);
    unlink(cpath);
    unlink(rpath);
    unlink(path);
    assert_non_null(rs);
    assert_int_equal(rs->ld.nclasses, 2);
    assert_int_equal(rs->ld.nrefs, 2);
    assert_int_equal(rep.loaded, 3);
    assert_int_equal(rep.failed, 2);
    assert_string_equal(cn_rule_category(by_sid(rs, 1, 1)), "My Class, with a comma");
    assert_int_equal(cn_rule_priority(by_sid(rs, 1, 1)), 2);
    assert_string_equal(cn_rule_category(by_sid(rs, 1, 2)), "Low again");
    assert_int_equal(cn_rule_priority(by_sid(rs, 1, 2)), 5);
    assert_null(cn_detect_classtype(&rs->ld, "trojan-activity"));
    assert_non_null(cn_detect_classtype(&rs->ld, "MY-CLASS"));
    cn_ruleset_free(rs);

    /* without a file: the built-in table */
    struct cn_detect_loader ld;
    memset(&ld, 0, sizeof(ld));
    assert_int_equal(cn_detect_classes_load(&ld, NULL), 0);
    const struct cn_classtype *ct = cn_detect_classtype(&ld, "trojan-activity");
    assert_non_null(ct);
    assert_string_equal(ct->desc, "A Network Trojan was detected");
    assert_int_equal(ct->priority, 1);
    assert_int_equal(cn_detect_classtype(&ld, "tcp-connection")->priority, 4);
    assert_null(cn_detect_classtype(&ld, "no-such-class"));
    /* an unreadable file leaves the built-in table */
    assert_int_equal(cn_detect_classes_load(&ld, "/nonexistent/classification.config"), 0);
    assert_non_null(cn_detect_classtype(&ld, "web-application-attack"));
    cn_detect_loader_clear(&ld);
}

static void test_conf_vars(void **state)
{
    (void)state;
    char err[128];
    struct cn_conf *conf = cn_conf_new();
    assert_non_null(conf);
    assert_int_equal(
        cn_conf_set(conf, "vars.address-groups.HOME_NET=192.0.2.0/24", err, sizeof(err)), 0);
    assert_int_equal(cn_conf_set(conf, "vars.port-groups.HTTP_PORTS=8080", err, sizeof(err)), 0);
    static const char rules[] = "alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)\n"
                                "alert tcp $NOT_DEFINED any -> any any (sid:2;)\n";
    char path[32];
    write_tmp(path, rules, sizeof(rules) - 1);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1, .conf = conf};
    struct cn_detect_report rep;
    struct cn_ruleset *rs = cn_detect_load(&cfg, &rep);
    unlink(path);
    assert_non_null(rs);
    assert_int_equal(rep.loaded, 1);
    assert_int_equal(reason_count(&rep, "undefined address variable '$NOT_DEFINED'"), 1);
    const struct cn_rule *r = by_sid(rs, 1, 1);
    union cn_addr a;
    memset(&a, 0, sizeof(a));
    a.b[0] = 192;
    a.b[2] = 2;
    a.b[3] = 9;
    assert_true(cn_addr_set_match(&r->src, &a, 4));
    assert_false(cn_addr_set_match(&r->dst, &a, 4));
    assert_true(cn_port_set_match(&r->dp, 8080));
    assert_false(cn_port_set_match(&r->dp, 80));
    cn_ruleset_free(rs);
    cn_conf_free(conf);
}

static void test_reason_overflow(void **state)
{
    (void)state;
    size_t cap = 100 * 80;
    char *t = malloc(cap);
    assert_non_null(t);
    size_t o = 0;
    for (int i = 0; i < 70; i++)
        o += (size_t)snprintf(t + o, cap - o, "alert tcp any any -> any any (kw%d:1; sid:%d;)\n", i,
                              i + 1);
    char path[32];
    write_tmp(path, t, o);
    free(t);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1};
    struct cn_detect_report rep;
    struct cn_ruleset *rs = cn_detect_load(&cfg, &rep);
    unlink(path);
    assert_non_null(rs);
    assert_int_equal(rep.failed, 70);
    assert_int_equal(rep.nreasons, CN_DETECT_MAX_REASONS);
    unsigned sum = 0;
    for (unsigned i = 0; i < rep.nreasons; i++)
        sum += rep.reasons[i].count;
    assert_int_equal(sum, 70);
    assert_int_equal(reason_count(&rep, "(other reasons)"), 70 - (CN_DETECT_MAX_REASONS - 1));
    cn_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_file),   cmocka_unit_test(test_hostile_lines),
        cmocka_unit_test(test_missing_file), cmocka_unit_test(test_classification),
        cmocka_unit_test(test_conf_vars),    cmocka_unit_test(test_reason_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
