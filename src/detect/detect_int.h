/* detect internals: the rule representation, the keyword interface, address and port sets,
 * and the inspection engine's interface. Shared by the files of src/detect only.
 *
 * How a rule becomes matchable:
 *   rules.c reads files -> parse.c splits header and options -> each option's keyword
 *   (looked up in the keywords.def table) gets setup() with its raw value and the rule
 *   builder -> setup() stores metadata in the rule or appends a sigmatch to the builder's
 *   current list (the packet list, the payload list, or a sticky buffer's list).
 * How a packet is inspected (engine.c):
 *   header (proto, addresses, ports, direction) -> every sigmatch of the packet list ->
 *   the payload list through cn_inspect_list() (content and friends, with relative
 *   matching and backtracking) -> alert. */
#ifndef CN_DETECT_INT_H
#define CN_DETECT_INT_H

#include "app/app.h"
#include "detect/detect.h"

/* ---- address and port sets (address.c, port.c) ---- */

/* An inclusive range of addresses; bytes in network order, compared with memcmp over 4
 * (IPv4) or 16 (IPv6) bytes. */
struct cn_addr_range {
    union cn_addr lo, hi;
};
/* A set after negations are resolved: sorted, merged, non-overlapping ranges per family. */
struct cn_addr_set {
    struct cn_addr_range *v4, *v6;
    unsigned n4, n6;
    bool any;    /* matches every address of both families */
    bool shared; /* v4/v6 belong to a cn_addr_pool, not to this set */
};
struct cn_port_range {
    uint16_t lo, hi;
};
struct cn_port_set {
    struct cn_port_range *v; /* sorted, merged */
    unsigned n;
    bool any;
};

/* Variables from vars.address-groups / vars.port-groups ($HOME_NET ...). Without a
 * configuration, Suricata's stock values apply. */
struct cn_detect_vars;
struct cn_detect_vars *cn_detect_vars_new(struct cn_conf *conf);
void cn_detect_vars_free(struct cn_detect_vars *v);
/* The text of an address or port variable (name without '$'); NULL when undefined. */
const char *cn_detect_var_address(const struct cn_detect_vars *v, const char *name);
const char *cn_detect_var_port(const struct cn_detect_vars *v, const char *name);

/* Parses Suricata's address syntax: any, 1.2.3.4, 1.2.3.0/24, 1.2.3.4-1.2.3.9, IPv6 forms,
 * $VAR, lists [a,b,...] (nested), negation !x and ![...]. Returns 0 or -CN_EINVAL with the
 * reason in err. Variables nest and are bounded against loops. */
int cn_addr_set_parse(struct cn_addr_set *out, const char *text, const struct cn_detect_vars *v,
                      char *err, size_t errlen);
bool cn_addr_set_match(const struct cn_addr_set *s, const union cn_addr *a, int family);
void cn_addr_set_free(struct cn_addr_set *s);
/* Rules name a few sets ($HOME_NET, $EXTERNAL_NET) thousands of times, each parsed into arrays
 * of its own spread over the heap. A pool keeps one copy of each distinct array: sharing
 * moves s's arrays into the pool (or swaps them for the identical copy already there) and
 * marks s shared. Address checks of every rule then read the same few cache lines. */
struct cn_addr_pool;
struct cn_addr_pool *cn_addr_pool_new(void);
void cn_addr_pool_share(struct cn_addr_pool *p, struct cn_addr_set *s);
void cn_addr_pool_free(struct cn_addr_pool *p);
/* Ports: any, 80, 1024:, :1023, 80:90, $VAR, lists and negation like addresses. */
int cn_port_set_parse(struct cn_port_set *out, const char *text, const struct cn_detect_vars *v,
                      char *err, size_t errlen);
bool cn_port_set_match(const struct cn_port_set *s, uint16_t port);
void cn_port_set_free(struct cn_port_set *s);

/* The list syntax both share (setlist.c): trims blanks, and walks "a, !b, [c, d]" one
 * element at a time from *pos (start at 0): the element without its '!'s and whether it is
 * negated. False once the list is exhausted; an empty list yields one empty element. */
