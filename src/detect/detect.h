/* detect: the signature engine. Loads rule files in Suricata's language into a read-only
 * rule set shared by all workers, and inspects each packet (and, later, reassembled stream
 * data and application-layer buffers) against the rules that can match it.
 *
 * Public header of src/detect; needs core, decode, flow and stream. Keywords, sticky buffers
 * and the inspection engine are internal (detect_int.h); other stages see rules only through
 * the accessors below. */
#ifndef CN_DETECT_H
#define CN_DETECT_H

#include "core/core.h"
#include "decode/decode.h"
#include "flow/flow.h"

/* Rule actions. When several rules match one packet, Suricata's action order applies:
 * pass, then drop, then reject, then alert. */
enum cn_action {
    CN_ACTION_ALERT,
    CN_ACTION_PASS,
    CN_ACTION_DROP,
    CN_ACTION_REJECT,
    CN_ACTION_REJECTSRC,
    CN_ACTION_REJECTDST,
    CN_ACTION_REJECTBOTH,
};

struct cn_rule;    /* one loaded rule, immutable once loaded */
struct cn_ruleset; /* every loaded rule plus the lookup structures; shared read-only */

/* What to load. Files are read in order; a missing file is a load error reported like a bad
 * rule (its name and the reason), and the other files still load. */
struct cn_detect_load_config {
    const char *const *files;
    unsigned nfiles;
    const char *classification_file; /* NULL: a built-in copy of Suricata's default classes */
    const char *reference_file;      /* NULL: none */
    struct cn_conf *conf;            /* for vars.address-groups and vars.port-groups; may be NULL */
    /* Rules held in memory, loaded after the files, reported under builtin_name. */
    const char *builtin_text;
    const char *builtin_name;
    /* threshold.config (threshold, event_filter, rate_filter, suppress): NULL for none. A file
     * that cannot be read is a warning, or silent when threshold_file_optional (the default
     * path that nobody named). Bad lines are logged as "file:line: reason"; the rest apply. */
    const char *threshold_file;
    bool threshold_file_optional;
    uint64_t threshold_memcap;    /* shared threshold counters; 0: 16 MiB */
    uint32_t threshold_hash_size; /* their hash buckets; 0: 16384 */
};

/* The load report. Each failed rule is also logged as "file:line: reason" (cn_err). */
#define CN_DETECT_MAX_REASONS 64
struct cn_detect_report {
    unsigned files;   /* rule files processed */
    unsigned loaded;  /* rules successfully loaded */
    unsigned failed;  /* rules that failed to load */
    unsigned skipped; /* commented-out rules seen (not counted as rules) */
    /* failures grouped by reason: "unsupported keyword 'http.uri'", "bad address", ... */
    struct {
        char reason[96];
        unsigned count;
    } reasons[CN_DETECT_MAX_REASONS];
    unsigned nreasons;
};

/* Loads the rules. Never NULL unless memory runs out: a set with zero rules is valid. */
CN_API struct cn_ruleset *cn_detect_load(const struct cn_detect_load_config *cfg,
                                         struct cn_detect_report *report);
CN_API void cn_ruleset_free(struct cn_ruleset *rs);
CN_API unsigned cn_ruleset_count(const struct cn_ruleset *rs);

/* Prints Suricata's summary wording to the log, so scripts that read it keep working:
 * "N rule files processed. N rules successfully loaded, N rules failed" followed by the
 * failure counts by reason. */
CN_API void cn_detect_report_log(const struct cn_detect_report *report);

/* One match of a rule on a packet. */
struct cn_alert {
    const struct cn_rule *rule;
    enum cn_action action;
    bool stream; /* matched on reassembled stream data (the packet's payload is that data) */
};
#define CN_DETECT_MAX_ALERTS 15 /* per packet, as Suricata's packet_alert_max default */

struct cn_detect_ctx; /* per worker: scratch space and match state */
CN_API struct cn_detect_ctx *cn_detect_ctx_new(const struct cn_ruleset *rs, struct cn_stats *stats);
CN_API void cn_detect_ctx_free(struct cn_detect_ctx *ctx);

/* Inspects p (whose flow, if any, is p->flow). Returns the number of alerts raised, ordered
 * by action priority then rule order, and points *alerts at them (valid until the next call).
 * Sets the flow's alerted flag when an alert is raised. */
CN_API unsigned cn_detect_packet(struct cn_detect_ctx *ctx, struct cn_packet *p,
                                 const struct cn_alert **alerts);

/* Rule profiling: per rule, checks (tries after the prefilter), matches and time spent. One
 * profile per run; each worker's context counts on its own and adds its counts to the profile
 * when it is freed; then the profile is written (JSON, rules sorted by total time, at most
 * limit of them, 0 = all). */
struct cn_rule_profile;
CN_API struct cn_rule_profile *cn_rule_profile_new(const struct cn_ruleset *rs);
CN_API int cn_detect_ctx_set_profile(struct cn_detect_ctx *ctx, struct cn_rule_profile *prof);
CN_API int cn_rule_profile_write(const struct cn_rule_profile *p, const char *path, unsigned limit);
CN_API void cn_rule_profile_free(struct cn_rule_profile *p);

