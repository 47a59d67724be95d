/* decode: turns a captured frame into a struct cn_packet. Link layers, VLAN/QinQ, MPLS, PPPoE,
 * ARP, IPv4/IPv6 with options and extension headers, TCP/UDP/SCTP/ICMP, ESP, tunnels (GRE,
 * ERSPAN, VXLAN, Geneve, Teredo, IP-in-IP), IPv4/IPv6 fragment reassembly and checksum
 * validation.
 *
 * A malformed packet is not an error: decoding stops at the broken layer, the packet carries
 * the anomaly events, the counters are bumped and processing goes on. Every read of packet
 * bytes goes through struct cn_cursor. Public header of src/decode; needs only core. */
#ifndef CN_DECODE_H
#define CN_DECODE_H

#include "core/core.h"

/* Link types (the pcap LINKTYPE_ numbers; libpcap's DLT_ values agree for these). */
enum {
    CN_LINK_NULL = 0, /* BSD loopback, host byte order family */
    CN_LINK_ETHERNET = 1,
    CN_LINK_RAW = 101,  /* raw IPv4/IPv6 */
    CN_LINK_LOOP = 108, /* OpenBSD loopback, network byte order family */
    CN_LINK_SLL = 113,  /* Linux cooked v1 */
    CN_LINK_IPV4 = 228,
    CN_LINK_IPV6 = 229,
    CN_LINK_SLL2 = 276,    /* Linux cooked v2 */
    CN_LINK_DLT_RAW = 12,  /* DLT_RAW on most platforms */
    CN_LINK_DLT_RAW14 = 14 /* DLT_RAW on OpenBSD */
};

/* One captured frame, as the capture stage hands it over. data stays valid until the packet
 * has been processed. */
struct cn_frame {
    const uint8_t *data;
    uint32_t caplen;  /* bytes present */
    uint32_t wirelen; /* bytes on the wire */
    cn_time_t ts;
    int linktype;
    uint64_t pcap_cnt; /* 1-based frame number within the capture, 0 when live */
    /* data stays valid until the capture is closed (a memory-mapped file), not just until the
     * next frame is read: run modes may then batch frames without copying them */
    bool stable;
};

enum cn_pkt_flag {
    CN_PKT_ETH = 1u << 0, /* eth_src/eth_dst are set */
    CN_PKT_IPV4 = 1u << 1,
    CN_PKT_IPV6 = 1u << 2,
    CN_PKT_TCP = 1u << 3,
    CN_PKT_UDP = 1u << 4,
    CN_PKT_ICMPV4 = 1u << 5,
    CN_PKT_ICMPV6 = 1u << 6,
    CN_PKT_FRAGMENT = 1u << 7,  /* an IP fragment (its transport header may be missing) */
    CN_PKT_REBUILT = 1u << 8,   /* a datagram rebuilt from fragments by defrag */
    CN_PKT_TRUNCATED = 1u << 9, /* caplen < wirelen or a length field points past the data */
    CN_PKT_INVALID = 1u << 10,  /* decoding stopped at a malformed layer */
    CN_PKT_TUNNEL = 1u << 11,   /* the L3/L4 fields describe a tunnelled inner packet */
    CN_PKT_IPV4_CSUM_BAD = 1u << 12,
    CN_PKT_L4_CSUM_BAD = 1u << 13,
    CN_PKT_ARP = 1u << 14,
    CN_PKT_PSEUDO = 1u << 15,           /* made by the engine (flow end), not captured */
    CN_PKT_STREAM_NOEVAL = 1u << 16,    /* stream engine ignored it (bad checksum, out of window) */
    CN_PKT_FLOW_ESTABLISHED = 1u << 17, /* its flow was established when the packet arrived
                                           (set by src/flow before the stream engine runs) */
    CN_PKT_FLOW_HASHED = 1u << 18,      /* flow_hash already holds the flow key's hash (src/flow) */
    CN_PKT_STREAM_ADD = 1u << 19, /* its payload went into TCP reassembly: rules that inspect the
                                     stream see it there, not in this packet (src/stream) */
    CN_PKT_PD_TS_DONE = 1u << 20, /* completed protocol detection of the to-server direction */
    CN_PKT_PD_TC_DONE = 1u << 21, /* ... of the to-client direction (src/app) */
    CN_PKT_TAGGED = 1u << 22,     /* within a session tag (tag keyword): logged as "packet" */
};

#define CN_PKT_MAX_VLANS  3
#define CN_PKT_MAX_EVENTS 15

/* TCP flags as on the wire (RFC 9293 section 3.1, plus ECE/CWR). */
enum {
    CN_TH_FIN = 0x01,
    CN_TH_SYN = 0x02,
    CN_TH_RST = 0x04,
    CN_TH_PUSH = 0x08,
    CN_TH_ACK = 0x10,
    CN_TH_URG = 0x20,
    CN_TH_ECE = 0x40,
    CN_TH_CWR = 0x80,
};

