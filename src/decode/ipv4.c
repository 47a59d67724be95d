/* ipv4: the IPv4 header (RFC 791 section 3.1) and its options, fragments handed to defrag,
 * and IPv4-in-IP tunnels (protocol 4, RFC 2003) inside IPv4 or IPv6. Header checks follow
 * Suricata's order: too small, version, header length, total length, truncation. Options are
 * validated one by one and recorded as enum cn_ipv4_opt bits for the `ipopts` keyword. */
#include "decode/decode_int.h"

#define IPV4_HDR_LEN 20

enum {
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_RR = 7,
    OPT_QS = 25,
    OPT_TS = 68,
    OPT_SEC = 130,
    OPT_LSRR = 131,
    OPT_ESEC = 133,
    OPT_CIPSO = 134,
    OPT_SID = 136,
    OPT_SSRR = 137,
    OPT_RTRALT = 148,
};

static uint32_t opt_bit(uint8_t type)
{
    switch (type) {
    case OPT_RR:
        return CN_IPV4_OPT_RR;
    case OPT_QS:
        return CN_IPV4_OPT_QS;
    case OPT_TS:
        return CN_IPV4_OPT_TS;
    case OPT_SEC:
        return CN_IPV4_OPT_SEC;
    case OPT_LSRR:
        return CN_IPV4_OPT_LSRR;
    case OPT_ESEC:
        return CN_IPV4_OPT_ESEC;
    case OPT_CIPSO:
        return CN_IPV4_OPT_CIPSO;
    case OPT_SID:
        return CN_IPV4_OPT_SATID;
    case OPT_SSRR:
        return CN_IPV4_OPT_SSRR;
    case OPT_RTRALT:
        return CN_IPV4_OPT_RTRALT;
    default:
        return 0;
    }
}

/* Route options (RFC 791 3.1): a 1-based pointer at least 4, on an address boundary, at most
 * one past the end. */
static enum cn_event_id check_route(uint8_t olen, struct cn_cursor *b)
{
    if (olen < 3)
        return CN_EV_IPV4_OPT_INVALID_LEN;
    uint8_t ptr = cn_cur_u8(b);
    if (ptr < 4 || ptr % 4 || ptr > olen + 1)
        return CN_EV_IPV4_OPT_MALFORMED;
    return CN_EV_NONE;
}

/* Timestamp (RFC 791 3.1, "Internet Timestamp"): records of 4 bytes, or 8 with addresses
 * (flags 1 and 3). */
static enum cn_event_id check_timestamp(uint8_t olen, struct cn_cursor *b)
{
    if (olen < 5)
        return CN_EV_IPV4_OPT_INVALID_LEN;
    uint8_t ptr = cn_cur_u8(b);
    uint8_t flag = cn_cur_u8(b) & 0x0f;
    if (!cn_cur_ok(b) || ptr < 5)
        return CN_EV_IPV4_OPT_MALFORMED;
    unsigned rec = (flag == 1 || flag == 3) ? 8 : 4;
    if ((ptr - 5) % rec || ptr > olen + 1)
        return CN_EV_IPV4_OPT_MALFORMED;
    return CN_EV_NONE;
}

/* CIPSO (draft-ietf-cipso-ipsecurity-01, FIPS 188): a 4-byte DOI then tags. */
static enum cn_event_id check_cipso(uint8_t olen, struct cn_cursor *b)
{
    if (olen < 10)
        return CN_EV_IPV4_OPT_INVALID_LEN;
    cn_cur_skip(b, 4);
    while (cn_cur_left(b) > 0) {
        size_t left = cn_cur_left(b);
        if (left < 2)
            return CN_EV_IPV4_OPT_MALFORMED;
        uint8_t ttype = cn_cur_u8(b);
        uint8_t tlen = cn_cur_u8(b);
        if (tlen > left)
            return CN_EV_IPV4_OPT_MALFORMED;
        switch (ttype) {
        case 1:
        case 2:
        case 5:
        case 6:
        case 7:
            if (tlen < 4)
                return CN_EV_IPV4_OPT_MALFORMED;
            /* the alignment octet is zero, except in tag 7 which has none */
            if (ttype != 7 && cn_cur_ptr(b)[0] != 0)
                return CN_EV_IPV4_OPT_MALFORMED;
            cn_cur_skip(b, tlen - 2u);
            break;
        default:
            return CN_EV_IPV4_OPT_MALFORMED;
        }
    }
    return CN_EV_NONE;
}

