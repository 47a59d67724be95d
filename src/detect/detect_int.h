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
    bool any; /* matches every address of both families */
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

/* Lists of sigmatches. New buffers (http.uri, dns.query, ...) come with the application
 * layer, registered in a buffers.def list; their ids follow CN_LIST__BUILTIN. */
enum cn_list_id {
    CN_LIST_PACKET,  /* header and flow keywords: ttl, flags, flow, dsize, ... */
    CN_LIST_PAYLOAD, /* the packet payload (and, later, reassembled stream data) */
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
};

/* The keyword table built from keywords.def: lookup by name or alias; NULL when unknown. */
const struct cn_keyword *cn_kw_find(const char *name);
unsigned cn_kw_count(void);
const struct cn_keyword *cn_kw_at(unsigned i);

/* Appends a sigmatch to list (growing the list); data is owned by the rule from now on. */
int cn_rule_add_match(struct cn_rule *r, unsigned list, const struct cn_keyword *kw, void *data);
/* The last content sigmatch's data, or NULL with "no preceding content" in err. */
void *cn_rule_last_content(struct cn_rule_builder *b, char *err, size_t errlen);

/* Helpers for values: strips one pair of surrounding double quotes in place (returns false
 * when the quotes do not pair), and undoes \" \\ \; escapes. */
bool cn_kw_unquote(char *s);

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

/* The detection state of one flow (flowstate.c), at f->detect. NULL until a rule needs it:
 * use cn_flow_detect_get(). Each part frees its own data in cn_flow_detect_release(). */
struct cn_flow_detect {
    int placeholder; /* parts (flowbits, flowint, by_flow thresholds) are added here */
};
/* f's state, allocated on first use; NULL when memory runs out (the caller treats the rule
 * as not matching, or skips the update). */
struct cn_flow_detect *cn_flow_detect_get(struct cn_flow *f);
/* Frees what the parts of fd hold (not fd itself). */
void cn_flow_detect_release(struct cn_flow_detect *fd);

/* Rule-set internals for the engine (ruleset.c builds them). */
struct cn_ruleset {
    struct cn_rule **rules;
    unsigned n;
    struct cn_detect_loader ld;
};

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
