/* flow: the bidirectional flow table. One table per worker (packets reach workers by a
 * symmetric hash, so a flow is touched by one thread only and nothing here locks).
 *
 * Flows are keyed by address pair, ports, protocol, VLAN ids and tunnel id. Each flow sits in
 * one of a few LRU lists, one per timeout class (protocol x state), so the oldest flow of a
 * class is always at its head and timeouts cost O(expired). A memcap bounds the table; when
 * it is reached the table enters emergency mode (shorter timeouts, oldest flows evicted) and
 * leaves it once usage falls below the recovery mark.
 *
 * Public header of src/flow; needs core and decode. */
#ifndef CN_FLOW_H
#define CN_FLOW_H

#include "core/core.h"
#include "decode/decode.h"

enum cn_flow_state {
    CN_FLOW_NEW,         /* packets seen in one direction only */
    CN_FLOW_ESTABLISHED, /* both directions (for TCP: set by the stream engine) */
    CN_FLOW_CLOSED,      /* TCP closed (FIN/RST) */
    CN_FLOW_STATE__COUNT
};

enum cn_flow_end_reason {
    CN_FLOW_END_TIMEOUT,
    CN_FLOW_END_FORCED,   /* evicted by emergency mode or TCP port reuse */
    CN_FLOW_END_SHUTDOWN, /* still open when the capture ended */
};

#define CN_FLOW_MAX_MACS 4 /* distinct MACs kept per direction for EVE "ether" */

struct cn_flow {
    /* key; src/sp is the client (the side that sent the first packet, unless the stream
     * engine swaps the flow on seeing a SYN/ACK first) */
    union cn_addr src, dst;
    uint16_t sp, dp;
    uint8_t proto;
    uint8_t ip_ver;
    uint8_t vlan_n;
    uint16_t vlan[CN_PKT_MAX_VLANS];
    uint32_t tunnel_id;
    uint32_t hash; /* symmetric key hash */

    uint64_t flow_id; /* stable: derived from key and start time, not a counter */
    cn_time_t start, last;
    uint64_t pkts_toserver, pkts_toclient;
    uint64_t bytes_toserver, bytes_toclient;
    uint8_t tcp_flags_ts, tcp_flags_tc;
    uint8_t state;      /* enum cn_flow_state */
    uint8_t end_reason; /* enum cn_flow_end_reason, set when the flow ends */
    bool alerted;
    bool swapped;        /* client/server reversed after creation */
    bool emergency;      /* created during emergency mode */
    uint16_t app_proto;  /* filled by the application layer; 0 = unknown */

    /* Ethernet addresses seen, per direction (for EVE "ether") */
    uint8_t macs_ts_n, macs_tc_n;
    uint8_t mac_src_ts[CN_FLOW_MAX_MACS][6], mac_dst_ts[CN_FLOW_MAX_MACS][6];
    uint8_t mac_src_tc[CN_FLOW_MAX_MACS][6], mac_dst_tc[CN_FLOW_MAX_MACS][6];

    void *stream; /* TCP session, owned by src/stream */
    void *app;    /* application-layer state, owned by src/app */

    /* table linkage (private to src/flow) */
    struct cn_flow *hnext;
    struct cn_flow *lru_prev, *lru_next;
    uint8_t lru_class;
};

struct cn_flow_timeouts {
    uint32_t new_, established, closed;
    uint32_t emerg_new, emerg_established, emerg_closed;
};
enum cn_flow_proto_class { CN_FLOW_PC_DEFAULT, CN_FLOW_PC_TCP, CN_FLOW_PC_UDP, CN_FLOW_PC_ICMP,
                           CN_FLOW_PC__COUNT };

struct cn_flow_config {
    uint64_t memcap;          /* bytes, this table's share; default 128 MiB */
    uint32_t hash_size;       /* buckets; default 65536 */
    uint32_t prealloc;        /* flows allocated at start; default 10000 */
    uint32_t emergency_recovery; /* percent; default 30 */
    struct cn_flow_timeouts timeouts[CN_FLOW_PC__COUNT]; /* seconds; Suricata's defaults */
    uint64_t hash_seed;
};
CN_API void cn_flow_config_defaults(struct cn_flow_config *cfg);

/* Called for every flow that ends (timeout, eviction, shutdown) before it is freed, so later
 * stages (stream, app, output) can finish and release their state. Wired by src/main. */
struct cn_flow_hooks {
    void (*flow_end)(void *user, struct cn_flow *f);
    void *user;
};

struct cn_flow_table;
CN_API struct cn_flow_table *cn_flow_table_new(const struct cn_flow_config *cfg,
                                               const struct cn_flow_hooks *hooks,
                                               struct cn_stats *stats);
/* Ends every remaining flow (reason shutdown) and frees the table. */
CN_API void cn_flow_table_free(struct cn_flow_table *t);

/* Finds or creates the flow of p, sets p->flow and p->toserver, and updates the flow's
 * counters. Returns NULL (p->flow stays NULL) for packets without a flow: no IP, a fragment
 * that was not rebuilt, or a memcap refusal that eviction could not relieve. */
CN_API struct cn_flow *cn_flow_handle(struct cn_flow_table *t, struct cn_packet *p);

/* Expires flows idle longer than their timeout at packet time now (reason timeout). */
CN_API void cn_flow_timeout(struct cn_flow_table *t, cn_time_t now);

/* Ends every flow (reason shutdown), after a last timeout pass at time now. */
CN_API void cn_flow_flush(struct cn_flow_table *t, cn_time_t now);

/* Ends one flow now with the given reason (e.g. TCP port reuse); f is freed. */
CN_API void cn_flow_end(struct cn_flow_table *t, struct cn_flow *f, enum cn_flow_end_reason r);

/* Moves f to another state (and so another timeout class). */
CN_API void cn_flow_set_state(struct cn_flow_table *t, struct cn_flow *f,
                              enum cn_flow_state state);

/* Reverses client and server (the stream engine calls it when it sees the SYN/ACK first). */
CN_API void cn_flow_swap(struct cn_flow *f);

CN_API size_t cn_flow_active(const struct cn_flow_table *t);
CN_API bool cn_flow_in_emergency(const struct cn_flow_table *t);
CN_API const struct cn_memcap *cn_flow_memcap(const struct cn_flow_table *t);

CN_API const char *cn_flow_state_name(enum cn_flow_state s);       /* "new", ... */
CN_API const char *cn_flow_end_reason_name(enum cn_flow_end_reason r); /* "timeout", ... */

/* Community ID v1 (https://github.com/corelight/community-id-spec) of the flow's key:
 * "1:" followed by base64 of a SHA-1. out must hold 64 bytes. */
CN_API void cn_flow_community_id(const struct cn_flow *f, uint16_t seed, char out[64]);

#endif
