/* capture: where frames come from. One file per source (pcap file or folder, live libpcap,
 * AF_PACKET TPACKET_V3) behind one ops struct; the source list is capture/sources.def.
 *
 * Public header of src/capture; needs core and decode (for struct cn_frame). */
#ifndef CN_CAPTURE_H
#define CN_CAPTURE_H

#include "core/core.h"
#include "decode/decode.h"

/* The sources, one line each in capture/sources.def: CN_CAPTURE_FILE (-r FILE, or -r DIR: every
 * capture in the folder, in time order), CN_CAPTURE_LIVE (-i IFACE through libpcap),
 * CN_CAPTURE_AFPACKET (--af-packet=IFACE: TPACKET_V3, one socket per worker, fanout). */
enum cn_capture_kind {
#define CN_CAPTURE_SOURCE(kind, ops) CN_CAPTURE_##kind,
#include "capture/sources.def"
#undef CN_CAPTURE_SOURCE
    CN_CAPTURE__COUNT
};

struct cn_capture_config {
    enum cn_capture_kind kind;
    const char *source; /* path or interface name */
    const char *bpf;    /* NULL for none */
    uint32_t snaplen;   /* default 65535 (live); files keep theirs */
    bool promisc;       /* default true */
    uint16_t fanout_id; /* AF_PACKET fanout group id; default 99 */
    uint32_t ring_mb;   /* AF_PACKET ring size per socket in MiB; default 32 */
};
CN_API void cn_capture_config_defaults(struct cn_capture_config *cfg);

struct cn_capture;

/* Opens a source. For AF_PACKET, each worker opens its own handle (worker = 0..n-1) and the
 * sockets join one fanout group hashed by flow; other kinds ignore worker. NULL on failure
 * with a message naming the source in err. */
CN_API struct cn_capture *cn_capture_open(const struct cn_capture_config *cfg, int worker,
                                          char *err, size_t errlen);

/* Next frame: 0 and f filled (valid until the next call), -CN_EEOF at the end of a file
 * source, -CN_EAGAIN when a live source had nothing within its poll interval (or was woken by
 * cn_capture_break()), or another negative code on a read error (cn_capture_error() then
 * tells where): -CN_ETRUNC for a truncated or corrupt capture file, -CN_EIO for a failing
 * interface. A folder does not stop at a broken file: the error is logged, reading goes on
 * with the next file and cn_capture_had_errors() turns true. */
CN_API int cn_capture_next(struct cn_capture *c, struct cn_frame *f);

/* The last error, e.g. "FILE: truncated dump file; tried to read 60 captured bytes, only got
 * 22 at byte 1234" (the offset is where the broken record starts). "" when none. */
CN_API const char *cn_capture_error(const struct cn_capture *c);

/* True once anything went wrong that must make the run exit non-zero: a read error, or in a
 * folder a file that could not be read or broke mid-way (files that are simply not captures
 * are skipped with a warning and do not count). */
CN_API bool cn_capture_had_errors(const struct cn_capture *c);

/* Makes a blocked cn_capture_next() return -CN_EAGAIN soon (async-signal-safe). File sources
 * never block, so for them it does nothing. */
CN_API void cn_capture_break(struct cn_capture *c);

/* Kernel counters for live sources (received, dropped), totals since open; zeros for files. */
CN_API void cn_capture_kernel_stats(struct cn_capture *c, uint64_t *recv, uint64_t *drop);

/* ---- shared walks: every worker reads the capture itself ----
 * A memory-mapped capture file can be walked by several workers at once, each with its own
 * cursor: every cursor sees every frame, in file order, and a worker keeps the frames that
 * are its share (by the dispatch hash), so no reader thread hands frames over. Cursors stay
 * within a bounded distance of each other (a cursor far ahead waits), which bounds the pages
 * kept mapped. */
#define CN_CAPTURE_MAX_WALKERS 64
struct cn_capture_cursor {
    void *src;      /* the capture's own handle */
    unsigned index; /* 0..n-1 */
    size_t off;     /* where the next record starts */
    size_t ahead;   /* cache lines below this offset have been prefetched */
    size_t mark;    /* next offset at which the position is published */
    uint64_t cnt;   /* frames returned so far (pcap_cnt) */
};

/* Prepares n cursors over what is left of the capture; returns n, or 0 when the capture
 * cannot be shared (not a mapped file, or n out of range), and cn_capture_next() reads. */
CN_API unsigned cn_capture_share(struct cn_capture *c, unsigned n);
/* Cursor index (0..n-1) at the capture's current position. */
CN_API void cn_capture_cursor(struct cn_capture *c, struct cn_capture_cursor *cur, unsigned index);
/* Next frame for this cursor: 0 with f filled (valid until the capture is closed),
 * -CN_EEOF at the end of the file, or -CN_EAGAIN when the rest must be read by libpcap (an
 * unusual record): every cursor stops at the same record, then cn_capture_unshare() hands the
 * rest to cn_capture_next(). */
CN_API int cn_capture_cursor_next(struct cn_capture_cursor *cur, struct cn_frame *f);
/* A cursor that stops early (a signal) says so, so the others do not wait for it. */
CN_API void cn_capture_cursor_stop(struct cn_capture_cursor *cur);
/* After every cursor has stopped: cn_capture_next() goes on from where cur stopped. */
CN_API void cn_capture_unshare(struct cn_capture *c, const struct cn_capture_cursor *cur);

CN_API void cn_capture_close(struct cn_capture *c);

#endif
