/* reassembly: turns one direction's segments into an in-order byte stream for the consumer.
 *
 * Each direction has a delivery point (base, the next sequence number owed to the consumer)
 * and two short lists:
 *  - ooo: bytes past base that arrived out of order, sorted and non-overlapping (overlaps are
 *    resolved on insert by the configured policy, so delivery never has to choose);
 *  - ret: bytes already delivered but not yet acknowledged, kept so that a retransmission
 *    carrying different bytes can be noticed (stream.reassembly_overlap_different_data).
 *
 * The common case costs no copy and no search: a segment that starts at base while nothing is
 * queued is handed to the consumer straight from the packet. Retaining a copy of it is
 * opportunistic: bounded per direction (STREAM_RETAIN_DIR) and per context
 * (STREAM_RETAIN_BUDGET), only while the reassembly memcap is less than half used, and never
 * counted as a refusal. Retained bytes are freed as soon as the peer ACKs them, so on normal
 * traffic the list holds only the data in flight. Out-of-order bytes must be kept: refusing
 * them (memcap, STREAM_MAX_OOO) is counted and raised as an event, and the hole they leave is
 * reported as a gap later.
 *
 * Gaps: when the peer ACKs bytes we never saw, or when the direction ends, the missing range
 * is handed over as a CN_STREAM_GAP chunk and delivery moves on. */
#include "stream/stream_int.h"

static void hook(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_packet *p, int di,
                 const uint8_t *data, uint32_t len, uint64_t offset, uint32_t flags)
{
    if (ctx->hooks.data)
        ctx->hooks.data(ctx->hooks.user, f, p, di == CLI, data, len, offset, flags);
}

/* Hands len bytes at base to the consumer (a gap when data is NULL), cut at the reassembly
 * depth. Base and offset advance by len whatever was handed over. */
static void emit(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn, int di,
                 struct cn_packet *p, const uint8_t *data, uint32_t len)
{
    struct cn_dir *d = &ssn->d[di];
    uint64_t off = d->offset;
    d->base += len;
    d->offset += len;
    if (d->flags & (DIR_DEPTH | DIR_EOF))
        return;
    uint64_t depth = ctx->cfg.depth;
    uint32_t n = len;
    bool cut = false;
    if (depth && off + len > depth) {
        n = off < depth ? (uint32_t)(depth - off) : 0;
        cut = true;
    }
    if (n)
        hook(ctx, f, p, di, data, n, off, data ? 0 : CN_STREAM_GAP);
    if (cut) {
        d->flags |= DIR_DEPTH;
        STREAM_EV(ctx, p, REASSEMBLY_DEPTH_REACHED);
        cn_stream_count(ctx, CN_STAT_TCP_STREAM_DEPTH_REACHED);
        hook(ctx, f, p, di, NULL, 0, depth, CN_STREAM_DEPTH);
    }
}

/* A hole of len bytes at base. It is reported (event and tcp.reassembly_gap) when the peer
 * acknowledged bytes we never saw; a hole only found when the direction is flushed at its end
 * (RST, flow end) may just be data still in flight, so, as in Suricata, it is not. */
static void gap(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn, int di,
                struct cn_packet *p, uint32_t len, bool report)
{
    struct cn_dir *d = &ssn->d[di];
    bool past_depth = ctx->cfg.depth && d->offset >= ctx->cfg.depth;
    if (report && !(d->flags & (DIR_DEPTH | DIR_EOF)) && !past_depth) {
        STREAM_EV(ctx, p, REASSEMBLY_SEQ_GAP);
        cn_stream_count(ctx, CN_STAT_TCP_REASSEMBLY_GAP);
        d->flags |= DIR_HAD_GAP;
    }
    d->gap_lo = d->base;
    d->gap_hi = d->base + len;
    d->flags |= DIR_GAP;
    emit(ctx, f, ssn, di, p, NULL, len);
}

static void ret_unlink_head(struct cn_stream_ctx *ctx, struct cn_dir *d)
{
    struct cn_seg *s = d->ret;
    d->ret = s->next;
    if (!d->ret)
        d->ret_tail = NULL;
    d->ret_bytes -= s->len;
    ctx->retained -= s->len;
    cn_stream_seg_put(ctx, s);
}

static bool may_retain(const struct cn_stream_ctx *ctx, const struct cn_session *ssn,
                       const struct cn_dir *d, uint32_t seq, uint32_t len)
{
    if ((ssn->flags & SSN_ASYNC) || (d->flags & (DIR_DEPTH | DIR_EOF)))
        return false;
    if (seq_leq(seq + len, d->last_ack))
        return false; /* already acknowledged: no retransmission to compare against */
    if (d->ret_bytes + len > STREAM_RETAIN_DIR || ctx->retained + len > ctx->retain_budget)
        return false;
    if (ctx->ra_mc.limit && ctx->ra_mc.used + len + 256 > ctx->ra_mc.limit / 2)
        return false;
    return true;
}

