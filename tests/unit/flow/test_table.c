/* Unit tests of src/flow/table.c: lookup in both directions, what separates flows (ports,
 * VLAN, tunnel, protocol), which packets get no flow, ICMP keying, per-flow counters, state,
 * flow_id, swap and TCP port reuse. */
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

static void test_both_directions(void **state)
{
    struct fx *x = *state;
    struct cn_packet a = mk_udp("10.0.0.1", 1234, "10.0.0.2", 53, 100);
    struct cn_packet b = mk_udp("10.0.0.2", 53, "10.0.0.1", 1234, 100);
    struct cn_flow *f = cn_flow_handle(x->t, &a);
    assert_non_null(f);
    assert_ptr_equal(a.flow, f);
    assert_true(a.toserver);
    assert_ptr_equal(cn_flow_handle(x->t, &b), f);
    assert_false(b.toserver);
    assert_int_equal(a.flow_hash, b.flow_hash);
    assert_int_equal(a.flow_hash, f->hash);
    assert_int_equal(cn_flow_active(x->t), 1);
    /* the first packet's sender is the client */
    assert_true(cn_addr_eq(&f->src, &a.src));
    assert_int_equal(f->sp, 1234);
    assert_int_equal(f->dp, 53);
    assert_int_equal(f->proto, 17);
    assert_int_equal(f->ip_ver, 4);
    assert_int_equal(x->st.v[CN_STAT_FLOW_TOTAL], 1);
    assert_int_equal(x->st.v[CN_STAT_FLOW_UDP], 1);
    assert_int_equal(x->st.v[CN_STAT_FLOW_ACTIVE], 1);
}

/* The packet carries the flow's state as it was on arrival, before the stream engine: a UDP
 * reply is established (both directions now seen), a TCP packet only once the stream engine
 * has moved the flow on an earlier packet, and not after the close. */
static void test_established_mark(void **state)
{
    struct fx *x = *state;
    struct cn_packet q = mk_udp("10.0.0.1", 1234, "10.0.0.2", 53, 100);
    struct cn_packet r = mk_udp("10.0.0.2", 53, "10.0.0.1", 1234, 100);
    cn_flow_handle(x->t, &q);
    assert_false(q.flags & CN_PKT_FLOW_ESTABLISHED);
    cn_flow_handle(x->t, &r);
    assert_true(r.flags & CN_PKT_FLOW_ESTABLISHED);

    struct cn_packet syn = mk_tcp("10.0.0.1", 5555, "10.0.0.2", 80, CN_TH_SYN, 100);
    struct cn_packet sa = mk_tcp("10.0.0.2", 80, "10.0.0.1", 5555, CN_TH_SYN | CN_TH_ACK, 100);
    struct cn_flow *f = cn_flow_handle(x->t, &syn);
    cn_flow_handle(x->t, &sa);
    assert_false(sa.flags & CN_PKT_FLOW_ESTABLISHED); /* TCP waits for the stream engine */
    cn_flow_set_state(x->t, f, CN_FLOW_ESTABLISHED);
    struct cn_packet data = mk_tcp("10.0.0.1", 5555, "10.0.0.2", 80, CN_TH_ACK, 100);
    cn_flow_handle(x->t, &data);
    assert_true(data.flags & CN_PKT_FLOW_ESTABLISHED);
    cn_flow_set_state(x->t, f, CN_FLOW_CLOSED);
    struct cn_packet late = mk_tcp("10.0.0.2", 80, "10.0.0.1", 5555, CN_TH_ACK, 100);
    cn_flow_handle(x->t, &late);
    assert_false(late.flags & CN_PKT_FLOW_ESTABLISHED);
}

