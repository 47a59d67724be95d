/* port: a rule's source and destination port sets. Parses Suricata's syntax (any, 80,
 * 80:90, 1024:, :1023, $variables, nested [lists], ! negation) and resolves it at load time
 * into sorted merged ranges. Within a list the negated elements are taken out of the union
 * of the others; a list of negations alone leaves the rest of 0..65535 ("[!80,!443]").
 * Hostile text is bounded like addresses: nesting depth, variable recursion and the total
 * number of elements. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "detect/detect_int.h"

#define MAX_DEPTH    32
#define MAX_ELEMENTS 65536u
#define PORT_MAX     65535u

struct plist {
    struct cn_port_range *v;
    unsigned n, cap;
};

static int pl_push(struct plist *l, unsigned lo, unsigned hi)
{
    if (l->n == l->cap) {
        unsigned cap = l->cap ? l->cap * 2 : 4;
        struct cn_port_range *v = cn_realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return -CN_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].lo = (uint16_t)lo;
    l->v[l->n].hi = (uint16_t)hi;
    l->n++;
    return 0;
}

static void pl_free(struct plist *l)
{
    cn_free(l->v);
    memset(l, 0, sizeof(*l));
}

static int range_cmp(const void *a, const void *b)
{
    const struct cn_port_range *x = a, *y = b;
    return (int)x->lo - (int)y->lo;
}

static void pl_normalize(struct plist *l)
{
    if (l->n < 2)
        return;
    qsort(l->v, l->n, sizeof(*l->v), range_cmp);
    unsigned o = 0;
    for (unsigned i = 1; i < l->n; i++) {
        struct cn_port_range *cur = &l->v[o];
        if ((unsigned)l->v[i].lo <= (unsigned)cur->hi + 1) {
            if (l->v[i].hi > cur->hi)
                cur->hi = l->v[i].hi;
        } else {
            l->v[++o] = l->v[i];
        }
    }
    l->n = o + 1;
}

/* dst = dst minus sub; both normalized. */
static int pl_subtract(struct plist *dst, const struct plist *sub)
{
    if (sub->n == 0 || dst->n == 0)
        return 0;
    struct plist out = {0};
    unsigned j = 0;
    for (unsigned i = 0; i < dst->n; i++) {
        unsigned lo = dst->v[i].lo, hi = dst->v[i].hi;
        bool alive = true;
        while (j < sub->n && sub->v[j].hi < lo)
            j++;
        for (unsigned k = j; k < sub->n && sub->v[k].lo <= hi; k++) {
            if (sub->v[k].lo > lo && pl_push(&out, lo, sub->v[k].lo - 1u) < 0)
                goto out_nomem;
            if (sub->v[k].hi >= hi) {
                alive = false;
                break;
            }
            lo = sub->v[k].hi + 1u;
        }
        if (alive && pl_push(&out, lo, hi) < 0)
            goto out_nomem;
    }
    cn_free(dst->v);
    *dst = out;
    return 0;

out_nomem:
    cn_free(out.v);
    return -CN_ENOMEM;
}

/* A decimal port in s[0..len); false when empty, not a number or above 65535. */
static bool parse_num(const char *s, size_t len, unsigned *out)
{
    cn_set_trim(&s, &len);
    if (len == 0 || len > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > PORT_MAX)
        return false;
    *out = v;
    return true;
}

static int parse_atom(struct cn_set_parse *ps, const char *s, size_t len, struct plist *out)
{
    const char *colon = memchr(s, ':', len);
    unsigned lo, hi;
    if (colon == NULL) {
        if (!parse_num(s, len, &lo))
            goto out_bad;
        hi = lo;
    } else {
        size_t llen = (size_t)(colon - s), rlen = len - llen - 1;
        const char *r = colon + 1;
        cn_set_trim(&r, &rlen);
        const char *l = s;
        cn_set_trim(&l, &llen);
        if (llen == 0 && rlen == 0)
            goto out_bad;
        lo = 0;
        hi = PORT_MAX;
        if (llen > 0 && !parse_num(l, llen, &lo))
            goto out_bad;
        if (rlen > 0 && !parse_num(r, rlen, &hi))
            goto out_bad;
        if (hi < lo)
            goto out_bad;
    }
    if (pl_push(out, lo, hi) < 0)
        return cn_set_fail(ps, -CN_ENOMEM, "", s, len);
    return 0;

out_bad:
    return cn_set_fail(ps, -CN_EINVAL, "bad port", s, len);
}

static int eval(struct cn_set_parse *ps, const char *s, size_t len, unsigned depth,
                struct plist *out);

