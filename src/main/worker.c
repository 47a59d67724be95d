/* A worker: one instance of the pipeline (decode -> flow -> stream -> detect -> output) with its
 * own counters, flow table shard and buffers, owned by exactly one thread. This file is where the
 * stages are wired together: the flow table's end-of-flow hook and the stream engine's data
 * hook point back here, so no stage includes a later one. */
#include "main/main_int.h"

/* A flow is ending: the stream engine delivers what is left, raw-stream detection inspects
 * what it had not yet (alerts with a pseudo packet, before the flow record so "alerted" is
 * right), the flow is logged while its TCP session still tells the state and flags, and then
 * the session and the detection state go. */
static void on_flow_end(void *user, struct cn_flow *f)
{
    struct cn_worker *w = user;
    if (w->detect) {
        cn_stream_flow_finish(w->stream, f);
        for (int d = 0; d < 2; d++) {
            const struct cn_alert *alerts;
            unsigned n = cn_detect_stream_flush(w->detect, f, d == 0, &w->view, &alerts);
            if (n)
                cn_output_alerts(w->out, &w->view, alerts, n);
        }
        cn_detect_stream_release(w->detect, f);
    }
    cn_output_flow(w->out, f);
    cn_stream_flow_end(w->stream, f);
    cn_detect_flow_end(f);
}

static bool on_tcp_syn(void *user, const struct cn_flow *f, const struct cn_packet *p,
                       bool toserver)
{
    struct cn_worker *w = user;
    return cn_stream_reuse_wanted(w->stream, f, p, toserver);
}

/* Reassembled TCP data: protocol detection looks at its start, raw-stream detection buffers
 * it (and inspects early when a buffer is full). */
static void on_stream_data(void *user, struct cn_flow *f, struct cn_packet *p, bool toserver,
                           const uint8_t *data, uint32_t len, uint64_t offset, uint32_t flags)
{
    struct cn_worker *w = user;
    cn_app_stream_data(f, p, toserver, data, len, offset, flags);
    if (!w->detect)
        return;
    const struct cn_alert *alerts;
    unsigned n = cn_detect_stream_data(w->detect, f, p, toserver, data, len, offset, flags,
                                       &w->view, &alerts);
    if (n)
        cn_output_alerts(w->out, &w->view, alerts, n);
}

struct cn_worker *cn_worker_new(unsigned id, const struct cn_settings *s, struct cn_output *out)
{
    struct cn_worker *w = cn_calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->id = id;
    struct cn_flow_hooks fh = {.flow_end = on_flow_end, .tcp_reuse = on_tcp_syn, .user = w};
    struct cn_stream_hooks sh = {on_stream_data, w};
    w->decode = cn_decode_ctx_new(&s->decode, &w->stats);
    w->stream = cn_stream_ctx_new(&s->stream, &sh, &w->stats);
    w->flows = cn_flow_table_new(&s->flow, &fh, &w->stats);
    w->out = cn_output_thread_new(out);
    /* without a rule there is nothing to detect: no per-packet detection calls at all */
    bool rules = s->rules && cn_ruleset_count(s->rules) > 0;
    if (rules)
        w->detect = cn_detect_ctx_new(s->rules, &w->stats);
    if (w->detect && s->rule_prof && cn_detect_ctx_set_profile(w->detect, s->rule_prof) < 0) {
        cn_detect_ctx_free(w->detect);
        w->detect = NULL;
    }
    if (!w->decode || !w->stream || !w->flows || !w->out || (rules && !w->detect)) {
        cn_err("worker %u: cannot allocate its pipeline (memory)", id);
        cn_worker_free(w, 0, NULL);
        return NULL;
    }
    return w;
}

void cn_worker_free(struct cn_worker *w, cn_time_t now, struct cn_stats *final)
{
    if (!w)
        return;
    if (w->flows) {
        cn_flow_flush(w->flows, now ? now : w->last_ts);
        cn_flow_table_free(w->flows);
    }
    if (w->out)
        cn_output_thread_free(w->out);
    cn_detect_ctx_free(w->detect);
    cn_stream_ctx_free(w->stream);
    cn_decode_ctx_free(w->decode);
    if (final)
        cn_stats_merge(final, &w->stats);
    cn_free(w);
}

