/* flow pool: fixed-size flow objects carved from slabs, a free list, and the table's memcap.
 *
 * Slabs are allocated through cn_malloc only when the free list is empty and the memcap allows
 * it, and are kept until the table is freed, so after warm-up no packet allocates. The memcap
 * is charged with what was really allocated (hash buckets and whole slabs), so the table never
 * holds more than its memcap. Flows sit at cache-line strides so a chain walk touches one line
 * per flow. */
#include <stdint.h>

#include "flow/flow_int.h"

#define SLAB_FLOWS 256u
#define CACHE_LINE 64u

static size_t slab_header(void)
{
    return (sizeof(struct cn_flow_slab) + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
}

/* Adds one slab of up to want flows (fewer when the memcap has less room). */
static bool slab_add(struct cn_flow_table *t, uint64_t want)
{
    const size_t over = slab_header() + CACHE_LINE - 1; /* header and alignment slack */
    uint64_t n = CN_MIN(want, (uint64_t)SLAB_FLOWS);
    if (t->mc.limit) {
        uint64_t room = t->mc.limit > t->mc.used ? t->mc.limit - t->mc.used : 0;
        if (room <= over) {
            t->mc.fails++;
            return false;
        }
        n = CN_MIN(n, (room - over) / t->stride);
    }
    if (n == 0) {
        t->mc.fails++;
        return false;
    }
    size_t bytes = over + (size_t)n * t->stride;
    if (!cn_memcap_try(&t->mc, bytes))
        return false;
    uint8_t *raw = cn_malloc(bytes);
    if (!raw) {
        cn_memcap_release(&t->mc, bytes);
        return false;
    }
    struct cn_flow_slab *s = (struct cn_flow_slab *)(void *)raw;
    s->next = t->slabs;
    s->bytes = bytes;
    t->slabs = s;

    uintptr_t base = (uintptr_t)(raw + slab_header());
    base = (base + CACHE_LINE - 1) & ~(uintptr_t)(CACHE_LINE - 1);
    s->base = base;
    s->nflows = n;
    /* Pushed in reverse so the free list hands flows out in address order. */
    for (uint64_t i = n; i-- > 0;) {
        struct cn_flow *f = (struct cn_flow *)(base + i * t->stride);
        f->lru_class = 0xff; /* free: not in any list */
        f->hnext = t->free;
        t->free = f;
    }
    t->free_n += n;
    t->capacity += n;
    return true;
}

void cn_flow_pool_gauges(struct cn_flow_table *t)
{
    cn_flow_stat_set(t, CN_STAT_FLOW_MEMUSE, t->mc.used);
    cn_flow_stat_set(t, CN_STAT_FLOW_SPARE, t->free_n);
    cn_flow_stat_set(t, CN_STAT_FLOW_ACTIVE, t->active);
}

void cn_flow_pool_prealloc(struct cn_flow_table *t, uint64_t n)
{
    t->stride = (sizeof(struct cn_flow) + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    while (t->free_n < n) {
        if (!slab_add(t, n - t->free_n))
            break;
    }
    cn_flow_pool_gauges(t);
}

struct cn_flow *cn_flow_pool_get(struct cn_flow_table *t)
{
    if (CN_UNLIKELY(!t->free)) {
        if (!slab_add(t, SLAB_FLOWS))
            return NULL;
        cn_flow_stat_set(t, CN_STAT_FLOW_MEMUSE, t->mc.used);
    }
    struct cn_flow *f = t->free;
    t->free = f->hnext;
    t->free_n--;
    memset(f, 0, sizeof(*f));
    return f;
}

void cn_flow_pool_put(struct cn_flow_table *t, struct cn_flow *f)
{
    f->hnext = t->free;
    t->free = f;
    t->free_n++;
}

void cn_flow_pool_each(struct cn_flow_table *t,
                       void (*fn)(struct cn_flow_table *, struct cn_flow *))
{
    for (struct cn_flow_slab *s = t->slabs; s; s = s->next)
        for (uint64_t i = 0; i < s->nflows; i++)
            fn(t, (struct cn_flow *)(s->base + i * t->stride));
}

void cn_flow_pool_rebuild_free(struct cn_flow_table *t)
{
    t->free = NULL;
    t->free_n = 0;
    for (struct cn_flow_slab *s = t->slabs; s; s = s->next) {
        for (uint64_t i = s->nflows; i-- > 0;) {
            struct cn_flow *f = (struct cn_flow *)(s->base + i * t->stride);
            f->hnext = t->free;
            t->free = f;
        }
        t->free_n += s->nflows;
    }
}

void cn_flow_pool_destroy(struct cn_flow_table *t)
{
    struct cn_flow_slab *s = t->slabs;
    while (s) {
        struct cn_flow_slab *next = s->next;
        cn_memcap_release(&t->mc, s->bytes);
        cn_free(s);
        s = next;
    }
    t->slabs = NULL;
    t->free = NULL;
    t->free_n = 0;
    t->capacity = 0;
}
