/* eve: the shared log files, the per-thread buffers and the record header every EVE record
 * starts with.
 *
 * cn_output_open() creates (truncates) eve.json and fast.log under the log directory. Each
 * worker formats records into its own 64 KiB buffer of whole lines; when a line does not fit,
 * and at every flush, the buffer is queued whole for the file's writer thread, so lines from
 * different threads never interleave and the workers make no system call per record and do
 * not wait for the file system. Per-type record counts are kept per thread and folded into the
 * shared totals at each flush. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/output_int.h"

const char *const cn_eve_type_names[CN_EVE__COUNT] = {
    [CN_EVE_ALERT] = "alert",   [CN_EVE_ANOMALY] = "anomaly", [CN_EVE_FLOW] = "flow",
    [CN_EVE_PACKET] = "packet", [CN_EVE_STATS] = "stats",
};

void cn_output_config_defaults(struct cn_output_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->logdir = ".";
    cfg->eve_enabled = true;
    cfg->eve_filename = "eve.json";
    cfg->eve_ethernet = false;
    cfg->community_id = false;
    cfg->community_id_seed = 0;
    cfg->type_alert = true;
    cfg->type_flow = true;
    cfg->type_anomaly = true;
    cfg->anomaly_decode = false;
    cfg->anomaly_stream = false;
    cfg->anomaly_applayer = true;
    cfg->type_stats = true;
    cfg->stats_totals = true;
    cfg->stats_threads = false;
    cfg->stats_deltas = false;
    cfg->stats_interval = 8;
    cfg->fast_enabled = true;
    cfg->fast_filename = "fast.log";
    cfg->in_iface = NULL;
    cfg->stats_decoder_events = true;
    cfg->stats_stream_events = false;
    cfg->alert_payload = false;
    cfg->alert_payload_printable = false;
    cfg->alert_packet = false;
    cfg->alert_tagged_packets = true;
    cfg->alert_metadata = true;
    cfg->ips_mode = false;
}

/* ---- log files ---- */

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    /* an absolute file name is used as given, as Suricata does */
    if (name[0] == '/')
        dl = 0;
    char *p = cn_malloc(dl + nl + 2);
    if (!p)
        return NULL;
    size_t o = 0;
    if (dl) {
        memcpy(p, dir, dl);
        o = dl;
        if (p[o - 1] != '/')
            p[o++] = '/';
    }
    memcpy(p + o, name, nl + 1);
    return p;
}