/* p->ipv4_opts: one bit per IPv4 option type present (RFC 791 section 3.1 and the IANA
 * registry), for the `ipopts` rule keyword, whose names are given here. A bit is set only
 * for an option that passed validation; CN_IPV4_OPT_ANY is set whenever any option is. */
enum cn_ipv4_opt {
    CN_IPV4_OPT_EOL = 1u << 0,     /* eol: end of option list, type 0 */
    CN_IPV4_OPT_NOP = 1u << 1,     /* nop: no operation, type 1 */
    CN_IPV4_OPT_RR = 1u << 2,      /* rr: record route, type 7 */
    CN_IPV4_OPT_TS = 1u << 3,      /* ts: timestamp, type 68 (RFC 781) */
    CN_IPV4_OPT_SEC = 1u << 4,     /* sec: security, type 130 (RFC 1108) */
    CN_IPV4_OPT_ESEC = 1u << 5,    /* esec: extended security, type 133 (RFC 1108) */
    CN_IPV4_OPT_LSRR = 1u << 6,    /* lsrr: loose source route, type 131 */
    CN_IPV4_OPT_SSRR = 1u << 7,    /* ssrr: strict source route, type 137 */
    CN_IPV4_OPT_SATID = 1u << 8,   /* satid: stream identifier, type 136 */
    CN_IPV4_OPT_CIPSO = 1u << 9,   /* cipso: commercial IP security, type 134 */
    CN_IPV4_OPT_RTRALT = 1u << 10, /* rtralt: router alert, type 148 (RFC 2113) */
    CN_IPV4_OPT_QS = 1u << 11,     /* qs: quick-start, type 25 (RFC 4782) */
    CN_IPV4_OPT_ANY = 1u << 31,    /* any: at least one option */
};
#define CN_IPV4_OPT_SID CN_IPV4_OPT_SATID

/* p->ipv6_exthdrs: extension headers present (RFC 8200 section 4). */
enum cn_ipv6_exthdr {
    CN_IPV6_EXT_HOP = 1u << 0,  /* hop-by-hop options, 0 */
    CN_IPV6_EXT_RH = 1u << 1,   /* routing, 43 */
    CN_IPV6_EXT_FH = 1u << 2,   /* fragment, 44 */
    CN_IPV6_EXT_DST = 1u << 3,  /* destination options, 60 */
    CN_IPV6_EXT_AH = 1u << 4,   /* authentication, 51 */
    CN_IPV6_EXT_ESP = 1u << 5,  /* encapsulating security payload, 50: the last header */
    CN_IPV6_EXT_NONE = 1u << 6, /* no next header, 59 */
    CN_IPV6_EXT_MH = 1u << 7,   /* mobility (135), HIP (139), shim6 (140) */
};

struct cn_tcp_info {
    uint32_t seq, ack;
    uint16_t win;
    uint8_t flags;
    uint8_t hlen; /* header length in bytes, options included */
    uint16_t urg_ptr;
    /* options (RFC 7323, RFC 2018, RFC 879) */
    uint16_t mss;
    uint8_t wscale;
    bool has_mss, has_wscale, has_sackok, has_ts, has_sack, has_tfo;
    uint32_t ts_val, ts_ecr;
    uint8_t sack_blocks; /* number of SACK blocks */
};

struct cn_icmp_info {
    uint8_t type, code;
    uint16_t id, seq; /* echo and similar; 0 otherwise */
    /* the header quoted in an ICMP error, when present */
    bool has_quoted;
    uint8_t quoted_proto;
    uint16_t quoted_sp, quoted_dp;
    union cn_addr quoted_src, quoted_dst;
};

/* ESP header fields (RFC 4303 section 2); the SPI keys the flow */
struct cn_esp_info {
    uint32_t spi, seq;
};

struct cn_arp_info {
    uint16_t op;
    uint8_t sha[6], tha[6];
    uint8_t spa[4], tpa[4];
};

struct cn_packet {
    /* the frame */
    const uint8_t *data;
    uint32_t caplen, wirelen;
    cn_time_t ts;
    uint64_t pcap_cnt;
    int linktype;
    uint32_t flags; /* enum cn_pkt_flag */

    /* layer 2 */
    const uint8_t *eth_src, *eth_dst; /* 6 bytes each, when CN_PKT_ETH */
    uint16_t vlan[CN_PKT_MAX_VLANS];
    uint8_t vlan_n;
    uint32_t tunnel_id; /* 0: not tunnelled; else a hash of the tunnel's outer header */
    uint8_t tunnel_depth;

