/* pppoe: PPP over Ethernet (RFC 2516). Session frames (0x8864) carry PPP (RFC 1661 section 2)
 * whose IPv4 (0x0021) and IPv6 (0x0057) payloads are decoded; discovery frames (0x8863) are
 * checked for a known code and well-formed tags. The PPP protocol field may be compressed to
 * one byte (RFC 1661 section 6.5). */
#include "decode/decode_int.h"

#define PPP_IP   0x0021
#define PPP_IPV6 0x0057

/* Known PPP protocols decoding does not follow (link, auth and network control). */
static bool ppp_known_unsupported(uint16_t proto)
{
    switch (proto) {
    case 0x0023: /* OSI */
    case 0x002b: /* IPX */
    case 0x002d: /* VJ compressed TCP/IP */
    case 0x002f: /* VJ uncompressed */
    case 0x0031: /* bridging */
    case 0x003d: /* multilink */
    case 0x00fd: /* compressed datagram */
    case 0x0281: /* MPLS unicast */
    case 0x8021: /* IPCP */
    case 0x8057: /* IPV6CP */
    case 0x80fd: /* CCP */
    case 0xc021: /* LCP */
    case 0xc023: /* PAP */
    case 0xc025: /* LQR */
    case 0xc223: /* CHAP */
        return true;
    default:
        return false;
    }
}

/* Shared by GRE version 1 (PPTP), which carries the same PPP frames. */
void cn_dec_ppp_payload(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len);
void cn_dec_ppp_payload(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_PPP);
    if (cn_cur_left(&c) < 1) {
        CN_DEC_INVALID(ctx, p, PPP_PKT_TOO_SMALL);
        return;
    }
    uint16_t proto;
    if (cn_cur_ptr(&c)[0] & 1)
        proto = cn_cur_u8(&c);
    else
        proto = cn_cur_be16(&c);
    if (!cn_cur_ok(&c)) {
        CN_DEC_INVALID(ctx, p, PPP_PKT_TOO_SMALL);
        return;
    }
    const uint8_t *rest = cn_cur_ptr(&c);
    uint32_t left = (uint32_t)cn_cur_left(&c);
    switch (proto) {
    case PPP_IP:
        if (left < 20) {
            CN_DEC_INVALID(ctx, p, PPPIPV4_PKT_TOO_SMALL);
            return;
        }
        cn_dec_layer(ctx, p, CN_LID_ipv4, CN_VIA_DIRECT, rest, left);
        return;
    case PPP_IPV6:
        if (left < 40) {
            CN_DEC_INVALID(ctx, p, PPPIPV6_PKT_TOO_SMALL);
            return;
        }
        cn_dec_layer(ctx, p, CN_LID_ipv6, CN_VIA_DIRECT, rest, left);
        return;
    default:
        if (ppp_known_unsupported(proto))
            CN_DEC_EVENT(ctx, p, PPP_UNSUP_PROTO);
        else
            CN_DEC_INVALID(ctx, p, PPP_WRONG_TYPE);
        return;
    }
}

/* RFC 2516 section 5: PADI 0x09, PADO 0x07, PADR 0x19, PADS 0x65, PADT 0xa7 */
static bool discovery_code_ok(uint8_t code)
{
    return code == 0x09 || code == 0x07 || code == 0x19 || code == 0x65 || code == 0xa7;
}

static void pppoe_discovery(struct cn_decode_ctx *ctx, struct cn_packet *p, uint8_t code,
                            struct cn_cursor *tags)
{
    if (!discovery_code_ok(code)) {
        CN_DEC_EVENT(ctx, p, PPPOE_WRONG_CODE);
        return;
    }
    /* Tags: type(2) length(2) value; end-of-list is type 0 (RFC 2516 appendix A). */
    while (cn_cur_left(tags) > 0) {
        uint16_t type = cn_cur_be16(tags);
        uint16_t tlen = cn_cur_be16(tags);
        if (!cn_cur_ok(tags) || cn_cur_left(tags) < tlen) {
            CN_DEC_EVENT(ctx, p, PPPOE_MALFORMED_TAGS);
            return;
        }
        if (type == 0)
            return;
        cn_cur_skip(tags, tlen);
    }
}

/* Common header: ver/type(1) code(1) session(2) length(2). Returns the payload bounded by
 * the length field (Ethernet padding may follow it), or an errored cursor. */
static struct cn_cursor pppoe_header(struct cn_decode_ctx *ctx, struct cn_packet *p,
                                     const uint8_t *data, uint32_t len, uint8_t *code)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_PPPOE);
    cn_cur_skip(&c, 1); /* version and type: 1 and 1 today; parse alike either way */
    *code = cn_cur_u8(&c);
    cn_cur_skip(&c, 2);
    uint16_t plen = cn_cur_be16(&c);
    struct cn_cursor body = cn_cursor_sub(&c, plen);
    if (!cn_cur_ok(&body))
        CN_DEC_INVALID(ctx, p, PPPOE_PKT_TOO_SMALL);
    return body;
}

static bool pppoe_session_decode(struct cn_decode_ctx *ctx, struct cn_packet *p,
                                 const uint8_t *data, uint32_t len)
{
    uint8_t code;
    struct cn_cursor body = pppoe_header(ctx, p, data, len, &code);
    if (!cn_cur_ok(&body))
        return true;
    if (code != 0) {
        CN_DEC_EVENT(ctx, p, PPPOE_WRONG_CODE);
        return true;
    }
    cn_dec_ppp_payload(ctx, p, cn_cur_ptr(&body), (uint32_t)cn_cur_left(&body));
    return true;
}

static bool pppoe_discovery_decode(struct cn_decode_ctx *ctx, struct cn_packet *p,
                                   const uint8_t *data, uint32_t len)
{
    uint8_t code;
    struct cn_cursor body = pppoe_header(ctx, p, data, len, &code);
    if (cn_cur_ok(&body))
        pppoe_discovery(ctx, p, code, &body);
    return true;
}

/* Two descriptors, one protocol: session (0x8864) and discovery (0x8863) stages. */
const struct cn_layer cn_layer_pppoe = {
    .name = "pppoe",
    .decode = pppoe_session_decode,
};
const struct cn_layer cn_layer_pppoe_disc = {
    .name = "pppoe_disc",
    .decode = pppoe_discovery_decode,
};
