/* engine: the per-packet signature engine. Each worker owns a struct cn_detect_ctx over the
 * shared, read-only rule set; cn_detect_packet() runs every rule that can apply to a packet
 * and hands back the alerts it raised.
 *
 * A rule is tried in stages, cheapest first: the IP protocol (rules are grouped by protocol
 * once, at load time, so a TCP packet meets only the tcp rules and the ip rules), then the
 * group's Hyperscan prefilter over the payload (prefilter.c: a rule whose fast pattern is not
 * in the payload is not tried), then the addresses and ports in the rule's direction (or both
 * for <>), then every sigmatch of the
 * packet list, then the payload list through cn_inspect_list(). Matches are queued and then
 * ordered as Suricata orders them (action: pass, drop, reject, alert; then priority; then load
 * order). A matching pass rule ends the list: it raises no alert and the rules after it raise
 * none either, as in Suricata's PacketAlertFinalize. noalert rules are counted as suppressed.
 *
 * TODO(cn): port and direction groups; IP-only rules once per flow direction; pass rules that
 * apply to the whole flow; stream and app-layer buffers. */
#include <stdlib.h>

#include "detect/detect_int.h"
#include "detect/iponly.h"
#include "detect/prefilter.h"
#include "detect/profile.h"
#include "detect/transform.h"

#define IPPROTO_ICMP_   1
#define IPPROTO_ICMPV6_ 58

/* Rules that can apply to packets of one IP protocol, in evaluation order, and their
 * prefilters, one per flow direction (pf[0] for packets to the server and packets without a
 * flow, pf[1] for packets to the client; a rule whose flow keyword names the other direction
 * is left out). NULL when Hyperscan failed: every rule is then tried. IP-only rules (addresses
 * and nothing else) are kept apart: their verdict cannot change within a flow direction, so,
 * as in Suricata, they are tried on the first packet of each direction only. */
struct rule_group {
    const struct cn_rule **v;
    unsigned n;
    struct cn_prefilter *pf[2];
    const struct cn_rule **ip;
    unsigned nip;
    struct cn_iponly *ipx; /* their address index; NULL: try each */
};

/* Built once per rule set and shared read-only by the workers. */
struct cn_rule_groups {
    /* groups[proto].v == NULL: no rule names that protocol, use any (the ip rules) */
    struct rule_group groups[256];
    struct rule_group any;
};

