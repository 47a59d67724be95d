/* eve_stats: the "stats" record. Counters are named by dotted paths ("decoder.ipv4",
 * "decoder.event.ipv4.trunc_pkt"); the record nests them ({"decoder":{"ipv4":N,"event":
 * {"ipv4":{"trunc_pkt":N}}}}). The tree is built once when the output opens: each key keeps
 * the position of its first appearance in the counter list, as in Suricata's record, and a
 * parent named in several places of the list is still one object. A path that would make
 * one key both a number and an object is reported at start-up and left out, so the record
 * stays valid JSON without duplicate keys. Writing a record then walks the tree. */
#include "output/output_int.h"

#define NONE UINT32_MAX

struct stat_node {
    const char *name; /* points into the counter's path; not NUL-terminated */
    uint32_t nlen;
    int32_t stat; /* the counter of a leaf, -1 for an object */
    uint32_t child, last_child, next;
};

struct cn_stats_tree {
    uint32_t n, cap;
    struct stat_node nodes[]; /* nodes[0] is the "stats" object itself */
};

static uint32_t find_child(const struct cn_stats_tree *t, uint32_t parent, const char *name,
                           size_t len)
{
    for (uint32_t c = t->nodes[parent].child; c != NONE; c = t->nodes[c].next)
        if (t->nodes[c].nlen == len && !memcmp(t->nodes[c].name, name, len))
            return c;
    return NONE;
}

static uint32_t add_child(struct cn_stats_tree *t, uint32_t parent, const char *name, size_t len,
                          int32_t stat)
{
    uint32_t id = t->n++;
    t->nodes[id] = (struct stat_node){name, (uint32_t)len, stat, NONE, NONE, NONE};
    struct stat_node *p = &t->nodes[parent];
    if (p->last_child == NONE)
        p->child = id;
    else
        t->nodes[p->last_child].next = id;
    p->last_child = id;
    return id;
}

static void insert(struct cn_stats_tree *t, int32_t stat, const char *path)
{
    /* check the whole path first so a bad one leaves no empty object behind */
    size_t plen = strlen(path);
    if (plen == 0 || path[0] == '.' || path[plen - 1] == '.' || strstr(path, "..")) {
        cn_warn("stats counter '%s' has an empty path component; left out of the stats record",
                path);
        return;
    }
    uint32_t cur = 0;
    const char *s = path;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        uint32_t c = find_child(t, cur, s, len);
        if (!dot) {
            /* "uptime" is written by the record itself */
            if (c != NONE || (cur == 0 && len == 6 && !memcmp(s, "uptime", 6))) {
                cn_warn("stats counter '%s' collides with another key; left out of the stats "
                        "record",
                        path);
                return;
            }
            add_child(t, cur, s, len, stat);
            return;
        }
        if (c != NONE && t->nodes[c].stat >= 0) {
            cn_warn("stats counter '%s' needs '%.*s' as an object but it is a counter; left "
                    "out of the stats record",
                    path, (int)(dot - path), path);
            return;
        }
        if (c == NONE)
            c = add_child(t, cur, s, len, -1);
        cur = c;
        s = dot + 1;
    }
}

struct cn_stats_tree *cn_stats_tree_build(const char *const *paths, unsigned n)
{
    if (n > CN_STAT__COUNT)
        return NULL;
    /* one node per path component at most, plus the root */
    size_t cap = 1;
    for (unsigned i = 0; i < n; i++) {
        cap++;
        for (const char *p = paths[i]; p && *p; p++)
            cap += *p == '.';
    }
    struct cn_stats_tree *t = cn_malloc(sizeof(*t) + cap * sizeof(struct stat_node));
    if (!t)
        return NULL;
    t->cap = (uint32_t)cap;
    t->n = 1;
    t->nodes[0] = (struct stat_node){"stats", 5, -1, NONE, NONE, NONE};
    for (unsigned i = 0; i < n; i++)
        if (paths[i])
            insert(t, (int32_t)i, paths[i]);
    return t;
}

struct cn_stats_tree *cn_stats_tree_new(const struct cn_output_config *cfg)
{
    const char *paths[CN_STAT__COUNT];
    for (unsigned i = 0; i < CN_STAT__COUNT; i++)
        paths[i] = cn_stat_descs[i].path;
    /* event counters appear only when Suricata would register them */
    for (unsigned e = CN_EV_NONE + 1; e < CN_EV__COUNT; e++) {
        const struct cn_event_desc *d = &cn_event_descs[e];
        if ((unsigned)d->counter >= CN_STAT__COUNT)
            continue;
        if ((d->layer == CN_EVL_DECODE && !cfg->stats_decoder_events) ||
            (d->layer == CN_EVL_STREAM && !cfg->stats_stream_events))
            paths[d->counter] = NULL;
    }
    return cn_stats_tree_build(paths, CN_STAT__COUNT);
}

void cn_stats_tree_free(struct cn_stats_tree *t)
{
    cn_free(t);
}

