/* capture/pcap_live: `-i IFACE` through libpcap. The handle runs in non-blocking mode with a
 * short kernel buffer timeout, so a frame is handed over without waiting for a full buffer
 * and an idle link still lets the worker run its timers: when libpcap has nothing, we poll()
 * its selectable descriptor together with our wake-up eventfd for CN_CAPTURE_POLL_MS and
 * return -CN_EAGAIN. Frames point into libpcap's ring (no copy); kernel counters come from
 * pcap_stats(). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/capture_int.h"

/* How long the kernel may hold packets before handing a partly filled buffer to libpcap. */
#define LIVE_TIMEOUT_MS 10

struct live_src {
    struct cn_capture base;
    pcap_t *h;
    int fd;     /* pcap_get_selectable_fd() */
    int wakefd; /* cn_capture_break() writes here */
    int linktype;
    char *iface;
    /* pcap_stats() counts in 32 bits; these fold its values into totals that do not wrap */
    uint32_t last_recv, last_drop;
    uint64_t recv, drop;
};

static void live_free(struct live_src *s)
{
    if (s->h)
        pcap_close(s->h);
    if (s->wakefd >= 0)
        close(s->wakefd);
    cn_free(s->iface);
    cn_free(s);
}

static int set_filter(struct live_src *s, const char *bpf, char *err, size_t errlen)
{
    struct bpf_program prog;
    if (pcap_compile(s->h, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "%s: bpf filter '%s': %s", s->iface, bpf, pcap_geterr(s->h));
        return -CN_EINVAL;
    }
    int rc = pcap_setfilter(s->h, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(err, errlen, "%s: bpf filter '%s': %s", s->iface, bpf, pcap_geterr(s->h));
        return -CN_EINVAL;
    }
    return 0;
}

static struct cn_capture *live_open(const struct cn_capture_config *cfg, int worker, char *err,
                                    size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    (void)worker;

    struct live_src *s = cn_calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "%s: out of memory", cfg->source);
        return NULL;
    }
    s->wakefd = -1;
    s->iface = cn_strdup(cfg->source);
    if (!s->iface) {
        snprintf(err, errlen, "%s: out of memory", cfg->source);
        goto out_free;
    }
    s->wakefd = cn_capture_wake_open(err, errlen, cfg->source);
    if (s->wakefd < 0)
        goto out_free;

    s->h = pcap_create(cfg->source, ebuf);
    if (!s->h) {
        snprintf(err, errlen, "%s: %s", cfg->source, ebuf);
        goto out_free;
    }
    uint64_t bufsize = (uint64_t)(cfg->ring_mb ? cfg->ring_mb : 32) << 20;
    if (bufsize > (1u << 30))
        bufsize = 1u << 30;
    pcap_set_snaplen(s->h, cfg->snaplen ? (int)CN_MIN(cfg->snaplen, 262144u) : 65535);
    pcap_set_promisc(s->h, cfg->promisc);
    pcap_set_timeout(s->h, LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(s->h, (int)bufsize);
    pcap_set_tstamp_precision(s->h, PCAP_TSTAMP_PRECISION_MICRO);

    int rc = pcap_activate(s->h);
    if (rc < 0) {
        const char *detail = pcap_geterr(s->h);
        snprintf(err, errlen, "%s: %s%s%s", cfg->source, pcap_statustostr(rc),
                 detail[0] ? ": " : "", detail);
        goto out_free;
    }
    if (rc > 0)
        cn_warn("%s: %s: %s", cfg->source, pcap_statustostr(rc), pcap_geterr(s->h));

    s->linktype = pcap_datalink(s->h);
    if (!cn_decode_linktype_supported(s->linktype)) {
        const char *name = pcap_datalink_val_to_name(s->linktype);
        snprintf(err, errlen, "%s: unsupported link type %s (%d)", cfg->source,
                 name ? name : "unknown", s->linktype);
        goto out_free;
    }
    if (cfg->bpf && cfg->bpf[0] && set_filter(s, cfg->bpf, err, errlen) != 0)
        goto out_free;
    if (pcap_setnonblock(s->h, 1, ebuf) != 0) {
        snprintf(err, errlen, "%s: %s", cfg->source, ebuf);
        goto out_free;
    }
    s->fd = pcap_get_selectable_fd(s->h);
    if (s->fd < 0) {
        snprintf(err, errlen, "%s: no selectable descriptor", cfg->source);
        goto out_free;
    }
    return &s->base;

out_free:
    live_free(s);
    return NULL;
}

static int live_next(struct cn_capture *c, struct cn_frame *f)
{
    struct live_src *s = CN_CAPTURE_SELF(c, struct live_src, base);
    struct pcap_pkthdr *hdr;
    const u_char *data;

    /* At most one wait per call: a wake-up or a timeout returns to the worker. */
    for (int round = 0; round < 2; round++) {
        int rc = pcap_next_ex(s->h, &hdr, &data);
        if (CN_LIKELY(rc == 1)) {
            f->data = data;
            f->caplen = hdr->caplen;
            f->wirelen = hdr->len;
            f->ts = hdr->ts.tv_sec < 0
                        ? 0
                        : (cn_time_t)hdr->ts.tv_sec * CN_USEC + (cn_time_t)hdr->ts.tv_usec;
            f->linktype = s->linktype;
            f->pcap_cnt = 0;
            f->stable = false;
            return 0;
        }
        if (rc == PCAP_ERROR_BREAK)
            return -CN_EAGAIN;
        if (rc < 0) {
            cn_capture_set_error(c, "%s: %s", s->iface, pcap_geterr(s->h));
            return -CN_EIO;
        }
        if (round == 0 && cn_capture_wait(s->fd, s->wakefd) <= 0)
            return -CN_EAGAIN;
    }
    return -CN_EAGAIN;
}

static void live_break(struct cn_capture *c)
{
    struct live_src *s = CN_CAPTURE_SELF(c, struct live_src, base);
    pcap_breakloop(s->h);
    cn_capture_wake(s->wakefd);
}

static void live_kernel_stats(struct cn_capture *c, uint64_t *recv, uint64_t *drop)
{
    struct live_src *s = CN_CAPTURE_SELF(c, struct live_src, base);
    struct pcap_stat ps;
    if (pcap_stats(s->h, &ps) == 0) {
        /* ps_ifdrop is the interface's own drop count, not this socket's: left out */
        s->recv += (uint32_t)(ps.ps_recv - s->last_recv);
        s->drop += (uint32_t)(ps.ps_drop - s->last_drop);
        s->last_recv = ps.ps_recv;
        s->last_drop = ps.ps_drop;
    }
    *recv = s->recv;
    *drop = s->drop;
}

static void live_close(struct cn_capture *c)
{
    live_free(CN_CAPTURE_SELF(c, struct live_src, base));
}

const struct cn_capture_ops cn_capture_pcap_live_ops = {
    .name = "pcap",
    .open = live_open,
    .next = live_next,
    .breakloop = live_break,
    .kernel_stats = live_kernel_stats,
    .close = live_close,
};
