/* Unit tests of src/output/eve_stats.c: nesting of dotted counter paths (a parent named in
 * several places becomes one object, first-appearance order), collisions between a counter
 * and an object left out, the full record over the real counter list (valid JSON, no
 * duplicate keys, derived avg_pkt_size, event counters following stats.decoder-events and
 * stats.stream-events), deltas, and the per-type count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"
#include "jcheck.h"

static const char *emit_paths(const char *const *paths, unsigned n, const struct cn_stats *v)
{
    static char out[4096];
    struct cn_stats_tree *t = cn_stats_tree_build(paths, n);
    assert_non_null(t);
    struct cn_json j;
    assert_true(cn_json_init(&j, 64));
    cn_json_open_object(&j, NULL);
    cn_stats_tree_emit(t, &j, v, NULL);
    cn_json_close(&j);
    assert_false(j.err);
    assert_true(j.len < sizeof(out));
    memcpy(out, j.buf, j.len);
    out[j.len] = '\0';
    cn_json_free(&j);
    cn_stats_tree_free(t);
    assert_true(jc_valid_object(out, strlen(out)));
    return out;
}

static void test_nesting(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "decoder.pkts",
        "flow.total",
        "decoder.event.ipv4.trunc_pkt",
        "top",
        "decoder.event.ipv4.opt_pad",
        "flow.mgr.rows",
        "decoder.event.tcp.hlen_too_small",
        NULL,
        "decoder.bytes",
    };
    unsigned n = sizeof(paths) / sizeof(paths[0]);
    assert_true(n <= CN_STAT__COUNT);
    struct cn_stats v;
    memset(&v, 0, sizeof(v));
    for (unsigned i = 0; i < n; i++)
        v.v[i] = 100 + i;
    const char *s = emit_paths(paths, n, &v);
    assert_string_equal(s, "{\"decoder\":{\"pkts\":100,\"event\":{\"ipv4\":{\"trunc_pkt\":102,"
                           "\"opt_pad\":104},\"tcp\":{\"hlen_too_small\":106}},\"bytes\":108},"
                           "\"flow\":{\"total\":101,\"mgr\":{\"rows\":105}},\"top\":103}");
}

static void test_collisions(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "a.b",    /* a counter... */
        "a.b.c",  /* ...cannot also be an object: left out */
        "x.y.z",  /* an object... */
        "x.y",    /* ...cannot also be a counter: left out */
        "a.b",    /* a duplicate: left out */
        "uptime", /* the record's own key */
        "p..q",   /* empty component */
        "ok",
    };
    unsigned n = sizeof(paths) / sizeof(paths[0]);
    struct cn_stats v;
    memset(&v, 0, sizeof(v));
    for (unsigned i = 0; i < n; i++)
        v.v[i] = i + 1;
    const char *s = emit_paths(paths, n, &v);
    assert_string_equal(s, "{\"a\":{\"b\":1},\"x\":{\"y\":{\"z\":3}},\"ok\":8}");
}

struct counts {
    uint64_t stats;
};
static void count_cb(void *user, const char *type, uint64_t n)
{
    struct counts *c = user;
    if (!strcmp(type, "stats"))
        c->stats += n;
}

/* "stats.<path>" of counter id, read from the record line. */
static bool get_counter(const char *line, unsigned id, char *v, size_t vlen)
{
    char path[512];
    snprintf(path, sizeof(path), "stats.%s", cn_stat_descs[id].path);
    return jc_get(line, path, v, vlen);
}

static char *write_records(struct cn_output_config *c, const struct cn_stats *a,
                           const struct cn_stats *b, uint64_t *nstats)
{
    char *dir = tmp_logdir();
    assert_non_null(dir);
    c->logdir = dir;
    char err[256];
    struct cn_output *out = cn_output_open(c, err, sizeof(err));
    assert_non_null(out);
    cn_output_stats(out, a, 1704164645ULL * CN_USEC, 8);
    if (b)
        cn_output_stats(out, b, 1704164653ULL * CN_USEC, 16);
    struct counts cnt = {0};
    cn_output_counts(out, count_cb, &cnt);
    *nstats = cnt.stats;
    cn_output_close(out);
    char *s = read_all(dir, "eve.json", NULL);
    assert_non_null(s);
    rm_tree(dir);
    return s;
}

