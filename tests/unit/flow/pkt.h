/* Test helpers for src/flow: decoded packets built by hand (the flow table reads only the
 * decoded fields), a table with small settings, and a flow_end hook that records what ended. */
#ifndef CN_TEST_FLOW_PKT_H
#define CN_TEST_FLOW_PKT_H

#include <arpa/inet.h>

#include "flow/flow.h"

static inline union cn_addr v4(const char *s)
{
    union cn_addr a;
    memset(&a, 0, sizeof(a));
    inet_pton(AF_INET, s, a.b);
    return a;
}

static inline union cn_addr v6(const char *s)
{
    union cn_addr a;
    memset(&a, 0, sizeof(a));
    inet_pton(AF_INET6, s, a.b);
    return a;
}

/* ts in seconds */
static inline struct cn_packet mk_l4(uint8_t proto, const char *src, uint16_t sp, const char *dst,
                                     uint16_t dp, uint64_t ts)
{
    struct cn_packet p;
    memset(&p, 0, sizeof(p));
    p.ts = ts * CN_USEC;
    p.caplen = p.wirelen = 100;
    p.ip_ver = strchr(src, ':') ? 6 : 4;
    p.src = p.ip_ver == 6 ? v6(src) : v4(src);
    p.dst = p.ip_ver == 6 ? v6(dst) : v4(dst);
    p.flags = p.ip_ver == 6 ? CN_PKT_IPV6 : CN_PKT_IPV4;
    p.proto = proto;
    if (proto == 6)
        p.flags |= CN_PKT_TCP;
    else if (proto == 17)
        p.flags |= CN_PKT_UDP;
    if (proto == 6 || proto == 17 || proto == 132) {
        p.sp = sp;
        p.dp = dp;
    }
    /* SCTP and ESP packets get a flow only once their layer decoded the header (set l4) */
    static const uint8_t l4_hdr[12];
    if (proto == 132 || proto == 50)
        p.l4 = l4_hdr;
    return p;
}

static inline struct cn_packet mk_esp(const char *src, const char *dst, uint32_t spi, uint64_t ts)
{
    struct cn_packet p = mk_l4(50, src, 0, dst, 0, ts);
    p.esp.spi = spi;
    return p;
}

static inline struct cn_packet mk_udp(const char *src, uint16_t sp, const char *dst, uint16_t dp,
                                      uint64_t ts)
{
    return mk_l4(17, src, sp, dst, dp, ts);
}

static inline struct cn_packet mk_tcp(const char *src, uint16_t sp, const char *dst, uint16_t dp,
                                      uint8_t flags, uint64_t ts)
{
    struct cn_packet p = mk_l4(6, src, sp, dst, dp, ts);
    p.tcp.flags = flags;
    return p;
}

static inline struct cn_packet mk_icmp(const char *src, const char *dst, uint8_t type, uint8_t code,
                                       uint64_t ts)
{
    bool six = strchr(src, ':') != NULL;
    struct cn_packet p = mk_l4(six ? 58 : 1, src, 0, dst, 0, ts);
    p.flags |= six ? CN_PKT_ICMPV6 : CN_PKT_ICMPV4;
    p.icmp.type = type;
    p.icmp.code = code;
    return p;
}

struct ended {
    unsigned n;
    struct cn_flow rec[4096]; /* copies, taken in the hook before the flow is freed */
};

static inline void on_end(void *user, struct cn_flow *f)
{
    struct ended *e = user;
    if (e->n < CN_ARRAY_LEN(e->rec))
        e->rec[e->n] = *f;
    e->n++;
}

static inline struct cn_flow_table *mk_table(struct cn_stats *st, struct ended *e)
{
    struct cn_flow_config cfg;
    cn_flow_config_defaults(&cfg);
    cfg.hash_size = 1024;
    cfg.prealloc = 64;
    cfg.memcap = 16u << 20;
    cfg.hash_seed = 0x1234;
    struct cn_flow_hooks hooks = {on_end, e};
    return cn_flow_table_new(&cfg, &hooks, st);
}

#endif
