/* output internals: the JSON builder every EVE record is formatted with, the per-second
 * timestamp cache, the shared and per-thread output contexts, and the record header helpers
 * that eve_flow.c, eve_anomaly.c, eve_stats.c and fast.c share. Not installed; only
 * src/output/ and its unit tests include it. */
#ifndef CN_OUTPUT_INT_H
#define CN_OUTPUT_INT_H

#include <pthread.h>

#include "app/app.h"
#include "output/output.h"

/* ---- JSON builder (json.c) ----
 *
 * Writes compact JSON into one growable buffer. Commas between members are automatic: each
 * nesting level remembers whether it already holds a member. Keys are the engine's own
 * ASCII literals and are written as given; string values are escaped. Any failure (an
 * allocation, a record over CN_JSON_MAX_SIZE, nesting over CN_JSON_MAX_DEPTH, a close
 * without an open) sets the sticky err flag; the caller checks it once and drops the record. */
#define CN_JSON_MAX_DEPTH 63
#define CN_JSON_MAX_SIZE  (16u << 20)

struct cn_json {
    char *buf;
    size_t len, cap;
    uint32_t depth;
    uint64_t nonempty; /* bit d: the container at depth d already holds a member */
    uint64_t array;    /* bit d: the container at depth d is an array */
    bool err;
};

/* Allocates the first cap bytes; false (and err set) on failure. */
bool cn_json_init(struct cn_json *j, size_t cap);
void cn_json_free(struct cn_json *j);
/* Empties the buffer (keeps its memory) and clears err. */
static inline void cn_json_reset(struct cn_json *j)
{
    j->len = 0;
    j->depth = 0;
    j->nonempty = 0;
    j->array = 0;
    j->err = false;
}

/* Makes room for n more bytes beyond len (for a trailing newline); false when it cannot. */
bool cn_json_reserve(struct cn_json *j, size_t n);

/* Every value writer takes a key and its length; key NULL writes a bare value (an array
 * element or the top-level value). The inline wrappers below take NUL-terminated keys. */
void cn_json_open_object_n(struct cn_json *j, const char *key, size_t klen);
void cn_json_open_array_n(struct cn_json *j, const char *key, size_t klen);
void cn_json_close(struct cn_json *j);
/* Bytes as a JSON string. Valid UTF-8 is kept, with '"', '\' and control characters
 * escaped. Otherwise, as Suricata does, every byte >= 0x80 becomes the four characters
 * \xNN (so the line stays valid UTF-8 and shows the raw bytes). */
void cn_json_str_n(struct cn_json *j, const char *key, size_t klen, const void *s, size_t len);
void cn_json_u64_n(struct cn_json *j, const char *key, size_t klen, uint64_t v);
void cn_json_i64_n(struct cn_json *j, const char *key, size_t klen, int64_t v);
void cn_json_bool_n(struct cn_json *j, const char *key, size_t klen, bool v);
void cn_json_null_n(struct cn_json *j, const char *key, size_t klen);
/* Lower-case hex of len bytes, as one string ("1b"). */
void cn_json_hex_n(struct cn_json *j, const char *key, size_t klen, const uint8_t *d, size_t len);
/* "00:11:22:aa:bb:cc" */
void cn_json_mac_n(struct cn_json *j, const char *key, size_t klen, const uint8_t mac[6]);
/* An address as Suricata prints it (dotted quad, or IPv6 uncompressed). family 4 or 6. */
void cn_json_ip_n(struct cn_json *j, const char *key, size_t klen, const union cn_addr *a,
                  int family);

/* Timestamps. Formatting the date costs a gmtime and a printf, so the strings of the last
 * two seconds seen are cached and only the microseconds are rewritten (two, because a flow
 * record alternates between its start and its end). One cache per thread. */
struct cn_tscache_ent {
    uint64_t sec; /* UINT64_MAX: empty */
    uint8_t len;  /* length of s */
    uint8_t frac; /* offset of the six microsecond digits in s */
    char s[CN_TIME_STRLEN];
};
struct cn_tscache {
    struct cn_tscache_ent e[2];
    uint8_t victim; /* the entry to replace next: the one used least recently */
};
void cn_tscache_init(struct cn_tscache *c);
/* Formats t as cn_time_format() does; returns the length. out holds CN_TIME_STRLEN. */
int cn_tscache_format(struct cn_tscache *c, cn_time_t t, char *out);
void cn_json_time_n(struct cn_json *j, const char *key, size_t klen, struct cn_tscache *c,
                    cn_time_t t);

