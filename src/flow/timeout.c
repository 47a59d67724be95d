/* flow timeouts: per-class timeout values (Suricata's stock defaults), the timeout pass over
 * the LRU heads, shutdown flush, and emergency mode.
 *
 * Each (protocol class, state) pair has its own LRU list, and all flows of a list share one
 * timeout, so a pass only looks at list heads and stops at the first flow still alive: the cost
 * is O(expired), not O(flows). Emergency mode (entered by table.c when the memcap refuses a new
 * flow) swaps in the shorter emergency timeouts; the pass leaves it once the flows in use fit
 * under (100 - emergency_recovery)% of the memcap. */
#include "flow/flow_int.h"

void cn_flow_config_defaults(struct cn_flow_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->memcap = 128ull << 20;
    cfg->hash_size = 65536;
    cfg->prealloc = 10000;
    cfg->emergency_recovery = 30;
    cfg->track_macs = true;
    /* Suricata's flow-timeouts defaults (suricata.yaml, flow-timeouts:). */
    cfg->timeouts[CN_FLOW_PC_DEFAULT] = (struct cn_flow_timeouts){30, 300, 0, 10, 100, 0};
    cfg->timeouts[CN_FLOW_PC_TCP] = (struct cn_flow_timeouts){60, 600, 60, 5, 100, 10};
    cfg->timeouts[CN_FLOW_PC_UDP] = (struct cn_flow_timeouts){30, 300, 0, 10, 100, 0};
    cfg->timeouts[CN_FLOW_PC_ICMP] = (struct cn_flow_timeouts){30, 300, 0, 10, 100, 0};
}

void cn_flow_timeouts_apply(struct cn_flow_table *t)
{
    for (unsigned pc = 0; pc < CN_FLOW_PC__COUNT; pc++) {
        const struct cn_flow_timeouts *to = &t->cfg.timeouts[pc];
        uint64_t *d = &t->tmo[pc * CN_FLOW_STATE__COUNT];
        d[CN_FLOW_NEW] = t->emergency ? to->emerg_new : to->new_;
        d[CN_FLOW_ESTABLISHED] = t->emergency ? to->emerg_established : to->established;
        d[CN_FLOW_CLOSED] = t->emergency ? to->emerg_closed : to->closed;
    }
}

void cn_flow_emergency_enter(struct cn_flow_table *t)
{
    if (t->emergency)
        return;
    t->emergency = true;
    cn_stat_add(t->stats, CN_STAT_FLOW_EMERG_MODE_ENTERED, 1);
    cn_flow_timeouts_apply(t);
}

/* Usage that counts for recovery: the buckets plus the flows in use. Free flows in slabs are
 * not counted, since they are ready for reuse and slabs are never returned. */
static void emergency_check(struct cn_flow_table *t)
{
    if (!t->emergency)
        return;
    uint64_t use = t->bucket_bytes + t->active * t->stride;
    uint64_t limit = t->mc.limit;
    uint32_t keep = t->cfg.emergency_recovery > 100 ? 0 : 100 - t->cfg.emergency_recovery;
    if (limit && use * 100 >= limit * keep)
        return;
    t->emergency = false;
    cn_stat_add(t->stats, CN_STAT_FLOW_EMERG_MODE_OVER, 1);
    cn_flow_timeouts_apply(t);
}

struct cn_flow *cn_flow_lru_oldest(const struct cn_flow_table *t)
{
    struct cn_flow *best = NULL;
    for (unsigned i = 0; i < CN_FLOW_LRU_N; i++) {
        struct cn_flow *h = t->lru[i].head;
        if (h && (!best || h->last < best->last))
            best = h;
    }
    return best;
}

void cn_flow_timeout(struct cn_flow_table *t, cn_time_t now)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < CN_FLOW_LRU_N; i++) {
        struct cn_flow *f;
        while ((f = t->lru[i].head) != NULL && cn_flow_expired(t, f, now)) {
            cn_flow_end(t, f, CN_FLOW_END_TIMEOUT);
            n++;
        }
    }
    if (n) {
        cn_stat_add(t->stats, CN_STAT_FLOW_MGR_FLOWS_TIMEOUT, n);
        cn_stat_add(t->stats, CN_STAT_FLOW_MGR_FLOWS_EVICTED, n);
    }
    emergency_check(t);
}

void cn_flow_flush(struct cn_flow_table *t, cn_time_t now)
{
    cn_flow_timeout(t, now);
    cn_flow_end_all(t);
    emergency_check(t);
}