/* Writes buf fully; the first failure is logged once and the data dropped. */
static void write_all(struct cn_logfile *f, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(f->fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (!f->write_failed) {
                f->write_failed = true;
                cn_err("writing '%s' failed: %s; records are being lost", f->path, strerror(errno));
            }
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

/* The writer thread: writes the oldest queued buffer, outside the lock, until the file closes
 * with nothing left queued. */
static void *writer_main(void *arg)
{
    struct cn_logfile *f = arg;
    pthread_mutex_lock(&f->lock);
    for (;;) {
        while (f->qcount == 0 && !f->closing)
            pthread_cond_wait(&f->more, &f->lock);
        if (f->qcount == 0)
            break;
        unsigned i = f->qhead;
        f->busy = true;
        pthread_mutex_unlock(&f->lock);
        write_all(f, f->q[i], f->qlen[i]);
        pthread_mutex_lock(&f->lock);
        f->busy = false;
        f->qlen[i] = 0;
        f->qhead = (i + 1) % CN_LOG_QBUFS;
        f->qcount--;
        pthread_cond_broadcast(&f->room);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

static int logfile_open(struct cn_logfile *f, const char *dir, const char *name, char *err,
                        size_t errlen)
{
    f->path = join_path(dir, name);
    if (!f->path) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    f->fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0) {
        snprintf(err, errlen, "cannot open '%s': %s", f->path, strerror(errno));
        return -CN_EIO;
    }
    for (unsigned i = 0; i < CN_LOG_QBUFS; i++)
        if (!(f->q[i] = cn_malloc(CN_LOG_QBUF_LEN))) {
            snprintf(err, errlen, "out of memory for '%s'", f->path);
            return -CN_ENOMEM;
        }
    if (pthread_mutex_init(&f->lock, NULL) != 0 || pthread_cond_init(&f->more, NULL) != 0 ||
        pthread_cond_init(&f->room, NULL) != 0) {
        snprintf(err, errlen, "cannot create a lock for '%s'", f->path);
        return -CN_ENOMEM;
    }
    f->lock_ready = true;
    if (pthread_create(&f->writer, NULL, writer_main, f) != 0) {
        snprintf(err, errlen, "cannot start the writer thread of '%s'", f->path);
        return -CN_ENOMEM;
    }
    f->writer_running = true;
    return 0;
}

static void logfile_close(struct cn_logfile *f)
{
    if (f->writer_running) {
        pthread_mutex_lock(&f->lock);
        f->closing = true;
        pthread_cond_signal(&f->more);
        pthread_mutex_unlock(&f->lock);
        pthread_join(f->writer, NULL);
        f->writer_running = false;
    }
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->lock_ready) {
        pthread_mutex_destroy(&f->lock);
        pthread_cond_destroy(&f->more);
        pthread_cond_destroy(&f->room);
    }
    f->lock_ready = false;
    for (unsigned i = 0; i < CN_LOG_QBUFS; i++) {
        cn_free(f->q[i]);
        f->q[i] = NULL;
    }
    cn_free(f->path);
    f->path = NULL;
}

/* A buffer with room for len more bytes (len <= CN_LOG_QBUF_LEN): the last one unless it is
 * too full or being written, else the next free one; waits for the writer when every buffer is
 * taken. Called with the lock held. */
static unsigned fill_buffer(struct cn_logfile *f, size_t len)
{
    for (;;) {
        if (f->qcount > 0) {
            unsigned last = (f->qhead + f->qcount - 1) % CN_LOG_QBUFS;
            bool writing = f->busy && last == f->qhead;
            if (!writing && CN_LOG_QBUF_LEN - f->qlen[last] >= len)
                return last;
        }
        if (f->qcount < CN_LOG_QBUFS) {
            unsigned next = (f->qhead + f->qcount) % CN_LOG_QBUFS;
            f->qlen[next] = 0;
            f->qcount++;
            return next;
        }
        pthread_cond_wait(&f->room, &f->lock);
    }
}

void cn_logfile_write(struct cn_logfile *f, const void *data, size_t len)
{
    if (f->fd < 0 || len == 0 || !f->writer_running)
        return;
    pthread_mutex_lock(&f->lock);
    /* Each call's bytes land in one piece, so lines never interleave. A call larger than a
     * buffer (one huge record) waits for the queue to drain and is written right here. */
    if (len > CN_LOG_QBUF_LEN) {
        while (f->qcount > 0)
            pthread_cond_wait(&f->room, &f->lock);
        write_all(f, data, len);
    } else {
        unsigned i = fill_buffer(f, len);
        memcpy(f->q[i] + f->qlen[i], data, len);
        f->qlen[i] += len;
        pthread_cond_signal(&f->more);
    }
    pthread_mutex_unlock(&f->lock);
}

static void logfile_sync(struct cn_logfile *f)
{
    if (!f->writer_running)
        return;
    pthread_mutex_lock(&f->lock);
    while (f->qcount > 0)
        pthread_cond_wait(&f->room, &f->lock);
    pthread_mutex_unlock(&f->lock);
}

void cn_output_sync(struct cn_output *out)
{
    logfile_sync(&out->eve);
    logfile_sync(&out->fast);
}

struct cn_output *cn_output_open(const struct cn_output_config *cfg, char *err, size_t errlen)
{
    const char *dir = cfg->logdir && cfg->logdir[0] ? cfg->logdir : ".";
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(err, errlen, "log directory '%s': %s", dir, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "log directory '%s' is not a directory", dir);
        return NULL;
    }

    struct cn_output *out = cn_calloc(1, sizeof(*out));
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    out->eve.fd = out->fast.fd = -1;
    out->cfg = *cfg;
    out->logdir = cn_strdup(dir);
    if (!out->logdir)
        goto out_nomem;
    out->cfg.logdir = out->logdir;
    if (cfg->in_iface) {
        out->in_iface = cn_strdup(cfg->in_iface);
        if (!out->in_iface)
            goto out_nomem;
    }
    out->cfg.in_iface = out->in_iface;
    /* the file names are only needed here */
    out->cfg.eve_filename = NULL;
    out->cfg.fast_filename = NULL;

    if (cfg->eve_enabled &&
        logfile_open(&out->eve, dir, cfg->eve_filename ? cfg->eve_filename : "eve.json", err,
                     errlen) < 0)
        goto out_close;
    if (cfg->fast_enabled &&
        logfile_open(&out->fast, dir, cfg->fast_filename ? cfg->fast_filename : "fast.log", err,
                     errlen) < 0)
        goto out_close;

    out->stats_tree = cn_stats_tree_new(&out->cfg);
    out->stats_prev = cn_calloc(1, sizeof(*out->stats_prev));
    if (!out->stats_tree || !out->stats_prev || !cn_json_init(&out->stats_js, 16 * 1024))
        goto out_nomem;
    cn_tscache_init(&out->stats_ts);
    return out;

out_nomem:
    snprintf(err, errlen, "out of memory");
out_close:
    cn_output_close(out);
    return NULL;
}

void cn_output_close(struct cn_output *out)
{
    if (!out)
        return;
    logfile_close(&out->eve);
    logfile_close(&out->fast);
    cn_stats_tree_free(out->stats_tree);
    cn_free(out->stats_prev);
    cn_json_free(&out->stats_js);
    uint64_t dropped = __atomic_load_n(&out->dropped, __ATOMIC_RELAXED);
    if (dropped)
        cn_warn("%llu EVE records were dropped (too large or out of memory)",
                (unsigned long long)dropped);
    cn_free(out->logdir);
    cn_free(out->in_iface);
    cn_free(out);
}

const char *cn_output_eve_path(const struct cn_output *out)
{
    return out->eve.path;
}

void cn_output_counts(const struct cn_output *out,
                      void (*fn)(void *user, const char *type, uint64_t n), void *user)
{
    for (int i = 0; i < CN_EVE__COUNT; i++) {
        uint64_t n = __atomic_load_n(&out->counts[i], __ATOMIC_RELAXED);
        if (n)
            fn(user, cn_eve_type_names[i], n);
    }
}

/* ---- per-thread buffers ---- */

struct cn_output_thread *cn_output_thread_new(struct cn_output *out)
{
    struct cn_output_thread *ot = cn_calloc(1, sizeof(*ot));
    if (!ot)
        return NULL;
    ot->out = out;
    cn_tscache_init(&ot->ts);
    if (!cn_json_init(&ot->js, 4096))
        goto out_free;
    if (out->eve.fd >= 0 && !(ot->eve_buf = cn_malloc(CN_EVE_THREAD_BUF)))
        goto out_free;
    if (out->fast.fd >= 0 && !(ot->fast_buf = cn_malloc(CN_FAST_THREAD_BUF)))
        goto out_free;
    return ot;
out_free:
    cn_json_free(&ot->js);
    cn_free(ot->eve_buf);
    cn_free(ot->fast_buf);
    cn_free(ot);
    return NULL;
}

static void eve_flush(struct cn_output_thread *ot)
{
    if (ot->eve_len) {
        cn_logfile_write(&ot->out->eve, ot->eve_buf, ot->eve_len);
        ot->eve_len = 0;
    }
    for (int i = 0; i < CN_EVE__COUNT; i++) {
        if (ot->counts[i]) {
            __atomic_fetch_add(&ot->out->counts[i], ot->counts[i], __ATOMIC_RELAXED);
            ot->counts[i] = 0;
        }
    }
    if (ot->dropped) {
        __atomic_fetch_add(&ot->out->dropped, ot->dropped, __ATOMIC_RELAXED);
        ot->dropped = 0;
    }
}

void cn_output_thread_flush(struct cn_output_thread *ot)
{
    eve_flush(ot);
    cn_fast_flush(ot);
}

void cn_output_thread_free(struct cn_output_thread *ot)
{
    if (!ot)
        return;
    cn_output_thread_flush(ot);
    cn_json_free(&ot->js);
    cn_free(ot->eve_buf);
    cn_free(ot->fast_buf);
    cn_free(ot->scratch);
    cn_free(ot);
}

/* One huge record should not pin megabytes to the thread for the rest of the run. */
static void shrink_builder(struct cn_json *j)
{
    if (CN_LIKELY(j->cap <= (1u << 20)))
        return;
    char *nb = cn_realloc(j->buf, 64 * 1024);
    if (nb) {
        j->buf = nb;
        j->cap = 64 * 1024;
    }
    cn_json_reset(j);
}

void cn_eve_commit(struct cn_output_thread *ot, enum cn_eve_type type)
{
    struct cn_json *j = &ot->js;
    cn_json_close(j);
    if (CN_UNLIKELY(j->err || j->depth != 0 || !ot->eve_buf)) {
        if (ot->eve_buf)
            ot->dropped++;
        goto out_shrink;
    }
    size_t need = j->len + 1;
    if (ot->eve_len + need > CN_EVE_THREAD_BUF)
        eve_flush(ot);
    if (need > CN_EVE_THREAD_BUF) {
        /* a record larger than the whole buffer goes out on its own, newline included */
        if (!cn_json_reserve(j, 1)) {
            ot->dropped++;
            goto out_shrink;
        }
        j->buf[j->len] = '\n';
        cn_logfile_write(&ot->out->eve, j->buf, need);
    } else {
        memcpy(ot->eve_buf + ot->eve_len, j->buf, j->len);
        ot->eve_buf[ot->eve_len + j->len] = '\n';
        ot->eve_len += need;
    }
    ot->counts[type]++;
out_shrink:
    shrink_builder(j);
}

/* ---- the record header ---- */

static void put_proto(struct cn_json *j, uint8_t proto)
{
    const char *name = cn_output_proto_name(proto);
    if (name) {
        cn_json_str(j, "proto", name);
    } else {
        char tmp[4];
        size_t n = 0;
        if (proto >= 100)
            tmp[n++] = (char)('0' + proto / 100);
        if (proto >= 10)
            tmp[n++] = (char)('0' + proto / 10 % 10);
        tmp[n++] = (char)('0' + proto % 10);
        cn_json_str_n(j, "proto", 5, tmp, n);
    }
}

static void put_vlans(struct cn_json *j, const uint16_t *vlan, unsigned n)
{
    if (!n)
        return;
    cn_json_open_array(j, "vlan");
    for (unsigned i = 0; i < n && i < CN_PKT_MAX_VLANS; i++)
        cn_json_u64(j, NULL, vlan[i]);
    cn_json_close(j);
}

/* Suricata logs ports for the protocols that have them and nothing else (ICMP's type and
 * code have fields of their own). */
static bool proto_has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 132;
}

