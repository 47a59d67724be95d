/* address: a rule's source and destination address sets. Parses Suricata's syntax (any,
 * single addresses, CIDR blocks, dotted netmasks, a-b ranges, IPv4 and IPv6, $variables,
 * nested [lists] and ! negation) and resolves it, once at load time, into sorted merged
 * ranges per family so matching is a binary search.
 *
 * Negation follows Suricata's detect-engine-address.c, family by family: inside one list the
 * negated elements are taken out of the union of the others; when a family has only negated
 * elements, the rest of that family's space is what remains. So "!1.2.3.4" is every IPv4
 * address but one and no IPv6 address, and EXTERNAL_NET = !$HOME_NET with an IPv4-only
 * HOME_NET matches IPv4 only, as in Suricata.
 *
 * Hostile text is bounded: nesting depth (lists and variables together), variable
 * recursion, and the total number of elements one expression may expand to. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "detect/detect_int.h"

__extension__ typedef unsigned __int128 u128;

#define MAX_DEPTH    32     /* nested lists plus variable expansions */
#define MAX_ELEMENTS 65536u /* elements one expression may expand to, variables included */
#define MAX_ATOM     96     /* longest single address or range text */

struct rng {
    u128 lo, hi;
};
struct rlist {
    struct rng *v;
    unsigned n, cap;
};
/* [0] IPv4, [1] IPv6 */
struct rset {
    struct rlist f[2];
};

static const u128 fam_max[2] = {0xffffffffu, ~(u128)0};

/* ---- range lists ---- */

static int rl_push(struct rlist *l, u128 lo, u128 hi)
{
    if (l->n == l->cap) {
        unsigned cap = l->cap ? l->cap * 2 : 4;
        struct rng *v = cn_realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return -CN_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].lo = lo;
    l->v[l->n].hi = hi;
    l->n++;
    return 0;
}

static void rs_free(struct rset *s)
{
    cn_free(s->f[0].v);
    cn_free(s->f[1].v);
    memset(s, 0, sizeof(*s));
}

