/* stream internals: the session and per-direction structs shared by session.c (the TCP state
 * machine), reassembly.c (segments and in-order delivery), segpool.c (the segment allocator)
 * and events.c (events and counters). Nothing here is visible outside src/stream. */
#ifndef CN_STREAM_INT_H
#define CN_STREAM_INT_H

#include "stream/stream.h"

/* ---- sequence arithmetic: RFC 9293 section 3.4, modulo 2^32 ---- */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static inline bool seq_leq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}
static inline bool seq_geq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
    return seq_gt(a, b) ? a : b;
}
static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? a : b;
}

/* A stored piece of one direction's stream: header and bytes in one pooled buffer. */
struct cn_seg {
    struct cn_seg *next;
    uint32_t seq; /* sequence number of data[0] */
    uint32_t len;
    uint32_t cap; /* bytes data[] can hold */
    uint8_t cls;  /* size class in the pool, SEG_CLASS_NONE for a one-off buffer */
    uint8_t data[];
};
#define SEG_CLASSES    5
#define SEG_CLASS_NONE 0xff

/* Per-direction flags (struct cn_dir.flags). */
enum {
    DIR_SEEN = 1u << 0,      /* sequence space known (SYN seen, or picked up midstream) */
    DIR_FIN = 1u << 1,       /* FIN seen; fin_seq is valid */
    DIR_FIN_ACKED = 1u << 2, /* the peer acknowledged the FIN */
    DIR_EOF = 1u << 3,       /* EOF handed to the consumer; nothing more is delivered */
    DIR_DEPTH = 1u << 4,     /* reassembly depth reached */
    DIR_TS = 1u << 5,        /* sent the timestamp option on its SYN */
    DIR_WSCALE = 1u << 6,    /* sent the window scale option on its SYN */
    DIR_WIN_KNOWN = 1u << 7, /* window (and so next_win) is meaningful */
    DIR_GAP = 1u << 8,       /* gap_lo/gap_hi describe the last gap */
    DIR_HAD_GAP = 1u << 9,   /* a gap was reported (acknowledged bytes never seen): EVE ts_gap */
};

/* One sender's side of a session. The "sender" of a struct cn_dir is the host whose bytes it
 * reassembles; last_ack and next_win are about those bytes as the peer sees them. */
struct cn_dir {
    uint32_t isn;      /* initial sequence number (for midstream pickups: first seq - 1) */
    uint32_t next_seq; /* right edge of what the sender has sent, as far as seen */
    uint32_t last_ack; /* highest ACK the peer sent for these bytes */
    uint32_t next_win; /* right edge the peer's window ever allowed: last_ack + peer window */
    uint32_t window;   /* the window this sender advertises (scaled), for the peer's bytes */
    uint32_t fin_seq;  /* sequence number of the FIN */
    uint32_t ts_last;  /* last TSval accepted (RFC 7323 TS.Recent) */
    uint32_t base;     /* next sequence number to deliver */
    uint32_t gap_lo, gap_hi;
    uint16_t flags;
    uint8_t wscale;
    uint16_t ooo_n;      /* segments in ooo */
    uint8_t max_regions; /* most regions the held data ever formed (EVE *_max_regions); 0 = 1 */
    uint32_t ret_bytes;
    cn_time_t ts_time;  /* when ts_last was taken */
    uint64_t offset;    /* stream offset of base */
    uint64_t bytes;     /* payload bytes that advanced next_seq */
    struct cn_seg *ooo; /* out-of-order data past base: sorted, non-overlapping */
    struct cn_seg *ret; /* delivered but not yet acknowledged: sorted, oldest first */
    struct cn_seg *ret_tail;
};

