/* session: the TCP state machine, after Suricata's stream engine (RFC 9293 section 3.5 for the
 * handshake and the close, RFC 7323 for window scaling and timestamps/PAWS).
 *
 * A session is created by a SYN (SYN_SENT), by a SYN/ACK when midstream or one-sided pickups
 * are allowed (the flow is swapped so that the SYN/ACK's receiver becomes the client), or by
 * any ACK packet when midstream pickups are allowed (ESTABLISHED at once). Without those
 * options a session that was not seen starting is not tracked and yields no data.
 *
 * The close follows Suricata's naming: a client FIN moves ESTABLISHED to CLOSE_WAIT and the
 * server's FIN then to LAST_ACK; a server FIN moves ESTABLISHED to FIN_WAIT1, its ACK to
 * FIN_WAIT2, the client's FIN to TIME_WAIT (or CLOSING when neither FIN is acknowledged yet);
 * the last ACK closes. A valid RST (sequence number in the window) closes at once. The flow
 * is ESTABLISHED from the handshake's end and CLOSED from LAST_ACK, TIME_WAIT or CLOSED on,
 * as Suricata keeps it.
 *
 * Packets the engine rejects (bad checksum, PAWS, out of window, invalid ACK, spurious
 * retransmission) are marked CN_PKT_STREAM_NOEVAL and change nothing. */
#include "stream/stream_int.h"

void cn_stream_config_defaults(struct cn_stream_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->memcap = 64ull << 20;
    cfg->reassembly_memcap = 256ull << 20;
    cfg->depth = 1ull << 20;
    cfg->midstream = false;
    cfg->async_oneside = false;
    cfg->checksum_validation = true;
    cfg->max_synack_queue = 5;
    cfg->overlap_policy = CN_OVERLAP_BSD;
}

struct cn_stream_ctx *cn_stream_ctx_new(const struct cn_stream_config *cfg,
                                        const struct cn_stream_hooks *hooks, struct cn_stats *stats)
{
    struct cn_stream_ctx *ctx = cn_calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    if (cfg)
        ctx->cfg = *cfg;
    else
        cn_stream_config_defaults(&ctx->cfg);
    if (hooks)
        ctx->hooks = *hooks;
    ctx->stats = stats ? stats : &ctx->own_stats;
    ctx->ssn_mc.limit = ctx->cfg.memcap;
    ctx->ra_mc.limit = ctx->cfg.reassembly_memcap;
    ctx->retain_budget = STREAM_RETAIN_BUDGET;
    if (ctx->cfg.reassembly_memcap && ctx->cfg.reassembly_memcap / 8 < ctx->retain_budget)
        ctx->retain_budget = ctx->cfg.reassembly_memcap / 8;
    return ctx;
}

void cn_stream_ctx_free(struct cn_stream_ctx *ctx)
{
    if (!ctx)
        return;
    while (ctx->ssn_free) {
        struct cn_session *s = ctx->ssn_free;
        ctx->ssn_free = s->next_free;
        cn_free(s);
    }
    cn_stream_seg_pool_free(ctx);
    cn_free(ctx);
}

const struct cn_memcap *cn_stream_session_memcap(const struct cn_stream_ctx *ctx)
{
    return &ctx->ssn_mc;
}

const struct cn_memcap *cn_stream_reassembly_memcap(const struct cn_stream_ctx *ctx)
{
    return &ctx->ra_mc;
}

enum cn_tcp_state cn_stream_state(const struct cn_flow *f)
{
    const struct cn_session *ssn = f ? f->stream : NULL;
    return ssn ? (enum cn_tcp_state)ssn->state : CN_TCP_NONE;
}

uint64_t cn_stream_acked(const struct cn_flow *f, bool toserver)
{
    const struct cn_session *ssn = f ? f->stream : NULL;
    if (!ssn)
        return 0;
    if (ssn->flags & SSN_ASYNC)
        return UINT64_MAX; /* the peer's ACKs are never seen */
    const struct cn_dir *d = &ssn->d[toserver ? CLI : SRV];
    if (!(d->flags & DIR_SEEN) || seq_geq(d->last_ack, d->base))
        return d->offset;
    uint32_t behind = d->base - d->last_ack;
    return behind > d->offset ? 0 : d->offset - behind;
}

void cn_stream_summary(const struct cn_flow *f, bool toserver, bool *gap, unsigned *max_regions)
{
    const struct cn_session *ssn = f ? f->stream : NULL;
    const struct cn_dir *d = ssn ? &ssn->d[toserver ? CLI : SRV] : NULL;
    *gap = d && (d->flags & DIR_HAD_GAP);
    *max_regions = d && d->max_regions ? d->max_regions : 1;
}

/* Suricata's TcpSessionPacketSsnReuse: a SYN (a SYN/ACK too when midstream or one-sided
 * sessions are allowed) starts a new connection unless it repeats the session's own ISN, when
 * the flow has no session or its session is done (LAST_ACK and later, or none). */
