/* esp: the Encapsulating Security Payload header (RFC 4303 section 2): security parameters
 * index and sequence number, 8 bytes. Everything after it is encrypted, so decoding ends
 * here; the SPI joins the flow key, as in Suricata 7, where each SPI (one per direction of a
 * security association) is a flow of its own. */
#include "decode/decode_int.h"

#define ESP_HDR_LEN 8

static bool esp_decode(struct cn_decode_ctx *ctx, struct cn_packet *p, const uint8_t *data,
                       uint32_t len)
{
    struct cn_cursor c = cn_cursor_init(data, len);
    cn_dec_stat(ctx, CN_STAT_DECODER_ESP);
    if (len < ESP_HDR_LEN) {
        CN_DEC_INVALID(ctx, p, ESP_PKT_TOO_SMALL);
        return true;
    }
    p->esp.spi = cn_cur_be32(&c);
    p->esp.seq = cn_cur_be32(&c);
    /* l4 set marks the header as decoded (the flow key needs the SPI) */
    p->l4 = data;
    p->l4_len = len;
    p->payload = data + ESP_HDR_LEN;
    p->payload_len = len - ESP_HDR_LEN;
    return true;
}

const struct cn_layer cn_layer_esp = {
    .name = "esp",
    .decode = esp_decode,
};
