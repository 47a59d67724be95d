/* ruleset: cn_detect_load() and the rule set it returns. Loads the variables, the class
 * and reference tables, then every rule file in order; each rule is parsed (parse.c),
 * checked for a duplicate gid:sid (the later rule fails, as in Suricata), numbered in load
 * order and kept; once all are loaded they are put in evaluation order (order_rules). Every
 * failure is logged once as "file:line: reason" and counted in the report; the other rules
 * keep loading. Also the read-only accessors the outputs use. */
#include <stdio.h>
#include <stdlib.h>

#include "detect/detect_int.h"

/* The rule set with what only the loader needs to keep alive: the file names the rules
 * point at and the variables the loader table points at. */
struct loaded {
    struct cn_ruleset rs; /* first: a cn_ruleset pointer is a struct loaded pointer */
    struct cn_detect_vars *vars;
    char **files;
    unsigned nfiles;
    unsigned cap;
};

/* gid:sid seen so far: open addressing; sid is never 0, so key 0 is an empty slot. */
struct sid_table {
    uint64_t *keys;
    size_t mask, used;
};

struct load_ctx {
    struct loaded *L;
    struct cn_detect_report *report;
    struct sid_table sids;
    const char *file;
    bool nomem;
};

static uint64_t sid_key(uint32_t gid, uint32_t sid)
{
    return ((uint64_t)gid << 32) | sid;
}

static int sids_grow(struct sid_table *t)
{
    size_t n = t->keys ? (t->mask + 1) * 2 : 4096;
    uint64_t *k = cn_calloc(n, sizeof(*k));
    if (k == NULL)
        return -CN_ENOMEM;
    for (size_t i = 0; t->keys && i <= t->mask; i++) {
        if (t->keys[i] == 0)
            continue;
        size_t j = cn_hash_mix64(t->keys[i]) & (n - 1);
        while (k[j] != 0)
            j = (j + 1) & (n - 1);
        k[j] = t->keys[i];
    }
    cn_free(t->keys);
    t->keys = k;
    t->mask = n - 1;
    return 0;
}

/* Adds key; returns 1 when it was already there, 0 when added, -CN_ENOMEM. */
static int sids_add(struct sid_table *t, uint64_t key)
{
    if ((t->keys == NULL || (t->used + 1) * 2 > t->mask + 1) && sids_grow(t) < 0)
        return -CN_ENOMEM;
    size_t j = cn_hash_mix64(key) & t->mask;
    while (t->keys[j] != 0) {
        if (t->keys[j] == key)
            return 1;
        j = (j + 1) & t->mask;
    }
    t->keys[j] = key;
    t->used++;
    return 0;
}

static void fail_rule(struct load_ctx *c, int line, const char *reason, const char *detail)
{
    cn_err("%s:%d: %s", c->file, line, detail ? detail : reason);
    cn_detect_report_fail(c->report, reason);
}

static int push_rule(struct loaded *L, struct cn_rule *r)
{
    struct cn_ruleset *rs = &L->rs;
    if (rs->n == L->cap) {
        unsigned cap = L->cap ? L->cap * 2 : 1024;
        struct cn_rule **v = cn_realloc(rs->rules, cap * sizeof(*v));
        if (v == NULL)
            return -CN_ENOMEM;
        rs->rules = v;
        L->cap = cap;
    }
    r->order = rs->n;
    rs->rules[rs->n++] = r;
    return 0;
}

/* ---- the evaluation order ---- */

/* Rules run in Suricata's order (detect-engine-sigorder.c), so that a rule that sets a
 * flowbit runs before a rule that checks it, whatever their order in the files: by action
 * (pass, drop, reject, alert), then for flowbits, flowint, host xbits and ip_pair xbits in
 * turn the rules that only write first, then those that write and read, then those that only
 * read, then those that use none; then by priority, then by load order (Suricata's last key
 * is the sid; load order keeps rules that differ in nothing else where the files put them).
 * Alerts are still reported by load order (rule->order); rule->num is the position here. */
struct sort_key {
    struct cn_rule *r;
    uint8_t action;
    uint8_t use[CN_VARCLASS__COUNT]; /* 3 write only, 2 both, 1 read only, 0 unused */
};

static uint8_t action_rank(enum cn_action a)
{
    switch (a) {
    case CN_ACTION_PASS:
        return 0;
    case CN_ACTION_DROP:
        return 1;
    case CN_ACTION_ALERT:
        return 3;
    default:
        return 2; /* the reject family */
    }
}

