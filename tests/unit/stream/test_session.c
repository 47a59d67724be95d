/* Unit tests of src/stream/session.c: the handshake, midstream and one-sided pickups, the
 * SYN/ACK-first swap, the close through FIN and RST, PAWS, checksum handling, session memcap
 * and the flow-state updates through a real flow table. */
#include "stream_test.h"

static void test_handshake(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    struct cn_packet *p = pkt(t, true, S, 1000, 0, NULL);
    assert_int_equal(p->events_n, 0);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_SYN_SENT);
    pkt(t, false, S | A, 5000, 1001, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_SYN_RECV);
    p = pkt(t, true, A, 1001, 5001, NULL);
    assert_int_equal(p->events_n, 0);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    assert_int_equal(t->stats.v[CN_STAT_TCP_SESSIONS], 1);
    assert_int_equal(t->stats.v[CN_STAT_TCP_SYN], 1);
    assert_int_equal(t->stats.v[CN_STAT_TCP_SYNACK], 1);
    assert_int_equal(t->stats.v[CN_STAT_TCP_ACTIVE_SESSIONS], 1);
    assert_true(t->stats.v[CN_STAT_TCP_MEMUSE] > 0);
    assert_false(t->flow.swapped);
    tctx_free(t);
}

static void test_synack_wrong_ack(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    pkt(t, true, S, 1000, 0, NULL);
    struct cn_packet *p = pkt(t, false, S | A, 5000, 1234, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK));
    assert_int_equal(t->stats.v[CN_STAT_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK], 1);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_SYN_SENT);
    p = pkt(t, true, S | A, 5000, 1001, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION));
    tctx_free(t);
}

static void test_client_close(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1001, 5001, "GET /");
    pkt(t, false, A | P, 5001, 1006, "OK");
    pkt(t, true, F | A, 1006, 5003, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_CLOSE_WAIT);
    assert_int_equal(t->sink.eof[0], 1);
    assert_int_equal(t->sink.eof[1], 0);
    pkt(t, false, F | A, 5003, 1007, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_LAST_ACK);
    assert_int_equal(t->sink.eof[1], 1);
    pkt(t, true, A, 1007, 5004, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_CLOSED);
    assert_stream(t, 0, "GET /");
    assert_stream(t, 1, "OK");
    assert_int_equal(t->sink.eof[0], 1);
    assert_int_equal(t->sink.eof[1], 1);
    tctx_free(t);
    /* EOF is not repeated at flow end */
}

static void test_server_close(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, false, F | A, 5001, 1001, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_FIN_WAIT1);
    pkt(t, true, A, 1001, 5002, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_FIN_WAIT2);
    pkt(t, true, F | A, 1001, 5002, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_TIME_WAIT);
    pkt(t, false, A, 5002, 1002, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_CLOSED);
    tctx_free(t);
}

static void test_simultaneous_close(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, false, F | A, 5001, 1001, NULL);
    pkt(t, true, F | A, 1001, 5001, NULL); /* does not ack the server's FIN */
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_CLOSING);
    pkt(t, false, A, 5002, 1002, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_TIME_WAIT);
    pkt(t, true, A, 1002, 5002, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_CLOSED);
    tctx_free(t);
}

static void test_rst(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1001, 5001, "abc");
    /* far outside the window: ignored */
    struct cn_packet *p = pkt(t, false, R, 900000, 0, NULL);
    assert_true(p->flags & CN_PKT_STREAM_NOEVAL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    assert_int_equal(t->sink.eof[0], 0);
    /* at the expected sequence number: closes, both directions get EOF */
    pkt(t, false, R | A, 5001, 1004, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_CLOSED);
    assert_int_equal(t->sink.eof[0], 1);
    assert_int_equal(t->sink.eof[1], 1);
    assert_int_equal(t->stats.v[CN_STAT_TCP_RST], 2);
    /* data after the close is not delivered */
    pkt(t, true, A | P, 1004, 5001, "zzz");
    assert_stream(t, 0, "abc");
    assert_false(t->sink.after_eof);
    tctx_free(t);
}