struct cn_set_parse { /* one address or port expression being parsed */
    const struct cn_detect_vars *vars;
    char *err;
    size_t errlen;
    unsigned elements; /* elements seen, variables expanded included (bounded) */
};
/* Writes "<what> '<text>'" (or "out of memory") into ps->err and returns rc. */
int cn_set_fail(struct cn_set_parse *ps, int rc, const char *what, const char *s, size_t len);
/* Where the ']' matching the '[' at s[0] is, or -1. */
long cn_set_match_bracket(const char *s, size_t len);
void cn_set_trim(const char **s, size_t *len);
bool cn_set_list_next(const char *s, size_t len, size_t *pos, const char **elem, size_t *elen,
                      bool *negated);

/* ---- the rule ---- */

/* byte_extract and byte_math variables: at most this many per rule (names resolved to an
 * index at load time), each name at most CN_VAR_NAME_MAX - 1 bytes. */
#define CN_RULE_MAX_VARS 8u
#define CN_VAR_NAME_MAX  32u

/* Lists of sigmatches. New buffers (http.uri, dns.query, ...) come with the application
 * layer, registered in a buffers.def list; their ids follow CN_LIST__BUILTIN. */
enum cn_list_id {
    CN_LIST_PACKET,  /* header and flow keywords: ttl, flags, flow, dsize, ... */
    CN_LIST_PAYLOAD, /* the packet payload (and, later, reassembled stream data) */
    CN_LIST_BASE64,  /* base64_data: what base64_decode decoded, inspected from it */
    CN_LIST__BUILTIN,
    CN_LIST__MAX = 64,
};

/* Sticky buffers (buffers.def): buffer i inspects list CN_LIST__BUILTIN + i. */
enum cn_buffer_id {
#define CN_BUFFER(id, kw, fn) CN_BUFFER_##id,
#include "detect/buffers.def"
#undef CN_BUFFER
    CN_BUFFER__COUNT
};
typedef bool (*cn_buffer_get_fn)(const struct cn_packet *p, const uint8_t **buf, uint32_t *len);
#define CN_BUFFER(id, kw, fn)                                                                      \
    bool fn(const struct cn_packet *p, const uint8_t **buf, uint32_t *len);
#include "detect/buffers.def"
#undef CN_BUFFER
/* The bytes of the buffer that list inspects, for packet p; false when p has none. */
bool cn_buffer_get(unsigned list, const struct cn_packet *p, const uint8_t **buf, uint32_t *len);

struct cn_keyword;
struct cn_sigmatch {
    const struct cn_keyword *kw;
    void *data; /* what the keyword's setup() parsed; freed by kw->free */
};
/* A sticky buffer's list may start with its transform chain (transform.h): a sigmatch of
 * cn_kw_transform_chain that matches nothing itself; cn_transform_buffer() applies it. */
struct cn_smlist {
    struct cn_sigmatch *v;
    unsigned n, cap;
};

enum cn_rule_flag {
    CN_RULE_NOALERT = 1u << 0,
    CN_RULE_BIDIR = 1u << 1,       /* <> */
    CN_RULE_HAS_PAYLOAD = 1u << 2, /* some list other than the packet list is used */
    CN_RULE_TARGET_SRC = 1u << 3,  /* target:src_ip (EVE alert source/target) */
    CN_RULE_TARGET_DST = 1u << 4,  /* target:dest_ip */
    CN_RULE_PRIO_SET = 1u << 5,    /* priority: given explicitly; classtype must not override */
    CN_RULE_PKT_ONLY = 1u << 6,    /* tcp-pkt: payload keywords see packets, never the stream */
    CN_RULE_STREAM_ONLY = 1u << 7, /* tcp-stream: payload keywords see the stream only */
    CN_RULE_ON_STREAM = 1u << 8,   /* its payload keywords inspect reassembled TCP data (set by
                                      engine.c when the groups are built) */
    CN_RULE_PASS_FLOW = 1u << 9,   /* a pass rule whose match passes the whole flow: addresses
                                      only, an application protocol, or protocol detection only
                                      (engine.c, as Suricata's flow-scoped actions) */
};

