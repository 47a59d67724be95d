/* checksum: the Internet checksum (RFC 1071) for IPv4 headers and TCP/UDP/ICMP/ICMPv6, and
 * the AUTO mode that stops validating when a capture evidently has offloaded checksums (as
 * Suricata's pcap "checksum-checks: auto" does: after 1000 packets, more than 10% bad).
 *
 * The sum is accumulated 32 bits at a time into a 64-bit register in host byte order. The
 * ones-complement sum is byte-order independent up to a final swap, and validation only asks
 * whether the folded sum is 0xffff, which reads the same either way. */
#include "decode/decode_int.h"

#define CSUM_SAMPLE 1000

/* RFC 1071 section 2: the ones' complement sum may be taken over 64-bit words and folded
 * later, because 2^64 = 1 (mod 2^16 - 1). A 128-bit accumulator keeps the carries (the
 * compiler turns it into add-with-carry), so the loop costs about one add per 8 bytes. */
uint64_t cn_csum_add(uint64_t sum, const uint8_t *data, size_t len)
{
    unsigned __int128 acc = sum;
    while (len >= 32) {
        uint64_t a, b, c, d; /* scalars, not an array: keeps the loads in registers */
        memcpy(&a, data, 8);
        memcpy(&b, data + 8, 8);
        memcpy(&c, data + 16, 8);
        memcpy(&d, data + 24, 8);
        acc += a;
        acc += b;
        acc += c;
        acc += d;
        data += 32;
        len -= 32;
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, data, 8);
        acc += w;
        data += 8;
        len -= 8;
    }
    if (len) {
        /* the last 1-7 bytes, zero-padded: an odd final byte is the high byte of a padded
         * 16-bit word (byte order independence, RFC 1071 section 2 (B)) */
        uint64_t w = 0;
        memcpy(&w, data, len);
        acc += w;
    }
    uint64_t lo = (uint64_t)acc, hi = (uint64_t)(acc >> 64);
    lo += hi;
    if (lo < hi) /* end-around carry */
        lo++;
    return lo;
}

uint16_t cn_csum_fold(uint64_t sum)
{
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

bool cn_csum_ipv4_hdr_ok(const uint8_t *hdr, uint32_t hlen)
{
    return cn_csum_fold(cn_csum_add(0, hdr, hlen)) == 0xffff;
}

void cn_csum_ipv4_set(uint8_t *hdr, uint32_t hlen)
{
    hdr[10] = hdr[11] = 0;
    uint16_t c = (uint16_t)~cn_csum_fold(cn_csum_add(0, hdr, hlen));
    memcpy(hdr + 10, &c, 2); /* host-order sum of host-order words: store as is */
}

bool cn_csum_l4_ok(const struct cn_packet *p, uint8_t proto, const uint8_t *data, uint32_t len)
{
    uint64_t sum = 0;
    if (p->ip_ver == 4 && proto != 1) {
        /* RFC 793 section 3.1 pseudo header */
        uint8_t ph[12];
        memcpy(ph, p->src.b, 4);
        memcpy(ph + 4, p->dst.b, 4);
        ph[8] = 0;
        ph[9] = proto;
        ph[10] = (uint8_t)(len >> 8);
        ph[11] = (uint8_t)len;
        sum = cn_csum_add(sum, ph, sizeof(ph));
    } else if (p->ip_ver == 6) {
        /* RFC 8200 section 8.1 pseudo header */
        uint8_t ph[40];
        memcpy(ph, p->src.b, 16);
        memcpy(ph + 16, p->dst.b, 16);
        ph[32] = (uint8_t)(len >> 24);
        ph[33] = (uint8_t)(len >> 16);
        ph[34] = (uint8_t)(len >> 8);
        ph[35] = (uint8_t)len;
        ph[36] = ph[37] = ph[38] = 0;
        ph[39] = proto;
        sum = cn_csum_add(sum, ph, sizeof(ph));
    }
    sum = cn_csum_add(sum, data, len);
    return cn_csum_fold(sum) == 0xffff;
}

void cn_dec_csum_result(struct cn_decode_ctx *ctx, struct cn_packet *p, uint32_t flag, bool ok)
{
    if (!ok)
        p->flags |= flag;
    if (ctx->cfg.checksum != CN_CSUM_AUTO || ctx->csum_pkts > CSUM_SAMPLE)
        return;
    ctx->csum_pkts++;
    ctx->csum_bad += !ok;
    if (ctx->csum_pkts == CSUM_SAMPLE && (uint64_t)ctx->csum_bad * 10 > ctx->csum_pkts) {
        /* Offloading: the NIC fills checksums after capture. Stop flagging packets. */
        ctx->csum_on = false;
        cn_warn("decode: %u of the first %u checksums were bad; assuming checksum offloading "
                "and no longer validating them",
                ctx->csum_bad, ctx->csum_pkts);
    }
}