/* Suricata's pkt_src names for where a packet came from. */
static const char *pkt_src_name(const struct cn_packet *p)
{
    if (p->flags & CN_PKT_PSEUDO)
        return "stream (flow timeout)";
    if (p->flags & CN_PKT_REBUILT)
        return "defrag";
    return "wire/pcap";
}

/* The packet's own Ethernet header: type and addresses as on the wire. */
static void put_packet_ether(struct cn_json *j, const struct cn_packet *p)
{
    if (!(p->flags & CN_PKT_ETH) || !p->eth_src || !p->eth_dst || !p->data)
        return;
    cn_json_open_object(j, "ether");
    /* the EtherType follows the two addresses; read it through a cursor over the frame */
    if (p->eth_dst >= p->data && p->eth_dst < p->data + p->caplen) {
        struct cn_cursor c = cn_cursor_init(p->data, p->caplen);
        cn_cur_skip(&c, (size_t)(p->eth_dst - p->data) + 12);
        uint16_t type = cn_cur_be16(&c);
        if (cn_cur_ok(&c))
            cn_json_u64(j, "ether_type", type);
    }
    cn_json_mac(j, "src_mac", p->eth_src);
    cn_json_mac(j, "dest_mac", p->eth_dst);
    cn_json_close(j);
}