static void test_no_session_events(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    struct cn_packet *p = pkt(t, true, R, 1, 0, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_RST_BUT_NO_SESSION));
    p = pkt(t, true, F | A, 1, 1, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_FIN_BUT_NO_SESSION));
    assert_null(t->flow.stream);
    /* ack number without the ACK flag */
    p = pkt(t, true, S, 1, 0, NULL);
    assert_false(has_ev(p, CN_EV_STREAM_PKT_BROKEN_ACK));
    t->p.tcp.ack = 0;
    struct cn_packet q = t->p;
    q.tcp.flags = S;
    q.tcp.ack = 77;
    q.events_n = 0;
    cn_stream_packet(t->ctx, NULL, &t->flow, &q);
    assert_true(has_ev(&q, CN_EV_STREAM_PKT_BROKEN_ACK));
    assert_int_equal(t->stats.v[CN_STAT_EV_STREAM_PKT_BROKEN_ACK], 1);
    tctx_free(t);
}

static void test_midstream_off(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    struct cn_packet *p = pkt(t, true, A | P, 7000, 9000, "hello");
    assert_null(t->flow.stream);
    assert_int_equal(p->events_n, 0);
    pkt(t, false, A | P, 9000, 7005, "world");
    assert_int_equal(t->sink.n[0] + t->sink.n[1], 0);
    assert_int_equal(t->stats.v[CN_STAT_TCP_SESSIONS], 0);
    /* a SYN/ACK alone is not picked up either */
    pkt(t, false, S | A, 9000, 7000, NULL);
    assert_null(t->flow.stream);
    tctx_free(t);
}

static void test_midstream_on(void **state)
{
    (void)state;
    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    cfg.midstream = true;
    struct tctx *t = tctx_new_cfg(&cfg);
    struct cn_packet *p = pkt(t, true, A | P, 7000, 9000, "hello");
    assert_int_equal(p->events_n, 0);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    assert_int_equal(t->stats.v[CN_STAT_TCP_MIDSTREAM_PICKUPS], 1);
    pkt(t, false, A | P, 9000, 7005, "world");
    pkt(t, true, A | P, 7005, 9005, "!");
    assert_stream(t, 0, "hello!");
    assert_stream(t, 1, "world");
    assert_int_equal(cn_stream_bytes(&t->flow, true), 6);
    assert_int_equal(cn_stream_bytes(&t->flow, false), 5);
    tctx_free(t);
}

static void test_synack_first_swap(void **state)
{
    (void)state;
    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    cfg.midstream = true;
    struct tctx *t = tctx_new_cfg(&cfg);
    t->flow.sp = 80; /* the flow was created by the server's packet */
    t->flow.dp = 40000;
    struct cn_packet *p = pkt(t, true, S | A, 5000, 1001, NULL);
    assert_true(t->flow.swapped);
    assert_false(p->toserver);
    assert_int_equal(t->flow.sp, 40000);
    assert_int_equal(t->flow.dp, 80);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_SYN_RECV);
    /* the client's ACK now travels toserver */
    p = pkt(t, true, A, 1001, 5001, NULL);
    assert_int_equal(p->events_n, 0);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    pkt(t, true, A | P, 1001, 5001, "req");
    pkt(t, false, A | P, 5001, 1004, "resp");
    assert_stream(t, 0, "req");
    assert_stream(t, 1, "resp");
    tctx_free(t);
}

static void test_async_oneside(void **state)
{
    (void)state;
    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    cfg.async_oneside = true;
    struct tctx *t = tctx_new_cfg(&cfg);
    pkt(t, true, S, 1000, 0, NULL);
    struct cn_packet *p = pkt(t, true, A, 1500, 5001, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_3WHS_ASYNC_WRONG_SEQ));
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_SYN_SENT);
    pkt(t, true, A, 1001, 5001, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    pkt(t, true, A | P, 1001, 5001, "one");
    pkt(t, true, A | P, 1004, 5100, "side"); /* acks server data we never see */
    assert_stream(t, 0, "oneside");
    assert_int_equal(t->sink.gaps[1], 0);
    assert_int_equal(t->stats.v[CN_STAT_EV_STREAM_REASSEMBLY_SEQ_GAP], 0);
    tctx_free(t);
}

