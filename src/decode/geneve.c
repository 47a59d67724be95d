/* geneve: Generic Network Virtualization Encapsulation (RFC 8926 section 3.4) on its UDP port
 * (6081 unless configured): version 0, option length in 4-byte words, a protocol type that is
 * an ethertype (Ethernet 0x6558, IPv4, IPv6), a 24-bit VNI, then options. Other versions are
 * left to UDP; other payload types raise geneve.unknown_payload_type. */
#include "decode/decode_int.h"

#define GENEVE_HDR_LEN 8

static uint16_t geneve_port(const struct cn_decode_config *cfg)
{
    return cfg->geneve_enabled ? cfg->geneve_port : 0;
}

static bool geneve_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                          uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    uint8_t vo = cn_cur_u8(&c);
    cn_cur_skip(&c, 1); /* O and C flags */
    uint16_t type = cn_cur_be16(&c);
    uint32_t vni = cn_cur_be32(&c) >> 8;
    uint32_t optlen = (vo & 0x3fu) * 4;
    if (!cn_cur_ok(&c) || (vo >> 6) != 0 || cn_cur_left(&c) < optlen)
        return false;
    cn_cur_skip(&c, optlen);
    cn_dec_stat(ctx, CN_STAT_DECODER_GENEVE);

    enum cn_layer_id lid;
    switch (type) {
    case 0x6558:
        lid = CN_LID_ethernet;
        break;
    case 0x0800:
        lid = CN_LID_ipv4;
        break;
    case 0x86dd:
        lid = CN_LID_ipv6;
        break;
    default:
        CN_DEC_EVENT(ctx, p, GENEVE_UNKNOWN_PAYLOAD_TYPE);
        return true;
    }
    ctx->tun_key = vni | 0x2000000u;
    cn_dec_layer(ctx, p, lid, CN_VIA_UDP, cn_cur_ptr(&c), (uint32_t)cn_cur_left(&c));
    return true;
}

const struct cn_layer cn_layer_geneve = {
    .name = "geneve",
    .decode = geneve_decode,
    .udp_port = geneve_port,
};
