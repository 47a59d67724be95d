/* flowvar: the names and the per-flow storage behind flowbits and flowint, and the variable
 * store a rule set owns.
 *
 * Names are interned once, while rules load, into small ids per kind (flowbit, flowint,
 * xbit), so that a flow's flowbits are one bit array and its flowints one value array indexed
 * by id: a check is a bounds test and a load, with no lookup and no allocation. A flow pays
 * for its arrays only when a rule first writes one of its variables. The store also owns the
 * xbits table (xbits_table.c), which every worker shares.
 *
 * The store is filled while rules load (one thread) and only read afterwards. A flow's state
 * remembers the store its ids belong to and is dropped when a rule of another store writes.
 * TODO(cn): rule reload must keep a replaced store alive until the flows that point at it end
 * (the outputs read names through it). */
#include <stdio.h>

#include "detect/detect_int.h"

struct names {
    char **v; /* v[id]: the name, NUL-terminated */
    uint32_t n, cap;
    uint32_t *slot; /* open addressing: id + 1, or 0 for an empty slot */
    uint32_t mask;
};

struct cn_varstore {
    struct names kind[CN_VAR__KINDS];
    struct cn_xbits *xbits;
};

struct cn_varstore *cn_varstore_new(void)
{
    return cn_calloc(1, sizeof(struct cn_varstore));
}

void cn_varstore_free(struct cn_varstore *vs)
{
    if (vs == NULL)
        return;
    for (unsigned k = 0; k < CN_VAR__KINDS; k++) {
        struct names *t = &vs->kind[k];
        for (uint32_t i = 0; i < t->n; i++)
            cn_free(t->v[i]);
        cn_free(t->v);
        cn_free(t->slot);
    }
    cn_xbits_free(vs->xbits);
    cn_free(vs);
}

struct cn_xbits *cn_varstore_xbits(struct cn_varstore *vs)
{
    if (vs->xbits == NULL)
        vs->xbits = cn_xbits_new(CN_XBITS_MEMCAP_DEFAULT);
    return vs->xbits;
}

static uint32_t name_hash(const char *s, size_t len)
{
    return (uint32_t)cn_hash_bytes(s, len, 0x666c6f77u);
}

static int names_rehash(struct names *t, uint32_t nslots)
{
    uint32_t *slot = cn_calloc(nslots, sizeof(*slot));
    if (slot == NULL)
        return -CN_ENOMEM;
    for (uint32_t id = 0; id < t->n; id++) {
        uint32_t h = name_hash(t->v[id], strlen(t->v[id])) & (nslots - 1);
        while (slot[h] != 0)
            h = (h + 1) & (nslots - 1);
        slot[h] = id + 1;
    }
    cn_free(t->slot);
    t->slot = slot;
    t->mask = nslots - 1;
    return 0;
}

int cn_var_intern(struct cn_varstore *vs, enum cn_var_kind k, const char *name, size_t len,
                  uint32_t *id)
{
    struct names *t = &vs->kind[k];
    if (t->slot != NULL) {
        uint32_t h = name_hash(name, len) & t->mask;
        for (; t->slot[h] != 0; h = (h + 1) & t->mask) {
            const char *s = t->v[t->slot[h] - 1];
            if (strncmp(s, name, len) == 0 && s[len] == '\0') {
                *id = t->slot[h] - 1;
                return 0;
            }
        }
    }
    if (t->n >= CN_VAR_MAX_NAMES)
        return -CN_EINVAL;
    /* keep the table at most half full */
    if (t->slot == NULL || (t->n + 1) * 2 > t->mask + 1) {
        if (names_rehash(t, t->slot ? (t->mask + 1) * 2 : 64) < 0)
            return -CN_ENOMEM;
    }
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 16;
        char **v = cn_realloc(t->v, cap * sizeof(*v));
        if (v == NULL)
            return -CN_ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    char *copy = cn_malloc(len + 1);
    if (copy == NULL)
        return -CN_ENOMEM;
    memcpy(copy, name, len);
    copy[len] = '\0';
    uint32_t h = name_hash(name, len) & t->mask;
    while (t->slot[h] != 0)
        h = (h + 1) & t->mask;
    t->v[t->n] = copy;
    t->slot[h] = t->n + 1;
    *id = t->n++;
    return 0;
}

const char *cn_var_name(const struct cn_varstore *vs, enum cn_var_kind k, uint32_t id)
{
    if (vs == NULL || (unsigned)k >= CN_VAR__KINDS || id >= vs->kind[k].n)
        return NULL;
    return vs->kind[k].v[id];
}

uint32_t cn_var_count(const struct cn_varstore *vs, enum cn_var_kind k)
{
    return vs != NULL && (unsigned)k < CN_VAR__KINDS ? vs->kind[k].n : 0;
}