bool cn_stream_reuse_wanted(const struct cn_stream_ctx *ctx, const struct cn_flow *f,
                            const struct cn_packet *p, bool toserver)
{
    uint8_t fl = p->tcp.flags;
    bool syn = (fl & (CN_TH_SYN | CN_TH_ACK | CN_TH_RST | CN_TH_FIN)) == CN_TH_SYN;
    bool synack = (fl & (CN_TH_SYN | CN_TH_ACK | CN_TH_RST | CN_TH_FIN)) == (CN_TH_SYN | CN_TH_ACK);
    if (!syn && !(synack && (ctx->cfg.midstream || ctx->cfg.async_oneside)))
        return false;
    const struct cn_session *ssn = f->stream;
    if (!ssn)
        return true;
    /* the side that opens (client SYN, server SYN/ACK) resending its ISN is a retransmission */
    if (syn ? toserver : !toserver) {
        if (p->tcp.seq == ssn->d[syn ? CLI : SRV].isn)
            return false;
    }
    return ssn->state >= CN_TCP_LAST_ACK || ssn->state == CN_TCP_NONE;
}

uint64_t cn_stream_bytes(const struct cn_flow *f, bool toserver)
{
    const struct cn_session *ssn = f ? f->stream : NULL;
    return ssn ? ssn->d[toserver ? CLI : SRV].bytes : 0;
}

/* ---- sessions ---- */

static struct cn_session *ssn_new(struct cn_stream_ctx *ctx)
{
    if (!cn_memcap_try(&ctx->ssn_mc, sizeof(struct cn_session))) {
        cn_stream_count(ctx, CN_STAT_TCP_SSN_MEMCAP_DROP);
        return NULL;
    }
    struct cn_session *s = ctx->ssn_free;
    if (s) {
        ctx->ssn_free = s->next_free;
        ctx->ssn_free_n--;
        cn_stream_count(ctx, CN_STAT_TCP_SSN_FROM_CACHE);
    } else {
        s = cn_malloc(sizeof(*s));
        if (!s) {
            cn_memcap_release(&ctx->ssn_mc, sizeof(struct cn_session));
            cn_stream_count(ctx, CN_STAT_TCP_SSN_MEMCAP_DROP);
            return NULL;
        }
        cn_stream_count(ctx, CN_STAT_TCP_SSN_FROM_POOL);
    }
    memset(s, 0, sizeof(*s));
    ctx->active++;
    cn_stream_count(ctx, CN_STAT_TCP_SESSIONS);
    return s;
}

static void ssn_free(struct cn_stream_ctx *ctx, struct cn_session *s)
{
    cn_stream_ra_free(ctx, &s->d[CLI]);
    cn_stream_ra_free(ctx, &s->d[SRV]);
    cn_memcap_release(&ctx->ssn_mc, sizeof(struct cn_session));
    ctx->active--;
    if (ctx->ssn_free_n < STREAM_SSN_CACHE) {
        s->next_free = ctx->ssn_free;
        ctx->ssn_free = s;
        ctx->ssn_free_n++;
        return;
    }
    cn_free(s);
}

static void dir_init(struct cn_dir *d, uint32_t isn)
{
    d->isn = isn;
    d->next_seq = isn + 1;
    d->base = isn + 1;
    d->last_ack = isn + 1;
    d->next_win = isn + 1;
    d->flags |= DIR_SEEN;
}

static void dir_syn_opts(struct cn_dir *d, const struct cn_packet *p)
{
    if (p->tcp.has_wscale) {
        d->flags |= DIR_WSCALE;
        d->wscale = CN_MIN(p->tcp.wscale, 14); /* RFC 7323 section 2.3 */
    }
    if (p->tcp.has_ts) {
        d->flags |= DIR_TS;
        d->ts_last = p->tcp.ts_val;
        d->ts_time = p->ts;
    }
    /* RFC 7323 section 2.2: the window of a SYN is never scaled */
    d->window = p->tcp.win;
    d->flags |= DIR_WIN_KNOWN;
}

/* Both SYNs seen: options apply only when both sides offered them. */
static void negotiate(struct cn_session *ssn)
{
    if ((ssn->d[CLI].flags & ssn->d[SRV].flags & DIR_WSCALE)) {
        ssn->flags |= SSN_WSCALE;
    } else {
        ssn->d[CLI].wscale = 0;
        ssn->d[SRV].wscale = 0;
    }
    if (ssn->d[CLI].flags & ssn->d[SRV].flags & DIR_TS)
        ssn->flags |= SSN_TIMESTAMP;
}