static enum cn_event_id check_option(uint8_t type, uint8_t olen, struct cn_cursor *b)
{
    switch (type) {
    case OPT_RR:
    case OPT_LSRR:
    case OPT_SSRR:
        return check_route(olen, b);
    case OPT_TS:
        return check_timestamp(olen, b);
    case OPT_CIPSO:
        return check_cipso(olen, b);
    case OPT_QS: /* RFC 4782 section 4.1 */
        return olen < 8 ? CN_EV_IPV4_OPT_INVALID_LEN : CN_EV_NONE;
    case OPT_SEC: /* RFC 1108: variable length, at least type, length and level */
    case OPT_ESEC:
        return olen < 3 ? CN_EV_IPV4_OPT_INVALID_LEN : CN_EV_NONE;
    case OPT_SID:
    case OPT_RTRALT: /* RFC 2113 */
        return olen != 4 ? CN_EV_IPV4_OPT_INVALID_LEN : CN_EV_NONE;
    default:
        return CN_EV_IPV4_OPT_UNKNOWN;
    }
}

static void opt_event(struct cn_decode_ctx *ctx, struct cn_packet *p, enum cn_event_id ev)
{
    switch (ev) {
    case CN_EV_IPV4_OPT_INVALID_LEN:
        CN_DEC_INVALID(ctx, p, IPV4_OPT_INVALID_LEN);
        break;
    case CN_EV_IPV4_OPT_MALFORMED:
        CN_DEC_INVALID(ctx, p, IPV4_OPT_MALFORMED);
        break;
    default:
        CN_DEC_INVALID(ctx, p, IPV4_OPT_UNKNOWN);
        break;
    }
}

/* Returns false when an option is malformed (the packet is then invalid). */
static bool decode_options(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *opts,
                           uint32_t n)
{
    struct cn_cursor c = cn_cursor_init(opts, n);
    uint32_t seen = 0;
    bool ok = true;

    /* Suricata wants the options padded to 8 bytes; it only warns. */
    if (n % 8)
        CN_DEC_EVENT(ctx, p, IPV4_OPT_PAD_REQUIRED);
    while (cn_cur_left(&c) > 0) {
        uint8_t type = cn_cur_u8(&c);
        if (type == OPT_EOL) {
            seen |= CN_IPV4_OPT_EOL;
            break;
        }
        if (type == OPT_NOP) {
            seen |= CN_IPV4_OPT_NOP;
            continue;
        }
        if (cn_cur_left(&c) < 1) {
            /* a lone type byte where padding should be: EOL was needed */
            CN_DEC_EVENT(ctx, p, IPV4_OPT_EOL_REQUIRED);
            break;
        }
        uint8_t olen = cn_cur_u8(&c);
        if (olen < 2 || olen - 2u > cn_cur_left(&c)) {
            CN_DEC_INVALID(ctx, p, IPV4_OPT_INVALID_LEN);
            ok = false;
            break;
        }
        struct cn_cursor body = cn_cursor_sub(&c, olen - 2u);
        uint32_t bit = opt_bit(type);
        if (!bit) {
            CN_DEC_EVENT(ctx, p, IPV4_OPT_INVALID);
            continue;
        }
        if (seen & bit) {
            CN_DEC_EVENT(ctx, p, IPV4_OPT_DUPLICATE);
            continue;
        }
        enum cn_event_id ev = check_option(type, olen, &body);
        if (ev != CN_EV_NONE) {
            opt_event(ctx, p, ev);
            ok = false;
            break;
        }
        seen |= bit;
    }
    p->ipv4_opts = seen ? seen | CN_IPV4_OPT_ANY : 0;
    return ok;
}

