/* capture internals: the ops struct every source implements, the common header each source
 * embeds at the start of its handle, and the small helpers the sources share (error text,
 * the wake-up eventfd that lets cn_capture_break() interrupt a poll). Not installed; only
 * src/capture/ includes it. */
#ifndef CN_CAPTURE_INT_H
#define CN_CAPTURE_INT_H

#include <stddef.h>

#include "capture/capture.h"

/* Longest error text kept in a handle; longer messages (very long paths) are cut. */
#define CN_CAPTURE_ERRLEN 1024

/* How long a live source waits for traffic before cn_capture_next() returns -CN_EAGAIN, so
 * the worker can run its timers (flow timeouts, stats) on an idle link. */
#define CN_CAPTURE_POLL_MS 100

/* One capture source. open allocates a handle whose first member is struct cn_capture and
 * fills its ops pointer; the other callbacks receive that handle. */
struct cn_capture_ops {
    const char *name; /* for logs: "pcap-file", "pcap", "af-packet" */
    struct cn_capture *(*open)(const struct cn_capture_config *cfg, int worker, char *err,
                               size_t errlen);
    int (*next)(struct cn_capture *c, struct cn_frame *f);
    /* optional: NULL means the text in struct cn_capture.err */
    const char *(*error)(const struct cn_capture *c);
    /* must be async-signal-safe; optional for sources that never block */
    void (*breakloop)(struct cn_capture *c);
    /* optional: NULL reports zeros */
    void (*kernel_stats)(struct cn_capture *c, uint64_t *recv, uint64_t *drop);
    void (*close)(struct cn_capture *c);
    /* optional, for shared walks (capture.h); NULL: the source cannot be shared */
    unsigned (*share)(struct cn_capture *c, unsigned n);
    void (*cursor)(struct cn_capture *c, struct cn_capture_cursor *cur, unsigned index);
    void (*unshare)(struct cn_capture *c, const struct cn_capture_cursor *cur);
};

/* The common head of every source's handle. */
struct cn_capture {
    const struct cn_capture_ops *ops;
    bool had_errors; /* something went wrong that must make the run's exit status non-zero */
    char err[CN_CAPTURE_ERRLEN];
};

/* From the embedded head back to the source's own handle. */
#define CN_CAPTURE_SELF(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define CN_CAPTURE_SOURCE(kind, ops) extern const struct cn_capture_ops ops;
#include "capture/sources.def"
#undef CN_CAPTURE_SOURCE

/* Formats the handle's error text (and marks the run as failed). */
void cn_capture_set_error(struct cn_capture *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Wake-up channel for sources that block in poll(): an eventfd that cn_capture_break()
 * writes to (write() is async-signal-safe). */
int cn_capture_wake_open(char *err, size_t errlen, const char *source);
void cn_capture_wake(int wakefd);

/* Waits up to CN_CAPTURE_POLL_MS for fd to become readable. Returns 1 when readable, 0 on
 * timeout, interruption or a wake-up (which it consumes), -1 when fd reports an error. */
int cn_capture_wait(int fd, int wakefd);

#endif
