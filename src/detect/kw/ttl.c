/* ttl: compares the IPv4 time-to-live or the IPv6 hop limit (RFC 791 section 3.1, RFC 8200
 * section 3) with a number or range. */
#include "detect/kw/numeric.h"

static const struct cn_num_spec spec = {.max = UINT8_MAX, .ops = CN_NUM_OPS_ALL};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_num_setup(b, &cn_kw_ttl, value, &spec, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (!(p->flags & (CN_PKT_IPV4 | CN_PKT_IPV6)) || (p->flags & CN_PKT_PSEUDO))
        return false;
    return cn_num_match(data, p->ttl);
}

const struct cn_keyword cn_kw_ttl = {
    .name = "ttl",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
