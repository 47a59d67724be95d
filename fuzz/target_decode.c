/* Fuzz target for the decoder: the first byte picks a supported link type, the rest is the
 * frame. One context, made on first use, decodes every input; rebuilt datagrams are drained
 * and fragment trackers flushed after each input so runs are reproducible. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

int cn_fuzz_decode(const uint8_t *d, size_t n);

static const int linktypes[] = {
    CN_LINK_ETHERNET, CN_LINK_SLL,  CN_LINK_SLL2, CN_LINK_NULL,    CN_LINK_LOOP,
    CN_LINK_RAW,      CN_LINK_IPV4, CN_LINK_IPV6, CN_LINK_DLT_RAW, CN_LINK_DLT_RAW14,
};

int cn_fuzz_decode(const uint8_t *d, size_t n)
{
    static struct cn_stats stats;
    static struct cn_decode_ctx *ctx;
    static struct cn_packet p;
    static uint64_t cnt;
    if (!ctx) {
        struct cn_decode_config cfg;
        cn_decode_config_defaults(&cfg);
        cfg.checksum = CN_CSUM_ALL;
        cfg.defrag_memcap = 1 << 20;
        cfg.defrag_trackers = 64;
        ctx = cn_decode_ctx_new(&cfg, &stats);
        if (!ctx)
            abort();
    }
    if (n < 1 || n > 65536 + 1)
        return 0;
    /* a private copy sized exactly, so sanitizers see any read past the frame */
    uint8_t *frame = malloc(n - 1 ? n - 1 : 1);
    if (!frame)
        return 0;
    memcpy(frame, d + 1, n - 1);
    cnt++;
    struct cn_frame f = {
        .data = frame,
        .caplen = (uint32_t)(n - 1),
        .wirelen = (uint32_t)(n - 1),
        .ts = cnt * CN_USEC,
        .linktype = linktypes[d[0] % (sizeof(linktypes) / sizeof(linktypes[0]))],
        .pcap_cnt = cnt,
    };
    cn_decode_frame(ctx, &f, &p);
    (void)cn_decode_dispatch_hash(frame, f.caplen, f.linktype);
    for (struct cn_packet *r; (r = cn_decode_next_rebuilt(ctx));)
        (void)r->payload_len;
    cn_decode_timeout(ctx, f.ts + 3600 * CN_USEC);
    free(frame);
    return 0;
}