void cn_eve_community_id(struct cn_output_thread *ot, const struct cn_flow *f)
{
    if (!ot->out->cfg.community_id || !f)
        return;
    char cid[64];
    cn_flow_community_id(f, ot->out->cfg.community_id_seed, cid);
    cid[sizeof(cid) - 1] = '\0';
    if (cid[0])
        cn_json_str(&ot->js, "community_id", cid);
}

/* A flow's flowbits and flowints, as Suricata logs them: bits named traffic/id/<x> and
 * traffic/label/<x> in "traffic" {"id": [...], "label": [...]}, the other bits and the flowints
 * in "metadata" {"flowbits": [...], "flowints": {name: value}}; nothing when none is set. */
enum { FV_ID, FV_LABEL, FV_BIT, FV_INT, FV__N };
static int flow_var_class(const struct cn_flow_var *v)
{
    if (v->kind == CN_FLOW_VAR_INT)
        return FV_INT;
    if (!strncmp(v->name, "traffic/id/", 11))
        return FV_ID;
    return strncmp(v->name, "traffic/label/", 14) ? FV_BIT : FV_LABEL;
}

static void put_flow_vars_of(struct cn_json *j, const struct cn_flow *f, int cls, const char *key)
{
    static const size_t skip[FV__N] = {11, 14, 0, 0};
    struct cn_flow_var v;
    unsigned it = 0;
    if (cls == FV_INT)
        cn_json_open_object(j, key);
    else
        cn_json_open_array(j, key);
    while (cn_detect_flow_var(f, &it, &v)) {
        if (flow_var_class(&v) != cls)
            continue;
        if (cls == FV_INT)
            cn_json_u64(j, v.name, v.value);
        else
            cn_json_str(j, NULL, v.name + skip[cls]);
    }
    cn_json_close(j);
}

