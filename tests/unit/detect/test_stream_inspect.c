/* Unit tests of raw-stream inspection (engine.c, "raw-stream inspection"): rules are loaded
 * through the real loader, a struct cn_flow is built by hand and reassembled data is handed
 * over with cn_detect_stream_data(); cn_detect_stream() then inspects it up to chosen ACK
 * offsets and cn_detect_stream_flush() at flow end. Covers the ACK bound (nothing before the
 * peer acknowledged it, partial windows), the 64-byte context between windows (split contents
 * match once, a content seen in the context does not alert again, a repeat beyond it does),
 * gap markers, the flow-end pseudo packet and its direction, which rules see packets and
 * which see the stream (tcp, tcp-pkt, tcp-stream, dsize, tcp.hdr, CN_PKT_STREAM_ADD), the
 * 64 KiB per-direction bound and the per-direction buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/detect_int.h"
#include "stream/stream.h"

struct fixture {
    struct cn_ruleset *rs;
    struct cn_detect_ctx *ctx;
    struct cn_stats stats;
    struct cn_detect_report rep;
    struct cn_flow f;
    struct cn_packet view;
};

/* Loads text as a rule file (every rule must load) and sets up the flow
 * 10.0.0.1:1234 (client) -> 10.0.0.2:80 (server). */
static void load(struct fixture *fx, const char *text)
{
    char path[] = "/tmp/cn-stream-inspect-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    const char *files[] = {path};
    struct cn_detect_load_config cfg = {.files = files, .nfiles = 1};
    memset(fx, 0, sizeof(*fx));
    fx->rs = cn_detect_load(&cfg, &fx->rep);
    unlink(path);
    assert_non_null(fx->rs);
    if (fx->rep.failed != 0)
        fail_msg("%u rules failed to load", fx->rep.failed);
    fx->ctx = cn_detect_ctx_new(fx->rs, &fx->stats);
    assert_non_null(fx->ctx);

    struct cn_flow *f = &fx->f;
    f->proto = 6;
    f->ip_ver = 4;
    f->src.b[0] = 10;
    f->src.b[3] = 1;
    f->dst.b[0] = 10;
    f->dst.b[3] = 2;
    f->sp = 1234;
    f->dp = 80;
    f->last = 12345;
}

static void unload(struct fixture *fx)
{
    cn_detect_stream_release(fx->ctx, &fx->f);
    cn_detect_flow_end(&fx->f);
    assert_null(fx->f.detect);
    cn_detect_ctx_free(fx->ctx);
    cn_ruleset_free(fx->rs);
}

/* A TCP packet of fx's flow in one direction, its payload in reassembly, carrying text (an
 * ACK-only packet when text is NULL), numbered pcap_cnt. */
static void flow_packet(struct fixture *fx, struct cn_packet *p, bool toserver, uint64_t pcap_cnt,
                        const char *text)
{
    const struct cn_flow *f = &fx->f;
    memset(p, 0, sizeof(*p));
    p->flags = CN_PKT_IPV4 | CN_PKT_TCP | CN_PKT_STREAM_ADD | CN_PKT_FLOW_ESTABLISHED;
    p->ip_ver = 4;
    p->proto = 6;
    p->ttl = 64;
    p->src = toserver ? f->src : f->dst;
    p->dst = toserver ? f->dst : f->src;
    p->sp = toserver ? f->sp : f->dp;
    p->dp = toserver ? f->dp : f->sp;
    p->pcap_cnt = pcap_cnt;
    p->ts = (cn_time_t)pcap_cnt;
    p->flow = &fx->f;
    p->toserver = toserver;
    if (text) {
        p->payload = (const uint8_t *)text;
        p->payload_len = (uint32_t)strlen(text);
    }
}

/* The alerted sids (1..31) as a bit set; each alert must come from stream inspection or not
 * as `stream` says, and no rule alerts twice. */
static uint32_t sids(const struct cn_alert *a, unsigned n, bool stream)
{
    uint32_t bits = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t sid = cn_rule_sid(a[i].rule);
        assert_true(sid > 0 && sid < 32);
        assert_false(bits & (1u << sid));
        assert_int_equal(a[i].stream, stream);
        bits |= 1u << sid;
    }
    return bits;
}

#define S(x) (1u << (x))

