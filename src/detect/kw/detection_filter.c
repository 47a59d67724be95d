/* detect/kw: detection_filter, a rate a rule must exceed before it alerts: "track
 * by_src|by_dst|by_both|by_rule|by_flow, count N, seconds T" in any order, each exactly once,
 * count and seconds above 0 (Suricata's validation). Once more than N matches fall within T
 * seconds of the first, every further match alerts. The keyword records the setting on the
 * rule; the engine applies it when the alert is finalized (threshold.c). A rule carries at
 * most one detection_filter or threshold, never both. */
#include <stdio.h>
#include <strings.h>

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
    if (value == NULL || strlen(value) >= sizeof(buf)) {
        snprintf(err, errlen, "value too long");
        return -CN_EINVAL;
    }
    memcpy(buf, value, strlen(value) + 1);
    char *names[P__N], *values[P__N];
    if (cn_threshold_pairs(buf, names, values, P__N) != P__N) {
        snprintf(err, errlen, "expected 'track K, count N, seconds S'");
        return -CN_EINVAL;
    }
    const char *v[P__N] = {NULL};
    for (unsigned i = 0; i < P__N; i++) {
        unsigned k = 0;
        while (k < P__N && strcasecmp(names[i], part_names[k]) != 0)
            k++;
        if (k == P__N) {
            snprintf(err, errlen, "unknown option '%.32s'", names[i]);
            return -CN_EINVAL;
        }
        if (v[k] != NULL) {
            snprintf(err, errlen, "'%s' given twice", part_names[k]);
            return -CN_EINVAL;
        }
        v[k] = values[i];
    }

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
    struct cn_threshold_spec *copy = cn_calloc(1, sizeof(*copy));
    if (copy == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *copy = s;
    b->rule->threshold = copy;
    return 0;
}

const struct cn_keyword cn_kw_detection_filter = {
    .name = "detection_filter",
    .setup = setup,
};
