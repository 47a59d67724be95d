/* flow table: the per-worker hash table of flows, packet-to-flow lookup, flow creation and
 * ending, per-flow counters and direction.
 *
 * Buckets are singly linked chains; each flow keeps its full key hash so a walk compares one
 * 32-bit word before the key, and the key itself compares as a few 64-bit words. The hash is
 * symmetric (endpoints put in a fixed order first), so both directions of a flow land in the
 * same bucket, and it is seeded from the configuration. Keying mirrors Suricata's flow-hash.c:
 * TCP, UDP and SCTP by ports, ICMP by type and counterpart type, ESP by source, destination
 * and SPI (one direction only), other protocols by address pair only; an ICMPv4
 * destination-unreachable joins the TCP/UDP flow of the header it quotes and
 * other ICMPv4 errors get no flow. Nothing here allocates per packet: flows come from the pool
 * (pool.c), which is bounded by the memcap; when it refuses, the table enters emergency mode
 * and evicts its oldest flow (timeout.c). */
#include "flow/flow_int.h"

enum key_kind {
    KEY_NONE,   /* the packet gets no flow */
    KEY_FLOW,   /* find or create */
    KEY_QUOTED, /* ICMPv4 error: find the flow of the quoted header, never create */
};

enum {
    PROTO_ICMP = 1,
    PROTO_TCP = 6,
    PROTO_UDP = 17,
    PROTO_ESP = 50,
    PROTO_ICMPV6 = 58,
    PROTO_SCTP = 132,
};

/* flow_id is a pure function of key and start time, so it does not depend on hash_seed */
#define FLOW_ID_SEED 0x636c65616e6e6574ull
#define FLOW_ID_MASK ((1ull << 51) - 1) /* stays a safe integer in JSON readers */

/* Counterpart of a request/reply ICMPv4 type (RFC 792, RFC 950, RFC 1256), as Suricata's
 * ICMPv4GetCounterpart; 0 when there is none. */
static uint8_t icmp4_counterpart(uint8_t type)
{
    switch (type) {
    case 8:
        return 0;
    case 0:
        return 8;
    case 13:
        return 14;
    case 14:
        return 13;
    case 15:
        return 16;
    case 16:
        return 15;
    case 10:
        return 9;
    case 9:
        return 10;
    case 17:
        return 18;
    case 18:
        return 17;
    default:
        return 0;
    }
}

/* ICMPv6 (RFC 4443, RFC 4861, RFC 2710, RFC 4620, RFC 6275, RFC 3971, RFC 4286, RFC 6775),
 * as Suricata's ICMPv6GetCounterpart; 0 when there is none. */
static uint8_t icmp6_counterpart(uint8_t type)
{
    static const uint8_t pairs[][2] = {
        {128, 129}, {135, 136}, {133, 134}, {130, 131}, {139, 140},
        {144, 145}, {146, 147}, {148, 149}, {151, 152}, {157, 158},
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(pairs); i++) {
        if (pairs[i][0] == type)
            return pairs[i][1];
        if (pairs[i][1] == type)
            return pairs[i][0];
    }
    return 0;
}