struct cn_rule {
    uint32_t sid, gid, rev;
    enum cn_action action;
    uint8_t proto; /* IP protocol; 0 with proto_any = "ip" (any protocol) */
    bool proto_any;
    uint16_t app_proto; /* 0 = none; set by app-layer protocol names later */
    uint32_t flags;
    struct cn_addr_set src, dst;
    struct cn_port_set sp, dp;
    char *msg;
    char *classtype; /* the class's description (EVE "category"); NULL = none */
    int priority;    /* from priority:, else the class's, else 3 */
    char **meta_key, **meta_value;
    unsigned nmeta;
    struct cn_smlist lists[CN_LIST__MAX];
    unsigned nlists;  /* lists[0..nlists-1] may be non-empty */
    const char *file; /* interned; not owned */
    int line;
    uint32_t order; /* load order */
    uint32_t num;   /* evaluation position in rs->rules (ruleset.c's ordering) */
    /* post-match actions (flowbits:set, flowint:+, xbits:set, ...): run once the whole rule
     * has matched a packet, whether or not an alert is written (kw->postmatch) */
    struct cn_smlist post;
    /* Lists in which byte_extract/byte_math set variables, in the order of their first
     * definition. The engine inspects these lists first, in this order, so a variable set in
     * one buffer is known when a later buffer reads it (kw/byte_common.h checks the order). */
    uint8_t var_lists[CN_RULE_MAX_VARS];
    uint8_t nvar_lists;
    /* threshold: or detection_filter: (kw/threshold.c, kw/detection_filter.c); owned. What
     * applies at run time may differ: threshold.config can replace it (threshold.c). */
    struct cn_threshold_spec *threshold;
    /* tag:session (kw/tag.c): after an alert, the flow's next packets are tagged, up to
     * tag_count of tag_metric (enum cn_tag_metric; CN_TAG_NONE: the rule tags nothing) */
    uint32_t tag_count;
    uint8_t tag_metric;
};

/* ---- keywords (keyword.c and one file per keyword, listed in keywords.def) ---- */

enum cn_kw_flag {
    CN_KW_NOVALUE = 1u << 0,  /* "nocase;": a value is an error */
    CN_KW_OPTVALUE = 1u << 1, /* value optional */
    CN_KW_STICKY = 1u << 2,   /* a sticky buffer: later content goes to its list */
};

/* What a keyword's setup() works on while a rule is parsed. */
struct cn_rule_builder {
    struct cn_rule *rule;
    unsigned list;          /* list that new payload matches go to (CN_LIST_PAYLOAD or sticky) */
    int last_content_list;  /* list and index of the last content match, -1 when none */
    int last_content_index; /* (content modifiers apply to it) */
    const struct cn_detect_loader *ld;
    /* byte_extract/byte_math variables defined so far: name and defining list, by index */
    char var_name[CN_RULE_MAX_VARS][CN_VAR_NAME_MAX];
    uint8_t var_list[CN_RULE_MAX_VARS];
    unsigned nvars;
};

/* The loader's shared tables, for keywords that need them (classtype, reference). */
struct cn_classtype {
    char *name, *desc;
    int priority;
};
struct cn_detect_loader {
    struct cn_classtype *classes; /* sorted by name (case-insensitive) */
    unsigned nclasses;
    char **ref_names; /* reference.config system names; a reference to an unknown system is
                         accepted (Suricata warns) */
    unsigned nrefs;
    const struct cn_detect_vars *vars;
    struct cn_varstore *vs;       /* flowbit/flowint/xbit names and the xbits table (flowvar.c) */
    struct cn_datasets *datasets; /* dataset/datarep sets (dataset.c) */
    const char *cur_file;         /* the rule file being loaded (dataset load paths); may be NULL */
};
const struct cn_classtype *cn_detect_classtype(const struct cn_detect_loader *ld, const char *name);

struct cn_inspect;
struct cn_keyword {
    const char *name;
    const char *alias; /* another accepted name, or NULL */
    uint32_t flags;    /* enum cn_kw_flag */
    /* Applies the keyword to the rule being built. value is the raw text after ':' with
     * surrounding white space removed (quotes kept), or NULL when there was no ':'.
     * Returns 0, or -CN_EINVAL with a short reason in err (the loader prefixes the
     * keyword name, the file and the line). */
    int (*setup)(struct cn_rule_builder *b, const char *value, char *err, size_t errlen);
    /* For keywords that add sigmatches: does the sigmatch match? NULL for metadata keywords. */
    bool (*match)(struct cn_inspect *in, const void *data);
    void (*free)(void *data);
    /* For sigmatches in the rule's post list: the action to run once the rule matched. */
    void (*postmatch)(struct cn_inspect *in, const void *data);
    /* Which state a sigmatch reads (packet list) or writes (post list), for the evaluation
     * order (ruleset.c): enum cn_var_class; NULL for keywords that touch none. */
    int (*var_class)(const void *data);
};