static void test_ipv6(void **state)
{
    struct fx *x = *state;
    struct cn_packet a = mk_tcp("2001:db8::1", 40000, "2001:db8::2", 443, CN_TH_SYN, 5);
    struct cn_packet b = mk_tcp("2001:db8::2", 443, "2001:db8::1", 40000, CN_TH_SYN | CN_TH_ACK, 5);
    struct cn_flow *f = cn_flow_handle(x->t, &a);
    assert_non_null(f);
    assert_ptr_equal(cn_flow_handle(x->t, &b), f);
    assert_int_equal(f->ip_ver, 6);
    assert_int_equal(f->tcp_flags_ts, CN_TH_SYN);
    assert_int_equal(f->tcp_flags_tc, CN_TH_SYN | CN_TH_ACK);
    assert_int_equal(x->st.v[CN_STAT_FLOW_TCP], 1);
    /* TCP stays NEW until the stream engine says otherwise */
    assert_int_equal(f->state, CN_FLOW_NEW);
    cn_flow_set_state(x->t, f, CN_FLOW_ESTABLISHED);
    assert_int_equal(f->state, CN_FLOW_ESTABLISHED);
}

static void test_separate_flows(void **state)
{
    struct fx *x = *state;
    struct cn_packet base = mk_udp("10.0.0.1", 1000, "10.0.0.2", 2000, 1);
    struct cn_flow *f0 = cn_flow_handle(x->t, &base);
    assert_non_null(f0);

    struct cn_packet p = base; /* another source port */
    p.sp = 1001;
    struct cn_flow *f1 = cn_flow_handle(x->t, &p);

    p = base; /* a VLAN */
    p.vlan_n = 1;
    p.vlan[0] = 10;
    struct cn_flow *f2 = cn_flow_handle(x->t, &p);
    p.vlan[0] = 11;
    struct cn_flow *f3 = cn_flow_handle(x->t, &p);
    p.vlan[0] = 10; /* the same VLAN again, other direction */
    p.src = base.dst;
    p.dst = base.src;
    p.sp = base.dp;
    p.dp = base.sp;
    assert_ptr_equal(cn_flow_handle(x->t, &p), f2);
    assert_false(p.toserver);

    p = base; /* inside a tunnel */
    p.tunnel_id = 0xabcdef;
    struct cn_flow *f4 = cn_flow_handle(x->t, &p);

    p = mk_tcp("10.0.0.1", 1000, "10.0.0.2", 2000, CN_TH_SYN, 1); /* another protocol */
    struct cn_flow *f5 = cn_flow_handle(x->t, &p);

    struct cn_flow *all[] = {f0, f1, f2, f3, f4, f5};
    for (size_t i = 0; i < CN_ARRAY_LEN(all); i++) {
        assert_non_null(all[i]);
        for (size_t j = i + 1; j < CN_ARRAY_LEN(all); j++)
            assert_ptr_not_equal(all[i], all[j]);
    }
    assert_int_equal(cn_flow_active(x->t), 6);
    assert_int_equal(f2->vlan_n, 1);
    assert_int_equal(f2->vlan[0], 10);
    assert_int_equal(f4->tunnel_id, 0xabcdef);
    /* the original still matches */
    p = base;
    assert_ptr_equal(cn_flow_handle(x->t, &p), f0);
}

static void test_no_flow(void **state)
{
    struct fx *x = *state;
    struct cn_packet p;
    memset(&p, 0, sizeof(p)); /* ARP: no IP */
    p.flags = CN_PKT_ARP | CN_PKT_ETH;
    p.flow = (struct cn_flow *)&p;
    assert_null(cn_flow_handle(x->t, &p));
    assert_null(p.flow);

    p = mk_udp("10.0.0.1", 1, "10.0.0.2", 2, 1); /* a fragment */
    p.flags |= CN_PKT_FRAGMENT;
    assert_null(cn_flow_handle(x->t, &p));
    p.flags |= CN_PKT_REBUILT; /* the datagram rebuilt from it does get one */
    assert_non_null(cn_flow_handle(x->t, &p));

    p = mk_tcp("10.0.0.1", 1, "10.0.0.2", 2, 0, 1); /* TCP header that did not decode */
    p.flags &= ~(uint32_t)CN_PKT_TCP;
    assert_null(cn_flow_handle(x->t, &p));

    p = mk_icmp("10.0.0.9", "10.0.0.1", 11, 0, 1); /* an ICMP error never starts a flow */
    assert_null(cn_flow_handle(x->t, &p));
    assert_int_equal(cn_flow_active(x->t), 1);
}

