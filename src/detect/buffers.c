/* Sticky buffers: the registry built from buffers.def (one keyword per buffer, each moving
 * the rule builder to the buffer's own list), and the packet-level buffers: the raw IP, TCP,
 * UDP and ICMP headers as decoded (options and extension headers included). */
#include <stdio.h>

#include "detect/detect_int.h"

static bool header(const uint8_t *start, uint32_t len, const uint8_t **buf, uint32_t *out)
{
    if (start == NULL || len == 0)
        return false;
    *buf = start;
    *out = len;
    return true;
}

bool cn_buf_tcp_hdr(const struct cn_packet *p, const uint8_t **buf, uint32_t *len)
{
    return (p->flags & CN_PKT_TCP) && header(p->l4, CN_MIN(p->tcp.hlen, p->l4_len), buf, len);
}

bool cn_buf_udp_hdr(const struct cn_packet *p, const uint8_t **buf, uint32_t *len)
{
    return (p->flags & CN_PKT_UDP) && header(p->l4, CN_MIN(8u, p->l4_len), buf, len);
}

bool cn_buf_ipv4_hdr(const struct cn_packet *p, const uint8_t **buf, uint32_t *len)
{
    return p->ip_ver == 4 && header(p->l3, CN_MIN((uint32_t)p->ip_hlen, p->l3_len), buf, len);
}

bool cn_buf_ipv6_hdr(const struct cn_packet *p, const uint8_t **buf, uint32_t *len)
{
    return p->ip_ver == 6 && header(p->l3, CN_MIN((uint32_t)p->ip_hlen, p->l3_len), buf, len);
}

/* ICMP headers: the 8 bytes of type, code, checksum and the type-specific word; for an
 * ICMPv4 router advertisement (RFC 1256 section 3) also its address entries, as Suricata
 * counts them in the header. */
bool cn_buf_icmpv4_hdr(const struct cn_packet *p, const uint8_t **buf, uint32_t *len)
{
    if (!(p->flags & CN_PKT_ICMPV4) || p->l4 == NULL || p->l4_len < 8)
        return false;
    uint32_t hlen = 8;
    if (p->l4[0] == 9) /* number of addresses x entry size in 32-bit words */
        hlen += (uint32_t)p->l4[4] * p->l4[5] * 4;
    return header(p->l4, CN_MIN(hlen, p->l4_len), buf, len);
}

bool cn_buf_icmpv6_hdr(const struct cn_packet *p, const uint8_t **buf, uint32_t *len)
{
    return (p->flags & CN_PKT_ICMPV6) && header(p->l4, CN_MIN(8u, p->l4_len), buf, len);
}

/* ---- the registry ---- */

static const struct {
    const char *name;
    cn_buffer_get_fn get;
} buffers[CN_BUFFER__COUNT] = {
#define CN_BUFFER(id, kw, fn) [CN_BUFFER_##id] = {kw, fn},
#include "detect/buffers.def"
#undef CN_BUFFER
};

bool cn_buffer_get(unsigned list, const struct cn_packet *p, const uint8_t **buf, uint32_t *len)
{
    if (list < CN_LIST__BUILTIN || list - CN_LIST__BUILTIN >= CN_BUFFER__COUNT)
        return false;
    return buffers[list - CN_LIST__BUILTIN].get(p, buf, len);
}

/* One keyword per buffer: it takes no value and points later content at the buffer. */
#define CN_BUFFER(id, kw, fn)                                                                      \
    static int setup_##id(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)  \
    {                                                                                              \
        (void)value, (void)err, (void)errlen;                                                      \
        b->list = CN_LIST__BUILTIN + CN_BUFFER_##id;                                               \
        return 0;                                                                                  \
    }                                                                                              \
    const struct cn_keyword cn_kw_buffer_##id = {                                                  \
        .name = kw, .flags = CN_KW_NOVALUE | CN_KW_STICKY, .setup = setup_##id};
#include "detect/buffers.def"
#undef CN_BUFFER
