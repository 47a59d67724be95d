/* Run modes: how frames travel from the capture to the workers.
 *
 * single:  the main thread reads and runs the one worker.
 * workers: a mapped capture file is walked by every worker at once (cn_capture_share): each
 *          sees every frame and keeps those the symmetric address hash gives it, so there is
 *          no reader thread and no hand-over. Otherwise (libpcap, a folder, the rest of a file
 *          after an unusual record), the main thread reads, puts each frame into a batch for
 *          the worker chosen by the same hash, and hands full batches over single-producer/
 *          single-consumer rings; a frame is copied into the batch unless the capture keeps it
 *          valid (f->stable). For AF_PACKET, each worker thread reads its own fanout socket.
 *
 * Results must not depend on the number of workers. Flow timeouts run on packet time, once per
 * new second of it: before the first frame of a new second, every worker's pending frames are
 * handed over and every worker runs its timeout pass at that frame's time, exactly as the
 * single worker does. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "main/main_int.h"

#define BATCH_FRAMES 512
#define BATCH_BYTES  (256u * 1024)
#define RING_SLOTS   8 /* batches in flight per worker: bounds the reader's lead */

/* Frames for one worker: each f[i].data points into this batch's data (copied out of the
 * capture's buffer) or, for stable frames, into the capture itself. used counts the bytes of
 * both kinds, so a batch also bounds how far the reader runs ahead of a mapped file's pages. */
struct batch {
    cn_time_t tick; /* run a timeout pass at this packet time before the frames; 0: none */
    uint32_t n, used;
    struct cn_frame f[BATCH_FRAMES];
    uint8_t data[BATCH_BYTES];
};

/* Single producer, single consumer. A side that finds the ring empty (consumer) or full
 * (producer) says so in its own flag and sleeps on a futex; the other side wakes it only when
 * that flag is set, so the common path makes no system call. */
struct ring {
    _Atomic uint32_t head; /* next slot to fill (producer) */
    _Atomic uint32_t tail; /* next slot to take (consumer) */
    _Atomic uint32_t cons_waiting, prod_waiting;
    struct batch *slots[RING_SLOTS];
};

struct lane { /* everything between the reader and one worker */
    struct ring full, free;
    struct batch *current; /* the batch being filled */
    cn_time_t pending_tick;
    struct cn_worker *worker;
    struct cn_run *run;
    pthread_t thread;
    atomic_bool done; /* the reader has no more batches */
    cn_time_t end_ts; /* packet time of the end of the capture, set before done */
    struct batch *pool[RING_SLOTS];
};

