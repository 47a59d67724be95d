/* itype: compares the ICMP or ICMPv6 type (RFC 792, RFC 4443 section 2.1) with a number or
 * range. Other packets never match. */
#include "detect/kw/numeric.h"

static const struct cn_num_spec spec = {.max = UINT8_MAX, .ops = CN_NUM_OPS_ALL};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_num_setup(b, &cn_kw_itype, value, &spec, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (!(p->flags & (CN_PKT_ICMPV4 | CN_PKT_ICMPV6)) || (p->flags & CN_PKT_PSEUDO))
        return false;
    return cn_num_match(data, p->icmp.type);
}

const struct cn_keyword cn_kw_itype = {
    .name = "itype",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
