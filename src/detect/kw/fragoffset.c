/* fragoffset: compares an IP fragment's offset with a number: N, !N, <N or >N.
 *
 * As in Suricata, IPv4 compares the header's 13-bit field as is (8-byte units, RFC 791 section
 * 3.1) while IPv6 compares the fragment header's offset in bytes (RFC 8200 section 4.5); an IPv6
 * packet without a fragment header never matches. */
#include "detect/kw/numeric.h"

static const struct cn_num_spec spec = {.max = UINT16_MAX, .ops = CN_NUM_OPS_SIMPLE};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_num_setup(b, &cn_kw_fragoffset, value, &spec, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (p->flags & CN_PKT_PSEUDO)
        return false;
    if (p->flags & CN_PKT_IPV4)
        return cn_num_match(data, p->frag_off);
    if ((p->flags & CN_PKT_IPV6) && (p->ipv6_exthdrs & CN_IPV6_EXT_FH))
        return cn_num_match(data, (uint32_t)p->frag_off * 8);
    return false;
}

const struct cn_keyword cn_kw_fragoffset = {
    .name = "fragoffset",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