/* Hands len bytes at stream offset off over in p's direction; returns the sids alerted. */
static uint32_t feed_n(struct fixture *fx, struct cn_packet *p, bool toserver, const void *data,
                       uint32_t len, uint64_t off)
{
    const struct cn_alert *a;
    unsigned n =
        cn_detect_stream_data(fx->ctx, &fx->f, p, toserver, data, len, off, 0, &fx->view, &a);
    return sids(a, n, true);
}

static uint32_t feed(struct fixture *fx, struct cn_packet *p, bool toserver, const char *text,
                     uint64_t off)
{
    return feed_n(fx, p, toserver, text, (uint32_t)strlen(text), off);
}

/* Inspects one direction on packet p up to acked; returns the sids alerted. */
static uint32_t inspect_dir(struct fixture *fx, struct cn_packet *p, bool toserver, uint64_t acked)
{
    const struct cn_alert *a;
    unsigned n = cn_detect_stream(fx->ctx, p, toserver, acked, &fx->view, &a);
    return sids(a, n, true);
}

/* p's own direction, as the worker calls it */
static uint32_t inspect(struct fixture *fx, struct cn_packet *p, uint64_t acked)
{
    return inspect_dir(fx, p, p->toserver, acked);
}

static uint32_t flush(struct fixture *fx, bool toserver)
{
    const struct cn_alert *a;
    unsigned n = cn_detect_stream_flush(fx->ctx, &fx->f, toserver, &fx->view, &a);
    return sids(a, n, true);
}

static uint32_t packet(struct fixture *fx, struct cn_packet *p)
{
    const struct cn_alert *a;
    unsigned n = cn_detect_packet(fx->ctx, p, &a);
    return sids(a, n, false);
}

/* The view's payload is exactly text. */
static void assert_view(const struct fixture *fx, const char *text)
{
    size_t len = strlen(text);
    assert_int_equal(fx->view.payload_len, len);
    assert_non_null(fx->view.payload);
    assert_memory_equal(fx->view.payload, text, len);
}

/* ---- 1. the ACK bound ---- */

static void test_alert_when_acked(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (msg:\"evil\"; content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (msg:\"absent\"; content:\"GOOD\"; sid:2;)\n");
    struct cn_packet d, ack;
    flow_packet(&fx, &d, true, 7, "helloEVILworld");
    assert_int_equal(feed(&fx, &d, true, "helloEVILworld", 0), 0);
    assert_false(fx.f.alerted);

    /* the to-server data waits for ACKs from the server (to-client packets carry them, but
     * the inspection runs on the next to-server packet, with the acked offset) */
    flow_packet(&fx, &ack, true, 8, NULL);
    assert_int_equal(inspect(&fx, &ack, 0), 0);
    /* EVIL is at offsets 5..8: acked up to 5 and up to 8 do not cover it */
    assert_int_equal(inspect(&fx, &ack, 5), 0);
    assert_view(&fx, "hello");
    assert_int_equal(inspect(&fx, &ack, 5), 0); /* the same ack again: nothing new */
    assert_int_equal(inspect(&fx, &ack, 8), 0);
    assert_view(&fx, "helloEVI");
    assert_false(fx.f.alerted);

    flow_packet(&fx, &ack, true, 9, NULL);
    assert_int_equal(inspect(&fx, &ack, 14), S(1));
    assert_true(fx.f.alerted);
    /* the window: the context (everything inspected before) and the new bytes */
    assert_view(&fx, "helloEVILworld");
    assert_int_equal(fx.view.pcap_cnt, 9);
    assert_ptr_equal(fx.view.flow, &fx.f);
    assert_true(fx.view.toserver);
    assert_false(fx.view.flags & CN_PKT_PSEUDO);
    assert_true(fx.view.sp == 1234 && fx.view.dp == 80);
    /* acked beyond what was delivered: nothing left */
    assert_int_equal(inspect(&fx, &ack, 100), 0);
    assert_int_equal(flush(&fx, true), 0);
    unload(&fx);
}

