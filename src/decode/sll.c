/* sll: Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 16-byte header: packet type, ARPHRD type,
 * address length, 8 address bytes, protocol). The protocol field is an ethertype. */
#include "decode/decode_int.h"

#define SLL_HDR_LEN 16

static bool sll_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                       uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_SLL);
    cn_cur_skip(&c, 14);
    uint16_t proto = cn_cur_be16(&c);
    if (!cn_cur_ok(&c)) {
        CN_DEC_INVALID(ctx, p, SLL_PKT_TOO_SMALL);
        return true;
    }
    cn_dec_ethertype(ctx, p, proto, cn_cur_ptr(&c), len - SLL_HDR_LEN);
    return true;
}

const struct cn_layer cn_layer_sll = {
    .name = "sll",
    .decode = sll_decode,
};
