/* ipv6: the IPv6 header (RFC 8200 section 3), its extension headers (section 4: hop-by-hop,
 * routing, fragment, destination options, AH (RFC 4302), ESP (RFC 4303: the last header, read
 * by esp.c), no next header) with Suricata's anomaly events, fragments handed to defrag, and
 * IPv6-in-IP tunnels (protocol 41, RFC 2473 / RFC 4213) inside IPv4 or IPv6. */
#include "decode/decode_int.h"

#define IPV6_HDR_LEN 40

enum {
    NH_HOP = 0,
    NH_ICMPV4 = 1,
    NH_RH = 43,
    NH_FH = 44,
    NH_ESP = 50,
    NH_AH = 51,
    NH_NONE = 59,
    NH_DST = 60,
    NH_MH = 135,
    NH_HIP = 139,
    NH_SHIM6 = 140,
};

/* Walks the TLV options of a hop-by-hop or destination options header (RFC 8200 4.2). */
static void ext_options(struct cn_decode_ctx *ctx, struct cn_packet *p, struct cn_cursor *o,
                        bool hop)
{
    bool only_pad = true;
    while (cn_cur_left(o) > 0) {
        uint8_t type = cn_cur_u8(o);
        if (type == 0) /* Pad1 */
            continue;
        uint8_t olen = cn_cur_u8(o);
        if (!cn_cur_ok(o) || olen > cn_cur_left(o)) {
            CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_INVALID_OPTLEN);
            return;
        }
        cn_cur_skip(o, olen);
        switch (type) {
        case 1: /* PadN */
            if (olen == 0)
                CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_ZERO_LEN_PADN);
            continue;
        case 0x05: /* router alert, RFC 2711 */
        case 0xc2: /* jumbo payload, RFC 2675 */
        case 0xc9: /* home address, RFC 6275 */
        case 0x04: /* tunnel encapsulation limit, RFC 2473 */
        case 0x26: /* quick-start, RFC 4782 */
        case 0x63: /* RPL, RFC 6553 */
        case 0x6d: /* MPL, RFC 7731 */
        case 0x8b: /* ILNP nonce, RFC 6744 */
        case 0x8c: /* line identification, RFC 6788 */
        case 0x07: /* CALIPSO, RFC 5570 */
        case 0x08: /* SMF_DPD, RFC 7731 */
        case 0x31: /* IOAM, RFC 9486 */
            only_pad = false;
            continue;
        default:
            only_pad = false;
            if (hop)
                CN_DEC_EVENT(ctx, p, IPV6_HOPOPTS_UNKNOWN_OPT);
            else
                CN_DEC_EVENT(ctx, p, IPV6_DSTOPTS_UNKNOWN_OPT);
            continue;
        }
    }
    if (only_pad) {
        if (hop)
            CN_DEC_EVENT(ctx, p, IPV6_HOPOPTS_ONLY_PADDING);
        else
            CN_DEC_EVENT(ctx, p, IPV6_DSTOPTS_ONLY_PADDING);
    }
}

/* IPv6 carried in IP (protocol 41). Returns false to stop. */
static bool ip_in_ip(struct cn_decode_ctx *ctx, struct cn_packet *p, struct cn_cursor c)
{
    if (p->ip_ver != 6) {
        cn_dec_stat(ctx, CN_STAT_DECODER_IPV6_IN_IPV4);
        return true;
    }
    cn_dec_stat(ctx, CN_STAT_DECODER_IPV6_IN_IPV6);
    if (cn_cur_left(&c) < IPV6_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, IPV6_IN_IPV6_PKT_TOO_SMALL);
        return false;
    }
    if (cn_cur_u8(&c) >> 4 != 6) {
        CN_DEC_EVENT(ctx, p, IPV6_IN_IPV6_WRONG_IP_VER);
        return false;
    }
    return true;
}

/* The length byte of the extension header at the cursor, without consuming it. */
static uint8_t peek_len(const struct cn_cursor *c)
{
    struct cn_cursor p = *c;
    cn_cur_skip(&p, 1);
    return cn_cur_u8(&p);
}

struct frag_info {
    bool seen;
    uint32_t fh_off, nh_off;
};

