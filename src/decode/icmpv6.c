/* icmpv6: ICMP for IPv6 (RFC 4443) with the informational types of neighbour discovery
 * (RFC 4861), MLD (RFC 2710, RFC 3810) and friends. Types are sorted into known, unassigned and
 * experimental (RFC 4443 section 2.1) for Suricata's events; MLD messages must carry a hop
 * limit of 1. Error messages quote the offending IPv6 header, kept in p->icmp. */
#include "decode/decode_int.h"

#define ICMPV6_HDR_LEN 4

/* Highest valid code per known type, or -1. */
static int max_code(uint8_t type)
{
    switch (type) {
    case 1: /* destination unreachable */
        return 7;
    case 2: /* packet too big */
        return 0;
    case 3: /* time exceeded */
        return 1;
    case 4: /* parameter problem */
        return 3;
    case 138: /* router renumbering */
        return 255;
    case 139: /* node information query/response (RFC 4620) */
    case 140:
        return 2;
    default:
        if (type >= 128 && type <= 137)
            return 0; /* echo, MLD, router/neighbour discovery, redirect */
        if (type >= 141 && type <= 161)
            return 255; /* SEND, MLDv2, mobile IPv6, RPL, ...: codes per their RFCs */
        return -1;
    }
}

static bool is_mld(uint8_t type)
{
    return (type >= 130 && type <= 132) || type == 143;
}

static void quoted_ipv6(struct cn_decode_ctx *ctx, struct cn_packet *p, struct cn_cursor c)
{
    struct cn_icmp_info *ic = &p->icmp;
    cn_cur_skip(&c, 4); /* unused / MTU / pointer */
    if (cn_cur_left(&c) < 40) {
        CN_DEC_EVENT(ctx, p, ICMPV6_IPV6_TRUNC_PKT);
        return;
    }
    if (cn_cur_u8(&c) >> 4 != 6) {
        CN_DEC_EVENT(ctx, p, ICMPV6_IPV6_UNKNOWN_VER);
        return;
    }
    cn_cur_skip(&c, 5);
    ic->quoted_proto = cn_cur_u8(&c);
    cn_cur_skip(&c, 1);
    memcpy(ic->quoted_src.b, cn_cur_bytes(&c, 16), 16);
    memcpy(ic->quoted_dst.b, cn_cur_bytes(&c, 16), 16);
    ic->has_quoted = true;
    if (ic->quoted_proto == 6 || ic->quoted_proto == 17) {
        uint16_t sp = cn_cur_be16(&c);
        uint16_t dp = cn_cur_be16(&c);
        if (cn_cur_ok(&c)) {
            ic->quoted_sp = sp;
            ic->quoted_dp = dp;
        }
    }
}

static bool icmpv6_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                          uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_ICMPV6);
    if (len < ICMPV6_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, ICMPV6_PKT_TOO_SMALL);
        return true;
    }
    p->icmp = (struct cn_icmp_info){0};
    struct cn_icmp_info *ic = &p->icmp;
    ic->type = cn_cur_u8(&c);
    ic->code = cn_cur_u8(&c);
    cn_cur_skip(&c, 2);
    p->flags |= CN_PKT_ICMPV6;
    p->l4 = data;
    p->l4_len = len;
    p->payload = data + ICMPV6_HDR_LEN;
    p->payload_len = len - ICMPV6_HDR_LEN;

    uint8_t t = ic->type;
    int mc = max_code(t);
    if (t == 100 || t == 101 || t == 200 || t == 201)
        CN_DEC_EVENT(ctx, p, ICMPV6_EXPERIMENTATION_TYPE);
    else if (mc < 0 && t != 127 && t != 255)
        CN_DEC_EVENT(ctx, p, ICMPV6_UNASSIGNED_TYPE);
    else if (mc < 0)
        CN_DEC_EVENT(ctx, p, ICMPV6_UNKNOWN_TYPE);
    else if (ic->code > mc)
        CN_DEC_EVENT(ctx, p, ICMPV6_UNKNOWN_CODE);

    if (t == 128 || t == 129) {
        struct cn_cursor e = c;
        uint16_t id = cn_cur_be16(&e);
        uint16_t seq = cn_cur_be16(&e);
        if (cn_cur_ok(&e)) {
            ic->id = id;
            ic->seq = seq;
        }
    } else if (t >= 1 && t <= 4) {
        quoted_ipv6(ctx, p, c);
    }
    if (is_mld(t) && p->ttl != 1)
        CN_DEC_EVENT(ctx, p, ICMPV6_MLD_MESSAGE_WITH_INVALID_HL);
    if (cn_dec_csum_enabled(ctx))
        cn_dec_csum_result(ctx, p, CN_PKT_L4_CSUM_BAD, cn_csum_l4_ok(p, 58, data, len));
    return true;
}

const struct cn_layer cn_layer_icmpv6 = {
    .name = "icmpv6",
    .decode = icmpv6_decode,
};
