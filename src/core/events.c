/* Anomaly event descriptions, built from events.def: the Suricata name, the layer and the
 * counter each event bumps. */
#include "core/core.h"

const struct cn_event_desc cn_event_descs[CN_EV__COUNT] = {
    [CN_EV_NONE] = {"", CN_EVL_DECODE, 0},
#define CN_DECODER_EVENT(id, name) [CN_EV_##id] = {"decoder." name, CN_EVL_DECODE, CN_STAT_EV_##id},
#define CN_DECODER_EVENT_AS(id, name, stat)                                                        \
    [CN_EV_##id] = {"decoder." name, CN_EVL_DECODE, CN_STAT_##stat},
#define CN_STREAM_EVENT(id, name)   [CN_EV_##id] = {"stream." name, CN_EVL_STREAM, CN_STAT_EV_##id},
#define CN_APPLAYER_EVENT(id, name) [CN_EV_##id] = {name, CN_EVL_APPLAYER, CN_STAT__COUNT},
#include "core/events.def"
#undef CN_DECODER_EVENT
#undef CN_DECODER_EVENT_AS
#undef CN_STREAM_EVENT
#undef CN_APPLAYER_EVENT
};

int cn_event_by_name(const char *name)
{
    for (int i = 1; i < CN_EV__COUNT; i++)
        if (!strcmp(cn_event_descs[i].name, name))
            return i;
    return CN_EV_NONE;
}
