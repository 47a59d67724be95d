/* capture/afpacket: `--af-packet=IFACE`. Each worker opens its own AF_PACKET socket with a
 * TPACKET_V3 receive ring (blocks of 1 MiB, retired by the kernel after 10 ms even when not
 * full) and joins one fanout group hashed by flow, with kernel defragmentation so all pieces
 * of a datagram reach the same worker. Frames are handed over in place, straight from the
 * ring (zero copy); a block goes back to the kernel when the call after its last frame comes.
 * Kernel counters come from PACKET_STATISTICS.
 *
 * The ring layout (struct tpacket_block_desc, struct tpacket3_hdr) is written by the kernel,
 * not by the network, so it is read through the kernel's own structs; offsets from it are
 * still checked against the block so a surprise can never read outside the mapping. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/capture_int.h"

#define AFP_BLOCK_SIZE  (1u << 20)
#define AFP_FRAME_SIZE  2048u /* only sizes the kernel's frame count; V3 packs frames tightly */
#define AFP_RETIRE_MS   10
#define AFP_MAX_RING_MB 4096u

/* Bytes in front of tp_mac that the kernel uses: the header, then a struct sockaddr_ll. */
#define AFP_META_LEN (TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) + sizeof(struct sockaddr_ll))

struct afp_src {
    struct cn_capture base;
    int fd;
    int wakefd;
    uint8_t *ring;
    size_t ring_len;
    uint32_t block_nr;
    uint32_t block; /* the block being read or waited for */
    bool holding;   /* that block belongs to us until its frames are consumed */
    uint32_t left;  /* frames not yet returned from the held block */
    uint32_t off;   /* offset of the next frame within the held block */
    uint32_t snaplen;
    uint64_t recv, drop; /* PACKET_STATISTICS resets on read, so totals are kept here */
    char *iface;
};

static void afp_free(struct afp_src *s)
{
    if (s->ring)
        munmap(s->ring, s->ring_len);
    if (s->fd >= 0)
        close(s->fd); /* also leaves the fanout group and drops the promiscuous membership */
    if (s->wakefd >= 0)
        close(s->wakefd);
    cn_free(s->iface);
    cn_free(s);
}

/* Compiles the filter with libpcap for Ethernet framing and attaches it to the socket, so
 * the kernel drops unwanted frames before they take ring space. */
static int attach_filter(struct afp_src *s, const char *bpf, char *err, size_t errlen)
{
    int rc = -CN_EINVAL;
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, (int)s->snaplen);
    if (!dead) {
        snprintf(err, errlen, "%s: bpf filter '%s': out of memory", s->iface, bpf);
        return -CN_ENOMEM;
    }
    struct bpf_program prog;
    if (pcap_compile(dead, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "%s: bpf filter '%s': %s", s->iface, bpf, pcap_geterr(dead));
        goto out_dead;
    }
    struct sock_filter *insns = cn_calloc(prog.bf_len ? prog.bf_len : 1, sizeof(*insns));
    if (!insns) {
        snprintf(err, errlen, "%s: bpf filter '%s': out of memory", s->iface, bpf);
        rc = -CN_ENOMEM;
        goto out_prog;
    }
    for (unsigned i = 0; i < prog.bf_len; i++) {
        insns[i].code = prog.bf_insns[i].code;
        insns[i].jt = prog.bf_insns[i].jt;
        insns[i].jf = prog.bf_insns[i].jf;
        insns[i].k = prog.bf_insns[i].k;
    }
    struct sock_fprog fprog = {.len = (unsigned short)prog.bf_len, .filter = insns};
    if (setsockopt(s->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) != 0) {
        snprintf(err, errlen, "%s: bpf filter '%s': SO_ATTACH_FILTER: %s", s->iface, bpf,
                 strerror(errno));
        goto out_insns;
    }
    rc = 0;
out_insns:
    cn_free(insns);
out_prog:
    pcap_freecode(&prog);
out_dead:
    pcap_close(dead);
    return rc;
}

/* AF_PACKET hands us frames as the device frames them; decode is told Ethernet, so only
 * devices whose frames are Ethernet (loopback included) are accepted. */
static int check_hwtype(struct afp_src *s, char *err, size_t errlen)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, s->iface, strlen(s->iface) + 1);
    if (ioctl(s->fd, SIOCGIFHWADDR, &ifr) != 0) {
        snprintf(err, errlen, "%s: SIOCGIFHWADDR: %s", s->iface, strerror(errno));
        return -CN_EIO;
    }
    unsigned type = ifr.ifr_hwaddr.sa_family;
    if (type != ARPHRD_ETHER && type != ARPHRD_LOOPBACK) {
        snprintf(err, errlen,
                 "%s: unsupported hardware type %u (AF_PACKET reads Ethernet framing only; "
                 "use -i for other link types)",
                 s->iface, type);
        return -CN_EINVAL;
    }
    return 0;
}

