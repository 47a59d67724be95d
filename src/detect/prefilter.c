/* prefilter: the multi-pattern stage in front of the rules. Each rule group (engine.c) gives
 * its rules here once, at load time; every rule with a positive content in the payload list
 * contributes one pattern, its fast pattern (the content marked fast_pattern, else the
 * longest; at least PATTERN_MIN bytes), and Hyperscan compiles the group's patterns into one
 * literal database. Per packet one scan of the payload says which of those rules can match;
 * the rules without a pattern (header-only rules, rules whose contents are all negated, too
 * short or in other buffers) are candidates whenever their ports allow: those with a few
 * specific destination ports (or, failing that, source ports) are filed under each port, the
 * rest are tried on every packet. The candidates come back in rule order, so evaluation order,
 * and with it flowbits and alert order, is the same as without the prefilter.
 *
 * The database is read-only and shared by all workers; each worker owns a Hyperscan scratch
 * (cn_prefilter_scratch) grown to fit every database of the rule set. Patterns that several
 * rules share are compiled once. */
#include <stdio.h>
#include <stdlib.h>

#include <hs/hs.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"
#include "detect/prefilter.h"

struct cn_prefilter {
    hs_database_t *db;
    /* pattern i is the fast pattern of rules rule_of[first[i] .. first[i + 1]) (indexes in
     * the group, ascending) */
    uint32_t *first;
    uint32_t *rule_of;
    unsigned npatterns;
    /* rules with no pattern: candidates for every packet, ascending */
    uint32_t *always;
    unsigned nalways;
    /* rules with no pattern filed by port (CSR: the rules of port x are
     * by_dp[dp_first[x] .. dp_first[x + 1]), ascending); NULL when none */
    uint32_t *dp_first, *by_dp;
    uint32_t *sp_first, *by_sp;
    unsigned nported; /* rules filed by port */
    unsigned nrules;  /* rules in the group */
    /* bit i: group rule i has no pattern here but a (short) content, so it cannot match an
     * empty payload; NULL when no such rule */
    uint64_t *needs_payload;
};

/* A rule naming at most this many ports is filed under each of them. */
#define PORT_FILE_MAX 64

struct cn_prefilter_scratch {
    hs_scratch_t *hs;
    uint32_t *hits; /* pattern ids reported by the scan */
    unsigned nhits, cap;
    uint32_t *merged; /* rule indexes before ordering */
    unsigned merged_cap;
};

/* ---- choosing a rule's fast pattern ---- */

/* A pattern shorter than this is not compiled: one- and two-byte literals slow Hyperscan down
 * on every byte it scans (with ET Open, leaving them out made the whole run about 12% faster),
 * while the few rules that have nothing longer are cheap to try directly, filed by port when
 * they can be. */
#define PATTERN_MIN 3

/* The bytes of c that the prefilter looks for (a fast_pattern:<offset>,<length> slice). */
static void pattern_bytes(const struct cn_content *c, const uint8_t **b, uint32_t *len)
{
    *b = c->bytes;
    *len = c->len;
    if ((c->flags & CN_CONTENT_FP_CHOP) && c->fp_chop_offset < c->len) {
        *b = c->bytes + c->fp_chop_offset;
        *len = CN_MIN((uint32_t)c->fp_chop_len, c->len - c->fp_chop_offset);
    }
}

static uint32_t pattern_len(const struct cn_content *c)
{
    const uint8_t *b;
    uint32_t len;
    pattern_bytes(c, &b, &len);
    return len;
}

/* The content whose bytes go to the prefilter: the one marked fast_pattern, else the longest
 * positive one (the first of equal length); the longest also replaces a marked one too short
 * to compile (every positive content must be present for the rule to match, so any of them
 * is a sound filter). NULL when the payload list has none. */
static const struct cn_content *fast_pattern_of(const struct cn_rule *r)
{
    if (r->nlists <= CN_LIST_PAYLOAD)
        return NULL;
    const struct cn_smlist *l = &r->lists[CN_LIST_PAYLOAD];
    const struct cn_content *best = NULL, *marked = NULL;
    for (unsigned i = 0; i < l->n; i++) {
        if (l->v[i].kw != &cn_kw_content)
            continue;
        const struct cn_content *c = l->v[i].data;
        if (c->flags & CN_CONTENT_NEGATED)
            continue;
        if ((c->flags & CN_CONTENT_FAST_PATTERN) && !marked)
            marked = c;
        if (!best || c->len > best->len)
            best = c;
    }
    if (marked && (pattern_len(marked) >= PATTERN_MIN || best->len < PATTERN_MIN))
        return marked;
    return best;
}

/* ---- building ---- */