/* ICMPv4 error messages (RFC 792): never the start of a flow. */
static bool icmp4_is_error(uint8_t type)
{
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static enum key_kind packet_key(const struct cn_packet *p, struct cn_flow_pkey *k)
{
    if (p->ip_ver != 4 && p->ip_ver != 6)
        return KEY_NONE;
    if ((p->flags & (CN_PKT_FRAGMENT | CN_PKT_REBUILT)) == CN_PKT_FRAGMENT)
        return KEY_NONE;

    k->src = p->src;
    k->dst = p->dst;
    k->meta = 0;
    k->proto = p->proto;
    k->ip_ver = p->ip_ver;
    unsigned nv = CN_MIN(p->vlan_n, CN_PKT_MAX_VLANS);
    for (unsigned i = 0; i < nv; i++)
        k->vlan[i] = p->vlan[i];
    k->ports = 0;
    k->tunnel_id = p->tunnel_id;

    switch (p->proto) {
    case PROTO_TCP:
        if (!(p->flags & CN_PKT_TCP))
            return KEY_NONE;
        k->sp = p->sp;
        k->dp = p->dp;
        return KEY_FLOW;
    case PROTO_UDP:
        if (!(p->flags & CN_PKT_UDP))
            return KEY_NONE;
        k->sp = p->sp;
        k->dp = p->dp;
        return KEY_FLOW;
    case PROTO_SCTP:
        if (!p->l4) /* header too short: Suricata sets up no flow either */
            return KEY_NONE;
        k->sp = p->sp;
        k->dp = p->dp;
        return KEY_FLOW;
    case PROTO_ESP:
        if (!p->l4)
            return KEY_NONE;
        /* the SPI takes the place of the ports; key_match() keeps it to one direction */
        k->sp = (uint16_t)(p->esp.spi >> 16);
        k->dp = (uint16_t)p->esp.spi;
        return KEY_FLOW;
    case PROTO_ICMP:
        if (!(p->flags & CN_PKT_ICMPV4))
            return KEY_NONE;
        if (icmp4_is_error(p->icmp.type)) {
            if (p->icmp.type != 3 || !p->icmp.has_quoted || (p->flags & CN_PKT_INVALID) ||
                (p->icmp.quoted_proto != PROTO_TCP && p->icmp.quoted_proto != PROTO_UDP))
                return KEY_NONE;
            k->src = p->icmp.quoted_src;
            k->dst = p->icmp.quoted_dst;
            k->proto = p->icmp.quoted_proto;
            k->sp = p->icmp.quoted_sp;
            k->dp = p->icmp.quoted_dp;
            return KEY_QUOTED;
        }
        k->sp = p->icmp.type;
        k->dp = icmp4_counterpart(p->icmp.type);
        return KEY_FLOW;
    case PROTO_ICMPV6:
        if (!(p->flags & CN_PKT_ICMPV6))
            return KEY_NONE;
        k->sp = p->icmp.type;
        k->dp = icmp6_counterpart(p->icmp.type);
        return KEY_FLOW;
    default:
        return KEY_FLOW;
    }
}

static inline uint32_t swap_ports(uint32_t ports)
{
    return ports >> 16 | ports << 16;
}

static inline uint64_t hash_step(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 32);
}

/* Symmetric: the endpoints are ordered (address, then port) before hashing. */
static uint64_t key_hash(const struct cn_flow_pkey *k, uint64_t seed)
{
    const union cn_addr *a = &k->src, *b = &k->dst;
    uint32_t ports = k->ports;
    bool swap = a->q[0] != b->q[0]   ? a->q[0] > b->q[0]
                : a->q[1] != b->q[1] ? a->q[1] > b->q[1]
                                     : k->sp > k->dp;
    if (swap) {
        a = &k->dst;
        b = &k->src;
        ports = swap_ports(ports);
    }
    uint64_t h = seed ^ 0x5bd1e9955bd1e995ull;
    h = hash_step(h, a->q[0]);
    h = hash_step(h, a->q[1]);
    h = hash_step(h, b->q[0]);
    h = hash_step(h, b->q[1]);
    h = hash_step(h, (uint64_t)ports << 32 | k->tunnel_id);
    h = hash_step(h, k->meta);
    return cn_hash_mix64(h);
}

/* 0: not this flow; 1: same direction as the flow's client; 2: reverse. */
static inline int key_match(const struct cn_flow *f, const struct cn_flow_pkey *k)
{
    if (f->key_meta != k->meta || f->tunnel_id != k->tunnel_id)
        return 0;
    if (cn_addr_eq(&f->src, &k->src) && cn_addr_eq(&f->dst, &k->dst) && f->key_ports == k->ports)
        return 1;
    /* ESP: each direction of a security association has its own SPI, and Suricata matches
     * an ESP flow in the direction that created it only */
    if (cn_addr_eq(&f->src, &k->dst) && cn_addr_eq(&f->dst, &k->src) &&
        f->key_ports == swap_ports(k->ports) && f->proto != PROTO_ESP)
        return 2;
    return 0;
}

static void count_new(struct cn_flow_table *t, uint8_t proto)
{
    cn_stat_add(t->stats, CN_STAT_FLOW_TOTAL, 1);
    switch (proto) {
    case PROTO_TCP:
        cn_stat_add(t->stats, CN_STAT_FLOW_TCP, 1);
        break;
    case PROTO_UDP:
        cn_stat_add(t->stats, CN_STAT_FLOW_UDP, 1);
        break;
    case PROTO_ICMP:
        cn_stat_add(t->stats, CN_STAT_FLOW_ICMPV4, 1);
        break;
    case PROTO_ICMPV6:
        cn_stat_add(t->stats, CN_STAT_FLOW_ICMPV6, 1);
        break;
    default:
        break;
    }
}

/* A free flow, making room when the memcap refuses: emergency mode, a timeout pass with the
 * emergency timeouts, then eviction of the oldest flow. */
