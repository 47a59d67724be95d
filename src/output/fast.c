/* fast: the fast.log file, Suricata's one-line-per-alert text log. The file is opened with
 * eve.json by cn_output_open(); each worker collects lines in its own buffer and writes them
 * out whole, like the EVE writer. This file formats the line (Suricata's alert-fastlog.c
 * layout), its time stamp, and the buffered write. */
#include <stdio.h>

#include "output/output_int.h"

int cn_fast_time_format(struct cn_tscache *c, cn_time_t t, char out[CN_FAST_TIME_STRLEN])
{
    /* rearranged from the EVE form, so both logs agree on the time zone:
     * 2024-01-02T03:04:05.123456+0000 -> 01/02/2024-03:04:05.123456 */
    char iso[CN_TIME_STRLEN];
    int n = cn_tscache_format(c, t, iso);
    if (n < 26 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T') {
        out[0] = '\0';
        return 0;
    }
    memcpy(out, iso + 5, 2); /* month */
    out[2] = '/';
    memcpy(out + 3, iso + 8, 2); /* day */
    out[5] = '/';
    memcpy(out + 6, iso, 4); /* year */
    out[10] = '-';
    memcpy(out + 11, iso + 11, 15); /* HH:MM:SS.uuuuuu */
    out[26] = '\0';
    return 26;
}

void cn_fast_flush(struct cn_output_thread *ot)
{
    if (ot->fast_len) {
        cn_logfile_write(&ot->out->fast, ot->fast_buf, ot->fast_len);
        ot->fast_len = 0;
    }
}

void cn_fast_write_line(struct cn_output_thread *ot, const char *line, size_t len)
{
    if (!ot->fast_buf || len == 0)
        return;
    if (ot->fast_len + len > CN_FAST_THREAD_BUF)
        cn_fast_flush(ot);
    if (len > CN_FAST_THREAD_BUF) {
        cn_logfile_write(&ot->out->fast, line, len);
        return;
    }
    memcpy(ot->fast_buf + ot->fast_len, line, len);
    ot->fast_len += len;
}

/* Suricata's line:
 *   TIME  [**] [gid:sid:rev] msg [**] [Classification: class] [Priority: N] {PROTO} src:sp ->
 * dst:dp with "[Drop] " (inline) or "[wDrop] " (IDS: would drop) before the first "[**]" for drop
 * and reject rules. The classification is left out for rules without a classtype, as Snort's
 * alert_fast does, instead of printing a null text. ICMP shows type and code as the ports. */
size_t cn_fast_alert_line(struct cn_tscache *c, const struct cn_packet *p, const struct cn_alert *a,
                          bool ips, char *out, size_t outlen)
{
    if (outlen < 2)
        return 0;
    char ts[CN_FAST_TIME_STRLEN];
    cn_fast_time_format(c, p->ts, ts);
    const char *action = "";
    if (a->action != CN_ACTION_ALERT && a->action != CN_ACTION_PASS)
        action = ips ? "[Drop] " : "[wDrop] ";
    char proto_num[16];
    const char *proto = cn_output_proto_name(p->proto);
    if (!proto) {
        snprintf(proto_num, sizeof(proto_num), "PROTO:%03u", p->proto);
        proto = proto_num;
    }
    unsigned sp = p->sp, dp = p->dp;
    if (p->flags & (CN_PKT_ICMPV4 | CN_PKT_ICMPV6)) {
        sp = p->icmp.type;
        dp = p->icmp.code;
    }
    char src[CN_ADDR_STRLEN], dst[CN_ADDR_STRLEN];
    cn_addr_format(&p->src, cn_packet_family(p), src);
    cn_addr_format(&p->dst, cn_packet_family(p), dst);
    const struct cn_rule *r = a->rule;
    const char *cls = cn_rule_category(r);
    char clsbuf[256] = "";
    if (cls && cls[0])
        snprintf(clsbuf, sizeof(clsbuf), " [Classification: %s]", cls);
    int n = snprintf(out, outlen,
                     "%s  %s[**] [%u:%u:%u] %s [**]%s [Priority: %d] {%s} %s:%u -> %s:%u\n", ts,
                     action, cn_rule_gid(r), cn_rule_sid(r), cn_rule_rev(r), cn_rule_msg(r), clsbuf,
                     cn_rule_priority(r), proto, src, sp, dst, dp);
    if (n < 0)
        return 0;
    if ((size_t)n >= outlen) {
        /* cut: keep the line a line */
        out[outlen - 2] = '\n';
        return outlen - 1;
    }
    return (size_t)n;
}