static unsigned port_count(const struct cn_port_set *ps)
{
    if (ps->any)
        return 65536;
    unsigned n = 0;
    for (unsigned i = 0; i < ps->n && n <= PORT_FILE_MAX; i++)
        n += (unsigned)ps->v[i].hi - ps->v[i].lo + 1;
    return n;
}

/* Which port set files rule r: its destination ports, else its source ports, else none
 * (a <> rule matches either way round, so it is never filed). */
static const struct cn_port_set *filing_ports(const struct cn_rule *r, bool *by_dst)
{
    if (r->flags & CN_RULE_BIDIR)
        return NULL;
    if (port_count(&r->dp) <= PORT_FILE_MAX) {
        *by_dst = true;
        return &r->dp;
    }
    if (port_count(&r->sp) <= PORT_FILE_MAX) {
        *by_dst = false;
        return &r->sp;
    }
    return NULL;
}

/* Files the rules idx[0..n) (ascending) by the ports of sets[i] into CSR arrays. */
static int file_by_port(const uint32_t *idx, const struct cn_port_set *const *sets, unsigned n,
                        uint32_t **first_out, uint32_t **by_out)
{
    if (n == 0)
        return 0;
    uint32_t *first = cn_calloc(65537, sizeof(*first));
    if (!first)
        return -CN_ENOMEM;
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < sets[i]->n; k++)
            for (uint32_t port = sets[i]->v[k].lo; port <= sets[i]->v[k].hi; port++) {
                first[port + 1]++;
                total++;
            }
    for (unsigned x = 0; x < 65536; x++)
        first[x + 1] += first[x];
    uint32_t *by = cn_calloc(total ? total : 1, sizeof(*by));
    uint32_t *fill = cn_calloc(65536, sizeof(*fill));
    if (!by || !fill) {
        cn_free(first);
        cn_free(by);
        cn_free(fill);
        return -CN_ENOMEM;
    }
    for (unsigned i = 0; i < n; i++) /* ascending i keeps each port's list ascending */
        for (unsigned k = 0; k < sets[i]->n; k++)
            for (uint32_t port = sets[i]->v[k].lo; port <= sets[i]->v[k].hi; port++)
                by[first[port] + fill[port]++] = idx[i];
    cn_free(fill);
    *first_out = first;
    *by_out = by;
    return 0;
}

/* Splits the rules without a pattern (pf->always) into those filed by port and the rest. */
static int file_always(struct cn_prefilter *pf, const struct cn_rule *const *rules)
{
    unsigned n = pf->nalways, nd = 0, ns = 0, keep = 0;
    uint32_t *didx = cn_calloc(n ? n : 1, sizeof(*didx));
    uint32_t *sidx = cn_calloc(n ? n : 1, sizeof(*sidx));
    const struct cn_port_set **dsets = cn_calloc(n ? n : 1, sizeof(*dsets));
    const struct cn_port_set **ssets = cn_calloc(n ? n : 1, sizeof(*ssets));
    int rc = -CN_ENOMEM;
    if (!didx || !sidx || !dsets || !ssets)
        goto out_free;
    for (unsigned i = 0; i < n; i++) {
        uint32_t ri = pf->always[i];
        bool by_dst = false;
        const struct cn_port_set *ps = filing_ports(rules[ri], &by_dst);
        if (!ps) {
            pf->always[keep++] = ri;
        } else if (by_dst) {
            didx[nd] = ri;
            dsets[nd++] = ps;
        } else {
            sidx[ns] = ri;
            ssets[ns++] = ps;
        }
    }
    pf->nalways = keep;
    pf->nported = nd + ns;
    if (file_by_port(didx, dsets, nd, &pf->dp_first, &pf->by_dp) < 0 ||
        file_by_port(sidx, ssets, ns, &pf->sp_first, &pf->by_sp) < 0)
        goto out_free;
    rc = 0;
out_free:
    cn_free(didx);
    cn_free(sidx);
    cn_free(dsets);
    cn_free(ssets);
    return rc;
}

struct entry { /* one rule's pattern while the group is built */
    const uint8_t *b;
    uint32_t len;
    bool nocase;
    uint32_t rule;
};

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->nocase != y->nocase)
        return x->nocase ? 1 : -1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(x->b, y->b, x->len);
    if (c)
        return c;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static bool same_pattern(const struct entry *x, const struct entry *y)
{
    return x->nocase == y->nocase && x->len == y->len && !memcmp(x->b, y->b, x->len);
}

