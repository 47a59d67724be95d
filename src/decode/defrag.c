/* defrag: IPv4 (RFC 791 section 3.2) and IPv6 (RFC 8200 section 4.5) fragment reassembly.
 *
 * A tracker per datagram, keyed by addresses, identification, protocol (IPv4), VLAN ids and
 * tunnel id, holds copies of the fragments' payloads and a sorted list of non-overlapping
 * segments that say which fragment supplies which bytes. When a new fragment overlaps what is
 * held, the target-based policy decides, region by region, whether the new or the old bytes
 * win (Novak, "Target-Based Fragmentation Reassembly", as Suricata applies it). When the
 * segments cover [0, end of the last fragment) the datagram is rebuilt with the first
 * fragment's header and decoded as a packet of its own.
 *
 * Bounded: a byte memcap (fragment copies and trackers), a tracker limit, a global fragment
 * limit and a per-tracker segment limit; trackers expire defrag_timeout seconds after their
 * first fragment, checked on every insert and by cn_decode_timeout(). */
#include "decode/decode_int.h"

#include <stdlib.h>

#define SEGS_MAX    2048 /* per tracker: far above any sane datagram, bounds the O(n) walks */
#define IPV6_FH_LEN 8

struct frag_buf {
    struct frag_buf *next;
    uint32_t off;
    uint32_t len;
    uint8_t data[];
};

struct seg {
    uint32_t off, end;     /* bytes this segment supplies */
    uint32_t o_off, o_end; /* the supplying fragment's original range, for the policy */
    const uint8_t *src;    /* the byte at off */
};

struct tracker {
    struct tracker *hnext;
    struct tracker *prev, *next; /* age order: head is oldest */
    uint64_t hash;
    union cn_addr src, dst;
    uint32_t id;
    uint32_t tunnel_id;
    uint16_t vlan[CN_PKT_MAX_VLANS];
    uint8_t vlan_n;
    uint8_t af;
    uint8_t proto;
    uint8_t v6_next; /* IPv6: the fragment header's next header, from the first fragment */
    bool have_last;
    cn_time_t first_ts;
    uint32_t total; /* payload length, known once the last fragment arrived */
    uint8_t *hdr;   /* first fragment's header: IPv4 header, or IPv6 unfragmentable part */
    uint32_t hdr_len;
    uint32_t nh_off; /* IPv6: offset in hdr of the next-header byte naming the FH */
    struct frag_buf *bufs;
    struct seg *segs;
    uint32_t nsegs, capsegs;
    uint32_t nfrags;
    uint64_t mem;
};

struct cn_defrag {
    struct tracker **buckets;
    uint32_t mask;
    struct tracker *oldest, *newest;
    uint32_t ntrackers, nfrags;
    uint32_t max_trackers, max_frags;
    cn_time_t timeout;
    enum cn_defrag_policy policy;
    struct cn_memcap mc;
    struct seg *scratch;
    uint32_t capscratch;
};

/* One fragment being inserted. */
struct frag {
    uint32_t off, len;
    bool more;
    const uint8_t *data;
};

struct cn_defrag *cn_defrag_new(const struct cn_decode_config *cfg)
{
    struct cn_defrag *d = cn_calloc(1, sizeof(*d));
    if (!d)
        goto out_fail;
    uint32_t want = cfg->defrag_trackers / 4;
    uint32_t n = 256;
    while (n < want && n < 16384)
        n <<= 1;
    d->buckets = cn_calloc(n, sizeof(*d->buckets));
    if (!d->buckets)
        goto out_free_d;
    d->mask = n - 1;
    d->max_trackers = cfg->defrag_trackers ? cfg->defrag_trackers : 65535;
    d->max_frags = cfg->defrag_max_frags ? cfg->defrag_max_frags : 65535;
    d->timeout = (cn_time_t)(cfg->defrag_timeout ? cfg->defrag_timeout : 60) * CN_USEC;
    d->policy = cfg->defrag_policy;
    d->mc.limit = cfg->defrag_memcap;
    return d;

out_free_d:
    cn_free(d);
out_fail:
    return NULL;
}