static void test_other_proto(void **state)
{
    struct fx *x = *state;
    struct cn_packet a = mk_l4(47, "10.0.0.1", 0, "10.0.0.2", 0, 1);
    struct cn_packet b = mk_l4(47, "10.0.0.2", 0, "10.0.0.1", 0, 2);
    struct cn_flow *f = cn_flow_handle(x->t, &a);
    assert_non_null(f);
    assert_ptr_equal(cn_flow_handle(x->t, &b), f);
    /* as Suricata: port-less protocols count every packet toserver */
    assert_int_equal(f->pkts_toserver, 2);
    assert_int_equal(f->pkts_toclient, 0);
    assert_int_equal(f->sp, 0);
    assert_int_equal(f->state, CN_FLOW_NEW);
}

/* SCTP is keyed by ports like UDP, with a direction; as in Suricata it needs its header. */
static void test_sctp_ports(void **state)
{
    struct fx *x = *state;
    struct cn_packet a = mk_l4(132, "10.0.0.1", 36412, "10.0.0.2", 2905, 1);
    struct cn_packet b = mk_l4(132, "10.0.0.2", 2905, "10.0.0.1", 36412, 2);
    struct cn_packet c = mk_l4(132, "10.0.0.1", 36413, "10.0.0.2", 2905, 3);
    struct cn_flow *f = cn_flow_handle(x->t, &a);
    assert_non_null(f);
    assert_ptr_equal(cn_flow_handle(x->t, &b), f);
    assert_false(b.toserver);
    assert_int_equal(f->pkts_toserver, 1);
    assert_int_equal(f->pkts_toclient, 1);
    assert_int_equal(f->sp, 36412);
    assert_int_equal(f->dp, 2905);
    assert_ptr_not_equal(cn_flow_handle(x->t, &c), f);
    struct cn_packet bad = mk_l4(132, "10.0.0.1", 0, "10.0.0.2", 0, 4);
    bad.l4 = NULL; /* a too-short header */
    assert_null(cn_flow_handle(x->t, &bad));
    assert_int_equal(cn_flow_active(x->t), 2);
}

/* ESP: one flow per source, destination and SPI, matched in its own direction only. */
static void test_esp_spi(void **state)
{
    struct fx *x = *state;
    struct cn_packet a = mk_esp("10.0.0.1", "10.0.0.2", 0x00010002, 1);
    struct cn_packet a2 = mk_esp("10.0.0.1", "10.0.0.2", 0x00010002, 2);
    /* reverse direction with the SPI's halves swapped: would match a port-keyed flow */
    struct cn_packet r = mk_esp("10.0.0.2", "10.0.0.1", 0x00020001, 3);
    struct cn_packet s = mk_esp("10.0.0.2", "10.0.0.1", 0x00010002, 4);
    struct cn_flow *f = cn_flow_handle(x->t, &a);
    assert_non_null(f);
    assert_ptr_equal(cn_flow_handle(x->t, &a2), f);
    assert_int_equal(cn_flow_esp_spi(f), 0x00010002);
    assert_int_equal(f->pkts_toserver, 2);
    struct cn_flow *g = cn_flow_handle(x->t, &r);
    assert_ptr_not_equal(g, f);
    assert_int_equal(cn_flow_esp_spi(g), 0x00020001);
    assert_ptr_not_equal(cn_flow_handle(x->t, &s), f);
    assert_int_equal(cn_flow_active(x->t), 3);
}

