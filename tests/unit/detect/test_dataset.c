/* Datasets (src/detect/dataset.c) and the dataset / datarep keywords: loading each type from
 * Suricata's file formats, bad lines reported as file:line, lookups by length, the memcap at
 * load and at run time, concurrent adds from several threads, the keywords' commands through
 * whole rules loaded by cn_detect_load(), path rules for load/save/state, and saving. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/detect_int.h"

static char dir[64];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cn-dataset-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[4][256];
    static unsigned slot;
    char *p = path[slot++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static struct cn_dataset *get(struct cn_datasets *ds, const char *name, enum cn_dataset_type t,
                              const char *load, uint64_t memcap)
{
    char err[256];
    struct cn_dataset_spec sp = {.name = name, .type = t, .load = load, .memcap = memcap};
    struct cn_dataset *s = cn_datasets_get(ds, &sp, err, sizeof(err));
    if (s == NULL)
        fail_msg("dataset %s: %s", name, err);
    return s;
}

static void test_load_each_type(void **state)
{
    (void)state;
    struct cn_datasets *ds = cn_datasets_new(NULL, NULL);
    assert_non_null(ds);
    /* "evil.example" and "x" in base64; a blank line is skipped */
    struct cn_dataset *str =
        get(ds, "str", CN_DATASET_STRING, write_file("s.lst", "ZXZpbC5leGFtcGxl\n\neA==\n"), 0);
    assert_int_equal(cn_dataset_count(str), 2);
    assert_int_equal(cn_dataset_lookup(str, (const uint8_t *)"evil.example", 12, NULL), 1);
    assert_int_equal(cn_dataset_lookup(str, (const uint8_t *)"x", 1, NULL), 1);
    assert_int_equal(cn_dataset_lookup(str, (const uint8_t *)"evil.exampl", 11, NULL), 0);

    struct cn_dataset *md5 = get(ds, "md5", CN_DATASET_MD5,
                                 write_file("m.lst", "d41d8cd98f00b204e9800998ecf8427e\n"), 0);
    static const uint8_t empty_md5[16] = {0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04,
                                          0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42, 0x7e};
    assert_int_equal(cn_dataset_lookup(md5, empty_md5, 16, NULL), 1);
    assert_int_equal(cn_dataset_lookup(md5, empty_md5, 15, NULL), -1); /* wrong length */

    struct cn_dataset *sha = get(
        ds, "sha", CN_DATASET_SHA256,
        write_file("h.lst", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\r\n"),
        0);
    uint8_t h[32];
    memset(h, 0, sizeof(h));
    h[0] = 0xe3;
    h[1] = 0xb0;
    assert_int_equal(cn_dataset_count(sha), 1);
    assert_int_equal(cn_dataset_lookup(sha, h, 32, NULL), 0);

    struct cn_dataset *v4 =
        get(ds, "v4", CN_DATASET_IPV4, write_file("4.lst", "192.0.2.1\n10.0.0.1,7\n"), 0);
    static const uint8_t a1[4] = {192, 0, 2, 1}, a2[4] = {10, 0, 0, 1}, a3[4] = {10, 0, 0, 2};
    uint16_t rep = 99;
    assert_int_equal(cn_dataset_lookup(v4, a1, 4, &rep), 1);
    assert_int_equal(rep, 0);
    assert_int_equal(cn_dataset_lookup(v4, a2, 4, &rep), 1);
    assert_int_equal(rep, 7);
    assert_int_equal(cn_dataset_lookup(v4, a3, 4, NULL), 0);

    struct cn_dataset *ip =
        get(ds, "ip", CN_DATASET_IP,
            write_file("6.lst", "2001:db8::1\n::ffff:198.51.100.7\n10.0.0.1\n"), 0);
    assert_int_equal(cn_dataset_count(ip), 3);
    uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
    v6[15] = 1;
    static const uint8_t mapped[4] = {198, 51, 100, 7};
    assert_int_equal(cn_dataset_lookup(ip, v6, 16, NULL), 1);
    assert_int_equal(cn_dataset_lookup(ip, mapped, 4, NULL), 1); /* stored as IPv4 */
    assert_int_equal(cn_dataset_lookup(ip, a2, 4, NULL), 1);
    assert_int_equal(cn_dataset_lookup(ip, a3, 4, NULL), 0);
    cn_datasets_free(ds);
}