#define CN_JSON_KEY(k) (k), ((k) ? __builtin_strlen(k) : 0)
static inline void cn_json_open_object(struct cn_json *j, const char *key)
{
    cn_json_open_object_n(j, CN_JSON_KEY(key));
}
static inline void cn_json_open_array(struct cn_json *j, const char *key)
{
    cn_json_open_array_n(j, CN_JSON_KEY(key));
}
static inline void cn_json_str(struct cn_json *j, const char *key, const char *s)
{
    cn_json_str_n(j, CN_JSON_KEY(key), s, strlen(s));
}
static inline void cn_json_u64(struct cn_json *j, const char *key, uint64_t v)
{
    cn_json_u64_n(j, CN_JSON_KEY(key), v);
}
static inline void cn_json_i64(struct cn_json *j, const char *key, int64_t v)
{
    cn_json_i64_n(j, CN_JSON_KEY(key), v);
}
static inline void cn_json_bool(struct cn_json *j, const char *key, bool v)
{
    cn_json_bool_n(j, CN_JSON_KEY(key), v);
}
static inline void cn_json_null(struct cn_json *j, const char *key)
{
    cn_json_null_n(j, CN_JSON_KEY(key));
}
static inline void cn_json_hex(struct cn_json *j, const char *key, const uint8_t *d, size_t len)
{
    cn_json_hex_n(j, CN_JSON_KEY(key), d, len);
}
static inline void cn_json_mac(struct cn_json *j, const char *key, const uint8_t mac[6])
{
    cn_json_mac_n(j, CN_JSON_KEY(key), mac);
}
static inline void cn_json_ip(struct cn_json *j, const char *key, const union cn_addr *a,
                              int family)
{
    cn_json_ip_n(j, CN_JSON_KEY(key), a, family);
}
static inline void cn_json_time(struct cn_json *j, const char *key, struct cn_tscache *c,
                                cn_time_t t)
{
    cn_json_time_n(j, CN_JSON_KEY(key), c, t);
}

/* Suricata's name for an IP protocol number ("TCP", "IPv6-ICMP"); NULL when it has none, in
 * which case records carry the number as a string. */
const char *cn_output_proto_name(uint8_t proto);

/* ---- shared and per-thread contexts (eve.c) ---- */

/* The record types, for the per-type counts of the run summary. */
enum cn_eve_type {
    CN_EVE_ALERT,
    CN_EVE_ANOMALY,
    CN_EVE_FLOW,
    CN_EVE_STATS,
    CN_EVE_PACKET,
    CN_EVE__COUNT
};
extern const char *const cn_eve_type_names[CN_EVE__COUNT];

/* One shared log file. Threads hand it whole lines, many at a time, under its lock. */
/* A log file written by its own thread: cn_logfile_write() copies whole lines into a queue of
 * large buffers under the lock and returns; the writer thread hands each buffer to write(2)
 * in order. Workers never wait on the file system (creating a file's pages costs the kernel
 * more than formatting the records does) unless the whole queue is full. */
#define CN_LOG_QBUFS    4
#define CN_LOG_QBUF_LEN (1u << 20)
struct cn_logfile {
    int fd; /* -1: disabled */
    char *path;
    pthread_mutex_t lock;
    pthread_cond_t more, room; /* data queued / a buffer freed */
    bool lock_ready;
    bool writer_running;
    bool closing;
    bool write_failed; /* logged once */
    bool busy;         /* the writer is writing q[qhead] */
    unsigned qhead;    /* the oldest buffer holding data */
    unsigned qcount;   /* buffers holding data; the last one may still be filling */
    char *q[CN_LOG_QBUFS];
    size_t qlen[CN_LOG_QBUFS];
    pthread_t writer;
};

#define CN_EVE_THREAD_BUF  (64u * 1024)
#define CN_FAST_THREAD_BUF (8u * 1024)

struct cn_stats_tree; /* eve_stats.c */

