/* sameip: the packet's source and destination addresses are the same (a LAND-style packet).
 * Takes no value. IP packets only. */
#include <stdio.h>

#include "detect/kw/numeric.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value; /* CN_KW_NOVALUE: the parser rejects a value before we are called */
    if (cn_rule_add_match(b->rule, CN_LIST_PACKET, &cn_kw_sameip, NULL) < 0) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    return 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    (void)data;
    const struct cn_packet *p = in->p;
    if (!(p->flags & (CN_PKT_IPV4 | CN_PKT_IPV6)) || (p->flags & CN_PKT_PSEUDO))
        return false;
    return cn_addr_eq(&p->src, &p->dst);
}

static void free_nothing(void *data)
{
    (void)data;
}

const struct cn_keyword cn_kw_sameip = {
    .name = "sameip",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
    .match = match,
    .free = free_nothing,
};