static void ret_append(struct cn_stream_ctx *ctx, struct cn_dir *d, struct cn_seg *s)
{
    s->next = NULL;
    if (d->ret_tail)
        d->ret_tail->next = s;
    else
        d->ret = s;
    d->ret_tail = s;
    d->ret_bytes += s->len;
    ctx->retained += s->len;
}

/* Keeps a copy of bytes delivered straight from a packet. */
static void retain_copy(struct cn_stream_ctx *ctx, struct cn_session *ssn, struct cn_dir *d,
                        uint32_t seq, const uint8_t *data, uint32_t len)
{
    if (!may_retain(ctx, ssn, d, seq, len))
        return;
    struct cn_seg *t = d->ret_tail;
    if (t && t->seq + t->len == seq && t->cap - t->len >= len) {
        /* small segments coalesce, so a chatty flow does not make a long list */
        memcpy(t->data + t->len, data, len);
        t->len += len;
        d->ret_bytes += len;
        ctx->retained += len;
        return;
    }
    struct cn_seg *s = cn_stream_seg_get(ctx, len);
    if (!s)
        return;
    s->seq = seq;
    s->len = len;
    memcpy(s->data, data, len);
    ret_append(ctx, d, s);
}

/* A queued segment was delivered: keep it for comparison or give it back. */
static void retain_seg(struct cn_stream_ctx *ctx, struct cn_session *ssn, struct cn_dir *d,
                       struct cn_seg *s)
{
    if (may_retain(ctx, ssn, d, s->seq, s->len) && s->cls != SEG_CLASS_NONE)
        ret_append(ctx, d, s);
    else
        cn_stream_seg_put(ctx, s);
}

/* Compares [seq, seq+len) with retained bytes. Returns true when some retained byte differs;
 * *overlap tells whether any retained byte was covered at all. */
static bool ret_compare(const struct cn_dir *d, uint32_t seq, const uint8_t *data, uint32_t len,
                        bool *overlap)
{
    uint32_t end = seq + len;
    bool diff = false;
    for (const struct cn_seg *s = d->ret; s; s = s->next) {
        uint32_t s_end = s->seq + s->len;
        if (seq_leq(s_end, seq))
            continue;
        if (seq_geq(s->seq, end))
            break;
        uint32_t lo = seq_max(seq, s->seq), hi = seq_min(end, s_end);
        *overlap = true;
        if (memcmp(data + (lo - seq), s->data + (lo - s->seq), hi - lo) != 0)
            diff = true;
    }
    return diff;
}

/* Whether a new segment [ns, ne) replaces the bytes of a queued one [os, oe) where they
 * overlap. BSD and Windows favour the original unless the new one starts before it; Linux
 * also lets a new segment with the same start but a longer end win; Solaris only lets a new
 * segment win when it covers the original entirely and starts before it. */
static bool new_wins(enum cn_stream_overlap_policy pol, uint32_t ns, uint32_t ne, uint32_t os,
                     uint32_t oe)
{
    switch (pol) {
    case CN_OVERLAP_FIRST:
        return false;
    case CN_OVERLAP_LAST:
        return true;
    case CN_OVERLAP_LINUX:
        return seq_lt(ns, os) || (ns == os && seq_gt(ne, oe));
    case CN_OVERLAP_SOLARIS:
        return seq_lt(ns, os) && seq_geq(ne, oe);
    case CN_OVERLAP_BSD:
    case CN_OVERLAP_WINDOWS:
    default:
        return seq_lt(ns, os);
    }
}