/* The keyword table built from keywords.def: lookup by name or alias; NULL when unknown. */
const struct cn_keyword *cn_kw_find(const char *name);
unsigned cn_kw_count(void);
const struct cn_keyword *cn_kw_at(unsigned i);

/* The direction a rule's flow keyword asks for (kw/flow.c): CN_FLOW_DIR_TOSERVER (to_server,
 * from_client), CN_FLOW_DIR_TOCLIENT, or 0 when it names none. The prefilter keeps one
 * database per direction. */
enum { CN_FLOW_DIR_TOSERVER = 1, CN_FLOW_DIR_TOCLIENT = 2 };
unsigned cn_kw_flow_direction(const struct cn_rule *r);
/* 1 for flow:only_stream, -1 for flow:no_stream, else 0 (kw/flow.c). */
int cn_kw_flow_stream(const struct cn_rule *r);

/* Appends a sigmatch to list (growing the list); data is owned by the rule from now on. */
int cn_rule_add_match(struct cn_rule *r, unsigned list, const struct cn_keyword *kw, void *data);
/* The last content sigmatch's data, or NULL with "no preceding content" in err. */
void *cn_rule_last_content(struct cn_rule_builder *b, char *err, size_t errlen);

/* Helpers for values: strips one pair of surrounding double quotes in place (returns false
 * when the quotes do not pair), and undoes \" \\ \; escapes. */
bool cn_kw_unquote(char *s);
/* White space in rule text and threshold.config lines, and trimming of it in place. */
static inline bool cn_rule_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
char *cn_rule_trim(char *s);

/* ---- inspection (inspect.c, engine.c) ---- */

/* What a match() callback sees. For the packet list, buf/len are the packet payload and pos
 * is unused; for content lists, buf/len are the buffer and pos is where the previous match
 * ended (relative keywords start there). */
struct cn_inspect {
    struct cn_detect_ctx *ctx;
    const struct cn_rule *rule;
    struct cn_packet *p;
    struct cn_flow *f;
    const uint8_t *buf;
    uint32_t len;
    uint32_t pos;
    uint32_t depth;                     /* recursion guard for backtracking */
    struct cn_inspect_scratch *scratch; /* per-worker scratch (inspect.c); NULL works, slower */
    struct cn_stats *stats; /* the worker's counters (post-match actions); may be NULL */
    bool stream;            /* buf is reassembled stream data (raw-stream inspection) */
    /* byte_extract/byte_math values of the current inspection attempt, by variable index.
     * Only read after the defining keyword ran on the same path (load-time order). */
    uint64_t vars[CN_RULE_MAX_VARS];
};

/* Per-worker scratch space of the inspector (PCRE2 match data). The engine keeps one per
 * detect ctx and points cn_inspect.scratch at it, so matching allocates nothing. */
struct cn_inspect_scratch;
struct cn_inspect_scratch *cn_inspect_scratch_new(void);
void cn_inspect_scratch_free(struct cn_inspect_scratch *s);

/* Runs list over in->buf with Suricata's semantics: keywords in order, relative ones after
 * the previous match, and when a later relative keyword fails, the earlier content is
 * retried at its next occurrence (bounded). True when the whole list matches. */
bool cn_inspect_list(struct cn_inspect *in, const struct cn_smlist *list);
/* RFC 4648 base64 of in[0..n) into out (room for n / 4 * 3 + 3 bytes), up to the first byte
 * outside the alphabet; returns the decoded length (kw/base64_decode.c). */
uint32_t cn_base64_decode(const uint8_t *in, uint32_t n, uint8_t *out);

/* The detection state of one flow (flowstate.c), at f->detect. NULL until a rule needs it:
 * use cn_flow_detect_get(). Each part frees its own data in cn_flow_detect_release(). */