static void test_icmp_echo(void **state)
{
    struct fx *x = *state;
    struct cn_packet req = mk_icmp("10.0.0.1", "10.0.0.2", 8, 0, 1);
    struct cn_packet rep = mk_icmp("10.0.0.2", "10.0.0.1", 0, 0, 1);
    struct cn_flow *f = cn_flow_handle(x->t, &req);
    assert_non_null(f);
    assert_int_equal(f->sp, 8);
    assert_int_equal(f->dp, 0);
    assert_ptr_equal(cn_flow_handle(x->t, &rep), f);
    assert_false(rep.toserver);
    assert_int_equal(f->state, CN_FLOW_ESTABLISHED);
    /* a request from the other side is another flow (types do not pair up that way) */
    struct cn_packet req2 = mk_icmp("10.0.0.2", "10.0.0.1", 8, 0, 1);
    assert_ptr_not_equal(cn_flow_handle(x->t, &req2), f);

    struct cn_packet ns = mk_icmp("fe80::1", "fe80::2", 135, 0, 1);
    struct cn_packet na = mk_icmp("fe80::2", "fe80::1", 136, 0, 1);
    struct cn_flow *g = cn_flow_handle(x->t, &ns);
    assert_non_null(g);
    assert_int_equal(g->dp, 136);
    assert_ptr_equal(cn_flow_handle(x->t, &na), g);
    assert_int_equal(x->st.v[CN_STAT_FLOW_ICMPV4], 2);
    assert_int_equal(x->st.v[CN_STAT_FLOW_ICMPV6], 1);
}

static void test_icmp_error_joins_quoted_flow(void **state)
{
    struct fx *x = *state;
    struct cn_packet u = mk_udp("10.0.0.1", 5000, "10.0.0.2", 53, 1);
    struct cn_flow *f = cn_flow_handle(x->t, &u);
    assert_non_null(f);

    struct cn_packet e = mk_icmp("10.0.0.2", "10.0.0.1", 3, 3, 2);
    e.icmp.has_quoted = true;
    e.icmp.quoted_proto = 17;
    e.icmp.quoted_src = v4("10.0.0.1");
    e.icmp.quoted_dst = v4("10.0.0.2");
    e.icmp.quoted_sp = 5000;
    e.icmp.quoted_dp = 53;
    assert_ptr_equal(cn_flow_handle(x->t, &e), f);
    assert_false(e.toserver);
    assert_int_equal(f->pkts_toclient, 1);
    /* an error does not count as the other side answering */
    assert_int_equal(f->state, CN_FLOW_NEW);

    e.icmp.quoted_dp = 54; /* no such flow: no flow, and none created */
    assert_null(cn_flow_handle(x->t, &e));
    assert_int_equal(cn_flow_active(x->t), 1);
}

static void test_counters_and_macs(void **state)
{
    struct fx *x = *state;
    static const uint8_t m1[6] = {0, 1, 2, 3, 4, 5}, m2[6] = {0, 1, 2, 3, 4, 6},
                         m3[6] = {0, 1, 2, 3, 4, 7};
    struct cn_packet a = mk_tcp("10.1.0.1", 1111, "10.1.0.2", 80, CN_TH_SYN, 10);
    a.flags |= CN_PKT_ETH;
    a.eth_src = m1;
    a.eth_dst = m2;
    a.caplen = 60;
    struct cn_flow *f = cn_flow_handle(x->t, &a);
    assert_non_null(f);
    a.tcp.flags = CN_TH_ACK;
    a.caplen = 1500;
    a.ts += 2 * CN_USEC;
    assert_ptr_equal(cn_flow_handle(x->t, &a), f); /* same MAC pair: kept once */
    a.eth_dst = m3;
    cn_flow_handle(x->t, &a);

    struct cn_packet b = mk_tcp("10.1.0.2", 80, "10.1.0.1", 1111, CN_TH_SYN | CN_TH_ACK, 11);
    b.flags |= CN_PKT_ETH;
    b.eth_src = m2;
    b.eth_dst = m1;
    b.caplen = 70;
    cn_flow_handle(x->t, &b);

    assert_int_equal(f->pkts_toserver, 3);
    assert_int_equal(f->bytes_toserver, 60 + 1500 + 1500);
    assert_int_equal(f->pkts_toclient, 1);
    assert_int_equal(f->bytes_toclient, 70);
    assert_int_equal(f->tcp_flags_ts, CN_TH_SYN | CN_TH_ACK);
    assert_int_equal(f->start, 10 * CN_USEC);
    assert_int_equal(f->last, 12 * CN_USEC); /* packet time never moves last back */
    assert_int_equal(f->macs_ts_n, 2);
    assert_memory_equal(f->mac_src_ts[0], m1, 6);
    assert_memory_equal(f->mac_dst_ts[1], m3, 6);
    assert_int_equal(f->macs_tc_n, 1);
    assert_memory_equal(f->mac_src_tc[0], m2, 6);

    /* at most CN_FLOW_MAX_MACS pairs per direction */
    uint8_t many[10][6];
    for (int i = 0; i < 10; i++) {
        memset(many[i], 0x40 + i, 6);
        a.eth_src = many[i];
        cn_flow_handle(x->t, &a);
    }
    assert_int_equal(f->macs_ts_n, CN_FLOW_MAX_MACS);
}

