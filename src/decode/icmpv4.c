/* icmpv4: ICMP for IPv4 (RFC 792, RFC 950 address mask, RFC 1256 router discovery). Unknown
 * types and codes raise events; error messages quote the offending IPv4 header plus 8 bytes,
 * whose addresses, protocol and ports are kept in p->icmp (Suricata's partial IPv4 decode). */
#include "decode/decode_int.h"

#define ICMP_HDR_LEN 8

/* Highest valid code per type, or -1 for an unknown type. */
static int max_code(uint8_t type)
{
    switch (type) {
    case 0:  /* echo reply */
    case 4:  /* source quench */
    case 8:  /* echo */
    case 10: /* router solicitation */
    case 13: /* timestamp */
    case 14: /* timestamp reply */
    case 15: /* information request */
    case 16: /* information reply */
    case 17: /* address mask request */
    case 18: /* address mask reply */
        return 0;
    case 3: /* destination unreachable */
        return 15;
    case 5: /* redirect */
        return 3;
    case 9: /* router advertisement: 0, or 16 "does not route common traffic" (RFC 2002) */
        return 16;
    case 11: /* time exceeded */
        return 1;
    case 12: /* parameter problem */
        return 2;
    default:
        return -1;
    }
}

static bool is_error(uint8_t type)
{
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static bool has_id_seq(uint8_t type)
{
    return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

static void quoted_ipv4(struct cn_decode_ctx *ctx, struct cn_packet *p, struct cn_cursor c)
{
    struct cn_icmp_info *ic = &p->icmp;
    if (cn_cur_left(&c) < 20) {
        CN_DEC_EVENT(ctx, p, ICMPV4_IPV4_TRUNC_PKT);
        return;
    }
    uint8_t vhl = cn_cur_u8(&c);
    if (vhl >> 4 != 4) {
        CN_DEC_EVENT(ctx, p, ICMPV4_IPV4_UNKNOWN_VER);
        return;
    }
    uint32_t hlen = (vhl & 0x0fu) * 4;
    cn_cur_skip(&c, 8);
    ic->quoted_proto = cn_cur_u8(&c);
    cn_cur_skip(&c, 2);
    memcpy(ic->quoted_src.b, cn_cur_bytes(&c, 4), 4);
    memcpy(ic->quoted_dst.b, cn_cur_bytes(&c, 4), 4);
    ic->has_quoted = true;
    /* ports of a quoted TCP/UDP header, when the 8 bytes after it were kept */
    if (hlen >= 20 && (ic->quoted_proto == 6 || ic->quoted_proto == 17)) {
        cn_cur_skip(&c, hlen - 20);
        uint16_t sp = cn_cur_be16(&c);
        uint16_t dp = cn_cur_be16(&c);
        if (cn_cur_ok(&c)) {
            ic->quoted_sp = sp;
            ic->quoted_dp = dp;
        }
    }
}

static bool icmpv4_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                          uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_ICMPV4);
    if (len < ICMP_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, ICMPV4_PKT_TOO_SMALL);
        return true;
    }
    p->icmp = (struct cn_icmp_info){0};
    struct cn_icmp_info *ic = &p->icmp;
    ic->type = cn_cur_u8(&c);
    ic->code = cn_cur_u8(&c);
    cn_cur_skip(&c, 2);
    uint16_t id = cn_cur_be16(&c);
    uint16_t seq = cn_cur_be16(&c);
    p->flags |= CN_PKT_ICMPV4;
    p->l4 = data;
    p->l4_len = len;
    p->payload = data + ICMP_HDR_LEN;
    p->payload_len = len - ICMP_HDR_LEN;

    int mc = max_code(ic->type);
    if (mc < 0)
        CN_DEC_EVENT(ctx, p, ICMPV4_UNKNOWN_TYPE);
    else if (ic->code > mc || (ic->type == 9 && ic->code != 0 && ic->code != 16))
        CN_DEC_EVENT(ctx, p, ICMPV4_UNKNOWN_CODE);
    if (has_id_seq(ic->type)) {
        ic->id = id;
        ic->seq = seq;
    } else if (is_error(ic->type)) {
        quoted_ipv4(ctx, p, c);
    }
    if (cn_dec_csum_enabled(ctx))
        cn_dec_csum_result(ctx, p, CN_PKT_L4_CSUM_BAD, cn_csum_l4_ok(p, 1, data, len));
    return true;
}

const struct cn_layer cn_layer_icmpv4 = {
    .name = "icmpv4",
    .decode = icmpv4_decode,
};
