/* Unit tests of src/output/eve.c and fast.c: defaults, opening the logs (missing or
 * non-directory log dir, truncation, disabled outputs), lines from two threads that never
 * interleave, a record larger than the thread buffer, per-type counts, and fast.log's
 * buffered lines and time stamp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "helpers.h"
#include "jcheck.h"

static void test_defaults(void **state)
{
    (void)state;
    struct cn_output_config c;
    memset(&c, 0xa5, sizeof(c));
    cn_output_config_defaults(&c);
    assert_string_equal(c.logdir, ".");
    assert_true(c.eve_enabled);
    assert_string_equal(c.eve_filename, "eve.json");
    assert_false(c.eve_ethernet);
    assert_false(c.community_id);
    assert_int_equal(c.community_id_seed, 0);
    assert_true(c.type_alert && c.type_flow && c.type_anomaly && c.type_stats);
    assert_false(c.anomaly_decode);
    assert_false(c.anomaly_stream);
    assert_true(c.anomaly_applayer);
    assert_true(c.stats_totals);
    assert_false(c.stats_threads);
    assert_false(c.stats_deltas);
    assert_int_equal(c.stats_interval, 8);
    assert_true(c.fast_enabled);
    assert_string_equal(c.fast_filename, "fast.log");
    assert_null(c.in_iface);
    assert_true(c.stats_decoder_events);
    assert_false(c.stats_stream_events);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    char err[256] = "";
    c.logdir = "/nonexistent-cn-dir/logs";
    assert_null(cn_output_open(&c, err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent-cn-dir/logs"));

    char *dir = tmp_logdir();
    assert_non_null(dir);
    char file[4096];
    snprintf(file, sizeof(file), "%s/plain", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    c.logdir = file;
    err[0] = '\0';
    assert_null(cn_output_open(&c, err, sizeof(err)));
    assert_non_null(strstr(err, "not a directory"));

    /* a file name that cannot be created: the error names it */
    c.logdir = dir;
    c.eve_filename = "no-such-subdir/eve.json";
    err[0] = '\0';
    assert_null(cn_output_open(&c, err, sizeof(err)));
    assert_non_null(strstr(err, "no-such-subdir/eve.json"));
    rm_tree(dir);
}

