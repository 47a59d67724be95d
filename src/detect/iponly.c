/* iponly: finds the IP-only rules (addresses and protocol, nothing else) whose addresses can
 * match a packet, without trying each rule. Rule sets such as ET Open carry a thousand and
 * more of them (reputation lists of relays, botnet and DROP ranges), each with long address
 * lists; trying them one by one on the first packet of every flow direction cost more than
 * the rest of detection together.
 *
 * For each address family, a rule is filed by the side of its header with the narrower set
 * (its source, or its destination): that side's ranges go into an interval map, which cuts
 * the address space at every range boundary and keeps, per elementary interval, the rules
 * covering it. One binary search per packet and side then gives the candidates. Rules with
 * two wide sides (any -> any, $EXTERNAL_NET -> $HOME_NET), and <> rules, are candidates for
 * every packet of the family; rules with no address of a family on a non-any side are never
 * candidates for it. The engine still checks every candidate in full. */
#include <stdlib.h>

#include "detect/detect_int.h"
#include "detect/iponly.h"

/* A side wider than this many IPv4 addresses (a /8), or an IPv6 side whose ranges span more
 * than this many /64s, is not worth filing. */
#define WIDE_V4 (1ull << 24)
#define WIDE_V6 (1ull << 24)
/* Rule entries one interval map may hold; past it the map's rules stay unfiled. */
#define MAP_MAX_ENTRIES (4u << 20)

struct imap {             /* one interval map */
    union cn_addr *start; /* interval i is [start[i], start[i + 1]) */
    unsigned nint;
    uint32_t *first; /* rules of interval i: rule[first[i] .. first[i + 1]) */
    uint32_t *rule;
};

struct family_index {
    struct imap by_src, by_dst;
    uint32_t *always; /* candidates for every packet of the family, ascending */
    unsigned nalways;
};

struct cn_iponly {
    struct family_index fam[2]; /* IPv4, IPv6 */
    unsigned nrules;
};

static int addr_cmp(const union cn_addr *a, const union cn_addr *b, unsigned width)
{
    return memcmp(a->b, b->b, width);
}

/* a + 1 in network byte order over width bytes; false when a is the highest address. */
static bool addr_inc(union cn_addr *a, unsigned width)
{
    for (unsigned i = width; i-- > 0;) {
        if (++a->b[i] != 0)
            return true;
    }
    return false;
}

static void ranges_of(const struct cn_addr_set *s, bool v6, const struct cn_addr_range **r,
                      unsigned *n)
{
    *r = v6 ? s->v6 : s->v4;
    *n = v6 ? s->n6 : s->n4;
}

/* How many addresses (IPv4) or /64s (IPv6) the set covers, saturating. */
static uint64_t set_width(const struct cn_addr_set *s, bool v6)
{
    const struct cn_addr_range *r;
    unsigned n;
    ranges_of(s, v6, &r, &n);
    uint64_t w = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t lo, hi;
        if (v6) {
            lo = __builtin_bswap64(r[i].lo.q[0]);
            hi = __builtin_bswap64(r[i].hi.q[0]);
        } else {
            lo = __builtin_bswap32(r[i].lo.w[0]);
            hi = __builtin_bswap32(r[i].hi.w[0]);
        }
        uint64_t d = hi - lo;
        if (d == UINT64_MAX || w + d + 1 < w)
            return UINT64_MAX;
        w += d + 1;
    }
    return w;
}

/* ---- interval maps ---- */

struct pending { /* the rules filed by one side while a family is built */
    const struct cn_addr_set **sets;
    uint32_t *rule;
    unsigned n;
};