static struct cn_packet *pkt_ts(struct tctx *t, bool toserver, uint8_t flags, uint32_t seq,
                                uint32_t ack, const char *data, uint32_t tsval, uint32_t tsecr)
{
    struct cn_packet *p = &t->p;
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_TCP | CN_PKT_IPV4;
    p->ts = (t->clock += 1000);
    p->tcp.flags = flags;
    p->tcp.seq = seq;
    p->tcp.ack = ack;
    p->tcp.win = 65535;
    p->tcp.has_ts = true;
    p->tcp.ts_val = tsval;
    p->tcp.ts_ecr = tsecr;
    p->payload = (const uint8_t *)data;
    p->payload_len = data ? (uint32_t)strlen(data) : 0;
    p->toserver = toserver;
    p->flow = &t->flow;
    cn_stream_packet(t->ctx, NULL, &t->flow, p);
    return p;
}

static void test_paws(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    pkt_ts(t, true, S, 1000, 0, NULL, 100, 0);
    /* a reply that does not echo the SYN's timestamp is rejected */
    struct cn_packet *p = pkt_ts(t, false, S | A, 5000, 1001, NULL, 900, 55);
    assert_true(has_ev(p, CN_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_SYN_SENT);
    pkt_ts(t, false, S | A, 5000, 1001, NULL, 900, 100);
    pkt_ts(t, true, A, 1001, 5001, NULL, 101, 900);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    p = pkt_ts(t, true, A | P, 1001, 5001, "new", 110, 900);
    assert_int_equal(p->events_n, 0);
    /* older TSval than the last one seen from the client: PAWS */
    p = pkt_ts(t, true, A | P, 1004, 5001, "old", 105, 900);
    assert_true(has_ev(p, CN_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_true(p->flags & CN_PKT_STREAM_NOEVAL);
    assert_int_equal(t->stats.v[CN_STAT_EV_STREAM_PKT_INVALID_TIMESTAMP], 2);
    /* the other direction keeps its own clock */
    p = pkt_ts(t, false, A | P, 5001, 1004, "srv", 901, 110);
    assert_int_equal(p->events_n, 0);
    p = pkt_ts(t, true, A | P, 1004, 5004, "ok", 111, 901);
    assert_int_equal(p->events_n, 0);
    assert_stream(t, 0, "newok");
    assert_stream(t, 1, "srv");
    /* a RST is held to the timestamp check too; TSval 0 is never valid under BSD */
    p = pkt_ts(t, false, R | A, 5004, 1006, NULL, 0, 111);
    assert_true(has_ev(p, CN_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    /* the same RST with a current TSval closes the session */
    p = pkt_ts(t, false, R | A, 5004, 1006, NULL, 902, 111);
    assert_int_equal(p->events_n, 0);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_CLOSED);
    tctx_free(t);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    struct cn_packet *p = &t->p;
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_TCP | CN_PKT_L4_CSUM_BAD;
    p->tcp.flags = A | P;
    p->tcp.seq = 1001;
    p->tcp.ack = 5001;
    p->payload = (const uint8_t *)"bad";
    p->payload_len = 3;
    p->toserver = true;
    cn_stream_packet(t->ctx, NULL, &t->flow, p);
    assert_int_equal(t->stats.v[CN_STAT_TCP_INVALID_CHECKSUM], 1);
    assert_int_equal(t->sink.n[0], 0);
    pkt(t, true, A | P, 1001, 5001, "good");
    assert_stream(t, 0, "good");
    tctx_free(t);

    /* with validation off the packet counts */
    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    cfg.checksum_validation = false;
    t = tctx_new_cfg(&cfg);
    handshake(t);
    p = &t->p;
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_TCP | CN_PKT_L4_CSUM_BAD;
    p->tcp.flags = A | P;
    p->tcp.seq = 1001;
    p->tcp.ack = 5001;
    p->payload = (const uint8_t *)"bad";
    p->payload_len = 3;
    p->toserver = true;
    cn_stream_packet(t->ctx, NULL, &t->flow, p);
    assert_int_equal(t->stats.v[CN_STAT_TCP_INVALID_CHECKSUM], 0);
    assert_stream(t, 0, "bad");
    tctx_free(t);
}

static void test_spurious_retransmission(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1001, 5001, "data");
    struct cn_packet *p = pkt(t, true, A | P, 1001, 5001, "data");
    assert_false(has_ev(p, CN_EV_STREAM_PKT_SPURIOUS_RETRANSMISSION)); /* not yet acked */
    pkt(t, false, A, 5001, 1005, NULL);
    p = pkt(t, true, A | P, 1001, 5001, "data");
    assert_true(has_ev(p, CN_EV_STREAM_PKT_SPURIOUS_RETRANSMISSION));
    /* a keep-alive is not one */
    p = pkt(t, true, A, 1004, 5001, "a");
    assert_false(has_ev(p, CN_EV_STREAM_PKT_SPURIOUS_RETRANSMISSION));
    assert_stream(t, 0, "data");
    tctx_free(t);
}

static void test_est_syn_events(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    struct cn_packet *p = pkt(t, true, S, 1000, 0, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_EST_SYN_RESEND));
    p = pkt(t, true, S, 3333, 0, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_EST_SYN_RESEND_DIFF_SEQ));
    p = pkt(t, false, S | A, 5000, 1001, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_EST_SYNACK_RESEND));
    p = pkt(t, false, S | A, 5000, 1002, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_EST_SYNACK_RESEND_WITH_DIFF_ACK));
    p = pkt(t, false, S, 5000, 0, NULL);
    assert_true(has_ev(p, CN_EV_STREAM_EST_SYN_TOCLIENT));
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
    tctx_free(t);
}

