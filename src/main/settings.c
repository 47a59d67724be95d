/* Settings: the stage configurations, from built-in defaults (Suricata's stock values), then the
 * -c file, then --set. Each key read here is listed in known_keys.def; other keys in the file
 * are reported once as unused. A malformed value stops start-up with the key path, what was
 * expected and where it came from. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "main/main_int.h"

struct known_key {
    const char *pattern;
    const char *takes;
    const char *def;
    const char *doc;
};
static const struct known_key known_keys[] = {
#define CN_KEY(path, takes, def, doc) {path, takes, def, doc},
#include "main/known_keys.def"
#undef CN_KEY
};

/* A key matches a pattern component by component; '*' matches any one component. */
static bool key_matches(const char *key, const char *pattern)
{
    while (*key && *pattern) {
        const char *kd = strchr(key, '.'), *pd = strchr(pattern, '.');
        size_t kl = kd ? (size_t)(kd - key) : strlen(key);
        size_t pl = pd ? (size_t)(pd - pattern) : strlen(pattern);
        if (!(pl == 1 && pattern[0] == '*') && (kl != pl || memcmp(key, pattern, kl)))
            return false;
        key += kl + (kd ? 1 : 0);
        pattern += pl + (pd ? 1 : 0);
        if (!kd || !pd)
            return !kd && !pd;
    }
    return !*key && !*pattern;
}

static bool key_known(const char *key)
{
    for (size_t i = 0; i < CN_ARRAY_LEN(known_keys); i++)
        if (key_matches(key, known_keys[i].pattern))
            return true;
    return false;
}

struct unused {
    unsigned n;
    char shown[512];
};

/* Walks the tree and collects leaf keys that no known pattern covers. A leaf is a scalar; a
 * list item that is a plain scalar (types: [flow]) counts as its list's key. */
static void collect_unused(struct cn_conf *n, char *path, size_t plen, size_t cap, struct unused *u)
{
    for (struct cn_conf *c = cn_conf_first(n); c; c = cn_conf_next(c)) {
        const char *name = cn_conf_name(c);
        size_t nl = name ? strlen(name) : 0;
        if (plen + nl + 2 >= cap)
            continue;
        size_t len = plen;
        if (len)
            path[len++] = '.';
        memcpy(path + len, name, nl);
        path[len + nl] = '\0';
        if (cn_conf_is_map(c) || cn_conf_is_seq(c)) {
            if (!cn_conf_first(c) && !key_known(path))
                goto unused;
            collect_unused(c, path, len + nl, cap, u);
            continue;
        }
        if (key_known(path))
            continue;
    unused:
        if (u->n++ < 6) {
            size_t used = strlen(u->shown);
            snprintf(u->shown + used, sizeof(u->shown) - used, "%s%s", used ? ", " : "", path);
        } else if (cn_log_get_level() >= CN_LOG_DEBUG) {
            cn_log(CN_LOG_DEBUG, "configuration key not used: %s", path);
        }
    }
    path[plen] = '\0';
}

static void warn_unused(struct cn_conf *root, const char *file)
{
    char path[512] = "";
    struct unused u = {0, ""};
    collect_unused(root, path, 0, sizeof(path), &u);
    if (u.n == 0)
        return;
    cn_warn("%s: %u configuration key%s not used by cleannet: %s%s", file, u.n,
            u.n == 1 ? " is" : "s are", u.shown, u.n > 6 ? ", ... (-vv lists them all)" : "");
}

/* Error helper: every getter failure goes through here so the message format is uniform. */
#define GET(call)                                                                                  \
    do {                                                                                           \
        if ((call) != 0)                                                                           \
            goto out_bad;                                                                          \
    } while (0)