static void test_record(void **state)
{
    (void)state;
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    struct cn_stats v;
    memset(&v, 0, sizeof(v));
    v.v[CN_STAT_DECODER_PKTS] = 3;
    v.v[CN_STAT_DECODER_BYTES] = 1000;
    v.v[CN_STAT_DECODER_IPV4] = 2;
    uint64_t n;
    char *s = write_records(&c, &v, NULL, &n);
    assert_int_equal(n, 1);
    assert_int_equal(count_lines(s), 1);
    *strchr(s, '\n') = '\0';
    assert_true(jc_valid_object(s, strlen(s)));
    assert_true(strncmp(s,
                        "{\"timestamp\":\"2024-01-02T03:04:05.000000+0000\","
                        "\"event_type\":\"stats\",\"stats\":{\"uptime\":8,",
                        strlen("{\"timestamp\":\"2024-01-02T03:04:05.000000+0000\","
                               "\"event_type\":\"stats\",\"stats\":{\"uptime\":8,")) == 0);
    char val[64];
    assert_true(jc_get(s, "stats.decoder.pkts", val, sizeof(val)));
    assert_string_equal(val, "3");
    assert_true(jc_get(s, "stats.decoder.ipv4", val, sizeof(val)));
    assert_string_equal(val, "2");
    /* derived: bytes / pkts, integer division */
    assert_true(jc_get(s, "stats.decoder.avg_pkt_size", val, sizeof(val)));
    assert_string_equal(val, "333");

    /* event counters: decoder events by default, stream events only when asked */
    unsigned dec = first_event(CN_EVL_DECODE), str = first_event(CN_EVL_STREAM);
    assert_true(get_counter(s, cn_event_descs[dec].counter, val, sizeof(val)));
    assert_false(get_counter(s, cn_event_descs[str].counter, val, sizeof(val)));
    free(s);

    cn_output_config_defaults(&c);
    c.stats_decoder_events = false;
    c.stats_stream_events = true;
    memset(&v, 0, sizeof(v));
    v.v[cn_event_descs[str].counter] = 5;
    s = write_records(&c, &v, NULL, &n);
    *strchr(s, '\n') = '\0';
    assert_true(jc_valid_object(s, strlen(s)));
    assert_false(get_counter(s, cn_event_descs[dec].counter, val, sizeof(val)));
    assert_true(get_counter(s, cn_event_descs[str].counter, val, sizeof(val)));
    assert_string_equal(val, "5");
    /* no packets: no division by zero */
    assert_true(jc_get(s, "stats.decoder.avg_pkt_size", val, sizeof(val)));
    assert_string_equal(val, "0");
    free(s);
}

static void test_deltas_and_switches(void **state)
{
    (void)state;
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    c.stats_deltas = true;
    struct cn_stats a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.v[CN_STAT_DECODER_PKTS] = 10;
    b.v[CN_STAT_DECODER_PKTS] = 25;
    a.v[CN_STAT_FLOW_ACTIVE] = 9;
    b.v[CN_STAT_FLOW_ACTIVE] = 4; /* a gauge may go down */
    uint64_t n;
    char *s = write_records(&c, &a, &b, &n);
    assert_int_equal(n, 2);
    char *l2 = strchr(s, '\n') + 1;
    l2[-1] = '\0';
    assert_true(jc_valid_object(s, strlen(s)));
    char val[64];
    assert_true(jc_get(s, "stats.decoder.pkts_delta", val, sizeof(val)));
    assert_string_equal(val, "10");
    assert_true(jc_get(l2, "stats.decoder.pkts_delta", val, sizeof(val)));
    assert_string_equal(val, "15");
    assert_true(jc_get(l2, "stats.flow.active_delta", val, sizeof(val)));
    assert_string_equal(val, "-5");
    assert_true(jc_get(l2, "stats.uptime", val, sizeof(val)));
    assert_string_equal(val, "16");
    free(s);

    /* totals off: only the uptime; stats off: no record */
    cn_output_config_defaults(&c);
    c.stats_totals = false;
    s = write_records(&c, &a, NULL, &n);
    assert_non_null(strstr(s, "\"stats\":{\"uptime\":8}}\n"));
    free(s);
    cn_output_config_defaults(&c);
    c.type_stats = false;
    s = write_records(&c, &a, NULL, &n);
    assert_string_equal(s, "");
    assert_int_equal(n, 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_collisions),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_deltas_and_switches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