int cn_rule_add_post(struct cn_rule *r, const struct cn_keyword *kw, void *data)
{
    struct cn_smlist *l = &r->post;
    if (l->n == l->cap) {
        unsigned cap = l->cap ? l->cap * 2 : 2;
        struct cn_sigmatch *v = cn_realloc(l->v, (size_t)cap * sizeof(*v));
        if (v == NULL) {
            if (kw->free != NULL)
                kw->free(data);
            return -CN_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].kw = kw;
    l->v[l->n].data = data;
    l->n++;
    return 0;
}

/* ---- per-flow storage ---- */

/* The flow's state when it was made under vs; state made under another store (a rule set
 * since replaced) is dropped, because its ids mean other names. */
static struct cn_flow_detect *state_for(struct cn_flow *f, const struct cn_varstore *vs)
{
    struct cn_flow_detect *fd = cn_flow_detect_get(f);
    if (fd == NULL)
        return NULL;
    if (fd->vs != vs) {
        cn_flowvar_release(fd);
        fd->vs = vs;
    }
    return fd;
}

bool cn_flowbit_isset(const struct cn_flow *f, uint32_t id)
{
    const struct cn_flow_detect *fd = f != NULL ? f->detect : NULL;
    if (fd == NULL || fd->fbits == NULL || id >= fd->nfbits)
        return false;
    return (fd->fbits[id / 64] >> (id % 64)) & 1;
}

void cn_flowbit_set(struct cn_flow *f, const struct cn_varstore *vs, uint32_t id, bool on)
{
    if (f == NULL)
        return;
    if (!on && !cn_flowbit_isset(f, id))
        return; /* nothing to clear: no need to allocate */
    struct cn_flow_detect *fd = state_for(f, vs);
    if (fd == NULL)
        return;
    if (fd->fbits == NULL) {
        uint32_t n = cn_var_count(vs, CN_VAR_FLOWBIT);
        if (id >= n)
            return;
        fd->fbits = cn_calloc((n + 63) / 64, sizeof(uint64_t));
        if (fd->fbits == NULL)
            return;
        fd->nfbits = n;
    }
    if (id >= fd->nfbits)
        return;
    uint64_t bit = 1ull << (id % 64);
    if (on)
        fd->fbits[id / 64] |= bit;
    else
        fd->fbits[id / 64] &= ~bit;
}

bool cn_flowint_get(const struct cn_flow *f, uint32_t id, uint32_t *value)
{
    const struct cn_flow_detect *fd = f != NULL ? f->detect : NULL;
    if (fd == NULL || fd->fints == NULL || id >= fd->nfints)
        return false;
    if (!((fd->fints_set[id / 64] >> (id % 64)) & 1))
        return false;
    *value = fd->fints[id];
    return true;
}

void cn_flowint_put(struct cn_flow *f, const struct cn_varstore *vs, uint32_t id, uint32_t value)
{
    if (f == NULL)
        return;
    struct cn_flow_detect *fd = state_for(f, vs);
    if (fd == NULL)
        return;
    if (fd->fints == NULL) {
        uint32_t n = cn_var_count(vs, CN_VAR_FLOWINT);
        if (id >= n)
            return;
        fd->fints = cn_calloc(n, sizeof(uint32_t));
        fd->fints_set = cn_calloc((n + 63) / 64, sizeof(uint64_t));
        if (fd->fints == NULL || fd->fints_set == NULL) {
            cn_free(fd->fints);
            cn_free(fd->fints_set);
            fd->fints = NULL;
            fd->fints_set = NULL;
            return;
        }
        fd->nfints = n;
    }
    if (id >= fd->nfints)
        return;
    fd->fints[id] = value;
    fd->fints_set[id / 64] |= 1ull << (id % 64);
}

void cn_flowvar_release(struct cn_flow_detect *fd)
{
    cn_free(fd->fbits);
    cn_free(fd->fints);
    cn_free(fd->fints_set);
    fd->fbits = NULL;
    fd->fints = NULL;
    fd->fints_set = NULL;
    fd->nfbits = fd->nfints = 0;
    fd->vs = NULL;
}

/* ---- the outputs' view (detect.h) ---- */

bool cn_detect_flow_var(const struct cn_flow *f, unsigned *iter, struct cn_flow_var *out)
{
    const struct cn_flow_detect *fd = f != NULL ? f->detect : NULL;
    if (fd == NULL || fd->vs == NULL)
        return false;
    /* flowbits first, then flowints: *iter walks ids of both */
    for (unsigned i = *iter; i < fd->nfbits + fd->nfints; i++) {
        if (i < fd->nfbits) {
            if (!((fd->fbits[i / 64] >> (i % 64)) & 1))
                continue;
            out->kind = CN_FLOW_VAR_BIT;
            out->name = cn_var_name(fd->vs, CN_VAR_FLOWBIT, i);
            out->value = 1;
        } else {
            uint32_t id = i - fd->nfbits;
            if (!((fd->fints_set[id / 64] >> (id % 64)) & 1))
                continue;
            out->kind = CN_FLOW_VAR_INT;
            out->name = cn_var_name(fd->vs, CN_VAR_FLOWINT, id);
            out->value = fd->fints[id];
        }
        if (out->name == NULL)
            continue;
        *iter = i + 1;
        return true;
    }
    *iter = fd->nfbits + fd->nfints;
    return false;
}