static void test_state_udp(void **state)
{
    struct fx *x = *state;
    struct cn_packet a = mk_udp("10.0.0.1", 1, "10.0.0.2", 2, 1);
    struct cn_flow *f = cn_flow_handle(x->t, &a);
    cn_flow_handle(x->t, &a);
    assert_int_equal(f->state, CN_FLOW_NEW);
    struct cn_packet b = mk_udp("10.0.0.2", 2, "10.0.0.1", 1, 1);
    cn_flow_handle(x->t, &b);
    assert_int_equal(f->state, CN_FLOW_ESTABLISHED);
    assert_string_equal(cn_flow_state_name(f->state), "established");
    assert_string_equal(cn_flow_state_name(CN_FLOW_NEW), "new");
    assert_string_equal(cn_flow_state_name(CN_FLOW_CLOSED), "closed");
    assert_string_equal(cn_flow_end_reason_name(CN_FLOW_END_TIMEOUT), "timeout");
    assert_string_equal(cn_flow_end_reason_name(CN_FLOW_END_FORCED), "forced");
    assert_string_equal(cn_flow_end_reason_name(CN_FLOW_END_SHUTDOWN), "shutdown");
}

static uint64_t flow_id_in_table(uint64_t seed, uint32_t hash_size, bool reverse_first)
{
    struct cn_stats st = {0};
    struct cn_flow_config cfg;
    cn_flow_config_defaults(&cfg);
    cfg.hash_seed = seed;
    cfg.hash_size = hash_size;
    cfg.prealloc = 8;
    struct cn_flow_table *t = cn_flow_table_new(&cfg, NULL, &st);
    assert_non_null(t);
    struct cn_packet p = reverse_first ? mk_udp("192.0.2.9", 53, "192.0.2.1", 4000, 77)
                                       : mk_udp("192.0.2.1", 4000, "192.0.2.9", 53, 77);
    struct cn_flow *f = cn_flow_handle(t, &p);
    assert_non_null(f);
    uint64_t id = f->flow_id;
    cn_flow_table_free(t);
    return id;
}

static void test_flow_id(void **state)
{
    (void)state;
    uint64_t id = flow_id_in_table(1, 1024, false);
    assert_int_not_equal(id, 0);
    assert_true(id < (1ull << 51));
    /* independent of seed, table size and which side spoke first */
    assert_int_equal(flow_id_in_table(999, 64, false), id);
    assert_int_equal(flow_id_in_table(5, 4096, true), id);

    /* a different start time or key gives another id */
    struct cn_stats st = {0};
    struct cn_flow_table *t = cn_flow_table_new(NULL, NULL, &st);
    assert_non_null(t);
    struct cn_packet p = mk_udp("192.0.2.1", 4000, "192.0.2.9", 53, 78);
    assert_int_not_equal(cn_flow_handle(t, &p)->flow_id, id);
    p = mk_udp("192.0.2.1", 4001, "192.0.2.9", 53, 77);
    assert_int_not_equal(cn_flow_handle(t, &p)->flow_id, id);
    cn_flow_table_free(t);
}