static void sort_key_make(struct sort_key *k, struct cn_rule *r)
{
    bool rd[CN_VARCLASS__COUNT] = {false}, wr[CN_VARCLASS__COUNT] = {false};
    const struct cn_smlist *pl = &r->lists[CN_LIST_PACKET];
    for (unsigned i = 0; i < pl->n; i++) {
        const struct cn_keyword *kw = pl->v[i].kw;
        int c = kw->var_class ? kw->var_class(pl->v[i].data) : CN_VARCLASS_NONE;
        if (c > CN_VARCLASS_NONE && c < CN_VARCLASS__COUNT)
            rd[c] = true;
    }
    for (unsigned i = 0; i < r->post.n; i++) {
        const struct cn_keyword *kw = r->post.v[i].kw;
        int c = kw->var_class ? kw->var_class(r->post.v[i].data) : CN_VARCLASS_NONE;
        if (c > CN_VARCLASS_NONE && c < CN_VARCLASS__COUNT)
            wr[c] = true;
    }
    k->r = r;
    k->action = action_rank(r->action);
    for (unsigned c = 0; c < CN_VARCLASS__COUNT; c++)
        k->use[c] = wr[c] ? (rd[c] ? 2 : 3) : (rd[c] ? 1 : 0);
}

static int sort_key_cmp(const void *a, const void *b)
{
    const struct sort_key *x = a, *y = b;
    if (x->action != y->action)
        return x->action < y->action ? -1 : 1;
    for (unsigned c = CN_VARCLASS_NONE + 1; c < CN_VARCLASS__COUNT; c++)
        if (x->use[c] != y->use[c])
            return x->use[c] > y->use[c] ? -1 : 1;
    if (x->r->priority != y->r->priority)
        return x->r->priority < y->r->priority ? -1 : 1;
    return x->r->order < y->r->order ? -1 : x->r->order > y->r->order;
}

static int order_rules(struct cn_ruleset *rs)
{
    if (rs->n == 0)
        return 0;
    struct sort_key *k = cn_calloc(rs->n, sizeof(*k));
    if (k == NULL)
        return -CN_ENOMEM;
    for (unsigned i = 0; i < rs->n; i++)
        sort_key_make(&k[i], rs->rules[i]);
    qsort(k, rs->n, sizeof(*k), sort_key_cmp);
    for (unsigned i = 0; i < rs->n; i++) {
        rs->rules[i] = k[i].r;
        k[i].r->num = i;
    }
    cn_free(k);
    return 0;
}

static void on_rule(void *arg, const char *text, int line)
{
    struct load_ctx *c = arg;
    if (c->nomem)
        return;
    if (text == NULL) {
        fail_rule(c, line, "rule too long", NULL);
        return;
    }
    if (*text == '\0') {
        fail_rule(c, line, "NUL byte in rule", NULL);
        return;
    }
    char err[160];
    struct cn_rule *r = cn_rule_parse(text, &c->L->rs.ld, err, sizeof(err));
    if (r == NULL) {
        fail_rule(c, line, err, NULL);
        return;
    }
    int dup = sids_add(&c->sids, sid_key(r->gid, r->sid));
    if (dup == 1) {
        char detail[96];
        snprintf(detail, sizeof(detail), "duplicate sid %u (gid %u): rule ignored", r->sid, r->gid);
        fail_rule(c, line, "duplicate sid", detail);
        cn_rule_free(r);
        return;
    }
    if (dup < 0 || push_rule(c->L, r) < 0) {
        cn_rule_free(r);
        c->nomem = true;
        return;
    }
    r->file = c->file;
    r->line = line;
    c->report->loaded++;
}

/* Keeps a copy of the file name for the rules to point at. */
static const char *intern_file(struct loaded *L, const char *path)
{
    char **v = cn_realloc(L->files, (L->nfiles + 1) * sizeof(*v));
    if (v == NULL)
        return NULL;
    L->files = v;
    char *s = cn_strdup(path);
    if (s == NULL)
        return NULL;
    L->files[L->nfiles++] = s;
    return s;
}

struct cn_ruleset *cn_detect_load(const struct cn_detect_load_config *cfg,
                                  struct cn_detect_report *report)
{
    struct cn_detect_report scratch;
    if (report == NULL)
        report = &scratch;
    memset(report, 0, sizeof(*report));
    struct load_ctx c = {.report = report};
    struct loaded *L = cn_calloc(1, sizeof(*L));
    if (L == NULL)
        return NULL;
    c.L = L;
    L->vars = cn_detect_vars_new(cfg ? cfg->conf : NULL);
    if (L->vars == NULL)
        goto out_free;
    L->rs.ld.vars = L->vars;
    L->rs.ld.vs = cn_varstore_new();
    if (L->rs.ld.vs == NULL)
        goto out_free;
    if (cn_detect_classes_load(&L->rs.ld, cfg ? cfg->classification_file : NULL) < 0)
        goto out_free;
    if (cn_detect_references_load(&L->rs.ld, cfg ? cfg->reference_file : NULL) < 0)
        goto out_free;
    unsigned bad_sets = 0;
    L->rs.ld.datasets = cn_datasets_new(cfg ? cfg->conf : NULL, &bad_sets);
    if (L->rs.ld.datasets == NULL)
        goto out_free;
    for (unsigned i = 0; i < bad_sets; i++) /* a -T run must fail on a bad datasets: section */
        cn_detect_report_fail(report, "bad datasets configuration");