static void set_state(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                      struct cn_session *ssn, enum cn_tcp_state st)
{
    (void)ctx;
    ssn->state = (uint8_t)st;
    if (!ft)
        return;
    enum cn_flow_state want;
    switch (st) {
    case CN_TCP_ESTABLISHED:
    case CN_TCP_FIN_WAIT1:
    case CN_TCP_FIN_WAIT2:
    case CN_TCP_CLOSING:
    case CN_TCP_CLOSE_WAIT:
        want = CN_FLOW_ESTABLISHED;
        break;
    case CN_TCP_LAST_ACK:
    case CN_TCP_TIME_WAIT:
    case CN_TCP_CLOSED:
        want = CN_FLOW_CLOSED;
        break;
    default:
        return;
    }
    if (f->state != want)
        cn_flow_set_state(ft, f, want);
}

static void noeval(struct cn_packet *p)
{
    p->flags |= CN_PKT_STREAM_NOEVAL;
}

static void close_all(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                      struct cn_session *ssn, struct cn_packet *p)
{
    set_state(ctx, ft, f, ssn, CN_TCP_CLOSED);
    cn_stream_ra_finish(ctx, f, ssn, CLI, p);
    cn_stream_ra_finish(ctx, f, ssn, SRV, p);
}

/* An ACK number the peer cannot have reached: beyond anything its window ever allowed. */
static bool ack_impossible(const struct cn_session *ssn, const struct cn_dir *r, uint32_t ack)
{
    if (ssn->flags & (SSN_ASYNC | SSN_MIDSTREAM))
        return false;
    return seq_gt(ack, r->next_win + 1) && seq_gt(ack, r->next_seq + 1);
}

static void state_none(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                       struct cn_packet *p);
static void established(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                        struct cn_session *ssn, struct cn_packet *p);

/* A new connection on the flow's ports after the old one closed: the old session ends and
 * the packet starts a new one. */
static void reuse(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                  struct cn_session *ssn, struct cn_packet *p)
{
    cn_stream_ra_finish(ctx, f, ssn, CLI, NULL);
    cn_stream_ra_finish(ctx, f, ssn, SRV, NULL);
    ssn_free(ctx, ssn);
    f->stream = NULL;
    state_none(ctx, ft, f, p);
}

static bool paws_ok(const struct cn_stream_ctx *ctx, const struct cn_session *ssn,
                    const struct cn_dir *s, const struct cn_packet *p);

/* ---- RST (RFC 9293 section 3.10.7.4; Suricata's per-policy validation) ---- */

static void handle_rst(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                       struct cn_session *ssn, struct cn_packet *p, int si)
{
    struct cn_dir *s = &ssn->d[si], *r = &ssn->d[!si];
    uint32_t seq = p->tcp.seq;
    if (!paws_ok(ctx, ssn, s, p)) { /* a RST must pass the timestamp check as well */
        STREAM_EV(ctx, p, PKT_INVALID_TIMESTAMP);
        noeval(p);
        return;
    }
    if ((p->tcp.flags & CN_TH_ACK) && ack_impossible(ssn, r, p->tcp.ack)) {
        STREAM_EV(ctx, p, RST_INVALID_ACK);
        noeval(p);
        return;
    }
    /* Linux and Solaris accept a RST anywhere in the receive window; the others (BSD,
     * Windows) want it at the expected sequence number. Here "expected" is anything from the
     * last acknowledged byte to the right edge seen, since the capture may miss segments. */
    uint32_t right = s->next_seq;
    if (ctx->cfg.overlap_policy == CN_OVERLAP_LINUX ||
        ctx->cfg.overlap_policy == CN_OVERLAP_SOLARIS)
        right += r->window ? r->window : 1;
    bool valid = seq == s->next_seq || (seq_geq(seq, s->last_ack) && seq_leq(seq, right)) ||
                 (ssn->flags & SSN_ASYNC);
    if (!valid) {
        noeval(p);
        return;
    }
    close_all(ctx, ft, f, ssn, p);
}

/* ---- timestamps: PAWS, RFC 7323 section 5 ---- */

static bool paws_ok(const struct cn_stream_ctx *ctx, const struct cn_session *ssn,
                    const struct cn_dir *s, const struct cn_packet *p)
{
    if (!(ssn->flags & SSN_TIMESTAMP) || !p->tcp.has_ts)
        return true;
    if (!(s->flags & DIR_TS))
        return true;
    /* a zero TSval in a session that negotiated timestamps: Windows and Solaris stacks send
     * it on some resets, other stacks never do, so it marks a forged packet (Suricata's
     * rule too) */
    if (p->tcp.ts_val == 0)
        return ctx->cfg.overlap_policy == CN_OVERLAP_WINDOWS ||
               ctx->cfg.overlap_policy == CN_OVERLAP_SOLARIS;
    if (p->ts > s->ts_time && p->ts - s->ts_time > STREAM_PAWS_IDLE)
        return true;
    return !seq_lt(p->tcp.ts_val, s->ts_last);
}

