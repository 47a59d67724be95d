/* transform: the machinery shared by the transform keywords (one file each in kw/). At load
 * time it builds each sticky buffer's chain; at inspection it runs a chain over the buffer's
 * bytes in the worker's scratch space. See transform.h for the rules a chain follows.
 *
 * Scratch layout: two work buffers that the steps of a chain ping-pong between, and a small
 * ring of result slots the last step writes into. Each slot remembers which chain over which
 * buffer of which packet produced it, so a second rule with an identical chain (same steps,
 * same options) over the same buffer reuses the bytes instead of running the chain again.
 * Everything is allocated once, on the worker's first transform; nothing is allocated per
 * packet. */
#include <stdio.h>

#include "detect/kw/content.h"
#include "detect/transform.h"

#define RESULT_SLOTS 4

struct step {
    const struct cn_transform_op *op;
    void *opt;
    uint8_t *id; /* option identity bytes (copy); NULL when idlen is 0 */
    uint32_t idlen;
};

struct cn_transform_chain {
    struct step steps[CN_TRANSFORM_MAX_STEPS];
    unsigned n;
    uint64_t hash; /* over ops and ids: a cheap first test of chain identity */
};

struct result {
    uint64_t gen; /* packet generation; 0 = empty */
    const struct cn_transform_chain *chain;
    unsigned list;
    const uint8_t *in; /* the raw buffer the chain ran over */
    uint32_t inlen;
    uint32_t len;
};

struct cn_transform_scratch {
    uint64_t gen;
    uint8_t *mem; /* work[0], work[1], slot[0..RESULT_SLOTS-1], CN_TRANSFORM_MAX_LEN each */
    uint8_t *work[2];
    uint8_t *slot[RESULT_SLOTS];
    struct result res[RESULT_SLOTS];
    unsigned next; /* slot to overwrite next */
    pcre2_match_data *md;
};

/* ---- building chains (load time) ---- */

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void chain_free(void *data)
{
    struct cn_transform_chain *c = data;
    if (c == NULL)
        return;
    for (unsigned i = 0; i < c->n; i++) {
        if (c->steps[i].op->free != NULL)
            c->steps[i].op->free(c->steps[i].opt);
        cn_free(c->steps[i].id);
    }
    cn_free(c);
}

const struct cn_keyword cn_kw_transform_chain = {
    .name = "(transforms)",
    .free = chain_free,
};

int cn_transform_add(struct cn_rule_builder *b, const struct cn_transform_op *op, void *opt,
                     const void *id, uint32_t idlen, char *err, size_t errlen)
{
    int rc = -CN_EINVAL;
    uint8_t *idcopy = NULL;
    /* Suricata: a transform applies to the sticky buffer named right before it; after
     * pkt_data, without a buffer, or once a content keyword used the buffer, it is an error. */
    if (b->list < CN_LIST__BUILTIN || b->list >= CN_LIST__MAX) {
        snprintf(err, errlen, "transforms must directly follow stickybuffers");
        goto out_free;
    }
    struct cn_smlist *l = &b->rule->lists[b->list];
    bool have = cn_transform_list_has_chain(l);
    if (l->n > (have ? 1u : 0u)) {
        snprintf(err, errlen, "transforms must directly follow stickybuffers");
        goto out_free;
    }
    if (have && ((struct cn_transform_chain *)l->v[0].data)->n >= CN_TRANSFORM_MAX_STEPS) {
        snprintf(err, errlen, "more than %u transforms on one buffer", CN_TRANSFORM_MAX_STEPS);
        goto out_free;
    }
    if (idlen > 0) {
        idcopy = cn_malloc(idlen);
        if (idcopy == NULL)
            goto out_nomem;
        memcpy(idcopy, id, idlen);
    }
    if (!have) {
        struct cn_transform_chain *c = cn_calloc(1, sizeof(*c));
        if (c == NULL)
            goto out_nomem;
        c->hash = 0xcbf29ce484222325ull;
        /* a failed append frees c through the keyword's free */
        if (cn_rule_add_match(b->rule, b->list, &cn_kw_transform_chain, c) < 0)
            goto out_nomem;
    }
    struct cn_transform_chain *c = l->v[0].data;
    c->steps[c->n] = (struct step){.op = op, .opt = opt, .id = idcopy, .idlen = idlen};
    c->n++;
    c->hash = fnv(c->hash, &op, sizeof(op));
    c->hash = fnv(c->hash, &idlen, sizeof(idlen));
    if (idlen > 0)
        c->hash = fnv(c->hash, idcopy, idlen);
    return 0;

out_nomem:
    snprintf(err, errlen, "out of memory");
    rc = -CN_ENOMEM;
out_free:
    cn_free(idcopy);
    if (op->free != NULL && opt != NULL)
        op->free(opt);
    return rc;
}