void cn_eve_flow_vars(struct cn_output_thread *ot, const struct cn_flow *f)
{
    if (f == NULL || f->detect == NULL)
        return;
    unsigned n[FV__N] = {0}, it = 0;
    struct cn_flow_var v;
    while (cn_detect_flow_var(f, &it, &v))
        n[flow_var_class(&v)]++;
    struct cn_json *j = &ot->js;
    if (n[FV_ID] || n[FV_LABEL]) {
        cn_json_open_object(j, "traffic");
        if (n[FV_ID])
            put_flow_vars_of(j, f, FV_ID, "id");
        if (n[FV_LABEL])
            put_flow_vars_of(j, f, FV_LABEL, "label");
        cn_json_close(j);
    }
    if (n[FV_BIT] || n[FV_INT]) {
        cn_json_open_object(j, "metadata");
        if (n[FV_BIT])
            put_flow_vars_of(j, f, FV_BIT, "flowbits");
        if (n[FV_INT])
            put_flow_vars_of(j, f, FV_INT, "flowints");
        cn_json_close(j);
    }
}

void cn_eve_packet_header(struct cn_output_thread *ot, const struct cn_packet *p,
                          enum cn_eve_type type)
{
    struct cn_json *j = &ot->js;
    const struct cn_output_config *cfg = &ot->out->cfg;
    cn_json_reset(j);
    cn_json_open_object(j, NULL);
    cn_json_time(j, "timestamp", &ot->ts, p->ts);
    if (p->flow)
        cn_json_u64(j, "flow_id", p->flow->flow_id);
    if (cfg->in_iface)
        cn_json_str(j, "in_iface", cfg->in_iface);
    if (p->pcap_cnt)
        cn_json_u64(j, "pcap_cnt", p->pcap_cnt);
    cn_json_str(j, "event_type", cn_eve_type_names[type]);
    put_vlans(j, p->vlan, p->vlan_n);
    if (p->ip_ver == 4 || p->ip_ver == 6) {
        int fam = p->ip_ver;
        /* ports only once the transport header was decoded */
        bool ports = proto_has_ports(p->proto) &&
                     ((p->flags & (CN_PKT_TCP | CN_PKT_UDP)) || (p->proto == 132 && p->l4));
        cn_json_ip(j, "src_ip", &p->src, fam);
        if (ports)
            cn_json_u64(j, "src_port", p->sp);
        cn_json_ip(j, "dest_ip", &p->dst, fam);
        if (ports)
            cn_json_u64(j, "dest_port", p->dp);
        put_proto(j, p->proto);
        cn_json_u64(j, "ip_v", (uint64_t)fam);
        if (p->flags & (CN_PKT_ICMPV4 | CN_PKT_ICMPV6)) {
            cn_json_u64(j, "icmp_type", p->icmp.type);
            cn_json_u64(j, "icmp_code", p->icmp.code);
        }
    }
    cn_json_str(j, "pkt_src", pkt_src_name(p));
    cn_eve_flow_vars(ot, p->flow);
    if (cfg->eve_ethernet)
        put_packet_ether(j, p);
    cn_eve_community_id(ot, p->flow);
}

