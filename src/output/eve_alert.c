/* eve_alert: the EVE "alert" record and the fast.log line of each alert the signature engine
 * raises on a packet.
 *
 * The record follows Suricata's output-json-alert.c: the packet header (cn_eve_packet_header),
 * then "alert" {action, gid, signature_id, rev, signature, category, severity, metadata},
 * then for packets of a flow the flow's "app_proto", "direction" and a short "flow" object
 * (counters, start, and the endpoints as client -> server), then, as configured, "payload"
 * (base64), "payload_printable" and "stream", and "packet" (base64 of the whole frame) with
 * "packet_info" (link type number and name). Base64 is RFC 4648 section 4 with padding. */
#include "output/output_int.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Makes room for n bytes in the thread's scratch buffer; false when memory runs out. */
static bool scratch_reserve(struct cn_output_thread *ot, size_t n)
{
    if (n <= ot->scratch_cap)
        return true;
    size_t cap = ot->scratch_cap ? ot->scratch_cap : 4096;
    while (cap < n)
        cap *= 2;
    char *s = cn_realloc(ot->scratch, cap);
    if (!s)
        return false;
    ot->scratch = s;
    ot->scratch_cap = cap;
    return true;
}

static void put_base64(struct cn_output_thread *ot, const char *key, const uint8_t *d, size_t len)
{
    size_t out = (len + 2) / 3 * 4;
    if (!scratch_reserve(ot, out + 1)) {
        ot->js.err = true;
        return;
    }
    char *w = ot->scratch;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];
        *w++ = b64_alphabet[v >> 18];
        *w++ = b64_alphabet[(v >> 12) & 63];
        *w++ = b64_alphabet[(v >> 6) & 63];
        *w++ = b64_alphabet[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)d[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)d[i + 1] << 8;
        *w++ = b64_alphabet[v >> 18];
        *w++ = b64_alphabet[(v >> 12) & 63];
        *w++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
        *w++ = '=';
    }
    cn_json_str_n(&ot->js, CN_JSON_KEY(key), ot->scratch, (size_t)(w - ot->scratch));
}

/* Suricata's PrintStringsToBuffer: printable ASCII, CR and LF kept, every other byte '.'. */
static void put_printable(struct cn_output_thread *ot, const uint8_t *d, size_t len)
{
    if (!scratch_reserve(ot, len + 1)) {
        ot->js.err = true;
        return;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = d[i];
        ot->scratch[i] = (ch >= 0x20 && ch < 0x7f) || ch == '\n' || ch == '\r' ? (char)ch : '.';
    }
    cn_json_str_n(&ot->js, "payload_printable", 17, ot->scratch, len);
}

/* "metadata": {key: [values...]}, keys in order of first use, values in rule order. */
static void put_rule_metadata(struct cn_json *j, const struct cn_rule *r)
{
    const char *k0 = cn_rule_metadata_key(r, 0);
    if (!k0)
        return;
    cn_json_open_object(j, "metadata");
    /* a rule has a handful of pairs, so the quadratic grouping costs nothing */
    for (unsigned i = 0; i < 4096; i++) {
        const char *k = cn_rule_metadata_key(r, i);
        if (!k)
            break;
        bool seen = false;
        for (unsigned h = 0; h < i && !seen; h++)
            seen = !strcmp(cn_rule_metadata_key(r, h), k);
        if (seen)
            continue;
        cn_json_open_array(j, k);
        for (unsigned m = i; m < 4096; m++) {
            const char *km = cn_rule_metadata_key(r, m);
            if (!km)
                break;
            if (!strcmp(km, k)) {
                const char *v = cn_rule_metadata_value(r, m);
                cn_json_str(j, NULL, v ? v : "");
            }
        }
        cn_json_close(j);
    }
    cn_json_close(j);
}

/* Suricata's names for link types in "packet_info" (util-datalink.c); the numbers are the
 * DLT values libpcap reports (12 is DLT_RAW, 101 LINKTYPE_RAW as some files carry it). */
static const char *linktype_name(int lt)
{
    switch (lt) {
    case 0:
        return "NULL";
    case 1:
        return "EN10MB";
    case 9:
        return "PPP";
    case 12:
        return "RAW";
    case 101:
        return "RAW2";
    case 104:
        return "C_HDLC";
    case 113:
        return "LINUX_SLL";
    case 228:
        return "IPv4";
    case 229:
        return "IPv6";
    case 276:
        return "LINUX_SLL2";
    case 778:
        return "GRE_RAW";
    default:
        return "n/a";
    }
}

static const char *action_text(enum cn_action a, bool ips)
{
    switch (a) {
    case CN_ACTION_REJECT:
    case CN_ACTION_REJECTSRC:
    case CN_ACTION_REJECTDST:
    case CN_ACTION_REJECTBOTH:
        return "blocked";
    case CN_ACTION_DROP:
        return ips ? "blocked" : "allowed";
    default:
        return "allowed";
    }
}

