/* arp: ARP over Ethernet for IPv4 (RFC 826). Fills p->arp and flags CN_PKT_ARP; other
 * hardware or protocol types raise Suricata's arp.* events. */
#include "decode/decode_int.h"

#define ARP_LEN 28

static bool arp_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                       uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_ARP);
    if (len < ARP_LEN) {
        CN_DEC_INVALID(ctx, p, ARP_PKT_TOO_SMALL);
        return true;
    }
    uint16_t htype = cn_cur_be16(&c);
    uint16_t ptype = cn_cur_be16(&c);
    uint8_t hlen = cn_cur_u8(&c);
    uint8_t plen = cn_cur_u8(&c);
    uint16_t op = cn_cur_be16(&c);
    if (htype != 1) {
        CN_DEC_INVALID(ctx, p, ARP_UNSUPPORTED_HARDWARE);
        return true;
    }
    if (ptype != 0x0800) {
        CN_DEC_INVALID(ctx, p, ARP_UNSUPPORTED_PROTOCOL);
        return true;
    }
    if (hlen != 6) {
        CN_DEC_INVALID(ctx, p, ARP_INVALID_HARDWARE_SIZE);
        return true;
    }
    if (plen != 4) {
        CN_DEC_INVALID(ctx, p, ARP_INVALID_PROTOCOL_SIZE);
        return true;
    }
    /* request, reply, and the RARP request/reply that share the format (RFC 903) */
    if (op < 1 || op > 4) {
        CN_DEC_INVALID(ctx, p, ARP_UNSUPPORTED_OPCODE);
        return true;
    }
    struct cn_arp_info *a = &p->arp;
    a->op = op;
    memcpy(a->sha, cn_cur_bytes(&c, 6), 6);
    memcpy(a->spa, cn_cur_bytes(&c, 4), 4);
    memcpy(a->tha, cn_cur_bytes(&c, 6), 6);
    memcpy(a->tpa, cn_cur_bytes(&c, 4), 4);
    p->flags |= CN_PKT_ARP;
    return true;
}

const struct cn_layer cn_layer_arp = {
    .name = "arp",
    .decode = arp_decode,
};
