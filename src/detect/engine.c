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
#include <stdio.h>
#include <stdlib.h>

#include "detect/detect_int.h"
#include "detect/iponly.h"
#include "detect/prefilter.h"
#include "detect/profile.h"
#include "detect/transform.h"
#include "stream/stream.h" /* the chunk flags only: the worker passes the ACK position in */

extern const struct cn_keyword cn_kw_dsize;
extern const struct cn_keyword cn_kw_decode_event;

#define IPPROTO_ICMP_   1
#define IPPROTO_ICMPV6_ 58

/* Rules that can apply to packets of one IP protocol, in evaluation order, and their
 * prefilters, one per flow direction (index 0 for packets to the server and packets without a
 * flow, 1 for packets to the client; a rule whose flow keyword names the other direction is
 * left out). A group with rules on the TCP stream has two more pairs, so no byte is scanned
 * for rules that cannot use it: pf_pkt (the rules not on the stream) for packets whose payload
 * went into reassembly, pf_stream (the rules on the stream) for the reassembled data; pf (all)
 * is for packets that stayed out of reassembly. NULL when Hyperscan failed: every rule is then
 * tried. IP-only rules (addresses and nothing else) are kept apart: their verdict cannot
 * change within a flow direction, so, as in Suricata, they are tried on the first packet of
 * each direction only. */
enum { PF_ALL, PF_PKT, PF_STREAM, PF__N };
struct rule_group {
    const struct cn_rule **v;
    unsigned n;
    struct cn_prefilter *pf[PF__N][2];
    const struct cn_rule **ip;
    unsigned nip;
    struct cn_iponly *ipx; /* their address index; NULL: try each */
};

/* Built once per rule set and shared read-only by the workers. */
struct cn_rule_groups {
    /* groups[proto].v == NULL: no rule names that protocol, use any (the ip rules) */
    struct rule_group groups[256];
    struct rule_group any;
    bool any_stream;            /* some rule inspects the TCP stream: keep raw-stream buffers */
    struct cn_addr_pool *addrs; /* the rules' address arrays, one copy of each */
    /* rules for packets without IP that carry decoder events: decode-event rules of any
     * protocol and any address and port (Suricata's decoder-event group), in rule order */
    const struct cn_rule **nonip;
    unsigned nnonip;
};

/* Size classes of cached raw-stream buffers: 256 bytes to 64 KiB (see raw_buf_free()). */
#define RAW_CACHE_CLASSES 9

