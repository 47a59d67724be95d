/* eve_anomaly: one "anomaly" record per event raised on a packet, as Suricata's anomaly
 * logger writes them: the packet's header (its own direction, with pcap_cnt, and flow_id when
 * the packet has a flow), then for decode and stream events {"type": "decode"|"stream",
 * "event": "<Suricata's event name>"} and for protocol-detection events {"app_proto": <the
 * flow's>, "type": "applayer", "event": "APPLAYER_...", "layer": "proto_detect"}. Which layers
 * are logged follows eve-log.anomaly.types (Suricata's stock configuration logs only
 * applayer). Parser events ("layer": "proto_parser") come with the parsers. */
#include "output/output_int.h"

void cn_output_packet_events(struct cn_output_thread *ot, const struct cn_packet *p)
{
    const struct cn_output_config *cfg = &ot->out->cfg;
    if (CN_LIKELY(p->events_n == 0) || !ot->eve_buf || !cfg->type_anomaly)
        return;
    if (!cfg->anomaly_decode && !cfg->anomaly_stream && !cfg->anomaly_applayer)
        return;
    unsigned n = CN_MIN(p->events_n, CN_PKT_MAX_EVENTS);
    for (unsigned i = 0; i < n; i++) {
        unsigned id = p->events[i];
        struct cn_json *j = &ot->js;
        const char *type;
        bool known = id > CN_EV_NONE && id < CN_EV__COUNT;
        if (known && cn_event_descs[id].layer == CN_EVL_DECODE) {
            if (!cfg->anomaly_decode)
                continue;
            type = "decode";
        } else if (known && cn_event_descs[id].layer == CN_EVL_STREAM) {
            if (!cfg->anomaly_stream)
                continue;
            type = "stream";
        } else if (!known) {
            /* an id outside the table: Suricata logs such codes as type "unknown" */
            if (!cfg->anomaly_decode)
                continue;
            type = "unknown";
        } else {
            if (!cfg->anomaly_applayer)
                continue;
            type = "applayer";
        }
        bool applayer = known && cn_event_descs[id].layer == CN_EVL_APPLAYER;
        cn_eve_packet_header(ot, p, CN_EVE_ANOMALY);
        cn_json_open_object(j, "anomaly");
        if (applayer)
            cn_json_str(j, "app_proto",
                        cn_alproto_eve_name(p->flow ? p->flow->app_proto : CN_ALPROTO_UNKNOWN));
        cn_json_str(j, "type", type);
        if (known)
            cn_json_str(j, "event", cn_event_descs[id].name);
        else
            cn_json_u64(j, "code", id);
        if (applayer)
            cn_json_str(j, "layer", "proto_detect");
        cn_json_close(j);
        cn_eve_commit(ot, CN_EVE_ANOMALY);
    }
}