/* One window holding all the data: the view is exactly the data handed over. */
static void test_one_window(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"NOPE\"; sid:2;)\n");
    struct cn_packet d;
    flow_packet(&fx, &d, true, 3, "xxEVIL");
    assert_int_equal(feed(&fx, &d, true, "xx", 1000), 0);
    assert_int_equal(feed(&fx, &d, true, "EVIL", 1002), 0);
    /* offsets are stream offsets, not buffer positions: acked <= 1000 covers nothing */
    assert_int_equal(inspect(&fx, &d, 1000), 0);
    assert_int_equal(inspect(&fx, &d, 999), 0);
    assert_int_equal(inspect(&fx, &d, 1006), S(1));
    assert_view(&fx, "xxEVIL");
    assert_int_equal(fx.view.pcap_cnt, 3);
    unload(&fx);
}

/* ---- 2. partial ACKs ---- */

static void test_partial_ack(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"BAD!\"; sid:2;)\n");
    struct cn_packet p;
    flow_packet(&fx, &p, true, 1, NULL);
    /* 0..9 filler, BAD! at 10..13, filler, EVIL at 30..33 */
    const char *data = "0123456789BAD!abcdefghijklmnopEVILtail";
    assert_int_equal(feed(&fx, &p, true, data, 0), 0);
    assert_int_equal(inspect(&fx, &p, 12), 0); /* "BA" only */
    assert_view(&fx, "0123456789BA");
    assert_int_equal(inspect(&fx, &p, 20), S(2)); /* BAD! complete, EVIL not acked */
    assert_view(&fx, "0123456789BAD!abcdef");
    assert_int_equal(inspect(&fx, &p, 32), 0); /* "EV" only; BAD! is in the context */
    assert_int_equal(inspect(&fx, &p, 38), S(1));
    assert_view(&fx, data);
    unload(&fx);
}

/* ---- 3. windows and their context ---- */

static void test_split_between_windows(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"head\"; sid:2;)\n");
    struct cn_packet p;
    flow_packet(&fx, &p, true, 1, NULL);
    assert_int_equal(feed(&fx, &p, true, "headEV", 0), 0);
    assert_int_equal(inspect(&fx, &p, 6), S(2));
    assert_int_equal(feed(&fx, &p, true, "ILyyyy", 6), 0);
    /* EVIL is split between the two windows: one alert, head is in the context only */
    assert_int_equal(inspect(&fx, &p, 12), S(1));
    assert_view(&fx, "headEVILyyyy");
    /* a third window whose context holds both: no new alert */
    assert_int_equal(feed(&fx, &p, true, "zzzz", 12), 0);
    assert_int_equal(inspect(&fx, &p, 16), 0);
    assert_view(&fx, "headEVILyyyyzzzz");
    unload(&fx);
}

/* The context is the last 64 bytes of the previous window, not all of it. */
static void test_context_is_64_bytes(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n");
    struct cn_packet p;
    flow_packet(&fx, &p, true, 1, NULL);
    char big[201];
    memset(big, '.', 200);
    big[200] = '\0';
    assert_int_equal(feed(&fx, &p, true, big, 0), 0);
    assert_int_equal(inspect(&fx, &p, 200), 0);
    assert_int_equal(fx.view.payload_len, 200);
    assert_int_equal(feed(&fx, &p, true, "EVIL", 200), 0);
    assert_int_equal(inspect(&fx, &p, 204), S(1));
    assert_int_equal(fx.view.payload_len, CN_RAW_TAIL + 4);
    assert_memory_equal(fx.view.payload, big, CN_RAW_TAIL);
    assert_memory_equal(fx.view.payload + CN_RAW_TAIL, "EVIL", 4);
    unload(&fx);
}

/* ---- 4. a repeat beyond the context alerts again ---- */

static void test_repeat_alerts_again(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n");
    struct cn_packet p;
    flow_packet(&fx, &p, true, 1, NULL);
    char filler[101];
    memset(filler, '-', 100);
    filler[100] = '\0';
    assert_int_equal(feed(&fx, &p, true, "EVIL", 0), 0);
    assert_int_equal(feed(&fx, &p, true, filler, 4), 0);
    assert_int_equal(inspect(&fx, &p, 104), S(1));
    /* the first EVIL is now out of the 64-byte context */
    assert_int_equal(feed(&fx, &p, true, "EVIL", 104), 0);
    assert_int_equal(inspect(&fx, &p, 108), S(1));
    /* a window with no new occurrence does not repeat it */
    assert_int_equal(feed(&fx, &p, true, "....", 108), 0);
    assert_int_equal(inspect(&fx, &p, 112), 0);
    unload(&fx);
}

