/* Unit tests of src/flow/timeout.c and pool.c: timeouts per protocol class and state, the
 * timeout pass and flush, expiry found at lookup, and emergency mode under a tiny memcap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pkt.h"

struct fx {
    struct cn_stats st;
    struct ended e;
    struct cn_flow_table *t;
};

static int setup(void **state)
{
    struct fx *x = calloc(1, sizeof(*x));
    if (!x)
        return -1;
    x->t = mk_table(&x->st, &x->e);
    if (!x->t) {
        free(x);
        return -1;
    }
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    struct fx *x = *state;
    cn_flow_table_free(x->t);
    free(x);
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    struct cn_flow_config c;
    cn_flow_config_defaults(&c);
    const struct cn_flow_timeouts *d = &c.timeouts[CN_FLOW_PC_DEFAULT];
    const struct cn_flow_timeouts *tcp = &c.timeouts[CN_FLOW_PC_TCP];
    const struct cn_flow_timeouts *udp = &c.timeouts[CN_FLOW_PC_UDP];
    const struct cn_flow_timeouts *icmp = &c.timeouts[CN_FLOW_PC_ICMP];
    assert_int_equal(d->new_, 30);
    assert_int_equal(d->established, 300);
    assert_int_equal(d->closed, 0);
    assert_int_equal(d->emerg_new, 10);
    assert_int_equal(d->emerg_established, 100);
    assert_int_equal(tcp->new_, 60);
    assert_int_equal(tcp->established, 600);
    assert_int_equal(tcp->closed, 60);
    assert_int_equal(tcp->emerg_new, 5);
    assert_int_equal(tcp->emerg_established, 100);
    assert_int_equal(tcp->emerg_closed, 10);
    assert_int_equal(udp->new_, 30);
    assert_int_equal(udp->established, 300);
    assert_int_equal(udp->emerg_new, 10);
    assert_int_equal(icmp->new_, 30);
    assert_int_equal(icmp->established, 300);
    assert_int_equal(icmp->emerg_established, 100);
}

/* A flow with timeout T, last seen at 1000.5 s, survives a pass at 1000 + T + 0.999999 s
 * (whole seconds) and ends at 1001 + T. */
static void expect_timeout(struct fx *x, struct cn_packet *p, uint64_t secs)
{
    unsigned before = x->e.n;
    struct cn_flow *f = cn_flow_handle(x->t, p);
    assert_non_null(f);
    p->ts += CN_USEC / 2;
    cn_flow_handle(x->t, p);
    cn_flow_timeout(x->t, (1000 + secs) * CN_USEC + CN_USEC - 1);
    assert_int_equal(x->e.n, before);
    assert_int_equal(cn_flow_active(x->t), 1);
    cn_flow_timeout(x->t, (1001 + secs) * CN_USEC);
    assert_int_equal(x->e.n, before + 1);
    assert_int_equal(x->e.rec[before].end_reason, CN_FLOW_END_TIMEOUT);
    assert_int_equal(cn_flow_active(x->t), 0);
}

static void test_timeout_by_class(void **state)
{
    struct fx *x = *state;
    struct cn_packet p = mk_udp("10.0.0.1", 1, "10.0.0.2", 2, 1000);
    expect_timeout(x, &p, 30);
    p = mk_tcp("10.0.0.1", 1, "10.0.0.2", 2, CN_TH_SYN, 1000);
    expect_timeout(x, &p, 60);
    p = mk_icmp("10.0.0.1", "10.0.0.2", 8, 0, 1000);
    expect_timeout(x, &p, 30);
    p = mk_l4(132, "10.0.0.1", 0, "10.0.0.2", 0, 1000);
    expect_timeout(x, &p, 30);
    assert_int_equal(x->st.v[CN_STAT_FLOW_MGR_FLOWS_TIMEOUT], 4);
    assert_int_equal(x->st.v[CN_STAT_FLOW_END_STATE_NEW], 4);
}