    for (unsigned i = 0; cfg != NULL && i < cfg->nfiles; i++) {
        const char *path = cfg->files[i];
        if (path == NULL)
            continue;
        report->files++;
        c.file = intern_file(L, path);
        if (c.file == NULL)
            goto out_free;
        L->rs.ld.cur_file = c.file;
        int rc = cn_detect_read_rules(path, report, on_rule, &c);
        if (c.nomem || rc == -CN_ENOMEM)
            goto out_free;
        if (rc < 0) {
            /* counted as a failure so that -T reports the missing file as an error */
            cn_err("%s: cannot read rule file: %s", path,
                   rc == -CN_ENOENT ? "no such file" : "read error");
            cn_detect_report_fail(report, "cannot read rule file");
        }
    }
    if (cfg != NULL && cfg->builtin_text != NULL) {
        report->files++;
        L->rs.ld.cur_file = NULL; /* built-in rules load no dataset files relative to a file */
        c.file = intern_file(L, cfg->builtin_name ? cfg->builtin_name : "(built-in rules)");
        if (c.file == NULL ||
            cn_detect_read_rules_text(cfg->builtin_text, report, on_rule, &c) == -CN_ENOMEM ||
            c.nomem)
            goto out_free;
    }
    cn_free(c.sids.keys);
    if (order_rules(&L->rs) < 0)
        goto out_free_rules;
    /* thresholds last: threshold.config names rules that must be loaded by now */
    L->rs.thresholds = cn_thresholds_new(&L->rs, cfg);
    if (L->rs.thresholds == NULL)
        goto out_free_rules;
    if (cn_detect_groups_build(&L->rs) < 0)
        goto out_free_rules;
    return &L->rs;

out_free:
    cn_free(c.sids.keys);
out_free_rules:
    cn_ruleset_free(&L->rs);
    return NULL;
}

void cn_ruleset_free(struct cn_ruleset *rs)
{
    if (rs == NULL)
        return;
    struct loaded *L = (struct loaded *)rs;
    for (unsigned i = 0; i < rs->n; i++)
        cn_rule_free(rs->rules[i]);
    cn_free(rs->rules);
    cn_thresholds_free(rs->thresholds);
    cn_detect_groups_free(rs->groups);
    cn_detect_loader_clear(&rs->ld);
    cn_datasets_free(rs->ld.datasets);
    rs->ld.datasets = NULL;
    cn_varstore_free(rs->ld.vs);
    cn_detect_vars_free(L->vars);
    for (unsigned i = 0; i < L->nfiles; i++)
        cn_free(L->files[i]);
    cn_free(L->files);
    cn_free(L);
}

unsigned cn_ruleset_count(const struct cn_ruleset *rs)
{
    return rs != NULL ? rs->n : 0;
}

void cn_rule_free(struct cn_rule *r)
{
    if (r == NULL)
        return;
    cn_addr_set_free(&r->src);
    cn_addr_set_free(&r->dst);
    cn_port_set_free(&r->sp);
    cn_port_set_free(&r->dp);
    cn_free(r->msg);
    cn_free(r->classtype);
    for (unsigned i = 0; i < r->nmeta; i++) {
        cn_free(r->meta_key[i]);
        cn_free(r->meta_value[i]);
    }
    cn_free(r->meta_key);
    cn_free(r->meta_value);
    for (unsigned li = 0; li < CN_LIST__MAX; li++) {
        struct cn_smlist *l = &r->lists[li];
        for (unsigned i = 0; i < l->n; i++)
            if (l->v[i].kw != NULL && l->v[i].kw->free != NULL)
                l->v[i].kw->free(l->v[i].data);
        cn_free(l->v);
    }
    for (unsigned i = 0; i < r->post.n; i++)
        if (r->post.v[i].kw != NULL && r->post.v[i].kw->free != NULL)
            r->post.v[i].kw->free(r->post.v[i].data);
    cn_free(r->post.v);
    cn_threshold_spec_free(r->threshold);
    cn_free(r);
}

uint32_t cn_rule_sid(const struct cn_rule *r)
{
    return r->sid;
}

uint32_t cn_rule_gid(const struct cn_rule *r)
{
    return r->gid;
}

uint32_t cn_rule_rev(const struct cn_rule *r)
{
    return r->rev;
}

const char *cn_rule_msg(const struct cn_rule *r)
{
    return r->msg != NULL ? r->msg : "";
}

const char *cn_rule_category(const struct cn_rule *r)
{
    return r->classtype != NULL ? r->classtype : "";
}

int cn_rule_priority(const struct cn_rule *r)
{
    return r->priority > 0 ? r->priority : 3;
}

bool cn_rule_noalert(const struct cn_rule *r)
{
    return (r->flags & CN_RULE_NOALERT) != 0;
}

const char *cn_rule_metadata_key(const struct cn_rule *r, unsigned i)
{
    return i < r->nmeta ? r->meta_key[i] : NULL;
}

const char *cn_rule_metadata_value(const struct cn_rule *r, unsigned i)
{
    return i < r->nmeta ? r->meta_value[i] : NULL;
}