static void paws_update(struct cn_session *ssn, struct cn_dir *s, const struct cn_packet *p,
                        bool in_order)
{
    if (!p->tcp.has_ts)
        return;
    if (!(s->flags & DIR_TS)) {
        if (ssn->flags & SSN_MIDSTREAM) {
            ssn->flags |= SSN_TIMESTAMP;
            s->flags |= DIR_TS;
            s->ts_last = p->tcp.ts_val;
            s->ts_time = p->ts;
        }
        return;
    }
    /* TS.Recent moves only with segments at the left edge, so reordered segments carrying
     * older values are not rejected (section 4.3) */
    if (in_order && seq_geq(p->tcp.ts_val, s->ts_last)) {
        s->ts_last = p->tcp.ts_val;
        s->ts_time = p->ts;
    }
}

/* ---- the close ---- */

static void close_update(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                         struct cn_session *ssn, struct cn_packet *p)
{
    const struct cn_dir *c = &ssn->d[CLI], *s = &ssn->d[SRV];
    bool cf = c->flags & DIR_FIN, sf = s->flags & DIR_FIN;
    bool cfa = c->flags & DIR_FIN_ACKED, sfa = s->flags & DIR_FIN_ACKED;
    enum cn_tcp_state st = (enum cn_tcp_state)ssn->state;
    if (ssn->flags & SSN_SERVER_FIN_FIRST) {
        if (!cf)
            st = sfa ? CN_TCP_FIN_WAIT2 : CN_TCP_FIN_WAIT1;
        else if (sfa && cfa)
            st = CN_TCP_CLOSED;
        else if (sfa || cfa)
            st = CN_TCP_TIME_WAIT;
        else
            st = CN_TCP_CLOSING;
    } else if (ssn->flags & SSN_CLIENT_FIN_FIRST) {
        if (!sf)
            st = CN_TCP_CLOSE_WAIT;
        else
            st = sfa ? CN_TCP_CLOSED : CN_TCP_LAST_ACK;
    }
    if (st == ssn->state)
        return;
    if (st == CN_TCP_CLOSED)
        close_all(ctx, ft, f, ssn, p);
    else
        set_state(ctx, ft, f, ssn, st);
}

/* ---- SYN and SYN/ACK after the handshake ---- */

static void syn_after_handshake(struct cn_stream_ctx *ctx, struct cn_flow_table *ft,
                                struct cn_flow *f, struct cn_session *ssn, struct cn_packet *p,
                                int si)
{
    uint32_t seq = p->tcp.seq;
    bool est = ssn->state == CN_TCP_ESTABLISHED;
    noeval(p);
    if (p->tcp.flags & CN_TH_ACK) {
        if (si == CLI) {
            STREAM_EV(ctx, p, EST_SYNACK_TOSERVER);
        } else if (seq != ssn->d[SRV].isn) {
            STREAM_EV(ctx, p, EST_SYNACK_RESEND_WITH_DIFF_SEQ);
        } else if (p->tcp.ack != ssn->synack_ack && !(ssn->flags & SSN_MIDSTREAM)) {
            STREAM_EV(ctx, p, EST_SYNACK_RESEND_WITH_DIFF_ACK);
        } else {
            STREAM_EV(ctx, p, EST_SYNACK_RESEND);
        }
        return;
    }
    if (si == SRV) {
        STREAM_EV(ctx, p, EST_SYN_TOCLIENT);
        return;
    }
    bool closed_flow = ssn->state == CN_TCP_TIME_WAIT || ssn->state == CN_TCP_LAST_ACK ||
                       ssn->state == CN_TCP_CLOSED;
    if (closed_flow && seq != ssn->d[CLI].isn) {
        p->flags &= ~CN_PKT_STREAM_NOEVAL;
        reuse(ctx, ft, f, ssn, p);
        return;
    }
    if (!est)
        STREAM_EV(ctx, p, SHUTDOWN_SYN_RESEND);
    else if (seq == ssn->d[CLI].isn)
        STREAM_EV(ctx, p, EST_SYN_RESEND);
    else
        STREAM_EV(ctx, p, EST_SYN_RESEND_DIFF_SEQ);
}

/* ---- ESTABLISHED and the closing states ---- */

