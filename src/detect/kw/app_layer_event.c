/* app-layer-event: the packet carries the named application-layer anomaly. Value: one of the
 * protocol-detection events of src/app/events.def in any case
 * (app-layer-event:applayer_mismatch_protocol_both_directions), or PROTO.EVENT for an event
 * of a protocol parser (http.invalid_transfer_encoding_value_in_request). Parsers and their
 * events come with the application-layer issue, so the second form fails to load naming the
 * parser it waits for, and the rule's other keywords are not the reason. */
#include <ctype.h>

#include "detect/kw/event.h"

extern const struct cn_keyword cn_kw_app_layer_event;

static int detection_event(const char *value)
{
    char name[96];
    size_t n = strlen(value);
    if (n >= sizeof(name))
        return CN_EV_NONE;
    for (size_t i = 0; i <= n; i++)
        name[i] = (char)toupper((unsigned char)value[i]);
    int ev = cn_event_by_name(name);
    return ev != CN_EV_NONE && cn_event_descs[ev].layer == CN_EVL_APPLAYER ? ev : CN_EV_NONE;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    if (value == NULL || *value == '\0') {
        snprintf(err, errlen, "app-layer-event needs an event name");
        return -CN_EINVAL;
    }
    int ev = detection_event(value);
    if (ev == CN_EV_NONE) {
        const char *dot = strchr(value, '.');
        if (dot && dot > value)
            snprintf(err, errlen, "%.60s needs the %.*s parser, not in cleannet yet", value,
                     (int)CN_MIN((size_t)(dot - value), 16), value);
        else
            snprintf(err, errlen, "app-layer-event: unknown event '%.60s'", value);
        return -CN_EINVAL;
    }
    return cn_kw_event_attach(b, &cn_kw_app_layer_event, ev, err, errlen);
}

const struct cn_keyword cn_kw_app_layer_event = {
    .name = "app-layer-event",
    .setup = setup,
    .match = cn_kw_event_match,
    .free = cn_free,
};
