/* ip_proto: compares the packet's transport protocol number (the IPv4 protocol field, or the
 * IPv6 next header after the extension headers) with a number or a protocol name: N, !N, <N,
 * >N. Names are those of the IANA protocol-numbers registry as /etc/protocols spells them; the
 * table is built in so rule loading does not depend on the host's files. */
#include <stdio.h>
#include <strings.h>

#include "detect/kw/numeric.h"

static const struct {
    const char *name;
    uint8_t proto;
} names[] = {
    {"ip", 0},
    {"hopopt", 0},
    {"icmp", 1},
    {"igmp", 2},
    {"ggp", 3},
    {"ipencap", 4},
    {"st", 5},
    {"tcp", 6},
    {"egp", 8},
    {"igp", 9},
    {"pup", 12},
    {"udp", 17},
    {"hmp", 20},
    {"xns-idp", 22},
    {"rdp", 27},
    {"iso-tp4", 29},
    {"dccp", 33},
    {"xtp", 36},
    {"ddp", 37},
    {"idpr-cmtp", 38},
    {"ipv6", 41},
    {"ipv6-route", 43},
    {"ipv6-frag", 44},
    {"idrp", 45},
    {"rsvp", 46},
    {"gre", 47},
    {"esp", 50},
    {"ah", 51},
    {"skip", 57},
    {"ipv6-icmp", 58},
    {"ipv6-nonxt", 59},
    {"ipv6-opts", 60},
    {"rspf", 73},
    {"vmtp", 81},
    {"eigrp", 88},
    {"ospf", 89},
    {"ospfigp", 89},
    {"ax.25", 93},
    {"ipip", 94},
    {"etherip", 97},
    {"encap", 98},
    {"pim", 103},
    {"ipcomp", 108},
    {"vrrp", 112},
    {"l2tp", 115},
    {"isis", 124},
    {"sctp", 132},
    {"fc", 133},
    {"mobility-header", 135},
    {"udplite", 136},
    {"mpls-in-ip", 137},
    {"manet", 138},
    {"hip", 139},
    {"shim6", 140},
    {"wesp", 141},
    {"rohc", 142},
    {"ethernet", 143},
};

static const struct cn_num_spec spec = {.max = UINT8_MAX, .ops = CN_NUM_OPS_SIMPLE};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    struct cn_num n = {0, 0, CN_NUM_EQ};
    if (!value) {
        snprintf(err, errlen, "a protocol is required");
        return -CN_EINVAL;
    }
    const char *s = value, *end = value + strlen(value);
    while (s < end && cn_num_isspace(*s))
        s++;
    while (end > s && cn_num_isspace(end[-1]))
        end--;
    const char *name = s;
    if (name < end && (*name == '!' || *name == '<' || *name == '>')) {
        n.op = *name == '!' ? CN_NUM_NE : *name == '<' ? CN_NUM_LT : CN_NUM_GT;
        name++;
        while (name < end && cn_num_isspace(*name))
            name++;
    }
    if (name < end && *name >= '0' && *name <= '9') {
        int rc = cn_num_parse(&n, value, &spec, err, errlen);
        if (rc < 0)
            return rc;
    } else {
        size_t len = (size_t)(end - name);
        size_t i;
        for (i = 0; i < CN_ARRAY_LEN(names); i++)
            if (strlen(names[i].name) == len && strncasecmp(names[i].name, name, len) == 0)
                break;
        if (i == CN_ARRAY_LEN(names)) {
            snprintf(err, errlen, "unknown protocol '%.*s'", (int)CN_MIN(len, 32), name);
            return -CN_EINVAL;
        }
        n.lo = names[i].proto;
        if ((n.op == CN_NUM_LT && n.lo == 0) || (n.op == CN_NUM_GT && n.lo == UINT8_MAX)) {
            snprintf(err, errlen, "comparison can never match");
            return -CN_EINVAL;
        }
    }

    struct cn_num *d = cn_malloc(sizeof(*d));
    if (!d)
        goto out_nomem;
    *d = n;
    if (cn_rule_add_match(b->rule, CN_LIST_PACKET, &cn_kw_ip_proto, d) < 0)
        goto out_nomem; /* the failed append freed d */
    return 0;

out_nomem:
    snprintf(err, errlen, "out of memory");
    return -CN_ENOMEM;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_packet *p = in->p;
    if (!(p->flags & (CN_PKT_IPV4 | CN_PKT_IPV6)) || (p->flags & CN_PKT_PSEUDO))
        return false;
    return cn_num_match(data, p->proto);
}

const struct cn_keyword cn_kw_ip_proto = {
    .name = "ip_proto",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