    /* layer 3 */
    uint8_t ip_ver; /* 4, 6 or 0 */
    union cn_addr src, dst;
    const uint8_t *l3; /* IP header */
    uint32_t l3_len;   /* IP header + payload, as bounded by the IP length field */
    uint16_t ip_hlen;  /* IPv4 header or IPv6 header + extension headers */
    uint8_t ttl;       /* TTL or hop limit */
    uint8_t tos;       /* TOS or traffic class */
    uint16_t ip_id;
    uint16_t frag_off; /* fragment offset in 8-byte units */
    bool frag_mf, frag_df, frag_rf;
    uint32_t ipv4_opts;    /* enum cn_ipv4_opt bits: options seen and valid */
    uint32_t ipv6_exthdrs; /* enum cn_ipv6_exthdr bits: extension headers seen */
    uint32_t ipv6_flow_label;
    uint8_t proto; /* transport protocol (after extension headers) */

    /* layer 4 */
    uint16_t sp, dp;
    const uint8_t *l4;
    uint32_t l4_len; /* transport header + payload */
    union {
        struct cn_tcp_info tcp;
        struct cn_icmp_info icmp;
        struct cn_arp_info arp;
        struct cn_esp_info esp;
    };
    const uint8_t *payload;
    uint32_t payload_len;

    /* anomaly events raised on this packet, by decode and then stream */
    uint16_t events[CN_PKT_MAX_EVENTS];
    uint8_t events_n;

    /* filled in by later stages */
    struct cn_flow *flow;
    bool toserver;      /* direction within flow */
    uint32_t flow_hash; /* symmetric, over the flow key */
};

static inline void cn_packet_event(struct cn_packet *p, enum cn_event_id ev)
{
    if (p->events_n < CN_PKT_MAX_EVENTS)
        p->events[p->events_n++] = (uint16_t)ev;
}
static inline bool cn_packet_has_event(const struct cn_packet *p, enum cn_event_id ev)
{
    for (unsigned i = 0; i < p->events_n; i++)
        if (p->events[i] == ev)
            return true;
    return false;
}
static inline int cn_packet_family(const struct cn_packet *p)
{
    return p->ip_ver == 6 ? 6 : 4;
}

enum cn_checksum_mode {
    CN_CSUM_AUTO, /* validate; give up if most early packets fail (offloaded checksums) */
    CN_CSUM_ALL,
    CN_CSUM_NONE,
};

enum cn_defrag_policy {
    CN_DEFRAG_BSD, /* Suricata's default */
    CN_DEFRAG_LINUX,
    CN_DEFRAG_WINDOWS,
    CN_DEFRAG_SOLARIS,
    CN_DEFRAG_FIRST,
    CN_DEFRAG_LAST,
};

struct cn_decode_config {
    enum cn_checksum_mode checksum;
    bool defrag_enabled;       /* default on */
    uint64_t defrag_memcap;    /* bytes, this context's share; default 32 MiB */
    uint32_t defrag_timeout;   /* seconds; default 60 */
    uint32_t defrag_max_frags; /* default 65535 */
    uint32_t defrag_trackers;  /* default 65535 */
    enum cn_defrag_policy defrag_policy;
    bool vxlan_enabled;  /* default on, UDP port 4789 */
    bool geneve_enabled; /* default on, UDP port 6081 */
    uint16_t vxlan_port, geneve_port;
    bool teredo_enabled; /* default on, UDP port 3544 (either end) */
    uint16_t teredo_port;
    uint8_t max_layers; /* decoder.max-layers, default 16 */
};
CN_API void cn_decode_config_defaults(struct cn_decode_config *cfg);

struct cn_decode_ctx; /* per worker: counters, defrag state, scratch for rebuilt datagrams */

/* stats must outlive the context; the context bumps the decoder and defrag counters. */
CN_API struct cn_decode_ctx *cn_decode_ctx_new(const struct cn_decode_config *cfg,
                                               struct cn_stats *stats);
CN_API void cn_decode_ctx_free(struct cn_decode_ctx *ctx);

/* Decodes one frame into p (which it zeroes first). Always succeeds: malformed input shows as
 * flags and events on p. */
CN_API void cn_decode_frame(struct cn_decode_ctx *ctx, const struct cn_frame *f,
                            struct cn_packet *p);

/* After cn_decode_frame(): a datagram that a fragment completed, decoded as a packet of its
 * own (CN_PKT_REBUILT), or NULL. Valid until the next call into ctx. Call until NULL. */
CN_API struct cn_packet *cn_decode_next_rebuilt(struct cn_decode_ctx *ctx);

/* Expires fragment trackers older than the timeout at packet time now. */
CN_API void cn_decode_timeout(struct cn_decode_ctx *ctx, cn_time_t now);

/* The symmetric hash the capture stage uses to pick a worker: over the address pair (and
 * VLAN ids), not the ports, so all fragments of a datagram reach the worker of its flow.
 * Parses just enough of the frame; returns 0 for frames without IP. */
CN_API uint32_t cn_decode_dispatch_hash(const uint8_t *data, uint32_t caplen, int linktype);

/* True when libpcap's link type is one cn_decode_frame() understands. */
CN_API bool cn_decode_linktype_supported(int linktype);

#endif
