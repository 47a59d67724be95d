/* engine: the per-packet signature engine. Each worker owns a struct cn_detect_ctx over the
 * shared, read-only rule set; cn_detect_packet() runs every rule that can apply to a packet
 * and hands back the alerts it raised.
 *
 * A rule is tried in stages, cheapest first: the IP protocol (rules are grouped by protocol
 * when the context is made, so a TCP packet meets only the tcp rules and the ip rules), then
 * the addresses and ports in the rule's direction (or both for <>), then every sigmatch of the
 * packet list, then the payload list through cn_inspect_list(). Matches are queued and then
 * ordered as Suricata orders them (action: pass, drop, reject, alert; then priority; then load
 * order). A matching pass rule ends the list: it raises no alert and the rules after it raise
 * none either, as in Suricata's PacketAlertFinalize. noalert rules are counted as suppressed.
 *
 * There is no prefilter yet: the multi-pattern prefilter plugs in between the protocol group
 * and the header check (TODO(cn): prefilter; IP-only rules once per flow direction; pass rules
 * that apply to the whole flow; stream and app-layer buffers). */
#include <stdlib.h>

#include "detect/detect_int.h"

#define IPPROTO_ICMP_   1
#define IPPROTO_ICMPV6_ 58

/* Rules that can apply to packets of one IP protocol, in load order. */
struct rule_group {
    const struct cn_rule **v;
    unsigned n;
};

struct cn_detect_ctx {
    const struct cn_ruleset *rs;
    struct cn_stats *stats;
    struct cn_stats own_stats; /* when the caller gives none */
    /* groups[proto].v == NULL: no rule names that protocol, use any_group (the ip rules) */
    struct rule_group groups[256];
    struct rule_group any_group;
    /* this packet's matches before ordering; grows (rarely) when many rules match at once */
    struct cn_alert *queue;
    unsigned nqueue, qcap;
    struct cn_alert alerts[CN_DETECT_MAX_ALERTS];
};

/* ---- building the protocol groups ---- */

static bool rule_in_proto(const struct cn_rule *r, unsigned proto)
{
    if (r->proto_any)
        return true;
    if (r->proto == proto)
        return true;
    /* Suricata's "icmp" covers ICMPv4 and ICMPv6 (detect-engine-proto.c) */
    return r->proto == IPPROTO_ICMP_ && proto == IPPROTO_ICMPV6_;
}

static int group_build(struct rule_group *g, const struct cn_ruleset *rs, int proto)
{
    unsigned n = 0;
    for (unsigned i = 0; i < rs->n; i++)
        if (proto < 0 ? rs->rules[i]->proto_any : rule_in_proto(rs->rules[i], (unsigned)proto))
            n++;
    g->n = 0;
    g->v = cn_calloc(n ? n : 1, sizeof(*g->v));
    if (!g->v)
        return -CN_ENOMEM;
    for (unsigned i = 0; i < rs->n; i++)
        if (proto < 0 ? rs->rules[i]->proto_any : rule_in_proto(rs->rules[i], (unsigned)proto))
            g->v[g->n++] = rs->rules[i];
    return 0;
}

static int groups_build(struct cn_detect_ctx *ctx)
{
    const struct cn_ruleset *rs = ctx->rs;
    bool named[256] = {false};
    for (unsigned i = 0; i < rs->n; i++) {
        const struct cn_rule *r = rs->rules[i];
        if (r->proto_any)
            continue;
        named[r->proto] = true;
        if (r->proto == IPPROTO_ICMP_)
            named[IPPROTO_ICMPV6_] = true;
    }
    if (group_build(&ctx->any_group, rs, -1) < 0)
        return -CN_ENOMEM;
    for (unsigned p = 0; p < 256; p++)
        if (named[p] && group_build(&ctx->groups[p], rs, (int)p) < 0)
            return -CN_ENOMEM;
    return 0;
}