static int compile(struct cn_prefilter *pf, const struct entry *e, unsigned ne, char *err,
                   size_t errlen)
{
    const char **exprs = cn_calloc(pf->npatterns, sizeof(*exprs));
    size_t *lens = cn_calloc(pf->npatterns, sizeof(*lens));
    unsigned *flags = cn_calloc(pf->npatterns, sizeof(*flags));
    unsigned *ids = cn_calloc(pf->npatterns, sizeof(*ids));
    int rc = -CN_ENOMEM;
    if (!exprs || !lens || !flags || !ids) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    unsigned p = 0;
    for (unsigned i = 0; i < ne; i++) {
        if (i > 0 && same_pattern(&e[i - 1], &e[i]))
            continue;
        exprs[p] = (const char *)e[i].b;
        lens[p] = e[i].len;
        flags[p] = HS_FLAG_SINGLEMATCH | (e[i].nocase ? HS_FLAG_CASELESS : 0);
        ids[p] = p;
        p++;
    }
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_lit_multi(exprs, flags, ids, lens, pf->npatterns, HS_MODE_BLOCK, NULL, &pf->db,
                             &cerr) != HS_SUCCESS) {
        snprintf(err, errlen, "hyperscan: %s", cerr && cerr->message ? cerr->message : "error");
        hs_free_compile_error(cerr);
        rc = -CN_EINVAL;
        goto out_free;
    }
    rc = 0;
out_free:
    cn_free(exprs);
    cn_free(lens);
    cn_free(flags);
    cn_free(ids);
    return rc;
}

static int mark_needs_payload(struct cn_prefilter *pf, const uint32_t *idx, unsigned n, uint32_t i)
{
    if (!pf->needs_payload) {
        uint32_t top = n ? idx[n - 1] : 0; /* idx ascends */
        if (!(pf->needs_payload = cn_calloc(top / 64 + 1, sizeof(uint64_t))))
            return -CN_ENOMEM;
    }
    pf->needs_payload[i / 64] |= 1ull << (i % 64);
    return 0;
}

struct cn_prefilter *cn_prefilter_build(const struct cn_rule *const *rules, const uint32_t *idx,
                                        unsigned n, char *err, size_t errlen)
{
    struct cn_prefilter *pf = cn_calloc(1, sizeof(*pf));
    struct entry *e = cn_calloc(n ? n : 1, sizeof(*e));
    if (!pf || !e)
        goto out_nomem;
    pf->nrules = n;
    pf->always = cn_calloc(n ? n : 1, sizeof(*pf->always));
    pf->rule_of = cn_calloc(n ? n : 1, sizeof(*pf->rule_of));
    pf->first = cn_calloc(n + 1, sizeof(*pf->first));
    if (!pf->always || !pf->rule_of || !pf->first)
        goto out_nomem;
    unsigned ne = 0;
    for (unsigned k = 0; k < n; k++) {
        uint32_t i = idx[k];
        const struct cn_content *c = fast_pattern_of(rules[i]);
        const uint8_t *b;
        uint32_t len;
        if (c)
            pattern_bytes(c, &b, &len);
        if (!c || len < PATTERN_MIN) {
            pf->always[pf->nalways++] = i;
            if (c && mark_needs_payload(pf, idx, n, i) < 0)
                goto out_nomem;
            continue;
        }
        e[ne++] = (struct entry){b, len, (c->flags & CN_CONTENT_NOCASE) != 0, i};
    }
    qsort(e, ne, sizeof(*e), entry_cmp);
    for (unsigned i = 0; i < ne; i++) {
        if (i == 0 || !same_pattern(&e[i - 1], &e[i]))
            pf->first[pf->npatterns++] = i;
        pf->rule_of[i] = e[i].rule;
    }
    pf->first[pf->npatterns] = ne;
    if (file_always(pf, rules) < 0)
        goto out_nomem;
    if (pf->npatterns && compile(pf, e, ne, err, errlen) != 0)
        goto out_free;
    cn_free(e);
    return pf;
out_nomem:
    snprintf(err, errlen, "out of memory");
out_free:
    cn_free(e);
    cn_prefilter_free(pf);
    return NULL;
}

void cn_prefilter_free(struct cn_prefilter *pf)
{
    if (!pf)
        return;
    hs_free_database(pf->db);
    cn_free(pf->first);
    cn_free(pf->rule_of);
    cn_free(pf->always);
    cn_free(pf->needs_payload);
    cn_free(pf->dp_first);
    cn_free(pf->by_dp);
    cn_free(pf->sp_first);
    cn_free(pf->by_sp);
    cn_free(pf);
}

unsigned cn_prefilter_patterns(const struct cn_prefilter *pf)
{
    return pf ? pf->npatterns : 0;
}

unsigned cn_prefilter_always(const struct cn_prefilter *pf)
{
    return pf ? pf->nalways : 0;
}

unsigned cn_prefilter_ported(const struct cn_prefilter *pf)
{
    return pf ? pf->nported : 0;
}

/* ---- per worker ---- */

struct cn_prefilter_scratch *cn_prefilter_scratch_new(void)
{
    return cn_calloc(1, sizeof(struct cn_prefilter_scratch));
}

