/* tos: the IPv4 type-of-service byte (RFC 791 section 3.1), equal or not equal ("!"). The value
 * is decimal or hexadecimal, written 0x1f or, as Snort and Suricata accept, x1f. IPv4 only, as
 * in Suricata. */
#include "detect/kw/numeric.h"

static const struct cn_num_spec spec = {
    .max = UINT8_MAX, .ops = CN_NUM_OPS_EQ_NE, .flags = CN_NUM_HEX | CN_NUM_XHEX};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_num_setup(b, &cn_kw_tos, value, &spec, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (!(p->flags & CN_PKT_IPV4) || (p->flags & CN_PKT_PSEUDO))
        return false;
    return cn_num_match(data, p->tos);
}

const struct cn_keyword cn_kw_tos = {
    .name = "tos",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