static void release(struct cn_defrag *d, uint64_t n)
{
    cn_memcap_release(&d->mc, n);
}

static bool charge(struct cn_defrag *d, struct tracker *t, uint64_t n)
{
    if (!cn_memcap_try(&d->mc, n))
        return false;
    if (t)
        t->mem += n;
    return true;
}

static void tracker_free(struct cn_defrag *d, struct tracker *t)
{
    /* unlink from the bucket chain */
    struct tracker **pp = &d->buckets[t->hash & d->mask];
    while (*pp && *pp != t)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = t->hnext;
    /* and from the age list */
    if (t->prev)
        t->prev->next = t->next;
    else
        d->oldest = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        d->newest = t->prev;

    for (struct frag_buf *b = t->bufs, *nb; b; b = nb) {
        nb = b->next;
        cn_free(b);
    }
    d->nfrags -= t->nfrags;
    d->ntrackers--;
    release(d, t->mem);
    cn_free(t->segs);
    cn_free(t->hdr);
    cn_free(t);
}

void cn_defrag_free(struct cn_defrag *d)
{
    if (!d)
        return;
    while (d->oldest)
        tracker_free(d, d->oldest);
    cn_free(d->scratch);
    cn_free(d->buckets);
    cn_free(d);
}

uint32_t cn_defrag_trackers(const struct cn_defrag *d)
{
    return d->ntrackers;
}

static void update_memuse(struct cn_decode_ctx *ctx)
{
    ctx->stats->v[CN_STAT_DEFRAG_MEMUSE] = ctx->defrag->mc.used;
}

static void expire(struct cn_decode_ctx *ctx, cn_time_t now)
{
    struct cn_defrag *d = ctx->defrag;
    while (d->oldest && d->oldest->first_ts + d->timeout <= now) {
        cn_dec_stat(ctx, d->oldest->af == 4 ? CN_STAT_DEFRAG_IPV4_TIMEOUTS
                                            : CN_STAT_DEFRAG_IPV6_TIMEOUTS);
        tracker_free(d, d->oldest);
    }
}

void cn_defrag_timeout(struct cn_decode_ctx *ctx, cn_time_t now)
{
    expire(ctx, now);
    update_memuse(ctx);
}

struct packet_key {
    union cn_addr src, dst;
    uint32_t id, tunnel_id;
    uint16_t vlan[CN_PKT_MAX_VLANS];
    uint8_t vlan_n, af, proto;
};

static uint64_t key_hash(const struct packet_key *k)
{
    uint64_t h = k->src.q[0] ^ cn_hash_mix64(k->src.q[1] ^ 0x9e3779b97f4a7c15ULL);
    h = cn_hash_mix64(h ^ k->dst.q[0]) ^ k->dst.q[1];
    h = cn_hash_mix64(h ^ ((uint64_t)k->id << 32 | k->tunnel_id));
    h ^= (uint64_t)k->vlan[0] << 48 | (uint64_t)k->vlan[1] << 32 | (uint64_t)k->vlan[2] << 16 |
         (uint64_t)k->af << 8 | k->proto;
    return cn_hash_mix64(h);
}

static bool key_eq(const struct tracker *t, const struct packet_key *k)
{
    return t->id == k->id && t->af == k->af && t->proto == k->proto &&
           t->tunnel_id == k->tunnel_id && t->vlan_n == k->vlan_n && cn_addr_eq(&t->src, &k->src) &&
           cn_addr_eq(&t->dst, &k->dst) && memcmp(t->vlan, k->vlan, sizeof(t->vlan)) == 0;
}

static struct tracker *tracker_get(struct cn_decode_ctx *ctx, struct cn_packet *p,
                                   const struct packet_key *k, enum cn_event_id ignored_ev,
                                   enum cn_stat_id ignored_ctr)
{
    struct cn_defrag *d = ctx->defrag;
    uint64_t h = key_hash(k);
    for (struct tracker *t = d->buckets[h & d->mask]; t; t = t->hnext)
        if (t->hash == h && key_eq(t, k))
            return t;