static struct cn_flow *flow_alloc(struct cn_flow_table *t, cn_time_t now)
{
    struct cn_flow *f = cn_flow_pool_get(t);
    if (CN_LIKELY(f != NULL))
        return f;

    cn_stat_add(t->stats, CN_STAT_FLOW_MEMCAP, 1);
    cn_flow_emergency_enter(t);
    cn_flow_timeout(t, now);
    if (t->free)
        return cn_flow_pool_get(t);

    struct cn_flow *victim = cn_flow_lru_oldest(t);
    if (victim) {
        cn_flow_end(t, victim, CN_FLOW_END_FORCED);
        f = cn_flow_pool_get(t);
    }
    if (!f) {
        cn_stat_add(t->stats, CN_STAT_FLOW_GET_USED_FAILED, 1);
        return NULL;
    }
    cn_stat_add(t->stats, CN_STAT_FLOW_GET_USED, 1);
    return f;
}

/* Doubles the bucket array once flows outnumber half the buckets, so a lookup walks about 1.25
 * flows (each a likely cache miss: only the chain's first flow is prefetched) however many
 * flows the memcap admits (flow.hash-size is only the starting size). The new array is charged
 * to the memcap; when it does not fit, chains simply grow longer. */
static void grow_buckets(struct cn_flow_table *t)
{
    uint64_t n = ((uint64_t)t->mask + 1) * 2;
    if (n > (1u << 26))
        return;
    uint64_t bytes = n * sizeof(*t->buckets);
    if (!cn_memcap_try(&t->mc, bytes))
        return;
    struct cn_flow **nb = cn_calloc(n, sizeof(*nb));
    if (!nb) {
        cn_memcap_release(&t->mc, bytes);
        return;
    }
    for (uint64_t i = 0; i <= t->mask; i++) {
        struct cn_flow *f = t->buckets[i];
        while (f) {
            struct cn_flow *next = f->hnext;
            struct cn_flow **b = &nb[f->hash & (n - 1)];
            f->hnext = *b;
            *b = f;
            f = next;
        }
    }
    cn_free(t->buckets);
    cn_memcap_release(&t->mc, t->bucket_bytes);
    t->buckets = nb;
    t->mask = (uint32_t)(n - 1);
    t->bucket_bytes = bytes;
    cn_flow_stat_set(t, CN_STAT_FLOW_MEMUSE, t->mc.used);
}

static struct cn_flow *flow_create(struct cn_flow_table *t, const struct cn_packet *p,
                                   const struct cn_flow_pkey *k, uint32_t hash)
{
    struct cn_flow *f = flow_alloc(t, p->ts);
    if (!f)
        return NULL;

    f->src = k->src;
    f->dst = k->dst;
    f->key_meta = k->meta;
    f->key_ports = k->ports;
    f->tunnel_id = k->tunnel_id;
    f->hash = hash;
    f->vlan_n = (uint8_t)CN_MIN(p->vlan_n, CN_PKT_MAX_VLANS);
    if (k->proto == PROTO_ICMP || k->proto == PROTO_ICMPV6)
        f->icmp_code = p->icmp.code;
    f->state = CN_FLOW_NEW;
    f->start = f->last = p->ts;
    f->emergency = t->emergency;

    uint64_t id = cn_hash_mix64(key_hash(k, FLOW_ID_SEED) ^ cn_hash_mix64(p->ts)) & FLOW_ID_MASK;
    f->flow_id = id ? id : 1;

    struct cn_flow **b = &t->buckets[hash & t->mask];
    f->hnext = *b;
    *b = f;
    cn_flow_lru_append(t, f, cn_flow_lru_index(f));

    t->active++;
    if (CN_UNLIKELY(t->active * 2 > (uint64_t)t->mask + 1))
        grow_buckets(t);
    count_new(t, f->proto);
    cn_flow_stat_set(t, CN_STAT_FLOW_ACTIVE, t->active);
    cn_flow_stat_set(t, CN_STAT_FLOW_SPARE, t->free_n);
    return f;
}

/* Six bytes compared as two loads: memcmp() would be a library call for every packet. */
static inline bool mac_eq(const uint8_t *a, const uint8_t *b)
{
    uint32_t a4, b4;
    uint16_t a2, b2;
    memcpy(&a4, a, 4);
    memcpy(&b4, b, 4);
    memcpy(&a2, a + 4, 2);
    memcpy(&b2, b + 4, 2);
    return ((a4 ^ b4) | (uint32_t)(a2 ^ b2)) == 0;
}