/* Queues [seq, seq+len) (all past base) into the out-of-order list, resolving overlaps. */
static void ooo_insert(struct cn_stream_ctx *ctx, struct cn_session *ssn, int di,
                       struct cn_packet *p, uint32_t seq, const uint8_t *data, uint32_t len)
{
    struct cn_dir *d = &ssn->d[di];
    uint32_t end = seq + len;
    struct cn_seg *prev = NULL, *cur = d->ooo;
    while (cur && seq_leq(cur->seq + cur->len, seq)) {
        prev = cur;
        cur = cur->next;
    }
    bool overlap = false, diff = false;
    uint32_t pos = seq;
    while (seq_lt(pos, end)) {
        if (cur && seq_leq(cur->seq, pos)) {
            uint32_t cur_end = cur->seq + cur->len;
            uint32_t ov_end = seq_min(end, cur_end);
            const uint8_t *nd = data + (pos - seq);
            uint8_t *od = cur->data + (pos - cur->seq);
            overlap = true;
            if (memcmp(nd, od, ov_end - pos) != 0) {
                diff = true;
                if (new_wins(ctx->cfg.overlap_policy, seq, end, cur->seq, cur_end))
                    memcpy(od, nd, ov_end - pos);
            }
            pos = ov_end;
            prev = cur;
            cur = cur->next;
            continue;
        }
        uint32_t piece_end = cur ? seq_min(end, cur->seq) : end;
        uint32_t n = piece_end - pos;
        if (d->ooo_n >= STREAM_MAX_OOO) {
            STREAM_EV(ctx, p, REASSEMBLY_INSERT_LIMIT);
            cn_stream_count(ctx, overlap ? CN_STAT_TCP_INSERT_DATA_OVERLAP_FAIL
                                         : CN_STAT_TCP_INSERT_DATA_NORMAL_FAIL);
            break;
        }
        struct cn_seg *s = cn_stream_seg_get(ctx, n);
        if (!s) {
            STREAM_EV(ctx, p, REASSEMBLY_INSERT_MEMCAP);
            cn_stream_count(ctx, CN_STAT_TCP_SEGMENT_MEMCAP_DROP);
            cn_stream_count(ctx, overlap ? CN_STAT_TCP_INSERT_DATA_OVERLAP_FAIL
                                         : CN_STAT_TCP_INSERT_DATA_NORMAL_FAIL);
            break;
        }
        s->seq = pos;
        s->len = n;
        memcpy(s->data, data + (pos - seq), n);
        s->next = cur;
        if (prev)
            prev->next = s;
        else
            d->ooo = s;
        prev = s;
        d->ooo_n++;
        pos = piece_end;
    }
    if (overlap)
        cn_stream_count(ctx, CN_STAT_TCP_OVERLAP);
    if (diff) {
        STREAM_EV(ctx, p, REASSEMBLY_OVERLAP_DIFFERENT_DATA);
        cn_stream_count(ctx, CN_STAT_TCP_OVERLAP_DIFF_DATA);
    }
}

/* Suricata keeps a direction's bytes in a buffer of regions: data further than its
 * region-gap (256 KiB by default) from the data held around it opens a new region, and flow
 * records report the most regions a direction used. The same count over what is held here:
 * the delivery point and the out-of-order segments, split where a hole exceeds the gap. */
#define REGION_GAP (256u << 10)

static void count_regions(struct cn_dir *d)
{
    unsigned n = 1;
    uint32_t edge = d->base;
    for (const struct cn_seg *s = d->ooo; s; s = s->next) {
        if (seq_gt(s->seq, edge) && s->seq - edge > REGION_GAP)
            n++;
        if (seq_gt(s->seq + s->len, edge))
            edge = s->seq + s->len;
    }
    if (n > d->max_regions)
        d->max_regions = (uint8_t)CN_MIN(n, 255u);
}

static void ooo_free(struct cn_stream_ctx *ctx, struct cn_dir *d)
{
    while (d->ooo) {
        struct cn_seg *s = d->ooo;
        d->ooo = s->next;
        cn_stream_seg_put(ctx, s);
    }
    d->ooo_n = 0;
}

/* Delivers queued segments while they continue the stream at base. */
static void drain(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn, int di,
                  struct cn_packet *p)
{
    struct cn_dir *d = &ssn->d[di];
    while (d->ooo) {
        struct cn_seg *s = d->ooo;
        if (seq_leq(s->seq + s->len, d->base)) {
            /* wholly behind base (cannot happen by construction; keeps delivery safe) */
            d->ooo = s->next;
            d->ooo_n--;
            cn_stream_seg_put(ctx, s);
            continue;
        }
        if (seq_gt(s->seq, d->base))
            break;
        uint32_t skip = d->base - s->seq;
        d->ooo = s->next;
        d->ooo_n--;
        emit(ctx, f, ssn, di, p, s->data + skip, s->len - skip);
        retain_seg(ctx, ssn, d, s);
        if (d->flags & (DIR_DEPTH | DIR_EOF)) {
            cn_stream_ra_free(ctx, d);
            break;
        }
    }
}

