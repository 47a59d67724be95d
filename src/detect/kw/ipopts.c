/* ipopts: the IPv4 header carries a given option (RFC 791 section 3.1 and the IANA registry),
 * named as in Suricata: rr, eol, nop, ts, sec, esec, lsrr, ssrr, satid, or any for "at least one
 * option". One name per keyword; the decoder sets a bit per valid option in p->ipv4_opts. */
#include <stdio.h>
#include <strings.h>

#include "detect/kw/numeric.h"

static const struct {
    const char *name;
    uint32_t bit;
} names[] = {
    {"rr", CN_IPV4_OPT_RR},     {"eol", CN_IPV4_OPT_EOL},   {"nop", CN_IPV4_OPT_NOP},
    {"ts", CN_IPV4_OPT_TS},     {"sec", CN_IPV4_OPT_SEC},   {"esec", CN_IPV4_OPT_ESEC},
    {"lsrr", CN_IPV4_OPT_LSRR}, {"ssrr", CN_IPV4_OPT_SSRR}, {"satid", CN_IPV4_OPT_SATID},
    {"any", CN_IPV4_OPT_ANY},
};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    if (!value) {
        snprintf(err, errlen, "an option name is required");
        return -CN_EINVAL;
    }
    const char *s = value, *end = value + strlen(value);
    while (s < end && cn_num_isspace(*s))
        s++;
    while (end > s && cn_num_isspace(end[-1]))
        end--;
    size_t n = (size_t)(end - s);
    for (size_t i = 0; i < CN_ARRAY_LEN(names); i++) {
        if (strlen(names[i].name) != n || strncasecmp(names[i].name, s, n) != 0)
            continue;
        uint32_t *d = cn_malloc(sizeof(*d));
        if (!d)
            goto out_nomem;
        *d = names[i].bit;
        if (cn_rule_add_match(b->rule, CN_LIST_PACKET, &cn_kw_ipopts, d) < 0)
            goto out_nomem; /* the failed append freed d */
        return 0;
    }
    snprintf(err, errlen, "unknown IP option '%.*s'", (int)CN_MIN(n, 32), s);
    return -CN_EINVAL;

out_nomem:
    snprintf(err, errlen, "out of memory");
    return -CN_ENOMEM;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (!(p->flags & CN_PKT_IPV4) || (p->flags & CN_PKT_PSEUDO))
        return false;
    return (p->ipv4_opts & *(const uint32_t *)data) != 0;
}

const struct cn_keyword cn_kw_ipopts = {
    .name = "ipopts",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
