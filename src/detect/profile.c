/* profile: per-rule profiling, so operators can find their expensive rules. When a rule
 * profile is attached to a worker's context (cn_detect_ctx_set_profile), the engine counts,
 * per rule, how often the rule was tried on a packet after the prefilter ("checks"), how often
 * it matched, and the time spent trying it. Each worker counts into its own arrays; they are
 * added into the shared profile when the worker's context is freed, and the profile is written
 * once, at the end of the run, as one JSON document sorted by total time. Profiling costs two
 * clock reads per check, so it is off unless asked for. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "detect/detect_int.h"
#include "detect/profile.h"

struct cn_rule_profile {
    const struct cn_ruleset *rs;
    pthread_mutex_t lock;
    struct cn_rule_counts *c; /* rs->n entries, by evaluation position (rule->num) */
};

struct cn_rule_profile *cn_rule_profile_new(const struct cn_ruleset *rs)
{
    struct cn_rule_profile *p = cn_calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->rs = rs;
    p->c = cn_calloc(rs && rs->n ? rs->n : 1, sizeof(*p->c));
    if (!p->c || pthread_mutex_init(&p->lock, NULL) != 0) {
        cn_free(p->c);
        cn_free(p);
        return NULL;
    }
    return p;
}

void cn_rule_profile_free(struct cn_rule_profile *p)
{
    if (!p)
        return;
    pthread_mutex_destroy(&p->lock);
    cn_free(p->c);
    cn_free(p);
}

struct cn_rule_counts *cn_rule_profile_counts(const struct cn_rule_profile *p)
{
    return cn_calloc(p->rs && p->rs->n ? p->rs->n : 1, sizeof(struct cn_rule_counts));
}

void cn_rule_profile_add(struct cn_rule_profile *p, const struct cn_rule_counts *c)
{
    pthread_mutex_lock(&p->lock);
    for (unsigned i = 0; p->rs && i < p->rs->n; i++) {
        p->c[i].checks += c[i].checks;
        p->c[i].matches += c[i].matches;
        p->c[i].ns += c[i].ns;
        if (c[i].ns_max > p->c[i].ns_max)
            p->c[i].ns_max = c[i].ns_max;
    }
    pthread_mutex_unlock(&p->lock);
}

static int by_time(const void *a, const void *b, void *arg)
{
    const struct cn_rule_profile *p = arg;
    const struct cn_rule_counts *x = &p->c[*(const unsigned *)a];
    const struct cn_rule_counts *y = &p->c[*(const unsigned *)b];
    if (x->ns != y->ns)
        return x->ns > y->ns ? -1 : 1;
    return x->checks > y->checks ? -1 : x->checks < y->checks;
}

int cn_rule_profile_write(const struct cn_rule_profile *p, const char *path, unsigned limit)
{
    unsigned n = p->rs ? p->rs->n : 0;
    unsigned *order = cn_calloc(n ? n : 1, sizeof(*order));
    if (!order)
        return -CN_ENOMEM;
    unsigned used = 0;
    uint64_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        total += p->c[i].ns;
        if (p->c[i].checks)
            order[used++] = i;
    }
    qsort_r(order, used, sizeof(*order), by_time, (void *)p);
    FILE *f = fopen(path, "w");
    if (!f) {
        cn_err("rule profile: cannot write '%s': %s", path, strerror(errno));
        cn_free(order);
        return -CN_EIO;
    }
    fprintf(f,
            "{\"sort\":\"time\",\"unit\":\"ns\",\"rules_checked\":%u,\"time_total_ns\":%llu,"
            "\"rules\":[",
            used, (unsigned long long)total);
    unsigned shown = limit && limit < used ? limit : used;
    for (unsigned k = 0; k < shown; k++) {
        const struct cn_rule *r = p->rs->rules[order[k]];
        const struct cn_rule_counts *c = &p->c[order[k]];
        fprintf(f,
                "%s\n{\"signature_id\":%u,\"gid\":%u,\"rev\":%u,\"checks\":%llu,\"matches\":%llu,"
                "\"time_total_ns\":%llu,\"time_max_ns\":%llu,\"time_avg_ns\":%llu,"
                "\"percent\":%.2f}",
                k ? "," : "", r->sid, r->gid, r->rev, (unsigned long long)c->checks,
                (unsigned long long)c->matches, (unsigned long long)c->ns,
                (unsigned long long)c->ns_max, (unsigned long long)(c->ns / c->checks),
                total ? 100.0 * (double)c->ns / (double)total : 0.0);
    }
    fprintf(f, "\n]}\n");
    int rc = fclose(f) == 0 ? 0 : -CN_EIO;
    cn_free(order);
    return rc;
}