static void test_truncate_and_paths(void **state)
{
    (void)state;
    char *dir = tmp_logdir();
    assert_non_null(dir);
    char p[4096];
    snprintf(p, sizeof(p), "%s/eve.json", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("old content\n", f);
    fclose(f);

    struct cn_output_config c;
    cn_output_config_defaults(&c);
    c.logdir = dir;
    char err[256];
    struct cn_output *out = cn_output_open(&c, err, sizeof(err));
    assert_non_null(out);
    assert_string_equal(cn_output_eve_path(out), p);
    cn_output_close(out);

    size_t n = 1;
    char *s = read_all(dir, "eve.json", &n);
    assert_non_null(s);
    assert_int_equal(n, 0);
    free(s);
    s = read_all(dir, "fast.log", &n);
    assert_non_null(s);
    assert_int_equal(n, 0);
    free(s);
    rm_tree(dir);
}

static void test_disabled(void **state)
{
    (void)state;
    char *dir = tmp_logdir();
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    c.logdir = dir;
    c.eve_enabled = false;
    c.fast_enabled = false;
    c.anomaly_decode = true;
    char err[256];
    struct cn_output *out = cn_output_open(&c, err, sizeof(err));
    assert_non_null(out);
    assert_null(cn_output_eve_path(out));
    struct cn_output_thread *ot = cn_output_thread_new(out);
    assert_non_null(ot);
    struct cn_packet pk;
    test_packet(&pk);
    cn_packet_event(&pk, (enum cn_event_id)first_event(CN_EVL_DECODE));
    cn_output_packet_events(ot, &pk);
    cn_output_thread_free(ot);
    cn_output_close(out);
    assert_null(read_all(dir, "eve.json", NULL));
    assert_null(read_all(dir, "fast.log", NULL));
    rm_tree(dir);
}

#define LINES_PER_THREAD 20000

struct worker {
    struct cn_output *out;
    uint64_t base;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct cn_output_thread *ot = cn_output_thread_new(w->out);
    if (!ot)
        return NULL;
    struct cn_packet pk;
    test_packet(&pk);
    cn_packet_event(&pk, (enum cn_event_id)first_event(CN_EVL_DECODE));
    for (uint64_t i = 0; i < LINES_PER_THREAD; i++) {
        pk.pcap_cnt = w->base + i;
        pk.sp = (uint16_t)i;
        cn_output_packet_events(ot, &pk);
        if (i % 7777 == 0)
            cn_output_thread_flush(ot);
    }
    cn_output_thread_free(ot);
    return ot;
}

struct counts {
    uint64_t anomaly, other;
};
static void count_cb(void *user, const char *type, uint64_t n)
{
    struct counts *c = user;
    if (!strcmp(type, "anomaly"))
        c->anomaly += n;
    else
        c->other += n;
}

static void test_threads_never_interleave(void **state)
{
    (void)state;
    char *dir = tmp_logdir();
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    c.logdir = dir;
    c.anomaly_decode = true;
    char err[256];
    struct cn_output *out = cn_output_open(&c, err, sizeof(err));
    assert_non_null(out);

    struct worker w[2] = {{out, 1000000}, {out, 2000000}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    for (int i = 0; i < 2; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        assert_non_null(ret);
    }
    struct counts cnt = {0, 0};
    cn_output_counts(out, count_cb, &cnt);
    assert_int_equal(cnt.anomaly, 2 * LINES_PER_THREAD);
    assert_int_equal(cnt.other, 0);
    cn_output_close(out);

    size_t len;
    char *s = read_all(dir, "eve.json", &len);
    assert_non_null(s);
    assert_int_equal(count_lines(s), 2 * LINES_PER_THREAD);
    static uint8_t seen[2][LINES_PER_THREAD];
    memset(seen, 0, sizeof(seen));
    char *line = s;
    while (*line) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        if (!jc_valid_object(line, (size_t)(nl - line)))
            fail_msg("invalid line: %.200s", line);
        char v[32];
        assert_true(jc_get(line, "pcap_cnt", v, sizeof(v)));
        uint64_t cntv = strtoull(v, NULL, 10);
        unsigned t = cntv >= 2000000 ? 1 : 0;
        uint64_t i = cntv - (t ? 2000000 : 1000000);
        assert_true(i < LINES_PER_THREAD);
        assert_int_equal(seen[t][i], 0);
        seen[t][i] = 1;
        line = nl + 1;
    }
    free(s);
    rm_tree(dir);
}

static void test_large_record(void **state)
{
    (void)state;
    char *dir = tmp_logdir();
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    c.logdir = dir;
    c.anomaly_decode = true;
    char err[256];
    struct cn_output *out = cn_output_open(&c, err, sizeof(err));
    assert_non_null(out);
    struct cn_output_thread *ot = cn_output_thread_new(out);
    assert_non_null(ot);

    struct cn_packet pk;
    test_packet(&pk);
    cn_packet_event(&pk, (enum cn_event_id)first_event(CN_EVL_DECODE));
    cn_output_packet_events(ot, &pk); /* a small line stays buffered */

    /* a record three times the thread buffer, built by hand */
    size_t n = 3 * CN_EVE_THREAD_BUF;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'x', n);
    cn_eve_packet_header(ot, &pk, CN_EVE_ANOMALY);
    cn_json_str_n(&ot->js, "big", 3, big, n);
    cn_eve_commit(ot, CN_EVE_ANOMALY);
    free(big);
    /* a record over the size limit is dropped whole; the builder gives its memory back */
    size_t huge = CN_JSON_MAX_SIZE / 2;
    char *h = malloc(huge);
    assert_non_null(h);
    memset(h, 0x01, huge); /* six bytes each once escaped */
    cn_eve_packet_header(ot, &pk, CN_EVE_ANOMALY);
    cn_json_str_n(&ot->js, "huge", 4, h, huge);
    assert_true(ot->js.err);
    cn_eve_commit(ot, CN_EVE_ANOMALY);
    free(h);
    assert_true(ot->js.cap <= (1u << 20));
    assert_false(ot->js.err);
    pk.pcap_cnt = 8;
    cn_output_packet_events(ot, &pk);
    cn_output_thread_free(ot);
    struct counts cnt = {0, 0};
    cn_output_counts(out, count_cb, &cnt);
    assert_int_equal(cnt.anomaly, 3);
    cn_output_close(out);

    size_t len;
    char *s = read_all(dir, "eve.json", &len);
    assert_non_null(s);
    assert_int_equal(count_lines(s), 3);
    /* in the order they were made */
    char *l1 = s, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    assert_non_null(strstr(l1, "\"pcap_cnt\":7"));
    assert_true(strchr(l2, '\n') - l2 > (long)n);
    assert_true(jc_valid_object(l2, (size_t)(strchr(l2, '\n') - l2)));
    assert_non_null(strstr(l3, "\"pcap_cnt\":8"));
    free(s);
    rm_tree(dir);
}

static void test_fast_log(void **state)
{
    (void)state;
    char *dir = tmp_logdir();
    struct cn_output_config c;
    cn_output_config_defaults(&c);
    c.logdir = dir;
    char err[256];
    struct cn_output *out = cn_output_open(&c, err, sizeof(err));
    assert_non_null(out);
    struct cn_output_thread *ot = cn_output_thread_new(out);
    assert_non_null(ot);

    struct cn_tscache tc;
    cn_tscache_init(&tc);
    char t[CN_FAST_TIME_STRLEN];
    assert_int_equal(cn_fast_time_format(&tc, 1704164645ULL * CN_USEC + 123456, t), 26);
    assert_string_equal(t, "01/02/2024-03:04:05.123456");

    char line[256];
    int total = 0;
    for (int i = 0; i < 500; i++) {
        int n =
            snprintf(line, sizeof(line), "%s  [**] [1:%d:1] test [**] {TCP} a:1 -> b:2\n", t, i);
        cn_fast_write_line(ot, line, (size_t)n);
        total += n;
    }
    /* nothing reaches the file until a flush (or a full buffer), and then the writer thread */
    cn_output_thread_flush(ot);
    cn_output_sync(out);
    size_t len;
    char *s = read_all(dir, "fast.log", &len);
    assert_non_null(s);
    assert_int_equal(len, (size_t)total);
    assert_int_equal(count_lines(s), 500);
    assert_non_null(strstr(s, "[1:499:1]"));
    free(s);
    cn_output_thread_free(ot);
    cn_output_close(out);
    rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_truncate_and_paths),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_threads_never_interleave),
        cmocka_unit_test(test_large_record),
        cmocka_unit_test(test_fast_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