static void test_bad_lines_report_file_and_line(void **state)
{
    (void)state;
    struct cn_datasets *ds = cn_datasets_new(NULL, NULL);
    const char *p = write_file("bad.lst", "d41d8cd98f00b204e9800998ecf8427e\n"
                                          "not-hex-not-hex-not-hex-not-hex!\n"
                                          "d41d8cd98f00b204e9800998ecf8427\n"
                                          "00000000000000000000000000000000,70000\n"
                                          "ffffffffffffffffffffffffffffffff,12\n");
    struct cn_dataset *s = get(ds, "bad", CN_DATASET_MD5, p, 0);
    const char *first;
    assert_int_equal(cn_dataset_bad_lines(s, &first), 3);
    assert_int_equal(cn_dataset_count(s), 2); /* the good lines still load */
    char want[300];
    snprintf(want, sizeof(want), "%s:2:", p);
    assert_non_null(strstr(first, want));
    assert_non_null(strstr(first, "32 hex digits"));

    struct cn_dataset *b64 =
        get(ds, "b64", CN_DATASET_STRING, write_file("b.lst", "ok==\n!!!!\nYQ==,x\n"), 0);
    assert_int_equal(cn_dataset_bad_lines(b64, &first), 3);
    assert_non_null(strstr(first, ":1:"));
    cn_datasets_free(ds);
}