/* Walks the extension header chain of p->l3. Returns false when decoding stops here (no
 * transport layer); sets *fi for a fragment. */
static bool ext_headers(struct cn_decode_ctx *ctx, struct cn_packet *p, struct frag_info *fi)
{
    struct cn_cursor c = cn_cursor_init(p->l3, p->l3_len);
    cn_cur_skip(&c, IPV6_HDR_LEN);
    struct cn_cursor hdr = cn_cursor_init(p->l3, p->l3_len);
    cn_cur_skip(&hdr, 6);
    uint8_t nh = cn_cur_u8(&hdr);
    uint32_t nh_off = 6;
    uint32_t seen = 0;
    bool dst_since_rh = false;

    for (;;) {
        uint32_t off = (uint32_t)c.off;
        size_t left = cn_cur_left(&c);
        uint32_t hdr_len;

        /* Like Suricata: any header, transport ones included, needs two bytes. */
        if (nh != NH_NONE && left < 2) {
            CN_DEC_INVALID(ctx, p, IPV6_TRUNC_EXTHDR);
            goto out_stop;
        }
        switch (nh) {
        case NH_HOP:
        case NH_DST:
        case NH_RH:
        case NH_MH:
        case NH_HIP:
        case NH_SHIM6: {
            if (left < 8 || (hdr_len = (peek_len(&c) + 1u) * 8) > left) {
                CN_DEC_INVALID(ctx, p, IPV6_TRUNC_EXTHDR);
                goto out_stop;
            }
            struct cn_cursor h = cn_cursor_sub(&c, hdr_len);
            uint8_t next = cn_cur_u8(&h);
            cn_cur_skip(&h, 1);
            if (nh == NH_HOP) {
                if (seen & CN_IPV6_EXT_HOP)
                    CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_DUPL_HH);
                seen |= CN_IPV6_EXT_HOP;
                ext_options(ctx, p, &h, true);
            } else if (nh == NH_DST) {
                /* Allowed twice: before a routing header and at the end (RFC 8200 4.1). */
                if (dst_since_rh)
                    CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_DUPL_DH);
                dst_since_rh = true;
                seen |= CN_IPV6_EXT_DST;
                ext_options(ctx, p, &h, false);
            } else if (nh == NH_RH) {
                if (seen & CN_IPV6_EXT_RH)
                    CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_DUPL_RH);
                seen |= CN_IPV6_EXT_RH;
                dst_since_rh = false;
                if (cn_cur_u8(&h) == 0) /* type 0, deprecated by RFC 5095 */
                    CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_RH_TYPE_0);
            } else {
                seen |= CN_IPV6_EXT_MH;
            }
            nh_off = off;
            nh = next;
            continue;
        }
        case NH_FH: {
            if (left < 8) {
                CN_DEC_INVALID(ctx, p, IPV6_TRUNC_EXTHDR);
                goto out_stop;
            }
            uint32_t fh_off = off;
            uint8_t next = cn_cur_u8(&c);
            uint8_t reserved = cn_cur_u8(&c);
            uint16_t offm = cn_cur_be16(&c);
            uint32_t id = cn_cur_be32(&c);
            if (seen & CN_IPV6_EXT_FH) {
                CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_DUPL_FH);
                /* A second fragment header makes the datagram unreassemblable. */
                nh = next;
                goto out_stop;
            }
            seen |= CN_IPV6_EXT_FH;
            if (reserved != 0 || (offm & 0x0006))
                CN_DEC_EVENT(ctx, p, IPV6_FH_NON_ZERO_RES_FIELD);
            uint16_t foff = offm >> 3;
            bool mf = offm & 1;
            if (foff == 0 && !mf) {
                /* An atomic fragment (RFC 6946): just skip the header. */
                CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_USELESS_FH);
                nh_off = fh_off;
                nh = next;
                continue;
            }
            p->frag_off = foff;
            p->frag_mf = mf;
            p->ip_id = (uint16_t)id;
            fi->seen = true;
            fi->fh_off = fh_off;
            fi->nh_off = nh_off;
            /* Later headers of the first fragment are part of the payload to reassemble. */
            nh = next;
            goto out_stop;
        }
        case NH_AH: {
            if (left < 12 || (hdr_len = (peek_len(&c) + 2u) * 4) > left) {
                CN_DEC_INVALID(ctx, p, IPV6_TRUNC_EXTHDR);
                goto out_stop;
            }
            struct cn_cursor h = cn_cursor_sub(&c, hdr_len);
            uint8_t next = cn_cur_u8(&h);
            cn_cur_skip(&h, 1);
            if (cn_cur_be16(&h) != 0)
                CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_AH_RES_NOT_NULL);
            if (seen & CN_IPV6_EXT_AH)
                CN_DEC_EVENT(ctx, p, IPV6_EXTHDR_DUPL_AH);
            seen |= CN_IPV6_EXT_AH;
            nh_off = off;
            nh = next;
            continue;
        }
        case NH_ESP:
            /* the last header: the ESP layer reads it, as Suricata's DecodeESP does */
            seen |= CN_IPV6_EXT_ESP;
            p->proto = nh;
            p->ip_hlen = (uint16_t)off;
            p->ipv6_exthdrs = seen;
            return true;
        case NH_NONE:
            seen |= CN_IPV6_EXT_NONE;
            if (left > 0)
                CN_DEC_EVENT(ctx, p, IPV6_DATA_AFTER_NONE_HEADER);
            goto out_stop;
        default:
            p->proto = nh;
            p->ip_hlen = (uint16_t)off;
            p->ipv6_exthdrs = seen;
            return true;
        }
    }