/* One direction's reassembled bytes waiting for raw-stream inspection (engine.c). buf holds
 * ctx_len bytes already inspected (the end of the last window, so contents split between
 * windows match) and then the pending bytes, stream offsets [start, end) as delivered, each
 * gap written as "[N bytes missing]" (markers make the buffer longer than end - start).
 * consumed bytes at the front were inspected by the last call and are dropped by the next one
 * (an alert's payload may still point at them). An idle direction has no buffer and keeps its
 * last CN_RAW_TAIL bytes in tail. */
#define CN_RAW_TAIL 64u
struct cn_raw {
    uint8_t *buf;
    uint32_t len, cap, consumed, ctx_len;
    uint64_t start, end;
    bool markers;
    uint8_t tail_len;
    uint8_t tail[CN_RAW_TAIL];
};
struct cn_flow_detect {
    struct cn_raw raw[2]; /* [0] to server, [1] to client */
    /* flowbits and flowints (flowvar.c): ids are the rule set's (vs); arrays sized by its
     * name counts on first write, NULL until then */
    const struct cn_varstore *vs;
    uint64_t *fbits;                      /* one bit per flowbit id */
    uint32_t *fints;                      /* value per flowint id */
    uint64_t *fints_set;                  /* one bit per flowint id: has a value */
    uint32_t nfbits, nfints;              /* ids the arrays cover */
    struct cn_threshold_flow *thresholds; /* by_flow threshold counters (threshold.c) */
    struct cn_tag_entry *tags;            /* session tags (tag.c); ntags of them */
    uint8_t ntags;
};
/* f's state, allocated on first use; NULL when memory runs out (the caller treats the rule
 * as not matching, or skips the update). */
struct cn_flow_detect *cn_flow_detect_get(struct cn_flow *f);
/* Frees what the parts of fd hold (not fd itself). */
void cn_flow_detect_release(struct cn_flow_detect *fd);

/* ---- tag (tag.c, kw/tag.c) ---- */
enum cn_tag_metric { CN_TAG_NONE, CN_TAG_PACKETS, CN_TAG_BYTES, CN_TAG_SECONDS };
/* Rule r alerted on p: tag p's flow (a new entry, or the rule's entry restarted). */
void cn_tag_flow_add(const struct cn_rule *r, const struct cn_packet *p);
void cn_tag_flow_release(struct cn_flow_detect *fd);

/* ---- flowbits, flowint, xbits (flowvar.c, xbits_table.c, kw/flowbits.c, ...) ---- */

/* What a sigmatch reads or writes, for the evaluation order: rules that set a kind of state
 * run before rules that only check it, as Suricata's detect-engine-sigorder.c orders them. */
enum cn_var_class {
    CN_VARCLASS_NONE,
    CN_VARCLASS_FLOWBITS,
    CN_VARCLASS_FLOWINT,
    CN_VARCLASS_HOSTBITS,   /* xbits track ip_src / ip_dst */
    CN_VARCLASS_IPPAIRBITS, /* xbits track ip_pair */
    CN_VARCLASS__COUNT
};

/* Names are interned at load time into small ids per kind, so per-flow state is a bit array
 * (flowbits) or a value array (flowint). The store belongs to the rule set (loader.vs) and
 * also owns the xbits table shared by the workers. */
enum cn_var_kind { CN_VAR_FLOWBIT, CN_VAR_FLOWINT, CN_VAR_XBIT, CN_VAR__KINDS };
#define CN_VAR_MAX_NAMES   16384u /* per kind; a rule set naming more fails those rules */
#define CN_VAR_MAX_NAMELEN 255u
struct cn_varstore;
struct cn_varstore *cn_varstore_new(void);
void cn_varstore_free(struct cn_varstore *vs);
/* The id of name (len bytes), adding it when new: 0, -CN_ENOMEM, or -CN_EINVAL when the kind
 * already has CN_VAR_MAX_NAMES names. */
int cn_var_intern(struct cn_varstore *vs, enum cn_var_kind k, const char *name, size_t len,
                  uint32_t *id);
const char *cn_var_name(const struct cn_varstore *vs, enum cn_var_kind k, uint32_t id);
uint32_t cn_var_count(const struct cn_varstore *vs, enum cn_var_kind k);