static void test_timeout_by_state(void **state)
{
    struct fx *x = *state;
    struct cn_packet a = mk_udp("10.0.0.1", 1, "10.0.0.2", 2, 1000);
    struct cn_packet b = mk_udp("10.0.0.2", 2, "10.0.0.1", 1, 1000);
    cn_flow_handle(x->t, &a);
    cn_flow_handle(x->t, &b);
    /* established UDP: 300 s, not 30 */
    cn_flow_timeout(x->t, 1031 * CN_USEC);
    assert_int_equal(cn_flow_active(x->t), 1);
    cn_flow_timeout(x->t, 1301 * CN_USEC);
    assert_int_equal(cn_flow_active(x->t), 0);
    assert_int_equal(x->e.rec[0].state, CN_FLOW_ESTABLISHED);
    assert_int_equal(x->st.v[CN_STAT_FLOW_END_STATE_ESTABLISHED], 1);

    /* TCP moved by the stream engine: established 600 s, closed 60 s */
    struct cn_packet t = mk_tcp("10.0.0.1", 7, "10.0.0.2", 8, CN_TH_SYN, 2000);
    struct cn_flow *f = cn_flow_handle(x->t, &t);
    cn_flow_set_state(x->t, f, CN_FLOW_ESTABLISHED);
    cn_flow_timeout(x->t, 2600 * CN_USEC);
    assert_int_equal(cn_flow_active(x->t), 1);
    cn_flow_set_state(x->t, f, CN_FLOW_CLOSED);
    cn_flow_timeout(x->t, 2060 * CN_USEC);
    assert_int_equal(cn_flow_active(x->t), 1);
    cn_flow_timeout(x->t, 2061 * CN_USEC);
    assert_int_equal(cn_flow_active(x->t), 0);
    assert_int_equal(x->e.rec[1].state, CN_FLOW_CLOSED);
}

static void test_activity_postpones(void **state)
{
    struct fx *x = *state;
    struct cn_packet p = mk_udp("10.0.0.1", 1, "10.0.0.2", 2, 1000);
    struct cn_packet q = mk_udp("10.0.0.3", 1, "10.0.0.4", 2, 1000);
    cn_flow_handle(x->t, &p);
    cn_flow_handle(x->t, &q);
    p.ts += 20 * CN_USEC; /* p's flow is now younger than q's, though created first */
    cn_flow_handle(x->t, &p);
    cn_flow_timeout(x->t, 1031 * CN_USEC);
    assert_int_equal(x->e.n, 1);
    assert_true(cn_addr_eq(&x->e.rec[0].src, &q.src));
    cn_flow_timeout(x->t, 1050 * CN_USEC);
    assert_int_equal(x->e.n, 1);
    cn_flow_timeout(x->t, 1051 * CN_USEC);
    assert_int_equal(x->e.n, 2);
}

static void test_expired_at_lookup(void **state)
{
    struct fx *x = *state;
    struct cn_packet p = mk_udp("10.0.0.1", 1, "10.0.0.2", 2, 1000);
    struct cn_flow *f = cn_flow_handle(x->t, &p);
    uint64_t id = f->flow_id;
    p.ts += 31 * CN_USEC; /* no timeout pass ran, but the old flow is stale */
    struct cn_flow *g = cn_flow_handle(x->t, &p);
    assert_non_null(g);
    assert_int_equal(x->e.n, 1);
    assert_int_equal(x->e.rec[0].end_reason, CN_FLOW_END_TIMEOUT);
    assert_int_equal(x->e.rec[0].flow_id, id);
    assert_int_not_equal(g->flow_id, id);
    assert_int_equal(g->pkts_toserver, 1);
    assert_int_equal(x->st.v[CN_STAT_FLOW_WRK_FLOWS_EVICTED], 1);
    assert_int_equal(cn_flow_active(x->t), 1);
}

static void test_flush(void **state)
{
    struct fx *x = *state;
    struct cn_packet old = mk_udp("10.0.0.1", 1, "10.0.0.2", 2, 1000);
    struct cn_packet young = mk_udp("10.0.0.1", 3, "10.0.0.2", 4, 1025);
    struct cn_packet tcp = mk_tcp("10.0.0.1", 5, "10.0.0.2", 6, CN_TH_SYN, 1029);
    cn_flow_handle(x->t, &old);
    cn_flow_handle(x->t, &young);
    cn_flow_handle(x->t, &tcp);
    cn_flow_flush(x->t, 1040 * CN_USEC);
    assert_int_equal(x->e.n, 3);
    assert_int_equal(x->e.rec[0].end_reason, CN_FLOW_END_TIMEOUT);
    assert_int_equal(x->e.rec[0].sp, 1);
    assert_int_equal(x->e.rec[1].end_reason, CN_FLOW_END_SHUTDOWN);
    assert_int_equal(x->e.rec[2].end_reason, CN_FLOW_END_SHUTDOWN);
    assert_int_equal(cn_flow_active(x->t), 0);
    /* the table stays usable */
    assert_non_null(cn_flow_handle(x->t, &old));
}