static int setup_ring(struct afp_src *s, uint32_t ring_mb, char *err, size_t errlen)
{
    int ver = TPACKET_V3;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) != 0) {
        snprintf(err, errlen, "%s: TPACKET_V3: %s", s->iface, strerror(errno));
        return -CN_EIO;
    }
    s->block_nr = CN_MAX(CN_MIN(ring_mb, AFP_MAX_RING_MB), 1u) * ((1u << 20) / AFP_BLOCK_SIZE);
    struct tpacket_req3 req = {
        .tp_block_size = AFP_BLOCK_SIZE,
        .tp_block_nr = s->block_nr,
        .tp_frame_size = AFP_FRAME_SIZE,
        .tp_frame_nr = (AFP_BLOCK_SIZE / AFP_FRAME_SIZE) * s->block_nr,
        .tp_retire_blk_tov = AFP_RETIRE_MS,
    };
    if (setsockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0) {
        snprintf(err, errlen, "%s: PACKET_RX_RING of %u MiB: %s", s->iface, s->block_nr,
                 strerror(errno));
        return -CN_EIO;
    }
    s->ring_len = (size_t)AFP_BLOCK_SIZE * s->block_nr;
    void *ring =
        mmap(NULL, s->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, s->fd, 0);
    if (ring == MAP_FAILED) {
        snprintf(err, errlen, "%s: mmap of the ring: %s", s->iface, strerror(errno));
        return -CN_ENOMEM;
    }
    s->ring = ring;
    return 0;
}

static struct cn_capture *afp_open(const struct cn_capture_config *cfg, int worker, char *err,
                                   size_t errlen)
{
    const char *iface = cfg->source;
    (void)worker; /* every worker's socket is alike; the fanout group spreads the flows */

    if (strlen(iface) >= IFNAMSIZ) {
        snprintf(err, errlen, "%s: interface name too long", iface);
        return NULL;
    }
    struct afp_src *s = cn_calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "%s: out of memory", iface);
        return NULL;
    }
    s->fd = -1;
    s->wakefd = -1;
    s->snaplen = cfg->snaplen ? cfg->snaplen : 65535;
    s->iface = cn_strdup(iface);
    if (!s->iface) {
        snprintf(err, errlen, "%s: out of memory", iface);
        goto out_free;
    }
    /* Protocol 0: the socket receives nothing until bind(), after the ring and the filter
     * are in place. */
    s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        snprintf(err, errlen, "%s: AF_PACKET socket: %s", iface, strerror(errno));
        goto out_free;
    }
    unsigned ifindex = if_nametoindex(iface);
    if (ifindex == 0) {
        snprintf(err, errlen, "%s: %s", iface, strerror(errno));
        goto out_free;
    }
    if (check_hwtype(s, err, errlen) != 0 || setup_ring(s, cfg->ring_mb, err, errlen) != 0)
        goto out_free;
    if (cfg->bpf && cfg->bpf[0] && attach_filter(s, cfg->bpf, err, errlen) != 0)
        goto out_free;

    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = (int)ifindex,
    };
    if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
        snprintf(err, errlen, "%s: bind: %s", iface, strerror(errno));
        goto out_free;
    }
    if (cfg->promisc) {
        struct packet_mreq mr = {.mr_ifindex = (int)ifindex, .mr_type = PACKET_MR_PROMISC};
        if (setsockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
            snprintf(err, errlen, "%s: promiscuous mode: %s", iface, strerror(errno));
            goto out_free;
        }
    }
    /* the mode and flags sit in the high half; DEFRAG is bit 15 of it, so shift unsigned */
    uint32_t fanout_arg = (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;
    int fanout = (int)(fanout_arg | cfg->fanout_id);
    if (setsockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof(fanout)) != 0) {
        snprintf(err, errlen, "%s: fanout group %u: %s (is another program using that group id?)",
                 iface, (unsigned)cfg->fanout_id, strerror(errno));
        goto out_free;
    }
    s->wakefd = cn_capture_wake_open(err, errlen, iface);
    if (s->wakefd < 0)
        goto out_free;
    return &s->base;

out_free:
    afp_free(s);
    return NULL;
}

static inline struct tpacket_block_desc *block_desc(struct afp_src *s, uint32_t i)
{
    return (struct tpacket_block_desc *)(void *)(s->ring + (size_t)i * AFP_BLOCK_SIZE);
}