static void futex_wait(_Atomic uint32_t *addr, uint32_t expected)
{
    struct timespec ts = {0, 10 * 1000 * 1000};
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, &ts, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static bool ring_push(struct ring *r, struct batch *b)
{
    uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (h - atomic_load(&r->tail) == RING_SLOTS)
        return false;
    r->slots[h % RING_SLOTS] = b;
    atomic_store(&r->head, h + 1);
    if (atomic_load(&r->cons_waiting))
        futex_wake(&r->head);
    return true;
}

static struct batch *ring_pop(struct ring *r)
{
    uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (t == atomic_load(&r->head))
        return NULL;
    struct batch *b = r->slots[t % RING_SLOTS];
    atomic_store(&r->tail, t + 1);
    if (atomic_load(&r->prod_waiting))
        futex_wake(&r->tail);
    return b;
}

/* Consumer: blocks until a batch is there, or returns NULL once stop is set and the ring is
 * empty. */
static struct batch *ring_pop_wait(struct ring *r, atomic_bool *stop)
{
    for (int spins = 0;; spins++) {
        struct batch *b = ring_pop(r);
        if (b)
            return b;
        if (atomic_load(stop))
            return ring_pop(r);
        if (spins < 64)
            continue;
        uint32_t h = atomic_load(&r->head);
        atomic_store(&r->cons_waiting, 1);
        if (h == atomic_load(&r->tail) && !atomic_load(stop))
            futex_wait(&r->head, h);
        atomic_store(&r->cons_waiting, 0);
    }
}

/* Producer: blocks until there is room. */
static void push_wait(struct ring *r, struct batch *b)
{
    while (!ring_push(r, b)) {
        uint32_t t = atomic_load(&r->tail);
        atomic_store(&r->prod_waiting, 1);
        if (atomic_load(&r->head) - t == RING_SLOTS)
            futex_wait(&r->tail, t);
        atomic_store(&r->prod_waiting, 0);
    }
}

static struct batch *take_free(struct lane *l)
{
    static atomic_bool never;
    struct batch *b = ring_pop_wait(&l->free, &never);
    b->n = b->used = 0;
    b->tick = l->pending_tick;
    l->pending_tick = 0;
    return b;
}

static void lane_flush(struct lane *l)
{
    if (!l->current)
        return;
    push_wait(&l->full, l->current);
    l->current = NULL;
}

static void lane_add(struct lane *l, const struct cn_frame *f)
{
    uint32_t caplen = CN_MIN(f->caplen, BATCH_BYTES);
    if (l->current && (l->current->n == BATCH_FRAMES || BATCH_BYTES - l->current->used < caplen))
        lane_flush(l);
    if (!l->current)
        l->current = take_free(l);
    struct batch *b = l->current;
    struct cn_frame *bf = &b->f[b->n++];
    *bf = *f;
    if (!f->stable) {
        bf->data = b->data + b->used;
        bf->caplen = caplen;
        memcpy(b->data + b->used, f->data, caplen);
    }
    b->used += caplen;
}

/* The end of the capture in a worker thread: the worker ends its own flows (so the flush runs
 * in parallel) at end_ts, the capture's last packet time, or its own when that is unknown. */
static void worker_end(struct cn_worker *w, cn_time_t end_ts)
{
    cn_flow_flush(w->flows, end_ts ? end_ts : w->last_ts);
    cn_output_thread_flush(w->out);
}

static void *lane_main(void *arg)
{
    struct lane *l = arg;
    struct batch *b;
    while ((b = ring_pop_wait(&l->full, &l->done)) != NULL) {
        if (b->tick)
            cn_worker_tick(l->worker, b->tick);
        cn_worker_frames(l->worker, b->f, b->n);
        ring_push(&l->free, b); /* never full: it holds only this lane's batches */
    }
    worker_end(l->worker, l->end_ts);
    return NULL;
}

/* Called by the reader for every frame's time: on entering a new second of packet time, every
 * worker gets its pending frames and then a timeout pass at this time. */
static bool new_second(cn_time_t *last_sec, cn_time_t ts)
{
    cn_time_t sec = ts / CN_USEC;
    if (sec == *last_sec)
        return false;
    bool first = *last_sec == 0;
    *last_sec = sec;
    return !first;
}

static void periodic(struct cn_run *run, uint64_t *next_stats_ns)
{
    uint64_t now = cn_monotonic_ns();
    if (run->settings->progress)
        cn_progress_update(run, false);
    const struct cn_output_config *oc = &run->settings->output;
    if (!oc->type_stats || !oc->stats_interval || now < *next_stats_ns)
        return;
    *next_stats_ns = now + (uint64_t)oc->stats_interval * 1000000000ULL;
    struct cn_stats total;
    cn_main_stats_snapshot(run, &total);
    cn_output_stats(run->out, &total, cn_time_now(), (now - run->start_ns) / 1000000000ULL);
}

/* Reads the capture until its end, a read error or a signal. deliver() gets every frame. */
static int read_loop(struct cn_run *run, struct cn_capture *cap, struct cn_run_result *res,
                     void (*deliver)(void *, const struct cn_frame *),
                     void (*tick)(void *, cn_time_t), void (*idle)(void *), void *ctx, bool reports)
{
    struct cn_frame f;
    cn_time_t last_sec = res->last_ts / CN_USEC; /* a run that goes on keeps its second */
    uint64_t next_stats_ns =
        run->start_ns + (uint64_t)run->settings->output.stats_interval * 1000000000ULL;
    int rc;
    for (uint64_t n = 0;; n++) {
        if (cn_main_signalled || atomic_load(&run->stop)) {
            rc = 0;
            break;
        }
        rc = cn_capture_next(cap, &f);
        if (rc == -CN_EAGAIN) {
            idle(ctx);
            if (reports)
                periodic(run, &next_stats_ns);
            continue;
        }
        if (rc != 0)
            break;
        if (new_second(&last_sec, f.ts))
            tick(ctx, f.ts);
        deliver(ctx, &f);
        if (f.ts > res->last_ts)
            res->last_ts = f.ts;
        res->frames++;
        res->bytes += f.caplen;
        if (reports && (n & 4095) == 0) {
            atomic_store_explicit(&run->frames, res->frames, memory_order_relaxed);
            atomic_store_explicit(&run->bytes, res->bytes, memory_order_relaxed);
            periodic(run, &next_stats_ns);
        }
    }
    if (reports) {
        atomic_store(&run->frames, res->frames);
        atomic_store(&run->bytes, res->bytes);
    }
    if (rc == -CN_EEOF)
        rc = 0;
    if (rc != 0) {
        cn_err("%s", cn_capture_error(cap));
        res->capture_error = true;
    }
    return rc;
}

/* ---- single ---- */

/* Stable frames (a mapped file) are gathered and processed SINGLE_BATCH at a time, which lets
 * the worker decode ahead and prefetch flows; other frames are processed as they come, after
 * the gathered ones, so the order never changes. */
#define SINGLE_BATCH 64
struct single {
    struct cn_worker *w;
    unsigned n;
    struct cn_frame f[SINGLE_BATCH];
};
static void single_flush(struct single *s)
{
    if (s->n)
        cn_worker_frames(s->w, s->f, s->n);
    s->n = 0;
}
static void single_deliver(void *ctx, const struct cn_frame *f)
{
    struct single *s = ctx;
    if (!f->stable) {
        single_flush(s);
        cn_worker_frame(s->w, f);
        return;
    }
    s->f[s->n++] = *f;
    if (s->n == SINGLE_BATCH)
        single_flush(s);
}
static void single_tick(void *ctx, cn_time_t ts)
{
    struct single *s = ctx;
    single_flush(s);
    cn_worker_tick(s->w, ts);
}
static void single_idle(void *ctx)
{
    struct single *s = ctx;
    single_flush(s);
    cn_output_thread_flush(s->w->out);
}
static int run_single(struct cn_run *run, struct cn_capture *cap, struct cn_run_result *res)
{
    struct single *s = cn_calloc(1, sizeof(*s));
    if (!s)
        return -CN_ENOMEM;
    s->w = run->workers[0];
    int rc = read_loop(run, cap, res, single_deliver, single_tick, single_idle, s, true);
    single_flush(s);
    cn_free(s);
    return rc;
}

/* ---- workers fed by the reader ---- */
struct dispatch {
    struct lane *lanes;
    unsigned n;
};
static void dispatch_deliver(void *ctx, const struct cn_frame *f)
{
    struct dispatch *d = ctx;
    uint32_t h = d->n > 1 ? cn_decode_dispatch_hash(f->data, f->caplen, f->linktype) : 0;
    lane_add(&d->lanes[h % d->n], f);
}
static void dispatch_tick(void *ctx, cn_time_t ts)
{
    struct dispatch *d = ctx;
    for (unsigned i = 0; i < d->n; i++) {
        lane_flush(&d->lanes[i]);
        d->lanes[i].pending_tick = ts;
    }
}
static void dispatch_idle(void *ctx)
{
    struct dispatch *d = ctx;
    for (unsigned i = 0; i < d->n; i++)
        lane_flush(&d->lanes[i]);
}

static int run_dispatch(struct cn_run *run, struct cn_capture *cap, struct cn_run_result *res)
{
    unsigned n = run->nworkers;
    struct lane *lanes = cn_calloc(n, sizeof(*lanes));
    if (!lanes)
        return -CN_ENOMEM;
    int rc = 0;
    unsigned started = 0;
    for (unsigned i = 0; i < n; i++) {
        struct lane *l = &lanes[i];
        l->worker = run->workers[i];
        l->run = run;
        for (unsigned j = 0; j < RING_SLOTS; j++) {
            l->pool[j] = cn_malloc(sizeof(struct batch));
            if (!l->pool[j]) {
                rc = -CN_ENOMEM;
                goto out_join;
            }
            ring_push(&l->free, l->pool[j]);
        }
    }
    for (; started < n; started++) {
        if (pthread_create(&lanes[started].thread, NULL, lane_main, &lanes[started]) != 0) {
            cn_err("cannot start worker thread %u", started);
            rc = -CN_ENOMEM;
            goto out_join;
        }
    }
    struct dispatch d = {lanes, n};
    rc = read_loop(run, cap, res, dispatch_deliver, dispatch_tick, dispatch_idle, &d, true);
    dispatch_idle(&d);
    for (unsigned i = 0; i < n; i++)
        lanes[i].end_ts = res->last_ts;
out_join:
    for (unsigned i = 0; i < n; i++) {
        atomic_store(&lanes[i].done, true);
        futex_wake(&lanes[i].full.head);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(lanes[i].thread, NULL);
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < RING_SLOTS; j++)
            cn_free(lanes[i].pool[j]);
    cn_free(lanes);
    return rc;
}

/* ---- workers sharing a mapped file: each reads it, keeps its share, no reader ---- */
struct walker {
    struct cn_run *run;
    struct cn_worker *w;
    struct cn_capture_cursor cur;
    unsigned index, n;
    int rc;            /* -CN_EEOF, -CN_EAGAIN (libpcap must read the rest) or 0 (stopped) */
    cn_time_t last_ts; /* packet time of the last frame seen, anyone's */
    uint64_t frames, bytes;
    pthread_t thread;
};

static void *walker_main(void *arg)
{
    struct walker *t = arg;
    struct single batch = {.w = t->w};
    struct cn_frame f;
    cn_time_t last_sec = t->last_ts / CN_USEC;
    bool counts = t->index == 0; /* every walker sees every frame; one of them counts */
    for (uint64_t n = 1;; n++) {
        if (CN_UNLIKELY((n & 1023) == 0)) {
            if (cn_main_signalled || atomic_load(&t->run->stop)) {
                cn_capture_cursor_stop(&t->cur);
                t->rc = 0;
                break;
            }
            if (counts) {
                atomic_store_explicit(&t->run->frames, t->frames, memory_order_relaxed);
                atomic_store_explicit(&t->run->bytes, t->bytes, memory_order_relaxed);
            }
        }
        int rc = cn_capture_cursor_next(&t->cur, &f);
        if (rc != 0) {
            t->rc = rc;
            break;
        }
        /* the same timeout passes as a reader gives its workers (see the top of the file) */
        if (new_second(&last_sec, f.ts)) {
            single_flush(&batch);
            cn_worker_tick(t->w, f.ts);
        }
        if (f.ts > t->last_ts)
            t->last_ts = f.ts;
        t->frames++;
        t->bytes += f.caplen;
        if (cn_decode_dispatch_hash(f.data, f.caplen, f.linktype) % t->n != t->index)
            continue;
        batch.f[batch.n++] = f;
        if (batch.n == SINGLE_BATCH)
            single_flush(&batch);
    }
    single_flush(&batch);
    if (t->rc != -CN_EAGAIN) /* the capture ends here (libpcap does not read on) */
        worker_end(t->w, t->last_ts);
    return NULL;
}

/* Runs the shared walk; returns 1 when libpcap must read the rest (run_dispatch then does),
 * 0 when the capture is done, or a negative code. */
static int run_shared(struct cn_run *run, struct cn_capture *cap, struct cn_run_result *res)
{
    unsigned n = run->nworkers;
    struct walker *ts = cn_calloc(n, sizeof(*ts));
    if (!ts)
        return -CN_ENOMEM;
    for (unsigned i = 0; i < n; i++) {
        ts[i] = (struct walker){
            .run = run, .w = run->workers[i], .index = i, .n = n, .last_ts = res->last_ts};
        cn_capture_cursor(cap, &ts[i].cur, i);
    }
    unsigned started;
    for (started = 0; started < n; started++)
        if (pthread_create(&ts[started].thread, NULL, walker_main, &ts[started]) != 0) {
            cn_err("cannot start worker thread %u", started);
            atomic_store(&run->stop, true);
            break;
        }
    for (unsigned i = started; i < n; i++)
        cn_capture_cursor_stop(&ts[i].cur); /* never started: nobody waits for them */
    uint64_t next_stats_ns =
        run->start_ns + (uint64_t)run->settings->output.stats_interval * 1000000000ULL;
    /* the main thread reports progress and periodic stats until the walkers are done */
    for (unsigned joined = 0; joined < started;) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (pthread_timedjoin_np(ts[joined].thread, NULL, &until) == 0)
            joined++;
        else
            periodic(run, &next_stats_ns);
    }
    int rc = started == n ? 0 : -CN_ENOMEM;
    if (rc == 0) {
        res->frames += ts[0].frames;
        res->bytes += ts[0].bytes;
        res->last_ts = ts[0].last_ts;
        atomic_store(&run->frames, res->frames);
        atomic_store(&run->bytes, res->bytes);
        if (ts[0].rc == -CN_EAGAIN) {
            cn_capture_unshare(cap, &ts[0].cur);
            rc = 1;
        }
    }
    cn_free(ts);
    return rc;
}

