/* gre: Generic Routing Encapsulation, version 0 (RFC 2784 with the key and sequence fields of
 * RFC 2890, and the routing/SRE fields of RFC 1701) and version 1, the enhanced GRE of PPTP
 * (RFC 2637 section 4.1) that carries PPP. The version 0 protocol field is an ethertype, so
 * the payload goes through the ethertype table (IPv4, IPv6, Ethernet 0x6558, VLAN, MPLS,
 * ERSPAN...).
 * A GRE key is mixed into the tunnel id. */
#include "decode/decode_int.h"

#define GRE_C        0x80
#define GRE_R        0x40
#define GRE_K        0x20
#define GRE_S        0x10
#define GRE_SSR      0x08
#define GRE_RECUR    0x07
#define GRE_V1_A     0x80
#define GRE_V1_FLAGS 0x78
#define GRE_V0_FLAGS 0xf8
#define GRE_PPP      0x880b

void cn_dec_ppp_payload(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len);

/* RFC 1701 source route entries: address family(2) offset(1) length(1) data; a zero length
 * ends the list. Returns false when they run past the packet. */
static bool skip_sre(struct cn_cursor *c)
{
    for (;;) {
        cn_cur_skip(c, 3);
        uint8_t sre_len = cn_cur_u8(c);
        if (!cn_cur_ok(c))
            return false;
        if (sre_len == 0)
            return true;
        cn_cur_skip(c, sre_len);
    }
}

static bool gre_v0(struct cn_decode_ctx *ctx, struct cn_packet *p, uint8_t f0, uint8_t f1,
                   uint16_t proto, struct cn_cursor *c)
{
    if (f0 & GRE_RECUR) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION0_RECUR);
        return false;
    }
    if (f1 & GRE_V0_FLAGS) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION0_FLAGS);
        return false;
    }
    size_t opt = ((f0 & (GRE_C | GRE_R)) ? 4 : 0) + ((f0 & GRE_K) ? 4 : 0) + ((f0 & GRE_S) ? 4 : 0);
    if (cn_cur_left(c) < opt) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION0_HDR_TOO_BIG);
        return false;
    }
    if (f0 & (GRE_C | GRE_R))
        cn_cur_skip(c, 4); /* checksum + offset */
    if (f0 & GRE_K)
        ctx->tun_key = cn_cur_be32(c);
    if (f0 & GRE_S)
        cn_cur_skip(c, 4);
    if ((f0 & GRE_R) && !skip_sre(c)) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION0_MALFORMED_SRE_HDR);
        return false;
    }
    (void)proto;
    return true;
}

static bool gre_v1(struct cn_decode_ctx *ctx, struct cn_packet *p, uint8_t f0, uint8_t f1,
                   uint16_t proto, struct cn_cursor *c)
{
    if (f0 & GRE_C) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION1_CHKSUM);
        return false;
    }
    if (f0 & GRE_R) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION1_ROUTE);
        return false;
    }
    if (f0 & GRE_SSR) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION1_SSR);
        return false;
    }
    if (f0 & GRE_RECUR) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION1_RECUR);
        return false;
    }
    if (f1 & GRE_V1_FLAGS) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION1_FLAGS);
        return false;
    }
    if (proto != GRE_PPP) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION1_WRONG_PROTOCOL);
        return false;
    }
    if (!(f0 & GRE_K)) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION1_NO_KEY);
        return false;
    }
    size_t opt = 4 + ((f0 & GRE_S) ? 4 : 0) + ((f1 & GRE_V1_A) ? 4 : 0);
    if (cn_cur_left(c) < opt) {
        CN_DEC_INVALID(ctx, p, GRE_VERSION1_HDR_TOO_BIG);
        return false;
    }
    cn_cur_skip(c, 2);             /* payload length */
    ctx->tun_key = cn_cur_be16(c); /* call id */
    cn_cur_skip(c, opt - 4);
    return true;
}

static bool gre_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                       uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_GRE);
    uint8_t f0 = cn_cur_u8(&c);
    uint8_t f1 = cn_cur_u8(&c);
    uint16_t proto = cn_cur_be16(&c);
    if (!cn_cur_ok(&c)) {
        CN_DEC_INVALID(ctx, p, GRE_PKT_TOO_SMALL);
        return true;
    }
    switch (f1 & 0x07) {
    case 0:
        if (!gre_v0(ctx, p, f0, f1, proto, &c))
            return true;
        break;
    case 1:
        if (!gre_v1(ctx, p, f0, f1, proto, &c))
            return true;
        if (cn_cur_left(&c) == 0)
            return true; /* an acknowledgement without payload */
        /* PPP in HDLC-like framing may keep its address and control bytes (RFC 1662). */
        if (cn_cur_left(&c) >= 2 && cn_cur_ptr(&c)[0] == 0xff && cn_cur_ptr(&c)[1] == 0x03)
            cn_cur_skip(&c, 2);
        cn_dec_ppp_payload(ctx, p, cn_cur_ptr(&c), (uint32_t)cn_cur_left(&c));
        return true;
    default:
        CN_DEC_INVALID(ctx, p, GRE_WRONG_VERSION);
        return true;
    }
    ctx->gre_payload = cn_cur_ptr(&c);
    ctx->gre_flags = f0;
    cn_dec_ethertype(ctx, p, proto, cn_cur_ptr(&c), (uint32_t)cn_cur_left(&c));
    return true;
}

const struct cn_layer cn_layer_gre = {
    .name = "gre",
    .decode = gre_decode,
};
