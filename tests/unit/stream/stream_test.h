/* Helpers shared by the stream unit tests: hand-built TCP packets (no decoder), a flow built
 * by hand (no table unless a test makes one), and a consumer that checks offsets and collects
 * each direction's reassembled bytes. Gaps show as '#' bytes in the collected stream. */
#ifndef CN_STREAM_TEST_H
#define CN_STREAM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stream/stream.h"

#define SINK_CAP (1u << 20)

struct sink {
    uint8_t *buf[2]; /* [0] toserver, [1] toclient */
    uint32_t n[2];
    uint64_t next_off[2];
    bool offset_err;
    bool after_eof; /* something arrived after EOF */
    unsigned eof[2], gaps[2], depth[2], chunks[2];
    uint64_t gap_bytes[2];
};

struct tctx {
    struct cn_stream_config cfg;
    struct cn_stream_ctx *ctx;
    struct cn_stats stats;
    struct cn_flow flow;
    struct sink sink;
    struct cn_packet p; /* the last packet run */
    cn_time_t clock;
};

static void sink_data(void *user, struct cn_flow *f, struct cn_packet *p, bool toserver,
                      const uint8_t *data, uint32_t len, uint64_t offset, uint32_t flags)
{
    (void)f;
    (void)p;
    struct sink *s = user;
    int i = toserver ? 0 : 1;
    if (s->eof[i])
        s->after_eof = true;
    if (offset != s->next_off[i])
        s->offset_err = true;
    s->chunks[i]++;
    if (flags & CN_STREAM_GAP) {
        s->gaps[i]++;
        s->gap_bytes[i] += len;
        for (uint32_t k = 0; k < len && s->n[i] < SINK_CAP; k++)
            s->buf[i][s->n[i]++] = '#';
    } else if (len) {
        assert_non_null(data);
        uint32_t room = SINK_CAP - s->n[i];
        memcpy(s->buf[i] + s->n[i], data, len < room ? len : room);
        s->n[i] += len < room ? len : room;
    }
    s->next_off[i] += len;
    if (flags & CN_STREAM_EOF)
        s->eof[i]++;
    if (flags & CN_STREAM_DEPTH)
        s->depth[i]++;
}

static struct tctx *tctx_new_cfg(const struct cn_stream_config *cfg)
{
    struct tctx *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    t->sink.buf[0] = calloc(1, SINK_CAP);
    t->sink.buf[1] = calloc(1, SINK_CAP);
    t->cfg = *cfg;
    struct cn_stream_hooks hooks = {.data = sink_data, .user = &t->sink};
    t->ctx = cn_stream_ctx_new(&t->cfg, &hooks, &t->stats);
    assert_non_null(t->ctx);
    t->flow.proto = 6;
    t->flow.sp = 40000;
    t->flow.dp = 80;
    t->clock = 1700000000ull * CN_USEC;
    return t;
}

static struct tctx *tctx_new(void)
{
    struct cn_stream_config cfg;
    cn_stream_config_defaults(&cfg);
    return tctx_new_cfg(&cfg);
}

static void tctx_free(struct tctx *t)
{
    cn_stream_flow_end(t->ctx, &t->flow);
    /* every segment and session is given back at flow end */
    assert_int_equal(cn_stream_reassembly_memcap(t->ctx)->used, 0);
    assert_int_equal(cn_stream_session_memcap(t->ctx)->used, 0);
    cn_stream_ctx_free(t->ctx);
    free(t->sink.buf[0]);
    free(t->sink.buf[1]);
    free(t);
}

#define S CN_TH_SYN
#define A CN_TH_ACK
#define F CN_TH_FIN
#define R CN_TH_RST
#define P CN_TH_PUSH

/* Runs one packet; len bytes of data (data may be NULL for len 0). toserver is the direction
 * relative to the flow as it is now. */
static struct cn_packet *pktn(struct tctx *t, bool toserver, uint8_t flags, uint32_t seq,
                              uint32_t ack, const void *data, uint32_t len)
{
    struct cn_packet *p = &t->p;
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_TCP | CN_PKT_IPV4;
    p->ip_ver = 4;
    p->proto = 6;
    p->ts = (t->clock += 1000);
    p->tcp.flags = flags;
    p->tcp.seq = seq;
    p->tcp.ack = (flags & A) ? ack : 0;
    p->tcp.win = 65535;
    p->payload = data;
    p->payload_len = len;
    p->flow = &t->flow;
    p->toserver = toserver;
    cn_stream_packet(t->ctx, NULL, &t->flow, p);
    return p;
}

static struct cn_packet *pkt(struct tctx *t, bool toserver, uint8_t flags, uint32_t seq,
                             uint32_t ack, const char *data)
{
    return pktn(t, toserver, flags, seq, ack, data, data ? (uint32_t)strlen(data) : 0);
}

/* Client ISN 1000, server ISN 5000: the first data byte is 1001 toserver, 5001 toclient. */
static void handshake(struct tctx *t)
{
    pkt(t, true, S, 1000, 0, NULL);
    pkt(t, false, S | A, 5000, 1001, NULL);
    pkt(t, true, A, 1001, 5001, NULL);
    assert_int_equal(cn_stream_state(&t->flow), CN_TCP_ESTABLISHED);
}

static bool has_ev(const struct cn_packet *p, enum cn_event_id ev)
{
    return cn_packet_has_event(p, ev);
}

static void assert_stream(const struct tctx *t, int dir, const char *want)
{
    size_t n = strlen(want);
    assert_int_equal(t->sink.n[dir], n);
    assert_memory_equal(t->sink.buf[dir], want, n);
    assert_false(t->sink.offset_err);
}

#endif