static int rng_cmp(const void *a, const void *b)
{
    const struct rng *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts and merges overlapping or adjacent ranges in place. */
static void rl_normalize(struct rlist *l)
{
    if (l->n < 2)
        return;
    qsort(l->v, l->n, sizeof(*l->v), rng_cmp);
    unsigned o = 0;
    for (unsigned i = 1; i < l->n; i++) {
        struct rng *cur = &l->v[o];
        /* cur->hi + 1 cannot overflow unless cur already reaches the top */
        if (cur->hi == ~(u128)0 || l->v[i].lo <= cur->hi + 1) {
            if (l->v[i].hi > cur->hi)
                cur->hi = l->v[i].hi;
        } else {
            l->v[++o] = l->v[i];
        }
    }
    l->n = o + 1;
}

/* dst = dst minus sub; both normalized. */
static int rl_subtract(struct rlist *dst, const struct rlist *sub)
{
    if (sub->n == 0 || dst->n == 0)
        return 0;
    struct rlist out = {0};
    unsigned j = 0;
    for (unsigned i = 0; i < dst->n; i++) {
        u128 lo = dst->v[i].lo, hi = dst->v[i].hi;
        bool alive = true;
        while (j < sub->n && sub->v[j].hi < lo)
            j++;
        for (unsigned k = j; k < sub->n && sub->v[k].lo <= hi; k++) {
            if (sub->v[k].lo > lo && rl_push(&out, lo, sub->v[k].lo - 1) < 0)
                goto out_nomem;
            if (sub->v[k].hi >= hi) {
                alive = false;
                break;
            }
            lo = sub->v[k].hi + 1;
        }
        if (alive && rl_push(&out, lo, hi) < 0)
            goto out_nomem;
    }
    cn_free(dst->v);
    *dst = out;
    return 0;

out_nomem:
    cn_free(out.v);
    return -CN_ENOMEM;
}

static int rl_append(struct rlist *dst, const struct rlist *src)
{
    for (unsigned i = 0; i < src->n; i++)
        if (rl_push(dst, src->v[i].lo, src->v[i].hi) < 0)
            return -CN_ENOMEM;
    return 0;
}

/* ---- parsing ---- */

static u128 load_be(const uint8_t *b, unsigned n)
{
    u128 v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | b[i];
    return v;
}

/* One address in text form: returns the family index (0, 1) or -1. */
static int parse_ip(const char *s, u128 *out)
{
    uint8_t b[16];
    if (strchr(s, ':') != NULL) {
        if (inet_pton(AF_INET6, s, b) != 1)
            return -1;
        *out = load_be(b, 16);
        return 1;
    }
    if (inet_pton(AF_INET, s, b) != 1)
        return -1;
    *out = load_be(b, 4);
    return 0;
}

static bool parse_prefix(const char *s, unsigned max, unsigned *out)
{
    if (*s == '\0' || strlen(s) > 3)
        return false;
    unsigned v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (unsigned)(*s - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* 1.2.3.4, 1.2.3.0/24, 1.2.3.0/255.255.255.0, 1.2.3.4-1.2.3.9, and IPv6 forms. */
static int parse_atom(struct cn_set_parse *ps, const char *s, size_t len, struct rset *out)
{
    char buf[MAX_ATOM];
    if (len == 0 || len >= sizeof(buf))
        return cn_set_fail(ps, -CN_EINVAL, "bad address", s, len);
    memcpy(buf, s, len);
    buf[len] = '\0';

    u128 lo, hi;
    int fam;
    char *slash = strchr(buf, '/');
    char *dash = strchr(buf, '-');
    if (slash != NULL) {
        *slash = '\0';
        fam = parse_ip(buf, &lo);
        if (fam < 0)
            goto out_bad;
        unsigned bits = fam ? 128 : 32, plen;
        u128 mask;
        if (parse_prefix(slash + 1, bits, &plen)) {
            mask = plen == 0 ? 0 : (fam_max[fam] << (bits - plen)) & fam_max[fam];
        } else {
            /* a dotted netmask; it must be contiguous ones */
            u128 m;
            if (fam != 0 || parse_ip(slash + 1, &m) != 0)
                goto out_bad;
            u128 inv = ~m & fam_max[0];
            if ((inv & (inv + 1)) != 0)
                goto out_bad;
            mask = m;
        }
        /* host bits in a CIDR are cleared, as Suricata does */
        lo &= mask;
        hi = lo | (~mask & fam_max[fam]);
    } else if (dash != NULL) {
        *dash = '\0';
        u128 h;
        fam = parse_ip(buf, &lo);
        if (fam < 0 || parse_ip(dash + 1, &h) != fam || h < lo)
            goto out_bad;
        hi = h;
    } else {
        fam = parse_ip(buf, &lo);
        if (fam < 0)
            goto out_bad;
        hi = lo;
    }
    if (rl_push(&out->f[fam], lo, hi) < 0)
        return cn_set_fail(ps, -CN_ENOMEM, "", s, len);
    return 0;

out_bad:
    return cn_set_fail(ps, -CN_EINVAL, "bad address", s, len);
}

static int eval(struct cn_set_parse *ps, const char *s, size_t len, unsigned depth,
                struct rset *out);

/* One element without its '!': a [list], a $variable, any, or an address form. */
static int element(struct cn_set_parse *ps, const char *s, size_t len, unsigned depth,
                   struct rset *out)
{
    if (len == 0)
        return cn_set_fail(ps, -CN_EINVAL, "empty address element in", s, len);
    if (s[0] == '[') {
        long end = cn_set_match_bracket(s, len);
        if (end != (long)len - 1)
            return cn_set_fail(ps, -CN_EINVAL, "unbalanced brackets in address", s, len);
        return eval(ps, s + 1, len - 2, depth + 1, out);
    }
    if (s[0] == '$') {
        char name[64];
        if (len - 1 >= sizeof(name) || len < 2)
            return cn_set_fail(ps, -CN_EINVAL, "bad variable", s, len);
        memcpy(name, s + 1, len - 1);
        name[len - 1] = '\0';
        const char *text = cn_detect_var_address(ps->vars, name);
        if (text == NULL)
            return cn_set_fail(ps, -CN_EINVAL, "undefined address variable", s, len);
        if (depth + 1 >= MAX_DEPTH)
            return cn_set_fail(ps, -CN_EINVAL, "address variables nested too deep (a loop?) at", s,
                               len);
        return eval(ps, text, strlen(text), depth + 1, out);
    }
    if (len == 3 && strncasecmp(s, "any", 3) == 0) {
        if (rl_push(&out->f[0], 0, fam_max[0]) < 0 || rl_push(&out->f[1], 0, fam_max[1]) < 0)
            return cn_set_fail(ps, -CN_ENOMEM, "", s, len);
        return 0;
    }
    return parse_atom(ps, s, len, out);
}

/* A comma list (brackets already stripped) into a resolved set. */
static int eval(struct cn_set_parse *ps, const char *s, size_t len, unsigned depth,
                struct rset *out)
{
    struct rset pos = {0}, neg = {0}, one = {0};
    int rc = 0;
    if (depth >= MAX_DEPTH) {
        rc = cn_set_fail(ps, -CN_EINVAL, "address list nested too deep", s, len);
        goto out_free;
    }
    cn_set_trim(&s, &len);
    if (len == 0) {
        rc = cn_set_fail(ps, -CN_EINVAL, "empty address list", s, len);
        goto out_free;
    }
    size_t i = 0, elen;
    const char *e;
    bool negated;
    while (cn_set_list_next(s, len, &i, &e, &elen, &negated)) {
        if (++ps->elements > MAX_ELEMENTS) {
            rc = cn_set_fail(ps, -CN_EINVAL, "address list too long", s, CN_MIN(len, 20));
            goto out_free;
        }
        memset(&one, 0, sizeof(one));
        rc = element(ps, e, elen, depth, &one);
        if (rc < 0)
            goto out_free;
        struct rset *dst = negated ? &neg : &pos;
        for (int f = 0; f < 2; f++) {
            if (rl_append(&dst->f[f], &one.f[f]) < 0) {
                rc = cn_set_fail(ps, -CN_ENOMEM, "", s, len);
                goto out_free;
            }
        }
        rs_free(&one);
    }
    for (int f = 0; f < 2; f++) {
        rl_normalize(&pos.f[f]);
        rl_normalize(&neg.f[f]);
        if (pos.f[f].n == 0 && neg.f[f].n > 0 && rl_push(&pos.f[f], 0, fam_max[f]) < 0) {
            rc = cn_set_fail(ps, -CN_ENOMEM, "", s, len);
            goto out_free;
        }
        if (rl_subtract(&pos.f[f], &neg.f[f]) < 0) {
            rc = cn_set_fail(ps, -CN_ENOMEM, "", s, len);
            goto out_free;
        }
    }
    *out = pos;
    memset(&pos, 0, sizeof(pos));

out_free:
    rs_free(&one);
    rs_free(&pos);
    rs_free(&neg);
    return rc;
}

static void store_be(union cn_addr *a, u128 v, unsigned n)
{
    memset(a, 0, sizeof(*a));
    for (unsigned i = n; i-- > 0;) {
        a->b[i] = (uint8_t)v;
        v >>= 8;
    }
}

static int export_family(const struct rlist *l, unsigned bytes, struct cn_addr_range **out)
{
    *out = NULL;
    if (l->n == 0)
        return 0;
    struct cn_addr_range *v = cn_calloc(l->n, sizeof(*v));
    if (v == NULL)
        return -CN_ENOMEM;
    for (unsigned i = 0; i < l->n; i++) {
        store_be(&v[i].lo, l->v[i].lo, bytes);
        store_be(&v[i].hi, l->v[i].hi, bytes);
    }
    *out = v;
    return 0;
}

static bool full(const struct rlist *l, int f)
{
    return l->n == 1 && l->v[0].lo == 0 && l->v[0].hi == fam_max[f];
}

int cn_addr_set_parse(struct cn_addr_set *out, const char *text, const struct cn_detect_vars *v,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    struct cn_set_parse ps = {.vars = v, .err = err, .errlen = errlen};
    struct rset rs = {0};
    if (text == NULL)
        return cn_set_fail(&ps, -CN_EINVAL, "bad address", "", 0);
    int rc = eval(&ps, text, strlen(text), 0, &rs);
    if (rc < 0)
        return rc;
    if (rs.f[0].n == 0 && rs.f[1].n == 0) {
        rc = cn_set_fail(&ps, -CN_EINVAL, "address set matches nothing:", text, strlen(text));
        goto out_free;
    }
    if (full(&rs.f[0], 0) && full(&rs.f[1], 1)) {
        out->any = true;
        goto out_free;
    }
    if (export_family(&rs.f[0], 4, &out->v4) < 0 || export_family(&rs.f[1], 16, &out->v6) < 0) {
        cn_addr_set_free(out);
        rc = cn_set_fail(&ps, -CN_ENOMEM, "", "", 0);
        goto out_free;
    }
    out->n4 = rs.f[0].n;
    out->n6 = rs.f[1].n;

out_free:
    rs_free(&rs);
    return rc;
}

/* Addresses compare as big-endian integers: one 32-bit compare for IPv4, at most two 64-bit
 * compares for IPv6, instead of a memcmp call per step of the search. */
static inline uint64_t be64_at(const uint8_t *b)
{
    uint64_t v;
    memcpy(&v, b, 8);
    return __builtin_bswap64(v);
}

static inline int addr_cmp(const union cn_addr *x, const union cn_addr *y, bool v6)
{
    if (!v6) {
        uint32_t a = __builtin_bswap32(x->w[0]), b = __builtin_bswap32(y->w[0]);
        return (a > b) - (a < b);
    }
    uint64_t a = be64_at(x->b), b = be64_at(y->b);
    if (a == b) {
        a = be64_at(x->b + 8);
        b = be64_at(y->b + 8);
    }
    return (a > b) - (a < b);
}

bool cn_addr_set_match(const struct cn_addr_set *s, const union cn_addr *a, int family)
{
    if (s->any)
        return true;
    bool v6 = family == 6 || family == AF_INET6;
    const struct cn_addr_range *r = v6 ? s->v6 : s->v4;
    unsigned n = v6 ? s->n6 : s->n4;
    /* the last range whose low end is <= a; the ranges do not overlap */
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (addr_cmp(&r[mid].lo, a, v6) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && addr_cmp(a, &r[lo - 1].hi, v6) <= 0;
}

void cn_addr_set_free(struct cn_addr_set *s)
{
    if (s == NULL)
        return;
    if (!s->shared) {
        cn_free(s->v4);
        cn_free(s->v6);
    }
    memset(s, 0, sizeof(*s));
}

/* ---- the pool of shared range arrays ---- */

struct pool_entry {
    uint64_t hash;
    struct cn_addr_range *v; /* NULL: empty slot */
    unsigned n;
};
struct cn_addr_pool {
    struct pool_entry *slots;
    size_t mask, used;
};

struct cn_addr_pool *cn_addr_pool_new(void)
{
    struct cn_addr_pool *p = cn_calloc(1, sizeof(*p));
    if (p && !(p->slots = cn_calloc(64, sizeof(*p->slots)))) {
        cn_free(p);
        return NULL;
    }
    if (p)
        p->mask = 63;
    return p;
}

static bool pool_grow(struct cn_addr_pool *p)
{
    size_t n = (p->mask + 1) * 2;
    struct pool_entry *ns = cn_calloc(n, sizeof(*ns));
    if (!ns)
        return false;
    for (size_t i = 0; i <= p->mask; i++) {
        if (!p->slots[i].v)
            continue;
        size_t j = p->slots[i].hash & (n - 1);
        while (ns[j].v)
            j = (j + 1) & (n - 1);
        ns[j] = p->slots[i];
    }
    cn_free(p->slots);
    p->slots = ns;
    p->mask = n - 1;
    return true;
}

/* The pool's copy of v[0..n): the one already there (v is freed) or v itself, from now on
 * the pool's. The caller made room. */
static struct cn_addr_range *pool_intern(struct cn_addr_pool *p, struct cn_addr_range *v,
                                         unsigned n)
{
    size_t bytes = (size_t)n * sizeof(*v);
    uint64_t h = cn_hash_bytes(v, bytes, n);
    size_t i = h & p->mask;
    for (; p->slots[i].v; i = (i + 1) & p->mask)
        if (p->slots[i].hash == h && p->slots[i].n == n && !memcmp(p->slots[i].v, v, bytes)) {
            cn_free(v);
            return p->slots[i].v;
        }
    p->slots[i] = (struct pool_entry){h, v, n};
    p->used++;
    return v;
}

void cn_addr_pool_share(struct cn_addr_pool *p, struct cn_addr_set *s)
{
    if (!p || s->shared || s->any || (!s->v4 && !s->v6))
        return;
    /* room for both arrays first, so the set is shared whole or not at all */
    if ((p->used + 2) * 2 > p->mask + 1 && !pool_grow(p))
        return; /* out of memory: the set keeps its own arrays */
    if (s->v4)
        s->v4 = pool_intern(p, s->v4, s->n4);
    if (s->v6)
        s->v6 = pool_intern(p, s->v6, s->n6);
    s->shared = true;
}

void cn_addr_pool_free(struct cn_addr_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i <= p->mask; i++)
        cn_free(p->slots[i].v);
    cn_free(p->slots);
    cn_free(p);
}
