/* dsize: compares the packet's payload size (the bytes after the transport header, or after
 * the IP header for other protocols) with a number or range. Pseudo packets have no payload of
 * their own and never match. As in Suricata, the comparisons that a size of 0 could only
 * satisfy by accident (!=, >, >=, ranges) need a payload: `dsize:!9` does not fire on bare
 * ACKs, while `dsize:<5` and `dsize:0` do. */
#include "detect/kw/numeric.h"

static const struct cn_num_spec spec = {.max = UINT16_MAX, .ops = CN_NUM_OPS_ALL};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_num_setup(b, &cn_kw_dsize, value, &spec, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (p->flags & CN_PKT_PSEUDO)
        return false;
    const struct cn_num *n = data;
    if (p->payload_len == 0 && n->op != CN_NUM_EQ && n->op != CN_NUM_LT && n->op != CN_NUM_LE)
        return false;
    return cn_num_match(data, p->payload_len);
}

const struct cn_keyword cn_kw_dsize = {
    .name = "dsize",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
