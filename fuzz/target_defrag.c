/* Fuzz target for defrag: the input is cut into fragment records fed to one context per
 * overlap policy (byte 0 picks it). Each record is
 *   flags(1) offset(1, in 8-byte units) length(1) data(length)
 * flags: bit 0 IPv6, bit 1 more-fragments, bits 2-3 datagram id, bit 4 send the record's
 * bytes as a raw IP frame instead, bits 5-7 time step. The IP headers are built here so the
 * reassembly paths, not header parsing, get the mutations. Trackers are flushed at the end
 * through cn_decode_timeout(). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

int cn_fuzz_defrag(const uint8_t *d, size_t n);

static size_t build(uint8_t *out, uint8_t flags, uint8_t off, const uint8_t *data, uint8_t len)
{
    bool more = flags & 2;
    uint8_t id = (flags >> 2) & 3;
    size_t h;
    if (!(flags & 1)) {
        static const uint8_t v4[20] = {0x45, 0, 0,  0, 0, 0, 0,  0, 64, 17,
                                       0,    0, 10, 0, 0, 1, 10, 0, 0,  2};
        memcpy(out, v4, 20);
        size_t tot = 20u + len;
        out[2] = (uint8_t)(tot >> 8);
        out[3] = (uint8_t)tot;
        out[5] = id;
        uint16_t fo = (uint16_t)((more ? 0x2000 : 0) | off);
        out[6] = (uint8_t)(fo >> 8);
        out[7] = (uint8_t)fo;
        h = 20;
    } else {
        memset(out, 0, 48);
        out[0] = 0x60;
        size_t plen = 8u + len;
        out[4] = (uint8_t)(plen >> 8);
        out[5] = (uint8_t)plen;
        out[6] = 44;
        out[7] = 64;
        out[23] = 1;
        out[39] = 2;
        out[40] = 17;
        uint16_t fo = (uint16_t)((off << 3) | (more ? 1 : 0));
        out[42] = (uint8_t)(fo >> 8);
        out[43] = (uint8_t)fo;
        out[47] = id;
        h = 48;
    }
    memcpy(out + h, data, len);
    return h + len;
}

int cn_fuzz_defrag(const uint8_t *d, size_t n)
{
    static struct cn_stats stats;
    static struct cn_decode_ctx *ctxs[6];
    static struct cn_packet p;
    if (n < 1)
        return 0;
    unsigned pol = d[0] % 6;
    if (!ctxs[pol]) {
        struct cn_decode_config cfg;
        cn_decode_config_defaults(&cfg);
        cfg.defrag_policy = (enum cn_defrag_policy)pol;
        cfg.defrag_memcap = 64 * 1024;
        cfg.defrag_trackers = 8;
        cfg.defrag_max_frags = 256;
        cfg.checksum = CN_CSUM_ALL;
        ctxs[pol] = cn_decode_ctx_new(&cfg, &stats);
        if (!ctxs[pol])
            abort();
    }
    struct cn_decode_ctx *ctx = ctxs[pol];
    cn_time_t ts = 1000 * CN_USEC;
    size_t i = 1;
    while (i + 3 <= n) {
        uint8_t flags = d[i], off = d[i + 1], len = d[i + 2];
        i += 3;
        if (len > n - i)
            len = (uint8_t)(n - i);
        uint8_t *frame = malloc(48u + len + 1);
        if (!frame)
            return 0;
        struct cn_frame f = {.ts = ts, .pcap_cnt = i};
        if (flags & 0x10) {
            memcpy(frame, d + i, len);
            f.caplen = len;
            f.linktype = CN_LINK_RAW;
        } else {
            f.caplen = (uint32_t)build(frame, flags, off, d + i, len);
            f.linktype = (flags & 1) ? CN_LINK_IPV6 : CN_LINK_IPV4;
        }
        f.wirelen = f.caplen;
        f.data = frame;
        cn_decode_frame(ctx, &f, &p);
        for (struct cn_packet *r; (r = cn_decode_next_rebuilt(ctx));)
            (void)r->payload_len;
        free(frame);
        i += len;
        ts += (cn_time_t)(flags >> 5) * 20 * CN_USEC;
    }
    cn_decode_timeout(ctx, ts + 3600 * CN_USEC);
    return 0;
}
