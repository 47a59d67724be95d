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
    CN_FLOW_END_FORCED,   /* evicted by emergency mode */
    CN_FLOW_END_SHUTDOWN, /* still open when the capture ended */
};

#define CN_FLOW_MAX_MACS 4 /* distinct MAC pairs kept per direction for EVE "ether" */

/* Field order follows use: the first 64 bytes hold everything a hash-chain walk compares, the
 * next 64 what every packet updates; the small key fields share 64-bit words (anonymous unions)
 * so a key compare is a handful of word compares. */
struct cn_flow {
    /* table linkage (private to src/flow) */
    struct cn_flow *hnext;

    /* key; src/sp is the client (the side that sent the first packet, unless the stream
     * engine swaps the flow on seeing a SYN/ACK first). ICMP and ICMPv6 flows, as in
     * Suricata: sp is the ICMP type of the first packet, dp its counterpart type (echo
     * request <-> reply, ...; 0 when there is none) and icmp_code the first packet's code.
     * ESP flows hold the SPI in sp (high half) and dp (low half): see cn_flow_esp_spi().
     * Other protocols without ports have sp = dp = 0. vlan[] holds vlan_n ids, zeros after. */
    union cn_addr src, dst;
    union {
        struct {
            uint8_t proto;
            uint8_t ip_ver;
            uint16_t vlan[CN_PKT_MAX_VLANS];
        };
        uint64_t key_meta; /* private: proto, ip_ver and vlan[] as one word */
    };
    union {
        struct {
            uint16_t sp, dp;
        };
        uint32_t key_ports; /* private: sp and dp as one word */
    };
    uint32_t tunnel_id;
    uint32_t hash;     /* symmetric key hash (also in p->flow_hash) */
    uint8_t state;     /* enum cn_flow_state */
    uint8_t lru_class; /* private: which LRU list holds the flow */
    uint8_t tcp_flags_ts, tcp_flags_tc;

    /* updated by every packet */
    struct cn_flow *lru_prev, *lru_next; /* private */
    cn_time_t last;
    uint64_t pkts_toserver, pkts_toclient;
    uint64_t bytes_toserver, bytes_toclient; /* captured bytes (caplen), as Suricata counts */
    void *stream;                            /* TCP session, owned by src/stream */

    void *app;        /* application-layer state, owned by src/app */
    void *detect;     /* detection state (flowbits, flowint, ...), owned by src/detect */
    uint64_t flow_id; /* stable: derived from key and start time, not a counter; 51 bits, != 0 */
    cn_time_t start;
    uint16_t app_proto; /* filled by the application layer (enum cn_alproto); 0 = unknown */
    uint8_t alproto_ts, alproto_tc; /* what each direction was detected as (src/app) */
    uint8_t end_reason;             /* enum cn_flow_end_reason, set when the flow ends */
    uint8_t vlan_n;
    uint8_t icmp_code; /* ICMP/ICMPv6 flows: code of the first packet */
    uint8_t seen;      /* private: directions seen (for NEW -> ESTABLISHED) */
    bool alerted;
    bool passed;    /* a pass rule passed the whole flow: no more detection (src/detect) */
    bool swapped;   /* client/server reversed after creation */
    bool emergency; /* created during emergency mode */

    /* Ethernet addresses seen, per direction (for EVE "ether"): the first CN_FLOW_MAX_MACS
     * distinct (source, destination) pairs of each direction, as they were on the wire. */
    uint8_t macs_ts_n, macs_tc_n;
    uint8_t mac_src_ts[CN_FLOW_MAX_MACS][6], mac_dst_ts[CN_FLOW_MAX_MACS][6];
    uint8_t mac_src_tc[CN_FLOW_MAX_MACS][6], mac_dst_tc[CN_FLOW_MAX_MACS][6];
};

/* The SPI of an ESP flow (IP protocol 50), kept in the port fields of the key. */
static inline uint32_t cn_flow_esp_spi(const struct cn_flow *f)
{
    return (uint32_t)f->sp << 16 | f->dp;
}

struct cn_flow_timeouts {
    uint32_t new_, established, closed;
    uint32_t emerg_new, emerg_established, emerg_closed;
};
enum cn_flow_proto_class {
    CN_FLOW_PC_DEFAULT,
    CN_FLOW_PC_TCP,
    CN_FLOW_PC_UDP,
    CN_FLOW_PC_ICMP,
    CN_FLOW_PC__COUNT
};

