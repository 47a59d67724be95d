/* decode internals: the layer descriptor, the per-worker context, the dispatch helpers every
 * layer file calls, checksum and defrag entry points. Never included outside src/decode and
 * its unit tests. */
#ifndef CN_DECODE_INT_H
#define CN_DECODE_INT_H

#include "decode/decode.h"

/* How the current layer was reached. IP layers use it to tell IP-in-IP (counted as
 * ipv4_in_ipv6 etc.) from IP carried by GRE, VXLAN or Geneve. */
enum cn_via { CN_VIA_LINK, CN_VIA_ETHERTYPE, CN_VIA_IPPROTO, CN_VIA_UDP, CN_VIA_DIRECT };

/* A layer decoder. Returns false only when the bytes turn out not to be this protocol at all
 * (a UDP port that is not really VXLAN, say); malformed input is reported on p and still
 * returns true. */
typedef bool (*cn_layer_fn)(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                            uint32_t len);

struct cn_layer {
    const char *name;
    cn_layer_fn decode;
    /* Optional: the UDP port the configuration assigns (0 = disabled), replacing the
     * layers.def default. */
    uint16_t (*udp_port)(const struct cn_decode_config *cfg);
    /* Also tried when the port is the source port: Teredo relays and servers answer from
     * theirs, so both directions of a Teredo exchange are tunnelled (Suricata matches either). */
    bool udp_either_port;
};

#define CN_LAYER(name, links, ethertypes, ipprotos, udpports)                                      \
    extern const struct cn_layer cn_layer_##name;
#include "decode/layers.def"
#undef CN_LAYER

enum cn_layer_id {
#define CN_LAYER(name, links, ethertypes, ipprotos, udpports) CN_LID_##name,
#include "decode/layers.def"
#undef CN_LAYER
    CN_LID__COUNT
};

#define CN_DEC_LINK_TAB      512
#define CN_DEC_MAX_UDP_PORTS 8
/* Largest rebuilt datagram plus room for the link/tunnel prefix and IPv6 unfragmentable part. */
#define CN_DEC_PREFIX_MAX  1024
#define CN_DEC_UNFRAG_MAX  1024
#define CN_DEC_REBUILT_MAX (CN_DEC_PREFIX_MAX + CN_DEC_UNFRAG_MAX + 65535)

struct cn_defrag;

struct cn_decode_ctx {
    struct cn_decode_config cfg;
    struct cn_stats *stats;

    /* per-frame state */
    uint8_t layers;   /* layers entered so far, bounded by cfg.max_layers */
    uint8_t via;      /* enum cn_via of the layer being entered */
    bool in_rebuilt;  /* decoding a rebuilt datagram: inner fragments are not reassembled */
    uint32_t tun_key; /* GRE key or VNI of the tunnel being entered, mixed into tunnel_id */
    /* Where the payload of the last GRE version 0 header starts, and that header's first flag
     * byte: ERSPAN, reached through the ethertype table, needs to know that GRE handed it its
     * bytes and whether GRE had a sequence number (type I or II). Cleared per frame. */
    const uint8_t *gre_payload;
    uint8_t gre_flags;

    /* checksum validation; csum_on drops to false when AUTO sees offloading */
    bool csum_on;
    uint32_t csum_pkts, csum_bad;

    /* dispatch tables built from layers.def: layer id + 1, 0 for none */
    uint8_t link_tab[CN_DEC_LINK_TAB];
    uint8_t ipproto_tab[256];
    uint8_t udp_n;
    uint16_t udp_port[CN_DEC_MAX_UDP_PORTS];
    uint8_t udp_lid[CN_DEC_MAX_UDP_PORTS];
    bool udp_either[CN_DEC_MAX_UDP_PORTS]; /* the layer's udp_either_port */

    struct cn_defrag *defrag;
    struct cn_packet rebuilt;
    uint8_t *rebuilt_buf; /* CN_DEC_REBUILT_MAX bytes */
    bool rebuilt_ready;

    uint8_t eth_tab[65536]; /* last: large and only sparsely touched */
};

/* ---- events and counters: one place raises an event and bumps its counter ---- */
static inline void cn_dec_stat(struct cn_decode_ctx *ctx, enum cn_stat_id id)
{
    ctx->stats->v[id]++;
}
static inline void cn_dec_event_(struct cn_decode_ctx *ctx, struct cn_packet *p,
                                 enum cn_event_id ev, enum cn_stat_id counter)
{
    cn_packet_event(p, ev);
    ctx->stats->v[counter]++;
}
/* An anomaly that leaves the packet usable. */
/* the counter comes from the event table: most events have their own, a few (declared with
 * CN_DECODER_EVENT_AS) bump an existing one */