static void established(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                        struct cn_session *ssn, struct cn_packet *p)
{
    int si = p->toserver ? CLI : SRV, ri = !si;
    struct cn_dir *s = &ssn->d[si], *r = &ssn->d[ri];
    uint8_t flags = p->tcp.flags;
    uint32_t seq = p->tcp.seq, ack = p->tcp.ack, len = p->payload_len;

    if (flags & CN_TH_SYN) {
        syn_after_handshake(ctx, ft, f, ssn, p, si);
        return;
    }
    if (flags & CN_TH_RST) {
        handle_rst(ctx, ft, f, ssn, p, si);
        return;
    }
    if (!paws_ok(ctx, ssn, s, p)) {
        STREAM_EV(ctx, p, PKT_INVALID_TIMESTAMP);
        noeval(p);
        return;
    }
    /* data the peer already acknowledged; a keep-alive (one byte before next_seq) is not */
    bool keepalive = len <= 1 && seq == s->next_seq - 1;
    if (len && !keepalive && seq_leq(seq + len, s->last_ack) && !(ssn->flags & SSN_ASYNC)) {
        STREAM_EV(ctx, p, PKT_SPURIOUS_RETRANSMISSION);
        noeval(p);
        return;
    }
    if ((flags & CN_TH_ACK) && (r->flags & DIR_SEEN) && ack_impossible(ssn, r, ack)) {
        STREAM_EV(ctx, p, PKT_INVALID_ACK);
        noeval(p);
        return;
    }
    if (len && ssn->state == CN_TCP_ESTABLISHED && !(ssn->flags & (SSN_MIDSTREAM | SSN_ASYNC)) &&
        (r->flags & DIR_WIN_KNOWN) && seq_gt(seq, s->next_win)) {
        STREAM_EV(ctx, p, EST_PACKET_OUT_OF_WINDOW);
        noeval(p);
        return;
    }

    s->window = (uint32_t)p->tcp.win << ((ssn->flags & SSN_WSCALE) ? s->wscale : 0);
    s->flags |= DIR_WIN_KNOWN;
    bool in_order = seq_leq(seq, s->next_seq);
    paws_update(ssn, s, p, in_order);

    uint32_t seqlen = len + ((flags & CN_TH_FIN) ? 1 : 0);
    if (ssn->state != CN_TCP_ESTABLISHED && seqlen && seq_leq(seq + seqlen, s->next_seq))
        STREAM_EV(ctx, p, PKT_RETRANSMISSION);

    if (len) {
        uint32_t plen = len;
        if (s->flags & DIR_FIN) {
            /* nothing exists past a FIN */
            if (seq_geq(seq, s->fin_seq))
                plen = 0;
            else if (seq_gt(seq + plen, s->fin_seq))
                plen = s->fin_seq - seq;
        }
        if (plen) {
            uint32_t end = seq + plen;
            if (seq_gt(end, s->next_seq)) {
                s->bytes += end - seq_max(seq, s->next_seq);
                s->next_seq = end;
            }
            cn_stream_ra_data(ctx, f, ssn, si, p, seq, p->payload, plen);
        }
    }
    if ((flags & CN_TH_FIN) && !(s->flags & DIR_FIN)) {
        s->flags |= DIR_FIN;
        s->fin_seq = seq + len;
        if (seq_gt(s->fin_seq + 1, s->next_seq))
            s->next_seq = s->fin_seq + 1;
        if (!(ssn->flags & (SSN_CLIENT_FIN_FIRST | SSN_SERVER_FIN_FIRST)))
            ssn->flags |= si == CLI ? SSN_CLIENT_FIN_FIRST : SSN_SERVER_FIN_FIRST;
    }
    cn_stream_ra_check_eof(ctx, f, ssn, si, p);

    if (flags & CN_TH_ACK) {
        if (seq_gt(ack, r->last_ack) && (r->flags & DIR_SEEN)) {
            r->last_ack = ack;
            if ((r->flags & DIR_FIN) && seq_gt(ack, r->fin_seq))
                r->flags |= DIR_FIN_ACKED;
            cn_stream_ra_ack(ctx, f, ssn, ri, p);
            cn_stream_ra_check_eof(ctx, f, ssn, ri, p);
        }
        r->next_win = seq_max(r->next_win, ack + s->window);
    }
    close_update(ctx, ft, f, ssn, p);
}

/* ---- the handshake ---- */