static uint64_t value_of(const struct cn_stats *v, unsigned id)
{
    /* decoder.avg_pkt_size is derived from the totals, not summed over threads */
    if (id == CN_STAT_DECODER_AVG_PKT_SIZE) {
        uint64_t pkts = v->v[CN_STAT_DECODER_PKTS];
        return pkts ? v->v[CN_STAT_DECODER_BYTES] / pkts : 0;
    }
    return v->v[id];
}

/* Suricata's "detect.engines": one entry per detection engine (tenant), with the counts of the
 * last rule load. cleannet has one engine, id 0, and no "requires" keyword, so nothing is
 * skipped for missing requirements (commented-out rules are not rules to Suricata either). */
static void emit_engines(struct cn_json *j, struct cn_output *out)
{
    cn_json_open_array(j, "engines");
    cn_json_open_object(j, NULL);
    cn_json_u64(j, "id", 0);
    cn_json_time(j, "last_reload", &out->rule_load.ts, out->rule_load.when);
    cn_json_u64(j, "rules_loaded", out->rule_load.loaded);
    cn_json_u64(j, "rules_failed", out->rule_load.failed);
    cn_json_u64(j, "rules_skipped", out->rule_load.skipped);
    cn_json_close(j);
    cn_json_close(j);
}

static bool is_detect(const struct stat_node *nd)
{
    return nd->nlen == 6 && !memcmp(nd->name, "detect", 6);
}

/* out is NULL, or the output whose rule load goes into the top-level "detect" object. */
static void emit(const struct cn_stats_tree *t, uint32_t parent, struct cn_json *j,
                 const struct cn_stats *v, const struct cn_stats *prev, struct cn_output *out)
{
    for (uint32_t c = t->nodes[parent].child; c != NONE; c = t->nodes[c].next) {
        const struct stat_node *nd = &t->nodes[c];
        if (nd->stat < 0) {
            cn_json_open_object_n(j, nd->name, nd->nlen);
            emit(t, c, j, v, prev, NULL);
            if (parent == 0 && out && is_detect(nd)) {
                emit_engines(j, out);
                out = NULL;
            }
            cn_json_close(j);
            continue;
        }
        uint64_t val = value_of(v, (unsigned)nd->stat);
        cn_json_u64_n(j, nd->name, nd->nlen, val);
        if (prev) {
            char key[128];
            if (nd->nlen + 7 <= sizeof(key)) {
                memcpy(key, nd->name, nd->nlen);
                memcpy(key + nd->nlen, "_delta", 6);
                uint64_t old = value_of(prev, (unsigned)nd->stat);
                cn_json_i64_n(j, key, nd->nlen + 6, (int64_t)(val - old));
            }
        }
    }
}

void cn_stats_tree_emit(const struct cn_stats_tree *t, struct cn_json *j, const struct cn_stats *v,
                        const struct cn_stats *prev)
{
    emit(t, 0, j, v, prev, NULL);
}

void cn_output_set_rule_load(struct cn_output *out, const struct cn_detect_report *rep,
                             cn_time_t when)
{
    if (!out || !rep)
        return;
    out->rule_load.loaded = rep->loaded;
    out->rule_load.failed = rep->failed;
    out->rule_load.skipped = 0; /* see emit_engines() */
    out->rule_load.when = when;
    out->rule_load.set = true;
}

void cn_output_stats(struct cn_output *out, const struct cn_stats *totals, cn_time_t ts,
                     uint64_t uptime)
{
    const struct cn_output_config *cfg = &out->cfg;
    if (out->eve.fd < 0 || !cfg->type_stats || !totals)
        return;
    struct cn_json *j = &out->stats_js;
    cn_json_reset(j);
    cn_json_open_object(j, NULL);
    cn_json_time(j, "timestamp", &out->stats_ts, ts);
    cn_json_str(j, "event_type", cn_eve_type_names[CN_EVE_STATS]);
    cn_json_open_object(j, "stats");
    cn_json_u64(j, "uptime", uptime);
    /* TODO(cn): per-thread stats ("threads") need the per-worker counters, not the totals */
    if (cfg->stats_totals) {
        struct cn_output *with_rules = out->rule_load.set ? out : NULL;
        bool has_detect = false;
        for (uint32_t c = out->stats_tree->nodes[0].child; c != NONE;
             c = out->stats_tree->nodes[c].next)
            has_detect |=
                out->stats_tree->nodes[c].stat < 0 && is_detect(&out->stats_tree->nodes[c]);
        emit(out->stats_tree, 0, j, totals, cfg->stats_deltas ? out->stats_prev : NULL, with_rules);
        if (with_rules && !has_detect) {
            cn_json_open_object(j, "detect");
            emit_engines(j, out);
            cn_json_close(j);
        }
    }
    cn_json_close(j);
    cn_json_close(j);
    if (j->err || j->depth != 0 || !cn_json_reserve(j, 1)) {
        __atomic_fetch_add(&out->dropped, 1, __ATOMIC_RELAXED);
        return;
    }
    j->buf[j->len] = '\n';
    cn_logfile_write(&out->eve, j->buf, j->len + 1);
    __atomic_fetch_add(&out->counts[CN_EVE_STATS], 1, __ATOMIC_RELAXED);
    if (cfg->stats_deltas)
        *out->stats_prev = *totals;
}
