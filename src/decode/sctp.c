/* sctp: the SCTP common header (RFC 4960 section 3.1): source port, destination port,
 * verification tag and CRC32c checksum, 12 bytes. As in Suricata 7, only this header is read:
 * the ports key the flow like TCP and UDP, the chunks after it are the payload, and the
 * checksum is not verified. */
#include "decode/decode_int.h"

#define SCTP_HDR_LEN 12

static bool sctp_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                        uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_SCTP);
    if (len < SCTP_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, SCTP_PKT_TOO_SMALL);
        return true;
    }
    p->sp = cn_cur_be16(&c);
    p->dp = cn_cur_be16(&c);
    /* l4 set marks the header as decoded: flow keying, EVE and rule ports test it */
    p->l4 = data;
    p->l4_len = len;
    p->payload = data + SCTP_HDR_LEN;
    p->payload_len = len - SCTP_HDR_LEN;
    return true;
}

const struct cn_layer cn_layer_sctp = {
    .name = "sctp",
    .decode = sctp_decode,
};