/* Appends an action to r->post; data is owned by the rule from now on (freed on failure). */
int cn_rule_add_post(struct cn_rule *r, const struct cn_keyword *kw, void *data);

/* Per-flow flowbits and flowints. Reads never allocate; writes allocate the flow's arrays on
 * first use and do nothing when memory runs out. */
bool cn_flowbit_isset(const struct cn_flow *f, uint32_t id);
void cn_flowbit_set(struct cn_flow *f, const struct cn_varstore *vs, uint32_t id, bool on);
bool cn_flowint_get(const struct cn_flow *f, uint32_t id, uint32_t *value);
void cn_flowint_put(struct cn_flow *f, const struct cn_varstore *vs, uint32_t id, uint32_t value);
void cn_flowvar_release(struct cn_flow_detect *fd);

/* xbits (xbits_table.c): bits kept per host (track ip_src / ip_dst) or per address pair
 * (track ip_pair, either direction), shared by every worker: a hash table with striped locks,
 * entries expire in packet time, bounded by a memcap (refusals counted in host.memcap /
 * ippair.memcap). Created by the first xbits rule loaded. */
enum cn_xbits_track { CN_XBITS_IP_SRC, CN_XBITS_IP_DST, CN_XBITS_IP_PAIR };
#define CN_XBITS_MEMCAP_DEFAULT (16u * 1024u * 1024u)
struct cn_xbits;
struct cn_xbits *cn_varstore_xbits(struct cn_varstore *vs); /* created on first call; NULL: nomem */
struct cn_xbits *cn_xbits_new(uint64_t memcap);
void cn_xbits_free(struct cn_xbits *t);
void cn_xbits_set_memcap(struct cn_xbits *t, uint64_t memcap);
uint64_t cn_xbits_memuse(const struct cn_xbits *t);
/* Is bit id set (and not expired at now) for the packet's host or pair? */
bool cn_xbits_isset(struct cn_xbits *t, enum cn_xbits_track tr, const struct cn_packet *p,
                    uint32_t id);
/* op: 1 set, 0 unset, 2 toggle; expire in seconds. Returns false when the memcap refused. */
bool cn_xbits_update(struct cn_xbits *t, enum cn_xbits_track tr, const struct cn_packet *p,
                     uint32_t id, int op, uint32_t expire);

/* ---- thresholds (threshold.c; keywords kw/threshold.c, kw/detection_filter.c) ---- */

enum cn_th_type {
    CN_TH_LIMIT = 1,
    CN_TH_THRESHOLD,
    CN_TH_BOTH,
    CN_TH_DETECTION, /* detection_filter */
    CN_TH_RATE,      /* rate_filter (threshold.config) */
    CN_TH_SUPPRESS,  /* suppress with an address list (threshold.config) */
    CN_TH_BACKOFF,   /* alerts on match count, count*multiplier, count*multiplier^2, ... */
};
enum cn_th_track {
    CN_TRACK_SRC = 1,
    CN_TRACK_DST,
    CN_TRACK_BOTH, /* the address pair, either direction */
    CN_TRACK_RULE,
    CN_TRACK_FLOW,
    CN_TRACK_EITHER, /* suppress: source or destination in the list */
};
/* One threshold setting, from a keyword or a threshold.config line. */
struct cn_threshold_spec {
    uint8_t type;    /* enum cn_th_type */
    uint8_t track;   /* enum cn_th_track */
    bool set_action; /* rate_filter: new_action replaces the rule's action */
    enum cn_action new_action;
    uint32_t count, seconds, timeout;
    uint32_t multiplier;      /* backoff */
    struct cn_addr_set addrs; /* suppress: the addresses */
};
void cn_threshold_spec_free(struct cn_threshold_spec *s);
/* A threshold or detection_filter value: the n parts "name value, ..." named by names, each
 * exactly once, in any order. vals[k] gets part k's value, pointing into buf (where value is
 * copied and split). 0, or -CN_EINVAL with the reason in err ("expected <usage>" when the
 * shape is wrong). */
int cn_threshold_parts(const char *value, const char *const *names, unsigned n, const char **vals,
                       char *buf, size_t buflen, const char *usage, char *err, size_t errlen);
/* Hangs a copy of s on rule r (r->threshold). 0 or -CN_ENOMEM with the reason in err. */
int cn_threshold_attach(struct cn_rule *r, const struct cn_threshold_spec *s, char *err,
                        size_t errlen);