struct cn_flow_config {
    uint64_t memcap;             /* bytes, this table's share; default 128 MiB */
    uint32_t hash_size;          /* buckets; default 65536 */
    uint32_t prealloc;           /* flows allocated at start; default 10000 */
    uint32_t emergency_recovery; /* percent; default 30 */
    struct cn_flow_timeouts timeouts[CN_FLOW_PC__COUNT]; /* seconds; Suricata's defaults */
    uint64_t hash_seed; /* seeds the table hash (flow_id does not depend on it) */
    bool track_macs;    /* keep each flow's Ethernet addresses (EVE "ether"); default on */
};
CN_API void cn_flow_config_defaults(struct cn_flow_config *cfg);

/* Called for every flow that ends (timeout, eviction, shutdown) before it is freed, so later
 * stages (stream, app, output) can finish and release their state. Wired by src/main. */
struct cn_flow_hooks {
    void (*flow_end)(void *user, struct cn_flow *f);
    void *user;
    /* Optional: asked when a TCP SYN (or SYN/ACK) finds an existing flow whether it starts a
     * new connection on the same ports (the stream engine knows). If so the old flow ends
     * (reason timeout, counter flow.tcp_reuse) and the packet starts a new one, as
     * Suricata's flow lookup does. */
    bool (*tcp_reuse)(void *user, const struct cn_flow *f, const struct cn_packet *p,
                      bool toserver);
};

struct cn_flow_table;
CN_API struct cn_flow_table *cn_flow_table_new(const struct cn_flow_config *cfg,
                                               const struct cn_flow_hooks *hooks,
                                               struct cn_stats *stats);
/* Ends every remaining flow (reason shutdown) and frees the table. */
CN_API void cn_flow_table_free(struct cn_flow_table *t);

/* Finds or creates the flow of p, sets p->flow, p->toserver and p->flow_hash, and updates the
 * flow's counters. Returns NULL (p->flow stays NULL) for packets without a flow: no IP, a
 * fragment that was not rebuilt, a TCP/UDP/ICMP packet whose header did not decode, an ICMPv4
 * error (it joins the flow of the header it quotes when that flow exists, never creates one),
 * or a memcap refusal that eviction could not relieve. A flow found idle past its timeout is
 * ended (reason timeout) and replaced by a new one. */
CN_API struct cn_flow *cn_flow_handle(struct cn_flow_table *t, struct cn_packet *p);

/* Prefetching for batch processing: a lookup misses the cache twice (bucket, then flow).
 * Call cn_flow_prefetch_bucket() a few packets ahead of cn_flow_handle(), and
 * cn_flow_prefetch_flow() for the same packet about half as far ahead; both only hint the
 * CPU and change nothing. Stage one stores the key hash in p->flow_hash for stage two. */
CN_API void cn_flow_prefetch_bucket(const struct cn_flow_table *t, struct cn_packet *p);
CN_API void cn_flow_prefetch_flow(const struct cn_flow_table *t, const struct cn_packet *p);

/* Expires flows idle longer than their timeout at packet time now (reason timeout): a flow
 * with timeout T expires when now > last + T, in whole seconds (a flow last seen at 10.9 s with
 * T = 30 expires from 41.0 s on). Cost: O(expired). Also leaves emergency mode once usage is
 * back under the recovery mark. */
CN_API void cn_flow_timeout(struct cn_flow_table *t, cn_time_t now);

/* Ends every flow (reason shutdown), after a last timeout pass at time now. */
CN_API void cn_flow_flush(struct cn_flow_table *t, cn_time_t now);

/* Ends one flow now with the given reason; f is freed. */
CN_API void cn_flow_end(struct cn_flow_table *t, struct cn_flow *f, enum cn_flow_end_reason r);

/* Moves f to another state (and so another timeout class). */
CN_API void cn_flow_set_state(struct cn_flow_table *t, struct cn_flow *f, enum cn_flow_state state);

/* Reverses client and server (the stream engine calls it when it sees the SYN/ACK first):
 * addresses, ports, counters, TCP flags and MACs. The key hash and flow_id do not change. */
CN_API void cn_flow_swap(struct cn_flow *f);

CN_API size_t cn_flow_active(const struct cn_flow_table *t);
CN_API bool cn_flow_in_emergency(const struct cn_flow_table *t);
CN_API const struct cn_memcap *cn_flow_memcap(const struct cn_flow_table *t);

CN_API const char *cn_flow_state_name(enum cn_flow_state s);           /* "new", ... */
CN_API const char *cn_flow_end_reason_name(enum cn_flow_end_reason r); /* "timeout", ... */

/* Community ID v1 (https://github.com/corelight/community-id-spec) of the flow's key:
 * "1:" followed by base64 of a SHA-1. out must hold 64 bytes. Computed as Suricata does: ICMP
 * "ports" are the type and its counterpart type (sp/dp), the endpoints are always ordered,
 * and port-less protocols hash two zero ports (ESP too: its SPI is not a port). */
CN_API void cn_flow_community_id(const struct cn_flow *f, uint16_t seed, char out[64]);

#endif