/* The direction went idle (its buffer given back, only the tail kept inline): the context
 * still works across that. */
static void test_context_survives_idle(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"abcEVIL\"; sid:2;)\n");
    struct cn_packet p;
    flow_packet(&fx, &p, true, 1, NULL);
    assert_int_equal(feed(&fx, &p, true, "abcEV", 0), 0);
    assert_int_equal(inspect(&fx, &p, 5), 0);
    /* nothing pending: the next inspection compacts the buffer down to the tail */
    assert_int_equal(inspect(&fx, &p, 5), 0);
    assert_int_equal(feed(&fx, &p, true, "IL", 5), 0);
    assert_int_equal(inspect(&fx, &p, 7), S(1) | S(2));
    assert_view(&fx, "abcEVIL");
    unload(&fx);
}

/* ---- 5. gaps ---- */

static void test_gap_marker(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"VERYDATA\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"VERY\"; sid:2;)\n"
              "alert tcp any any -> any any (content:\"DATA\"; sid:3;)\n");
    struct cn_packet p;
    const struct cn_alert *a;
    flow_packet(&fx, &p, true, 1, NULL);
    assert_int_equal(feed(&fx, &p, true, "VERY", 0), 0);
    assert_int_equal(
        cn_detect_stream_data(fx.ctx, &fx.f, &p, true, NULL, 4, 4, CN_STREAM_GAP, &fx.view, &a), 0);
    assert_int_equal(feed(&fx, &p, true, "DATA", 8), 0);
    /* offsets past a marker are not buffer positions: a partial ACK waits */
    assert_int_equal(inspect(&fx, &p, 10), 0);
    assert_int_equal(inspect(&fx, &p, 12), S(2) | S(3));
    assert_view(&fx, "VERY[4 bytes missing]DATA");
    unload(&fx);
}

/* A gap as the first thing delivered, and data only after it. */
static void test_gap_first(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"DATA\"; sid:1;)\n");
    struct cn_packet p;
    const struct cn_alert *a;
    flow_packet(&fx, &p, false, 1, NULL);
    assert_int_equal(
        cn_detect_stream_data(fx.ctx, &fx.f, &p, false, NULL, 1000, 0, CN_STREAM_GAP, &fx.view, &a),
        0);
    assert_int_equal(feed(&fx, &p, false, "DATA", 1000), 0);
    assert_int_equal(inspect(&fx, &p, 1004), S(1));
    assert_view(&fx, "[1000 bytes missing]DATA");
    unload(&fx);
}

/* ---- 6. flow end ---- */

static void test_flush_to_client(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"REQ\"; flow:to_server; sid:2;)\n"
              "alert tcp any any -> any any (content:\"RESP\"; flow:to_client; sid:3;)\n");
    struct cn_packet req, resp;
    flow_packet(&fx, &req, true, 1, NULL);
    flow_packet(&fx, &resp, false, 2, NULL);
    assert_int_equal(feed(&fx, &req, true, "REQ", 0), 0);
    assert_int_equal(feed(&fx, &resp, false, "RESP EVIL", 0), 0);
    /* nothing acknowledged, nothing inspected */
    assert_int_equal(inspect(&fx, &req, 0), 0);
    assert_int_equal(inspect(&fx, &resp, 0), 0);

    assert_int_equal(flush(&fx, false), S(1) | S(3));
    assert_view(&fx, "RESP EVIL");
    assert_true(fx.view.flags & CN_PKT_PSEUDO);
    assert_true(fx.view.flags & CN_PKT_TCP);
    assert_false(fx.view.toserver);
    assert_ptr_equal(fx.view.flow, &fx.f);
    assert_int_equal(fx.view.pcap_cnt, 0);
    assert_int_equal(fx.view.ip_ver, 4);
    assert_int_equal(fx.view.proto, 6);
    /* to-client data goes from the server */
    assert_memory_equal(&fx.view.src, &fx.f.dst, sizeof(fx.view.src));
    assert_memory_equal(&fx.view.dst, &fx.f.src, sizeof(fx.view.dst));
    assert_int_equal(fx.view.sp, 80);
    assert_int_equal(fx.view.dp, 1234);
    assert_int_equal(flush(&fx, false), 0); /* once */

    assert_int_equal(flush(&fx, true), S(2));
    assert_view(&fx, "REQ");
    assert_true(fx.view.flags & CN_PKT_PSEUDO);
    assert_true(fx.view.toserver);
    assert_memory_equal(&fx.view.src, &fx.f.src, sizeof(fx.view.src));
    assert_int_equal(fx.view.sp, 1234);
    assert_int_equal(fx.view.dp, 80);
    unload(&fx);
}

