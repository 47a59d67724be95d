/* threshold: alert thresholding. Owns the state behind the threshold and detection_filter
 * keywords and threshold.config (threshold, event_filter, rate_filter, suppress), and the
 * check the engine runs on every alert it finalizes.
 *
 * Each rule ends up with at most one effective threshold (its own keyword, or the
 * threshold.config entry that replaces it, as Suricata decides precedence) and any number of
 * address suppressions; "suppress" without an address turns the rule into noalert. Counting
 * follows Suricata's detect-engine-threshold.c: a window opens at the first match (packet
 * time, never the wall clock) and "limit", "threshold", "both", "detection_filter" and
 * "rate_filter" each decide from the count inside the window whether the alert is logged,
 * silently suppressed (counted in detect.alerts_suppressed), or dropped with the match;
 * "backoff" (by_flow only) has no window and alerts at count, count*multiplier, ...
 *
 * State: by_flow entries live on the flow (struct cn_flow_detect), touched by the flow's
 * worker only. Every other track is shared by all workers: one hash table per rule set,
 * chained buckets guarded by striped mutexes (a lock covers every NSTRIPES-th bucket), sized
 * by a memcap. Expired entries are reused before new memory is taken; when the memcap refuses
 * an entry the match is dropped, as Suricata does, and detect.thresholds.memcap counts it. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "detect/detect_int.h"

#define DEFAULT_MEMCAP    (16ull * 1024 * 1024)
#define DEFAULT_HASH_SIZE 16384u
#define MAX_HASH_SIZE     (1u << 22)
#define NSTRIPES          256u          /* power of two, at most the bucket count */
#define FLOW_MAX_ENTRIES  64u           /* by_flow thresholds one flow may carry */
#define STEAL_TRIES       8u            /* other stripes swept for an expired entry at the memcap */
#define CONF_PHYS_MAX     8192u         /* one physical line of threshold.config */
#define CONF_LINE_MAX     (64u * 1024u) /* one entry after joining continuation lines */

/* ---- the shared helpers of the two keywords and threshold.config ---- */

void cn_threshold_spec_free(struct cn_threshold_spec *s)
{
    if (s == NULL)
        return;
    cn_addr_set_free(&s->addrs);
    cn_free(s);
}

/* Splits "name value, name value, ..." in place (blanks between name and value). Returns the
 * number of parts, max + 1 when there are more, or -1 when a part is not "name value". */
static int split_pairs(char *text, char **names, char **values, unsigned max)
{
    unsigned n = 0;
    char *s = text;
    if (*cn_rule_trim(s) == '\0')
        return 0;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma != NULL)
            *comma = '\0';
        if (n == max)
            return (int)max + 1;
        /* "name value": blanks between, as Suricata's patterns require */
        char *name = cn_rule_trim(s);
        char *p = name;
        while (*p != '\0' && !cn_rule_blank(*p))
            p++;
        if (p == name || *p == '\0')
            return -1;
        *p++ = '\0';
        char *value = cn_rule_trim(p);
        for (char *v = value; *v != '\0'; v++)
            if (cn_rule_blank(*v))
                return -1;
        names[n] = name;
        values[n] = value;
        n++;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    return (int)n;
}

int cn_threshold_parts(const char *value, const char *const *names, unsigned n, const char **vals,
                       char *buf, size_t buflen, const char *usage, char *err, size_t errlen)
{
    char *pn[8], *pv[8];
    if (value == NULL || strlen(value) >= buflen || n > CN_ARRAY_LEN(pn)) {
        snprintf(err, errlen, "value too long");
        return -CN_EINVAL;
    }
    memcpy(buf, value, strlen(value) + 1);
    if (split_pairs(buf, pn, pv, n) != (int)n) {
        snprintf(err, errlen, "expected '%s'", usage);
        return -CN_EINVAL;
    }
    for (unsigned k = 0; k < n; k++)
        vals[k] = NULL;
    for (unsigned i = 0; i < n; i++) {
        unsigned k = 0;
        while (k < n && strcasecmp(pn[i], names[k]) != 0)
            k++;
        if (k == n) {
            snprintf(err, errlen, "unknown option '%.32s'", pn[i]);
            return -CN_EINVAL;
        }
        if (vals[k] != NULL) {
            snprintf(err, errlen, "'%s' given twice", names[k]);
            return -CN_EINVAL;
        }
        vals[k] = pv[i];
    }
    return 0;
}