static void syn_sent(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                     struct cn_session *ssn, struct cn_packet *p)
{
    struct cn_dir *cli = &ssn->d[CLI], *srv = &ssn->d[SRV];
    uint8_t flags = p->tcp.flags;
    uint32_t seq = p->tcp.seq, ack = p->tcp.ack;

    if (!p->toserver) {
        /* A reply must echo the SYN's timestamp (a forged RST or SYN/ACK usually does not). */
        if ((cli->flags & DIR_TS) && p->tcp.has_ts && p->tcp.ts_ecr != cli->ts_last &&
            !((flags & CN_TH_RST) && p->tcp.ts_ecr == 0)) {
            STREAM_EV(ctx, p, PKT_INVALID_TIMESTAMP);
            noeval(p);
            return;
        }
        bool ack_ok = ack == cli->isn + 1 || ack == cli->next_seq;
        if (flags & CN_TH_RST) {
            if ((flags & CN_TH_ACK) && ack_ok) {
                close_all(ctx, ft, f, ssn, p);
            } else {
                if (flags & CN_TH_ACK)
                    STREAM_EV(ctx, p, RST_INVALID_ACK);
                noeval(p);
            }
            return;
        }
        if ((flags & (CN_TH_SYN | CN_TH_ACK)) == (CN_TH_SYN | CN_TH_ACK)) {
            if (!ack_ok) {
                STREAM_EV(ctx, p, 3WHS_SYNACK_WITH_WRONG_ACK);
                noeval(p);
                return;
            }
            dir_init(srv, seq);
            dir_syn_opts(srv, p);
            negotiate(ssn);
            cli->last_ack = ack;
            cli->next_win = ack + srv->window;
            cn_stream_ra_ack(ctx, f, ssn, CLI, p);
            ssn->synack_seq = seq;
            ssn->synack_ack = ack;
            ssn->synack_n = 1;
            set_state(ctx, ft, f, ssn, CN_TCP_SYN_RECV);
            return;
        }
        if (flags & CN_TH_SYN) {
            /* simultaneous open (RFC 9293 section 3.5, figure 7) */
            dir_init(srv, seq);
            dir_syn_opts(srv, p);
            negotiate(ssn);
            ssn->flags |= SSN_4WHS;
            set_state(ctx, ft, f, ssn, CN_TCP_SYN_RECV);
            return;
        }
        noeval(p);
        return;
    }

    if (flags & CN_TH_RST) {
        if (seq == cli->next_seq || seq == cli->isn + 1)
            close_all(ctx, ft, f, ssn, p);
        else
            noeval(p);
        return;
    }
    if ((flags & (CN_TH_SYN | CN_TH_ACK)) == (CN_TH_SYN | CN_TH_ACK)) {
        STREAM_EV(ctx, p, 3WHS_SYNACK_IN_WRONG_DIRECTION);
        noeval(p);
        return;
    }
    if (flags & CN_TH_SYN) {
        /* a retransmitted SYN; a new ISN replaces the old one while nothing was delivered */
        if (seq != cli->isn && cli->offset == 0 && !cli->ooo && !cli->ret) {
            uint16_t keep = cli->flags & (DIR_TS | DIR_WSCALE);
            memset(cli, 0, sizeof(*cli));
            dir_init(cli, seq);
            cli->flags |= keep;
            dir_syn_opts(cli, p);
        }
        return;
    }
    if ((flags & CN_TH_ACK) && ctx->cfg.async_oneside) {
        if (seq != cli->next_seq && seq != cli->isn + 1) {
            STREAM_EV(ctx, p, 3WHS_ASYNC_WRONG_SEQ);
            noeval(p);
            return;
        }
        /* one-sided: the server's packets take another path; its stream stays unknown */
        ssn->flags |= SSN_ASYNC;
        dir_init(srv, ack - 1);
        srv->flags &= (uint16_t)~DIR_SEEN;
        cli->wscale = 0;
        set_state(ctx, ft, f, ssn, CN_TCP_ESTABLISHED);
        established(ctx, ft, f, ssn, p);
        return;
    }
    noeval(p);
}

