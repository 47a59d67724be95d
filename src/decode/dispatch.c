/* dispatch: the decode context, the entry point cn_decode_frame(), and the tables that route
 * link types, ethertypes, IP protocols and UDP ports to layer descriptors. The tables are built
 * from layers.def when a context is made, so no switch here names a protocol; each layer lives
 * in its own file. Also the worker-selection hash, which parses just enough of a frame. */
#include "decode/decode_int.h"

#include <stddef.h>

#define CN_SEL_ARGS(...) __VA_ARGS__

static const struct cn_layer *const layer_descs[CN_LID__COUNT] = {
#define CN_LAYER(name, links, ethertypes, ipprotos, udpports) [CN_LID_##name] = &cn_layer_##name,
#include "decode/layers.def"
#undef CN_LAYER
};

/* Selector lists, each led by a -1 so that an empty list is still a valid initializer. */
#define CN_LAYER(name, links, ethertypes, ipprotos, udpports)                                      \
    static const int sel_link_##name[] = {-1, CN_SEL_ARGS links};                                  \
    static const int sel_eth_##name[] = {-1, CN_SEL_ARGS ethertypes};                              \
    static const int sel_ipp_##name[] = {-1, CN_SEL_ARGS ipprotos};                                \
    static const int sel_udp_##name[] = {-1, CN_SEL_ARGS udpports};
#include "decode/layers.def"
#undef CN_LAYER

struct sel_list {
    const int *v;
    size_t n;
};
struct layer_sels {
    struct sel_list link, eth, ipp, udp;
};
#define CN_SEL(arr)                                                                                \
    {                                                                                              \
        (arr) + 1, CN_ARRAY_LEN(arr) - 1                                                           \
    }