static void mac_add(uint8_t *n, uint8_t src[][6], uint8_t dst[][6], const uint8_t *s,
                    const uint8_t *d)
{
    for (unsigned i = 0; i < *n; i++)
        if (mac_eq(src[i], s) && mac_eq(dst[i], d))
            return;
    if (*n >= CN_FLOW_MAX_MACS)
        return;
    memcpy(src[*n], s, 6);
    memcpy(dst[*n], d, 6);
    (*n)++;
}

static void flow_update(struct cn_flow_table *t, struct cn_flow *f, struct cn_packet *p,
                        bool toserver, bool sets_seen)
{
    cn_flow_lru_touch(t, f, cn_flow_sec(p->ts));
    if (p->ts > f->last)
        f->last = p->ts;
    if (toserver) {
        f->pkts_toserver++;
        f->bytes_toserver += p->caplen;
        if (p->flags & CN_PKT_TCP)
            f->tcp_flags_ts |= p->tcp.flags;
    } else {
        f->pkts_toclient++;
        f->bytes_toclient += p->caplen;
        if (p->flags & CN_PKT_TCP)
            f->tcp_flags_tc |= p->tcp.flags;
    }
    if (t->cfg.track_macs && (p->flags & CN_PKT_ETH) && p->eth_src && p->eth_dst) {
        if (toserver)
            mac_add(&f->macs_ts_n, f->mac_src_ts, f->mac_dst_ts, p->eth_src, p->eth_dst);
        else
            mac_add(&f->macs_tc_n, f->mac_src_tc, f->mac_dst_tc, p->eth_src, p->eth_dst);
    }
    if (sets_seen)
        f->seen |= toserver ? CN_FLOW_SEEN_TS : CN_FLOW_SEEN_TC;

    /* TCP reaches established through the stream engine (cn_flow_set_state). */
    if (f->state == CN_FLOW_NEW && f->seen == (CN_FLOW_SEEN_TS | CN_FLOW_SEEN_TC) &&
        f->proto != PROTO_TCP)
        cn_flow_set_state(t, f, CN_FLOW_ESTABLISHED);
    /* As Suricata, the packet sees the state before the stream engine handles it: the ACK
     * that completes a handshake is not yet established, packets after the close are not. */
    if (f->state == CN_FLOW_ESTABLISHED)
        p->flags |= CN_PKT_FLOW_ESTABLISHED;

    p->flow = f;
    p->toserver = toserver;
}

/* A SYN (or SYN/ACK) on an existing TCP flow that starts a new connection (tcp_reuse hook). */
static bool tcp_reused(const struct cn_flow_table *t, const struct cn_flow *f,
                       const struct cn_packet *p, bool toserver)
{
    return f->proto == PROTO_TCP && (p->flags & CN_PKT_TCP) && (p->tcp.flags & CN_TH_SYN) &&
           t->hooks.tcp_reuse && t->hooks.tcp_reuse(t->hooks.user, f, p, toserver);
}

struct cn_flow *cn_flow_handle(struct cn_flow_table *t, struct cn_packet *p)
{
    p->flow = NULL;
    struct cn_flow_pkey k;
    enum key_kind kind = packet_key(p, &k);
    if (kind == KEY_NONE)
        return NULL;

    /* a batch worker may have hashed the key already, to prefetch the bucket */
    uint32_t hash =
        (p->flags & CN_PKT_FLOW_HASHED) ? p->flow_hash : (uint32_t)key_hash(&k, t->seed);
    p->flow_hash = hash;

    struct cn_flow *f = t->buckets[hash & t->mask];
    int dir = 0;
    for (; f; f = f->hnext) {
        if (f->hash != hash || (dir = key_match(f, &k)) == 0)
            continue;
        if (CN_UNLIKELY(cn_flow_expired(t, f, p->ts))) {
            /* Idle past its timeout but not yet reaped: it ends, and p starts a new flow. */
            cn_flow_end(t, f, CN_FLOW_END_TIMEOUT);
            cn_stat_add(t->stats, CN_STAT_FLOW_WRK_FLOWS_EVICTED, 1);
            f = NULL;
        } else if (CN_UNLIKELY(tcp_reused(t, f, p, dir == 1))) {
            /* Suricata marks the old flow to time out at once and gives p a new one */
            cn_flow_end(t, f, CN_FLOW_END_TIMEOUT);
            cn_stat_add(t->stats, CN_STAT_FLOW_TCP_REUSE, 1);
            f = NULL;
        }
        break;
    }
    if (!f) {
        if (kind == KEY_QUOTED)
            return NULL;
        f = flow_create(t, p, &k, hash);
        if (!f)
            return NULL;
        dir = 1;
    }

