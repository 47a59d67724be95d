/* tag: after the rule alerts, tag the following packets of its flow so they are logged too
 * (EVE "packet" records, alert.tagged-packets). Value: session[,COUNT,METRIC] with METRIC
 * packets, bytes or seconds; plain "session" is 256 packets, as in Suricata. Host tags
 * (tag:host,...) would need a host table shared by the workers and fail to load for now.
 * A rule keeps its first session tag: Suricata files a second one under the same rule and so
 * only restarts the first. The work happens in ../tag.c. */
#include "detect/kw/bits.h"

#define TAG_DEFAULT_PACKETS 256

static int parse_metric(const char *s, uint8_t *metric)
{
    static const struct {
        const char *name;
        uint8_t metric;
    } names[] = {{"packets", CN_TAG_PACKETS}, {"bytes", CN_TAG_BYTES}, {"seconds", CN_TAG_SECONDS}};
    for (size_t i = 0; i < CN_ARRAY_LEN(names); i++)
        if (!strcmp(s, names[i].name)) {
            *metric = names[i].metric;
            return 0;
        }
    return -CN_EINVAL;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char buf[96], *f[4] = {NULL};
    unsigned n;
    if (!value || snprintf(buf, sizeof(buf), "%s", value) >= (int)sizeof(buf) ||
        (n = cn_bits_split(buf, ',', f, 4)) > 4) {
        snprintf(err, errlen, "tag takes session|host[,COUNT,METRIC[,src|dst]]");
        return -CN_EINVAL;
    }
    if (!strcmp(f[0], "host")) {
        snprintf(err, errlen, "tag:host is not supported yet (tag:session is)");
        return -CN_EINVAL;
    }
    if (strcmp(f[0], "session") || n == 2 || n == 4) {
        snprintf(err, errlen, "tag: expected session[,COUNT,METRIC], got '%.40s'", value);
        return -CN_EINVAL;
    }
    uint64_t count = TAG_DEFAULT_PACKETS;
    uint8_t metric = CN_TAG_PACKETS;
    if (n == 3 && (cn_parse_u64(f[1], &count) != 0 || count > UINT32_MAX)) {
        snprintf(err, errlen, "tag: bad count '%.20s'", f[1]);
        return -CN_EINVAL;
    }
    if (n == 3 && parse_metric(f[2], &metric) != 0) {
        snprintf(err, errlen, "tag: unknown metric '%.20s' (packets, bytes or seconds)", f[2]);
        return -CN_EINVAL;
    }
    if (b->rule->tag_metric == CN_TAG_NONE) {
        b->rule->tag_count = (uint32_t)count;
        b->rule->tag_metric = metric;
    }
    return 0;
}

const struct cn_keyword cn_kw_tag = {
    .name = "tag",
    .setup = setup,
};