/* ---- AF_PACKET: one socket per worker, no reader ---- */
struct afp_thread {
    struct cn_run *run;
    struct cn_worker *w;
    struct cn_capture *cap;
    struct cn_run_result res;
    int rc;
    pthread_t thread;
};

static void afp_idle(void *ctx)
{
    struct afp_thread *t = ctx;
    cn_output_thread_flush(t->w->out);
    cn_worker_tick(t->w, cn_time_now()); /* live: expire flows on the wall clock when idle */
}

static void afp_deliver(void *ctx, const struct cn_frame *f)
{
    struct afp_thread *t = ctx;
    cn_worker_frame(t->w, f);
}

static void afp_tick(void *ctx, cn_time_t ts)
{
    struct afp_thread *t = ctx;
    cn_worker_tick(t->w, ts);
}

static void *afp_main(void *arg)
{
    struct afp_thread *t = arg;
    /* progress and stats records belong to the main thread */
    t->rc = read_loop(t->run, t->cap, &t->res, afp_deliver, afp_tick, afp_idle, t, false);
    return NULL;
}

static int run_afpacket(struct cn_run *run, struct cn_run_result *res)
{
    unsigned n = run->nworkers;
    struct afp_thread *ts = cn_calloc(n, sizeof(*ts));
    if (!ts)
        return -CN_ENOMEM;
    int rc = 0;
    char err[512];
    for (unsigned i = 0; i < n; i++) {
        ts[i].run = run;
        ts[i].w = run->workers[i];
        ts[i].cap = cn_capture_open(&run->settings->capture, (int)i, err, sizeof(err));
        if (!ts[i].cap) {
            cn_err("%s", err);
            rc = -CN_EIO;
            goto out_close;
        }
    }
    unsigned started;
    for (started = 0; started < n; started++)
        if (pthread_create(&ts[started].thread, NULL, afp_main, &ts[started]) != 0)
            break;
    uint64_t next_stats_ns = run->start_ns;
    while (!cn_main_signalled && !atomic_load(&run->stop) && started == n) {
        struct timespec nap = {0, 200 * 1000 * 1000};
        nanosleep(&nap, NULL);
        uint64_t frames = 0, bytes = 0;
        for (unsigned i = 0; i < n; i++) {
            frames += ts[i].res.frames;
            bytes += ts[i].res.bytes;
        }
        atomic_store(&run->frames, frames);
        atomic_store(&run->bytes, bytes);
        periodic(run, &next_stats_ns);
    }
    atomic_store(&run->stop, true);
    for (unsigned i = 0; i < n; i++)
        if (ts[i].cap)
            cn_capture_break(ts[i].cap);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(ts[i].thread, NULL);
        res->frames += ts[i].res.frames;
        res->bytes += ts[i].res.bytes;
        if (ts[i].rc)
            rc = ts[i].rc;
    }