static void test_swap(void **state)
{
    struct fx *x = *state;
    static const uint8_t m1[6] = {1, 1, 1, 1, 1, 1}, m2[6] = {2, 2, 2, 2, 2, 2};
    /* the SYN/ACK arrives first: the stream engine swaps */
    struct cn_packet sa = mk_tcp("10.0.0.2", 80, "10.0.0.1", 3333, CN_TH_SYN | CN_TH_ACK, 1);
    sa.flags |= CN_PKT_ETH;
    sa.eth_src = m2;
    sa.eth_dst = m1;
    struct cn_flow *f = cn_flow_handle(x->t, &sa);
    uint64_t id = f->flow_id;
    uint32_t hash = f->hash;
    cn_flow_swap(f);
    assert_true(f->swapped);
    assert_true(cn_addr_eq(&f->src, &sa.dst));
    assert_int_equal(f->sp, 3333);
    assert_int_equal(f->dp, 80);
    assert_int_equal(f->pkts_toserver, 0);
    assert_int_equal(f->pkts_toclient, 1);
    assert_int_equal(f->bytes_toclient, 100);
    assert_int_equal(f->tcp_flags_tc, CN_TH_SYN | CN_TH_ACK);
    assert_int_equal(f->tcp_flags_ts, 0);
    assert_int_equal(f->macs_tc_n, 1);
    assert_int_equal(f->macs_ts_n, 0);
    assert_memory_equal(f->mac_src_tc[0], m2, 6);
    assert_int_equal(f->flow_id, id);
    assert_int_equal(f->hash, hash);

    /* later packets follow the new orientation */
    struct cn_packet ack = mk_tcp("10.0.0.1", 3333, "10.0.0.2", 80, CN_TH_ACK, 1);
    assert_ptr_equal(cn_flow_handle(x->t, &ack), f);
    assert_true(ack.toserver);
    sa.ts += 1;
    assert_ptr_equal(cn_flow_handle(x->t, &sa), f);
    assert_false(sa.toserver);
    assert_int_equal(f->pkts_toclient, 2);
    cn_flow_swap(f);
    assert_false(f->swapped);
    assert_int_equal(f->sp, 80);
}

/* The tcp_reuse hook: what the stream engine would answer, and what it was asked. */
struct reuse_probe {
    struct ended *e;
    bool answer;
    unsigned asked;
    bool toserver;
};

static bool probe_reuse(void *user, const struct cn_flow *f, const struct cn_packet *p,
                        bool toserver)
{
    (void)f, (void)p;
    struct reuse_probe *r = user;
    r->asked++;
    r->toserver = toserver;
    return r->answer;
}

static void probe_end(void *user, struct cn_flow *f)
{
    on_end(((struct reuse_probe *)user)->e, f);
}