/* Data already inspected is not inspected again at flow end; only the rest is. */
static void test_flush_rest_only(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"LATE\"; sid:2;)\n");
    struct cn_packet p;
    flow_packet(&fx, &p, true, 1, NULL);
    assert_int_equal(feed(&fx, &p, true, "EVIL....LATE", 0), 0);
    assert_int_equal(inspect(&fx, &p, 8), S(1));
    assert_int_equal(flush(&fx, true), S(2));
    assert_view(&fx, "EVIL....LATE");
    assert_int_equal(flush(&fx, true), 0);
    assert_int_equal(flush(&fx, false), 0); /* nothing ever went to the client */
    unload(&fx);
}

/* A flow that no stream rule touched has no state to flush. */
static void test_flush_without_state(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n");
    assert_null(fx.f.detect);
    assert_int_equal(flush(&fx, true), 0);
    assert_int_equal(flush(&fx, false), 0);
    cn_detect_stream_release(fx.ctx, &fx.f); /* twice is harmless (unload again) */
    unload(&fx);
}

/* ---- 7. which rules see packets and which see the stream ---- */

static const uint8_t tcp_hdr[20] = {0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18};

static const char source_rules[] =
    "alert tcp any any -> any any (msg:\"plain\"; content:\"EVIL\"; sid:1;)\n"
    "alert tcp-pkt any any -> any any (msg:\"pkt\"; content:\"EVIL\"; sid:2;)\n"
    "alert tcp-stream any any -> any any (msg:\"stream\"; content:\"EVIL\"; sid:3;)\n"
    "alert tcp any any -> any any (msg:\"dsize\"; content:\"EVIL\"; dsize:>0; sid:4;)\n"
    "alert tcp any any -> any any (msg:\"hdr\"; content:\"EVIL\"; tcp.hdr; content:\"|00 50|\"; "
    "sid:5;)\n"
    "alert tcp any any -> any any (msg:\"no payload\"; flow:to_server; sid:6;)\n"
    "alert tcp-stream any any -> any any (msg:\"stream, other\"; content:\"NONE\"; sid:7;)\n";

static void source_packet(struct fixture *fx, struct cn_packet *p, uint32_t extra_flags)
{
    flow_packet(fx, p, true, 5, "xxEVILxx");
    p->flags |= extra_flags;
    p->l4 = tcp_hdr;
    p->l4_len = sizeof(tcp_hdr);
    p->tcp.hlen = 20;
}

static void test_sources_packet_in_stream(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, source_rules);
    struct cn_packet p;
    source_packet(&fx, &p, 0);
    assert_true(p.flags & CN_PKT_STREAM_ADD);
    /* the payload went into reassembly: plain tcp and tcp-stream rules wait for the stream */
    assert_int_equal(packet(&fx, &p), S(2) | S(4) | S(5) | S(6));

    /* the same bytes as stream data */
    assert_int_equal(feed(&fx, &p, true, "xxEVILxx", 0), 0);
    assert_int_equal(inspect(&fx, &p, 8), S(1) | S(3));
    assert_view(&fx, "xxEVILxx");
    assert_int_equal(fx.view.pcap_cnt, 5);
    unload(&fx);
}

static void test_sources_packet_without_session(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, source_rules);
    struct cn_packet p;
    source_packet(&fx, &p, 0);
    p.flags &= ~CN_PKT_STREAM_ADD;
    /* no reassembly for this payload: the plain tcp rule looks at the packet; tcp-stream never */
    assert_int_equal(packet(&fx, &p), S(1) | S(2) | S(4) | S(5) | S(6));
    /* and without a flow at all */
    p.flow = NULL;
    assert_int_equal(packet(&fx, &p), S(1) | S(2) | S(4) | S(5) | S(6));
    /* a packet without the content: none of the content rules */
    source_packet(&fx, &p, 0);
    p.flags &= ~CN_PKT_STREAM_ADD;
    p.payload = (const uint8_t *)"harmless";
    p.payload_len = 8;
    assert_int_equal(packet(&fx, &p), S(6));
    unload(&fx);
}