    bool toserver;
    if (kind == KEY_QUOTED) {
        /* as Suricata: an ICMP packet's direction follows its sender */
        toserver = cn_addr_eq(&f->src, &p->src);
    } else if (f->proto == PROTO_TCP || f->proto == PROTO_UDP || f->proto == PROTO_SCTP ||
               f->proto == PROTO_ICMP || f->proto == PROTO_ICMPV6) {
        toserver = dir == 1;
    } else {
        /* Suricata has no direction for port-less protocols: every packet counts toserver */
        toserver = true;
    }
    flow_update(t, f, p, toserver, kind != KEY_QUOTED);
    return f;
}

void cn_flow_prefetch_bucket(const struct cn_flow_table *t, struct cn_packet *p)
{
    struct cn_flow_pkey k;
    if (packet_key(p, &k) == KEY_NONE) {
        p->flow_hash = 0;
        return;
    }
    p->flow_hash = (uint32_t)key_hash(&k, t->seed);
    p->flags |= CN_PKT_FLOW_HASHED;
    __builtin_prefetch(&t->buckets[p->flow_hash & t->mask]);
}

void cn_flow_prefetch_flow(const struct cn_flow_table *t, const struct cn_packet *p)
{
    const struct cn_flow *f = t->buckets[p->flow_hash & t->mask];
    if (f)
        __builtin_prefetch(f);
}

/* The part of ending a flow that does not touch the table: reason, counters, the hook. */
static void finish_flow(struct cn_flow_table *t, struct cn_flow *f, enum cn_flow_end_reason r)
{
    static const enum cn_stat_id end_stat[CN_FLOW_STATE__COUNT] = {
        [CN_FLOW_NEW] = CN_STAT_FLOW_END_STATE_NEW,
        [CN_FLOW_ESTABLISHED] = CN_STAT_FLOW_END_STATE_ESTABLISHED,
        [CN_FLOW_CLOSED] = CN_STAT_FLOW_END_STATE_CLOSED,
    };
    f->lru_class = 0xff;
    f->end_reason = (uint8_t)r;
    if (f->state < CN_FLOW_STATE__COUNT)
        cn_stat_add(t->stats, end_stat[f->state], 1);
    if (t->hooks.flow_end)
        t->hooks.flow_end(t->hooks.user, f);
}

void cn_flow_end(struct cn_flow_table *t, struct cn_flow *f, enum cn_flow_end_reason r)
{
    if (!f || f->lru_class >= CN_FLOW_LRU_N)
        return; /* already ended */
    struct cn_flow **pp = &t->buckets[f->hash & t->mask];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    cn_flow_lru_remove(t, f);
    t->active--;
    finish_flow(t, f, r);
    cn_flow_pool_put(t, f);
    cn_flow_stat_set(t, CN_STAT_FLOW_ACTIVE, t->active);
    cn_flow_stat_set(t, CN_STAT_FLOW_SPARE, t->free_n);
}

static void end_slot_at_shutdown(struct cn_flow_table *t, struct cn_flow *f)
{
    if (f->lru_class < CN_FLOW_LRU_N)
        finish_flow(t, f, CN_FLOW_END_SHUTDOWN);
}

/* Shutdown ends every flow at once. Walking the slabs in address order lets the hardware
 * prefetcher stream the flows in, and nothing is unlinked one by one: the buckets, lists
 * and free list are rebuilt afterwards. With hundreds of thousands of idle flows at the end
 * of a capture this is several times faster than ending them in LRU order. */
void cn_flow_end_all(struct cn_flow_table *t)
{
    cn_flow_pool_each(t, end_slot_at_shutdown);
    memset(t->buckets, 0, ((size_t)t->mask + 1) * sizeof(*t->buckets));
    for (unsigned i = 0; i < CN_FLOW_LRU_N; i++)
        t->lru[i].head = t->lru[i].tail = NULL;
    t->active = 0;
    cn_flow_pool_rebuild_free(t);
    cn_flow_pool_gauges(t);
}