static void test_reuse_and_end(void **state)
{
    struct fx *x = *state;
    cn_flow_table_free(x->t);
    x->e.n = 0;
    memset(&x->st, 0, sizeof(x->st));
    struct reuse_probe probe = {.e = &x->e};
    struct cn_flow_config cfg;
    cn_flow_config_defaults(&cfg);
    struct cn_flow_hooks hooks = {.flow_end = probe_end, .user = &probe, .tcp_reuse = probe_reuse};
    x->t = cn_flow_table_new(&cfg, &hooks, &x->st);
    assert_non_null(x->t);

    struct cn_packet p = mk_tcp("10.0.0.1", 4444, "10.0.0.2", 22, CN_TH_SYN, 1);
    struct cn_flow *f = cn_flow_handle(x->t, &p);
    assert_int_equal(probe.asked, 0); /* a new flow: nothing to ask */
    cn_flow_set_state(x->t, f, CN_FLOW_CLOSED);
    /* a packet without SYN is never asked about */
    struct cn_packet ack = mk_tcp("10.0.0.2", 22, "10.0.0.1", 4444, CN_TH_ACK, 1);
    assert_ptr_equal(cn_flow_handle(x->t, &ack), f);
    assert_int_equal(probe.asked, 0);
    /* a SYN the stream engine calls a retransmission stays on the flow */
    p.ts += CN_USEC;
    assert_ptr_equal(cn_flow_handle(x->t, &p), f);
    assert_int_equal(probe.asked, 1);
    assert_true(probe.toserver);
    /* a new connection: the old flow ends (timeout, as Suricata reaps it) and p gets a new one */
    probe.answer = true;
    p.ts += CN_USEC;
    struct cn_flow *g = cn_flow_handle(x->t, &p);
    assert_non_null(g);
    assert_ptr_equal(p.flow, g);
    assert_int_equal(g->state, CN_FLOW_NEW);
    assert_int_equal(g->pkts_toserver, 1);
    assert_int_equal(x->e.n, 1);
    assert_int_equal(x->e.rec[0].end_reason, CN_FLOW_END_TIMEOUT);
    assert_int_equal(x->e.rec[0].state, CN_FLOW_CLOSED);
    assert_int_equal(x->e.rec[0].pkts_toserver, 2); /* the reusing SYN is not counted there */
    assert_int_equal(x->st.v[CN_STAT_FLOW_TCP_REUSE], 1);
    assert_int_equal(x->st.v[CN_STAT_FLOW_END_STATE_CLOSED], 1);
    assert_int_equal(x->st.v[CN_STAT_FLOW_TOTAL], 2);
    assert_int_equal(cn_flow_active(x->t), 1);

    cn_flow_end(x->t, g, CN_FLOW_END_FORCED);
    assert_int_equal(cn_flow_active(x->t), 0);
    assert_int_equal(x->st.v[CN_STAT_FLOW_ACTIVE], 0);
    assert_int_equal(x->e.n, 2);
    cn_flow_end(x->t, g, CN_FLOW_END_FORCED); /* a second end is ignored */
    assert_int_equal(x->e.n, 2);
    /* the next packet starts afresh */
    assert_non_null(cn_flow_handle(x->t, &p));
    assert_int_equal(cn_flow_active(x->t), 1);
}

static void test_table_free_ends_shutdown(void **state)
{
    (void)state;
    struct cn_stats st = {0};
    struct ended *e = calloc(1, sizeof(*e));
    assert_non_null(e);
    struct cn_flow_table *t = mk_table(&st, e);
    for (int i = 0; i < 100; i++) {
        struct cn_packet p = mk_udp("10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2", 53, 1);
        assert_non_null(cn_flow_handle(t, &p));
    }
    assert_int_equal(st.v[CN_STAT_FLOW_ACTIVE], 100);
    assert_true(st.v[CN_STAT_FLOW_MEMUSE] > 100 * sizeof(struct cn_flow));
    cn_flow_table_free(t);
    assert_int_equal(e->n, 100);
    for (unsigned i = 0; i < e->n; i++)
        assert_int_equal(e->rec[i].end_reason, CN_FLOW_END_SHUTDOWN);
    assert_int_equal(st.v[CN_STAT_FLOW_ACTIVE], 0);
    assert_int_equal(st.v[CN_STAT_FLOW_MEMUSE], 0);
    free(e);
}

static void test_bad_config(void **state)
{
    (void)state;
    struct cn_flow_config cfg;
    cn_flow_config_defaults(&cfg);
    assert_int_equal(cfg.memcap, 128ull << 20);
    assert_int_equal(cfg.hash_size, 65536);
    assert_int_equal(cfg.prealloc, 10000);
    assert_int_equal(cfg.emergency_recovery, 30);
    /* the hash table alone does not fit the memcap */
    cfg.memcap = 1024;
    cfg.hash_size = 65536;
    assert_null(cn_flow_table_new(&cfg, NULL, NULL));
}

int main(void)
{
    cn_log_set_level(CN_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_established_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(test_both_directions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_separate_flows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_proto, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sctp_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_esp_spi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icmp_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icmp_error_joins_quoted_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters_and_macs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_udp, setup, teardown),
        cmocka_unit_test(test_flow_id),
        cmocka_unit_test_setup_teardown(test_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reuse_and_end, setup, teardown),
        cmocka_unit_test(test_table_free_ends_shutdown),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
