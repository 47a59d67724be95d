/* The configuration tree: Suricata's YAML layout, include:, --set overrides, and getters whose
 * errors name the key path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/core.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static struct cn_conf *load(const char *name, char *err, size_t errlen)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return cn_conf_load(path, err, errlen);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cn-conf-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void suricata_layout(void **state)
{
    (void)state;
    write_file("a.yaml", "%YAML 1.1\n---\n"
                         "flow:\n  memcap: 64mb\n  hash-size: 1024\n"
                         "outputs:\n"
                         "  - fast:\n      enabled: no\n"
                         "  - eve-log:\n      enabled: yes\n      types:\n"
                         "        - flow\n        - anomaly:\n            types:\n"
                         "              decode: yes\n");
    char err[256] = "";
    struct cn_conf *c = load("a.yaml", err, sizeof(err));
    assert_non_null(c);
    uint64_t v;
    assert_int_equal(cn_conf_get_size(c, "flow.memcap", 0, &v, err, sizeof(err)), 0);
    assert_int_equal(v, 64ULL << 20);
    assert_int_equal(cn_conf_get_u64(c, "flow.hash-size", 0, &v, err, sizeof(err)), 0);
    assert_int_equal(v, 1024);
    assert_string_equal(cn_conf_get_str(c, "outputs.1.eve-log.types.0", NULL), "flow");
    bool b = false;
    assert_int_equal(cn_conf_get_bool(c, "outputs.1.eve-log.types.1.anomaly.types.decode", false,
                                      &b, err, sizeof(err)),
                     0);
    assert_true(b);
    assert_true(cn_conf_is_seq(cn_conf_find(c, "outputs")));
    /* absent keys take the default */
    assert_int_equal(cn_conf_get_u64(c, "flow.prealloc", 77, &v, err, sizeof(err)), 0);
    assert_int_equal(v, 77);
    cn_conf_free(c);
}

static void bad_value_names_key_and_line(void **state)
{
    (void)state;
    write_file("b.yaml", "stream:\n  memcap: lots\n");
    char err[256] = "";
    struct cn_conf *c = load("b.yaml", err, sizeof(err));
    assert_non_null(c);
    uint64_t v;
    assert_int_equal(cn_conf_get_size(c, "stream.memcap", 0, &v, err, sizeof(err)), -CN_EINVAL);
    assert_non_null(strstr(err, "stream.memcap"));
    assert_non_null(strstr(err, "lots"));
    assert_non_null(strstr(err, "b.yaml:2"));
    cn_conf_free(c);
}

static void include_and_set(void **state)
{
    (void)state;
    write_file("inc.yaml", "defrag:\n  timeout: 10\nflow:\n  memcap: 1mb\n");
    write_file("main.yaml", "flow:\n  memcap: 2mb\ninclude: inc.yaml\n");
    char err[256] = "";
    struct cn_conf *c = load("main.yaml", err, sizeof(err));
    assert_non_null(c);
    uint64_t v;
    assert_int_equal(cn_conf_get_u64(c, "defrag.timeout", 0, &v, err, sizeof(err)), 0);
    assert_int_equal(v, 10);
    /* the include comes later, so its value wins */
    assert_int_equal(cn_conf_get_size(c, "flow.memcap", 0, &v, err, sizeof(err)), 0);
    assert_int_equal(v, 1ULL << 20);
    assert_int_equal(cn_conf_set(c, "flow.memcap=5mb", err, sizeof(err)), 0);
    assert_int_equal(cn_conf_set(c, "stream.reassembly.depth=0", err, sizeof(err)), 0);
    assert_int_equal(cn_conf_get_size(c, "flow.memcap", 0, &v, err, sizeof(err)), 0);
    assert_int_equal(v, 5ULL << 20);
    assert_int_equal(cn_conf_get_size(c, "stream.reassembly.depth", 9, &v, err, sizeof(err)), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cn_conf_set(c, "novalue", err, sizeof(err)), -CN_EINVAL);
    cn_conf_free(c);
}

static void include_loop_is_an_error(void **state)
{
    (void)state;
    write_file("loop.yaml", "include: loop.yaml\n");
    char err[256] = "";
    assert_null(load("loop.yaml", err, sizeof(err)));
    assert_non_null(strstr(err, "nested deeper"));
}

static void broken_yaml_names_file_and_line(void **state)
{
    (void)state;
    write_file("bad.yaml", "flow:\n  memcap: 1mb\n   hash-size: [\n");
    char err[256] = "";
    assert_null(load("bad.yaml", err, sizeof(err)));
    assert_non_null(strstr(err, "bad.yaml:"));
    assert_null(load("missing.yaml", err, sizeof(err)));
    assert_non_null(strstr(err, "missing.yaml"));
}

static void deep_nesting_is_bounded(void **state)
{
    (void)state;
    char text[1200];
    size_t n = 0;
    for (int i = 0; i < 200; i++)
        text[n++] = '[';
    text[n] = '\0';
    write_file("deep.yaml", text);
    char err[256] = "";
    assert_null(load("deep.yaml", err, sizeof(err)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(suricata_layout),
        cmocka_unit_test(bad_value_names_key_and_line),
        cmocka_unit_test(include_and_set),
        cmocka_unit_test(include_loop_is_an_error),
        cmocka_unit_test(broken_yaml_names_file_and_line),
        cmocka_unit_test(deep_nesting_is_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
