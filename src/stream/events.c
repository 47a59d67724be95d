/* events: raising stream anomaly events on packets and keeping the stream counters. Every
 * event bumps its decoder.event.stream.* counter in the same call, so the stats record and the
 * anomaly records always agree. Events raised after the flow is gone (p == NULL at flow end)
 * still count. */
#include "stream/stream_int.h"

void cn_stream_ev(struct cn_stream_ctx *ctx, struct cn_packet *p, enum cn_event_id ev,
                  enum cn_stat_id counter)
{
    if (p)
        cn_packet_event(p, ev);
    ctx->stats->v[counter]++;
}

void cn_stream_gauges(struct cn_stream_ctx *ctx)
{
    ctx->stats->v[CN_STAT_TCP_ACTIVE_SESSIONS] = ctx->active;
    ctx->stats->v[CN_STAT_TCP_MEMUSE] = ctx->ssn_mc.used;
    ctx->stats->v[CN_STAT_TCP_REASSEMBLY_MEMUSE] = ctx->ra_mc.used;
}
