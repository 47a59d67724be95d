/* The flow keyword (src/detect/kw/flow.c): directions, established / not_established /
 * stateless over flow states, fragments, stream versus packet inspection, option syntax,
 * contradictions and repeated flow keywords. */
#include "kw_harness.h"

struct fixture {
    struct cn_flow f;
    struct cn_packet p;
};

/* The flow table marks a packet whose flow was established when it arrived; the keyword reads
 * that mark, so the fixture keeps the two in step. */
static void fx_state(struct fixture *x, enum cn_flow_state st)
{
    x->f.state = (uint8_t)st;
    if (st == CN_FLOW_ESTABLISHED)
        x->p.flags |= CN_PKT_FLOW_ESTABLISHED;
    else
        x->p.flags &= ~(uint32_t)CN_PKT_FLOW_ESTABLISHED;
}

static void fx_init(struct fixture *x, enum cn_flow_state st, bool toserver)
{
    memset(x, 0, sizeof(*x));
    x->f.proto = 6;
    x->p.flags = CN_PKT_IPV4 | CN_PKT_TCP;
    x->p.ip_ver = 4;
    x->p.proto = 6;
    x->p.flow = &x->f;
    x->p.toserver = toserver;
    fx_state(x, st);
}

static void test_direction(void **state)
{
    (void)state;
    struct fixture x;
    fx_init(&x, CN_FLOW_NEW, true);
    MATCH("flow", "to_server", &x.p);
    MATCH("flow", "from_client", &x.p);
    NO_MATCH("flow", "to_client", &x.p);
    NO_MATCH("flow", "from_server", &x.p);
    x.p.toserver = false;
    MATCH("flow", "to_client", &x.p);
    MATCH("flow", "from_server", &x.p);
    NO_MATCH("flow", "to_server", &x.p);
    /* without a flow, a bare direction files the packet as to-server (Suricata) */
    x.p.flow = NULL;
    x.p.toserver = false;
    MATCH("flow", "to_server", &x.p);
    NO_MATCH("flow", "to_client", &x.p);
    /* but combined with a state it needs a flow */
    NO_MATCH("flow", "to_server,not_established", &x.p);
}

static void test_established(void **state)
{
    (void)state;
    struct fixture x;
    fx_init(&x, CN_FLOW_NEW, true);
    NO_MATCH("flow", "established", &x.p);
    MATCH("flow", "not_established", &x.p);
    MATCH("flow", "stateless", &x.p);
    fx_state(&x, CN_FLOW_ESTABLISHED);
    MATCH("flow", "established", &x.p);
    NO_MATCH("flow", "not_established", &x.p);
    MATCH("flow", "stateless", &x.p);
    /* once the close reaches LAST_ACK/TIME_WAIT the flow is closed: not established, as in
     * Suricata (FIN_WAIT and CLOSE_WAIT keep the flow ESTABLISHED) */
    fx_state(&x, CN_FLOW_CLOSED);
    NO_MATCH("flow", "established", &x.p);
    MATCH("flow", "not_established", &x.p);
    /* UDP: the flow table marks both-directions-seen flows established */
    fx_init(&x, CN_FLOW_ESTABLISHED, false);
    x.f.proto = 17;
    x.p.flags = CN_PKT_IPV4 | CN_PKT_UDP | CN_PKT_FLOW_ESTABLISHED;
    MATCH("flow", "established,to_client", &x.p);
    fx_state(&x, CN_FLOW_NEW);
    NO_MATCH("flow", "established,to_client", &x.p);
    /* no flow at all */
    x.p.flow = NULL;
    NO_MATCH("flow", "established", &x.p);
    MATCH("flow", "not_established", &x.p);
    MATCH("flow", "stateless", &x.p);
}

static void test_combinations(void **state)
{
    (void)state;
    struct fixture x;
    fx_init(&x, CN_FLOW_ESTABLISHED, true);
    MATCH("flow", "established,to_server", &x.p);
    MATCH("flow", "to_server,established", &x.p);
    MATCH("flow", " established , to_server ", &x.p);
    MATCH("flow", "ESTABLISHED,To_Server", &x.p);
    NO_MATCH("flow", "established,to_client", &x.p);
    NO_MATCH("flow", "not_established,to_server", &x.p);
    MATCH("flow", "established,to_server,no_stream", &x.p);
    MATCH("flow", "stateless,to_server", &x.p);
    x.p.toserver = false;
    MATCH("flow", "established,from_server", &x.p);
    NO_MATCH("flow", "established,from_client", &x.p);
}