struct cn_detect_ctx {
    const struct cn_ruleset *rs;
    struct cn_stats *stats;
    struct cn_stats own_stats;      /* when the caller gives none */
    const struct cn_rule_groups *g; /* rs->groups */
    struct cn_prefilter_scratch *pf;
    uint32_t *ipcand;             /* IP-only candidates of the packet; room for the largest group */
    struct cn_rule_profile *prof; /* rule profiling: NULL when off */
    bool stream_mode;             /* inspecting reassembled stream data, not a packet */
    bool raw_budget_logged;
    uint64_t raw_bytes; /* bytes waiting in this worker's raw-stream buffers */
    /* free raw-stream buffers by size class (RAW_MIN << k), linked through their first bytes */
    uint8_t *raw_cache[RAW_CACHE_CLASSES];
    unsigned raw_cache_n[RAW_CACHE_CLASSES];
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

/* Addresses and protocol only: no sigmatch in any list, any ports, no application protocol. */
static bool rule_addresses_only(const struct cn_rule *r)
{
    if (r->app_proto || !r->sp.any || !r->dp.any)
        return false;
    for (unsigned l = 0; l < r->nlists && l < CN_LIST__MAX; l++)
        if (r->lists[l].n)
            return false;
    return true;
}

/* IP-only rules: addresses only. Post-match actions are allowed (ET's reputation rules set
 * flowbits): IP-only rules are tried before the others, so what they set is seen by the
 * checkers of the same packet, as the setters-first order wants. Pass rules stay with the
 * others: they are ordered first among them, and such a pass passes the whole flow anyway. */
static bool rule_is_iponly(const struct cn_rule *r)
{
    return r->action != CN_ACTION_PASS && rule_addresses_only(r);
}

/* A rule that can judge a packet without an IP header: any protocol, addresses and ports,
 * and a decode-event check (Suricata gives such packets only these rules). */
static bool rule_for_non_ip(const struct cn_rule *r)
{
    if (!r->proto_any || r->app_proto || !r->src.any || !r->dst.any || !r->sp.any || !r->dp.any)
        return false;
    const struct cn_smlist *pl = &r->lists[CN_LIST_PACKET];
    bool event = false;
    for (unsigned i = 0; i < pl->n; i++)
        event |= pl->v[i].kw == &cn_kw_decode_event;
    return event && !(r->flags & CN_RULE_HAS_PAYLOAD);
}

/* Checked only on the packets that complete protocol detection (kw/app_layer_protocol.c). */
static bool rule_is_pd_only(const struct cn_rule *r)
{
    extern const struct cn_keyword cn_kw_app_layer_protocol;
    if ((r->flags & CN_RULE_HAS_PAYLOAD) || r->app_proto)
        return false;
    const struct cn_smlist *pl = &r->lists[CN_LIST_PACKET];
    for (unsigned i = 0; i < pl->n; i++)
        if (pl->v[i].kw == &cn_kw_app_layer_protocol)
            return true;
    return false;
}

/* Suricata applies a pass to the flow when the rule is IP-only, protocol-detection only or
 * for an application protocol, or when it matched the stream (FlowApplySignatureActions). */
static bool pass_scope_is_flow(const struct cn_rule *r)
{
    return r->action == CN_ACTION_PASS &&
           (rule_addresses_only(r) || r->app_proto || rule_is_pd_only(r));
}

static bool in_group(const struct cn_rule *r, int proto)
{
    return proto < 0 ? r->proto_any : rule_in_proto(r, (unsigned)proto);
}

static bool in_prefilter(const struct cn_rule *r, int kind)
{
    bool on_stream = r->flags & CN_RULE_ON_STREAM;
    return kind == PF_ALL || (kind == PF_STREAM) == on_stream;
}

static void prefilters_free(struct rule_group *g)
{
    for (unsigned k = 0; k < PF__N; k++)
        for (unsigned d = 0; d < 2; d++) {
            cn_prefilter_free(g->pf[k][d]);
            g->pf[k][d] = NULL;
        }
}

static void prefilter_report(const struct rule_group *g, int proto, unsigned d, unsigned n)
{
    const struct cn_prefilter *pf = g->pf[PF_ALL][d];
    if (g->n + g->nip)
        cn_info("rules for %s %d, %s: %u, %u IP-only, %u with one of %u fast patterns, "
                "%u filed by port, %u tried on every packet",
                proto < 0 ? "any protocol" : "IP protocol", proto < 0 ? 0 : proto,
                d == 0 ? "to server" : "to client", n + g->nip, g->nip,
                n - cn_prefilter_always(pf) - cn_prefilter_ported(pf), cn_prefilter_patterns(pf),
                cn_prefilter_ported(pf), cn_prefilter_always(pf));
}

static int prefilters_build(struct rule_group *g, int proto)
{
    uint32_t *idx = cn_calloc(g->n ? g->n : 1, sizeof(*idx));
    if (!idx)
        return -CN_ENOMEM;
    bool split = false; /* only TCP has a stream */
    for (unsigned i = 0; proto == 6 && i < g->n; i++)
        split |= (g->v[i]->flags & CN_RULE_ON_STREAM) != 0;
    for (int kind = PF_ALL; kind < (split ? PF__N : PF_PKT); kind++) {
        for (unsigned d = 0; d < 2; d++) {
            unsigned other = d == 0 ? CN_FLOW_DIR_TOCLIENT : CN_FLOW_DIR_TOSERVER, n = 0;
            for (unsigned i = 0; i < g->n; i++)
                if (cn_kw_flow_direction(g->v[i]) != other && in_prefilter(g->v[i], kind))
                    idx[n++] = i;
            char err[256];
            g->pf[kind][d] = cn_prefilter_build(g->v, idx, n, err, sizeof(err));
            if (!g->pf[kind][d]) { /* still correct without them, only slower */
                cn_warn("rule prefilter for IP protocol %d: %s; every rule is tried", proto, err);
                prefilters_free(g);
                cn_free(idx);
                return 0;
            }
            if (kind == PF_ALL)
                prefilter_report(g, proto, d, n);
        }
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

/* Does r inspect the reassembled TCP stream? tcp rules (not tcp-pkt) and rules of an
 * application protocol that runs over TCP, with payload keywords, unless dsize,
 * flow:no_stream or a packet header buffer ties them to packets (Suricata's
 * SIG_FLAG_REQUIRE_STREAM). On UDP packets such a rule still inspects the packet. */
static bool rule_on_stream(const struct cn_rule *r)
{
    bool tcp = r->proto_any ? r->app_proto != 0 : r->proto == 6; /* "dns": TCP and UDP */
    if (!tcp || (r->flags & CN_RULE_PKT_ONLY) || cn_kw_flow_stream(r) < 0)
        return false;
    if (r->nlists <= CN_LIST_PAYLOAD || r->lists[CN_LIST_PAYLOAD].n == 0)
        return false;
    for (unsigned l = CN_LIST__BUILTIN; l < r->nlists && l < CN_LIST__MAX; l++)
        if (r->lists[l].n)
            return false; /* a packet header buffer (tcp.hdr, ...) ties it to packets */
    const struct cn_smlist *pl = &r->lists[CN_LIST_PACKET];
    for (unsigned i = 0; i < pl->n; i++)
        if (pl->v[i].kw == &cn_kw_dsize)
            return false;
    return true;
}

int cn_detect_groups_build(struct cn_ruleset *rs)
{
    struct cn_rule_groups *gs = cn_calloc(1, sizeof(*gs));
    if (!gs)
        return -CN_ENOMEM;
    rs->groups = gs;
    gs->addrs = cn_addr_pool_new(); /* without it the rules keep their own arrays */
    for (unsigned i = 0; i < rs->n; i++) {
        cn_addr_pool_share(gs->addrs, &rs->rules[i]->src);
        cn_addr_pool_share(gs->addrs, &rs->rules[i]->dst);
    }
    for (unsigned i = 0; i < rs->n; i++)
        if (pass_scope_is_flow(rs->rules[i]))
            rs->rules[i]->flags |= CN_RULE_PASS_FLOW;
    for (unsigned i = 0; i < rs->n; i++)
        if (rule_on_stream(rs->rules[i])) {
            rs->rules[i]->flags |= CN_RULE_ON_STREAM;
            if (cn_kw_flow_stream(rs->rules[i]) > 0) /* flow:only_stream: as tcp-stream */
                rs->rules[i]->flags |= CN_RULE_STREAM_ONLY;
            gs->any_stream = true;
        }
    gs->nonip = cn_calloc(rs->n ? rs->n : 1, sizeof(*gs->nonip));
    if (!gs->nonip)
        return -CN_ENOMEM;
    for (unsigned i = 0; i < rs->n; i++)
        if (rule_for_non_ip(rs->rules[i]))
            gs->nonip[gs->nnonip++] = rs->rules[i];
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
    prefilters_free(g);
}

void cn_detect_groups_free(struct cn_rule_groups *gs)
{
    if (!gs)
        return;
    for (unsigned p = 0; p < 256; p++)
        group_free(&gs->groups[p]);
    group_free(&gs->any);
    cn_addr_pool_free(gs->addrs);
    cn_free(gs->nonip);
    cn_free(gs);
}

static int scratch_fit(struct cn_prefilter_scratch *s, const struct rule_group *g)
{
    for (unsigned k = 0; k < PF__N; k++)
        for (unsigned d = 0; d < 2; d++)
            if (g->pf[k][d] && cn_prefilter_scratch_fit(s, g->pf[k][d]) < 0)
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

static void raw_cache_free(struct cn_detect_ctx *ctx);

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
    raw_cache_free(ctx);
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
    if (r->app_proto && (!p->flow || !cn_alproto_covers(r->app_proto, p->flow->app_proto)))
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
        .stream = ctx->stream_mode,
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
        if (l >= CN_LIST__MAX || l == CN_LIST_BASE64) /* base64_decode runs that one */
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
    ctx->queue[ctx->nqueue].stream = ctx->stream_mode;
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

/* From now on the flow's packets and stream are not inspected; what waits is dropped. */
static void pass_flow(struct cn_detect_ctx *ctx, struct cn_flow *f)
{
    if (f->passed)
        return;
    cn_detect_stream_release(ctx, f);
    f->passed = true; /* on the flow itself: checked for every packet, f->detect may be cold */
}

bool cn_detect_flow_passed(const struct cn_flow *f)
{
    return f->passed;
}

static unsigned finalize(struct cn_detect_ctx *ctx, struct cn_packet *p)
{
    sort_queue(ctx->queue, ctx->nqueue);
    unsigned n = 0;
    uint64_t suppressed = 0, overflow = 0;
    for (unsigned i = 0; i < ctx->nqueue; i++) {
        struct cn_alert *a = &ctx->queue[i];
        if (a->action == CN_ACTION_PASS) {
            /* pass: no alert, and none from the rules ordered after it */
            if (p->flow && (a->stream || (a->rule->flags & CN_RULE_PASS_FLOW)))
                pass_flow(ctx, p->flow);
            break;
        }
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
        cn_tag_flow_add(a->rule, p);
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

/* A rule that inspects the TCP stream looks at a packet's payload only when the payload did
 * not go into reassembly (no session, midstream off, ...); on stream data, only such rules
 * are tried (Suricata's SIG_FLAG_REQUIRE_STREAM and PKT_STREAM_ADD). */
static bool wrong_source(const struct cn_detect_ctx *ctx, const struct cn_rule *r,
                         const struct cn_packet *p)
{
    bool on_stream = r->flags & CN_RULE_ON_STREAM;
    if (ctx->stream_mode)
        return !on_stream;
    return on_stream && ((r->flags & CN_RULE_STREAM_ONLY) || (p->flags & CN_PKT_STREAM_ADD));
}

/* rule_match(), counted and timed for the rule profile when one is attached. */
static bool try_rule(struct cn_detect_ctx *ctx, const struct cn_rule *r, struct cn_packet *p,
                     bool has_ports)
{
    if (wrong_source(ctx, r, p))
        return false;
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

/* A packet without IP (a broken or unknown layer below it, ARP): only its decoder events can
 * be judged, by the rules made for that (pkthdr/ip rules with decode-event and nothing else
 * that needs IP). */
static unsigned detect_non_ip(struct cn_detect_ctx *ctx, struct cn_packet *p)
{
    if (p->events_n == 0 || ctx->g->nnonip == 0)
        return 0;
    ctx->nqueue = 0;
    for (unsigned k = 0; k < ctx->g->nnonip; k++) {
        const struct cn_rule *r = ctx->g->nonip[k];
        if (try_rule(ctx, r, p, false)) {
            run_postmatch(ctx, r, p);
            queue_add(ctx, r);
        }
    }
    return ctx->nqueue ? finalize(ctx, p) : 0;
}

unsigned cn_detect_packet(struct cn_detect_ctx *ctx, struct cn_packet *p,
                          const struct cn_alert **alerts)
{
    *alerts = ctx->alerts;
    if (!ctx->g)
        return 0;
    if (p->ip_ver != 4 && p->ip_ver != 6)
        return detect_non_ip(ctx, p);
    if (p->flow && cn_detect_flow_passed(p->flow))
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
    unsigned d = p->flow && !p->toserver;
    const struct cn_prefilter *pf = g->pf[PF_ALL][d];
    if ((p->flags & CN_PKT_STREAM_ADD) && g->pf[PF_PKT][d])
        pf = g->pf[PF_PKT][d]; /* the stream rules see this payload in the stream */
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

/* ---- raw-stream inspection ---- */

/* A direction waits with at most RAW_MAX bytes before it is inspected unacknowledged (a
 * per-flow rule, so results do not depend on the number of workers). RAW_BUDGET bounds what
 * one worker holds over all its flows; reaching it inspects early, which makes windows, and
 * so possibly alerts, depend on the other flows of the worker: it is a memory guard, logged
 * once, not meant to be reached. Buffers are sized to what they hold (a power of two from
 * RAW_MIN): thousands of flows may each wait with a few bytes. */
#define RAW_MAX         (64u << 10)
#define RAW_BUDGET      (128u << 20)
#define RAW_MIN         256u
#define RAW_CACHE_DEPTH 64u

static struct cn_raw *raw_of(struct cn_flow *f, bool toserver, bool create)
{
    struct cn_flow_detect *fd = create ? cn_flow_detect_get(f) : f->detect;
    return fd ? &fd->raw[toserver ? 0 : 1] : NULL;
}

/* Buffers come and go with every inspection window (an idle direction gives its buffer
 * back), so the worker keeps a few of each size class, RAW_MIN << k, on free lists instead of
 * going through malloc and free each time (about 4% of an ET Open run). The link is stored in
 * the free buffer itself; each list holds at most RAW_CACHE_DEPTH buffers. */
static unsigned raw_class(uint32_t cap)
{
    unsigned k = 0;
    while ((RAW_MIN << k) < cap)
        k++;
    return k;
}

static void raw_buf_free(struct cn_detect_ctx *ctx, uint8_t *buf, uint32_t cap)
{
    unsigned k = raw_class(cap);
    if (!ctx || k >= RAW_CACHE_CLASSES || ctx->raw_cache_n[k] >= RAW_CACHE_DEPTH) {
        cn_free(buf);
        return;
    }
    memcpy(buf, &ctx->raw_cache[k], sizeof(void *));
    ctx->raw_cache[k] = buf;
    ctx->raw_cache_n[k]++;
}

static uint8_t *raw_buf_alloc(struct cn_detect_ctx *ctx, uint32_t cap)
{
    unsigned k = raw_class(cap);
    if (k < RAW_CACHE_CLASSES && ctx->raw_cache[k]) {
        uint8_t *b = ctx->raw_cache[k];
        memcpy(&ctx->raw_cache[k], b, sizeof(void *));
        ctx->raw_cache_n[k]--;
        return b;
    }
    return cn_malloc(cap);
}

static void raw_cache_free(struct cn_detect_ctx *ctx)
{
    for (unsigned k = 0; k < RAW_CACHE_CLASSES; k++)
        while (ctx->raw_cache[k]) {
            uint8_t *b = ctx->raw_cache[k];
            memcpy(&ctx->raw_cache[k], b, sizeof(void *));
            cn_free(b);
        }
}

static void raw_buf_put(struct cn_detect_ctx *ctx, struct cn_raw *r)
{
    if (r->buf)
        raw_buf_free(ctx, r->buf, r->cap);
    r->buf = NULL;
    r->cap = r->len = r->ctx_len = 0;
}

static bool raw_reserve(struct cn_detect_ctx *ctx, struct cn_raw *r, uint32_t need)
{
    if (need <= r->cap)
        return true;
    uint32_t cap = CN_MAX(r->cap, RAW_MIN);
    while (cap < need)
        cap *= 2;
    uint8_t *nb = raw_buf_alloc(ctx, cap);
    if (!nb)
        return false;
    if (r->buf) {
        memcpy(nb, r->buf, r->len);
        raw_buf_free(ctx, r->buf, r->cap);
    }
    r->buf = nb;
    r->cap = cap;
    return true;
}

/* Drops what the last inspection consumed except its last CN_RAW_TAIL bytes, which stay in
 * front of the next window (ctx_len) so a content split between two windows still matches.
 * An idle direction keeps only that tail, inline, and gives its buffer back. */
static void raw_compact(struct cn_detect_ctx *ctx, struct cn_raw *r)
{
    if (!r->consumed)
        return;
    uint32_t keep = CN_MIN(r->consumed, (uint32_t)CN_RAW_TAIL);
    uint32_t from = r->consumed - keep;
    ctx->raw_bytes -= r->consumed - r->ctx_len;
    r->consumed = 0;
    if (r->len == from + keep) { /* nothing pending: keep the tail inline */
        memcpy(r->tail, r->buf + from, keep);
        r->tail_len = (uint8_t)keep;
        r->markers = false;
        raw_buf_put(ctx, r);
        return;
    }
    memmove(r->buf, r->buf + from, r->len - from);
    r->len -= from;
    r->ctx_len = keep;
}

static bool raw_append(struct cn_detect_ctx *ctx, struct cn_raw *r, const uint8_t *b, uint32_t n)
{
    uint32_t lead = r->buf ? 0 : r->tail_len; /* a fresh buffer starts with the saved tail */
    if (!raw_reserve(ctx, r, r->len + lead + n))
        return false;
    if (lead) {
        memcpy(r->buf, r->tail, lead);
        r->len = r->ctx_len = lead;
        r->tail_len = 0;
    }
    memcpy(r->buf + r->len, b, n);
    r->len += n;
    ctx->raw_bytes += n;
    return true;
}

/* What a stream alert is logged with: the packet that triggered the inspection when it goes
 * the same way, else a packet made from the flow (a pseudo packet at flow end); its payload
 * is the inspected data. */
static void stream_view(struct cn_packet *v, struct cn_flow *f, bool toserver,
                        const struct cn_packet *p, const uint8_t *data, uint32_t len)
{
    if (p && p->toserver == toserver) {
        *v = *p;
    } else {
        memset(v, 0, sizeof(*v));
        v->ip_ver = f->ip_ver;
        v->proto = 6;
        v->flags =
            CN_PKT_TCP | (f->ip_ver == 6 ? CN_PKT_IPV6 : CN_PKT_IPV4) | (p ? 0 : CN_PKT_PSEUDO);
        v->src = toserver ? f->src : f->dst;
        v->dst = toserver ? f->dst : f->src;
        v->sp = toserver ? f->sp : f->dp;
        v->dp = toserver ? f->dp : f->sp;
        v->ts = p ? p->ts : f->last;
        v->pcap_cnt = p ? p->pcap_cnt : 0;
        v->linktype = -1;
    }
    /* a flow that got past its handshake counts as established for the data it carried, as
     * Suricata's flow-end pseudo packets do */
    if (f->state != CN_FLOW_NEW)
        v->flags |= CN_PKT_FLOW_ESTABLISHED;
    v->flow = f;
    v->toserver = toserver;
    v->payload = data;
    v->payload_len = len;
}

/* Did rule r already match within the context bytes alone? Then the previous window, which
 * held them, saw that occurrence: not a new alert. */
static bool seen_in_context(struct cn_detect_ctx *ctx, const struct cn_rule *r, struct cn_packet *v,
                            uint32_t ctx_len)
{
    if (ctx_len == 0)
        return false;
    uint32_t full = v->payload_len;
    v->payload_len = ctx_len;
    bool m = rule_match(ctx, r, v, true);
    v->payload_len = full;
    return m;
}

/* Inspects the context and the first n pending bytes of r with the stream rules; alerts are
 * for view *v. */
static unsigned raw_inspect(struct cn_detect_ctx *ctx, struct cn_raw *r, struct cn_flow *f,
                            bool toserver, const struct cn_packet *p, uint32_t n,
                            struct cn_packet *v, const struct cn_alert **alerts)
{
    *alerts = ctx->alerts;
    uint32_t win = r->ctx_len + n;
    stream_view(v, f, toserver, p, r->buf, win);
    r->consumed = win;
    const struct rule_group *g = &ctx->g->groups[6];
    if (!g->v || g->n == 0)
        return 0;
    ctx->stream_mode = true;
    ctx->nqueue = 0;
    cn_transform_scratch_next(ctx->xform);
    const uint32_t *cand = NULL;
    unsigned ncand = g->n;
    const struct cn_prefilter *pf =
        g->pf[PF_STREAM][!toserver] ? g->pf[PF_STREAM][!toserver] : g->pf[PF_ALL][!toserver];
    if (pf)
        ncand = cn_prefilter_run(pf, ctx->pf, r->buf, win, true, v->sp, v->dp, &cand);
    for (unsigned k = 0; k < ncand; k++) {
        const struct cn_rule *rule = g->v[cand ? cand[k] : k];
        if (try_rule(ctx, rule, v, true) && !seen_in_context(ctx, rule, v, r->ctx_len)) {
            run_postmatch(ctx, rule, v);
            queue_add(ctx, rule);
        }
    }
    ctx->stream_mode = false;
    return ctx->nqueue ? finalize(ctx, v) : 0;
}

static uint32_t raw_pending(const struct cn_raw *r)
{
    return r->len - r->ctx_len;
}

unsigned cn_detect_stream_data(struct cn_detect_ctx *ctx, struct cn_flow *f, struct cn_packet *p,
                               bool toserver, const uint8_t *data, uint32_t len, uint64_t offset,
                               uint32_t flags, struct cn_packet *view,
                               const struct cn_alert **alerts)
{
    *alerts = ctx->alerts;
    bool gap = flags & CN_STREAM_GAP;
    if (!ctx->g || !ctx->g->any_stream || len == 0 || (!gap && !data) || cn_detect_flow_passed(f))
        return 0;
    struct cn_raw *r = raw_of(f, toserver, true);
    if (!r)
        return 0;
    raw_compact(ctx, r);
    if (raw_pending(r) == 0)
        r->start = r->end = offset;
    if (gap) {
        /* the gap shows in logged payloads, and no content can match across it */
        char mark[48];
        int m = snprintf(mark, sizeof(mark), "[%u bytes missing]", len);
        if (raw_append(ctx, r, (const uint8_t *)mark, (uint32_t)m))
            r->markers = true;
    } else if (!raw_append(ctx, r, data, len)) {
        return 0;
    }
    r->end = offset + len;
    /* bounded: a direction that is not acknowledged is inspected as it is */
    if (ctx->raw_bytes >= RAW_BUDGET && !ctx->raw_budget_logged) {
        ctx->raw_budget_logged = true;
        cn_warn("raw-stream inspection: %u MiB waiting for acknowledgements in one worker; "
                "inspecting early from now on",
                RAW_BUDGET >> 20);
    }
    if (raw_pending(r) >= RAW_MAX || ctx->raw_bytes >= RAW_BUDGET) {
        r->start = r->end;
        return raw_inspect(ctx, r, f, toserver, p, raw_pending(r), view, alerts);
    }
    return 0;
}

unsigned cn_detect_stream(struct cn_detect_ctx *ctx, struct cn_packet *p, bool toserver,
                          uint64_t acked, struct cn_packet *view, const struct cn_alert **alerts)
{
    *alerts = ctx->alerts;
    if (!ctx->g || !ctx->g->any_stream || !p->flow || !(p->flags & CN_PKT_TCP) ||
        cn_detect_flow_passed(p->flow))
        return 0;
    struct cn_raw *r = raw_of(p->flow, toserver, false);
    if (!r)
        return 0;
    raw_compact(ctx, r);
    uint32_t pending = raw_pending(r);
    /* as Suricata in IDS mode: what the peer has acknowledged */
    if (pending == 0 || acked <= r->start)
        return 0;
    uint32_t n = pending;
    if (acked < r->end) {
        if (r->markers)
            return 0; /* offsets past a gap marker are not byte positions: wait for all */
        n = (uint32_t)(acked - r->start);
    }
    r->start = n == pending ? r->end : r->start + n;
    return raw_inspect(ctx, r, p->flow, toserver, p, n, view, alerts);
}

unsigned cn_detect_stream_flush(struct cn_detect_ctx *ctx, struct cn_flow *f, bool toserver,
                                struct cn_packet *view, const struct cn_alert **alerts)
{
    *alerts = ctx->alerts;
    if (!ctx->g || !f->detect || cn_detect_flow_passed(f))
        return 0;
    struct cn_raw *r = raw_of(f, toserver, false);
    raw_compact(ctx, r);
    if (raw_pending(r) == 0)
        return 0;
    r->start = r->end;
    return raw_inspect(ctx, r, f, toserver, NULL, raw_pending(r), view, alerts);
}

void cn_detect_stream_release(struct cn_detect_ctx *ctx, struct cn_flow *f)
{
    if (!ctx || !f->detect)
        return;
    for (int d = 0; d < 2; d++) {
        struct cn_raw *r = &((struct cn_flow_detect *)f->detect)->raw[d];
        ctx->raw_bytes -= raw_pending(r); /* consumed or not, pending bytes are counted */
        raw_buf_put(ctx, r);
        r->consumed = 0;
    }
}