static int start_cmp16(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

/* The interval holding a: the last start <= a, or -1. */
static long interval_of(const struct imap *m, const union cn_addr *a, unsigned width)
{
    unsigned lo = 0, hi = m->nint;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (addr_cmp(&m->start[mid], a, width) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

/* Builds m from the filed rules; -CN_EINVAL when it would pass MAP_MAX_ENTRIES. */
static int imap_build(struct imap *m, const struct pending *pd, bool v6)
{
    unsigned width = v6 ? 16 : 4;
    size_t npts = 0;
    for (unsigned i = 0; i < pd->n; i++)
        npts += 2u * (v6 ? pd->sets[i]->n6 : pd->sets[i]->n4);
    if (npts == 0)
        return 0;
    if (npts > MAP_MAX_ENTRIES)
        return -CN_EINVAL;
    /* every range start and every address after a range end cuts the space; the tail after
     * the last range is an interval with no rule */
    union cn_addr *pts = cn_calloc(npts, sizeof(*pts));
    if (!pts)
        return -CN_ENOMEM;
    size_t k = 0;
    for (unsigned i = 0; i < pd->n; i++) {
        const struct cn_addr_range *r;
        unsigned n;
        ranges_of(pd->sets[i], v6, &r, &n);
        for (unsigned j = 0; j < n; j++) {
            pts[k++] = r[j].lo;
            union cn_addr after = r[j].hi;
            if (addr_inc(&after, width))
                pts[k++] = after;
        }
    }
    qsort(pts, k, sizeof(*pts), start_cmp16);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || memcmp(&pts[u - 1], &pts[i], sizeof(*pts)) != 0)
            pts[u++] = pts[i];
    m->start = pts;
    m->nint = (unsigned)u;
    m->first = cn_calloc(u + 1, sizeof(*m->first));
    if (!m->first)
        return -CN_ENOMEM;
    /* a range covers the intervals from its start's to its end's: count them per interval,
     * then place the rules (in rule order, so each interval's list is ascending) */
    size_t total = 0;
    for (unsigned i = 0; i < pd->n; i++) {
        const struct cn_addr_range *r;
        unsigned n;
        ranges_of(pd->sets[i], v6, &r, &n);
        for (unsigned j = 0; j < n; j++) {
            long x0 = interval_of(m, &r[j].lo, width), x1 = interval_of(m, &r[j].hi, width);
            for (long x = x0; x >= 0 && x <= x1; x++)
                m->first[x + 1]++;
            if ((total += (size_t)(x1 - x0 + 1)) > MAP_MAX_ENTRIES)
                return -CN_EINVAL;
        }
    }
    for (unsigned x = 0; x < u; x++)
        m->first[x + 1] += m->first[x];
    m->rule = cn_calloc(total ? total : 1, sizeof(*m->rule));
    uint32_t *fill = cn_calloc(u, sizeof(*fill));
    if (!m->rule || !fill) {
        cn_free(fill);
        return -CN_ENOMEM;
    }
    for (unsigned i = 0; i < pd->n; i++) {
        const struct cn_addr_range *r;
        unsigned n;
        ranges_of(pd->sets[i], v6, &r, &n);
        for (unsigned j = 0; j < n; j++) {
            long x0 = interval_of(m, &r[j].lo, width), x1 = interval_of(m, &r[j].hi, width);
            for (long x = x0; x >= 0 && x <= x1; x++)
                m->rule[m->first[x] + fill[x]++] = pd->rule[i];
        }
    }
    cn_free(fill);
    return 0;
}

static void imap_free(struct imap *m)
{
    cn_free(m->start);
    cn_free(m->first);
    cn_free(m->rule);
    memset(m, 0, sizeof(*m));
}

/* ---- building ---- */

static int family_build(struct family_index *fi, const struct cn_rule *const *rules, unsigned n,
                        bool v6)
{
    int rc = -CN_ENOMEM;
    struct pending src = {0}, dst = {0};
    fi->always = cn_calloc(n ? n : 1, sizeof(*fi->always));
    src.sets = cn_calloc(n ? n : 1, sizeof(*src.sets));
    src.rule = cn_calloc(n ? n : 1, sizeof(*src.rule));
    dst.sets = cn_calloc(n ? n : 1, sizeof(*dst.sets));
    dst.rule = cn_calloc(n ? n : 1, sizeof(*dst.rule));
    if (!fi->always || !src.sets || !src.rule || !dst.sets || !dst.rule)
        goto out_free;
    uint64_t wide = v6 ? WIDE_V6 : WIDE_V4;
    for (unsigned i = 0; i < n; i++) {
        const struct cn_rule *r = rules[i];
        uint64_t ws = r->src.any ? UINT64_MAX : set_width(&r->src, v6);
        uint64_t wd = r->dst.any ? UINT64_MAX : set_width(&r->dst, v6);
        if (ws == 0 || wd == 0)
            continue; /* one side has no address of this family: never matches it */
        if ((r->flags & CN_RULE_BIDIR) || (ws > wide && wd > wide))
            fi->always[fi->nalways++] = i;
        else if (ws <= wd)
            src.sets[src.n] = &r->src, src.rule[src.n++] = i;
        else
            dst.sets[dst.n] = &r->dst, dst.rule[dst.n++] = i;
    }
    int a = imap_build(&fi->by_src, &src, v6);
    int b = a == 0 ? imap_build(&fi->by_dst, &dst, v6) : 0;
    if (a == -CN_ENOMEM || b == -CN_ENOMEM)
        goto out_free;
    if (a || b) { /* too large to file: every rule of the family is tried */
        imap_free(&fi->by_src);
        imap_free(&fi->by_dst);
        fi->nalways = 0;
        for (unsigned i = 0; i < n; i++)
            fi->always[fi->nalways++] = i;
        cn_warn("IP-only rules: address index too large; each rule is tried on its own");
    }
    rc = 0;
out_free:
    cn_free(src.sets);
    cn_free(src.rule);
    cn_free(dst.sets);
    cn_free(dst.rule);
    return rc;
}

struct cn_iponly *cn_iponly_build(const struct cn_rule *const *rules, unsigned n)
{
    struct cn_iponly *ix = cn_calloc(1, sizeof(*ix));
    if (!ix)
        return NULL;
    ix->nrules = n;
    if (family_build(&ix->fam[0], rules, n, false) < 0 ||
        family_build(&ix->fam[1], rules, n, true) < 0) {
        cn_iponly_free(ix);
        return NULL;
    }
    return ix;
}

void cn_iponly_free(struct cn_iponly *ix)
{
    if (!ix)
        return;
    for (int f = 0; f < 2; f++) {
        imap_free(&ix->fam[f].by_src);
        imap_free(&ix->fam[f].by_dst);
        cn_free(ix->fam[f].always);
    }
    cn_free(ix);
}

/* ---- per packet ---- */

static void lookup(const struct imap *m, const union cn_addr *a, unsigned width, const uint32_t **v,
                   unsigned *n)
{
    *n = 0;
    if (m->nint == 0)
        return;
    long x = interval_of(m, a, width);
    if (x < 0)
        return;
    *v = m->rule + m->first[x];
    *n = m->first[x + 1] - m->first[x];
}

unsigned cn_iponly_candidates(const struct cn_iponly *ix, const union cn_addr *src,
                              const union cn_addr *dst, bool v6, uint32_t *out)
{
    const struct family_index *fi = &ix->fam[v6];
    unsigned width = v6 ? 16 : 4;
    const uint32_t *l[3] = {fi->always, NULL, NULL};
    unsigned n[3] = {fi->nalways, 0, 0};
    lookup(&fi->by_src, src, width, &l[1], &n[1]);
    lookup(&fi->by_dst, dst, width, &l[2], &n[2]);
    /* three ascending lists with no rule in two of them: merge */
    unsigned k = 0;
    for (;;) {
        int best = -1;
        for (int i = 0; i < 3; i++)
            if (n[i] && (best < 0 || l[i][0] < l[best][0]))
                best = i;
        if (best < 0)
            return k;
        out[k++] = l[best][0];
        l[best]++;
        n[best]--;
    }
}
