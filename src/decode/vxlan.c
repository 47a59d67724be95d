/* vxlan: Virtual eXtensible LAN (RFC 7348 section 5) on its UDP port (4789 unless configured).
 * An 8-byte header with the I flag and a 24-bit VNI, then an Ethernet frame. Datagrams that do
 * not look like VXLAN are left to UDP; an inner frame carrying something other than IP, ARP
 * or VLAN raises vxlan.unknown_payload_type. The VNI is mixed into the tunnel id. */
#include "decode/decode_int.h"

#define VXLAN_HDR_LEN 8
#define VXLAN_FLAG_I  0x08

static uint16_t vxlan_port(const struct cn_decode_config *cfg)
{
    return cfg->vxlan_enabled ? cfg->vxlan_port : 0;
}

static bool vxlan_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                         uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    uint8_t flags = cn_cur_u8(&c);
    uint32_t reserved = cn_cur_be16(&c) << 8 | cn_cur_u8(&c);
    uint32_t vni = cn_cur_be32(&c) >> 8;
    if (!cn_cur_ok(&c) || len < VXLAN_HDR_LEN + 14 || !(flags & VXLAN_FLAG_I) || reserved != 0)
        return false;
    cn_dec_stat(ctx, CN_STAT_DECODER_VXLAN);

    struct cn_cursor e = c;
    cn_cur_skip(&e, 12);
    uint16_t type = cn_cur_be16(&e);
    switch (type) {
    case 0x0800:
    case 0x86dd:
    case 0x0806:
    case 0x8100:
    case 0x88a8:
    case 0x9100:
        break;
    default:
        CN_DEC_EVENT(ctx, p, VXLAN_UNKNOWN_PAYLOAD_TYPE);
        return true;
    }
    ctx->tun_key = vni | 0x1000000u;
    cn_dec_layer(ctx, p, CN_LID_ethernet, CN_VIA_UDP, cn_cur_ptr(&c), len - VXLAN_HDR_LEN);
    return true;
}

const struct cn_layer cn_layer_vxlan = {
    .name = "vxlan",
    .decode = vxlan_decode,
    .udp_port = vxlan_port,
};
