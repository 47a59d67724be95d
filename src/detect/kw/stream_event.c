/* stream-event: the packet carries the named TCP stream anomaly, e.g.
 * stream-event:pkt_invalid_timestamp (Suricata's name without "stream."). */
#include "detect/kw/event.h"

extern const struct cn_keyword cn_kw_stream_event;

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_kw_event_setup(b, &cn_kw_stream_event, "stream.", value, err, errlen);
}

const struct cn_keyword cn_kw_stream_event = {
    .name = "stream-event",
    .setup = setup,
    .match = cn_kw_event_match,
    .free = cn_free,
};
