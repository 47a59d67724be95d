/* ethernet: Ethernet II frames (IEEE 802.3 clause 3.2.6 type field). Also the inner frame of
 * VXLAN, Geneve and GRE transparent Ethernet bridging (ethertype 0x6558). A length field
 * (< 0x0600, 802.3 with LLC) is treated as an unknown ethertype, as Suricata does. */
#include "decode/decode_int.h"

#define ETH_HDR_LEN 14

static bool ethernet_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                            uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_ETHERNET);
    const uint8_t *dst = cn_cur_bytes(&c, 6);
    const uint8_t *src = cn_cur_bytes(&c, 6);
    uint16_t type = cn_cur_be16(&c);
    if (!cn_cur_ok(&c)) {
        CN_DEC_INVALID(ctx, p, ETHERNET_PKT_TOO_SMALL);
        return true;
    }
    p->eth_dst = dst;
    p->eth_src = src;
    p->flags |= CN_PKT_ETH;
    cn_dec_ethertype(ctx, p, type, cn_cur_ptr(&c), len - ETH_HDR_LEN);
    return true;
}

const struct cn_layer cn_layer_ethernet = {
    .name = "ethernet",
    .decode = ethernet_decode,
};