/* Rules without stream rules keep no raw-stream buffers at all. */
static void test_no_stream_rules(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp-pkt any any -> any any (content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"EVIL\"; dsize:<100; sid:2;)\n"
              "alert ip any any -> any any (content:\"EVIL\"; sid:3;)\n"
              "alert tcp any any -> any any (flow:established; sid:4;)\n");
    struct cn_packet p;
    flow_packet(&fx, &p, true, 1, "EVIL");
    assert_int_equal(feed(&fx, &p, true, "EVIL", 0), 0);
    assert_null(fx.f.detect);
    assert_int_equal(inspect(&fx, &p, 4), 0);
    assert_int_equal(flush(&fx, true), 0);
    /* they all look at the packet, STREAM_ADD or not */
    assert_int_equal(packet(&fx, &p), S(1) | S(2) | S(3) | S(4));
    unload(&fx);
}

/* flow keywords on stream data: the direction and state are the view packet's. */
static void test_flow_keywords_on_stream(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx,
         "alert tcp any any -> any any (flow:established,to_server; content:\"EVIL\"; sid:1;)\n"
         "alert tcp any any -> any any (flow:to_client; content:\"EVIL\"; sid:2;)\n"
         "alert tcp any any -> any 80 (content:\"EVIL\"; sid:3;)\n"
         "alert tcp any 80 -> any any (content:\"EVIL\"; sid:4;)\n"
         "alert tcp any any <> any 80 (content:\"EVIL\"; sid:5;)\n");
    struct cn_packet ts, tc;
    flow_packet(&fx, &ts, true, 1, NULL);
    flow_packet(&fx, &tc, false, 2, NULL);
    assert_int_equal(feed(&fx, &ts, true, "EVIL", 0), 0);
    assert_int_equal(inspect(&fx, &ts, 4), S(1) | S(3) | S(5));
    assert_int_equal(feed(&fx, &tc, false, "EVIL", 0), 0);
    assert_int_equal(inspect(&fx, &tc, 4), S(2) | S(4) | S(5));
    unload(&fx);
}

/* ---- 8. the 64 KiB bound ---- */

static void test_bound_inspects_at_once(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"TAIL\"; sid:2;)\n");
    const uint32_t max = 64u << 10;
    uint8_t *buf = malloc(max);
    assert_non_null(buf);
    memset(buf, 'a', max);
    memcpy(buf + 1000, "EVIL", 4);
    memcpy(buf + max - 4, "TAIL", 4);
    struct cn_packet p;
    flow_packet(&fx, &p, true, 11, NULL);
    /* one byte short of the bound: waits for the ACK */
    assert_int_equal(feed_n(&fx, &p, true, buf, max - 1, 0), 0);
    assert_false(fx.f.alerted);
    /* the last byte: inspected now, without any ACK */
    assert_int_equal(feed_n(&fx, &p, true, buf + max - 1, 1, max - 1), S(1) | S(2));
    assert_int_equal(fx.view.payload_len, max);
    assert_memory_equal(fx.view.payload, buf, max);
    assert_int_equal(fx.view.pcap_cnt, 11);
    assert_true(fx.f.alerted);
    /* inspected already: the ACK finds nothing new */
    assert_int_equal(inspect(&fx, &p, max), 0);
    assert_int_equal(flush(&fx, true), 0);

    /* more than the bound in one chunk, on a fresh flow */
    cn_detect_stream_release(fx.ctx, &fx.f);
    cn_detect_flow_end(&fx.f);
    fx.f.alerted = false;
    uint8_t *big = malloc(max + 500);
    assert_non_null(big);
    memset(big, 'b', max + 500);
    memcpy(big + max + 100, "EVIL", 4);
    assert_int_equal(feed_n(&fx, &p, true, big, max + 500, 0), S(1));
    assert_int_equal(fx.view.payload_len, max + 500);
    free(big);
    free(buf);
    unload(&fx);
}