int cn_threshold_attach(struct cn_rule *r, const struct cn_threshold_spec *s, char *err,
                        size_t errlen)
{
    struct cn_threshold_spec *copy = cn_calloc(1, sizeof(*copy));
    if (copy == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *copy = *s;
    r->threshold = copy;
    return 0;
}

bool cn_threshold_u32(const char *s, uint32_t *out)
{
    if (s == NULL || !isdigit((unsigned char)*s))
        return false;
    uint64_t v = 0;
    for (; *s != '\0'; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

int cn_threshold_track(const char *s)
{
    static const struct {
        const char *name;
        int track;
    } tracks[] = {
        {"by_src", CN_TRACK_SRC},   {"by_dst", CN_TRACK_DST},   {"by_both", CN_TRACK_BOTH},
        {"by_rule", CN_TRACK_RULE}, {"by_flow", CN_TRACK_FLOW},
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(tracks); i++)
        if (strcasecmp(s, tracks[i].name) == 0)
            return tracks[i].track;
    return 0;
}

/* ---- the rule set's threshold object ---- */

/* What applies to one rule (indexed by its load order, rule->order). */
struct rule_th {
    const struct cn_threshold_spec *th; /* NULL: none */
    const struct cn_threshold_spec **supp;
    unsigned nsupp, supp_cap;
};

/* The counting state of one tracked key. */
struct th_state {
    cn_time_t tv1;      /* when the current window opened */
    int64_t tv_timeout; /* rate_filter: second the new action began (when timeout_on) */
    uint32_t count;
    bool timeout_on;
    uint64_t next; /* backoff: the match number that alerts next (UINT64_MAX: none) */
};

struct th_key {
    union cn_addr a, b; /* by_src/by_dst: a; by_both: the lower address in a */
    uint32_t rule;      /* rule order */
    uint8_t track, family;
    uint8_t pad[2]; /* zeroed: keys are compared and hashed as bytes */
};

struct entry {
    struct entry *next;
    struct th_key key;
    struct th_state st;
    cn_time_t expires; /* past this, the entry counts nothing and may be reused */
};

struct stripe {
    pthread_mutex_t lock;
    struct entry *free; /* expired entries unlinked from this stripe's buckets */
    char pad[64];       /* keeps two stripes' locks off one cache line */
};

struct cn_thresholds {
    struct rule_th *rules;
    unsigned nrules;
    bool any; /* some rule has a threshold or a suppression */
    /* the shared table (NULL when no rule tracks anything but flows) */
    struct entry **buckets;
    uint32_t mask;
    struct stripe *stripes;
    uint64_t seed;
    uint64_t memcap;
    _Atomic uint64_t memuse;
    _Atomic uint32_t steal_cursor; /* next stripe to sweep for another one at the memcap */
    /* entries from threshold.config, owned here */
    struct cn_threshold_spec **owned;
    unsigned nowned, owned_cap;
};

/* The by_flow state of one flow: one entry per rule with a by_flow threshold. */
struct flow_entry {
    uint32_t gid, sid, rev;
    struct th_state st;
};
struct cn_threshold_flow {
    unsigned n, cap;
    struct flow_entry v[];
};

void cn_threshold_flow_free(struct cn_threshold_flow *tf)
{
    cn_free(tf);
}

/* ---- counting (Suricata's ThresholdSetup / ThresholdCheckUpdate) ---- */

static int64_t secs(cn_time_t t)
{
    return (int64_t)(t / CN_USEC);
}

static void rate_action(const struct cn_threshold_spec *s, struct cn_alert *a)
{
    if (s->set_action)
        a->action = s->new_action;
}

/* backoff: the alert at match st->next happened; the next one is multiplier times later. */
static void backoff_step(const struct cn_threshold_spec *s, struct th_state *st)
{
    st->next =
        st->next > UINT32_MAX / CN_MAX(s->multiplier, 1u) ? UINT64_MAX : st->next * s->multiplier;
}

/* The first match of a new key. */
static enum cn_threshold_verdict state_setup(const struct cn_threshold_spec *s, struct th_state *st,
                                             cn_time_t now)
{
    st->count = 1;
    st->tv1 = now;
    st->tv_timeout = 0;
    st->timeout_on = false;
    switch (s->type) {
    case CN_TH_LIMIT:
    case CN_TH_RATE:
        return CN_THRESHOLD_ALERT;
    case CN_TH_THRESHOLD:
    case CN_TH_BOTH:
        return s->count == 1 ? CN_THRESHOLD_ALERT : CN_THRESHOLD_DROP;
    case CN_TH_BACKOFF:
        st->next = s->count;
        if (s->count > 1)
            return CN_THRESHOLD_DROP; /* as Suricata: no action on the first of several */
        backoff_step(s, st);
        return CN_THRESHOLD_ALERT;
    default:
        return CN_THRESHOLD_DROP; /* detection_filter: never on the first match */
    }
}

/* A later match of a known key. */
static enum cn_threshold_verdict state_update(const struct cn_threshold_spec *s,
                                              struct th_state *st, cn_time_t now,
                                              struct cn_alert *a)
{
    bool within = now <= st->tv1 + (cn_time_t)s->seconds * CN_USEC;
    switch (s->type) {
    case CN_TH_BACKOFF: /* no window: the count runs for the flow's life */
        if (st->count < UINT32_MAX)
            st->count++;
        if (st->count < st->next)
            return CN_THRESHOLD_SILENT;
        backoff_step(s, st);
        return CN_THRESHOLD_ALERT;
    case CN_TH_LIMIT:
        if (!within)
            break;
        st->count++;
        return st->count <= s->count ? CN_THRESHOLD_ALERT : CN_THRESHOLD_SILENT;
    case CN_TH_THRESHOLD:
        if (!within)
            break;
        if (++st->count >= s->count) {
            st->count = 0;
            return CN_THRESHOLD_ALERT;
        }
        return CN_THRESHOLD_DROP;
    case CN_TH_BOTH:
        if (!within)
            break;
        st->count++;
        if (st->count == s->count)
            return CN_THRESHOLD_ALERT;
        return st->count > s->count ? CN_THRESHOLD_SILENT : CN_THRESHOLD_DROP;
    case CN_TH_DETECTION:
        if (!within)
            break;
        return ++st->count > s->count ? CN_THRESHOLD_ALERT : CN_THRESHOLD_DROP;
    case CN_TH_RATE:
        /* the alert is always logged; past count matches in the window, the new action
         * holds for timeout seconds */
        if (st->timeout_on) {
            if (secs(now) - st->tv_timeout > (int64_t)s->timeout)
                st->timeout_on = false;
            else
                rate_action(s, a);
            return CN_THRESHOLD_ALERT;
        }
        if (within) {
            if (++st->count > s->count) {
                st->timeout_on = true;
                st->tv_timeout = secs(now);
                rate_action(s, a);
            }
        } else {
            st->tv1 = now;
            st->count = 1;
        }
        return CN_THRESHOLD_ALERT;
    default:
        return CN_THRESHOLD_ALERT;
    }
    /* the window has passed: this match opens a new one */
    st->tv1 = now;
    st->count = 1;
    return s->type == CN_TH_LIMIT || (s->type == CN_TH_BOTH && s->count == 1) ? CN_THRESHOLD_ALERT
                                                                              : CN_THRESHOLD_DROP;
}

static cn_time_t state_expires(const struct cn_threshold_spec *s, const struct th_state *st)
{
    cn_time_t e = st->tv1 + (cn_time_t)s->seconds * CN_USEC;
    if (st->timeout_on && st->tv_timeout >= 0) {
        cn_time_t t = ((cn_time_t)st->tv_timeout + s->timeout + 1) * CN_USEC;
        if (t > e)
            e = t;
    }
    return e;
}

/* ---- the shared table ---- */

static bool key_eq(const struct th_key *x, const struct th_key *y)
{
    return memcmp(x, y, sizeof(*x)) == 0;
}

/* Moves the expired entries of stripe si's buckets to its free list (lock held). Bounded:
 * a stripe covers (mask + 1) / NSTRIPES buckets. */
static void stripe_sweep(struct cn_thresholds *t, uint32_t si, cn_time_t now)
{
    struct stripe *st = &t->stripes[si];
    for (uint32_t b = si; b <= t->mask; b += NSTRIPES) {
        struct entry **pp = &t->buckets[b];
        while (*pp != NULL) {
            struct entry *e = *pp;
            if (now > e->expires) {
                *pp = e->next;
                e->next = st->free;
                st->free = e;
            } else {
                pp = &e->next;
            }
        }
    }
}

/* At the memcap with nothing expired in stripe si: sweeps a few other stripes (whichever
 * lock is free right now, never waiting, so two stripes never wait on each other) and takes
 * one of their expired entries. Bounded, so a flood of new keys costs a fixed amount each. */
static struct entry *entry_steal(struct cn_thresholds *t, uint32_t si, cn_time_t now)
{
    for (unsigned k = 0; k < STEAL_TRIES; k++) {
        uint32_t o = atomic_fetch_add(&t->steal_cursor, 1) & (NSTRIPES - 1);
        if (o == si || pthread_mutex_trylock(&t->stripes[o].lock) != 0)
            continue;
        stripe_sweep(t, o, now);
        struct entry *e = t->stripes[o].free;
        if (e != NULL)
            t->stripes[o].free = e->next;
        pthread_mutex_unlock(&t->stripes[o].lock);
        if (e != NULL)
            return e;
    }
    return NULL;
}

/* A fresh entry for stripe si: its free list, new memory within the memcap, or what a sweep
 * of this stripe or a few others frees. NULL when the memcap refuses. Lock held. */
static struct entry *entry_get(struct cn_thresholds *t, uint32_t si, cn_time_t now)
{
    struct stripe *st = &t->stripes[si];
    for (int attempt = 0; attempt < 2; attempt++) {
        if (st->free != NULL) {
            struct entry *e = st->free;
            st->free = e->next;
            return e;
        }
        uint64_t sz = sizeof(struct entry);
        uint64_t old = atomic_fetch_add(&t->memuse, sz);
        if (old + sz <= t->memcap) {
            struct entry *e = cn_malloc(sizeof(*e));
            if (e != NULL)
                return e;
        }
        atomic_fetch_sub(&t->memuse, sz);
        if (attempt == 0)
            stripe_sweep(t, si, now);
    }
    return entry_steal(t, si, now);
}

static void key_addrs(struct th_key *k, const struct cn_packet *p, int track)
{
    switch (track) {
    case CN_TRACK_SRC:
        k->a = p->src;
        break;
    case CN_TRACK_DST:
        k->a = p->dst;
        break;
    case CN_TRACK_BOTH:
        /* one entry for the pair, whichever way the packet goes */
        if (cn_addr_cmp(&p->src, &p->dst) <= 0) {
            k->a = p->src;
            k->b = p->dst;
        } else {
            k->a = p->dst;
            k->b = p->src;
        }
        break;
    default:
        break;
    }
}

static enum cn_threshold_verdict table_check(struct cn_thresholds *t,
                                             const struct cn_threshold_spec *s, struct cn_alert *a,
                                             const struct cn_packet *p, struct cn_stats *stats)
{
    if (t->buckets == NULL)
        return CN_THRESHOLD_ALERT;
    struct th_key key;
    memset(&key, 0, sizeof(key));
    key.rule = a->rule->order;
    key.track = s->track;
    key.family = (uint8_t)cn_packet_family(p);
    key_addrs(&key, p, s->track);
    uint32_t b = (uint32_t)cn_hash_bytes(&key, sizeof(key), t->seed) & t->mask;
    uint32_t si = b & (NSTRIPES - 1);
    cn_time_t now = p->ts;
    enum cn_threshold_verdict v;

    pthread_mutex_lock(&t->stripes[si].lock);
    struct entry *e, *stale = NULL;
    for (e = t->buckets[b]; e != NULL; e = e->next) {
        if (key_eq(&e->key, &key))
            break;
        if (stale == NULL && now > e->expires)
            stale = e;
    }
    if (e != NULL) {
        v = state_update(s, &e->st, now, a);
    } else {
        /* an expired entry of this bucket takes the new key in place */
        e = stale;
        if (e == NULL) {
            e = entry_get(t, si, now);
            if (e != NULL) {
                e->next = t->buckets[b];
                t->buckets[b] = e;
            }
        }
        if (e == NULL) {
            pthread_mutex_unlock(&t->stripes[si].lock);
            cn_stat_add(stats, CN_STAT_DETECT_THRESHOLDS_MEMCAP, 1);
            return CN_THRESHOLD_DROP;
        }
        e->key = key;
        v = state_setup(s, &e->st, now);
    }
    e->expires = state_expires(s, &e->st);
    pthread_mutex_unlock(&t->stripes[si].lock);
    stats->v[CN_STAT_DETECT_THRESHOLDS_MEMUSE] = atomic_load(&t->memuse);
    return v;
}

/* ---- by_flow ---- */

static enum cn_threshold_verdict flow_check(const struct cn_threshold_spec *s, struct cn_alert *a,
                                            struct cn_packet *p, struct cn_stats *stats)
{
    /* without a flow there is nothing to count on: no alert, as in Suricata */
    if (p->flow == NULL)
        return CN_THRESHOLD_DROP;
    struct cn_flow_detect *fd = cn_flow_detect_get(p->flow);
    if (fd == NULL)
        return CN_THRESHOLD_DROP;
    const struct cn_rule *r = a->rule;
    struct cn_threshold_flow *tf = fd->thresholds;
    for (unsigned i = 0; tf != NULL && i < tf->n; i++) {
        struct flow_entry *e = &tf->v[i];
        if (e->sid == r->sid && e->gid == r->gid && e->rev == r->rev)
            return state_update(s, &e->st, p->ts, a);
    }
    if (tf == NULL || tf->n == tf->cap) {
        unsigned cap = tf != NULL ? tf->cap * 2 : 4;
        if (cap > FLOW_MAX_ENTRIES) {
            cn_stat_add(stats, CN_STAT_DETECT_THRESHOLDS_MEMCAP, 1);
            return CN_THRESHOLD_DROP;
        }
        struct cn_threshold_flow *n =
            cn_realloc(tf, sizeof(*n) + (size_t)cap * sizeof(struct flow_entry));
        if (n == NULL) {
            cn_stat_add(stats, CN_STAT_DETECT_THRESHOLDS_MEMCAP, 1);
            return CN_THRESHOLD_DROP;
        }
        if (tf == NULL)
            n->n = 0;
        n->cap = cap;
        tf = n;
        fd->thresholds = tf;
    }
    struct flow_entry *e = &tf->v[tf->n++];
    e->gid = r->gid;
    e->sid = r->sid;
    e->rev = r->rev;
    return state_setup(s, &e->st, p->ts);
}

/* ---- the check ---- */

static bool suppressed_by(const struct cn_threshold_spec *s, const struct cn_packet *p)
{
    int fam = cn_packet_family(p);
    const struct cn_addr_set *set = &s->addrs;
    bool src = set->any || cn_addr_set_match(set, &p->src, fam);
    if (s->track == CN_TRACK_SRC)
        return src;
    bool dst = set->any || cn_addr_set_match(set, &p->dst, fam);
    if (s->track == CN_TRACK_DST)
        return dst;
    return src || dst; /* by_either */
}

enum cn_threshold_verdict cn_threshold_check(struct cn_thresholds *t, struct cn_alert *a,
                                             struct cn_packet *p, struct cn_stats *stats)
{
    if (t == NULL || !t->any || a->rule->order >= t->nrules)
        return CN_THRESHOLD_ALERT;
    const struct rule_th *rt = &t->rules[a->rule->order];
    /* suppressions first, then the threshold, as Suricata's PacketAlertHandle */
    for (unsigned i = 0; i < rt->nsupp; i++)
        if (suppressed_by(rt->supp[i], p))
            return CN_THRESHOLD_SILENT;
    const struct cn_threshold_spec *s = rt->th;
    if (s == NULL)
        return CN_THRESHOLD_ALERT;
    /* type threshold with count 1 alerts on every match: no state needed */
    if (s->type == CN_TH_THRESHOLD && s->count == 1)
        return CN_THRESHOLD_ALERT;
    if (s->track == CN_TRACK_FLOW)
        return flow_check(s, a, p, stats);
    return table_check(t, s, a, p, stats);
}

/* ---- threshold.config ---- */

enum conf_kind { K_THRESHOLD, K_EVENT_FILTER, K_RATE_FILTER, K_SUPPRESS };

struct conf_ctx {
    struct cn_thresholds *t;
    struct cn_ruleset *rs;
    const char *file;
    unsigned entries; /* lines applied */
    bool nomem;
};

static void conf_bad(struct conf_ctx *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void conf_bad(struct conf_ctx *c, int line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cn_err("%s:%d: %s", c->file, line, msg);
}

static struct cn_threshold_spec *own_spec(struct cn_thresholds *t)
{
    if (t->nowned == t->owned_cap) {
        unsigned cap = t->owned_cap ? t->owned_cap * 2 : 16;
        struct cn_threshold_spec **v = cn_realloc(t->owned, (size_t)cap * sizeof(*v));
        if (v == NULL)
            return NULL;
        t->owned = v;
        t->owned_cap = cap;
    }
    struct cn_threshold_spec *s = cn_calloc(1, sizeof(*s));
    if (s != NULL)
        t->owned[t->nowned++] = s;
    return s;
}

static int add_suppress(struct rule_th *rt, const struct cn_threshold_spec *s)
{
    if (rt->nsupp == rt->supp_cap) {
        unsigned cap = rt->supp_cap ? rt->supp_cap * 2 : 2;
        const struct cn_threshold_spec **v = cn_realloc(rt->supp, (size_t)cap * sizeof(*v));
        if (v == NULL)
            return -CN_ENOMEM;
        rt->supp = v;
        rt->supp_cap = cap;
    }
    rt->supp[rt->nsupp++] = s;
    return 0;
}

static bool rule_selected(const struct cn_rule *r, uint32_t gid, uint32_t sid)
{
    if (sid == 0)
        return gid == 0 || r->gid == gid;
    return r->gid == gid && r->sid == sid;
}

/* Applies one parsed entry to the rules it names, with Suricata's precedence: a specific
 * threshold/event_filter replaces the rule's own threshold or detection_filter; a specific
 * rate_filter and every wildcard entry leave a rule that already has one alone. */
static void conf_apply(struct conf_ctx *c, int line, enum conf_kind kind, uint32_t gid,
                       uint32_t sid, const struct cn_threshold_spec *s)
{
    struct cn_thresholds *t = c->t;
    unsigned matched = 0, kept = 0;
    for (unsigned i = 0; i < t->nrules; i++) {
        struct cn_rule *r = c->rs->rules[i];
        if (!rule_selected(r, gid, sid))
            continue;
        if (r->order >= t->nrules)
            continue;
        matched++;
        struct rule_th *rt = &t->rules[r->order];
        if (kind == K_SUPPRESS) {
            if (s == NULL)
                r->flags |= CN_RULE_NOALERT;
            else if (add_suppress(rt, s) < 0)
                c->nomem = true;
            continue;
        }
        if (rt->th != NULL && (sid == 0 || kind == K_RATE_FILTER)) {
            kept++;
            continue;
        }
        rt->th = s;
    }
    if (sid != 0 && matched == 0)
        cn_warn("%s:%d: no rule with gen_id %u, sig_id %u is loaded", c->file, line, gid, sid);
    else if (kept != 0)
        cn_warn("%s:%d: %u rule(s) keep their own threshold or detection_filter, which takes "
                "precedence",
                c->file, line, kept);
    else if (kind == K_SUPPRESS && s == NULL && sid == 0)
        cn_warn("%s:%d: suppressing all rules%s", c->file, line, gid ? " of that gen_id" : "");
}

static int conf_kind(const char *w)
{
    if (strcasecmp(w, "threshold") == 0)
        return K_THRESHOLD;
    if (strcasecmp(w, "event_filter") == 0)
        return K_EVENT_FILTER;
    if (strcasecmp(w, "rate_filter") == 0)
        return K_RATE_FILTER;
    if (strcasecmp(w, "suppress") == 0)
        return K_SUPPRESS;
    return -1;
}

enum conf_field {
    F_GID,
    F_SID,
    F_TYPE,
    F_TRACK,
    F_COUNT,
    F_SECONDS,
    F_ACTION,
    F_TIMEOUT,
    F_IP,
    F__N
};
static const char *const field_names[F__N] = {"gen_id",  "sig_id",     "type",    "track", "count",
                                              "seconds", "new_action", "timeout", "ip"};

/* Which fields each kind takes: all required, except suppress's track and ip (together). */
static const unsigned kind_fields[] = {
    [K_THRESHOLD] =
        1u << F_GID | 1u << F_SID | 1u << F_TYPE | 1u << F_TRACK | 1u << F_COUNT | 1u << F_SECONDS,
    [K_EVENT_FILTER] =
        1u << F_GID | 1u << F_SID | 1u << F_TYPE | 1u << F_TRACK | 1u << F_COUNT | 1u << F_SECONDS,
    [K_RATE_FILTER] = 1u << F_GID | 1u << F_SID | 1u << F_TRACK | 1u << F_COUNT | 1u << F_SECONDS |
                      1u << F_ACTION | 1u << F_TIMEOUT,
    [K_SUPPRESS] = 1u << F_GID | 1u << F_SID | 1u << F_TRACK | 1u << F_IP,
};

/* One entry (comments and blank lines already skipped). */
static void conf_entry(struct conf_ctx *c, char *text, int line)
{
    char *p = cn_rule_trim(text);
    char *w = p;
    while (*p != '\0' && !cn_rule_blank(*p) && *p != ',')
        p++;
    char save = *p;
    *p = '\0';
    int kind = conf_kind(w);
    char kname[16];
    snprintf(kname, sizeof(kname), "%s", w);
    if (kind < 0) {
        conf_bad(c, line,
                 "unknown entry '%.32s' (expected threshold, event_filter, "
                 "rate_filter or suppress)",
                 w);
        return;
    }
    *p = save;

    char *val[F__N] = {NULL};
    /* "name value" parts split at commas; ip takes the rest of the line (lists hold commas) */
    while (*p != '\0') {
        while (cn_rule_blank(*p) || *p == ',')
            p++;
        if (*p == '\0')
            break;
        char *name = p;
        while (isalpha((unsigned char)*p) || *p == '_')
            p++;
        size_t nl = (size_t)(p - name);
        int f = -1;
        for (int i = 0; i < F__N; i++)
            if (strlen(field_names[i]) == nl && strncasecmp(name, field_names[i], nl) == 0)
                f = i;
        if (f < 0 || !(kind_fields[kind] & (1u << f))) {
            char *e = name;
            while (*e != '\0' && !cn_rule_blank(*e) && *e != ',')
                e++;
            *e = '\0';
            conf_bad(c, line, "unexpected '%.32s' in %s", name, kname);
            return;
        }
        if (val[f] != NULL) {
            conf_bad(c, line, "'%s' given twice", field_names[f]);
            return;
        }
        char *v = p;
        if (f == F_IP) {
            p += strlen(p);
        } else {
            char *comma = strchr(p, ',');
            p = comma != NULL ? comma : p + strlen(p);
        }
        if (*p != '\0')
            *p++ = '\0';
        val[f] = cn_rule_trim(v);
        if (*val[f] == '\0') {
            conf_bad(c, line, "'%s' needs a value", field_names[f]);
            return;
        }
    }
    for (int f = 0; f < F__N; f++) {
        bool optional = kind == K_SUPPRESS && (f == F_TRACK || f == F_IP);
        if ((kind_fields[kind] & (1u << f)) && !optional && val[f] == NULL) {
            conf_bad(c, line, "missing '%s'", field_names[f]);
            return;
        }
    }
    if (kind == K_SUPPRESS && (val[F_TRACK] == NULL) != (val[F_IP] == NULL)) {
        conf_bad(c, line, "suppress takes track and ip together");
        return;
    }

    uint32_t gid, sid, count = 0, seconds = 0, timeout = 0;
    if (!cn_threshold_u32(val[F_GID], &gid) || !cn_threshold_u32(val[F_SID], &sid)) {
        conf_bad(c, line, "gen_id and sig_id must be numbers");
        return;
    }
    if (sid != 0 && gid == 0) {
        conf_bad(c, line, "sig_id %u needs a gen_id other than 0", sid);
        return;
    }
    struct cn_threshold_spec tmp;
    memset(&tmp, 0, sizeof(tmp));
    if (kind != K_SUPPRESS) {
        if (!cn_threshold_u32(val[F_COUNT], &count) || count == 0) {
            conf_bad(c, line, "count must be a number greater than 0");
            return;
        }
        if (!cn_threshold_u32(val[F_SECONDS], &seconds)) {
            conf_bad(c, line, "seconds must be a number");
            return;
        }
        tmp.track = (uint8_t)cn_threshold_track(val[F_TRACK]);
        if (tmp.track == 0) {
            conf_bad(c, line, "track must be by_src, by_dst, by_both, by_rule or by_flow");
            return;
        }
        tmp.count = count;
        tmp.seconds = seconds;
    }
    if (kind == K_THRESHOLD || kind == K_EVENT_FILTER) {
        const char *ty = val[F_TYPE];
        if (strcasecmp(ty, "limit") == 0)
            tmp.type = CN_TH_LIMIT;
        else if (strcasecmp(ty, "threshold") == 0)
            tmp.type = CN_TH_THRESHOLD;
        else if (strcasecmp(ty, "both") == 0)
            tmp.type = CN_TH_BOTH;
        else {
            conf_bad(c, line, "type must be limit, threshold or both");
            return;
        }
    } else if (kind == K_RATE_FILTER) {
        tmp.type = CN_TH_RATE;
        if (!cn_threshold_u32(val[F_TIMEOUT], &timeout)) {
            conf_bad(c, line, "timeout must be a number");
            return;
        }
        tmp.timeout = timeout;
        const char *na = val[F_ACTION];
        tmp.set_action = true;
        if (strcasecmp(na, "alert") == 0)
            tmp.new_action = CN_ACTION_ALERT;
        else if (strcasecmp(na, "drop") == 0)
            tmp.new_action = CN_ACTION_DROP;
        else if (strcasecmp(na, "reject") == 0)
            tmp.new_action = CN_ACTION_REJECT;
        else if (strcasecmp(na, "pass") == 0)
            tmp.new_action = CN_ACTION_PASS;
        else if (strcasecmp(na, "log") == 0 || strcasecmp(na, "sdrop") == 0)
            tmp.set_action = false; /* accepted by Suricata, which does not act on them yet */
        else {
            conf_bad(c, line, "new_action must be alert, drop, reject, pass, log or sdrop");
            return;
        }
    } else if (val[F_TRACK] != NULL) {
        tmp.type = CN_TH_SUPPRESS;
        if (strcasecmp(val[F_TRACK], "by_src") == 0)
            tmp.track = CN_TRACK_SRC;
        else if (strcasecmp(val[F_TRACK], "by_dst") == 0)
            tmp.track = CN_TRACK_DST;
        else if (strcasecmp(val[F_TRACK], "by_either") == 0)
            tmp.track = CN_TRACK_EITHER;
        else {
            conf_bad(c, line, "suppress track must be by_src, by_dst or by_either");
            return;
        }
        char err[128];
        if (cn_addr_set_parse(&tmp.addrs, val[F_IP], c->rs->ld.vars, err, sizeof(err)) < 0) {
            conf_bad(c, line, "ip: %s", err);
            cn_addr_set_free(&tmp.addrs);
            return;
        }
    }

    struct cn_threshold_spec *s = NULL;
    if (kind != K_SUPPRESS || val[F_TRACK] != NULL) {
        s = own_spec(c->t);
        if (s == NULL) {
            cn_addr_set_free(&tmp.addrs);
            c->nomem = true;
            return;
        }
        *s = tmp;
    }
    conf_apply(c, line, (enum conf_kind)kind, gid, sid, s);
    c->entries++;
}

static bool comment_or_blank(const char *s)
{
    while (cn_rule_blank(*s))
        s++;
    return *s == '\0' || *s == '#';
}

/* Reads threshold.config: one entry per line, a trailing '\' joins the next line, '#'
 * starts a comment line. A bad entry is logged as file:line: reason; the others apply. */
static int conf_read(struct conf_ctx *c, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return errno == ENOENT ? -CN_ENOENT : -CN_EIO;
    int rc = 0;
    char *phys = cn_malloc(CONF_PHYS_MAX);
    char *acc = cn_malloc(CONF_LINE_MAX);
    if (phys == NULL || acc == NULL) {
        rc = -CN_ENOMEM;
        goto out_close;
    }
    size_t alen = 0;
    int lineno = 0, start = 0;
    bool toolong = false, pending = false;
    while (fgets(phys, CONF_PHYS_MAX, fp) != NULL) {
        lineno++;
        size_t n = strlen(phys);
        if (n > 0 && phys[n - 1] != '\n' && !feof(fp)) {
            /* longer than a physical line may be: skip the rest of it */
            int ch;
            while ((ch = fgetc(fp)) != EOF && ch != '\n')
                ;
            toolong = true;
        }
        if (!pending) {
            start = lineno;
            alen = 0;
        }
        while (n > 0 && cn_rule_blank(phys[n - 1]))
            phys[--n] = '\0';
        bool cont = n > 0 && phys[n - 1] == '\\';
        if (cont)
            phys[--n] = '\0';
        if (alen + n + 1 >= CONF_LINE_MAX)
            toolong = true;
        else {
            memcpy(acc + alen, phys, n);
            alen += n;
            acc[alen] = '\0';
        }
        pending = cont;
        if (cont)
            continue;
        if (toolong)
            conf_bad(c, start, "entry too long");
        else if (!comment_or_blank(acc))
            conf_entry(c, acc, start);
        toolong = false;
        if (c->nomem) {
            rc = -CN_ENOMEM;
            goto out_close;
        }
    }
    if (pending && !toolong && !comment_or_blank(acc))
        conf_entry(c, acc, start);
    if (c->nomem)
        rc = -CN_ENOMEM;
    else if (ferror(fp))
        rc = -CN_EIO;
out_close:
    cn_free(phys);
    cn_free(acc);
    fclose(fp);
    return rc;
}

/* ---- building and freeing ---- */

static int table_init(struct cn_thresholds *t, const struct cn_detect_load_config *cfg)
{
    uint32_t want =
        cfg != NULL && cfg->threshold_hash_size ? cfg->threshold_hash_size : DEFAULT_HASH_SIZE;
    uint32_t n = NSTRIPES;
    while (n < want && n < MAX_HASH_SIZE)
        n <<= 1;
    t->buckets = cn_calloc(n, sizeof(*t->buckets));
    t->stripes = cn_calloc(NSTRIPES, sizeof(*t->stripes));
    if (t->buckets == NULL || t->stripes == NULL) {
        cn_free(t->buckets);
        cn_free(t->stripes);
        t->buckets = NULL;
        t->stripes = NULL;
        return -CN_ENOMEM;
    }
    for (unsigned i = 0; i < NSTRIPES; i++)
        pthread_mutex_init(&t->stripes[i].lock, NULL);
    t->mask = n - 1;
    t->memcap = cfg != NULL && cfg->threshold_memcap ? cfg->threshold_memcap : DEFAULT_MEMCAP;
    /* the seed only spreads keys (results never depend on it); varying it keeps crafted
     * addresses from piling into one bucket */
    t->seed = cn_hash_mix64(cn_monotonic_ns() ^ (uint64_t)(uintptr_t)t);
    return 0;
}

struct cn_thresholds *cn_thresholds_new(struct cn_ruleset *rs,
                                        const struct cn_detect_load_config *cfg)
{
    struct cn_thresholds *t = cn_calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->nrules = rs->n;
    t->rules = cn_calloc(rs->n ? rs->n : 1, sizeof(*t->rules));
    if (t->rules == NULL)
        goto out_free;
    /* indexed by load order: the rule set may evaluate rules in another order */
    for (unsigned i = 0; i < rs->n; i++)
        if (rs->rules[i]->order < rs->n)
            t->rules[rs->rules[i]->order].th = rs->rules[i]->threshold;

    const char *path = cfg != NULL ? cfg->threshold_file : NULL;
    if (path != NULL && *path != '\0') {
        struct conf_ctx c = {.t = t, .rs = rs, .file = path};
        int rc = conf_read(&c, path);
        if (rc == -CN_ENOMEM)
            goto out_free;
        if (rc < 0 && !cfg->threshold_file_optional)
            cn_warn("%s: cannot read threshold file: %s", path,
                    rc == -CN_ENOENT ? "no such file" : "read error");
        else if (rc == 0)
            cn_info("%s: threshold config parsed: %u rule(s) found", path, c.entries);
    }

    bool shared = false;
    for (unsigned i = 0; i < t->nrules; i++) {
        const struct rule_th *rt = &t->rules[i];
        if (rt->th != NULL || rt->nsupp != 0)
            t->any = true;
        if (rt->th != NULL && rt->th->track != CN_TRACK_FLOW)
            shared = true;
    }
    if (shared && table_init(t, cfg) < 0)
        goto out_free;
    return t;

out_free:
    cn_thresholds_free(t);
    return NULL;
}

void cn_thresholds_free(struct cn_thresholds *t)
{
    if (t == NULL)
        return;
    if (t->buckets != NULL) {
        for (uint32_t b = 0; b <= t->mask; b++) {
            struct entry *e = t->buckets[b];
            while (e != NULL) {
                struct entry *next = e->next;
                cn_free(e);
                e = next;
            }
        }
        for (unsigned i = 0; i < NSTRIPES; i++) {
            struct entry *e = t->stripes[i].free;
            while (e != NULL) {
                struct entry *next = e->next;
                cn_free(e);
                e = next;
            }
            pthread_mutex_destroy(&t->stripes[i].lock);
        }
    }
    cn_free(t->buckets);
    cn_free(t->stripes);
    for (unsigned i = 0; t->rules != NULL && i < t->nrules; i++)
        cn_free(t->rules[i].supp);
    cn_free(t->rules);
    for (unsigned i = 0; i < t->nowned; i++)
        cn_threshold_spec_free(t->owned[i]);
    cn_free(t->owned);
    cn_free(t);
}