/* Raw-stream inspection (rules on tcp with payload keywords look at reassembled data, as in
 * Suricata): the stream hook hands each direction's data over with cn_detect_stream_data();
 * after every TCP packet, cn_detect_stream() inspects the packet's direction up to acked (the
 * stream offset the peer has acknowledged, cn_stream_acked()); when the flow ends,
 * cn_detect_stream_flush() inspects the rest of each direction (alerts then go with a pseudo
 * packet, pkt_src "stream (flow timeout)"), and cn_detect_stream_release() forgets it. Each fills
 * *view with the packet the alerts are to be logged with (its payload is the inspected data) and
 * returns the alerts like cn_detect_packet(); stream_data returns alerts only when a buffer reached
 * its bound. */
CN_API unsigned cn_detect_stream_data(struct cn_detect_ctx *ctx, struct cn_flow *f,
                                      struct cn_packet *p, bool toserver, const uint8_t *data,
                                      uint32_t len, uint64_t offset, uint32_t flags,
                                      struct cn_packet *view, const struct cn_alert **alerts);
CN_API unsigned cn_detect_stream(struct cn_detect_ctx *ctx, struct cn_packet *p, bool toserver,
                                 uint64_t acked, struct cn_packet *view,
                                 const struct cn_alert **alerts);
CN_API unsigned cn_detect_stream_flush(struct cn_detect_ctx *ctx, struct cn_flow *f, bool toserver,
                                       struct cn_packet *view, const struct cn_alert **alerts);
CN_API void cn_detect_stream_release(struct cn_detect_ctx *ctx, struct cn_flow *f);

/* After every detection step of packet p (packet and stream rules): counts p against the
 * session tags of its flow (tag:session) and sets CN_PKT_TAGGED when one still runs. The
 * packet whose alert set a tag is not tagged itself (its alert shows it), as in Suricata. */
CN_API void cn_detect_tags(struct cn_packet *p);

/* Starts loading f's detection state (raw-stream windows, flowbits) into the cache: called
 * when the packet's flow is known, it arrives while the stream engine works on the packet. */
static inline void cn_detect_prefetch(const struct cn_flow *f)
{
    if (f->detect) {
        __builtin_prefetch(f->detect);
        __builtin_prefetch((const char *)f->detect + 64);
        __builtin_prefetch((const char *)f->detect + 128);
    }
}

/* Has a pass rule passed flow f (EVE flow "action": "pass")? Detection skips its packets. */
CN_API bool cn_detect_flow_passed(const struct cn_flow *f);

/* Releases the detection state the engine keeps on f (flowbits, flowint, ...). Called once
 * when the flow ends, after its records are written; f->detect is NULL afterwards. */
CN_API void cn_detect_flow_end(struct cn_flow *f);

/* The flowbits and flowints set on f, for the outputs' EVE "metadata" (and "traffic") objects:
 * the flowbits first, in the order the rule set first names them, then the flowints. Start
 * with *iter = 0 and call until it returns false. Names stay valid while the rule set lives. */
enum cn_flow_var_kind { CN_FLOW_VAR_BIT, CN_FLOW_VAR_INT };
struct cn_flow_var {
    enum cn_flow_var_kind kind;
    const char *name;
    uint32_t value; /* flowints */
};
CN_API bool cn_detect_flow_var(const struct cn_flow *f, unsigned *iter, struct cn_flow_var *out);

/* Read-only views of a rule, for the outputs. */
CN_API uint32_t cn_rule_sid(const struct cn_rule *r);
CN_API uint32_t cn_rule_gid(const struct cn_rule *r);
CN_API uint32_t cn_rule_rev(const struct cn_rule *r);
CN_API const char *cn_rule_msg(const struct cn_rule *r);      /* "" when none */
CN_API const char *cn_rule_category(const struct cn_rule *r); /* classtype text, "" when none */
CN_API int cn_rule_priority(const struct cn_rule *r);         /* severity: 1..255, default 3 */
CN_API bool cn_rule_noalert(const struct cn_rule *r);
/* metadata "key value" pairs, in rule order; NULL past the end */
CN_API const char *cn_rule_metadata_key(const struct cn_rule *r, unsigned i);
CN_API const char *cn_rule_metadata_value(const struct cn_rule *r, unsigned i);
CN_API const char *cn_action_name(enum cn_action a); /* "allowed"/"blocked" are output's job */

/* Writes the datasets that have a save or state file (dataset/datarep keywords, datasets:
 * section), as Suricata does when it stops. Call once, after the workers are gone. Returns the
 * number of files that could not be written (each logged). */
CN_API unsigned cn_detect_datasets_save(const struct cn_ruleset *rs);

/* Every keyword this build supports, one per call, for --list-keywords. NULL past the end. */
CN_API const char *cn_detect_keyword_name(unsigned i);

#endif