struct cn_detect_ctx *cn_detect_ctx_new(const struct cn_ruleset *rs, struct cn_stats *stats)
{
    struct cn_detect_ctx *ctx = cn_calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    ctx->rs = rs;
    ctx->stats = stats ? stats : &ctx->own_stats;
    ctx->qcap = 64;
    ctx->queue = cn_calloc(ctx->qcap, sizeof(*ctx->queue));
    if (!ctx->queue)
        goto out_free;
    if (rs && groups_build(ctx) < 0)
        goto out_free;
    return ctx;
out_free:
    cn_detect_ctx_free(ctx);
    return NULL;
}

void cn_detect_ctx_free(struct cn_detect_ctx *ctx)
{
    if (!ctx)
        return;
    for (unsigned p = 0; p < 256; p++)
        cn_free(ctx->groups[p].v);
    cn_free(ctx->any_group.v);
    cn_free(ctx->queue);
    cn_free(ctx);
}

/* ---- matching one rule ---- */

/* Ports exist for TCP, UDP and SCTP once the transport header decoded. A fragment that was
 * not rebuilt has none, so rules with port constraints do not match it (as in Suricata). */
static bool packet_has_ports(const struct cn_packet *p)
{
    if ((p->flags & CN_PKT_FRAGMENT) && !(p->flags & CN_PKT_REBUILT))
        return false;
    return (p->flags & (CN_PKT_TCP | CN_PKT_UDP)) || (p->proto == 132 && p->l4);
}

static bool addr_match(const struct cn_addr_set *s, const union cn_addr *a, int fam)
{
    return s->any || cn_addr_set_match(s, a, fam);
}

static bool port_match(const struct cn_port_set *s, uint16_t port, bool has_ports)
{
    return s->any || (has_ports && cn_port_set_match(s, port));
}

static bool header_one_way(const struct cn_rule *r, const union cn_addr *src,
                           const union cn_addr *dst, uint16_t sp, uint16_t dp, int fam,
                           bool has_ports)
{
    return addr_match(&r->src, src, fam) && addr_match(&r->dst, dst, fam) &&
           port_match(&r->sp, sp, has_ports) && port_match(&r->dp, dp, has_ports);
}

static bool header_match(const struct cn_rule *r, const struct cn_packet *p, bool has_ports)
{
    int fam = cn_packet_family(p);
    if (header_one_way(r, &p->src, &p->dst, p->sp, p->dp, fam, has_ports))
        return true;
    return (r->flags & CN_RULE_BIDIR) &&
           header_one_way(r, &p->dst, &p->src, p->dp, p->sp, fam, has_ports);
}

static bool rule_match(struct cn_detect_ctx *ctx, const struct cn_rule *r, struct cn_packet *p,
                       bool has_ports)
{
    if (!rule_in_proto(r, p->proto))
        return false;
    /* application-layer protocol rules (alert http ...) need the flow's protocol known */
    if (r->app_proto && (!p->flow || p->flow->app_proto != r->app_proto))
        return false;
    if (!header_match(r, p, has_ports))
        return false;

    struct cn_inspect in = {
        .ctx = ctx,
        .rule = r,
        .p = p,
        .f = p->flow,
        .buf = p->payload,
        .len = p->payload ? p->payload_len : 0,
    };
    const struct cn_smlist *pl = &r->lists[CN_LIST_PACKET];
    for (unsigned i = 0; i < pl->n; i++) {
        const struct cn_sigmatch *sm = &pl->v[i];
        if (sm->kw->match && !sm->kw->match(&in, sm->data))
            return false;
    }
    for (unsigned l = CN_LIST_PAYLOAD; l < r->nlists && l < CN_LIST__MAX; l++) {
        const struct cn_smlist *list = &r->lists[l];
        if (list->n == 0)
            continue;
        /* the payload, or a sticky buffer from the registry (buffers.def); a packet without
         * the buffer does not match. TODO(cn): stream data and app-layer buffers. */
        if (l == CN_LIST_PAYLOAD) {
            in.buf = p->payload;
            in.len = p->payload ? p->payload_len : 0;
        } else if (!cn_buffer_get(l, p, &in.buf, &in.len)) {
            return false;
        }
        if (in.len == 0)
            return false;
        in.pos = 0;
        in.depth = 0;
        if (!cn_inspect_list(&in, list))
            return false;
    }
    return true;
}

/* ---- ordering and finishing the alerts ---- */