#define CN_DEC_EVENT(ctx, p, ID)                                                                   \
    cn_dec_event_((ctx), (p), CN_EV_##ID, cn_event_descs[CN_EV_##ID].counter)
/* A malformed layer: the event plus CN_PKT_INVALID (Suricata's decoder.invalid). */
#define CN_DEC_INVALID(ctx, p, ID)                                                                 \
    do {                                                                                           \
        CN_DEC_EVENT(ctx, p, ID);                                                                  \
        (p)->flags |= CN_PKT_INVALID;                                                              \
    } while (0)

/* ---- dispatch (dispatch.c) ---- */
/* Each returns false when no layer handles the selector (or the layer declined). All of them
 * count the layer against cfg.max_layers. */
bool cn_dec_link(struct cn_decode_ctx *ctx, struct cn_packet *p, int linktype, const uint8_t *data,
                 uint32_t len);
/* Unknown ethertypes bump decoder.unknown_ethertype and raise ethernet.unknown_ethertype. */
bool cn_dec_ethertype(struct cn_decode_ctx *ctx, struct cn_packet *p, uint16_t type,
                      const uint8_t *data, uint32_t len);
bool cn_dec_ipproto(struct cn_decode_ctx *ctx, struct cn_packet *p, uint8_t proto,
                    const uint8_t *data, uint32_t len);
bool cn_dec_ipproto_known(const struct cn_decode_ctx *ctx, uint8_t proto);
/* Tries the layers registered for the destination port (or, for udp_either_port layers, for
 * either port) in layers.def order. */
bool cn_dec_udp(struct cn_decode_ctx *ctx, struct cn_packet *p, uint16_t sp, uint16_t dp,
                const uint8_t *data, uint32_t len);
bool cn_dec_layer(struct cn_decode_ctx *ctx, struct cn_packet *p, enum cn_layer_id lid,
                  enum cn_via via, const uint8_t *data, uint32_t len);
/* Called by an IP layer that starts while p already holds an IP header: the packet becomes a
 * tunnelled one and the outer L3/L4 fields are cleared. */
void cn_dec_tunnel_enter(struct cn_decode_ctx *ctx, struct cn_packet *p);
/* Decodes a datagram defrag rebuilt into ctx->rebuilt_buf: prefix_len bytes of link/tunnel
 * headers copied from frag_p, then the IP datagram of ip_len bytes. */
void cn_dec_rebuilt(struct cn_decode_ctx *ctx, const struct cn_packet *frag_p, uint32_t prefix_len,
                    uint32_t ip_len);

/* ---- checksums (checksum.c), RFC 1071: a 64-bit accumulating ones-complement sum in host
 * byte order; only the fold to 0xffff is compared, so byte order never matters ---- */
uint64_t cn_csum_add(uint64_t sum, const uint8_t *data, size_t len);
uint16_t cn_csum_fold(uint64_t sum);
/* True when checksums are validated for this packet (mode and AUTO state). */
static inline bool cn_dec_csum_enabled(const struct cn_decode_ctx *ctx)
{
    return ctx->csum_on;
}
/* Records the outcome for AUTO mode and flags p. */
void cn_dec_csum_result(struct cn_decode_ctx *ctx, struct cn_packet *p, uint32_t flag, bool ok);
bool cn_csum_ipv4_hdr_ok(const uint8_t *hdr, uint32_t hlen);
/* Transport checksum over data[0..len) with the pseudo header of p's addresses (RFC 793 3.1,
 * RFC 8200 8.1). ICMPv4 (proto 1) has no pseudo header. */
bool cn_csum_l4_ok(const struct cn_packet *p, uint8_t proto, const uint8_t *data, uint32_t len);
/* Writes a fresh IPv4 header checksum. */
void cn_csum_ipv4_set(uint8_t *hdr, uint32_t hlen);

/* ---- defrag (defrag.c) ---- */
struct cn_defrag *cn_defrag_new(const struct cn_decode_config *cfg);
void cn_defrag_free(struct cn_defrag *d);
/* p is a decoded IPv4 fragment (p->l3 .. l3_len). */
void cn_defrag_ipv4(struct cn_decode_ctx *ctx, struct cn_packet *p);
/* p is a decoded IPv6 fragment: fh_off is the offset of its fragment header within p->l3 and
 * nh_off the offset of the next-header byte that points at it. */
void cn_defrag_ipv6(struct cn_decode_ctx *ctx, struct cn_packet *p, uint32_t fh_off,
                    uint32_t nh_off);
void cn_defrag_timeout(struct cn_decode_ctx *ctx, cn_time_t now);
/* For tests: trackers alive and bytes held. */
uint32_t cn_defrag_trackers(const struct cn_defrag *d);

#endif
