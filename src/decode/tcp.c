/* tcp: the TCP header (RFC 9293 section 3.1) and its options: MSS (RFC 9293 3.2), window
 * scale and timestamps (RFC 7323), SACK-permitted and SACK (RFC 2018), TCP Fast Open (RFC 7413,
 * kind 34 or the experimental kind 254 with magic 0xF989). A malformed option raises
 * tcp.opt_invalid_len and is ignored; a repeated one raises tcp.opt_duplicate. */
#include "decode/decode_int.h"

#define TCP_HDR_LEN 20

enum {
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_MSS = 2,
    OPT_WS = 3,
    OPT_SACKOK = 4,
    OPT_SACK = 5,
    OPT_TS = 8,
    OPT_TFO = 34,
    OPT_EXP = 254,
};

static bool sack_len_ok(uint8_t olen)
{
    /* Suricata accepts an empty SACK (length 2) as well as 1 to 4 blocks. */
    return olen == 2 || (olen >= 10 && olen <= 34 && (olen - 2) % 8 == 0);
}

static bool tfo_len_ok(uint8_t olen)
{
    /* cookie absent (request) or 4..16 bytes, even (RFC 7413 section 4.1.1) */
    return olen == 2 || (olen >= 6 && olen <= 18 && olen % 2 == 0);
}

static void tcp_options(struct cn_decode_ctx *ctx, struct cn_packet *p, struct cn_cursor *c)
{
    struct cn_tcp_info *t = &p->tcp;
    uint32_t seen = 0;
    while (cn_cur_left(c) > 0) {
        uint8_t kind = cn_cur_u8(c);
        if (kind == OPT_EOL)
            break;
        if (kind == OPT_NOP)
            continue;
        uint8_t olen = cn_cur_u8(c);
        if (!cn_cur_ok(c) || olen < 2 || olen - 2u > cn_cur_left(c)) {
            CN_DEC_INVALID(ctx, p, TCP_OPT_INVALID_LEN);
            return;
        }
        struct cn_cursor o = cn_cursor_sub(c, olen - 2u);
        uint32_t bit = kind < 32 ? 1u << kind : (kind == OPT_TFO || kind == OPT_EXP) ? 1u << 31 : 0;
        if (kind == OPT_EXP && (olen < 4 || cn_cur_be16(&o) != 0xf989))
            continue; /* some other experiment */
        if (bit && (seen & bit)) {
            CN_DEC_EVENT(ctx, p, TCP_OPT_DUPLICATE);
            continue;
        }
        seen |= bit;
        bool ok = true;
        switch (kind) {
        case OPT_MSS:
            if ((ok = olen == 4)) {
                t->mss = cn_cur_be16(&o);
                t->has_mss = true;
            }
            break;
        case OPT_WS:
            if ((ok = olen == 3)) {
                t->wscale = cn_cur_u8(&o);
                t->has_wscale = true;
            }
            break;
        case OPT_SACKOK:
            if ((ok = olen == 2))
                t->has_sackok = true;
            break;
        case OPT_SACK:
            if ((ok = sack_len_ok(olen))) {
                t->has_sack = true;
                t->sack_blocks = (uint8_t)((olen - 2) / 8);
            }
            break;
        case OPT_TS:
            if ((ok = olen == 10)) {
                t->ts_val = cn_cur_be32(&o);
                t->ts_ecr = cn_cur_be32(&o);
                t->has_ts = true;
            }
            break;
        case OPT_TFO:
            if ((ok = tfo_len_ok(olen)))
                t->has_tfo = true;
            break;
        case OPT_EXP:
            if ((ok = tfo_len_ok((uint8_t)(olen - 2))))
                t->has_tfo = true;
            break;
        default:
            break;
        }
        if (!ok)
            CN_DEC_EVENT(ctx, p, TCP_OPT_INVALID_LEN);
    }
}

static bool tcp_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                       uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_TCP);
    if (len < TCP_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, TCP_PKT_TOO_SMALL);
        return true;
    }
    p->tcp = (struct cn_tcp_info){0};
    struct cn_tcp_info *t = &p->tcp;
    p->sp = cn_cur_be16(&c);
    p->dp = cn_cur_be16(&c);
    t->seq = cn_cur_be32(&c);
    t->ack = cn_cur_be32(&c);
    uint8_t off = cn_cur_u8(&c);
    t->flags = cn_cur_u8(&c);
    t->win = cn_cur_be16(&c);
    cn_cur_skip(&c, 2); /* checksum */
    t->urg_ptr = cn_cur_be16(&c);
    uint32_t hlen = (off >> 4) * 4u;
    if (hlen < TCP_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, TCP_HLEN_TOO_SMALL);
        return true;
    }
    if (hlen > len) {
        CN_DEC_INVALID(ctx, p, TCP_HLEN_TOO_SMALL);
        return true;
    }
    t->hlen = (uint8_t)hlen;
    if (hlen > TCP_HDR_LEN) {
        struct cn_cursor opts = cn_cursor_sub(&c, hlen - TCP_HDR_LEN);
        tcp_options(ctx, p, &opts);
    }
    p->flags |= CN_PKT_TCP;
    p->l4 = data;
    p->l4_len = len;
    p->payload = data + hlen;
    p->payload_len = len - hlen;
    if (cn_dec_csum_enabled(ctx))
        cn_dec_csum_result(ctx, p, CN_PKT_L4_CSUM_BAD, cn_csum_l4_ok(p, 6, data, len));
    return true;
}

const struct cn_layer cn_layer_tcp = {
    .name = "tcp",
    .decode = tcp_decode,
};