static int action_rank(enum cn_action a)
{
    switch (a) {
    case CN_ACTION_PASS:
        return 0;
    case CN_ACTION_DROP:
        return 1;
    case CN_ACTION_REJECT:
    case CN_ACTION_REJECTSRC:
    case CN_ACTION_REJECTDST:
    case CN_ACTION_REJECTBOTH:
        return 2;
    case CN_ACTION_ALERT:
    default:
        return 3;
    }
}

static int alert_cmp(const void *a, const void *b)
{
    const struct cn_alert *x = a, *y = b;
    int ra = action_rank(x->action), rb = action_rank(y->action);
    if (ra != rb)
        return ra - rb;
    if (x->rule->priority != y->rule->priority)
        return x->rule->priority - y->rule->priority;
    return x->rule->order < y->rule->order ? -1 : x->rule->order > y->rule->order;
}

static void queue_add(struct cn_detect_ctx *ctx, const struct cn_rule *r)
{
    if (ctx->nqueue == ctx->qcap) {
        unsigned ncap = ctx->qcap * 2;
        struct cn_alert *nq = cn_realloc(ctx->queue, (size_t)ncap * sizeof(*nq));
        if (!nq) {
            cn_stat_add(ctx->stats, CN_STAT_DETECT_ALERT_QUEUE_OVERFLOW, 1);
            return;
        }
        ctx->queue = nq;
        ctx->qcap = ncap;
    }
    ctx->queue[ctx->nqueue].rule = r;
    ctx->queue[ctx->nqueue].action = r->action;
    ctx->nqueue++;
}

static void sort_queue(struct cn_alert *q, unsigned n)
{
    if (n > 16) {
        qsort(q, n, sizeof(*q), alert_cmp);
        return;
    }
    for (unsigned i = 1; i < n; i++) {
        struct cn_alert x = q[i];
        unsigned j = i;
        while (j > 0 && alert_cmp(&q[j - 1], &x) > 0) {
            q[j] = q[j - 1];
            j--;
        }
        q[j] = x;
    }
}

static unsigned finalize(struct cn_detect_ctx *ctx, struct cn_packet *p)
{
    sort_queue(ctx->queue, ctx->nqueue);
    unsigned n = 0;
    uint64_t suppressed = 0, overflow = 0;
    for (unsigned i = 0; i < ctx->nqueue; i++) {
        const struct cn_alert *a = &ctx->queue[i];
        if (a->action == CN_ACTION_PASS)
            break; /* pass: no alert, and none from the rules ordered after it */
        if (a->rule->flags & CN_RULE_NOALERT) {
            suppressed++;
            continue;
        }
        if (n < CN_DETECT_MAX_ALERTS)
            ctx->alerts[n++] = *a;
        else
            overflow++;
    }
    if (n) {
        cn_stat_add(ctx->stats, CN_STAT_DETECT_ALERT, n);
        if (p->flow)
            p->flow->alerted = true;
    }
    if (suppressed)
        cn_stat_add(ctx->stats, CN_STAT_DETECT_ALERTS_SUPPRESSED, suppressed);
    if (overflow)
        cn_stat_add(ctx->stats, CN_STAT_DETECT_ALERT_QUEUE_OVERFLOW, overflow);
    return n;
}

unsigned cn_detect_packet(struct cn_detect_ctx *ctx, struct cn_packet *p,
                          const struct cn_alert **alerts)
{
    *alerts = ctx->alerts;
    /* TODO(cn): decoder-event rules (pkthdr) on packets without IP */
    if (!ctx->rs || (p->ip_ver != 4 && p->ip_ver != 6))
        return 0;
    const struct rule_group *g = &ctx->groups[p->proto];
    if (!g->v)
        g = &ctx->any_group;
    if (g->n == 0)
        return 0;

    bool has_ports = packet_has_ports(p);
    ctx->nqueue = 0;
    for (unsigned i = 0; i < g->n; i++)
        if (rule_match(ctx, g->v[i], p, has_ports))
            queue_add(ctx, g->v[i]);
    if (ctx->nqueue == 0)
        return 0;
    return finalize(ctx, p);
}