/* The kernel strips an offloaded VLAN tag and reports it beside the frame. decode expects
 * the tag in the frame, so it goes back in place: the MAC addresses move 4 bytes into the
 * free space in front of the frame (the ring block is ours until released). */
static void restore_vlan(const struct tpacket3_hdr *h, uint8_t **mac, uint32_t *caplen,
                         uint32_t *wirelen)
{
    if (h->tp_mac < AFP_META_LEN + 4 || *caplen < 12)
        return; /* no room: leave the frame untagged rather than corrupt it */
    uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) && h->hv1.tp_vlan_tpid
                        ? h->hv1.tp_vlan_tpid
                        : ETH_P_8021Q;
    uint16_t tci = (uint16_t)h->hv1.tp_vlan_tci;
    uint8_t *p = *mac - 4;
    memmove(p, *mac, 12);
    p[12] = (uint8_t)(tpid >> 8);
    p[13] = (uint8_t)tpid;
    p[14] = (uint8_t)(tci >> 8);
    p[15] = (uint8_t)tci;
    *mac = p;
    *caplen += 4;
    *wirelen += 4;
}

static int afp_next(struct cn_capture *c, struct cn_frame *f)
{
    struct afp_src *s = CN_CAPTURE_SELF(c, struct afp_src, base);
    bool waited = false;

    for (;;) {
        if (CN_LIKELY(s->left > 0)) {
            uint8_t *blk = s->ring + (size_t)s->block * AFP_BLOCK_SIZE;
            if (CN_UNLIKELY(s->off > AFP_BLOCK_SIZE - sizeof(struct tpacket3_hdr))) {
                s->left = 0;
                continue;
            }
            const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)(void *)(blk + s->off);
            uint32_t room = AFP_BLOCK_SIZE - s->off;
            uint32_t caplen = h->tp_snaplen, wirelen = h->tp_len;
            if (CN_UNLIKELY(h->tp_mac > room || caplen > room - h->tp_mac)) {
                s->left = 0;
                continue;
            }
            uint8_t *mac = blk + s->off + h->tp_mac;
            if (CN_UNLIKELY(h->tp_status & TP_STATUS_VLAN_VALID))
                restore_vlan(h, &mac, &caplen, &wirelen);
            s->left--;
            if (h->tp_next_offset)
                s->off += h->tp_next_offset;
            else
                s->left = 0;
            f->data = mac;
            f->caplen = CN_MIN(caplen, s->snaplen);
            f->wirelen = wirelen;
            f->ts = (cn_time_t)h->tp_sec * CN_USEC + h->tp_nsec / 1000u;
            f->linktype = CN_LINK_ETHERNET;
            f->pcap_cnt = 0;
            f->stable = false;
            return 0;
        }
        struct tpacket_block_desc *bd = block_desc(s, s->block);
        if (s->holding) {
            /* the previous frame was the block's last: hand the block back */
            __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
            s->holding = false;
            s->block = s->block + 1 == s->block_nr ? 0 : s->block + 1;
            continue;
        }
        if (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) {
            s->holding = true;
            s->left = bd->hdr.bh1.num_pkts;
            s->off = bd->hdr.bh1.offset_to_first_pkt;
            continue;
        }
        if (waited)
            return -CN_EAGAIN;
        int w = cn_capture_wait(s->fd, s->wakefd);
        if (w == 0)
            return -CN_EAGAIN;
        if (w < 0) {
            /* e.g. ENETDOWN after the link went down; reading SO_ERROR clears it */
            int soerr = 0;
            socklen_t len = sizeof(soerr);
            getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
            cn_capture_set_error(c, "%s: %s", s->iface, soerr ? strerror(soerr) : "socket error");
            return -CN_EIO;
        }
        waited = true;
    }
}

static void afp_break(struct cn_capture *c)
{
    cn_capture_wake(CN_CAPTURE_SELF(c, struct afp_src, base)->wakefd);
}

static void afp_kernel_stats(struct cn_capture *c, uint64_t *recv, uint64_t *drop)
{
    struct afp_src *s = CN_CAPTURE_SELF(c, struct afp_src, base);
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof(st);
    memset(&st, 0, sizeof(st));
    if (getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
        s->recv += st.tp_packets; /* the kernel counts drops in tp_packets too */
        s->drop += st.tp_drops;
    }
    *recv = s->recv;
    *drop = s->drop;
}

static void afp_close(struct cn_capture *c)
{
    afp_free(CN_CAPTURE_SELF(c, struct afp_src, base));
}

const struct cn_capture_ops cn_capture_afpacket_ops = {
    .name = "af-packet",
    .open = afp_open,
    .next = afp_next,
    .breakloop = afp_break,
    .kernel_stats = afp_kernel_stats,
    .close = afp_close,
};
