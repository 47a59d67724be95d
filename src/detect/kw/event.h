/* detect/kw: what decode-event, stream-event and app-layer-event share. Each names one of the
 * anomaly events raised on the packet (the names of src/core/events.def, decode and stream
 * ones without their "decoder." or "stream." prefix); the rule matches when the packet
 * carries it. */
#ifndef CN_DETECT_KW_EVENT_H
#define CN_DETECT_KW_EVENT_H

#include <stdio.h>

#include "detect/detect_int.h"

/* Files the event id ev as the rule's packet match. */
static inline int cn_kw_event_attach(struct cn_rule_builder *b, const struct cn_keyword *kw, int ev,
                                     char *err, size_t errlen)
{
    uint16_t *id = cn_malloc(sizeof(*id));
    if (id == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *id = (uint16_t)ev;
    if (cn_rule_add_match(b->rule, CN_LIST_PACKET, kw, id) < 0) { /* it freed id */
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    return 0;
}

static inline int cn_kw_event_setup(struct cn_rule_builder *b, const struct cn_keyword *kw,
                                    const char *prefix, const char *value, char *err, size_t errlen)
{
    char name[128];
    if (value == NULL || snprintf(name, sizeof(name), "%s%s", prefix, value) >= (int)sizeof(name)) {
        snprintf(err, errlen, "%s needs an event name", kw->name);
        return -CN_EINVAL;
    }
    int ev = cn_event_by_name(name);
    if (ev == CN_EV_NONE) {
        snprintf(err, errlen, "unknown event '%.60s'", value);
        return -CN_EINVAL;
    }
    return cn_kw_event_attach(b, kw, ev, err, errlen);
}

static inline bool cn_kw_event_match(struct cn_inspect *in, const void *data)
{
    return cn_packet_has_event(in->p, (enum cn_event_id) * (const uint16_t *)data);
}

#endif
