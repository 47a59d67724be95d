/* udp: the UDP header (RFC 768). The length field must match the IP payload exactly, as
 * Suricata requires. A zero checksum over IPv4 means "none"; over IPv6 it is invalid
 * (RFC 8200 section 8.1). Tunnels on UDP ports (VXLAN, Geneve, Teredo) are tried through the
 * layers.def port table: by destination port, Teredo by either port. */
#include "decode/decode_int.h"

#define UDP_HDR_LEN 8

static bool udp_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                       uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_UDP);
    if (len < UDP_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, UDP_HLEN_TOO_SMALL);
        return true;
    }
    uint16_t sp = cn_cur_be16(&c);
    uint16_t dp = cn_cur_be16(&c);
    uint16_t ulen = cn_cur_be16(&c);
    uint16_t csum = cn_cur_be16(&c);
    if (len < ulen) {
        CN_DEC_INVALID(ctx, p, UDP_PKT_TOO_SMALL);
        return true;
    }
    if (ulen < UDP_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, UDP_LEN_INVALID);
        return true;
    }
    if (len != ulen) {
        CN_DEC_INVALID(ctx, p, UDP_HLEN_INVALID);
        return true;
    }
    p->sp = sp;
    p->dp = dp;
    p->flags |= CN_PKT_UDP;
    p->l4 = data;
    p->l4_len = len;
    p->payload = data + UDP_HDR_LEN;
    p->payload_len = len - UDP_HDR_LEN;
    if (cn_dec_csum_enabled(ctx) && (csum != 0 || p->ip_ver == 6))
        cn_dec_csum_result(ctx, p, CN_PKT_L4_CSUM_BAD, cn_csum_l4_ok(p, 17, data, len));
    if (ctx->udp_n)
        cn_dec_udp(ctx, p, sp, dp, p->payload, p->payload_len);
    return true;
}

const struct cn_layer cn_layer_udp = {
    .name = "udp",
    .decode = udp_decode,
};