static bool chain_eq(const struct cn_transform_chain *a, const struct cn_transform_chain *b)
{
    if (a == b)
        return true;
    if (a->hash != b->hash || a->n != b->n)
        return false;
    for (unsigned i = 0; i < a->n; i++) {
        const struct step *x = &a->steps[i], *y = &b->steps[i];
        if (x->op != y->op || x->idlen != y->idlen)
            return false;
        if (x->idlen > 0 && memcmp(x->id, y->id, x->idlen) != 0)
            return false;
    }
    return true;
}

/* ---- the scratch space ---- */

static struct cn_transform_scratch *scratch_new(void)
{
    struct cn_transform_scratch *s = cn_calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->mem = cn_malloc((size_t)(2 + RESULT_SLOTS) * CN_TRANSFORM_MAX_LEN);
    if (s->mem == NULL) {
        cn_free(s);
        return NULL;
    }
    for (unsigned i = 0; i < 2; i++)
        s->work[i] = s->mem + (size_t)i * CN_TRANSFORM_MAX_LEN;
    for (unsigned i = 0; i < RESULT_SLOTS; i++)
        s->slot[i] = s->mem + (size_t)(2 + i) * CN_TRANSFORM_MAX_LEN;
    s->gen = 1;
    return s;
}

void cn_transform_scratch_next(struct cn_transform_scratch *s)
{
    if (s != NULL)
        s->gen++;
}

void cn_transform_scratch_free(struct cn_transform_scratch *s)
{
    if (s == NULL)
        return;
    pcre2_match_data_free(s->md);
    cn_free(s->mem);
    cn_free(s);
}

pcre2_match_data *cn_transform_match_data(struct cn_transform_scratch *s)
{
    if (s == NULL)
        return NULL;
    if (s->md == NULL)
        s->md = cn_pcre_match_data_new(2); /* the whole match and group 1 */
    return s->md;
}

/* ---- running a chain (per packet) ---- */

static bool run_chain(struct cn_transform_scratch *s, const struct cn_transform_chain *c,
                      const uint8_t *in, uint32_t inlen, uint8_t *dst, uint32_t *outlen)
{
    const uint8_t *cur = in;
    uint32_t curlen = inlen;
    for (unsigned i = 0; i < c->n; i++) {
        if (curlen > CN_TRANSFORM_MAX_LEN)
            return false;
        uint8_t *out = i + 1 == c->n ? dst : s->work[i & 1];
        const struct step *st = &c->steps[i];
        int64_t n = st->op->apply(st->opt, s, cur, curlen, out, CN_TRANSFORM_MAX_LEN);
        if (n < 0 || n > CN_TRANSFORM_MAX_LEN)
            return false;
        cur = out;
        curlen = (uint32_t)n;
    }
    *outlen = curlen;
    return true;
}

bool cn_transform_buffer(struct cn_transform_scratch **sp, unsigned l, const struct cn_smlist *list,
                         struct cn_smlist *rest, const uint8_t **buf, uint32_t *len)
{
    if (!cn_transform_list_has_chain(list)) {
        *rest = *list;
        return true;
    }
    const struct cn_transform_chain *c = list->v[0].data;
    *rest = (struct cn_smlist){.v = list->v + 1, .n = list->n - 1, .cap = list->n - 1};
    if (*sp == NULL && (*sp = scratch_new()) == NULL)
        return false;
    struct cn_transform_scratch *s = *sp;

    for (unsigned i = 0; i < RESULT_SLOTS; i++) {
        const struct result *r = &s->res[i];
        if (r->gen == s->gen && r->list == l && r->in == *buf && r->inlen == *len &&
            chain_eq(r->chain, c)) {
            *buf = s->slot[i];
            *len = r->len;
            return true;
        }
    }

    unsigned k = s->next;
    s->next = (k + 1) % RESULT_SLOTS;
    struct result *r = &s->res[k];
    r->gen = 0; /* the slot's old result is gone from here on */
    uint32_t n;
    if (c->n == 0 || !run_chain(s, c, *buf, *len, s->slot[k], &n))
        return false;
    *r = (struct result){.gen = s->gen, .chain = c, .list = l, .in = *buf, .inlen = *len, .len = n};
    *buf = s->slot[k];
    *len = n;
    return true;
}
