/* eve_flow: the "flow" record written when a flow ends, with Suricata's fields and order:
 * the header (client as src, server as dest), "flow" with the per-direction packet and byte
 * counts, start, end, age, state, end reason, whether it alerted and "action": "pass" when
 * a pass rule passed it, then "ether" and
 * "community_id" when enabled, and for TCP a "tcp" object with the flags seen (as hex and
 * as booleans) and the session's final state. */
#include "output/output_int.h"

/* The session's final state, then, as Suricata: tc_gap/ts_gap when a direction had a gap,
 * and the most buffer regions each direction used. */
static void put_session(struct cn_json *j, const struct cn_flow *f)
{
    const char *st = cn_tcp_state_name(cn_stream_state(f));
    if (st)
        cn_json_str(j, "state", st);
    bool ts_gap, tc_gap;
    unsigned ts_regions, tc_regions;
    cn_stream_summary(f, true, &ts_gap, &ts_regions);
    cn_stream_summary(f, false, &tc_gap, &tc_regions);
    if (tc_gap)
        cn_json_bool(j, "tc_gap", true);
    if (ts_gap)
        cn_json_bool(j, "ts_gap", true);
    cn_json_u64(j, "ts_max_regions", ts_regions);
    cn_json_u64(j, "tc_max_regions", tc_regions);
}

static void put_flags_hex(struct cn_json *j, const char *key, uint8_t flags)
{
    cn_json_hex(j, key, &flags, 1);
}

/* Only the flags that were seen, to keep records short (Suricata does the same). */
static void put_flag_bools(struct cn_json *j, uint8_t flags)
{
    static const struct {
        uint8_t bit;
        const char *name;
    } names[] = {
        {CN_TH_SYN, "syn"}, {CN_TH_FIN, "fin"}, {CN_TH_RST, "rst"}, {CN_TH_PUSH, "psh"},
        {CN_TH_ACK, "ack"}, {CN_TH_URG, "urg"}, {CN_TH_ECE, "ecn"}, {CN_TH_CWR, "cwr"},
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(names); i++)
        if (flags & names[i].bit)
            cn_json_bool(j, names[i].name, true);
}

void cn_output_flow(struct cn_output_thread *ot, const struct cn_flow *f)
{
    const struct cn_output_config *cfg = &ot->out->cfg;
    if (!ot->eve_buf || !cfg->type_flow || !f)
        return;
    struct cn_json *j = &ot->js;

    /* Suricata stamps the record with the engine's time when it logs the flow; the time of
     * the flow's last packet is the deterministic equivalent (independent of when the
     * timeout pass ran and of the number of workers). */
    cn_eve_flow_header(ot, f, CN_EVE_FLOW, f->last);
    cn_eve_flow_vars(ot, f);

    /* "app_proto" once detection has run on the flow; each direction's own when it differs */
    if (f->app_proto) {
        cn_json_str(j, "app_proto", cn_alproto_eve_name(f->app_proto));
        if (f->alproto_ts && f->alproto_ts != f->app_proto)
            cn_json_str(j, "app_proto_ts", cn_alproto_eve_name(f->alproto_ts));
        if (f->alproto_tc && f->alproto_tc != f->app_proto)
            cn_json_str(j, "app_proto_tc", cn_alproto_eve_name(f->alproto_tc));
    }

    cn_json_open_object(j, "flow");
    cn_json_u64(j, "pkts_toserver", f->pkts_toserver);
    cn_json_u64(j, "pkts_toclient", f->pkts_toclient);
    cn_json_u64(j, "bytes_toserver", f->bytes_toserver);
    cn_json_u64(j, "bytes_toclient", f->bytes_toclient);
    cn_json_time(j, "start", &ot->ts, f->start);
    cn_json_time(j, "end", &ot->ts, f->last);
    /* whole seconds of each end, subtracted: Suricata's definition of age */
    uint64_t s0 = f->start / CN_USEC, s1 = f->last / CN_USEC;
    cn_json_u64(j, "age", s1 > s0 ? s1 - s0 : 0);
    if (f->emergency)
        cn_json_bool(j, "emergency", true);
    const char *state =
        f->state < CN_FLOW_STATE__COUNT ? cn_flow_state_name((enum cn_flow_state)f->state) : NULL;
    if (state)
        cn_json_str(j, "state", state);
    const char *reason = cn_flow_end_reason_name((enum cn_flow_end_reason)f->end_reason);
    cn_json_str(j, "reason", reason ? reason : "unknown");
    cn_json_bool(j, "alerted", f->alerted);
    if (cn_detect_flow_passed(f))
        cn_json_str(j, "action", "pass");
    cn_json_close(j);

    if (cfg->eve_ethernet)
        cn_eve_flow_ether(ot, f);
    cn_eve_community_id(ot, f);

    if (f->proto == 6) {
        /* without a session (never picked up by the stream engine) Suricata reports no
         * flags and no state */
        bool ssn = f->stream != NULL;
        uint8_t ts = ssn ? f->tcp_flags_ts : 0, tc = ssn ? f->tcp_flags_tc : 0;
        cn_json_open_object(j, "tcp");
        put_flags_hex(j, "tcp_flags", (uint8_t)(ts | tc));
        put_flags_hex(j, "tcp_flags_ts", ts);
        put_flags_hex(j, "tcp_flags_tc", tc);
        put_flag_bools(j, (uint8_t)(ts | tc));
        if (ssn)
            put_session(j, f);
        cn_json_close(j);
    }
    cn_eve_commit(ot, CN_EVE_FLOW);
}