int cn_prefilter_scratch_fit(struct cn_prefilter_scratch *s, const struct cn_prefilter *pf)
{
    if (pf->db && hs_alloc_scratch(pf->db, &s->hs) != HS_SUCCESS)
        return -CN_ENOMEM;
    if (pf->npatterns > s->cap) {
        uint32_t *h = cn_realloc(s->hits, (size_t)pf->npatterns * sizeof(*h));
        if (!h)
            return -CN_ENOMEM;
        s->hits = h;
        s->cap = pf->npatterns;
    }
    if (pf->nrules > s->merged_cap) {
        uint32_t *m = cn_realloc(s->merged, (size_t)pf->nrules * sizeof(*m));
        if (!m)
            return -CN_ENOMEM;
        s->merged = m;
        s->merged_cap = pf->nrules;
    }
    return 0;
}

void cn_prefilter_scratch_free(struct cn_prefilter_scratch *s)
{
    if (!s)
        return;
    hs_free_scratch(s->hs);
    cn_free(s->hits);
    cn_free(s->merged);
    cn_free(s);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    (void)from, (void)to, (void)flags;
    struct cn_prefilter_scratch *s = ctx;
    if (s->nhits < s->cap) /* SINGLEMATCH: each pattern once, so this always holds */
        s->hits[s->nhits++] = id;
    return 0;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void sort_small(uint32_t *v, unsigned n)
{
    if (n > 32) {
        qsort(v, n, sizeof(*v), u32_cmp);
        return;
    }
    for (unsigned i = 1; i < n; i++) {
        uint32_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

struct run { /* one ascending list of rule indexes */
    const uint32_t *v;
    unsigned n;
};

/* Merges up to four ascending lists (no index is in two of them) into out. */
static unsigned merge(struct run *r, unsigned nr, uint32_t *out)
{
    unsigned n = 0;
    for (;;) {
        int best = -1;
        for (unsigned i = 0; i < nr; i++)
            if (r[i].n && (best < 0 || r[i].v[0] < r[best].v[0]))
                best = (int)i;
        if (best < 0)
            return n;
        out[n++] = r[best].v[0];
        r[best].v++;
        r[best].n--;
    }
}

/* An empty payload: the candidates less the rules that need payload bytes (most packets
 * without payload are bare ACKs, and each such rule would be tried on every one). */
static unsigned without_payload_rules(const struct cn_prefilter *pf, struct cn_prefilter_scratch *s,
                                      struct run *runs, unsigned nr, const uint32_t **out)
{
    unsigned n = merge(runs, nr, s->merged), k = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t r = s->merged[i];
        if (!(pf->needs_payload[r / 64] & (1ull << (r % 64))))
            s->merged[k++] = r;
    }
    *out = s->merged;
    return k;
}

unsigned cn_prefilter_run(const struct cn_prefilter *pf, struct cn_prefilter_scratch *s,
                          const uint8_t *buf, uint32_t len, bool has_ports, uint16_t sp,
                          uint16_t dp, const uint32_t **out)
{
    s->nhits = 0;
    if (pf->db && len > 0)
        hs_scan(pf->db, (const char *)buf, len, 0, s->hs, on_match, s);
    struct run runs[4];
    unsigned nr = 0;
    if (s->nhits) {
        /* the hit rules go to the end of merged and the merge writes from its start: all the
         * lists together fit in merged, so a write never lands on a hit not yet read */
        unsigned nh = 0;
        for (unsigned i = 0; i < s->nhits; i++)
            nh += pf->first[s->hits[i] + 1] - pf->first[s->hits[i]];
        uint32_t *h = s->merged + (s->merged_cap - nh);
        unsigned k = 0;
        for (unsigned i = 0; i < s->nhits; i++)
            for (uint32_t j = pf->first[s->hits[i]]; j < pf->first[s->hits[i] + 1]; j++)
                h[k++] = pf->rule_of[j];
        sort_small(h, nh);
        runs[nr++] = (struct run){h, nh};
    }
    if (pf->nalways)
        runs[nr++] = (struct run){pf->always, pf->nalways};
    if (has_ports && pf->dp_first && pf->dp_first[dp + 1] > pf->dp_first[dp])
        runs[nr++] =
            (struct run){pf->by_dp + pf->dp_first[dp], pf->dp_first[dp + 1] - pf->dp_first[dp]};
    if (has_ports && pf->sp_first && pf->sp_first[sp + 1] > pf->sp_first[sp])
        runs[nr++] =
            (struct run){pf->by_sp + pf->sp_first[sp], pf->sp_first[sp + 1] - pf->sp_first[sp]};
    if (nr == 0)
        return 0;
    if (len == 0 && pf->needs_payload)
        return without_payload_rules(pf, s, runs, nr, out);
    if (nr == 1) {
        *out = runs[0].v;
        return runs[0].n;
    }
    *out = s->merged;
    return merge(runs, nr, s->merged);
}
