/* id: the IPv4 identification field (RFC 791 section 3.1) equals a number. IPv4 only, as in
 * Suricata (an IPv6 fragment header's identification is not compared). */
#include "detect/kw/numeric.h"

static const struct cn_num_spec spec = {.max = UINT16_MAX, .ops = CN_NUM_OPS_EQ};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_num_setup(b, &cn_kw_id, value, &spec, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (!(p->flags & CN_PKT_IPV4) || (p->flags & CN_PKT_PSEUDO))
        return false;
    return cn_num_match(data, p->ip_id);
}

const struct cn_keyword cn_kw_id = {
    .name = "id",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
