/* tcp.mss: compares the TCP maximum segment size option (RFC 9293 section 3.7.1) with a number
 * or range. Packets without the option never match, as in Suricata. */
#include "detect/kw/numeric.h"

static const struct cn_num_spec spec = {.max = UINT16_MAX, .ops = CN_NUM_OPS_ALL};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    return cn_num_setup(b, &cn_kw_tcp_mss, value, &spec, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (!(p->flags & CN_PKT_TCP) || (p->flags & CN_PKT_PSEUDO) || !p->tcp.has_mss)
        return false;
    return cn_num_match(data, p->tcp.mss);
}

const struct cn_keyword cn_kw_tcp_mss = {
    .name = "tcp.mss",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