static void test_emergency(void **state)
{
    (void)state;
    struct cn_stats st = {0};
    struct ended *e = calloc(1, sizeof(*e));
    assert_non_null(e);
    struct cn_flow_config cfg;
    cn_flow_config_defaults(&cfg);
    cfg.hash_size = 256;
    cfg.prealloc = 0;
    cfg.memcap = 32 * 1024; /* a few dozen flows */
    struct cn_flow_hooks hooks = {on_end, e};
    struct cn_flow_table *t = cn_flow_table_new(&cfg, &hooks, &st);
    assert_non_null(t);
    const struct cn_memcap *mc = cn_flow_memcap(t);
    assert_false(cn_flow_in_emergency(t));

    size_t max_active = 0;
    for (unsigned i = 0; i < 2000; i++) {
        struct cn_packet p = mk_udp("10.9.0.1", (uint16_t)(1024 + i), "10.9.0.2", 53, 5000);
        p.ts += i; /* a microsecond apart: nothing times out */
        struct cn_flow *f = cn_flow_handle(t, &p);
        assert_non_null(f); /* eviction always makes room */
        assert_true(mc->used <= cfg.memcap);
        max_active = CN_MAX(max_active, cn_flow_active(t));
    }
    assert_true(mc->peak <= cfg.memcap);
    assert_true(max_active > 20);
    assert_true(max_active < 2000);
    assert_true(cn_flow_in_emergency(t));
    assert_int_equal(st.v[CN_STAT_FLOW_EMERG_MODE_ENTERED], 1);
    assert_int_equal(st.v[CN_STAT_FLOW_EMERG_MODE_OVER], 0);
    assert_int_equal(st.v[CN_STAT_FLOW_GET_USED], 2000 - max_active);
    assert_int_equal(st.v[CN_STAT_FLOW_MEMCAP], 2000 - max_active);
    assert_int_equal(st.v[CN_STAT_FLOW_TOTAL], 2000);
    assert_int_equal(st.v[CN_STAT_FLOW_MEMUSE], mc->used);
    assert_int_equal(e->n, 2000 - max_active);
    /* the oldest went first */
    assert_int_equal(e->rec[0].sp, 1024);
    assert_int_equal(e->rec[1].sp, 1025);
    for (unsigned i = 0; i < e->n; i++) {
        assert_int_equal(e->rec[i].end_reason, CN_FLOW_END_FORCED);
    }
    /* the flows created in emergency are marked so */
    struct cn_packet last = mk_udp("10.9.0.1", 1024 + 1999, "10.9.0.2", 53, 5000);
    last.ts += 1999;
    assert_true(cn_flow_handle(t, &last)->emergency);

    /* emergency timeouts: UDP new 10 s instead of 30 */
    cn_flow_timeout(t, 5011 * CN_USEC);
    assert_int_equal(cn_flow_active(t), 0);
    assert_false(cn_flow_in_emergency(t));
    assert_int_equal(st.v[CN_STAT_FLOW_EMERG_MODE_OVER], 1);
    assert_int_equal(st.v[CN_STAT_FLOW_SPARE], max_active);

    /* back to normal timeouts, and the pool is reused without growing */
    uint64_t used = mc->used;
    struct cn_packet p = mk_udp("10.9.0.1", 7, "10.9.0.2", 53, 6000);
    cn_flow_handle(t, &p);
    cn_flow_timeout(t, 6011 * CN_USEC);
    assert_int_equal(cn_flow_active(t), 1);
    assert_int_equal(mc->used, used);
    cn_flow_table_free(t);
    free(e);
}

/* An allocator that fails once the test says so. */
static bool fail_alloc;
static void *t_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return fail_alloc ? NULL : malloc(n);
}
static void *t_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return fail_alloc ? NULL : realloc(p, n);
}
static void t_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    struct cn_stats st = {0};
    struct cn_flow_config cfg;
    cn_flow_config_defaults(&cfg);
    cfg.hash_size = 64;
    cfg.prealloc = 0;
    struct cn_flow_table *t = cn_flow_table_new(&cfg, NULL, &st);
    assert_non_null(t);
    struct cn_alloc_hook hook = {t_alloc, t_realloc, t_free, NULL};
    cn_alloc_set_hook(&hook);
    fail_alloc = true;
    /* nothing to allocate and nothing to evict: the packet gets no flow, nothing crashes */
    struct cn_packet p = mk_udp("10.0.0.1", 1, "10.0.0.2", 2, 1);
    assert_null(cn_flow_handle(t, &p));
    assert_null(p.flow);
    assert_int_equal(st.v[CN_STAT_FLOW_GET_USED_FAILED], 1);
    fail_alloc = false;
    assert_non_null(cn_flow_handle(t, &p));
    cn_alloc_set_hook(NULL);
    cn_flow_table_free(t);
}

int main(void)
{
    cn_log_set_level(CN_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test_setup_teardown(test_timeout_by_class, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_by_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_activity_postpones, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_at_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
        cmocka_unit_test(test_emergency),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