/* Raw-stream detection after a TCP packet: the packet's own direction, up to what the peer
 * has acknowledged, as Suricata does in IDS mode (inspecting on the acknowledging packet
 * instead frees the data sooner but moves alerts to other packets than Suricata's). */
static void stream_inspect(struct cn_worker *w, struct cn_flow *f, struct cn_packet *p)
{
    const struct cn_alert *alerts;
    unsigned n = cn_detect_stream(w->detect, p, p->toserver, cn_stream_acked(f, p->toserver),
                                  &w->view, &alerts);
    if (n)
        cn_output_alerts(w->out, &w->view, alerts, n);
}

static void process_packet(struct cn_worker *w, struct cn_packet *p)
{
    struct cn_flow *f = cn_flow_handle(w->flows, p);
    if (f && w->detect)
        cn_detect_prefetch(f);
    if (f && (p->flags & CN_PKT_TCP))
        cn_stream_packet(w->stream, w->flows, f, p);
    else if (f && (p->flags & CN_PKT_UDP))
        cn_app_udp_packet(f, p);
    if (w->detect) {
        const struct cn_alert *alerts;
        unsigned n = cn_detect_packet(w->detect, p, &alerts);
        if (n)
            cn_output_alerts(w->out, p, alerts, n);
        if (f && (p->flags & CN_PKT_TCP) && f->detect)
            stream_inspect(w, f, p);
        cn_detect_tags(p);
        if (p->flags & CN_PKT_TAGGED)
            cn_output_tagged_packet(w->out, p);
    }
    if (p->events_n)
        cn_output_packet_events(w->out, p);
}

/* Decodes up to CN_WORKER_AHEAD frames ahead of the one being processed: stage one of the
 * flow prefetch (the bucket) runs at decode time, stage two (the flow itself) half-way.
 * Packets are processed in frame order, each rebuilt datagram right after the fragment that
 * completed it: decoding ahead stops there until the packets before it and the rebuilt
 * datagram have been processed (the rebuilt packet lives in the decoder until its next call). */
void cn_worker_frames(struct cn_worker *w, const struct cn_frame *fr, unsigned n)
{
    const unsigned half = CN_WORKER_AHEAD / 2;
    unsigned next = 0, head = 0; /* frames decoded, frames processed */
    while (head < n) {
        struct cn_packet *rebuilt = NULL;
        while (next < n && next - head < CN_WORKER_AHEAD) {
            struct cn_packet *p = &w->ahead[next % CN_WORKER_AHEAD];
            cn_decode_frame(w->decode, &fr[next], p);
            if (fr[next].ts > w->last_ts)
                w->last_ts = fr[next].ts;
            cn_flow_prefetch_bucket(w->flows, p);
            next++;
            if ((rebuilt = cn_decode_next_rebuilt(w->decode)) != NULL)
                break;
        }
        unsigned stop = rebuilt ? next : head + 1;
        for (; head < stop; head++) {
            if (head + half < next)
                cn_flow_prefetch_flow(w->flows, &w->ahead[(head + half) % CN_WORKER_AHEAD]);
            process_packet(w, &w->ahead[head % CN_WORKER_AHEAD]);
        }
        while (rebuilt) {
            process_packet(w, rebuilt);
            rebuilt = cn_decode_next_rebuilt(w->decode);
        }
    }
}

void cn_worker_frame(struct cn_worker *w, const struct cn_frame *fr)
{
    cn_worker_frames(w, fr, 1);
}

void cn_worker_tick(struct cn_worker *w, cn_time_t now)
{
    if (now > w->last_ts)
        w->last_ts = now;
    cn_flow_timeout(w->flows, now);
    cn_decode_timeout(w->decode, now);
}