static void syn_recv(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                     struct cn_session *ssn, struct cn_packet *p)
{
    struct cn_dir *cli = &ssn->d[CLI], *srv = &ssn->d[SRV];
    uint8_t flags = p->tcp.flags;
    uint32_t seq = p->tcp.seq, ack = p->tcp.ack;
    const uint8_t synack = CN_TH_SYN | CN_TH_ACK;

    if (flags & CN_TH_RST) {
        handle_rst(ctx, ft, f, ssn, p, p->toserver ? CLI : SRV);
        return;
    }
    if (p->toserver) {
        if ((flags & synack) == synack) {
            if (!(ssn->flags & SSN_4WHS)) {
                STREAM_EV(ctx, p, 3WHS_SYNACK_TOSERVER_ON_SYN_RECV);
            } else if (ack != srv->isn + 1) {
                STREAM_EV(ctx, p, 4WHS_SYNACK_WITH_WRONG_ACK);
            } else if (seq != cli->isn) {
                STREAM_EV(ctx, p, 4WHS_SYNACK_WITH_WRONG_SYN);
            } else {
                srv->last_ack = ack;
                srv->next_win = ack + p->tcp.win;
                ssn->synack_seq = seq;
                ssn->synack_ack = ack;
                return;
            }
            noeval(p);
            return;
        }
        if (flags & CN_TH_SYN) {
            if (seq != cli->isn)
                STREAM_EV(ctx, p, 3WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV);
            noeval(p);
            return;
        }
        if (!(flags & CN_TH_ACK)) {
            noeval(p);
            return;
        }
        bool ack_ok = seq_gt(ack, srv->isn) && seq_leq(ack, srv->next_seq);
        bool seq_ok = seq_geq(seq, cli->last_ack) && seq_leq(seq, cli->next_seq);
        if (!ack_ok) {
            if (seq_ok)
                STREAM_EV(ctx, p, 3WHS_RIGHT_SEQ_WRONG_ACK_EVASION);
            else
                STREAM_EV(ctx, p, 3WHS_WRONG_SEQ_WRONG_ACK);
            noeval(p);
            return;
        }
        if (!seq_ok) {
            noeval(p);
            return;
        }
        set_state(ctx, ft, f, ssn, CN_TCP_ESTABLISHED);
        established(ctx, ft, f, ssn, p);
        return;
    }

    if ((flags & synack) == synack) {
        if (seq != ssn->synack_seq) {
            STREAM_EV(ctx, p, 3WHS_SYNACK_RESEND_WITH_DIFF_SEQ);
            if (++ssn->synack_n > ctx->cfg.max_synack_queue)
                STREAM_EV(ctx, p, 3WHS_SYNACK_FLOOD);
            noeval(p);
        } else if (ack != ssn->synack_ack) {
            STREAM_EV(ctx, p, 3WHS_SYNACK_RESEND_WITH_DIFF_ACK);
            noeval(p);
        }
        return;
    }
    if (flags & CN_TH_SYN) {
        STREAM_EV(ctx, p, 3WHS_SYN_TOCLIENT_ON_SYN_RECV);
        noeval(p);
        return;
    }
    if (!(flags & CN_TH_ACK)) {
        noeval(p);
        return;
    }
    if (ssn->flags & SSN_4WHS) {
        if (ack != cli->isn + 1 && ack != cli->next_seq) {
            STREAM_EV(ctx, p, 4WHS_INVALID_ACK);
            noeval(p);
            return;
        }
    } else if (!(ssn->flags & SSN_MIDSTREAM_SYNACK)) {
        /* the client's ACK was not seen; carry on if the server continues in sequence */
        STREAM_EV(ctx, p, 3WHS_ACK_IN_WRONG_DIR);
    }
    if (seq != srv->next_seq) {
        noeval(p);
        return;
    }
    set_state(ctx, ft, f, ssn, CN_TCP_ESTABLISHED);
    established(ctx, ft, f, ssn, p);
}

/* ---- no session yet ---- */

static void state_none(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                       struct cn_packet *p)
{
    uint8_t flags = p->tcp.flags;
    uint32_t seq = p->tcp.seq, ack = p->tcp.ack;
    const uint8_t synack = CN_TH_SYN | CN_TH_ACK;
    struct cn_session *ssn;

    if (flags & CN_TH_RST) {
        STREAM_EV(ctx, p, RST_BUT_NO_SESSION);
        noeval(p);
        return;
    }
    if ((flags & CN_TH_FIN) && !(flags & CN_TH_SYN)) {
        STREAM_EV(ctx, p, FIN_BUT_NO_SESSION);
        if (!ctx->cfg.midstream) {
            noeval(p);
            return;
        }
    }
    if ((flags & synack) == synack) {
        if (!ctx->cfg.midstream && !ctx->cfg.async_oneside) {
            noeval(p);
            return;
        }
        if (!(ssn = ssn_new(ctx)))
            goto out_nomem;
        f->stream = ssn;
        if (p->toserver) {
            /* the SYN/ACK's sender is the server */
            cn_flow_swap(f);
            p->toserver = false;
        }
        struct cn_dir *cli = &ssn->d[CLI], *srv = &ssn->d[SRV];
        dir_init(srv, seq);
        dir_syn_opts(srv, p);
        dir_init(cli, ack - 1);
        if (srv->flags & DIR_WSCALE) {
            /* the client's scale is unknown: assume the largest, so no window check bites */
            cli->flags |= DIR_WSCALE;
            cli->wscale = 14;
        }
        if (p->tcp.has_ts) {
            cli->flags |= DIR_TS;
            cli->ts_last = p->tcp.ts_ecr;
            cli->ts_time = p->ts;
        }
        negotiate(ssn);
        cli->next_win = ack + srv->window;
        ssn->flags |= SSN_MIDSTREAM | SSN_MIDSTREAM_SYNACK;
        ssn->synack_seq = seq;
        ssn->synack_ack = ack;
        ssn->synack_n = 1;
        cn_stream_count(ctx, CN_STAT_TCP_MIDSTREAM_PICKUPS);
        set_state(ctx, ft, f, ssn, CN_TCP_SYN_RECV);
        return;
    }
    if (flags & CN_TH_SYN) {
        if (!(ssn = ssn_new(ctx)))
            goto out_nomem;
        f->stream = ssn;
        if (!p->toserver) {
            /* the SYN's sender is the client */
            cn_flow_swap(f);
            p->toserver = true;
        }
        struct cn_dir *cli = &ssn->d[CLI];
        dir_init(cli, seq);
        dir_syn_opts(cli, p);
        set_state(ctx, ft, f, ssn, CN_TCP_SYN_SENT);
        if (p->payload_len && p->tcp.has_tfo) {
            /* TCP Fast Open (RFC 7413): the data follows the SYN's sequence number */
            cli->next_seq = seq + 1 + p->payload_len;
            cli->bytes += p->payload_len;
            cn_stream_ra_data(ctx, f, ssn, CLI, p, seq + 1, p->payload, p->payload_len);
        }
        return;
    }
    if (!(flags & CN_TH_ACK) || !ctx->cfg.midstream) {
        noeval(p);
        return;
    }
    if (!(ssn = ssn_new(ctx)))
        goto out_nomem;
    f->stream = ssn;
    int si = p->toserver ? CLI : SRV;
    struct cn_dir *s = &ssn->d[si], *r = &ssn->d[!si];
    dir_init(s, seq - 1);
    dir_init(r, ack - 1);
    /* window scaling unknown on both sides: assume the largest */
    s->flags |= DIR_WSCALE;
    r->flags |= DIR_WSCALE;
    s->wscale = r->wscale = 14;
    ssn->flags |= SSN_MIDSTREAM | SSN_WSCALE;
    if (p->tcp.has_ts) {
        ssn->flags |= SSN_TIMESTAMP;
        s->flags |= DIR_TS;
        s->ts_last = p->tcp.ts_val;
        s->ts_time = p->ts;
        r->flags |= DIR_TS;
        r->ts_last = p->tcp.ts_ecr;
        r->ts_time = p->ts;
    }
    cn_stream_count(ctx, CN_STAT_TCP_MIDSTREAM_PICKUPS);
    set_state(ctx, ft, f, ssn, CN_TCP_ESTABLISHED);
    established(ctx, ft, f, ssn, p);
    return;

out_nomem:
    noeval(p);
}