out_close:
    for (unsigned i = 0; i < n; i++) {
        if (!ts[i].cap)
            continue;
        uint64_t recv, drop;
        cn_capture_kernel_stats(ts[i].cap, &recv, &drop);
        cn_stat_add(&run->workers[i]->stats, CN_STAT_CAPTURE_KERNEL_PACKETS, recv);
        cn_stat_add(&run->workers[i]->stats, CN_STAT_CAPTURE_KERNEL_DROPS, drop);
        cn_capture_close(ts[i].cap);
    }
    cn_free(ts);
    return rc;
}

/* Percent of its memcap the fullest of the flow, session and segment budgets uses, summed
 * over workers (each worker holds an equal share of each budget). */
static uint64_t memcap_pressure(const struct cn_run *run)
{
    uint64_t used[3] = {0}, limit[3] = {0}, worst = 0;
    for (unsigned i = 0; i < run->nworkers; i++) {
        const struct cn_worker *w = run->workers[i];
        if (!w)
            continue;
        const struct cn_memcap *mc[3] = {cn_flow_memcap(w->flows),
                                         cn_stream_session_memcap(w->stream),
                                         cn_stream_reassembly_memcap(w->stream)};
        for (int k = 0; k < 3; k++) {
            used[k] += mc[k]->used;
            limit[k] += mc[k]->limit;
        }
    }
    for (int k = 0; k < 3; k++)
        if (limit[k])
            worst = CN_MAX(worst, used[k] * 100 / limit[k]);
    return worst;
}

