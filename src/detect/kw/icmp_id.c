/* icmp_id: the identifier of an ICMP/ICMPv6 echo-type message equals a number (quotes around the
 * number are accepted, as in Suricata). Messages without an identifier never match. */
#include "detect/kw/numeric.h"

static const struct cn_num_spec spec = {.max = UINT16_MAX, .ops = CN_NUM_OPS_EQ};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_num_setup(b, &cn_kw_icmp_id, value, &spec, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (!cn_num_icmp_has_id(p))
        return false;
    return cn_num_match(data, p->icmp.id);
}

const struct cn_keyword cn_kw_icmp_id = {
    .name = "icmp_id",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