static void test_port_reuse(void **state)
{
    (void)state;
    struct tctx *t = tctx_new();
    handshake(t);
    pkt(t, true, A | P, 1001, 5001, "first");
    pkt(t, true, R, 1006, 0, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_CLOSED);
    pkt(t, true, S, 77000, 0, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_SYN_SENT);
    assert_int_equal(t->stats.v[CN_STAT_TCP_SESSIONS], 2);
    assert_int_equal(t->stats.v[CN_STAT_TCP_ACTIVE_SESSIONS], 1);
    tctx_free(t);
}

static void test_session_memcap(void **state)
{
    (void)state;
    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    cfg.memcap = 16; /* smaller than one session */
    struct tctx *t = tctx_new_cfg(&cfg);
    struct cn_packet *p = pkt(t, true, S, 1000, 0, NULL);
    assert_null(t->flow.stream);
    assert_true(p->flags & CN_PKT_STREAM_NOEVAL);
    assert_int_equal(t->stats.v[CN_STAT_TCP_SSN_MEMCAP_DROP], 1);
    assert_int_equal(cn_stream_session_memcap(t->ctx)->fails, 1);
    tctx_free(t);
}

static void test_state_names(void **state)
{
    (void)state;
    assert_string_equal(cn_tcp_state_name(CN_TCP_NONE), "none");
    assert_string_equal(cn_tcp_state_name(CN_TCP_SYN_SENT), "syn_sent");
    assert_string_equal(cn_tcp_state_name(CN_TCP_SYN_RECV), "syn_recv");
    assert_string_equal(cn_tcp_state_name(CN_TCP_ESTABLISHED), "established");
    assert_string_equal(cn_tcp_state_name(CN_TCP_FIN_WAIT1), "fin_wait1");
    assert_string_equal(cn_tcp_state_name(CN_TCP_FIN_WAIT2), "fin_wait2");
    assert_string_equal(cn_tcp_state_name(CN_TCP_TIME_WAIT), "time_wait");
    assert_string_equal(cn_tcp_state_name(CN_TCP_LAST_ACK), "last_ack");
    assert_string_equal(cn_tcp_state_name(CN_TCP_CLOSE_WAIT), "close_wait");
    assert_string_equal(cn_tcp_state_name(CN_TCP_CLOSING), "closing");
    assert_string_equal(cn_tcp_state_name(CN_TCP_CLOSED), "closed");
    assert_string_equal(cn_tcp_state_name((enum cn_tcp_state)99), "unknown");
}

/* Through a real flow table: direction from the table, flow state set by the stream engine,
 * and the flow-end hook freeing the session. */
struct table_env {
    struct cn_stream_ctx *ctx;
};

