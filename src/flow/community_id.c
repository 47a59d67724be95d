/* Community ID v1 of a flow (https://github.com/corelight/community-id-spec): SHA-1 over
 * seed (2 bytes, big endian), source and destination address (4 or 16 bytes each), protocol,
 * one zero byte, source and destination port (big endian), the endpoints ordered so both
 * directions give the same value; "1:" and the base64 of the digest.
 *
 * Computed the way Suricata writes it in EVE, which differs from the spec's reference in two
 * corner cases: ICMP "ports" are always the type and its counterpart type (sp/dp of the flow,
 * 0 when there is no counterpart, where the spec would use the code), and port-less protocols
 * still hash two zero ports. Hashing and base64 come from nettle. */
#include <nettle/base64.h>
#include <nettle/sha1.h>
#include <nettle/version.h>

#include "flow/flow_int.h"

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void cn_flow_community_id(const struct cn_flow *f, uint16_t seed, char out[64])
{
    const size_t alen = f->ip_ver == 6 ? 16 : 4;
    const union cn_addr *a = &f->src, *b = &f->dst;
    uint16_t pa = f->sp, pb = f->dp;
    if (f->proto == 50) /* ESP keeps its SPI in sp/dp; Suricata hashes zero ports */
        pa = pb = 0;

    /* Addresses compare in network byte order, ports numerically. */
    int c = memcmp(a->b, b->b, alen);
    if (c > 0 || (c == 0 && pa > pb)) {
        a = &f->dst;
        b = &f->src;
        pa = f->dp;
        pb = f->sp;
    }

    uint8_t buf[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    put_be16(buf + n, seed);
    n += 2;
    memcpy(buf + n, a->b, alen);
    n += alen;
    memcpy(buf + n, b->b, alen);
    n += alen;
    buf[n++] = f->proto;
    buf[n++] = 0;
    put_be16(buf + n, pa);
    n += 2;
    put_be16(buf + n, pb);
    n += 2;

    struct sha1_ctx ctx;
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, n, buf);
#if NETTLE_VERSION_MAJOR > 3 || (NETTLE_VERSION_MAJOR == 3 && NETTLE_VERSION_MINOR >= 10)
    sha1_digest(&ctx, digest);
#else
    sha1_digest(&ctx, sizeof(digest), digest);
#endif

    _Static_assert(2 + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1 <= 64,
                   "community id does not fit its buffer");
    out[0] = '1';
    out[1] = ':';
    base64_encode_raw(out + 2, sizeof(digest), digest);
    out[2 + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE)] = '\0';
}
