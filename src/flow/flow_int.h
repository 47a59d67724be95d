/* flow internals: the table layout, the packet-side key, the LRU lists and the pool, shared by
 * the files of src/flow only (table.c, timeout.c, pool.c, community_id.c, names.c). */
#ifndef CN_FLOW_INT_H
#define CN_FLOW_INT_H

#include <stddef.h>

#include "flow/flow.h"

/* One LRU list per (protocol class, state): every flow of a list has the same timeout, and a
 * packet moves its flow to the tail, so the head is always the next to expire. Time is kept in
 * whole seconds here (as Suricata's flow manager did up to version 6): a flow moves at most
 * once per second of packet time, which spares the list surgery (three more cache lines) on
 * nearly every packet, and the order by last-seen second stays exact. */
#define CN_FLOW_LRU_N (CN_FLOW_PC__COUNT * CN_FLOW_STATE__COUNT)

/* seen bits of struct cn_flow */
enum {
    CN_FLOW_SEEN_TS = 1u << 0,
    CN_FLOW_SEEN_TC = 1u << 1,
};

/* The key of a packet, laid out like the key fields of struct cn_flow so that the meta and
 * ports words compare directly. */
struct cn_flow_pkey {
    union cn_addr src, dst;
    union {
        struct {
            uint8_t proto;
            uint8_t ip_ver;
            uint16_t vlan[CN_PKT_MAX_VLANS];
        };
        uint64_t meta;
    };
    union {
        struct {
            uint16_t sp, dp;
        };
        uint32_t ports;
    };
    uint32_t tunnel_id;
};

_Static_assert(sizeof(((struct cn_flow *)0)->key_meta) == 8 && CN_PKT_MAX_VLANS == 3,
               "proto, ip_ver and vlan[] must fill one 64-bit word");
_Static_assert(offsetof(struct cn_flow, vlan) - offsetof(struct cn_flow, key_meta) ==
                   offsetof(struct cn_flow_pkey, vlan) - offsetof(struct cn_flow_pkey, meta),
               "flow and packet key layouts differ");
_Static_assert(offsetof(struct cn_flow, dp) - offsetof(struct cn_flow, key_ports) ==
                   offsetof(struct cn_flow_pkey, dp) - offsetof(struct cn_flow_pkey, ports),
               "flow and packet port layouts differ");

struct cn_flow_lru {
    struct cn_flow *head, *tail;
};

struct cn_flow_slab {
    struct cn_flow_slab *next;
    size_t bytes;    /* what the memcap was charged */
    uintptr_t base;  /* first flow, cache-line aligned */
    uint64_t nflows; /* flows in the slab, at stride bytes apart */
};

struct cn_flow_table {
    struct cn_flow **buckets;
    uint32_t mask;
    uint64_t seed;
    struct cn_flow_lru lru[CN_FLOW_LRU_N];
    uint64_t tmo[CN_FLOW_LRU_N]; /* current timeout of each list, seconds */

    struct cn_flow *free; /* free flows, linked by hnext */
    uint64_t free_n;
    uint64_t active;
    uint64_t capacity; /* flows in all slabs */
    struct cn_flow_slab *slabs;
    size_t stride; /* bytes per flow in a slab: sizeof rounded to a cache line */
    uint64_t bucket_bytes;
    struct cn_memcap mc;

    bool emergency;
    struct cn_flow_config cfg;
    struct cn_flow_hooks hooks;
    struct cn_stats *stats;
    struct cn_stats *own_stats; /* used when the caller passed none */
};

/* ---- pool.c: slabs of flows, the free list, the memcap ---- */
/* Allocates slabs until n flows are free or the memcap stops it. */
void cn_flow_pool_prealloc(struct cn_flow_table *t, uint64_t n);
/* A zeroed flow from the free list, or a new slab if the memcap allows; NULL otherwise. */
struct cn_flow *cn_flow_pool_get(struct cn_flow_table *t);
void cn_flow_pool_put(struct cn_flow_table *t, struct cn_flow *f);
void cn_flow_pool_destroy(struct cn_flow_table *t);
/* Ends every flow with reason shutdown and empties the table (timeout.c, table.c). */
void cn_flow_end_all(struct cn_flow_table *t);
/* Calls fn on every flow slot of every slab, in address order (free slots included). */
void cn_flow_pool_each(struct cn_flow_table *t,
                       void (*fn)(struct cn_flow_table *, struct cn_flow *));
/* Puts every slot back on the free list (after all flows ended in bulk). */
void cn_flow_pool_rebuild_free(struct cn_flow_table *t);
void cn_flow_pool_gauges(struct cn_flow_table *t);

/* ---- timeout.c: LRU lists, timeouts, emergency mode ---- */
void cn_flow_timeouts_apply(struct cn_flow_table *t); /* normal or emergency values */
void cn_flow_emergency_enter(struct cn_flow_table *t);
/* The oldest flow of all LRU heads (the eviction victim), or NULL when the table is empty. */
struct cn_flow *cn_flow_lru_oldest(const struct cn_flow_table *t);

static inline unsigned cn_flow_proto_class(uint8_t proto)
{
    /* As Suricata's protocol mapping: ICMPv6 uses the default timeouts. */
    switch (proto) {
    case 6:
        return CN_FLOW_PC_TCP;
    case 17:
        return CN_FLOW_PC_UDP;
    case 1:
        return CN_FLOW_PC_ICMP;
    default:
        return CN_FLOW_PC_DEFAULT;
    }
}

static inline unsigned cn_flow_lru_index(const struct cn_flow *f)
{
    return cn_flow_proto_class(f->proto) * CN_FLOW_STATE__COUNT + f->state;
}

static inline void cn_flow_lru_append(struct cn_flow_table *t, struct cn_flow *f, unsigned i)
{
    struct cn_flow_lru *l = &t->lru[i];
    f->lru_class = (uint8_t)i;
    f->lru_next = NULL;
    f->lru_prev = l->tail;
    if (l->tail)
        l->tail->lru_next = f;
    else
        l->head = f;
    l->tail = f;
}

static inline void cn_flow_lru_remove(struct cn_flow_table *t, struct cn_flow *f)
{
    struct cn_flow_lru *l = &t->lru[f->lru_class];
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        l->head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        l->tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static inline uint64_t cn_flow_sec(cn_time_t t)
{
    return t / CN_USEC;
}

/* A packet of second sec refreshed f (before f->last is updated): when it starts a new second
 * for f, f becomes the youngest of its list. */
static inline void cn_flow_lru_touch(struct cn_flow_table *t, struct cn_flow *f, uint64_t sec)
{
    if (sec <= cn_flow_sec(f->last) || t->lru[f->lru_class].tail == f)
        return;
    cn_flow_lru_remove(t, f);
    cn_flow_lru_append(t, f, f->lru_class);
}

/* Idle longer than its timeout T: now > last + T, counted in whole seconds. */
static inline bool cn_flow_expired(const struct cn_flow_table *t, const struct cn_flow *f,
                                   cn_time_t now)
{
    return cn_flow_sec(now) > cn_flow_sec(f->last) + t->tmo[f->lru_class];
}

static inline void cn_flow_stat_set(struct cn_flow_table *t, enum cn_stat_id id, uint64_t v)
{
    t->stats->v[id] = v;
}

#endif