static void test_missing_file_and_conflicts(void **state)
{
    (void)state;
    char err[256];
    struct cn_datasets *ds = cn_datasets_new(NULL, NULL);
    struct cn_dataset_spec sp = {.name = "gone", .type = CN_DATASET_STRING, .load = "/nonexistent"};
    assert_null(cn_datasets_get(ds, &sp, err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent"));
    get(ds, "one", CN_DATASET_STRING, NULL, 0);
    sp = (struct cn_dataset_spec){.name = "ONE", .type = CN_DATASET_MD5};
    assert_null(cn_datasets_get(ds, &sp, err, sizeof(err))); /* names are case-insensitive */
    assert_non_null(strstr(err, "type string"));
    sp = (struct cn_dataset_spec){.name = "one"}; /* no type: use what exists */
    assert_non_null(cn_datasets_get(ds, &sp, err, sizeof(err)));
    sp = (struct cn_dataset_spec){.name = "undefined"};
    assert_null(cn_datasets_get(ds, &sp, err, sizeof(err)));
    sp = (struct cn_dataset_spec){.name = "has space", .type = CN_DATASET_STRING};
    assert_null(cn_datasets_get(ds, &sp, err, sizeof(err)));
    cn_datasets_free(ds);
}

static void test_add_remove_and_memcap(void **state)
{
    (void)state;
    struct cn_datasets *ds = cn_datasets_new(NULL, NULL);
    char err[256];
    /* 64 buckets of 8 bytes plus room for a few entries */
    struct cn_dataset_spec sp = {
        .name = "small", .type = CN_DATASET_STRING, .memcap = 1024, .hashsize = 64};
    struct cn_dataset *s = cn_datasets_get(ds, &sp, err, sizeof(err));
    assert_non_null(s);
    assert_int_equal(cn_dataset_add(s, (const uint8_t *)"a", 1, 0), 1);
    assert_int_equal(cn_dataset_add(s, (const uint8_t *)"a", 1, 0), 0);
    assert_int_equal(cn_dataset_remove(s, (const uint8_t *)"a", 1), 1);
    assert_int_equal(cn_dataset_remove(s, (const uint8_t *)"a", 1), 0);
    int added = 0, refused = 0;
    for (int i = 0; i < 100; i++) {
        char k[16];
        int n = snprintf(k, sizeof(k), "key%d", i);
        int rc = cn_dataset_add(s, (const uint8_t *)k, (uint32_t)n, 0);
        added += rc == 1;
        refused += rc == -1;
    }
    assert_true(added > 0 && refused > 0);
    assert_true(cn_dataset_memuse(s) <= 1024);
    assert_int_equal(cn_dataset_count(s), (uint64_t)added);

    /* a load file that does not fit fails the set, naming the memcap */
    char text[4096] = "";
    for (int i = 0; i < 100; i++) {
        char line[64];
        snprintf(line, sizeof(line), "10.0.%d.%d\n", i / 200, i % 200);
        strcat(text, line);
    }
    sp = (struct cn_dataset_spec){.name = "big",
                                  .type = CN_DATASET_IPV4,
                                  .load = write_file("big.lst", text),
                                  .memcap = 1024,
                                  .hashsize = 16};
    assert_null(cn_datasets_get(ds, &sp, err, sizeof(err)));
    assert_non_null(strstr(err, "memcap"));
    /* hashsize bounds */
    sp = (struct cn_dataset_spec){.name = "huge", .type = CN_DATASET_STRING, .hashsize = 1u << 30};
    assert_null(cn_datasets_get(ds, &sp, err, sizeof(err)));
    cn_datasets_free(ds);
}

struct adder {
    struct cn_dataset *s;
    int base;
};

static void *add_many(void *arg)
{
    struct adder *a = arg;
    for (int i = 0; i < 2000; i++) {
        uint8_t k[4] = {(uint8_t)a->base, (uint8_t)(i >> 8), (uint8_t)i, 1};
        cn_dataset_add(a->s, k, 4, 0);
        cn_dataset_lookup(a->s, k, 4, NULL);
    }
    return NULL;
}

static void test_concurrent_adds(void **state)
{
    (void)state;
    struct cn_datasets *ds = cn_datasets_new(NULL, NULL);
    struct cn_dataset *s = get(ds, "mt", CN_DATASET_IPV4, NULL, 0);
    pthread_t t[4];
    struct adder a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (struct adder){s, i % 2}; /* two pairs of threads add the same keys */
        pthread_create(&t[i], NULL, add_many, &a[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(cn_dataset_count(s), 4000);
    cn_datasets_free(ds);
}

/* ---- the keywords, through whole rules ---- */

static struct cn_ruleset *load(const char *rules, struct cn_conf *conf,
                               struct cn_detect_report *rep)
{
    const char *f = write_file("t.rules", rules);
    const char *files[] = {f};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1, .conf = conf};
    struct cn_ruleset *rs = cn_detect_load(&cfg, rep);
    assert_non_null(rs);
    return rs;
}

/* The first sigmatch of the rule's tcp.hdr list, run on buf. */
static bool run_kw(const struct cn_rule *r, const char *buf)
{
    const struct cn_smlist *l = &r->lists[CN_LIST__BUILTIN + CN_BUFFER_TCP_HDR];
    assert_true(l->n > 0);
    const struct cn_sigmatch *sm = &l->v[l->n - 1];
    struct cn_inspect in = {.rule = r, .buf = (const uint8_t *)buf, .len = (uint32_t)strlen(buf)};
    return sm->kw->match(&in, sm->data);
}

static void test_keyword_commands(void **state)
{
    (void)state;
    write_file("names.lst", "ZXZpbA==\n"); /* "evil" */
    write_file("rep.lst", "ZXZpbA==,200\nb2s=,5\n");
    struct cn_detect_report rep;
    struct cn_ruleset *rs =
        load("alert tcp any any -> any any (tcp.hdr; dataset:isset,names,type string,"
             " load names.lst; sid:1;)\n"
             "alert tcp any any -> any any (tcp.hdr; dataset:isnotset,names; sid:2;)\n"
             "alert tcp any any -> any any (tcp.hdr; dataset:set,seen,type string; sid:3;)\n"
             "alert tcp any any -> any any (tcp.hdr; dataset:unset,seen; sid:4;)\n"
             "alert tcp any any -> any any (tcp.hdr; datarep:reps,>,100,type string,"
             " load rep.lst; sid:5;)\n"
             "alert tcp any any -> any any (tcp.hdr; datarep:reps,==,5; sid:6;)\n",
             NULL, &rep);
    assert_int_equal(rep.failed, 0);
    assert_int_equal(rs->n, 6);
    const struct cn_rule *by_sid[7] = {NULL};
    for (unsigned i = 0; i < rs->n; i++)
        by_sid[rs->rules[i]->sid] = rs->rules[i];
    assert_true(run_kw(by_sid[1], "evil"));
    assert_false(run_kw(by_sid[1], "good"));
    assert_false(run_kw(by_sid[2], "evil"));
    assert_true(run_kw(by_sid[2], "good"));
    assert_true(run_kw(by_sid[3], "new"));  /* added: matches */
    assert_false(run_kw(by_sid[3], "new")); /* already there */
    assert_true(run_kw(by_sid[4], "new"));  /* removed */
    assert_false(run_kw(by_sid[4], "new"));
    assert_true(run_kw(by_sid[3], "new"));
    assert_true(run_kw(by_sid[5], "evil"));
    assert_false(run_kw(by_sid[5], "ok"));
    assert_false(run_kw(by_sid[5], "unknown"));
    assert_true(run_kw(by_sid[6], "ok"));
    assert_false(run_kw(by_sid[6], "evil"));
    cn_ruleset_free(rs);
}

static void test_keyword_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        /* no sticky buffer, as Suricata */
        "alert tcp any any -> any any (content:\"a\"; dataset:isset,x,type string; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; dataset:maybe,x,type string; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; dataset:isset,x,type bogus; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; dataset:isset,undefined; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; dataset:isset,x,type string,color red; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; dataset:isset,x,type string,state a,load b; "
        "sid:1;)",
        /* save/state: never absolute or with .., and only with a data directory */
        "alert tcp any any -> any any (tcp.hdr; dataset:set,x,type string,save /etc/x; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; dataset:set,x,type string,state ../x; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; dataset:set,x,type string,state x.lst; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; datarep:x,>=,1,type string; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; datarep:x,>,70000,type string; sid:1;)",
        "alert tcp any any -> any any (tcp.hdr; datarep:x,>,1,load f.lst; sid:1;)",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cn_detect_report rep;
        struct cn_ruleset *rs = load(bad[i], NULL, &rep);
        if (rep.failed != 1)
            fail_msg("accepted: %s", bad[i]);
        cn_ruleset_free(rs);
    }
}

static void test_state_saved_under_data_dir(void **state)
{
    (void)state;
    char err[256], set[300];
    struct cn_conf *conf = cn_conf_new();
    snprintf(set, sizeof(set), "default-data-dir=%s", dir);
    assert_int_equal(cn_conf_set(conf, set, err, sizeof(err)), 0);
    write_file("st.lst", "YQ==\n"); /* "a" from an earlier run */
    struct cn_detect_report rep;
    struct cn_ruleset *rs =
        load("alert tcp any any -> any any (tcp.hdr; dataset:set,st,type string,state st.lst;"
             " sid:1;)\n",
             conf, &rep);
    assert_int_equal(rep.failed, 0);
    assert_false(run_kw(rs->rules[0], "a"));
    assert_true(run_kw(rs->rules[0], "bc"));
    assert_int_equal(cn_detect_datasets_save(rs), 0);
    char path[300], line[64];
    snprintf(path, sizeof(path), "%s/st.lst", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int n = 0, a = 0, bc = 0;
    while (fgets(line, sizeof(line), f)) {
        n++;
        a += !strcmp(line, "YQ==\n");
        bc += !strcmp(line, "YmM=\n");
    }
    fclose(f);
    assert_int_equal(n, 2);
    assert_int_equal(a + bc, 2);
    cn_ruleset_free(rs);
    cn_conf_free(conf);
}

static void test_config_section(void **state)
{
    (void)state;
    char err[256], kv[300];
    struct cn_conf *conf = cn_conf_new();
    const char *p = write_file("conf.lst", "192.0.2.9\n");
    snprintf(kv, sizeof(kv), "datasets.blocked.load=%s", p);
    assert_int_equal(cn_conf_set(conf, "datasets.blocked.type=ipv4", err, sizeof(err)), 0);
    assert_int_equal(cn_conf_set(conf, kv, err, sizeof(err)), 0);
    assert_int_equal(cn_conf_set(conf, "datasets.defaults.memcap=1mb", err, sizeof(err)), 0);
    assert_int_equal(cn_conf_set(conf, "datasets.wrong.type=cheese", err, sizeof(err)), 0);
    unsigned bad = 0;
    struct cn_datasets *ds = cn_datasets_new(conf, &bad);
    assert_non_null(ds);
    assert_int_equal(bad, 1); /* datasets.wrong.type */
    struct cn_dataset_spec sp = {.name = "blocked"};
    struct cn_dataset *s = cn_datasets_get(ds, &sp, err, sizeof(err));
    assert_non_null(s);
    static const uint8_t a[4] = {192, 0, 2, 9};
    assert_int_equal(cn_dataset_lookup(s, a, 4, NULL), 1);
    cn_datasets_free(ds);
    cn_conf_free(conf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_each_type),
        cmocka_unit_test(test_bad_lines_report_file_and_line),
        cmocka_unit_test(test_missing_file_and_conflicts),
        cmocka_unit_test(test_add_remove_and_memcap),
        cmocka_unit_test(test_concurrent_adds),
        cmocka_unit_test(test_keyword_commands),
        cmocka_unit_test(test_keyword_errors),
        cmocka_unit_test(test_state_saved_under_data_dir),
        cmocka_unit_test(test_config_section),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
