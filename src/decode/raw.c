/* raw: LINKTYPE_RAW (101) and the platform DLT_RAW values (12, 14): an IP packet with no link
 * header, the version nibble choosing IPv4 or IPv6. (LINKTYPE_IPV4/IPV6, 228/229, go straight
 * to the IP layers through layers.def.) */
#include "decode/decode_int.h"

static bool raw_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                       uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_RAW);
    uint8_t v = cn_cur_u8(&c) >> 4;
    if (cn_cur_ok(&c) && v == 4)
        cn_dec_layer(ctx, p, CN_LID_ipv4, CN_VIA_DIRECT, data, len);
    else if (cn_cur_ok(&c) && v == 6)
        cn_dec_layer(ctx, p, CN_LID_ipv6, CN_VIA_DIRECT, data, len);
    else
        CN_DEC_INVALID(ctx, p, IPRAW_INVALID_IPV);
    return true;
}

const struct cn_layer cn_layer_raw = {
    .name = "raw",
    .decode = raw_decode,
};