static void on_flow_end(void *user, struct cn_flow *f)
{
    struct table_env *env = user;
    cn_stream_flow_end(env->ctx, f);
}

static struct cn_flow *table_pkt(struct cn_flow_table *ft, struct cn_stream_ctx *ctx,
                                 struct cn_packet *p, bool from_client, uint8_t flags, uint32_t seq,
                                 uint32_t ack, cn_time_t ts)
{
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_TCP | CN_PKT_IPV4;
    p->ip_ver = 4;
    p->proto = 6;
    p->ts = ts;
    union cn_addr c = {.b = {10, 0, 0, 1}}, s = {.b = {10, 0, 0, 2}};
    p->src = from_client ? c : s;
    p->dst = from_client ? s : c;
    p->sp = from_client ? 40000 : 80;
    p->dp = from_client ? 80 : 40000;
    p->tcp.flags = flags;
    p->tcp.seq = seq;
    p->tcp.ack = ack;
    p->tcp.win = 1000;
    struct cn_flow *f = cn_flow_handle(ft, p);
    assert_non_null(f);
    cn_stream_packet(ctx, ft, f, p);
    return f;
}

static void test_flow_table_states(void **state)
{
    (void)state;
    struct cn_stats stats;
    memset(&stats, 0, sizeof(stats));
    struct table_env env;
    struct cn_stream_config scfg;
    cn_stream_config_defaults(&scfg);
    scfg.midstream = true;
    env.ctx = cn_stream_ctx_new(&scfg, NULL, &stats);
    struct cn_flow_config fcfg;
    cn_flow_config_defaults(&fcfg);
    fcfg.prealloc = 4;
    struct cn_flow_hooks fh = {.flow_end = on_flow_end, .user = &env};
    struct cn_flow_table *ft = cn_flow_table_new(&fcfg, &fh, &stats);
    assert_non_null(ft);
    struct cn_packet p;
    cn_time_t ts = 1700000000ull * CN_USEC;

    /* SYN/ACK first: the stream engine swaps the flow, the table follows */
    struct cn_flow *f = table_pkt(ft, env.ctx, &p, false, S | A, 5000, 1001, ts += 10);
    assert_true(f->swapped);
    assert_false(p.toserver);
    assert_int_equal(f->sp, 40000);
    f = table_pkt(ft, env.ctx, &p, true, A, 1001, 5001, ts += 10);
    assert_true(p.toserver);
    assert_int_equal(cn_stream_state(f), CN_TCP_ESTABLISHED);
    assert_int_equal(f->state, CN_FLOW_ESTABLISHED);
    table_pkt(ft, env.ctx, &p, true, F | A, 1001, 5001, ts += 10);
    assert_int_equal(f->state, CN_FLOW_ESTABLISHED);
    table_pkt(ft, env.ctx, &p, false, F | A, 5001, 1002, ts += 10);
    assert_int_equal(cn_stream_state(f), CN_TCP_LAST_ACK);
    assert_int_equal(f->state, CN_FLOW_CLOSED);

    cn_flow_table_free(ft); /* ends the flow, which frees the session */
    assert_int_equal(cn_stream_session_memcap(env.ctx)->used, 0);
    assert_int_equal(stats.v[CN_STAT_TCP_ACTIVE_SESSIONS], 0);
    cn_stream_ctx_free(env.ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake),          cmocka_unit_test(test_synack_wrong_ack),
        cmocka_unit_test(test_client_close),       cmocka_unit_test(test_server_close),
        cmocka_unit_test(test_simultaneous_close), cmocka_unit_test(test_rst),
        cmocka_unit_test(test_no_session_events),  cmocka_unit_test(test_midstream_off),
        cmocka_unit_test(test_midstream_on),       cmocka_unit_test(test_synack_first_swap),
        cmocka_unit_test(test_async_oneside),      cmocka_unit_test(test_paws),
        cmocka_unit_test(test_bad_checksum),       cmocka_unit_test(test_spurious_retransmission),
        cmocka_unit_test(test_est_syn_events),     cmocka_unit_test(test_port_reuse),
        cmocka_unit_test(test_session_memcap),     cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_flow_table_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
