/* decode-event: the packet carries the named decoder anomaly, e.g.
 * decode-event:ipv4.trunc_pkt (Suricata's name without "decoder."). */
#include "detect/kw/event.h"

extern const struct cn_keyword cn_kw_decode_event;

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_kw_event_setup(b, &cn_kw_decode_event, "decoder.", value, err, errlen);
}

const struct cn_keyword cn_kw_decode_event = {
    .name = "decode-event",
    .setup = setup,
    .match = cn_kw_event_match,
    .free = cn_free,
};