struct cn_output {
    struct cn_output_config cfg; /* strings point into the copies below */
    char *logdir;
    char *in_iface;
    struct cn_logfile eve, fast;
    uint64_t counts[CN_EVE__COUNT]; /* atomic: threads fold theirs in at each flush */
    uint64_t dropped;               /* atomic: records over the size limit or out of memory */
    /* stats records are written by one (the main) thread */
    struct cn_stats_tree *stats_tree;
    struct cn_stats *stats_prev; /* values of the previous record, for deltas */
    struct cn_json stats_js;
    struct cn_tscache stats_ts;
    /* the rule load for "detect.engines" (cn_output_set_rule_load); set before any record */
    struct {
        bool set;
        uint64_t loaded, failed, skipped;
        cn_time_t when;
        struct cn_tscache ts;
    } rule_load;
};

struct cn_output_thread {
    struct cn_output *out;
    struct cn_json js; /* the record being built */
    struct cn_tscache ts;
    char *eve_buf;
    size_t eve_len;
    char *fast_buf;
    size_t fast_len;
    uint64_t counts[CN_EVE__COUNT];
    uint64_t dropped;
    /* alert records: room to base64-encode a payload or frame; grows to the largest seen */
    char *scratch;
    size_t scratch_cap;
};

/* Writes len bytes of whole lines to f under its lock with as few write(2) calls as the
 * kernel allows. Failures are logged once per file. */
void cn_logfile_write(struct cn_logfile *f, const void *data, size_t len);

/* Starts a record of the given type for packet p: the common header in Suricata's order
 * (timestamp, flow_id, in_iface, pcap_cnt, event_type, vlan, the 5-tuple, ip_v, icmp_type,
 * icmp_code, pkt_src, ether, community_id). The top-level object stays open. */
void cn_eve_packet_header(struct cn_output_thread *ot, const struct cn_packet *p,
                          enum cn_eve_type type);
/* Starts a record for flow f: timestamp ts, flow_id, in_iface, event_type, vlan, the flow's
 * 5-tuple as client -> server, ip_v. */
void cn_eve_flow_header(struct cn_output_thread *ot, const struct cn_flow *f, enum cn_eve_type type,
                        cn_time_t ts);
/* "ether" for a flow: the MAC addresses seen on each side, as lists. */
void cn_eve_flow_ether(struct cn_output_thread *ot, const struct cn_flow *f);
void cn_eve_community_id(struct cn_output_thread *ot, const struct cn_flow *f);
/* "traffic" and "metadata" (flowbits, flowints) of f, when a rule set any; packet records add
 * them after pkt_src, flow records after the header, as Suricata does. */
void cn_eve_flow_vars(struct cn_output_thread *ot, const struct cn_flow *f);
/* Closes the record and appends it, with its newline, to the thread's eve buffer (writing
 * the buffer out first when the line does not fit). A record in error is dropped. */
void cn_eve_commit(struct cn_output_thread *ot, enum cn_eve_type type);

/* ---- stats (eve_stats.c) ---- */
struct cn_stats_tree *cn_stats_tree_new(const struct cn_output_config *cfg);
/* The tree of an explicit list: paths[i] names counter i (NULL leaves it out); n must not
 * exceed CN_STAT__COUNT. Collisions are reported with cn_warn() and left out. */
struct cn_stats_tree *cn_stats_tree_build(const char *const *paths, unsigned n);
void cn_stats_tree_free(struct cn_stats_tree *t);
/* Writes the members of the "stats" object (not uptime) for v; prev (may be NULL) gives the
 * previous values when deltas are enabled. */
void cn_stats_tree_emit(const struct cn_stats_tree *t, struct cn_json *j, const struct cn_stats *v,
                        const struct cn_stats *prev);

/* ---- fast.log (fast.c) ---- */
#define CN_FAST_TIME_STRLEN 32
/* Suricata's fast.log time: 01/02/2024-03:04:05.123456 (month/day/year). */
int cn_fast_time_format(struct cn_tscache *c, cn_time_t t, char out[CN_FAST_TIME_STRLEN]);
/* Appends one fast.log line (ending in '\n') to the thread's buffer. */
void cn_fast_write_line(struct cn_output_thread *ot, const char *line, size_t len);
/* Writes out the thread's fast.log buffer. */
void cn_fast_flush(struct cn_output_thread *ot);
/* Formats the fast.log line of one alert on p (Suricata's format, ending in '\n') into out;
 * returns its length (cut at outlen - 1). */
size_t cn_fast_alert_line(struct cn_tscache *c, const struct cn_packet *p, const struct cn_alert *a,
                          bool ips, char *out, size_t outlen);

#endif