/* The bound is per direction: 32 KiB each way inspects nothing. */
static void test_bound_per_direction(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n");
    const uint32_t half = 40u << 10;
    uint8_t *buf = malloc(half);
    assert_non_null(buf);
    memset(buf, 'c', half);
    memcpy(buf, "EVIL", 4);
    struct cn_packet ts, tc;
    flow_packet(&fx, &ts, true, 1, NULL);
    flow_packet(&fx, &tc, false, 2, NULL);
    assert_int_equal(feed_n(&fx, &ts, true, buf, half, 0), 0);
    assert_int_equal(feed_n(&fx, &tc, false, buf, half, 0), 0);
    assert_int_equal(inspect(&fx, &ts, half), S(1));
    assert_int_equal(inspect(&fx, &tc, half), S(1));
    free(buf);
    unload(&fx);
}

/* ---- 9. directions ---- */

static void test_directions(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (content:\"BACK\"; sid:2;)\n");
    struct cn_packet ts, tc;
    flow_packet(&fx, &ts, true, 1, NULL);
    flow_packet(&fx, &tc, false, 2, NULL);
    assert_int_equal(feed(&fx, &ts, true, "EVIL", 0), 0);
    /* a to-client packet inspects the to-client direction only: nothing there */
    assert_int_equal(inspect(&fx, &tc, 100), 0);
    assert_int_equal(feed(&fx, &tc, false, "BACK", 0), 0);
    /* and a to-server packet the to-server one */
    assert_int_equal(inspect(&fx, &ts, 4), S(1));
    assert_true(fx.view.toserver);
    assert_int_equal(inspect(&fx, &ts, 4), 0);
    assert_int_equal(inspect(&fx, &tc, 4), S(2));
    assert_false(fx.view.toserver);
    assert_int_equal(fx.view.pcap_cnt, 2);
    assert_memory_equal(&fx.view.src, &fx.f.dst, sizeof(fx.view.src));
    assert_view(&fx, "BACK");
    unload(&fx);
}

/* Asked for the other direction than the packet's, the engine inspects that direction and
 * builds the view from the flow, keeping the packet's number. */