    if (d->ntrackers >= d->max_trackers) {
        cn_dec_stat(ctx, CN_STAT_DEFRAG_MAX_TRACKERS_REACHED);
        goto out_ignored;
    }
    if (!charge(d, NULL, sizeof(struct tracker)))
        goto out_ignored;
    struct tracker *t = cn_calloc(1, sizeof(*t));
    if (!t) {
        release(d, sizeof(struct tracker));
        goto out_ignored;
    }
    t->mem = sizeof(struct tracker);
    t->hash = h;
    t->src = k->src;
    t->dst = k->dst;
    t->id = k->id;
    t->tunnel_id = k->tunnel_id;
    memcpy(t->vlan, k->vlan, sizeof(t->vlan));
    t->vlan_n = k->vlan_n;
    t->af = k->af;
    t->proto = k->proto;
    t->first_ts = p->ts;
    t->hnext = d->buckets[h & d->mask];
    d->buckets[h & d->mask] = t;
    t->prev = d->newest;
    if (d->newest)
        d->newest->next = t;
    else
        d->oldest = t;
    d->newest = t;
    d->ntrackers++;
    return t;

out_ignored:
    cn_dec_event_(ctx, p, ignored_ev, ignored_ctr);
    return NULL;
}

/* Does the new fragment [n_off, n_end) win the bytes it shares with an old one? */
static bool new_wins(enum cn_defrag_policy pol, uint32_t n_off, uint32_t n_end, uint32_t o_off,
                     uint32_t o_end)
{
    switch (pol) {
    case CN_DEFRAG_FIRST:
        return false;
    case CN_DEFRAG_LAST:
        return true;
    case CN_DEFRAG_LINUX:
        return n_off < o_off || (n_off == o_off && n_end >= o_end);
    case CN_DEFRAG_WINDOWS:
        return n_off < o_off && n_end > o_end;
    case CN_DEFRAG_SOLARIS:
        return n_off < o_off && n_end >= o_end;
    case CN_DEFRAG_BSD:
    default:
        return n_off < o_off;
    }
}