void cn_flow_set_state(struct cn_flow_table *t, struct cn_flow *f, enum cn_flow_state state)
{
    if ((unsigned)state >= CN_FLOW_STATE__COUNT || f->lru_class >= CN_FLOW_LRU_N)
        return;
    cn_flow_lru_remove(t, f);
    f->state = (uint8_t)state;
    cn_flow_lru_append(t, f, cn_flow_lru_index(f));
}

#define SWAP(type, a, b)                                                                           \
    do {                                                                                           \
        type tmp_ = (a);                                                                           \
        (a) = (b);                                                                                 \
        (b) = tmp_;                                                                                \
    } while (0)

void cn_flow_swap(struct cn_flow *f)
{
    SWAP(union cn_addr, f->src, f->dst);
    SWAP(uint16_t, f->sp, f->dp);
    SWAP(uint64_t, f->pkts_toserver, f->pkts_toclient);
    SWAP(uint64_t, f->bytes_toserver, f->bytes_toclient);
    SWAP(uint8_t, f->tcp_flags_ts, f->tcp_flags_tc);
    SWAP(uint8_t, f->macs_ts_n, f->macs_tc_n);
    uint8_t tmp[CN_FLOW_MAX_MACS][6];
    memcpy(tmp, f->mac_src_ts, sizeof(tmp));
    memcpy(f->mac_src_ts, f->mac_src_tc, sizeof(tmp));
    memcpy(f->mac_src_tc, tmp, sizeof(tmp));
    memcpy(tmp, f->mac_dst_ts, sizeof(tmp));
    memcpy(f->mac_dst_ts, f->mac_dst_tc, sizeof(tmp));
    memcpy(f->mac_dst_tc, tmp, sizeof(tmp));
    uint8_t seen = f->seen;
    f->seen = (uint8_t)(((seen & CN_FLOW_SEEN_TS) ? CN_FLOW_SEEN_TC : 0) |
                        ((seen & CN_FLOW_SEEN_TC) ? CN_FLOW_SEEN_TS : 0));
    f->swapped = !f->swapped;
}

static uint32_t round_pow2(uint32_t n)
{
    uint32_t b = 1;
    while (b < n && b < (1u << 30))
        b <<= 1;
    return b;
}

struct cn_flow_table *cn_flow_table_new(const struct cn_flow_config *cfg,
                                        const struct cn_flow_hooks *hooks, struct cn_stats *stats)
{
    struct cn_flow_table *t = cn_calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (cfg)
        t->cfg = *cfg;
    else
        cn_flow_config_defaults(&t->cfg);
    if (hooks)
        t->hooks = *hooks;
    if (!stats) {
        t->own_stats = cn_calloc(1, sizeof(*t->own_stats));
        if (!t->own_stats)
            goto out_free_table;
        stats = t->own_stats;
    }
    t->stats = stats;

    uint32_t n = round_pow2(t->cfg.hash_size ? t->cfg.hash_size : 65536);
    t->mask = n - 1;
    t->seed = t->cfg.hash_seed;
    t->mc.limit = t->cfg.memcap;
    t->bucket_bytes = (uint64_t)n * sizeof(*t->buckets);
    if (!cn_memcap_try(&t->mc, t->bucket_bytes)) {
        cn_err("flow: memcap %llu bytes is smaller than the hash table (%u buckets)",
               (unsigned long long)t->cfg.memcap, n);
        goto out_free_stats;
    }
    t->buckets = cn_calloc(n, sizeof(*t->buckets));
    if (!t->buckets)
        goto out_free_stats;

    cn_flow_timeouts_apply(t);
    cn_flow_pool_prealloc(t, t->cfg.prealloc);
    if (t->free_n < t->cfg.prealloc)
        cn_warn("flow: memcap leaves room for %llu of %u preallocated flows",
                (unsigned long long)t->free_n, t->cfg.prealloc);
    return t;

out_free_stats:
    cn_free(t->own_stats);
out_free_table:
    cn_free(t);
    return NULL;
}

void cn_flow_table_free(struct cn_flow_table *t)
{
    if (!t)
        return;
    cn_flow_end_all(t);
    cn_flow_pool_destroy(t);
    cn_memcap_release(&t->mc, t->bucket_bytes);
    cn_flow_pool_gauges(t);
    cn_free(t->buckets);
    cn_free(t->own_stats);
    cn_free(t);
}

size_t cn_flow_active(const struct cn_flow_table *t)
{
    return (size_t)t->active;
}

bool cn_flow_in_emergency(const struct cn_flow_table *t)
{
    return t->emergency;
}

const struct cn_memcap *cn_flow_memcap(const struct cn_flow_table *t)
{
    return &t->mc;
}