/* Session flags (struct cn_session.flags). */
enum {
    SSN_MIDSTREAM = 1u << 0,        /* picked up without a handshake */
    SSN_MIDSTREAM_SYNACK = 1u << 1, /* picked up from a SYN/ACK */
    SSN_ASYNC = 1u << 2,            /* one-sided: only the client's packets are seen */
    SSN_TIMESTAMP = 1u << 3,        /* both sides agreed on timestamps */
    SSN_WSCALE = 1u << 4,           /* both sides agreed on window scaling */
    SSN_4WHS = 1u << 5,             /* simultaneous open: SYN from both sides */
    SSN_SERVER_FIN_FIRST = 1u << 6, /* the server closed first (FIN_WAIT path) */
    SSN_CLIENT_FIN_FIRST = 1u << 7, /* the client closed first (CLOSE_WAIT path) */
};

enum { CLI = 0, SRV = 1 }; /* index into struct cn_session.d: client (toserver) and server */

struct cn_session {
    struct cn_dir d[2];
    uint8_t state; /* enum cn_tcp_state */
    uint8_t synack_n;
    uint16_t flags;
    uint32_t synack_seq, synack_ack; /* the SYN/ACK that moved us to SYN_RECV */
    struct cn_session *next_free;
};

#define STREAM_SEG_CACHE_BYTES (4u << 20)    /* free segment buffers kept per context */
#define STREAM_SSN_CACHE       1024          /* free sessions kept per context */
#define STREAM_RETAIN_BUDGET   (32ull << 20) /* retained (delivered, unACKed) bytes per context */
#define STREAM_RETAIN_DIR      (64u << 10)   /* ... and per direction */
#define STREAM_MAX_OOO         2048          /* out-of-order segments per direction */
#define STREAM_PAWS_IDLE       (24ull * 86400 * CN_USEC) /* RFC 7323 section 5.5: 24 days */

struct cn_stream_ctx {
    struct cn_stream_config cfg;
    struct cn_stream_hooks hooks;
    struct cn_stats *stats;
    struct cn_stats own_stats; /* used when the caller passes no stats */
    struct cn_memcap ssn_mc, ra_mc;
    struct cn_session *ssn_free;
    uint32_t ssn_free_n;
    struct cn_seg *seg_free[SEG_CLASSES];
    uint32_t seg_free_n[SEG_CLASSES];
    uint64_t retained;
    uint64_t retain_budget;
    uint64_t active;
};

/* ---- events.c ---- */
void cn_stream_ev(struct cn_stream_ctx *ctx, struct cn_packet *p, enum cn_event_id ev,
                  enum cn_stat_id counter);
#define STREAM_EV(ctx, p, X) cn_stream_ev((ctx), (p), CN_EV_STREAM_##X, CN_STAT_EV_STREAM_##X)
static inline void cn_stream_count(struct cn_stream_ctx *ctx, enum cn_stat_id id)
{
    ctx->stats->v[id]++;
}
void cn_stream_gauges(struct cn_stream_ctx *ctx);

/* ---- segpool.c ---- */
struct cn_seg *cn_stream_seg_get(struct cn_stream_ctx *ctx, uint32_t len);
void cn_stream_seg_put(struct cn_stream_ctx *ctx, struct cn_seg *s);
void cn_stream_seg_pool_free(struct cn_stream_ctx *ctx);

/* ---- reassembly.c ---- */
/* New payload bytes [seq, seq+len) from the sender of direction di. */
void cn_stream_ra_data(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn, int di,
                       struct cn_packet *p, uint32_t seq, const uint8_t *data, uint32_t len);
/* The peer acknowledged direction di up to ack (already stored in last_ack). */
void cn_stream_ra_ack(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn, int di,
                      struct cn_packet *p);
/* Delivers EOF once all data up to the FIN is delivered. */
void cn_stream_ra_check_eof(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn,
                            int di, struct cn_packet *p);
/* The direction is over (RST, flow end): delivers what is queued, with gaps, then EOF. */
void cn_stream_ra_finish(struct cn_stream_ctx *ctx, struct cn_flow *f, struct cn_session *ssn,
                         int di, struct cn_packet *p);
/* Frees every stored segment of the direction. */
void cn_stream_ra_free(struct cn_stream_ctx *ctx, struct cn_dir *d);

#endif
