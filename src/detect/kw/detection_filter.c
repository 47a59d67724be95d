/* detect/kw: detection_filter, a rate a rule must exceed before it alerts: "track
 * by_src|by_dst|by_both|by_rule|by_flow, count N, seconds T" in any order, each exactly once,
 * count and seconds above 0 (Suricata's validation). Once more than N matches fall within T
 * seconds of the first, every further match alerts. The keyword records the setting on the
 * rule; the engine applies it when the alert is finalized (threshold.c). A rule carries at
 * most one detection_filter or threshold, never both. */
#include <stdio.h>

#include "detect/detect_int.h"

enum part { P_TRACK, P_COUNT, P_SECONDS, P__N };
static const char *const part_names[P__N] = {"track", "count", "seconds"};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    const struct cn_threshold_spec *prev = b->rule->threshold;
    if (prev != NULL) {
        snprintf(err, errlen,
                 prev->type == CN_TH_DETECTION
                     ? "at most one detection_filter is allowed per rule"
                     : "detection_filter and threshold are not allowed in the same "
                       "rule");
        return -CN_EINVAL;
    }
    char buf[256];
    const char *v[P__N];
    int rc = cn_threshold_parts(value, part_names, P__N, v, buf, sizeof(buf),
                                "track K, count N, seconds S", err, errlen);
    if (rc < 0)
        return rc;

    struct cn_threshold_spec s;
    memset(&s, 0, sizeof(s));
    s.type = CN_TH_DETECTION;
    s.track = (uint8_t)cn_threshold_track(v[P_TRACK]);
    if (s.track == 0) {
        snprintf(err, errlen, "track must be by_src, by_dst, by_both, by_rule or by_flow");
        return -CN_EINVAL;
    }
    if (!cn_threshold_u32(v[P_COUNT], &s.count) || !cn_threshold_u32(v[P_SECONDS], &s.seconds) ||
        s.count == 0 || s.seconds == 0) {
        snprintf(err, errlen, "count and seconds must be numbers greater than 0");
        return -CN_EINVAL;
    }
    return cn_threshold_attach(b->rule, &s, err, errlen);
}

const struct cn_keyword cn_kw_detection_filter = {
    .name = "detection_filter",
    .setup = setup,
};