static bool has_ports(const struct cn_packet *p)
{
    return (p->proto == 6 || p->proto == 17 || p->proto == 132) &&
           ((p->flags & (CN_PKT_TCP | CN_PKT_UDP)) || (p->proto == 132 && p->l4));
}

/* The "flow" object of an alert: counters, start, and the endpoints client -> server, from
 * the packet's addresses turned around for to-client packets (as Suricata does). */
static void put_alert_flow(struct cn_output_thread *ot, const struct cn_packet *p)
{
    struct cn_json *j = &ot->js;
    const struct cn_flow *f = p->flow;
    cn_json_open_object(j, "flow");
    cn_json_u64(j, "pkts_toserver", f->pkts_toserver);
    cn_json_u64(j, "pkts_toclient", f->pkts_toclient);
    cn_json_u64(j, "bytes_toserver", f->bytes_toserver);
    cn_json_u64(j, "bytes_toclient", f->bytes_toclient);
    cn_json_time(j, "start", &ot->ts, f->start);
    int fam = cn_packet_family(p);
    bool ts = p->toserver;
    cn_json_ip(j, "src_ip", ts ? &p->src : &p->dst, fam);
    cn_json_ip(j, "dest_ip", ts ? &p->dst : &p->src, fam);
    if (has_ports(p)) {
        cn_json_u64(j, "src_port", ts ? p->sp : p->dp);
        cn_json_u64(j, "dest_port", ts ? p->dp : p->sp);
    }
    cn_json_close(j);
}

/* "packet" (the whole frame, base64) and "packet_info". */
static void put_packet(struct cn_output_thread *ot, const struct cn_packet *p)
{
    struct cn_json *j = &ot->js;
    put_base64(ot, "packet", p->data, p->caplen);
    cn_json_open_object(j, "packet_info");
    cn_json_u64(j, "linktype", (uint64_t)(p->linktype < 0 ? 0 : p->linktype));
    cn_json_str(j, "linktype_name", linktype_name(p->linktype));
    cn_json_close(j);
}

static void eve_alert(struct cn_output_thread *ot, const struct cn_packet *p,
                      const struct cn_alert *a)
{
    const struct cn_output_config *cfg = &ot->out->cfg;
    struct cn_json *j = &ot->js;
    const struct cn_rule *r = a->rule;
    cn_eve_packet_header(ot, p, CN_EVE_ALERT);

    cn_json_open_object(j, "alert");
    cn_json_str(j, "action", action_text(a->action, cfg->ips_mode));
    cn_json_u64(j, "gid", cn_rule_gid(r));
    cn_json_u64(j, "signature_id", cn_rule_sid(r));
    cn_json_u64(j, "rev", cn_rule_rev(r));
    cn_json_str(j, "signature", cn_rule_msg(r));
    cn_json_str(j, "category", cn_rule_category(r));
    cn_json_u64(j, "severity", (uint64_t)cn_rule_priority(r));
    if (cfg->alert_metadata)
        put_rule_metadata(j, r);
    cn_json_close(j);

    if (p->flow) {
        /* TODO(cn): the flow's application-layer record once src/app parses protocols */
        if (p->flow->app_proto)
            cn_json_str(j, "app_proto", cn_alproto_eve_name(p->flow->app_proto));
        cn_json_str(j, "direction", p->toserver ? "to_server" : "to_client");
        if (cfg->alert_metadata)
            put_alert_flow(ot, p);
    }
    if (cfg->alert_payload || cfg->alert_payload_printable) {
        const uint8_t *pl = p->payload;
        size_t len = pl ? p->payload_len : 0;
        if (cfg->alert_payload)
            put_base64(ot, "payload", pl, len);
        if (cfg->alert_payload_printable)
            put_printable(ot, pl, len);
        /* 1: the payload is the reassembled stream data the rule matched on */
        cn_json_u64(j, "stream", a->stream ? 1 : 0);
    }
    if (cfg->alert_packet && p->data)
        put_packet(ot, p);
    cn_eve_commit(ot, CN_EVE_ALERT);
}

void cn_output_tagged_packet(struct cn_output_thread *ot, const struct cn_packet *p)
{
    const struct cn_output_config *cfg = &ot->out->cfg;
    if (!cfg->type_alert || !cfg->alert_tagged_packets || !ot->eve_buf || !p->data)
        return;
    cn_eve_packet_header(ot, p, CN_EVE_PACKET);
    put_packet(ot, p);
    cn_eve_commit(ot, CN_EVE_PACKET);
}

void cn_output_alerts(struct cn_output_thread *ot, const struct cn_packet *p,
                      const struct cn_alert *alerts, unsigned n)
{
    const struct cn_output_config *cfg = &ot->out->cfg;
    for (unsigned i = 0; i < n; i++) {
        if (!alerts[i].rule)
            continue;
        if (cfg->type_alert && ot->eve_buf)
            eve_alert(ot, p, &alerts[i]);
        if (ot->fast_buf) {
            char line[2048];
            size_t len =
                cn_fast_alert_line(&ot->ts, p, &alerts[i], cfg->ips_mode, line, sizeof(line));
            cn_fast_write_line(ot, line, len);
        }
    }
}