/* ---- entry points ---- */

void cn_stream_packet(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                      struct cn_packet *p)
{
    if (CN_UNLIKELY(!f)) {
        cn_stream_count(ctx, CN_STAT_TCP_NO_FLOW);
        return;
    }
    if (!(p->flags & CN_PKT_TCP))
        return;
    if (p->flags & CN_PKT_PSEUDO) {
        cn_stream_count(ctx, CN_STAT_TCP_PSEUDO);
        return;
    }
    if (ctx->cfg.checksum_validation && (p->flags & CN_PKT_L4_CSUM_BAD)) {
        cn_stream_count(ctx, CN_STAT_TCP_INVALID_CHECKSUM);
        noeval(p);
        return;
    }
    uint8_t flags = p->tcp.flags;
    if (CN_UNLIKELY(flags & (CN_TH_SYN | CN_TH_RST | CN_TH_URG))) {
        if (flags & CN_TH_SYN)
            cn_stream_count(ctx, (flags & CN_TH_ACK) ? CN_STAT_TCP_SYNACK : CN_STAT_TCP_SYN);
        if (flags & CN_TH_RST)
            cn_stream_count(ctx, CN_STAT_TCP_RST);
        if (flags & CN_TH_URG)
            cn_stream_count(ctx, CN_STAT_TCP_URG);
    }
    if (!(flags & CN_TH_ACK) && p->tcp.ack != 0)
        STREAM_EV(ctx, p, PKT_BROKEN_ACK);

    struct cn_session *ssn = f->stream;
    if (!ssn) {
        state_none(ctx, ft, f, p);
    } else {
        switch (ssn->state) {
        case CN_TCP_SYN_SENT:
            syn_sent(ctx, ft, f, ssn, p);
            break;
        case CN_TCP_SYN_RECV:
            syn_recv(ctx, ft, f, ssn, p);
            break;
        case CN_TCP_CLOSED:
            if ((flags & (CN_TH_SYN | CN_TH_ACK | CN_TH_RST)) == CN_TH_SYN && p->toserver &&
                p->tcp.seq != ssn->d[CLI].isn)
                reuse(ctx, ft, f, ssn, p);
            else
                noeval(p);
            break;
        default:
            established(ctx, ft, f, ssn, p);
            break;
        }
    }
    cn_stream_gauges(ctx);
}

void cn_stream_flow_finish(struct cn_stream_ctx *ctx, struct cn_flow *f)
{
    if (!f || !f->stream)
        return;
    cn_stream_ra_finish(ctx, f, f->stream, CLI, NULL);
    cn_stream_ra_finish(ctx, f, f->stream, SRV, NULL);
}

void cn_stream_flow_end(struct cn_stream_ctx *ctx, struct cn_flow *f)
{
    if (!f || !f->stream)
        return;
    struct cn_session *ssn = f->stream;
    cn_stream_ra_finish(ctx, f, ssn, CLI, NULL);
    cn_stream_ra_finish(ctx, f, ssn, SRV, NULL);
    ssn_free(ctx, ssn);
    f->stream = NULL;
    cn_stream_gauges(ctx);
}