/* IPv4 carried in IP (protocol 4): counted per outer family; inside IPv6 the inner header is
 * checked first, as Suricata does. Returns false to stop. */
static bool ip_in_ip(struct cn_decode_ctx *ctx, struct cn_packet *p, struct cn_cursor c)
{
    if (p->ip_ver != 6) {
        cn_dec_stat(ctx, CN_STAT_DECODER_IPV4_IN_IPV4);
        return true;
    }
    cn_dec_stat(ctx, CN_STAT_DECODER_IPV4_IN_IPV6);
    if (cn_cur_left(&c) < IPV4_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, IPV4_IN_IPV6_PKT_TOO_SMALL);
        return false;
    }
    if (cn_cur_u8(&c) >> 4 != 4) {
        CN_DEC_EVENT(ctx, p, IPV4_IN_IPV6_WRONG_IP_VER);
        return false;
    }
    return true;
}

static bool ipv4_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    if (ctx->via == CN_VIA_IPPROTO && !ip_in_ip(ctx, p, c))
        return true;
    if (p->ip_ver)
        cn_dec_tunnel_enter(ctx, p);
    cn_dec_stat(ctx, CN_STAT_DECODER_IPV4);

    if (len < IPV4_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, IPV4_PKT_TOO_SMALL);
        return true;
    }
    uint8_t vhl = cn_cur_u8(&c);
    if (vhl >> 4 != 4) {
        CN_DEC_INVALID(ctx, p, IPV4_WRONG_IP_VER);
        return true;
    }
    uint32_t hlen = (vhl & 0x0fu) * 4;
    if (hlen < IPV4_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, IPV4_HLEN_TOO_SMALL);
        return true;
    }
    uint8_t tos = cn_cur_u8(&c);
    uint16_t iplen = cn_cur_be16(&c);
    if (iplen < hlen) {
        CN_DEC_INVALID(ctx, p, IPV4_IPLEN_SMALLER_THAN_HLEN);
        return true;
    }
    if (len < iplen) {
        CN_DEC_INVALID(ctx, p, IPV4_TRUNC_PKT);
        p->flags |= CN_PKT_TRUNCATED;
        return true;
    }
    p->ip_id = cn_cur_be16(&c);
    uint16_t frag = cn_cur_be16(&c);
    p->ttl = cn_cur_u8(&c);
    p->proto = cn_cur_u8(&c);
    cn_cur_skip(&c, 2); /* checksum */
    memcpy(p->src.b, cn_cur_bytes(&c, 4), 4);
    memcpy(p->dst.b, cn_cur_bytes(&c, 4), 4);

    p->ip_ver = 4;
    p->flags |= CN_PKT_IPV4;
    p->tos = tos;
    p->l3 = data;
    p->l3_len = iplen;
    p->ip_hlen = (uint16_t)hlen;
    p->frag_rf = frag & 0x8000;
    p->frag_df = frag & 0x4000;
    p->frag_mf = frag & 0x2000;
    p->frag_off = frag & 0x1fff;

    if (cn_dec_csum_enabled(ctx))
        cn_dec_csum_result(ctx, p, CN_PKT_IPV4_CSUM_BAD, cn_csum_ipv4_hdr_ok(data, hlen));
    if (hlen > IPV4_HDR_LEN && !decode_options(ctx, p, data + IPV4_HDR_LEN, hlen - IPV4_HDR_LEN))
        return true;

    if (p->frag_off || p->frag_mf) {
        /* No transport header for fragments: the rebuilt datagram gets it. */
        p->flags |= CN_PKT_FRAGMENT;
        if (ctx->cfg.defrag_enabled && !ctx->in_rebuilt)
            cn_defrag_ipv4(ctx, p);
        return true;
    }
    if (p->proto == 58) {
        CN_DEC_EVENT(ctx, p, IPV4_WITH_ICMPV6);
        return true;
    }
    cn_dec_ipproto(ctx, p, p->proto, data + hlen, iplen - hlen);
    return true;
}

const struct cn_layer cn_layer_ipv4 = {
    .name = "ipv4",
    .decode = ipv4_decode,
};