void cn_eve_flow_header(struct cn_output_thread *ot, const struct cn_flow *f, enum cn_eve_type type,
                        cn_time_t ts)
{
    struct cn_json *j = &ot->js;
    const struct cn_output_config *cfg = &ot->out->cfg;
    cn_json_reset(j);
    cn_json_open_object(j, NULL);
    cn_json_time(j, "timestamp", &ot->ts, ts);
    cn_json_u64(j, "flow_id", f->flow_id);
    if (cfg->in_iface)
        cn_json_str(j, "in_iface", cfg->in_iface);
    cn_json_str(j, "event_type", cn_eve_type_names[type]);
    put_vlans(j, f->vlan, f->vlan_n);
    int fam = f->ip_ver == 6 ? 6 : 4;
    bool ports = proto_has_ports(f->proto);
    cn_json_ip(j, "src_ip", &f->src, fam);
    if (ports)
        cn_json_u64(j, "src_port", f->sp);
    cn_json_ip(j, "dest_ip", &f->dst, fam);
    if (ports)
        cn_json_u64(j, "dest_port", f->dp);
    cn_json_u64(j, "ip_v", (uint64_t)fam);
    put_proto(j, f->proto);
    if (f->proto == 1 || f->proto == 58) {
        /* ICMP flows keep the request type in sp and its reply type in dp (src/flow) */
        cn_json_u64(j, "icmp_type", f->sp);
        cn_json_u64(j, "icmp_code", f->icmp_code);
        if (f->pkts_toclient) {
            cn_json_u64(j, "response_icmp_type", f->dp);
            cn_json_u64(j, "response_icmp_code", 0); /* Suricata does not track it either */
        }
    } else if (f->proto == 50) {
        cn_json_u64(j, "spi", cn_flow_esp_spi(f)); /* as Suricata's flow records */
    }
}

/* Adds mac to list (of n entries) unless it is already there. */
static unsigned mac_add(uint8_t (*list)[6], unsigned n, unsigned max, const uint8_t *mac)
{
    for (unsigned i = 0; i < n; i++)
        if (!memcmp(list[i], mac, 6))
            return n;
    if (n < max)
        memcpy(list[n++], mac, 6);
    return n;
}

void cn_eve_flow_ether(struct cn_output_thread *ot, const struct cn_flow *f)
{
    /* client-side addresses: sources of to-server packets, destinations of replies */
    uint8_t src[2 * CN_FLOW_MAX_MACS][6], dst[2 * CN_FLOW_MAX_MACS][6];
    unsigned ns = 0, nd = 0, max = 2 * CN_FLOW_MAX_MACS;
    unsigned ts_n = CN_MIN(f->macs_ts_n, CN_FLOW_MAX_MACS);
    unsigned tc_n = CN_MIN(f->macs_tc_n, CN_FLOW_MAX_MACS);
    for (unsigned i = 0; i < ts_n; i++) {
        ns = mac_add(src, ns, max, f->mac_src_ts[i]);
        nd = mac_add(dst, nd, max, f->mac_dst_ts[i]);
    }
    for (unsigned i = 0; i < tc_n; i++) {
        ns = mac_add(src, ns, max, f->mac_dst_tc[i]);
        nd = mac_add(dst, nd, max, f->mac_src_tc[i]);
    }
    if (!ns || !nd)
        return;
    struct cn_json *j = &ot->js;
    cn_json_open_object(j, "ether");
    /* Suricata's order: dest_macs first */
    cn_json_open_array(j, "dest_macs");
    for (unsigned i = 0; i < nd; i++)
        cn_json_mac(j, NULL, dst[i]);
    cn_json_close(j);
    cn_json_open_array(j, "src_macs");
    for (unsigned i = 0; i < ns; i++)
        cn_json_mac(j, NULL, src[i]);
    cn_json_close(j);
    cn_json_close(j);
}
