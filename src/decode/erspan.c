/* erspan: Encapsulated Remote SPAN, mirrored Ethernet frames carried in GRE
 * (draft-foschiano-erspan-03). GRE protocol 0x88BE is type I when the GRE header has no
 * sequence number (no ERSPAN header: the frame follows GRE) and type II otherwise (section 4.2:
 * an 8-byte header, version 1); 0x22EB is type III (section 4.3: a 12-byte header, version 2,
 * then an 8-byte platform-specific subheader when its O flag is set). Types II and III start
 * with a 4-bit version and the mirrored frame's 12-bit VLAN; a non-zero VLAN becomes one of
 * the packet's VLAN ids, as Suricata does. Suricata 7 decodes types I and II only; type III
 * follows the draft the same way. Only GRE hands bytes to ERSPAN: the ethertypes reached any
 * other way are unknown, as in Suricata. */
#include "decode/decode_int.h"

#define ERSPAN_GRE_S     0x10 /* GRE flag byte: sequence number present */
#define ERSPAN2_HDR_LEN  8
#define ERSPAN3_HDR_LEN  12
#define ERSPAN3_PLAT_LEN 8
#define ERSPAN3_FLAG_O   0x01 /* last header byte: platform-specific subheader follows */
#define ERSPAN2_VERSION  1
#define ERSPAN3_VERSION  2

/* False, and the unknown-ethertype anomaly, when GRE did not hand over these bytes. */
static bool from_gre(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data)
{
    if (ctx->gre_payload == data)
        return true;
    cn_dec_stat(ctx, CN_STAT_DECODER_UNKNOWN_ETHERTYPE);
    CN_DEC_EVENT(ctx, p, ETHERNET_UNKNOWN_ETHERTYPE);
    return false;
}

/* Types II and III: checks the header and its version, takes the VLAN, decodes the frame.
 * The anomalies are events only (Suricata does not mark the packet invalid for them). */
static void erspan_hdr(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                       uint32_t len, uint32_t hlen, unsigned version)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    uint16_t ver_vlan = cn_cur_be16(&c);
    if (len < hlen) {
        CN_DEC_EVENT(ctx, p, ERSPAN_HEADER_TOO_SMALL);
        return;
    }
    if ((unsigned)(ver_vlan >> 12) != version) {
        CN_DEC_EVENT(ctx, p, ERSPAN_UNSUPPORTED_VERSION);
        return;
    }
    uint16_t vlan = ver_vlan & 0x0fff;
    if (vlan != 0) {
        if (p->vlan_n >= CN_PKT_MAX_VLANS) {
            CN_DEC_EVENT(ctx, p, ERSPAN_TOO_MANY_VLAN_LAYERS);
            return;
        }
        p->vlan[p->vlan_n++] = vlan;
    }
    cn_dec_layer(ctx, p, CN_LID_ethernet, CN_VIA_ETHERTYPE, data + hlen, len - hlen);
}

static bool erspan_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                          uint32_t len)
{
    if (!from_gre(ctx, p, data))
        return false;
    cn_dec_stat(ctx, CN_STAT_DECODER_ERSPAN);
    if (ctx->gre_flags & ERSPAN_GRE_S)
        erspan_hdr(ctx, p, data, len, ERSPAN2_HDR_LEN, ERSPAN2_VERSION);
    else /* type I */
        cn_dec_layer(ctx, p, CN_LID_ethernet, CN_VIA_ETHERTYPE, data, len);
    return true;
}

static bool erspan3_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                           uint32_t len)
{
    if (!from_gre(ctx, p, data))
        return false;
    cn_dec_stat(ctx, CN_STAT_DECODER_ERSPAN);
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_cur_skip(&c, ERSPAN3_HDR_LEN - 1);
    uint8_t last = cn_cur_u8(&c); /* 0 when short: erspan_hdr reports that */
    uint32_t hlen = ERSPAN3_HDR_LEN + ((last & ERSPAN3_FLAG_O) ? ERSPAN3_PLAT_LEN : 0);
    erspan_hdr(ctx, p, data, len, hlen, ERSPAN3_VERSION);
    return true;
}

const struct cn_layer cn_layer_erspan = {
    .name = "erspan",
    .decode = erspan_decode,
};

const struct cn_layer cn_layer_erspan3 = {
    .name = "erspan3",
    .decode = erspan3_decode,
};
