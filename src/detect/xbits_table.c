/* xbits_table: the state behind xbits, bits kept per host (track ip_src / ip_dst) or per pair
 * of addresses (track ip_pair, the same entry for both directions).
 *
 * Unlike flowbits, these outlive a flow and are seen by every flow of the host, which the
 * symmetric flow hash may give to any worker: so this is the one piece of detection state
 * shared between threads. One entry per (host or pair, bit), chained in a fixed array of
 * buckets; a bucket is guarded by one of a few striped mutexes, so workers touching different
 * hosts rarely wait on each other. Entries expire in packet time: an expired entry counts as
 * unset and is freed by the next walk of its bucket. Memory is bounded by a memcap; a set it
 * refuses is dropped and counted (host.memcap / ippair.memcap). */
#include <pthread.h>
#include <stdatomic.h>

#include "detect/detect_int.h"

#define NBUCKETS 16384u /* a power of two */
#define NSTRIPES 64u

struct xent {
    struct xent *next;
    union cn_addr a, b; /* host: a, b zero; pair: the lower address in a */
    cn_time_t expire;   /* valid while packet time < expire */
    uint32_t id;
    uint8_t pair;
    uint8_t fam;
};

struct cn_xbits {
    pthread_mutex_t lock[NSTRIPES];
    struct xent **bucket;
    _Atomic uint64_t memuse;
    _Atomic uint64_t memcap;
};

struct cn_xbits *cn_xbits_new(uint64_t memcap)
{
    struct cn_xbits *t = cn_calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->bucket = cn_calloc(NBUCKETS, sizeof(*t->bucket));
    if (t->bucket == NULL)
        goto out_free;
    for (unsigned i = 0; i < NSTRIPES; i++) {
        if (pthread_mutex_init(&t->lock[i], NULL) != 0) {
            for (unsigned j = 0; j < i; j++)
                pthread_mutex_destroy(&t->lock[j]);
            goto out_free;
        }
    }
    atomic_init(&t->memuse, 0);
    atomic_init(&t->memcap, memcap);
    return t;
out_free:
    cn_free(t->bucket);
    cn_free(t);
    return NULL;
}

void cn_xbits_free(struct cn_xbits *t)
{
    if (t == NULL)
        return;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        struct xent *e = t->bucket[i];
        while (e != NULL) {
            struct xent *next = e->next;
            cn_free(e);
            e = next;
        }
    }
    for (unsigned i = 0; i < NSTRIPES; i++)
        pthread_mutex_destroy(&t->lock[i]);
    cn_free(t->bucket);
    cn_free(t);
}

void cn_xbits_set_memcap(struct cn_xbits *t, uint64_t memcap)
{
    atomic_store(&t->memcap, memcap);
}

uint64_t cn_xbits_memuse(const struct cn_xbits *t)
{
    return atomic_load(&((struct cn_xbits *)t)->memuse);
}

/* The entry key of p for a tracking mode; false for packets without IP addresses. */
static bool make_key(struct xent *k, enum cn_xbits_track tr, const struct cn_packet *p, uint32_t id)
{
    if (p->ip_ver != 4 && p->ip_ver != 6)
        return false;
    memset(k, 0, sizeof(*k));
    k->fam = p->ip_ver;
    k->id = id;
    switch (tr) {
    case CN_XBITS_IP_SRC:
        k->a = p->src;
        break;
    case CN_XBITS_IP_DST:
        k->a = p->dst;
        break;
    case CN_XBITS_IP_PAIR:
    default:
        k->pair = 1;
        bool lower = cn_addr_cmp(&p->src, &p->dst) <= 0;
        k->a = lower ? p->src : p->dst;
        k->b = lower ? p->dst : p->src;
        break;
    }
    return true;
}

static uint32_t key_bucket(const struct xent *k)
{
    uint64_t h = k->a.q[0] ^ cn_hash_mix64(k->a.q[1] + k->id);
    h ^= cn_hash_mix64(k->b.q[0] ^ (k->b.q[1] * 31) ^ ((uint64_t)k->pair << 40 | k->fam));
    return (uint32_t)cn_hash_mix64(h) & (NBUCKETS - 1);
}

static bool key_eq(const struct xent *e, const struct xent *k)
{
    return e->id == k->id && e->pair == k->pair && e->fam == k->fam && cn_addr_eq(&e->a, &k->a) &&
           cn_addr_eq(&e->b, &k->b);
}

static void unlink_free(struct cn_xbits *t, struct xent **link)
{
    struct xent *e = *link;
    *link = e->next;
    cn_free(e);
    atomic_fetch_sub(&t->memuse, sizeof(*e));
}

/* Walks bucket b (locked) for k, freeing expired entries on the way; returns the link that
 * points at the match, or NULL. */
static struct xent **find(struct cn_xbits *t, uint32_t b, const struct xent *k, cn_time_t now)
{
    struct xent **link = &t->bucket[b];
    while (*link != NULL) {
        struct xent *e = *link;
        if (e->expire <= now) {
            unlink_free(t, link);
            continue;
        }
        if (key_eq(e, k))
            return link;
        link = &e->next;
    }
    return NULL;
}

bool cn_xbits_isset(struct cn_xbits *t, enum cn_xbits_track tr, const struct cn_packet *p,
                    uint32_t id)
{
    struct xent k;
    if (t == NULL || !make_key(&k, tr, p, id))
        return false;
    uint32_t b = key_bucket(&k);
    pthread_mutex_t *m = &t->lock[b % NSTRIPES];
    pthread_mutex_lock(m);
    bool set = find(t, b, &k, p->ts) != NULL;
    pthread_mutex_unlock(m);
    return set;
}

bool cn_xbits_update(struct cn_xbits *t, enum cn_xbits_track tr, const struct cn_packet *p,
                     uint32_t id, int op, uint32_t expire)
{
    struct xent k;
    if (t == NULL || !make_key(&k, tr, p, id))
        return true;
    uint32_t b = key_bucket(&k);
    pthread_mutex_t *m = &t->lock[b % NSTRIPES];
    bool ok = true;
    pthread_mutex_lock(m);
    struct xent **link = find(t, b, &k, p->ts);
    cn_time_t until = p->ts + (cn_time_t)expire * CN_USEC;
    if (link != NULL) {
        if (op == 1)
            (*link)->expire = until;
        else
            unlink_free(t, link); /* unset, or toggle of a set bit */
    } else if (op != 0) {
        /* set, or toggle of an unset bit: a new entry, if the memcap allows */
        uint64_t use = atomic_fetch_add(&t->memuse, sizeof(struct xent)) + sizeof(struct xent);
        struct xent *e = use <= atomic_load(&t->memcap) ? cn_malloc(sizeof(*e)) : NULL;
        if (e == NULL) {
            atomic_fetch_sub(&t->memuse, sizeof(struct xent));
            ok = false;
        } else {
            *e = k;
            e->expire = until;
            e->next = t->bucket[b];
            t->bucket[b] = e;
        }
    }
    pthread_mutex_unlock(m);
    return ok;
}
