/* ack: the TCP acknowledgment number (RFC 9293 section 3.1) equals a number. TCP packets only;
 * like Suricata, the ACK flag itself is not required. */
#include "detect/kw/numeric.h"

static const struct cn_num_spec spec = {.max = UINT32_MAX, .ops = CN_NUM_OPS_EQ};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_num_setup(b, &cn_kw_ack, value, &spec, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (!(p->flags & CN_PKT_TCP) || (p->flags & CN_PKT_PSEUDO))
        return false;
    return cn_num_match(data, p->tcp.ack);
}

const struct cn_keyword cn_kw_ack = {
    .name = "ack",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