static void test_fragments(void **state)
{
    (void)state;
    struct fixture x;
    fx_init(&x, CN_FLOW_ESTABLISHED, true);
    MATCH("flow", "no_frag", &x.p);
    NO_MATCH("flow", "only_frag", &x.p);
    x.p.flags |= CN_PKT_REBUILT;
    NO_MATCH("flow", "no_frag", &x.p);
    MATCH("flow", "only_frag", &x.p);
    MATCH("flow", "established,only_frag", &x.p);
}

/* Runs a single flow keyword as the engine would on reassembled stream data. */
static bool match_on_stream(const char *value, struct cn_packet *p)
{
    struct cn_rule r;
    char err[128];
    static const uint8_t stream[] = "GET / HTTP/1.1\r\n";
    memset(&r, 0, sizeof(r));
    assert_int_equal(kw_add(&r, "flow", value, err, sizeof(err)), 0);
    struct cn_inspect in = {
        .rule = &r, .p = p, .f = p->flow, .buf = stream, .len = 16, .stream = true};
    const struct cn_sigmatch *sm = &r.lists[CN_LIST_PACKET].v[0];
    bool m = sm->kw->match(&in, sm->data);
    kw_clear(&r);
    return m;
}

static void test_stream(void **state)
{
    (void)state;
    struct fixture x;
    static const uint8_t payload[] = "abc";
    fx_init(&x, CN_FLOW_ESTABLISHED, true);
    x.p.payload = payload;
    x.p.payload_len = 3;
    /* a packet's own payload */
    MATCH("flow", "no_stream", &x.p);
    NO_MATCH("flow", "only_stream", &x.p);
    NO_MATCH("flow", "established,only_stream", &x.p);
    /* reassembled data */
    assert_true(match_on_stream("only_stream", &x.p));
    assert_true(match_on_stream("established,to_server,only_stream", &x.p));
    assert_false(match_on_stream("no_stream", &x.p));
}

static void test_syntax(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "foo",
        "established,foo",
        "established,",
        ",established",
        "established,,to_server",
        "established to_server",
        "established;to_server",
        "established,established",
        "to_server,from_client",
        "established,not_established",
        "not_established,established",
        "established,stateless",
        "stateless,not_established",
        "to_server,to_client",
        "from_server,to_server",
        "only_stream,no_stream",
        "no_frag,only_frag",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        kw_rejects("flow", bad[i]);
    kw_rejects("flow", NULL);
}

static void test_one_flow_per_rule(void **state)
{
    (void)state;
    struct cn_rule r;
    char err[128];
    struct fixture x;
    fx_init(&x, CN_FLOW_ESTABLISHED, true);

    /* a bare direction may accompany another flow keyword */
    memset(&r, 0, sizeof(r));
    assert_int_equal(kw_add(&r, "flow", "established", err, sizeof(err)), 0);
    assert_int_equal(kw_add(&r, "flow", "to_server", err, sizeof(err)), 0);
    assert_true(kw_run(&r, &x.p));
    x.p.toserver = false;
    assert_false(kw_run(&r, &x.p));
    x.p.toserver = true;
    /* but not a second set of flow options, nor the opposite direction */
    assert_int_equal(kw_add(&r, "flow", "stateless", err, sizeof(err)), -CN_EINVAL);
    assert_int_equal(kw_add(&r, "flow", "to_client", err, sizeof(err)), -CN_EINVAL);
    assert_int_equal(r.lists[CN_LIST_PACKET].n, 2);
    kw_clear(&r);

    memset(&r, 0, sizeof(r));
    assert_int_equal(kw_add(&r, "flow", "established,to_server", err, sizeof(err)), 0);
    assert_int_equal(kw_add(&r, "flow", "no_stream", err, sizeof(err)), -CN_EINVAL);
    assert_int_equal(kw_add(&r, "flow", "to_client", err, sizeof(err)), -CN_EINVAL);
    kw_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direction),
        cmocka_unit_test(test_established),
        cmocka_unit_test(test_combinations),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_one_flow_per_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