void cn_stream_ra_data(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn, int di,
                       struct cn_packet *p, uint32_t seq, const uint8_t *data, uint32_t len)
{
    struct cn_dir *d = &ssn->d[di];
    if (!len || !data || (d->flags & (DIR_EOF | DIR_DEPTH)))
        return;
    if (p)
        p->flags |= CN_PKT_STREAM_ADD;
    if (seq_lt(seq, d->base)) {
        uint32_t old = seq_leq(seq + len, d->base) ? len : d->base - seq;
        bool overlap = false;
        if (ret_compare(d, seq, data, old, &overlap)) {
            STREAM_EV(ctx, p, REASSEMBLY_OVERLAP_DIFFERENT_DATA);
            cn_stream_count(ctx, CN_STAT_TCP_OVERLAP_DIFF_DATA);
        }
        if (overlap)
            cn_stream_count(ctx, CN_STAT_TCP_OVERLAP);
        if ((d->flags & DIR_GAP) && seq_lt(seq, d->gap_hi) && seq_gt(seq + old, d->gap_lo))
            STREAM_EV(ctx, p, REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ);
        if (old == len)
            return;
        seq += old;
        data += old;
        len -= old;
    }
    if (seq == d->base) {
        /* in order: what precedes the first queued segment (everything, in the common case
         * where nothing is queued) goes to the consumer straight from the packet, so filling
         * a hole costs no copy and cannot be refused by the memcap */
        uint32_t n = d->ooo ? seq_min(seq + len, d->ooo->seq) - seq : len;
        emit(ctx, f, ssn, di, p, data, n);
        retain_copy(ctx, ssn, d, seq, data, n);
        if (n == len) {
            if (d->ooo)
                drain(ctx, f, ssn, di, p);
            return;
        }
        seq += n;
        data += n;
        len -= n;
        if (d->flags & (DIR_EOF | DIR_DEPTH))
            return;
    }
    uint64_t depth = ctx->cfg.depth;
    if (depth && d->offset + (uint64_t)(seq - d->base) >= depth)
        return; /* would never be delivered; the ACK past it reports depth */
    ooo_insert(ctx, ssn, di, p, seq, data, len);
    count_regions(d);
    drain(ctx, f, ssn, di, p);
}

void cn_stream_ra_ack(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn, int di,
                      struct cn_packet *p)
{
    struct cn_dir *d = &ssn->d[di];
    uint32_t ack = d->last_ack;
    while (d->ret && seq_leq(d->ret->seq + d->ret->len, ack))
        ret_unlink_head(ctx, d);
    if (!(d->flags & DIR_SEEN) || (d->flags & (DIR_EOF | DIR_DEPTH)))
        return;
    uint32_t limit = ack;
    if ((d->flags & DIR_FIN) && seq_gt(limit, d->fin_seq))
        limit = d->fin_seq;
    if (!seq_gt(limit, d->base))
        return;
    /* the peer has bytes we never saw */
    cn_stream_count(ctx, CN_STAT_TCP_ACK_UNSEEN_DATA);
    while (seq_lt(d->base, limit) && !(d->flags & (DIR_EOF | DIR_DEPTH))) {
        if (d->ooo && seq_leq(d->ooo->seq, limit)) {
            if (seq_gt(d->ooo->seq, d->base))
                gap(ctx, f, ssn, di, p, d->ooo->seq - d->base, true);
            drain(ctx, f, ssn, di, p);
        } else {
            gap(ctx, f, ssn, di, p, limit - d->base, true);
        }
    }
    if (seq_gt(d->base, d->next_seq))
        d->next_seq = d->base;
    if (d->flags & DIR_DEPTH)
        cn_stream_ra_free(ctx, d);
}

void cn_stream_ra_check_eof(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn,
                            int di, struct cn_packet *p)
{
    struct cn_dir *d = &ssn->d[di];
    if ((d->flags & (DIR_FIN | DIR_EOF)) != DIR_FIN || seq_lt(d->base, d->fin_seq))
        return;
    d->flags |= DIR_EOF;
    hook(ctx, f, p, di, NULL, 0, d->offset, CN_STREAM_EOF);
    ooo_free(ctx, d);
}

void cn_stream_ra_finish(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn,
                         int di, struct cn_packet *p)
{
    struct cn_dir *d = &ssn->d[di];
    if (d->flags & DIR_EOF)
        return;
    while (d->ooo && !(d->flags & (DIR_EOF | DIR_DEPTH))) {
        if (seq_gt(d->ooo->seq, d->base))
            gap(ctx, f, ssn, di, p, d->ooo->seq - d->base, false);
        drain(ctx, f, ssn, di, p);
    }
    d->flags |= DIR_EOF;
    hook(ctx, f, p, di, NULL, 0, d->offset, CN_STREAM_EOF);
    cn_stream_ra_free(ctx, d);
}

void cn_stream_ra_free(struct cn_stream_ctx *ctx, struct cn_dir *d)
{
    ooo_free(ctx, d);
    while (d->ret)
        ret_unlink_head(ctx, d);
}