struct cn_detect_ctx {
    const struct cn_ruleset *rs;
    struct cn_stats *stats;
    struct cn_stats own_stats;      /* when the caller gives none */
    const struct cn_rule_groups *g; /* rs->groups */
    struct cn_prefilter_scratch *pf;
    uint32_t *ipcand;             /* IP-only candidates of the packet; room for the largest group */
    struct cn_rule_profile *prof; /* rule profiling: NULL when off */
    struct cn_rule_counts *counts;
    /* this packet's matches before ordering; grows (rarely) when many rules match at once */
    struct cn_alert *queue;
    unsigned nqueue, qcap;
    struct cn_alert alerts[CN_DETECT_MAX_ALERTS];
    struct cn_transform_scratch *xform; /* transformed sticky buffers; made on first use */
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

/* Addresses and protocol only: no sigmatch in any list, any ports, no application protocol.
 * Post-match actions are allowed (ET's reputation rules set flowbits): IP-only rules are
 * tried before the others, so what they set is seen by the checkers of the same packet, as
 * the setters-first order wants. Pass rules stay with the others (a pass must be seen on
 * every packet until pass applies to whole flows). */
static bool rule_is_iponly(const struct cn_rule *r)
{
    if (r->action == CN_ACTION_PASS || r->app_proto || !r->sp.any || !r->dp.any)
        return false;
    for (unsigned l = 0; l < r->nlists && l < CN_LIST__MAX; l++)
        if (r->lists[l].n)
            return false;
    return true;
}

static bool in_group(const struct cn_rule *r, int proto)
{
    return proto < 0 ? r->proto_any : rule_in_proto(r, (unsigned)proto);
}

static int prefilters_build(struct rule_group *g, int proto)
{
    uint32_t *idx = cn_calloc(g->n ? g->n : 1, sizeof(*idx));
    if (!idx)
        return -CN_ENOMEM;
    for (unsigned d = 0; d < 2; d++) {
        unsigned other = d == 0 ? CN_FLOW_DIR_TOCLIENT : CN_FLOW_DIR_TOSERVER, n = 0;
        for (unsigned i = 0; i < g->n; i++)
            if (cn_kw_flow_direction(g->v[i]) != other)
                idx[n++] = i;
        char err[256];
        struct cn_prefilter *pf = cn_prefilter_build(g->v, idx, n, err, sizeof(err));
        g->pf[d] = pf;
        if (!pf) { /* still correct without it, only slower */
            cn_warn("rule prefilter for IP protocol %d: %s; every rule is tried", proto, err);
            cn_prefilter_free(g->pf[0]);
            g->pf[0] = g->pf[1] = NULL;
            break;
        }
        if (g->n + g->nip)
            cn_info("rules for %s %d, %s: %u, %u IP-only, %u with one of %u fast patterns, "
                    "%u filed by port, %u tried on every packet",
                    proto < 0 ? "any protocol" : "IP protocol", proto < 0 ? 0 : proto,
                    d == 0 ? "to server" : "to client", n + g->nip, g->nip,
                    n - cn_prefilter_always(pf) - cn_prefilter_ported(pf),
                    cn_prefilter_patterns(pf), cn_prefilter_ported(pf), cn_prefilter_always(pf));
    }
    cn_free(idx);
    return 0;
}

static int group_build(struct rule_group *g, const struct cn_ruleset *rs, int proto)
{
    unsigned n = 0;
    for (unsigned i = 0; i < rs->n; i++)
        if (in_group(rs->rules[i], proto))
            n++;
    g->v = cn_calloc(n ? n : 1, sizeof(*g->v));
    g->ip = cn_calloc(n ? n : 1, sizeof(*g->ip));
    if (!g->v || !g->ip)
        return -CN_ENOMEM;
    for (unsigned i = 0; i < rs->n; i++) {
        const struct cn_rule *r = rs->rules[i];
        if (!in_group(r, proto))
            continue;
        if (rule_is_iponly(r))
            g->ip[g->nip++] = r;
        else
            g->v[g->n++] = r;
    }
    if (g->nip && !(g->ipx = cn_iponly_build(g->ip, g->nip)))
        return -CN_ENOMEM;
    return prefilters_build(g, proto);
}

int cn_detect_groups_build(struct cn_ruleset *rs)
{
    struct cn_rule_groups *gs = cn_calloc(1, sizeof(*gs));
    if (!gs)
        return -CN_ENOMEM;
    rs->groups = gs;
    bool named[256] = {false};
    for (unsigned i = 0; i < rs->n; i++) {
        const struct cn_rule *r = rs->rules[i];
        if (r->proto_any)
            continue;
        named[r->proto] = true;
        if (r->proto == IPPROTO_ICMP_)
            named[IPPROTO_ICMPV6_] = true;
    }
    if (group_build(&gs->any, rs, -1) < 0)
        return -CN_ENOMEM;
    for (unsigned p = 0; p < 256; p++)
        if (named[p] && group_build(&gs->groups[p], rs, (int)p) < 0)
            return -CN_ENOMEM;
    return 0;
}

static void group_free(struct rule_group *g)
{
    cn_free(g->v);
    cn_free(g->ip);
    cn_iponly_free(g->ipx);
    cn_prefilter_free(g->pf[0]);
    cn_prefilter_free(g->pf[1]);
}

void cn_detect_groups_free(struct cn_rule_groups *gs)
{
    if (!gs)
        return;
    for (unsigned p = 0; p < 256; p++)
        group_free(&gs->groups[p]);
    group_free(&gs->any);
    cn_free(gs);
}

static int scratch_fit(struct cn_prefilter_scratch *s, const struct rule_group *g)
{
    for (unsigned d = 0; d < 2; d++)
        if (g->pf[d] && cn_prefilter_scratch_fit(s, g->pf[d]) < 0)
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
    if (rs && rs->groups) {
        ctx->g = rs->groups;
        if (!(ctx->pf = cn_prefilter_scratch_new()) || scratch_fit(ctx->pf, &ctx->g->any) < 0)
            goto out_free;
        unsigned most = ctx->g->any.nip;
        for (unsigned p = 0; p < 256; p++) {
            if (scratch_fit(ctx->pf, &ctx->g->groups[p]) < 0)
                goto out_free;
            most = CN_MAX(most, ctx->g->groups[p].nip);
        }
        if (!(ctx->ipcand = cn_calloc(most ? most : 1, sizeof(*ctx->ipcand))))
            goto out_free;
    }
    return ctx;
out_free:
    cn_detect_ctx_free(ctx);
    return NULL;
}

int cn_detect_ctx_set_profile(struct cn_detect_ctx *ctx, struct cn_rule_profile *prof)
{
    if (!ctx->rs || !prof)
        return 0;
    if (!(ctx->counts = cn_rule_profile_counts(prof)))
        return -CN_ENOMEM;
    ctx->prof = prof;
    return 0;
}

void cn_detect_ctx_free(struct cn_detect_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->prof)
        cn_rule_profile_add(ctx->prof, ctx->counts);
    cn_free(ctx->counts);
    cn_prefilter_scratch_free(ctx->pf);
    cn_free(ctx->ipcand);
    cn_free(ctx->queue);
    cn_transform_scratch_free(ctx->xform);
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

/* Is list l one of the variable-setting lists inspected before the others? */
static bool var_list_first(const struct cn_rule *r, unsigned l)
{
    for (unsigned i = 0; i < r->nvar_lists; i++)
        if (r->var_lists[i] == l)
            return true;
    return false;
}

/* The bytes of sticky buffer l for p, run through the list's transform chain when it has one
 * (transform.c; identical chains over the same buffer share one run per packet). *list is
 * pointed at view, the list without its chain. False when p has no such buffer. */
static bool sticky_buffer(struct cn_detect_ctx *ctx, unsigned l, const struct cn_packet *p,
                          const struct cn_smlist **list, struct cn_smlist *view,
                          const uint8_t **buf, uint32_t *len)
{
    if (!cn_buffer_get(l, p, buf, len))
        return false;
    if (!cn_transform_buffer(&ctx->xform, l, *list, view, buf, len))
        return false;
    *list = view;
    return true;
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
    /* Lists that set byte_extract/byte_math variables go first, in rule order, so a later
     * buffer reads values already set; then the others in list order. */
    for (unsigned k = 0; k < r->nvar_lists + r->nlists; k++) {
        unsigned l = k < r->nvar_lists ? r->var_lists[k] : k - r->nvar_lists;
        if (k >= r->nvar_lists && (l < CN_LIST_PAYLOAD || var_list_first(r, l)))
            continue;
        if (l >= CN_LIST__MAX)
            continue;
        const struct cn_smlist *list = &r->lists[l];
        struct cn_smlist view; /* list without its transform chain */
        if (list->n == 0)
            continue;
        /* the payload, or a sticky buffer from the registry (buffers.def); a packet without
         * the buffer does not match. TODO(cn): stream data and app-layer buffers. */
        if (l == CN_LIST_PAYLOAD) {
            in.buf = p->payload;
            in.len = p->payload ? p->payload_len : 0;
        } else if (!sticky_buffer(ctx, l, p, &list, &view, &in.buf, &in.len)) {
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

/* The rule r matched p as a whole: run its post-match actions (flowbits:set, flowint:+,
 * xbits:set, ...) now, before the next rule is tried, so the rules after it see the change
 * (the ruleset orders setters before checkers). They run whether or not an alert is written
 * later: noalert, pass and thresholds only silence the alert. Call it once per match, before
 * queueing the alert. */
static void run_postmatch(struct cn_detect_ctx *ctx, const struct cn_rule *r, struct cn_packet *p)
{
    if (CN_LIKELY(r->post.n == 0))
        return;
    struct cn_inspect in = {.ctx = ctx, .rule = r, .p = p, .f = p->flow, .stats = ctx->stats};
    for (unsigned i = 0; i < r->post.n; i++)
        if (r->post.v[i].kw->postmatch)
            r->post.v[i].kw->postmatch(&in, r->post.v[i].data);
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
        struct cn_alert *a = &ctx->queue[i];
        if (a->action == CN_ACTION_PASS)
            break; /* pass: no alert, and none from the rules ordered after it */
        /* suppress, threshold, detection_filter, rate_filter (threshold.c), as Suricata's
         * PacketAlertHandle: a match below its threshold is dropped, a suppressed one counted */
        enum cn_threshold_verdict tv = cn_threshold_check(ctx->rs->thresholds, a, p, ctx->stats);
        if (tv == CN_THRESHOLD_DROP)
            continue;
        if (tv == CN_THRESHOLD_SILENT) {
            suppressed++;
            continue;
        }
        if (a->action == CN_ACTION_PASS)
            break; /* rate_filter new_action pass */
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

/* rule_match(), counted and timed for the rule profile when one is attached. */
static bool try_rule(struct cn_detect_ctx *ctx, const struct cn_rule *r, struct cn_packet *p,
                     bool has_ports)
{
    if (CN_LIKELY(!ctx->prof))
        return rule_match(ctx, r, p, has_ports);
    uint64_t t0 = cn_monotonic_ns();
    bool m = rule_match(ctx, r, p, has_ports);
    uint64_t dt = cn_monotonic_ns() - t0;
    struct cn_rule_counts *c = &ctx->counts[r->num];
    c->checks++;
    c->matches += m;
    c->ns += dt;
    if (dt > c->ns_max)
        c->ns_max = dt;
    return m;
}

/* The first packet of its flow in its direction (the flow table has counted it), or a packet
 * without a flow. */
static bool first_in_direction(const struct cn_packet *p)
{
    const struct cn_flow *f = p->flow;
    if (!f)
        return true;
    return (p->toserver ? f->pkts_toserver : f->pkts_toclient) <= 1;
}

unsigned cn_detect_packet(struct cn_detect_ctx *ctx, struct cn_packet *p,
                          const struct cn_alert **alerts)
{
    *alerts = ctx->alerts;
    /* TODO(cn): decoder-event rules (pkthdr) on packets without IP */
    if (!ctx->g || (p->ip_ver != 4 && p->ip_ver != 6))
        return 0;
    const struct rule_group *g = &ctx->g->groups[p->proto];
    if (!g->v)
        g = &ctx->g->any;
    if (g->n + g->nip == 0)
        return 0;

    bool has_ports = packet_has_ports(p);
    ctx->nqueue = 0;
    cn_transform_scratch_next(ctx->xform); /* no transform results from the last packet */
    if (g->nip && first_in_direction(p)) {
        unsigned n = cn_iponly_candidates(g->ipx, &p->src, &p->dst, p->ip_ver == 6, ctx->ipcand);
        for (unsigned k = 0; k < n; k++) {
            const struct cn_rule *r = g->ip[ctx->ipcand[k]];
            if (try_rule(ctx, r, p, has_ports)) {
                run_postmatch(ctx, r, p);
                queue_add(ctx, r);
            }
        }
    }
    const uint32_t *cand = NULL;
    unsigned ncand = g->n;
    const struct cn_prefilter *pf = g->pf[p->flow && !p->toserver];
    if (pf)
        ncand = cn_prefilter_run(pf, ctx->pf, p->payload, p->payload ? p->payload_len : 0,
                                 has_ports, p->sp, p->dp, &cand);
    for (unsigned k = 0; k < ncand; k++) {
        const struct cn_rule *r = g->v[cand ? cand[k] : k];
        if (try_rule(ctx, r, p, has_ports)) {
            run_postmatch(ctx, r, p);
            queue_add(ctx, r);
        }
    }
    if (ctx->nqueue == 0)
        return 0;
    return finalize(ctx, p);
}