static void test_inspect_other_direction(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (flow:to_server; content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (flow:to_client; content:\"EVIL\"; sid:2;)\n");
    struct cn_packet ts, tc;
    flow_packet(&fx, &ts, true, 1, NULL);
    flow_packet(&fx, &tc, false, 9, NULL);
    assert_int_equal(feed(&fx, &ts, true, "xEVIL", 0), 0);
    assert_int_equal(inspect_dir(&fx, &tc, false, 5), 0); /* the to-client side is empty */
    assert_int_equal(inspect_dir(&fx, &tc, true, 3), 0);  /* "xEV" */
    assert_int_equal(inspect_dir(&fx, &tc, true, 5), S(1));
    assert_view(&fx, "xEVIL");
    assert_true(fx.view.toserver);
    assert_false(fx.view.flags & CN_PKT_PSEUDO);
    assert_int_equal(fx.view.pcap_cnt, 9);
    assert_memory_equal(&fx.view.src, &fx.f.src, sizeof(fx.view.src));
    assert_int_equal(fx.view.sp, 1234);
    assert_int_equal(fx.view.dp, 80);
    unload(&fx);
}

/* Data of one direction handed over on a packet of the other (the ACK that releases it) and
 * inspected at once by the bound: the view is built from the flow, in the data's direction,
 * and keeps the packet's number. */
static void test_view_other_direction(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (flow:to_server; content:\"EVIL\"; sid:1;)\n");
    const uint32_t max = 64u << 10;
    uint8_t *buf = malloc(max);
    assert_non_null(buf);
    memset(buf, 'd', max);
    memcpy(buf + 10, "EVIL", 4);
    struct cn_packet tc;
    flow_packet(&fx, &tc, false, 42, NULL);
    assert_int_equal(feed_n(&fx, &tc, true, buf, max, 0), S(1));
    assert_true(fx.view.toserver);
    assert_false(fx.view.flags & CN_PKT_PSEUDO);
    assert_int_equal(fx.view.pcap_cnt, 42);
    assert_memory_equal(&fx.view.src, &fx.f.src, sizeof(fx.view.src));
    assert_int_equal(fx.view.sp, 1234);
    assert_int_equal(fx.view.dp, 80);
    free(buf);
    unload(&fx);
}

/* Hostile input: empty and NULL chunks are ignored; a non-TCP or flowless packet inspects
 * nothing. */
static void test_degenerate_calls(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n");
    struct cn_packet p;
    const struct cn_alert *a;
    flow_packet(&fx, &p, true, 1, NULL);
    assert_int_equal(feed_n(&fx, &p, true, "", 0, 0), 0);
    assert_int_equal(cn_detect_stream_data(fx.ctx, &fx.f, &p, true, NULL, 4, 0, 0, &fx.view, &a),
                     0);
    assert_int_equal(feed(&fx, &p, true, "EVIL", 0), 0);
    p.flow = NULL;
    assert_int_equal(inspect(&fx, &p, 4), 0);
    p.flow = &fx.f;
    p.flags &= ~(uint32_t)CN_PKT_TCP;
    assert_int_equal(inspect(&fx, &p, 4), 0);
    p.flags |= CN_PKT_TCP;
    assert_int_equal(inspect(&fx, &p, 4), S(1));
    assert_view(&fx, "EVIL");
    unload(&fx);
}

/* The flow-end pseudo packet of an established flow is established, as Suricata's are
 * (FlowForceReassemblyPseudoPacketSetup): flow:established rules (most of ET) see the data
 * inspected at flow end; a flow that never got established does not. */
static void test_flush_established(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (flow:established,to_client; content:\"EVIL\"; "
              "sid:1;)\n");
    struct cn_packet tc;
    flow_packet(&fx, &tc, false, 1, NULL);
    assert_int_equal(feed(&fx, &tc, false, "EVIL", 0), 0);
    assert_int_equal(flush(&fx, false), 0); /* state NEW */
    unload(&fx);

    load(&fx, "alert tcp any any -> any any (flow:established,to_client; content:\"EVIL\"; "
              "sid:1;)\n");
    flow_packet(&fx, &tc, false, 1, NULL);
    fx.f.state = CN_FLOW_ESTABLISHED;
    assert_int_equal(feed(&fx, &tc, false, "EVIL", 0), 0);
    assert_int_equal(flush(&fx, false), S(1));
    unload(&fx);
}

/* flow:only_stream matches stream data only, flow:no_stream packets only. */
static void test_only_stream(void **state)
{
    (void)state;
    struct fixture fx;
    load(&fx, "alert tcp any any -> any any (flow:only_stream; content:\"EVIL\"; sid:1;)\n"
              "alert tcp any any -> any any (flow:no_stream; content:\"EVIL\"; sid:2;)\n");
    struct cn_packet p;
    flow_packet(&fx, &p, true, 1, "EVIL");
    assert_int_equal(feed(&fx, &p, true, "EVIL", 0), 0);
    assert_int_equal(inspect(&fx, &p, 4), S(1));
    assert_int_equal(packet(&fx, &p), S(2));
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alert_when_acked),
        cmocka_unit_test(test_one_window),
        cmocka_unit_test(test_partial_ack),
        cmocka_unit_test(test_split_between_windows),
        cmocka_unit_test(test_context_is_64_bytes),
        cmocka_unit_test(test_repeat_alerts_again),
        cmocka_unit_test(test_context_survives_idle),
        cmocka_unit_test(test_gap_marker),
        cmocka_unit_test(test_gap_first),
        cmocka_unit_test(test_flush_to_client),
        cmocka_unit_test(test_flush_rest_only),
        cmocka_unit_test(test_flush_without_state),
        cmocka_unit_test(test_sources_packet_in_stream),
        cmocka_unit_test(test_sources_packet_without_session),
        cmocka_unit_test(test_no_stream_rules),
        cmocka_unit_test(test_flow_keywords_on_stream),
        cmocka_unit_test(test_bound_inspects_at_once),
        cmocka_unit_test(test_bound_per_direction),
        cmocka_unit_test(test_directions),
        cmocka_unit_test(test_inspect_other_direction),
        cmocka_unit_test(test_view_other_direction),
        cmocka_unit_test(test_degenerate_calls),
        cmocka_unit_test(test_flush_established),
        cmocka_unit_test(test_only_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
