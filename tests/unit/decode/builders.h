/* Frame builders for the decode unit tests: packets are written byte by byte into a buffer,
 * lengths and checksums fixed up afterwards with an independent, deliberately plain
 * RFC 1071 implementation (so the tests cross-check checksum.c). */
#ifndef CN_TEST_DECODE_BUILDERS_H
#define CN_TEST_DECODE_BUILDERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

struct fb {
    uint8_t b[4096];
    size_t n;
};

static inline void put(struct fb *f, const void *d, size_t n)
{
    assert_true(f->n + n <= sizeof(f->b));
    memcpy(f->b + f->n, d, n);
    f->n += n;
}
static inline void put8(struct fb *f, uint8_t v)
{
    put(f, &v, 1);
}
static inline void put16(struct fb *f, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(f, b, 2);
}
static inline void put32(struct fb *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(f, b, 4);
}
static inline void set16(struct fb *f, size_t off, uint16_t v)
{
    f->b[off] = (uint8_t)(v >> 8);
    f->b[off + 1] = (uint8_t)v;
}
static inline void fill(struct fb *f, uint8_t v, size_t n)
{
    while (n--)
        put8(f, v);
}

/* plain big-endian 16-bit ones-complement sum */
static inline uint32_t ref_sum(uint32_t s, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(d[i] << 8 | d[i + 1]);
    if (n & 1)
        s += (uint32_t)d[n - 1] << 8;
    return s;
}
static inline uint16_t ref_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static const uint8_t MAC_A[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t MAC_B[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};

static inline void eth(struct fb *f, uint16_t type)
{
    put(f, MAC_B, 6);
    put(f, MAC_A, 6);
    put16(f, type);
}
static inline void vlan(struct fb *f, uint16_t vid, uint16_t type)
{
    put16(f, vid);
    put16(f, type);
}

/* IPv4 header without options; returns its offset. Fix it with ipv4_done(). */
static inline size_t ipv4(struct fb *f, uint8_t proto, uint32_t src, uint32_t dst)
{
    size_t off = f->n;
    put8(f, 0x45);
    put8(f, 0);
    put16(f, 0); /* total length */
    put16(f, 0x1234);
    put16(f, 0);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    put32(f, src);
    put32(f, dst);
    return off;
}
/* Sets total length (to the end of the buffer) and the header checksum. */
static inline void ipv4_done(struct fb *f, size_t off)
{
    size_t hlen = (f->b[off] & 0x0f) * 4u;
    set16(f, off + 2, (uint16_t)(f->n - off));
    set16(f, off + 10, 0);
    set16(f, off + 10, ref_fold(ref_sum(0, f->b + off, hlen)));
}

static const uint8_t V6_A[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t V6_B[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

static inline size_t ipv6(struct fb *f, uint8_t nh, const uint8_t *src, const uint8_t *dst)
{
    size_t off = f->n;
    put32(f, 0x60000000);
    put16(f, 0);
    put8(f, nh);
    put8(f, 64);
    put(f, src, 16);
    put(f, dst, 16);
    return off;
}
static inline void ipv6_done(struct fb *f, size_t off)
{
    set16(f, off + 4, (uint16_t)(f->n - off - 40));
}

/* TCP header without options (data offset 5); returns its offset. */
static inline size_t tcp(struct fb *f, uint16_t sp, uint16_t dp, uint8_t flags)
{
    size_t off = f->n;
    put16(f, sp);
    put16(f, dp);
    put32(f, 1000);
    put32(f, 2000);
    put8(f, 0x50);
    put8(f, flags);
    put16(f, 8192);
    put16(f, 0);
    put16(f, 0);
    return off;
}
static inline size_t udp(struct fb *f, uint16_t sp, uint16_t dp)
{
    size_t off = f->n;
    put16(f, sp);
    put16(f, dp);
    put16(f, 0);
    put16(f, 0);
    return off;
}

/* L4 checksum with the pseudo header of the IP header at ip_off. csum_at: offset of the
 * checksum field inside the L4 header. */
static inline void l4_csum(struct fb *f, size_t ip_off, size_t l4_off, uint8_t proto,
                           size_t csum_at)
{
    size_t len = f->n - l4_off;
    uint32_t s = 0;
    set16(f, l4_off + csum_at, 0);
    if ((f->b[ip_off] >> 4) == 4) {
        if (proto != 1) {
            s = ref_sum(s, f->b + ip_off + 12, 8);
            s += proto;
            s += (uint32_t)len;
        }
    } else {
        s = ref_sum(s, f->b + ip_off + 8, 32);
        s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
        s += proto;
    }
    s = ref_sum(s, f->b + l4_off, len);
    set16(f, l4_off + csum_at, ref_fold(s));
}
static inline void udp_done(struct fb *f, size_t ip_off, size_t udp_off)
{
    set16(f, udp_off + 4, (uint16_t)(f->n - udp_off));
    l4_csum(f, ip_off, udp_off, 17, 6);
}
static inline void tcp_done(struct fb *f, size_t ip_off, size_t tcp_off)
{
    l4_csum(f, ip_off, tcp_off, 6, 16);
}

/* A decode context over fresh counters, and a one-call decode. */
struct tctx {
    struct cn_stats stats;
    struct cn_decode_ctx *ctx;
    struct cn_packet p;
    uint64_t cnt;
};

static inline struct tctx *tctx_new(const struct cn_decode_config *cfg)
{
    struct tctx *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    struct cn_decode_config def;
    cn_decode_config_defaults(&def);
    if (!cfg) {
        def.checksum = CN_CSUM_ALL;
        cfg = &def;
    }
    t->ctx = cn_decode_ctx_new(cfg, &t->stats);
    assert_non_null(t->ctx);
    return t;
}
static inline void tctx_free(struct tctx *t)
{
    cn_decode_ctx_free(t->ctx);
    free(t);
}
/* Decodes a copy of f placed at the very end of a heap block, so ASan catches any read
 * past the frame. */
static inline struct cn_packet *dec_ts(struct tctx *t, int linktype, const struct fb *f,
                                       cn_time_t ts)
{
    static uint8_t *copy;
    free(copy);
    copy = malloc(f->n ? f->n : 1);
    assert_non_null(copy);
    memcpy(copy, f->b, f->n);
    struct cn_frame fr = {copy, (uint32_t)f->n, (uint32_t)f->n, ts, linktype, ++t->cnt};
    cn_decode_frame(t->ctx, &fr, &t->p);
    return &t->p;
}
static inline struct cn_packet *dec(struct tctx *t, int linktype, const struct fb *f)
{
    return dec_ts(t, linktype, f, 1000000);
}
static inline uint64_t stat(const struct tctx *t, enum cn_stat_id id)
{
    return t->stats.v[id];
}

#endif
