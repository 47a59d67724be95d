/* stream: TCP session tracking and per-direction reassembly.
 *
 * Tracks the handshake (or picks a session up midstream when allowed), sequence windows and
 * the close (FIN/RST), raises Suricata's stream.* anomaly events on the packet, and turns each
 * direction's segments into an in-order byte stream. Segments are kept only while they are
 * needed (out of order, or not yet acknowledged so overlaps can be compared); in-order data is
 * handed to the consumer as soon as it is contiguous. Gaps (lost data) are reported as such.
 *
 * Public header of src/stream; needs core, decode and flow. */
#ifndef CN_STREAM_H
#define CN_STREAM_H

#include "core/core.h"
#include "decode/decode.h"
#include "flow/flow.h"

enum cn_tcp_state {
    CN_TCP_NONE,
    CN_TCP_SYN_SENT,
    CN_TCP_SYN_RECV,
    CN_TCP_ESTABLISHED,
    CN_TCP_FIN_WAIT1,
    CN_TCP_FIN_WAIT2,
    CN_TCP_TIME_WAIT,
    CN_TCP_LAST_ACK,
    CN_TCP_CLOSE_WAIT,
    CN_TCP_CLOSING,
    CN_TCP_CLOSED,
};

/* Flags of a chunk handed to the consumer. */
enum cn_stream_chunk_flag {
    CN_STREAM_GAP = 1u << 0,   /* len bytes are missing before this point; data is NULL */
    CN_STREAM_EOF = 1u << 1,   /* the direction is closed (FIN, RST or flow end); may be empty */
    CN_STREAM_DEPTH = 1u << 2, /* reassembly depth reached: no more data will follow */
};

/* The consumer of reassembled data (the application layer and raw-stream detection, wired by
 * src/main). Called in stream order per direction; offset is the chunk's position in that
 * direction's stream, starting at 0 with the first byte after the SYN. p is the packet that
 * made the data available (NULL when the flow ends). */
struct cn_stream_hooks {
    void (*data)(void *user, struct cn_flow *f, struct cn_packet *p, bool toserver,
                 const uint8_t *data, uint32_t len, uint64_t offset, uint32_t flags);
    void *user;
};

enum cn_stream_overlap_policy {
    CN_OVERLAP_BSD, /* Suricata's default */
    CN_OVERLAP_FIRST,
    CN_OVERLAP_LAST,
    CN_OVERLAP_LINUX,
    CN_OVERLAP_WINDOWS,
    CN_OVERLAP_SOLARIS,
};

struct cn_stream_config {
    uint64_t memcap;            /* sessions, this worker's share; default 64 MiB */
    uint64_t reassembly_memcap; /* segments, this worker's share; default 256 MiB */
    uint64_t depth;             /* reassembly depth per direction; default 1 MiB, 0 = no limit */
    bool midstream;             /* pick up sessions without a handshake; default false */
    bool async_oneside;         /* accept one-sided sessions; default false */
    bool checksum_validation;   /* ignore packets with bad TCP checksums; default true */
    uint32_t max_synack_queue;  /* default 5 */
    enum cn_stream_overlap_policy overlap_policy;
};
CN_API void cn_stream_config_defaults(struct cn_stream_config *cfg);

struct cn_stream_ctx; /* per worker */
CN_API struct cn_stream_ctx *cn_stream_ctx_new(const struct cn_stream_config *cfg,
                                               const struct cn_stream_hooks *hooks,
                                               struct cn_stats *stats);
CN_API void cn_stream_ctx_free(struct cn_stream_ctx *ctx);

/* Tracks one TCP packet of flow f (p->flow == f). Raises stream events on p, may swap the
 * flow's direction (cn_flow_swap) and set its state, and delivers reassembled data. */
CN_API void cn_stream_packet(struct cn_stream_ctx *ctx, struct cn_flow_table *ft, struct cn_flow *f,
                             struct cn_packet *p);

/* The flow is ending: delivers what can still be delivered (gaps included) and EOF, and keeps
 * the session for the flow's record; cn_stream_flow_end() then frees it (and delivers first
 * when this was not called). Both are safe on flows without a session. */
CN_API void cn_stream_flow_finish(struct cn_stream_ctx *ctx, struct cn_flow *f);
CN_API void cn_stream_flow_end(struct cn_stream_ctx *ctx, struct cn_flow *f);

CN_API enum cn_tcp_state cn_stream_state(const struct cn_flow *f);
CN_API const char *cn_tcp_state_name(enum cn_tcp_state s); /* "established", "fin_wait1", ... */

/* How far the peer has acknowledged the direction's stream: a stream offset, at most what was
 * delivered; UINT64_MAX for a one-sided session (no ACK will be seen). Raw-stream detection
 * inspects data up to here, as Suricata does in IDS mode. */
CN_API uint64_t cn_stream_acked(const struct cn_flow *f, bool toserver);

/* Bytes received in the direction so far (for the stream_size keyword and EVE). */
CN_API uint64_t cn_stream_bytes(const struct cn_flow *f, bool toserver);
/* Does TCP packet p, a SYN or SYN/ACK on flow f, start a new connection on the flow's ports
 * (port reuse)? For the flow table's tcp_reuse hook. */
CN_API bool cn_stream_reuse_wanted(const struct cn_stream_ctx *ctx, const struct cn_flow *f,
                                   const struct cn_packet *p, bool toserver);
/* For EVE flow records: did the direction have a reported gap, and the most regions its
 * held data formed (Suricata's ts/tc_max_regions; 1 unless out-of-order data lay more than
 * 256 KiB beyond the rest). */
CN_API void cn_stream_summary(const struct cn_flow *f, bool toserver, bool *gap,
                              unsigned *max_regions);

CN_API const struct cn_memcap *cn_stream_session_memcap(const struct cn_stream_ctx *ctx);
CN_API const struct cn_memcap *cn_stream_reassembly_memcap(const struct cn_stream_ctx *ctx);

#endif