static const struct layer_sels layer_sels[CN_LID__COUNT] = {
#define CN_LAYER(name, links, ethertypes, ipprotos, udpports)                                      \
    [CN_LID_##name] = {CN_SEL(sel_link_##name), CN_SEL(sel_eth_##name), CN_SEL(sel_ipp_##name),    \
                       CN_SEL(sel_udp_##name)},
#include "decode/layers.def"
#undef CN_LAYER
};

void cn_decode_config_defaults(struct cn_decode_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->checksum = CN_CSUM_AUTO;
    cfg->defrag_enabled = true;
    cfg->defrag_memcap = 32ull << 20;
    cfg->defrag_timeout = 60;
    cfg->defrag_max_frags = 65535;
    cfg->defrag_trackers = 65535;
    cfg->defrag_policy = CN_DEFRAG_BSD;
    cfg->vxlan_enabled = true;
    cfg->geneve_enabled = true;
    cfg->vxlan_port = 4789;
    cfg->geneve_port = 6081;
    cfg->teredo_enabled = true;
    cfg->teredo_port = 3544;
    cfg->max_layers = 16;
}

static void build_tables(struct cn_decode_ctx *ctx)
{
    for (unsigned lid = 0; lid < CN_LID__COUNT; lid++) {
        const struct layer_sels *s = &layer_sels[lid];
        uint8_t tag = (uint8_t)(lid + 1);
        for (size_t i = 0; i < s->link.n; i++)
            if (s->link.v[i] >= 0 && s->link.v[i] < CN_DEC_LINK_TAB)
                ctx->link_tab[s->link.v[i]] = tag;
        for (size_t i = 0; i < s->eth.n; i++)
            ctx->eth_tab[s->eth.v[i] & 0xffff] = tag;
        for (size_t i = 0; i < s->ipp.n; i++)
            ctx->ipproto_tab[s->ipp.v[i] & 0xff] = tag;
        for (size_t i = 0; i < s->udp.n; i++) {
            uint16_t port = (uint16_t)s->udp.v[i];
            if (layer_descs[lid]->udp_port)
                port = layer_descs[lid]->udp_port(&ctx->cfg);
            if (port == 0 || ctx->udp_n >= CN_DEC_MAX_UDP_PORTS)
                continue;
            ctx->udp_port[ctx->udp_n] = port;
            ctx->udp_lid[ctx->udp_n] = (uint8_t)lid;
            ctx->udp_either[ctx->udp_n] = layer_descs[lid]->udp_either_port;
            ctx->udp_n++;
        }
    }
}

struct cn_decode_ctx *cn_decode_ctx_new(const struct cn_decode_config *cfg, struct cn_stats *stats)
{
    struct cn_decode_ctx *ctx = cn_calloc(1, sizeof(*ctx));
    if (!ctx)
        goto out_fail;
    if (cfg)
        ctx->cfg = *cfg;
    else
        cn_decode_config_defaults(&ctx->cfg);
    if (ctx->cfg.max_layers == 0)
        ctx->cfg.max_layers = 16;
    ctx->stats = stats;
    ctx->csum_on = ctx->cfg.checksum != CN_CSUM_NONE;
    build_tables(ctx);
    ctx->rebuilt_buf = cn_malloc(CN_DEC_REBUILT_MAX);
    if (!ctx->rebuilt_buf)
        goto out_free_ctx;
    ctx->defrag = cn_defrag_new(&ctx->cfg);
    if (!ctx->defrag)
        goto out_free_buf;
    return ctx;

out_free_buf:
    cn_free(ctx->rebuilt_buf);
out_free_ctx:
    cn_free(ctx);
out_fail:
    return NULL;
}

void cn_decode_ctx_free(struct cn_decode_ctx *ctx)
{
    if (!ctx)
        return;
    cn_defrag_free(ctx->defrag);
    cn_free(ctx->rebuilt_buf);
    cn_free(ctx);
}

bool cn_decode_linktype_supported(int linktype)
{
    /* Table-free on purpose: callable without a context (capture checks it at open time). */
#define CN_LAYER(name, links, ethertypes, ipprotos, udpports)                                      \
    for (size_t i = 0; i < layer_sels[CN_LID_##name].link.n; i++)                                  \
        if (layer_sels[CN_LID_##name].link.v[i] == linktype)                                       \
            return true;
#include "decode/layers.def"
#undef CN_LAYER
    return false;
}

bool cn_dec_layer(struct cn_decode_ctx *ctx, struct cn_packet *p, enum cn_layer_id lid,
                  enum cn_via via, const uint8_t *data, uint32_t len)
{
    if (CN_UNLIKELY(++ctx->layers > ctx->cfg.max_layers)) {
        /* Only the first overflow is reported; the layers above have already returned. */
        if (!cn_packet_has_event(p, CN_EV_GENERIC_TOO_MANY_LAYERS)) {
            CN_DEC_INVALID(ctx, p, GENERIC_TOO_MANY_LAYERS); /* counts too_many_layers */
        }
        return true;
    }
    ctx->via = (uint8_t)via;
    return layer_descs[lid]->decode(ctx, p, data, len);
}

bool cn_dec_link(struct cn_decode_ctx *ctx, struct cn_packet *p, int linktype, const uint8_t *data,
                 uint32_t len)
{
    if (linktype < 0 || linktype >= CN_DEC_LINK_TAB || ctx->link_tab[linktype] == 0)
        return false;
    return cn_dec_layer(ctx, p, (enum cn_layer_id)(ctx->link_tab[linktype] - 1), CN_VIA_LINK, data,
                        len);
}

bool cn_dec_ethertype(struct cn_decode_ctx *ctx, struct cn_packet *p, uint16_t type,
                      const uint8_t *data, uint32_t len)
{
    uint8_t tag = ctx->eth_tab[type];
    if (CN_UNLIKELY(tag == 0)) {
        cn_dec_stat(ctx, CN_STAT_DECODER_UNKNOWN_ETHERTYPE);
        CN_DEC_EVENT(ctx, p, ETHERNET_UNKNOWN_ETHERTYPE);
        return false;
    }
    return cn_dec_layer(ctx, p, (enum cn_layer_id)(tag - 1), CN_VIA_ETHERTYPE, data, len);
}

bool cn_dec_ipproto_known(const struct cn_decode_ctx *ctx, uint8_t proto)
{
    return ctx->ipproto_tab[proto] != 0;
}

bool cn_dec_ipproto(struct cn_decode_ctx *ctx, struct cn_packet *p, uint8_t proto,
                    const uint8_t *data, uint32_t len)
{
    uint8_t tag = ctx->ipproto_tab[proto];
    if (tag == 0)
        return false;
    return cn_dec_layer(ctx, p, (enum cn_layer_id)(tag - 1), CN_VIA_IPPROTO, data, len);
}

bool cn_dec_udp(struct cn_decode_ctx *ctx, struct cn_packet *p, uint16_t sp, uint16_t dp,
                const uint8_t *data, uint32_t len)
{
    for (unsigned i = 0; i < ctx->udp_n; i++) {
        if (ctx->udp_port[i] != dp && !(ctx->udp_either[i] && ctx->udp_port[i] == sp))
            continue;
        /* A declined tunnel is not a layer: give the count back. */
        uint8_t before = ctx->layers;
        if (cn_dec_layer(ctx, p, (enum cn_layer_id)ctx->udp_lid[i], CN_VIA_UDP, data, len))
            return true;
        ctx->layers = before;
    }
    return false;
}

void cn_dec_tunnel_enter(struct cn_decode_ctx *ctx, struct cn_packet *p)
{
    /* Symmetric in the outer addresses (a sum of per-address hashes) so both directions of
     * the inner flow land in the same tunnel; chained with the enclosing tunnel's id. */
    uint64_t hs = cn_hash_mix64(p->src.q[0] ^ cn_hash_mix64(p->src.q[1] + 1));
    uint64_t hd = cn_hash_mix64(p->dst.q[0] ^ cn_hash_mix64(p->dst.q[1] + 1));
    uint64_t h = cn_hash_mix64((hs + hd) ^ ((uint64_t)ctx->tun_key << 8) ^ p->ip_ver ^
                               ((uint64_t)p->tunnel_id << 32));
    uint32_t id = (uint32_t)(h ^ (h >> 32));
    p->tunnel_id = id ? id : 1;
    p->tunnel_depth++;
    ctx->tun_key = 0;

    p->flags &=
        ~(uint32_t)(CN_PKT_IPV4 | CN_PKT_IPV6 | CN_PKT_TCP | CN_PKT_UDP | CN_PKT_ICMPV4 |
                    CN_PKT_ICMPV6 | CN_PKT_FRAGMENT | CN_PKT_IPV4_CSUM_BAD | CN_PKT_L4_CSUM_BAD);
    p->flags |= CN_PKT_TUNNEL;
    /* Clears ip_ver .. l4_len: everything about the outer L3/L4. */
    memset(&p->ip_ver, 0, offsetof(struct cn_packet, tcp) - offsetof(struct cn_packet, ip_ver));
    p->payload = NULL;
    p->payload_len = 0;
}

/* Zeroes the part of p that decoding fills; the union is cleared by the layer that uses it. */
static inline void packet_reset(struct cn_packet *p)
{
    memset(&p->flags, 0, offsetof(struct cn_packet, tcp) - offsetof(struct cn_packet, flags));
    p->payload = NULL;
    p->payload_len = 0;
    p->events_n = 0;
    p->flow = NULL;
    p->toserver = false;
    p->flow_hash = 0;
}

static void finish_packet(struct cn_decode_ctx *ctx, struct cn_packet *p)
{
    if (p->flags & CN_PKT_INVALID)
        cn_dec_stat(ctx, CN_STAT_DECODER_INVALID);
}

void cn_decode_frame(struct cn_decode_ctx *ctx, const struct cn_frame *f, struct cn_packet *p)
{
    p->data = f->data;
    p->caplen = f->caplen;
    p->wirelen = f->wirelen;
    p->ts = f->ts;
    p->pcap_cnt = f->pcap_cnt;
    p->linktype = f->linktype;
    packet_reset(p);
    if (f->caplen < f->wirelen)
        p->flags |= CN_PKT_TRUNCATED;

    ctx->layers = 0;
    ctx->tun_key = 0;
    ctx->gre_payload = NULL;
    ctx->in_rebuilt = false;
    ctx->rebuilt_ready = false;

    struct cn_stats *st = ctx->stats;
    st->v[CN_STAT_DECODER_PKTS]++;
    st->v[CN_STAT_DECODER_BYTES] += f->caplen;
    cn_stat_max(st, CN_STAT_DECODER_MAX_PKT_SIZE, f->caplen);

    cn_dec_link(ctx, p, f->linktype, f->data, f->caplen);
    finish_packet(ctx, p);
}

void cn_dec_rebuilt(struct cn_decode_ctx *ctx, const struct cn_packet *fp, uint32_t prefix_len,
                    uint32_t ip_len)
{
    struct cn_packet *r = &ctx->rebuilt;
    const uint8_t *buf = ctx->rebuilt_buf;

    r->data = buf;
    r->caplen = r->wirelen = prefix_len + ip_len;
    r->ts = fp->ts;
    r->pcap_cnt = fp->pcap_cnt;
    r->linktype = fp->linktype;
    packet_reset(r);
    /* The layers below IP are those of the completing fragment: keep what names the flow. */
    r->flags = CN_PKT_REBUILT | (fp->flags & CN_PKT_TUNNEL);
    if ((fp->flags & CN_PKT_ETH) && fp->eth_src >= fp->data && fp->eth_src + 6 <= fp->l3 &&
        fp->eth_dst >= fp->data && fp->eth_dst + 6 <= fp->l3) {
        r->eth_src = buf + (fp->eth_src - fp->data);
        r->eth_dst = buf + (fp->eth_dst - fp->data);
        r->flags |= CN_PKT_ETH;
    }
    memcpy(r->vlan, fp->vlan, sizeof(r->vlan));
    r->vlan_n = fp->vlan_n;
    r->tunnel_id = fp->tunnel_id;
    r->tunnel_depth = fp->tunnel_depth;

    uint8_t saved_layers = ctx->layers;
    bool saved_rebuilt = ctx->in_rebuilt;
    ctx->in_rebuilt = true;
    ctx->layers = 0;
    ctx->tun_key = 0;
    enum cn_layer_id lid = fp->ip_ver == 6 ? CN_LID_ipv6 : CN_LID_ipv4;
    cn_dec_layer(ctx, r, lid, CN_VIA_DIRECT, buf + prefix_len, ip_len);
    finish_packet(ctx, r);
    ctx->layers = saved_layers;
    ctx->in_rebuilt = saved_rebuilt;
    ctx->rebuilt_ready = true;
}

struct cn_packet *cn_decode_next_rebuilt(struct cn_decode_ctx *ctx)
{
    if (!ctx->rebuilt_ready)
        return NULL;
    ctx->rebuilt_ready = false;
    return &ctx->rebuilt;
}

void cn_decode_timeout(struct cn_decode_ctx *ctx, cn_time_t now)
{
    cn_defrag_timeout(ctx, now);
}

/* ---- worker-selection hash ---- */

/* One address (4 or 16 bytes) mixed into 64 bits. */
/* An address folded to 64 bits (IPv6: both halves, the second multiplied so halves do not
 * cancel). */
static uint64_t addr_fold(const uint8_t *a, size_t n)
{
    if (n == 4) {
        uint32_t v;
        memcpy(&v, a, 4);
        return v;
    }
    uint64_t w0, w1;
    memcpy(&w0, a, 8);
    memcpy(&w1, a + 8, 8);
    return w0 ^ (w1 * 0x9e3779b97f4a7c15ull);
}

/* Symmetric by construction: the sum and the xor of the two folded addresses do not depend on
 * their order, and together they tell the pair apart; one mix spreads them (every walker of a
 * shared file computes this for every packet, so it is kept to one multiply chain). */
static uint32_t addr_pair_hash(const uint8_t *a, const uint8_t *b, size_t n, uint32_t vlan_mix)
{
    uint64_t x = addr_fold(a, n), y = addr_fold(b, n);
    uint64_t h = cn_hash_mix64((x + y) ^ ((x ^ y) << 17 | (x ^ y) >> 47) ^ vlan_mix);
    uint32_t r = (uint32_t)(h ^ (h >> 32));
    return r ? r : 1;
}

/* Walks L2 to the first IP header. Only the outermost addresses count: all fragments of a
 * datagram and both directions of a flow carry the same ones. */
uint32_t cn_decode_dispatch_hash(const uint8_t *data, uint32_t caplen, int linktype)
{
    struct cn_cursor c = cn_cursor_init(data, caplen);
    uint32_t vlan_mix = 0;
    uint16_t type = 0;
    unsigned ip_ver = 0;

    switch (linktype) {
    case CN_LINK_ETHERNET:
        cn_cur_skip(&c, 12);
        type = cn_cur_be16(&c);
        break;
    case CN_LINK_SLL:
        cn_cur_skip(&c, 14);
        type = cn_cur_be16(&c);
        break;
    case CN_LINK_SLL2:
        type = cn_cur_be16(&c);
        cn_cur_skip(&c, 18);
        break;
    case CN_LINK_NULL:
    case CN_LINK_LOOP:
        cn_cur_skip(&c, 4);
        ip_ver = 255; /* guess from the version nibble */
        break;
    case CN_LINK_RAW:
    case CN_LINK_DLT_RAW:
    case CN_LINK_DLT_RAW14:
        ip_ver = 255;
        break;
    case CN_LINK_IPV4:
        ip_ver = 4;
        break;
    case CN_LINK_IPV6:
        ip_ver = 6;
        break;
    default:
        return 0;
    }
    for (int i = 0; i < CN_PKT_MAX_VLANS && !ip_ver; i++) {
        if (type != 0x8100 && type != 0x88a8 && type != 0x9100)
            break;
        vlan_mix = vlan_mix * 4099 + (cn_cur_be16(&c) & 0x0fff) + 1;
        type = cn_cur_be16(&c);
    }
    if (!ip_ver) {
        if (type == 0x0800)
            ip_ver = 4;
        else if (type == 0x86dd)
            ip_ver = 6;
        else
            return 0;
    }
    if (!cn_cur_ok(&c) || cn_cur_left(&c) < 1)
        return 0;
    if (ip_ver == 255)
        ip_ver = cn_cur_ptr(&c)[0] >> 4;
    if (ip_ver == 4) {
        cn_cur_skip(&c, 12);
        const uint8_t *a = cn_cur_bytes(&c, 8);
        return a ? addr_pair_hash(a, a + 4, 4, vlan_mix) : 0;
    }
    if (ip_ver == 6) {
        cn_cur_skip(&c, 8);
        const uint8_t *a = cn_cur_bytes(&c, 32);
        return a ? addr_pair_hash(a, a + 16, 16, vlan_mix) : 0;
    }
    return 0;
}