static int get_u32(struct cn_conf *c, const char *key, uint32_t def, uint32_t *out, char *err,
                   size_t errlen)
{
    uint64_t v;
    if (cn_conf_get_u64(c, key, def, &v, err, errlen) != 0)
        return -1;
    if (v > UINT32_MAX) {
        snprintf(err, errlen, "%s: %llu is too large", key, (unsigned long long)v);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Reads a port key that may be "4789", "[8472, 4789]" or a $VARIABLE (kept at the default). */
static int get_port(struct cn_conf *c, const char *key, uint16_t *port, char *err, size_t errlen)
{
    const char *v = cn_conf_get_str(c, key, NULL);
    if (!v || v[0] == '$')
        return 0;
    while (*v == '[' || *v == ' ')
        v++;
    char *end;
    long p = strtol(v, &end, 10);
    if (end == v || p <= 0 || p > 65535) {
        snprintf(err, errlen, "%s: expected a UDP port, got '%s'", key, v);
        return -1;
    }
    *port = (uint16_t)p;
    return 0;
}

static int checksum_mode(const char *v, enum cn_checksum_mode *out)
{
    bool b;
    if (!strcmp(v, "all"))
        *out = CN_CSUM_ALL;
    else if (!strcmp(v, "none"))
        *out = CN_CSUM_NONE;
    else if (!strcmp(v, "auto"))
        *out = CN_CSUM_AUTO;
    else if (cn_parse_bool(v, &b) == 0)
        *out = b ? CN_CSUM_ALL : CN_CSUM_NONE;
    else
        return -1;
    return 0;
}

static int read_flow_timeouts(struct cn_conf *c, struct cn_flow_config *f, char *err, size_t errlen)
{
    static const char *const classes[CN_FLOW_PC__COUNT] = {"default", "tcp", "udp", "icmp"};
    for (int i = 0; i < CN_FLOW_PC__COUNT; i++) {
        struct cn_flow_timeouts *t = &f->timeouts[i];
        char key[96];
#define TIMEOUT(name, field)                                                                       \
    snprintf(key, sizeof(key), "flow-timeouts.%s." name, classes[i]);                              \
    if (get_u32(c, key, t->field, &t->field, err, errlen) != 0)                                    \
        return -1;
        TIMEOUT("new", new_)
        TIMEOUT("established", established)
        TIMEOUT("closed", closed)
        TIMEOUT("emergency-new", emerg_new)
        TIMEOUT("emergency-established", emerg_established)
        TIMEOUT("emergency-closed", emerg_closed)
#undef TIMEOUT
    }
    return 0;
}

/* types: - alert: {payload, payload-printable, packet, tagged-packets, metadata}. metadata may be a
 * bool or, as in Suricata, a map (any map leaves the defaults on). */
static int read_alert_options(struct cn_conf *opts, struct cn_output_config *o, char *err,
                              size_t errlen)
{
    if (cn_conf_get_bool(opts, "payload", false, &o->alert_payload, err, errlen) ||
        cn_conf_get_bool(opts, "payload-printable", false, &o->alert_payload_printable, err,
                         errlen) ||
        cn_conf_get_bool(opts, "packet", false, &o->alert_packet, err, errlen) ||
        cn_conf_get_bool(opts, "tagged-packets", false, &o->alert_tagged_packets, err, errlen))
        return -1;
    struct cn_conf *md = cn_conf_find(opts, "metadata");
    if (md && cn_conf_value(md) &&
        cn_conf_get_bool(opts, "metadata", true, &o->alert_metadata, err, errlen))
        return -1;
    return 0;
}

/* outputs: a list whose items are single-key maps: - eve-log: {...}, - fast: {...}. */
static int read_eve_types(struct cn_conf *eve, struct cn_output_config *o, char *err, size_t errlen)
{
    struct cn_conf *types = cn_conf_find(eve, "types");
    if (!types)
        return 0;
    o->type_alert = o->type_flow = o->type_anomaly = o->type_stats = false;
    o->alert_tagged_packets = false; /* on in the stock file; off unless a config says so */
    for (struct cn_conf *t = cn_conf_first(types); t; t = cn_conf_next(t)) {
        const char *name = cn_conf_value(t);
        struct cn_conf *opts = NULL;
        if (!name && cn_conf_is_map(t) && cn_conf_first(t)) {
            opts = cn_conf_first(t);
            name = cn_conf_name(opts);
        }
        if (!name)
            continue;
        bool enabled = true;
        if (opts && cn_conf_get_bool(opts, "enabled", true, &enabled, err, errlen) != 0)
            return -1;
        if (!strcmp(name, "alert")) {
            o->type_alert = enabled;
            if (opts && read_alert_options(opts, o, err, errlen) != 0)
                return -1;
        } else if (!strcmp(name, "flow")) {
            o->type_flow = enabled;
        } else if (!strcmp(name, "stats")) {
            o->type_stats = enabled;
            if (opts && (cn_conf_get_bool(opts, "totals", true, &o->stats_totals, err, errlen) ||
                         cn_conf_get_bool(opts, "deltas", false, &o->stats_deltas, err, errlen)))
                return -1;
        } else if (!strcmp(name, "anomaly")) {
            o->type_anomaly = enabled;
            if (opts &&
                (cn_conf_get_bool(opts, "types.decode", false, &o->anomaly_decode, err, errlen) ||
                 cn_conf_get_bool(opts, "types.stream", false, &o->anomaly_stream, err, errlen) ||
                 cn_conf_get_bool(opts, "types.applayer", true, &o->anomaly_applayer, err, errlen)))
                return -1;
        } else {
            cn_log(CN_LOG_DEBUG, "eve-log type '%s' is not produced by this version", name);
        }
    }
    return 0;
}

static int read_outputs(struct cn_conf *c, struct cn_output_config *o, char *err, size_t errlen)
{
    struct cn_conf *outputs = cn_conf_find(c, "outputs");
    if (!outputs)
        return 0; /* stock outputs */
    bool seen_eve = false, seen_fast = false;
    for (struct cn_conf *item = cn_conf_first(outputs); item; item = cn_conf_next(item)) {
        struct cn_conf *body = cn_conf_first(item);
        const char *kind = cn_conf_name(body);
        if (!kind)
            continue;
        if (!strcmp(kind, "eve-log") && !seen_eve) {
            bool enabled;
            if (cn_conf_get_bool(body, "enabled", true, &enabled, err, errlen))
                return -1;
            if (!enabled)
                continue;
            seen_eve = true;
            uint64_t seed;
            o->eve_filename = cn_conf_get_str(body, "filename", o->eve_filename);
            const char *ft = cn_conf_get_str(body, "filetype", "regular");
            if (strcmp(ft, "regular") && strcmp(ft, "file"))
                cn_warn("outputs.eve-log.filetype: '%s' is not supported; writing a regular "
                        "file",
                        ft);
            if (cn_conf_get_bool(body, "ethernet", false, &o->eve_ethernet, err, errlen) ||
                cn_conf_get_bool(body, "community-id", false, &o->community_id, err, errlen) ||
                cn_conf_get_u64(body, "community-id-seed", 0, &seed, err, errlen) ||
                read_eve_types(body, o, err, errlen))
                return -1;
            o->community_id_seed = (uint16_t)seed;
        } else if (!strcmp(kind, "fast") && !seen_fast) {
            seen_fast = true;
            if (cn_conf_get_bool(body, "enabled", true, &o->fast_enabled, err, errlen))
                return -1;
            o->fast_filename = cn_conf_get_str(body, "filename", o->fast_filename);
        }
    }
    o->eve_enabled = seen_eve;
    if (!seen_fast)
        o->fast_enabled = false;
    return 0;
}

static int read_capture(struct cn_conf *c, const struct cn_options *o, struct cn_settings *s,
                        char *err, size_t errlen)
{
    struct cn_capture_config *cap = &s->capture;
    cn_capture_config_defaults(cap);
    if (o->read_path) {
        cap->kind = CN_CAPTURE_FILE;
        cap->source = o->read_path;
    } else if (o->afpacket) {
        cap->kind = CN_CAPTURE_AFPACKET;
        cap->source = *o->afpacket ? o->afpacket : o->iface;
        uint32_t id;
        if (get_u32(c, "af-packet.0.cluster-id", cap->fanout_id, &id, err, errlen))
            return -1;
        cap->fanout_id = (uint16_t)id;
    } else if (o->iface) {
        cap->kind = CN_CAPTURE_LIVE;
        cap->source = o->iface;
        if (get_u32(c, "pcap.0.snaplen", cap->snaplen, &cap->snaplen, err, errlen) ||
            cn_conf_get_bool(c, "pcap.0.promisc", true, &cap->promisc, err, errlen))
            return -1;
    }
    cap->bpf = o->bpf;
    if (!cap->bpf && o->afpacket)
        cap->bpf = cn_conf_get_str(c, "af-packet.0.bpf-filter", NULL);
    if (!cap->bpf && o->iface && !o->afpacket)
        cap->bpf = cn_conf_get_str(c, "pcap.0.bpf-filter", NULL);
    return 0;
}

/* Appends a copy of path (joined to dir when relative and dir is given) to the rule files. */
static int add_rule_file(struct cn_settings *s, const char *dir, const char *path, char *err,
                         size_t errlen)
{
    char **v = cn_realloc(s->rule_files, (s->nrule_files + 1) * sizeof(*v));
    if (!v)
        goto out_nomem;
    s->rule_files = v;
    size_t dl = dir && path[0] != '/' ? strlen(dir) : 0;
    size_t pl = strlen(path);
    char *f = cn_malloc(dl + pl + 2);
    if (!f)
        goto out_nomem;
    size_t o = 0;
    if (dl) {
        memcpy(f, dir, dl);
        o = dl;
        if (f[o - 1] != '/')
            f[o++] = '/';
    }
    memcpy(f + o, path, pl + 1);
    s->rule_files[s->nrule_files++] = f;
    return 0;
out_nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Rule files as Suricata picks them: -S alone replaces the configuration's rule-files (each
 * under default-rule-path unless absolute); -s files come after either. */
static int read_rules(struct cn_conf *c, const struct cn_options *o, struct cn_settings *s,
                      char *err, size_t errlen)
{
    if (o->rules_exclusive) {
        if (add_rule_file(s, NULL, o->rules_exclusive, err, errlen) != 0)
            return -1;
    } else {
        const char *dir = cn_conf_get_str(c, "default-rule-path", NULL);
        struct cn_conf *list = cn_conf_find(c, "rule-files");
        if (list && cn_conf_value(list)) {
            if (add_rule_file(s, dir, cn_conf_value(list), err, errlen) != 0)
                return -1;
        } else if (list) {
            for (struct cn_conf *f = cn_conf_first(list); f; f = cn_conf_next(f)) {
                const char *v = cn_conf_value(f);
                if (!v || !v[0]) {
                    snprintf(err, errlen, "rule-files: expected a list of file names (%s:%d)",
                             cn_conf_file(f) ? cn_conf_file(f) : "--set", cn_conf_line(f));
                    return -1;
                }
                if (add_rule_file(s, dir, v, err, errlen) != 0)
                    return -1;
            }
        }
    }
    for (unsigned i = 0; i < o->nrules_additional; i++)
        if (add_rule_file(s, NULL, o->rules_additional[i], err, errlen) != 0)
            return -1;
    s->classification_file = cn_conf_get_str(c, "classification-file", NULL);
    s->reference_file = cn_conf_get_str(c, "reference-config-file", NULL);
    /* threshold.config: Suricata reads its default path when no key names one, quietly when
     * the file is not there */
    s->threshold_file = cn_conf_get_str(c, "threshold-file", NULL);
    s->threshold_file_optional = s->threshold_file == NULL;
    if (s->threshold_file == NULL)
        s->threshold_file = "/etc/suricata/threshold.config";
    if (cn_conf_get_size(c, "detect.thresholds.memcap", 16u << 20, &s->threshold_memcap, err,
                         errlen) != 0 ||
        get_u32(c, "detect.thresholds.hash-size", 16384, &s->threshold_hash_size, err, errlen))
        return -1;
    if (cn_conf_get_bool(c, "profiling.rules.enabled", false, &s->rule_profile, err, errlen) != 0 ||
        get_u32(c, "profiling.rules.limit", 10, &s->rule_profile_limit, err, errlen))
        return -1;
    s->rule_profile_file = cn_conf_get_str(c, "profiling.rules.filename", "rule_perf.log");
    /* TODO(cn): the embedded default rule set (rules/) when no file is named at all */
    return 0;
}

static int read_runmode(struct cn_conf *c, const struct cn_options *o, struct cn_settings *s,
                        char *err, size_t errlen)
{
    s->runmode = o->runmode;
    if (s->runmode == CN_RUNMODE_AUTO) {
        const char *rm = cn_conf_get_str(c, "runmode", NULL);
        if (rm && !strcmp(rm, "single"))
            s->runmode = CN_RUNMODE_SINGLE;
        else if (rm && (!strcmp(rm, "workers") || !strcmp(rm, "autofp")))
            s->runmode = CN_RUNMODE_WORKERS;
        else if (rm) {
            snprintf(err, errlen, "runmode: expected single, workers or autofp, got '%s'", rm);
            return -1;
        } else
            s->runmode = o->read_path ? CN_RUNMODE_SINGLE : CN_RUNMODE_WORKERS;
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t threads = o->threads;
    if (!threads && get_u32(c, "threading.worker-threads", 0, &threads, err, errlen))
        return -1;
    if (!threads)
        threads = ncpu > 0 ? (uint32_t)CN_MIN(ncpu, CN_MAX_WORKERS) : 1;
    if (threads > CN_MAX_WORKERS) {
        snprintf(err, errlen, "threading.worker-threads: at most %d", CN_MAX_WORKERS);
        return -1;
    }
    s->threads = s->runmode == CN_RUNMODE_SINGLE ? 1 : threads;
    return 0;
}

int cn_main_settings(const struct cn_options *o, struct cn_settings *s)
{
    char err[512] = "";
    memset(s, 0, sizeof(*s));
    cn_decode_config_defaults(&s->decode);
    cn_flow_config_defaults(&s->flow);
    cn_stream_config_defaults(&s->stream);
    cn_output_config_defaults(&s->output);

    if (o->config) {
        s->conf = cn_conf_load(o->config, err, sizeof(err));
        if (!s->conf) {
            fprintf(stderr, "Error: configuration: %s\n", err);
            return -1;
        }
    } else {
        s->conf = cn_conf_new();
    }
    for (unsigned i = 0; i < o->nsets; i++) {
        if (cn_conf_set(s->conf, o->sets[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "Error: %s\n", err);
            return -1;
        }
    }
    struct cn_conf *c = s->conf;
    warn_unused(c, o->config ? o->config : "--set");

    uint64_t v;
    uint32_t u;
    bool b;
    /* decode and defrag */
    const char *csum = o->checksum;
    if (!csum)
        csum = cn_conf_get_str(c, "pcap-file.checksum-checks", "auto");
    if (checksum_mode(csum, &s->decode.checksum) != 0) {
        snprintf(err, sizeof(err), "%s: expected all, none or auto, got '%s'",
                 o->checksum ? "-k" : "pcap-file.checksum-checks", csum);
        goto out_bad;
    }
    GET(cn_conf_get_size(c, "defrag.memcap", s->decode.defrag_memcap, &s->decode.defrag_memcap, err,
                         sizeof(err)));
    GET(get_u32(c, "defrag.timeout", s->decode.defrag_timeout, &s->decode.defrag_timeout, err,
                sizeof(err)));
    GET(get_u32(c, "defrag.max-frags", s->decode.defrag_max_frags, &s->decode.defrag_max_frags, err,
                sizeof(err)));
    GET(get_u32(c, "defrag.trackers", s->decode.defrag_trackers, &s->decode.defrag_trackers, err,
                sizeof(err)));
    GET(get_u32(c, "decoder.max-layers", s->decode.max_layers, &u, err, sizeof(err)));
    s->decode.max_layers = (uint8_t)CN_MIN(u, 255);
    GET(cn_conf_get_bool(c, "decoder.vxlan.enabled", s->decode.vxlan_enabled,
                         &s->decode.vxlan_enabled, err, sizeof(err)));
    GET(cn_conf_get_bool(c, "decoder.geneve.enabled", s->decode.geneve_enabled,
                         &s->decode.geneve_enabled, err, sizeof(err)));
    GET(get_port(c, "decoder.vxlan.ports", &s->decode.vxlan_port, err, sizeof(err)));
    GET(get_port(c, "decoder.geneve.ports", &s->decode.geneve_port, err, sizeof(err)));
    GET(cn_conf_get_bool(c, "decoder.teredo.enabled", s->decode.teredo_enabled,
                         &s->decode.teredo_enabled, err, sizeof(err)));
    GET(get_port(c, "decoder.teredo.ports", &s->decode.teredo_port, err, sizeof(err)));

    /* flow */
    GET(cn_conf_get_size(c, "flow.memcap", s->flow.memcap, &s->flow.memcap, err, sizeof(err)));
    GET(get_u32(c, "flow.hash-size", s->flow.hash_size, &s->flow.hash_size, err, sizeof(err)));
    GET(get_u32(c, "flow.prealloc", s->flow.prealloc, &s->flow.prealloc, err, sizeof(err)));
    GET(get_u32(c, "flow.emergency-recovery", s->flow.emergency_recovery,
                &s->flow.emergency_recovery, err, sizeof(err)));
    if (s->flow.emergency_recovery > 100) {
        snprintf(err, sizeof(err), "flow.emergency-recovery: expected a percentage (0-100)");
        goto out_bad;
    }
    if (read_flow_timeouts(c, &s->flow, err, sizeof(err)) != 0)
        goto out_bad;

    /* stream */
    GET(cn_conf_get_size(c, "stream.memcap", s->stream.memcap, &s->stream.memcap, err,
                         sizeof(err)));
    GET(cn_conf_get_size(c, "stream.reassembly.memcap", s->stream.reassembly_memcap,
                         &s->stream.reassembly_memcap, err, sizeof(err)));
    GET(cn_conf_get_size(c, "stream.reassembly.depth", s->stream.depth, &s->stream.depth, err,
                         sizeof(err)));
    GET(cn_conf_get_bool(c, "stream.midstream", s->stream.midstream, &s->stream.midstream, err,
                         sizeof(err)));
    GET(cn_conf_get_bool(c, "stream.async-oneside", s->stream.async_oneside,
                         &s->stream.async_oneside, err, sizeof(err)));
    GET(cn_conf_get_bool(c, "stream.checksum-validation", s->stream.checksum_validation,
                         &s->stream.checksum_validation, err, sizeof(err)));
    GET(get_u32(c, "stream.max-synack-queue", s->stream.max_synack_queue,
                &s->stream.max_synack_queue, err, sizeof(err)));
    if (s->decode.checksum == CN_CSUM_NONE)
        s->stream.checksum_validation = false; /* -k none turns off every checksum check */

    /* outputs */
    s->output.logdir = o->logdir ? o->logdir : cn_conf_get_str(c, "default-log-dir", ".");
    if (read_outputs(c, &s->output, err, sizeof(err)) != 0)
        goto out_bad;
    /* only EVE "ether" reads a flow's Ethernet addresses: Suricata keeps them only then too */
    s->flow.track_macs = s->output.eve_ethernet;
    GET(cn_conf_get_bool(c, "stats.enabled", true, &b, err, sizeof(err)));
    if (!b)
        s->output.type_stats = false;
    GET(cn_conf_get_bool(c, "stats.decoder-events", s->output.stats_decoder_events,
                         &s->output.stats_decoder_events, err, sizeof(err)));
    GET(cn_conf_get_bool(c, "stats.stream-events", s->output.stats_stream_events,
                         &s->output.stats_stream_events, err, sizeof(err)));
    GET(cn_conf_get_u64(c, "stats.interval", s->output.stats_interval, &v, err, sizeof(err)));
    s->output.stats_interval = (uint32_t)CN_MIN(v, 86400);

    s->output.ips_mode = o->simulate_ips;
    if (read_capture(c, o, s, err, sizeof(err)) != 0 || read_runmode(c, o, s, err, sizeof(err)) ||
        read_rules(c, o, s, err, sizeof(err)))
        goto out_bad;
    if (s->capture.kind != CN_CAPTURE_FILE)
        s->output.in_iface = s->capture.source; /* EVE's in_iface names live interfaces */
    s->progress = isatty(STDERR_FILENO);
    return 0;

out_bad:
    fprintf(stderr, "Error: configuration: %s\n", err);
    return -1;
}

void cn_main_settings_share(struct cn_settings *s, unsigned n)
{
    if (n <= 1)
        return;
    s->flow.memcap /= n;
    s->stream.memcap /= n;
    s->stream.reassembly_memcap /= n;
    s->decode.defrag_memcap /= n;
    s->decode.defrag_max_frags = CN_MAX(1, s->decode.defrag_max_frags / n);
    s->decode.defrag_trackers = CN_MAX(1, s->decode.defrag_trackers / n);
    s->flow.prealloc /= n;
}

void cn_main_settings_free(struct cn_settings *s)
{
    for (unsigned i = 0; i < s->nrule_files; i++)
        cn_free(s->rule_files[i]);
    cn_free(s->rule_files);
    s->rule_files = NULL;
    s->nrule_files = 0;
    cn_conf_free(s->conf);
    s->conf = NULL;
}