bool cn_threshold_u32(const char *s, uint32_t *out); /* digits only, at most UINT32_MAX */
int cn_threshold_track(const char *s); /* by_src..by_flow as enum cn_th_track; 0 otherwise */

/* The rule set's threshold state: what applies to each rule (its own keyword, replaced or
 * completed by threshold.config) and the counters shared by the workers. Built after the
 * rules load; NULL only when memory runs out. */
struct cn_thresholds;
struct cn_thresholds *cn_thresholds_new(struct cn_ruleset *rs,
                                        const struct cn_detect_load_config *cfg);
void cn_thresholds_free(struct cn_thresholds *t);
/* Applies suppressions, then the rule's threshold, to one alert being finalized, at packet
 * time p->ts. rate_filter may change a->action. Safe to call from several workers at once. */
enum cn_threshold_verdict {
    CN_THRESHOLD_ALERT,  /* log it */
    CN_THRESHOLD_SILENT, /* matched but suppressed: counted in detect.alerts_suppressed */
    CN_THRESHOLD_DROP,   /* the threshold is not reached: as if the rule had not matched */
};
enum cn_threshold_verdict cn_threshold_check(struct cn_thresholds *t, struct cn_alert *a,
                                             struct cn_packet *p, struct cn_stats *stats);
struct cn_threshold_flow;
void cn_threshold_flow_free(struct cn_threshold_flow *tf);

/* ---- datasets (dataset.c, kw/dataset.c, kw/datarep.c) ---- */

/* Named sets of strings, hashes or addresses that rules look the current buffer up in, add it
 * to or remove it from (dataset:) or compare a stored reputation with (datarep:). Sets belong
 * to the rule set, are shared by every worker (a chained hash with striped read-write locks)
 * and each is bounded by its memcap. Files use Suricata's formats, one value per line with an
 * optional ",<reputation>": base64 for string, hex for md5/sha256, dotted/colon text for
 * ipv4/ip. */
enum cn_dataset_type {
    CN_DATASET_NOTSET,
    CN_DATASET_STRING,
    CN_DATASET_MD5,
    CN_DATASET_SHA256,
    CN_DATASET_IPV4,
    CN_DATASET_IP, /* IPv6, or IPv4 stored as its 4 bytes followed by 12 zero bytes */
};
#define CN_DATASET_NAME_MAX         63u /* as Suricata's DATASET_NAME_MAX_LEN */
#define CN_DATASET_MEMCAP_DEFAULT   (16u * 1024u * 1024u)
#define CN_DATASET_HASHSIZE_DEFAULT 4096u
#define CN_DATASET_MAX_SETS         4096u
#define CN_DATASET_PATH_MAX         4096u
struct cn_dataset;  /* one named set */
struct cn_datasets; /* every set of a rule set, by name; also the datasets: settings */

/* What a rule (or the datasets: section) asks for. Paths are final (already resolved). */
struct cn_dataset_spec {
    const char *name;
    enum cn_dataset_type type; /* NOTSET: the set must exist already */
    const char *load;          /* NULL or "": nothing to load */
    const char *save;          /* NULL or "": not written at shutdown */
    uint64_t memcap;           /* 0: datasets.defaults.memcap, else the default above */
    uint32_t hashsize;         /* 0: datasets.defaults.hashsize, else the default above */
};

/* Reads the datasets: section and default-data-dir / default-rule-path from conf (may be
 * NULL) and creates the sets it defines. Problems are reported through cn_err as
 * "datasets.<name>.<key>: ..." and counted in *bad; the set is left out. NULL: no memory. */
struct cn_datasets *cn_datasets_new(struct cn_conf *conf, unsigned *bad);
void cn_datasets_free(struct cn_datasets *ds);
/* The set named spec->name: the existing one (its type, load and save must agree) or a new one
 * loaded from spec->load. NULL with the reason in err. */
struct cn_dataset *cn_datasets_get(struct cn_datasets *ds, const struct cn_dataset_spec *spec,
                                   char *err, size_t errlen);
/* Where a rule's "load" file is: absolute as given; else next to rule_file if it exists there,
 * else under default-rule-path if it exists there, else as given. */