out_stop:
    p->proto = nh;
    p->ip_hlen = (uint16_t)c.off;
    p->ipv6_exthdrs = seen;
    return false;
}

static bool ipv6_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    if (ctx->via == CN_VIA_IPPROTO && !ip_in_ip(ctx, p, c))
        return true;
    if (p->ip_ver)
        cn_dec_tunnel_enter(ctx, p);
    cn_dec_stat(ctx, CN_STAT_DECODER_IPV6);

    if (len < IPV6_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, IPV6_PKT_TOO_SMALL);
        return true;
    }
    uint32_t w0 = cn_cur_be32(&c);
    if (w0 >> 28 != 6) {
        CN_DEC_INVALID(ctx, p, IPV6_WRONG_IP_VER);
        return true;
    }
    uint16_t plen = cn_cur_be16(&c);
    if (IPV6_HDR_LEN + (uint32_t)plen > len) {
        CN_DEC_INVALID(ctx, p, IPV6_TRUNC_PKT);
        p->flags |= CN_PKT_TRUNCATED;
        return true;
    }
    cn_cur_skip(&c, 1); /* next header: ext_headers() reads it */
    p->ttl = cn_cur_u8(&c);
    memcpy(p->src.b, cn_cur_bytes(&c, 16), 16);
    memcpy(p->dst.b, cn_cur_bytes(&c, 16), 16);
    p->tos = (uint8_t)(w0 >> 20);
    p->ipv6_flow_label = w0 & 0xfffff;
    p->ip_ver = 6;
    p->flags |= CN_PKT_IPV6;
    p->l3 = data;
    p->l3_len = IPV6_HDR_LEN + plen;

    struct frag_info fi = {0};
    if (!ext_headers(ctx, p, &fi)) {
        if (fi.seen) {
            p->flags |= CN_PKT_FRAGMENT;
            if (ctx->cfg.defrag_enabled && !ctx->in_rebuilt)
                cn_defrag_ipv6(ctx, p, fi.fh_off, fi.nh_off);
        }
        return true;
    }
    const uint8_t *l4 = data + p->ip_hlen;
    uint32_t l4_len = p->l3_len - p->ip_hlen;
    if (p->proto == NH_ICMPV4) {
        CN_DEC_EVENT(ctx, p, IPV6_WITH_ICMPV4);
        return true;
    }
    if (!cn_dec_ipproto(ctx, p, p->proto, l4, l4_len) && !cn_dec_ipproto_known(ctx, p->proto))
        CN_DEC_EVENT(ctx, p, IPV6_UNKNOWN_NEXT_HEADER);
    return true;
}

const struct cn_layer cn_layer_ipv6 = {
    .name = "ipv6",
    .decode = ipv6_decode,
};