static int seg_cmp(const void *a, const void *b)
{
    const struct seg *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

static bool ensure_cap(struct cn_defrag *d, struct tracker *t, struct seg **arr, uint32_t *cap,
                       uint32_t need)
{
    if (need <= *cap)
        return true;
    uint32_t ncap = *cap ? *cap : 4;
    while (ncap < need)
        ncap *= 2;
    uint64_t grow = (uint64_t)(ncap - *cap) * sizeof(struct seg);
    if (t && !charge(d, t, grow))
        return false;
    struct seg *n = cn_realloc(*arr, (size_t)ncap * sizeof(struct seg));
    if (!n) {
        if (t) {
            release(d, grow);
            t->mem -= grow;
        }
        return false;
    }
    *arr = n;
    *cap = ncap;
    return true;
}

/* Merges fragment [off, end) supplied by src into t's segments under the policy. Returns -1
 * when a limit refuses it, else whether it overlapped anything. */
static int insert_segments(struct cn_defrag *d, struct tracker *t, uint32_t off, uint32_t end,
                           const uint8_t *src)
{
    uint32_t need = t->nsegs * 2 + t->nsegs + 2;
    if (t->nsegs >= SEGS_MAX || !ensure_cap(d, NULL, &d->scratch, &d->capscratch, need))
        return -1;
    struct seg *out = d->scratch;
    uint32_t n = 0;
    uint32_t cursor = off; /* start of the part of the new fragment not yet placed */
    bool overlap = false;

    for (uint32_t i = 0; i < t->nsegs; i++) {
        struct seg s = t->segs[i];
        if (s.end <= off || s.off >= end) {
            out[n++] = s;
            continue;
        }
        overlap = true;
        if (new_wins(d->policy, off, end, s.o_off, s.o_end)) {
            if (s.off < off) {
                struct seg l = s;
                l.end = off;
                out[n++] = l;
            }
            if (s.end > end) {
                struct seg r = s;
                r.src = s.src + (end - s.off);
                r.off = end;
                out[n++] = r;
            }
        } else {
            out[n++] = s;
            if (s.off > cursor)
                out[n++] = (struct seg){cursor, s.off, off, end, src + (cursor - off)};
            if (s.end > cursor)
                cursor = s.end;
        }
    }
    if (cursor < end)
        out[n++] = (struct seg){cursor, end, off, end, src + (cursor - off)};

    if (!ensure_cap(d, t, &t->segs, &t->capsegs, n))
        return -1;
    qsort(out, n, sizeof(*out), seg_cmp);
    memcpy(t->segs, out, (size_t)n * sizeof(*out));
    t->nsegs = n;
    return overlap;
}

static bool complete(const struct tracker *t)
{
    if (!t->have_last || !t->hdr)
        return false;
    uint32_t covered = 0;
    for (uint32_t i = 0; i < t->nsegs && covered < t->total; i++) {
        if (t->segs[i].off > covered)
            return false;
        if (t->segs[i].end > covered)
            covered = t->segs[i].end;
    }
    return covered >= t->total;
}

/* Builds the datagram in ctx->rebuilt_buf behind the completing packet's link prefix and
 * decodes it. */
static void rebuild(struct cn_decode_ctx *ctx, struct cn_packet *p, struct tracker *t)
{
    uint8_t *buf = ctx->rebuilt_buf;
    uint32_t prefix = (uint32_t)(p->l3 - p->data);
    if (prefix > CN_DEC_PREFIX_MAX || t->hdr_len > CN_DEC_UNFRAG_MAX)
        return;
    memcpy(buf, p->data, prefix);
    uint8_t *ip = buf + prefix;
    memcpy(ip, t->hdr, t->hdr_len);
    uint8_t *pl = ip + t->hdr_len;
    for (uint32_t i = 0; i < t->nsegs; i++) {
        const struct seg *s = &t->segs[i];
        if (s->off >= t->total)
            break;
        memcpy(pl + s->off, s->src, CN_MIN(s->end, t->total) - s->off);
    }
    uint32_t ip_len = t->hdr_len + t->total;
    if (t->af == 4) {
        ip[2] = (uint8_t)(ip_len >> 8);
        ip[3] = (uint8_t)ip_len;
        ip[6] = ip[7] = 0; /* no longer a fragment */
        cn_csum_ipv4_set(ip, t->hdr_len);
        cn_dec_stat(ctx, CN_STAT_DEFRAG_IPV4_REASSEMBLED);
    } else {
        uint32_t plen = ip_len - 40;
        ip[4] = (uint8_t)(plen >> 8);
        ip[5] = (uint8_t)plen;
        ip[t->nh_off] = t->v6_next; /* unlink the fragment header */
        cn_dec_stat(ctx, CN_STAT_DEFRAG_IPV6_REASSEMBLED);
    }
    cn_dec_rebuilt(ctx, p, prefix, ip_len);
}

/* Common path once the fragment's key, range and header are known. hdr/hdr_len is the part a
 * first fragment contributes to the rebuilt datagram. */
static void insert(struct cn_decode_ctx *ctx, struct cn_packet *p, const struct packet_key *k,
                   const struct frag *f, const uint8_t *hdr, uint32_t hdr_len, uint32_t nh_off,
                   uint8_t v6_next)
{
    struct cn_defrag *d = ctx->defrag;
    bool v4 = k->af == 4;
    enum cn_event_id ev_ign = v4 ? CN_EV_IPV4_FRAG_IGNORED : CN_EV_IPV6_FRAG_IGNORED;
    enum cn_stat_id ctr_ign = v4 ? CN_STAT_EV_IPV4_FRAG_IGNORED : CN_STAT_EV_IPV6_FRAG_IGNORED;

    expire(ctx, p->ts);
    struct tracker *t = tracker_get(ctx, p, k, ev_ign, ctr_ign);
    if (!t)
        goto out;
    if (d->nfrags >= d->max_frags) {
        cn_dec_stat(ctx, CN_STAT_DEFRAG_MAX_FRAGS_REACHED);
        cn_dec_event_(ctx, p, ev_ign, ctr_ign);
        goto out;
    }
    uint64_t cost = sizeof(struct frag_buf) + f->len;
    if (!charge(d, t, cost)) {
        cn_dec_event_(ctx, p, ev_ign, ctr_ign);
        goto out;
    }
    struct frag_buf *b = cn_malloc(sizeof(*b) + f->len);
    if (!b) {
        release(d, cost);
        t->mem -= cost;
        goto out;
    }
    b->off = f->off;
    b->len = f->len;
    memcpy(b->data, f->data, f->len);
    b->next = t->bufs;
    t->bufs = b;
    t->nfrags++;
    d->nfrags++;

    if (f->off == 0 && !t->hdr && hdr_len <= CN_DEC_UNFRAG_MAX && charge(d, t, hdr_len)) {
        t->hdr = cn_malloc(hdr_len ? hdr_len : 1);
        if (t->hdr) {
            memcpy(t->hdr, hdr, hdr_len);
            t->hdr_len = hdr_len;
            t->nh_off = nh_off;
            t->v6_next = v6_next;
        }
    }
    if (!f->more && !t->have_last) {
        t->have_last = true;
        t->total = f->off + f->len;
    }
    int ov = f->len ? insert_segments(d, t, f->off, f->off + f->len, b->data) : 0;
    if (ov < 0) {
        cn_dec_event_(ctx, p, ev_ign, ctr_ign);
        goto out;
    }
    if (ov > 0) {
        if (v4)
            CN_DEC_EVENT(ctx, p, IPV4_FRAG_OVERLAP);
        else
            CN_DEC_EVENT(ctx, p, IPV6_FRAG_OVERLAP);
    }
    if (complete(t)) {
        rebuild(ctx, p, t);
        tracker_free(d, t);
    }
out:
    update_memuse(ctx);
}

static void fill_key(struct packet_key *k, const struct cn_packet *p)
{
    memset(k, 0, sizeof(*k));
    k->src = p->src;
    k->dst = p->dst;
    k->tunnel_id = p->tunnel_id;
    memcpy(k->vlan, p->vlan, sizeof(k->vlan));
    k->vlan_n = p->vlan_n;
    k->af = p->ip_ver;
}

void cn_defrag_ipv4(struct cn_decode_ctx *ctx, struct cn_packet *p)
{
    cn_dec_stat(ctx, CN_STAT_DEFRAG_IPV4_FRAGMENTS);
    struct frag f = {
        .off = (uint32_t)p->frag_off * 8,
        .len = p->l3_len - p->ip_hlen,
        .more = p->frag_mf,
        .data = p->l3 + p->ip_hlen,
    };
    if (f.off + p->ip_hlen + f.len > 65535) {
        CN_DEC_EVENT(ctx, p, IPV4_FRAG_PKT_TOO_LARGE);
        return;
    }
    struct packet_key k;
    fill_key(&k, p);
    k.id = p->ip_id;
    k.proto = p->proto;
    insert(ctx, p, &k, &f, p->l3, p->ip_hlen, 0, 0);
}

void cn_defrag_ipv6(struct cn_decode_ctx *ctx, struct cn_packet *p, uint32_t fh_off,
                    uint32_t nh_off)
{
    cn_dec_stat(ctx, CN_STAT_DEFRAG_IPV6_FRAGMENTS);
    struct cn_cursor c = cn_cursor_init(p->l3, p->l3_len);
    cn_cur_skip(&c, fh_off);
    uint8_t next = cn_cur_u8(&c);
    cn_cur_skip(&c, 3);
    uint32_t id = cn_cur_be32(&c);
    if (!cn_cur_ok(&c))
        return;
    struct frag f = {
        .off = (uint32_t)p->frag_off * 8,
        .len = p->l3_len - fh_off - IPV6_FH_LEN,
        .more = p->frag_mf,
        .data = cn_cur_ptr(&c),
    };
    if (f.more && f.len % 8) {
        /* RFC 8200 4.5: every fragment but the last is a multiple of 8 bytes */
        CN_DEC_EVENT(ctx, p, IPV6_FRAG_INVALID_LENGTH);
        return;
    }
    if (f.off + f.len > 65535) {
        CN_DEC_EVENT(ctx, p, IPV6_FRAG_PKT_TOO_LARGE);
        return;
    }
    struct packet_key k;
    fill_key(&k, p);
    k.id = id;
    insert(ctx, p, &k, &f, p->l3, fh_off, nh_off, next);
}