int cn_datasets_load_path(const struct cn_datasets *ds, const char *rule_file, const char *name,
                          char *out, size_t outlen, char *err, size_t errlen);
/* Where a rule's "save"/"state" file is: under default-data-dir, never absolute or with "..",
 * unless datasets.rules.allow-absolute-filenames; refused with datasets.rules.allow-write: no
 * or when no data directory is configured. */
int cn_datasets_save_path(const struct cn_datasets *ds, const char *name, char *out, size_t outlen,
                          char *err, size_t errlen);
/* Writes every set that has a save (or state) file. Returns the number of files that could not
 * be written (each logged). */
unsigned cn_datasets_save(struct cn_datasets *ds);

enum cn_dataset_type cn_dataset_type_parse(const char *s);
/* 1 found (rep, when not NULL, gets its reputation), 0 not found, -1 the data cannot be of
 * this set's type (wrong length). */
int cn_dataset_lookup(struct cn_dataset *s, const uint8_t *data, uint32_t len, uint16_t *rep);
/* 1 added, 0 already there, -1 wrong length or memcap reached. */
int cn_dataset_add(struct cn_dataset *s, const uint8_t *data, uint32_t len, uint16_t rep);
/* 1 removed, 0 not there, -1 wrong length. */
int cn_dataset_remove(struct cn_dataset *s, const uint8_t *data, uint32_t len);
uint64_t cn_dataset_count(const struct cn_dataset *s);
uint64_t cn_dataset_memuse(const struct cn_dataset *s);
/* Lines of the load file that were refused (each logged as "file:line: reason"), and the
 * first such message. */
unsigned cn_dataset_bad_lines(const struct cn_dataset *s, const char **first);

/* Rule-set internals for the engine (ruleset.c builds them). */
struct cn_ruleset {
    struct cn_rule **rules;
    unsigned n;
    struct cn_detect_loader ld;
    struct cn_thresholds *thresholds; /* threshold.c; NULL while loading */
    struct cn_rule_groups *groups;    /* engine.c: protocol groups and their prefilters */
};
/* Groups the loaded rules by protocol and compiles each group's prefilter (engine.c); the
 * last step of loading. 0 or -CN_ENOMEM. */
int cn_detect_groups_build(struct cn_ruleset *rs);
void cn_detect_groups_free(struct cn_rule_groups *gs);

void cn_rule_free(struct cn_rule *r);

/* ---- loading (rules.c, parse.c, classification.c, report.c) ---- */

/* Longest rule, after joining continuation lines; a longer one fails to load. */
#define CN_RULE_MAX_LEN (64u * 1024u)

/* Parses one rule's text (no comment, no line break) into a new rule, or returns NULL with
 * the reason in err ("unsupported keyword 'x'", "rule has no sid", ...). ld gives the
 * classes, references and variables. */
struct cn_rule *cn_rule_parse(const char *text, const struct cn_detect_loader *ld, char *err,
                              size_t errlen);

/* Reads a rule file and calls fn once per rule (comments, blank lines and commented-out
 * rules are not passed; the latter are counted in report->skipped). line is the first line
 * of the rule. Over-long rules are reported through fn with text NULL. Returns 0 or a
 * negative CN_E* code when the file cannot be read. */
typedef void (*cn_detect_rule_fn)(void *arg, const char *text, int line);
int cn_detect_read_rules(const char *path, struct cn_detect_report *report, cn_detect_rule_fn fn,
                         void *arg);
/* The same for rules held in memory (the built-in default set). */
int cn_detect_read_rules_text(const char *text, struct cn_detect_report *report,
                              cn_detect_rule_fn fn, void *arg);

/* classification.config and reference.config into the loader's tables. A NULL path loads
 * the built-in classes (or no references). A file that cannot be read is logged and leaves
 * the built-in classes (or no references) in place. Returns 0 or -CN_ENOMEM. */
int cn_detect_classes_load(struct cn_detect_loader *ld, const char *path);
int cn_detect_references_load(struct cn_detect_loader *ld, const char *path);
void cn_detect_loader_clear(struct cn_detect_loader *ld);

/* Counts one failure under its reason (grouped by exact text). */
void cn_detect_report_fail(struct cn_detect_report *report, const char *reason);

#endif
