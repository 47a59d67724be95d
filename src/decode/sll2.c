/* sll2: Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 20-byte header: protocol, reserved,
 * interface index, ARPHRD type, packet type, address length, 8 address bytes). */
#include "decode/decode_int.h"

#define SLL2_HDR_LEN 20

static bool sll2_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_SLL2);
    uint16_t proto = cn_cur_be16(&c);
    cn_cur_skip(&c, SLL2_HDR_LEN - 2);
    if (!cn_cur_ok(&c)) {
        CN_DEC_INVALID(ctx, p, SLL2_PKT_TOO_SMALL);
        return true;
    }
    cn_dec_ethertype(ctx, p, proto, cn_cur_ptr(&c), len - SLL2_HDR_LEN);
    return true;
}

const struct cn_layer cn_layer_sll2 = {
    .name = "sll2",
    .decode = sll2_decode,
};
