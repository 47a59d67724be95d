/* teredo: IPv6 carried in UDP across NATs (RFC 4380 section 5.1) on its UDP port (3544 unless
 * configured), at either end since servers and relays answer from it. Teredo has no header of
 * its own to prove it, so a datagram counts as Teredo when, after an optional origin indication
 * (0x0000, obfuscated port and address: 8 bytes), it holds exactly one IPv6 packet: version 6,
 * a payload length that accounts for every remaining byte, and not one of the shapes Suricata
 * rejects as chance matches (hop limit 0, a hop-by-hop header with under 8 bytes of payload).
 * Anything else is left to UDP, as in Suricata 7: a datagram led by an authentication indicator
 * (0x0001, section 5.1.1; qualification between client and server, not tunnelled data), and
 * one whose inner IPv6 packet decodes as invalid. Listed before VXLAN and Geneve in layers.def
 * because Suricata tries Teredo first. */
#include "decode/decode_int.h"

#define TEREDO_ORIGIN_LEN 8
#define TEREDO_IPV6_LEN   40
/* Mixed into the tunnel id so that Teredo and 6in4 between the same hosts stay apart. */
#define TEREDO_TUN_TAG 0x3000000u

static uint16_t teredo_port(const struct cn_decode_config *cfg)
{
    return cfg->teredo_enabled ? cfg->teredo_port : 0;
}

/* Points *ip at the encapsulated IPv6 packet; false when the datagram is not Teredo. */
static bool teredo_find_ipv6(const uint8_t *data, uint32_t len, struct cn_cursor *ip)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    struct cn_cursor ind = c;
    if (cn_cur_u8(&ind) == 0) {
        /* An IPv6 packet never starts with a zero byte: this is an indicator, and only the
         * origin indication can precede tunnelled data. */
        if (cn_cur_u8(&ind) != 0)
            return false;
        cn_cur_skip(&c, TEREDO_ORIGIN_LEN);
    }
    struct cn_cursor h = c;
    uint32_t w0 = cn_cur_be32(&h);
    uint16_t plen = cn_cur_be16(&h);
    uint8_t nh = cn_cur_u8(&h);
    uint8_t hlim = cn_cur_u8(&h);
    if (!cn_cur_ok(&c) || cn_cur_left(&c) < TEREDO_IPV6_LEN)
        return false;
    if (w0 >> 28 != 6 || hlim == 0 || (nh == 0 && plen < 8))
        return false;
    if (cn_cur_left(&c) != TEREDO_IPV6_LEN + (size_t)plen)
        return false;
    *ip = c;
    return true;
}

static bool teredo_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                          uint32_t len)
{
    struct cn_cursor ip;
    if (!teredo_find_ipv6(data, len, &ip))
        return false;
    if (ctx->layers >= ctx->cfg.max_layers) {
        /* No room for the inner packet: cn_dec_layer reports that on the outer one. */
        cn_dec_layer(ctx, p, CN_LID_ipv6, CN_VIA_UDP, cn_cur_ptr(&ip), 0);
        return true;
    }
    /* Suricata decodes the inner packet on its own and drops it when invalid, leaving the
     * datagram plain UDP; here the packet is decoded in place, so keep the outer view to put
     * back. Counters the inner layers bumped stay bumped. */
    struct cn_packet outer = *p;
    ctx->tun_key = TEREDO_TUN_TAG;
    cn_dec_layer(ctx, p, CN_LID_ipv6, CN_VIA_UDP, cn_cur_ptr(&ip), (uint32_t)cn_cur_left(&ip));
    if (p->flags & ~outer.flags & CN_PKT_INVALID) {
        *p = outer;
        ctx->tun_key = 0;
        return false;
    }
    cn_dec_stat(ctx, CN_STAT_DECODER_TEREDO);
    return true;
}

const struct cn_layer cn_layer_teredo = {
    .name = "teredo",
    .decode = teredo_decode,
    .udp_port = teredo_port,
    .udp_either_port = true,
};