static int element(struct cn_set_parse *ps, const char *s, size_t len, unsigned depth,
                   struct plist *out)
{
    if (len == 0)
        return cn_set_fail(ps, -CN_EINVAL, "empty port element in", s, len);
    if (s[0] == '[') {
        if (cn_set_match_bracket(s, len) != (long)len - 1)
            return cn_set_fail(ps, -CN_EINVAL, "unbalanced brackets in port", s, len);
        return eval(ps, s + 1, len - 2, depth + 1, out);
    }
    if (s[0] == '$') {
        char name[64];
        if (len - 1 >= sizeof(name) || len < 2)
            return cn_set_fail(ps, -CN_EINVAL, "bad variable", s, len);
        memcpy(name, s + 1, len - 1);
        name[len - 1] = '\0';
        const char *text = cn_detect_var_port(ps->vars, name);
        if (text == NULL)
            return cn_set_fail(ps, -CN_EINVAL, "undefined port variable", s, len);
        if (depth + 1 >= MAX_DEPTH)
            return cn_set_fail(ps, -CN_EINVAL, "port variables nested too deep (a loop?) at", s,
                               len);
        return eval(ps, text, strlen(text), depth + 1, out);
    }
    if (len == 3 && strncasecmp(s, "any", 3) == 0)
        return pl_push(out, 0, PORT_MAX) < 0 ? cn_set_fail(ps, -CN_ENOMEM, "", s, len) : 0;
    return parse_atom(ps, s, len, out);
}

static int eval(struct cn_set_parse *ps, const char *s, size_t len, unsigned depth,
                struct plist *out)
{
    struct plist pos = {0}, neg = {0}, one = {0};
    int rc = 0;
    if (depth >= MAX_DEPTH) {
        rc = cn_set_fail(ps, -CN_EINVAL, "port list nested too deep", s, len);
        goto out_free;
    }
    cn_set_trim(&s, &len);
    if (len == 0) {
        rc = cn_set_fail(ps, -CN_EINVAL, "empty port list", s, len);
        goto out_free;
    }
    size_t i = 0, elen;
    const char *e;
    bool negated;
    while (cn_set_list_next(s, len, &i, &e, &elen, &negated)) {
        if (++ps->elements > MAX_ELEMENTS) {
            rc = cn_set_fail(ps, -CN_EINVAL, "port list too long", s, CN_MIN(len, 20));
            goto out_free;
        }
        rc = element(ps, e, elen, depth, &one);
        if (rc < 0)
            goto out_free;
        struct plist *dst = negated ? &neg : &pos;
        for (unsigned k = 0; k < one.n; k++) {
            if (pl_push(dst, one.v[k].lo, one.v[k].hi) < 0) {
                rc = cn_set_fail(ps, -CN_ENOMEM, "", s, len);
                goto out_free;
            }
        }
        pl_free(&one);
    }
    pl_normalize(&pos);
    pl_normalize(&neg);
    if ((pos.n == 0 && neg.n > 0 && pl_push(&pos, 0, PORT_MAX) < 0) ||
        pl_subtract(&pos, &neg) < 0) {
        rc = cn_set_fail(ps, -CN_ENOMEM, "", s, len);
        goto out_free;
    }
    *out = pos;
    memset(&pos, 0, sizeof(pos));

out_free:
    pl_free(&one);
    pl_free(&pos);
    pl_free(&neg);
    return rc;
}

int cn_port_set_parse(struct cn_port_set *out, const char *text, const struct cn_detect_vars *v,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    struct cn_set_parse ps = {.vars = v, .err = err, .errlen = errlen};
    struct plist l = {0};
    if (text == NULL)
        return cn_set_fail(&ps, -CN_EINVAL, "bad port", "", 0);
    int rc = eval(&ps, text, strlen(text), 0, &l);
    if (rc < 0)
        return rc;
    if (l.n == 0) {
        rc = cn_set_fail(&ps, -CN_EINVAL, "port set matches nothing:", text, strlen(text));
        goto out_free;
    }
    if (l.n == 1 && l.v[0].lo == 0 && l.v[0].hi == PORT_MAX) {
        out->any = true;
        goto out_free;
    }
    out->v = l.v;
    out->n = l.n;
    memset(&l, 0, sizeof(l));

out_free:
    pl_free(&l);
    return rc;
}

bool cn_port_set_match(const struct cn_port_set *s, uint16_t port)
{
    if (s->any)
        return true;
    unsigned lo = 0, hi = s->n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (s->v[mid].lo <= port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && port <= s->v[lo - 1].hi;
}

void cn_port_set_free(struct cn_port_set *s)
{
    if (s == NULL)
        return;
    cn_free(s->v);
    memset(s, 0, sizeof(*s));
}
