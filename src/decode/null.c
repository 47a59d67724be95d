/* null: BSD loopback encapsulation. LINKTYPE_NULL (0) holds the address family as a 32-bit
 * word in the capturing host's byte order, which a reader cannot know, so both orders are
 * tried; LINKTYPE_LOOP (108) holds it in network order. AF_INET is 2 everywhere; AF_INET6 is
 * 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS) or 10 (Linux). */
#include "decode/decode_int.h"

static bool family_is_inet6(uint32_t af)
{
    return af == 24 || af == 28 || af == 30 || af == 10;
}

static bool null_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_NULL);
    uint32_t af = p->linktype == CN_LINK_LOOP ? cn_cur_be32(&c) : cn_cur_le32(&c);
    if (!cn_cur_ok(&c)) {
        CN_DEC_INVALID(ctx, p, LTNULL_PKT_TOO_SMALL);
        return true;
    }
    if (af > 0xffff)
        af = __builtin_bswap32(af);
    const uint8_t *rest = cn_cur_ptr(&c);
    if (af == 2)
        cn_dec_layer(ctx, p, CN_LID_ipv4, CN_VIA_DIRECT, rest, len - 4);
    else if (family_is_inet6(af))
        cn_dec_layer(ctx, p, CN_LID_ipv6, CN_VIA_DIRECT, rest, len - 4);
    else
        CN_DEC_EVENT(ctx, p, LTNULL_UNSUPPORTED_TYPE);
    return true;
}

const struct cn_layer cn_layer_null = {
    .name = "null",
    .decode = null_decode,
};
