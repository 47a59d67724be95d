/* Fuzz target for src/stream: the input is a script of TCP packets for one flow, run through
 * a stream context, after which the flow ends. It checks nothing but that the engine neither
 * crashes, leaks (both memcaps must be back at zero once the flow ended) nor hangs.
 *
 * Script layout (all integers big-endian):
 *   header, 9 bytes: config bits, client ISN (4), server ISN (4)
 *     config bit 0 midstream, bit 1 async_oneside, bit 2 small depth (64 bytes),
 *     bit 3 tiny reassembly memcap (4 KiB), bit 4 checksum validation, bits 5-7 overlap policy
 *   then records, 8 bytes each plus payload:
 *     ctl: bit 0 toserver, bit 1 has timestamps, bit 2 bad checksum, bit 3 TFO option
 *     flags: TCP flags as on the wire
 *     seq delta (int16): from the sender's next expected sequence number
 *     ack delta (int16): from the peer's next expected sequence number
 *     tsval delta (uint8): added to the sender's timestamp clock (wrapping, so can go back)
 *     payload length (uint8), then that many payload bytes (fewer if the input ends) */
#include <stdint.h>
#include <string.h>

#include "stream/stream.h"

int cn_fuzz_reassembly(const uint8_t *d, size_t n);

static void consume(void *user, struct cn_flow *f, struct cn_packet *p, bool toserver,
                    const uint8_t *data, uint32_t len, uint64_t offset, uint32_t flags)
{
    (void)f;
    (void)p;
    (void)toserver;
    (void)offset;
    uint32_t *sum = user;
    if (data && !(flags & CN_STREAM_GAP))
        for (uint32_t i = 0; i < len; i++)
            *sum += data[i]; /* touches every byte handed over */
}

int cn_fuzz_reassembly(const uint8_t *d, size_t n)
{
    if (n < 9)
        return 0;
    struct cn_cursor c = cn_cursor_init(d, n);
    uint8_t conf = cn_cur_u8(&c);
    uint32_t next[2];
    next[0] = cn_cur_be32(&c); /* client */
    next[1] = cn_cur_be32(&c); /* server */

    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    cfg.midstream = conf & 1;
    cfg.async_oneside = conf & 2;
    if (conf & 4)
        cfg.depth = 64;
    if (conf & 8)
        cfg.reassembly_memcap = 4096;
    cfg.checksum_validation = conf & 16;
    cfg.overlap_policy = (enum cn_stream_overlap_policy)((conf >> 5) % 6);

    static struct cn_stats stats; /* large; only written */
    uint32_t sum = 0;
    struct cn_stream_hooks hooks = {.data = consume, .user = &sum};
    struct cn_stream_ctx *ctx = cn_stream_ctx_new(&cfg, &hooks, &stats);
    if (!ctx)
        return 0;
    struct cn_flow flow;
    memset(&flow, 0, sizeof(flow));
    flow.proto = 6;
    uint32_t tsclock[2] = {1000, 50000};
    cn_time_t now = 1700000000ull * CN_USEC;

    for (unsigned k = 0; k < 4096 && cn_cur_left(&c) >= 8; k++) {
        uint8_t ctl = cn_cur_u8(&c);
        uint8_t flags = cn_cur_u8(&c);
        int16_t sd = (int16_t)cn_cur_be16(&c);
        int16_t ad = (int16_t)cn_cur_be16(&c);
        uint8_t tsd = cn_cur_u8(&c);
        uint8_t plen = cn_cur_u8(&c);
        if (plen > cn_cur_left(&c))
            plen = (uint8_t)cn_cur_left(&c);
        const uint8_t *payload = cn_cur_bytes(&c, plen);

        /* the flow may have been swapped: direction is relative to the flow as it is now */
        int dir = (ctl & 1) ? 0 : 1;
        struct cn_packet p;
        memset(&p, 0, sizeof(p));
        p.flags = CN_PKT_TCP | CN_PKT_IPV4 | ((ctl & 4) ? CN_PKT_L4_CSUM_BAD : 0);
        p.ip_ver = 4;
        p.proto = 6;
        p.ts = (now += 1000);
        p.tcp.flags = flags;
        p.tcp.seq = next[dir] + (uint32_t)(int32_t)sd;
        p.tcp.ack = next[!dir] + (uint32_t)(int32_t)ad;
        p.tcp.win = (uint16_t)(1000 + plen * 37);
        if (ctl & 2) {
            p.tcp.has_ts = true;
            tsclock[dir] += (uint32_t)(int8_t)tsd;
            p.tcp.ts_val = tsclock[dir];
            p.tcp.ts_ecr = tsclock[!dir];
        }
        if (flags & CN_TH_SYN) {
            p.tcp.has_wscale = (ctl & 16) != 0;
            p.tcp.wscale = tsd & 15;
        }
        p.tcp.has_tfo = (ctl & 8) != 0;
        p.payload = plen ? payload : NULL;
        p.payload_len = plen;
        p.flow = &flow;
        p.toserver = dir == 0;
        cn_stream_packet(ctx, NULL, &flow, &p);
        uint32_t seqlen = plen + ((flags & CN_TH_SYN) ? 1 : 0) + ((flags & CN_TH_FIN) ? 1 : 0);
        next[dir] = p.tcp.seq + seqlen;
    }
    cn_stream_flow_end(ctx, &flow);
    if (cn_stream_reassembly_memcap(ctx)->used != 0 || cn_stream_session_memcap(ctx)->used != 0)
        __builtin_trap(); /* something was not given back */
    cn_stream_ctx_free(ctx);
    return 0;
}
