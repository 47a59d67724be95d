/* app: the application layer. For now, protocol detection: which application protocol each
 * direction of a flow carries, decided on its first bytes (TCP: the reassembled stream; UDP:
 * the first datagram), as Suricata's protocol detection does. The flow keeps the result
 * (f->app_proto, f->alproto_ts, f->alproto_tc); the packet that completes a direction's
 * detection carries CN_PKT_PD_TS_DONE or CN_PKT_PD_TC_DONE, which app-layer-protocol rules
 * wait for. Parsers for the protocols come with the application-layer issue.
 *
 * Public header of src/app; needs core, decode, flow (and stream for the chunk flags). */
#ifndef CN_APP_H
#define CN_APP_H

#include "core/core.h"
#include "decode/decode.h"
#include "flow/flow.h"

enum cn_alproto {
    CN_ALPROTO_UNKNOWN = 0,
#define CN_ALPROTO(id, name) CN_ALPROTO_##id,
#include "app/protocols.def"
#undef CN_ALPROTO
    CN_ALPROTO_FAILED, /* detection ran and recognised nothing */
    CN_ALPROTO__COUNT
};

/* "http1", "tls", ... ; "unknown" and "failed" for those two; NULL out of range. */
CN_API const char *cn_alproto_name(unsigned id);
/* The name EVE records use: as cn_alproto_name(), except HTTP/1 which Suricata logs as
 * "http". */
CN_API const char *cn_alproto_eve_name(unsigned id);
/* The id of a name (case-sensitive, as rules spell them; "failed" included), or
 * CN_ALPROTO_UNKNOWN when cleannet does not know the name. */
CN_API enum cn_alproto cn_alproto_by_name(const char *name);
/* Does a rule's protocol cover the flow's? Equal ids, and "http" covers http1 and http2. */
CN_API bool cn_alproto_covers(unsigned rule, unsigned flow);

/* Reassembled TCP data of one direction (the stream hook's arguments): runs detection while
 * the direction is undecided and flags p when it decides. */
CN_API void cn_app_stream_data(struct cn_flow *f, struct cn_packet *p, bool toserver,
                               const uint8_t *data, uint32_t len, uint64_t offset, uint32_t flags);
/* A UDP packet of flow f (after the flow lookup): its payload decides its direction. */
CN_API void cn_app_udp_packet(struct cn_flow *f, struct cn_packet *p);

#endif