void cn_main_stats_snapshot(struct cn_run *run, struct cn_stats *total)
{
    memset(total, 0, sizeof(*total));
    for (unsigned i = 0; i < run->nworkers; i++)
        if (run->workers[i])
            cn_stats_merge(total, &run->workers[i]->stats);
    uint64_t pressure = memcap_pressure(run);
    run->pressure_max = CN_MAX(run->pressure_max, pressure);
    total->v[CN_STAT_MEMCAP_PRESSURE] = pressure;
    total->v[CN_STAT_MEMCAP_PRESSURE_MAX] = run->pressure_max;
}

int cn_main_run(struct cn_run *run, struct cn_run_result *res)
{
    memset(res, 0, sizeof(*res));
    run->start_ns = cn_monotonic_ns();
    int rc;
    if (run->settings->capture.kind == CN_CAPTURE_AFPACKET) {
        rc = run_afpacket(run, res);
    } else {
        char err[512];
        struct cn_capture *cap = cn_capture_open(&run->settings->capture, 0, err, sizeof(err));
        if (!cap) {
            cn_err("%s", err);
            res->capture_error = true;
            return -CN_EIO;
        }
        if (run->nworkers == 1)
            rc = run_single(run, cap, res);
        else if (cn_capture_share(cap, run->nworkers) == 0 || (rc = run_shared(run, cap, res)) == 1)
            rc = run_dispatch(run, cap, res);
        if (run->settings->capture.kind == CN_CAPTURE_LIVE) {
            uint64_t recv, drop;
            cn_capture_kernel_stats(cap, &recv, &drop);
            cn_stat_add(&run->workers[0]->stats, CN_STAT_CAPTURE_KERNEL_PACKETS, recv);
            cn_stat_add(&run->workers[0]->stats, CN_STAT_CAPTURE_KERNEL_DROPS, drop);
        }
        if (cn_capture_had_errors(cap))
            res->capture_error = true;
        cn_capture_close(cap);
    }
    res->seconds = (double)(cn_monotonic_ns() - run->start_ns) / 1e9;
    return rc;
}
