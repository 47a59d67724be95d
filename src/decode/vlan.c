/* vlan: IEEE 802.1Q tags and 802.1ad / legacy QinQ (ethertypes 0x8100, 0x88a8, 0x9100). Up to
 * CN_PKT_MAX_VLANS ids are kept in p->vlan, outermost first; a deeper stack raises
 * vlan.too_many_layers. The tag is 2 bytes of TCI (PCP, DEI, 12-bit VID) and the next type. */
#include "decode/decode_int.h"

static const enum cn_stat_id vlan_counter[CN_PKT_MAX_VLANS] = {
    CN_STAT_DECODER_VLAN, CN_STAT_DECODER_VLAN_QINQ, CN_STAT_DECODER_VLAN_QINQINQ};

static bool vlan_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len)
{
    if (p->vlan_n >= CN_PKT_MAX_VLANS) {
        CN_DEC_INVALID(ctx, p, VLAN_HEADER_TOO_MANY_LAYERS);
        return true;
    }
    cn_dec_stat(ctx, vlan_counter[p->vlan_n]);
    struct cn_cursor c = cn_cursor_init(data, len);
    uint16_t tci = cn_cur_be16(&c);
    uint16_t type = cn_cur_be16(&c);
    if (!cn_cur_ok(&c)) {
        CN_DEC_INVALID(ctx, p, VLAN_HEADER_TOO_SMALL);
        return true;
    }
    p->vlan[p->vlan_n++] = tci & 0x0fff;
    if (!cn_dec_ethertype(ctx, p, type, cn_cur_ptr(&c), len - 4))
        CN_DEC_INVALID(ctx, p, VLAN_UNKNOWN_TYPE);
    return true;
}

const struct cn_layer cn_layer_vlan = {
    .name = "vlan",
    .decode = vlan_decode,
};
