/* mpls: an MPLS label stack (RFC 3032 section 2.1), over Ethernet (0x8847/0x8848) or IP
 * (protocol 137, RFC 4023). After the bottom-of-stack entry the payload is chosen by the
 * reserved labels (0: IPv4, 2: IPv6) or guessed from the first nibble (4, 6, or 0 for an
 * Ethernet pseudowire behind a 4-byte control word, RFC 4385). */
#include "decode/decode_int.h"

#define MPLS_LABEL_IPV4         0
#define MPLS_LABEL_ROUTER_ALERT 1
#define MPLS_LABEL_IPV6         2
#define MPLS_LABEL_NULL         3
#define MPLS_MAX_RESERVED       16
#define MPLS_PW_LEN             4

static bool mpls_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_MPLS);
    uint32_t shim;
    do {
        if (cn_cur_left(&c) < 4) {
            CN_DEC_INVALID(ctx, p, MPLS_HEADER_TOO_SMALL);
            return true;
        }
        shim = cn_cur_be32(&c);
    } while (!(shim & 0x100));

    uint32_t label = shim >> 12;
    const uint8_t *rest = cn_cur_ptr(&c);
    uint32_t left = (uint32_t)cn_cur_left(&c);
    switch (label) {
    case MPLS_LABEL_IPV4:
        cn_dec_layer(ctx, p, CN_LID_ipv4, CN_VIA_DIRECT, rest, left);
        return true;
    case MPLS_LABEL_IPV6:
        cn_dec_layer(ctx, p, CN_LID_ipv6, CN_VIA_DIRECT, rest, left);
        return true;
    case MPLS_LABEL_ROUTER_ALERT:
        CN_DEC_EVENT(ctx, p, MPLS_BAD_LABEL_ROUTER_ALERT);
        return true;
    case MPLS_LABEL_NULL:
        CN_DEC_EVENT(ctx, p, MPLS_BAD_LABEL_IMPLICIT_NULL);
        return true;
    default:
        if (label < MPLS_MAX_RESERVED) {
            CN_DEC_EVENT(ctx, p, MPLS_BAD_LABEL_RESERVED);
            return true;
        }
        break;
    }
    if (left < 1) {
        CN_DEC_INVALID(ctx, p, MPLS_PKT_TOO_SMALL);
        return true;
    }
    switch (rest[0] >> 4) {
    case 4:
        cn_dec_layer(ctx, p, CN_LID_ipv4, CN_VIA_DIRECT, rest, left);
        break;
    case 6:
        cn_dec_layer(ctx, p, CN_LID_ipv6, CN_VIA_DIRECT, rest, left);
        break;
    case 0:
        if (left < MPLS_PW_LEN) {
            CN_DEC_INVALID(ctx, p, MPLS_PKT_TOO_SMALL);
            break;
        }
        cn_dec_layer(ctx, p, CN_LID_ethernet, CN_VIA_DIRECT, rest + MPLS_PW_LEN,
                     left - MPLS_PW_LEN);
        break;
    default:
        CN_DEC_INVALID(ctx, p, MPLS_UNKNOWN_PAYLOAD_TYPE);
        break;
    }
    return true;
}

const struct cn_layer cn_layer_mpls = {
    .name = "mpls",
    .decode = mpls_decode,
};
