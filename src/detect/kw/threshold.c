/* detect/kw: threshold, how often a matching rule may alert: "type limit|threshold|both,
 * track by_src|by_dst|by_both|by_rule|by_flow, count N, seconds T", or "type backoff, track
 * by_flow, count N, multiplier M", the four parts in any order, each exactly once (Suricata's
 * validation). The keyword only records the setting on
 * the rule; the counting happens when the engine finalizes the alert (threshold.c), and a
 * threshold.config entry for the rule may replace it. A rule carries at most one threshold or
 * detection_filter, never both, as in Suricata. */
#include <stdio.h>
#include <strings.h>

#include "detect/detect_int.h"

enum part { P_TYPE, P_TRACK, P_COUNT, P_SECONDS, P__N };
static const char *const part_names[P__N] = {"type", "track", "count", "seconds"};
/* type backoff takes a multiplier where the others take seconds */
static const char *const backoff_names[P__N] = {"type", "track", "count", "multiplier"};

static int backoff_setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char buf[256];
    const char *v[P__N];
    int rc = cn_threshold_parts(value, backoff_names, P__N, v, buf, sizeof(buf),
                                "type backoff, track by_flow, count N, multiplier M", err, errlen);
    if (rc < 0)
        return rc;
    struct cn_threshold_spec s;
    memset(&s, 0, sizeof(s));
    s.type = CN_TH_BACKOFF;
    s.track = (uint8_t)cn_threshold_track(v[P_TRACK]);
    if (strcasecmp(v[P_TYPE], "backoff") != 0) {
        snprintf(err, errlen, "multiplier goes with type backoff only");
        return -CN_EINVAL;
    }
    if (s.track != CN_TRACK_FLOW) {
        snprintf(err, errlen, "type backoff works with track by_flow only");
        return -CN_EINVAL;
    }
    if (!cn_threshold_u32(v[P_COUNT], &s.count) || !cn_threshold_u32(v[P_SECONDS], &s.multiplier) ||
        s.count == 0 || s.multiplier == 0) {
        snprintf(err, errlen, "count and multiplier must be numbers above 0");
        return -CN_EINVAL;
    }
    return cn_threshold_attach(b->rule, &s, err, errlen);
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    const struct cn_threshold_spec *prev = b->rule->threshold;
    if (prev != NULL) {
        snprintf(err, errlen,
                 prev->type == CN_TH_DETECTION
                     ? "detection_filter and threshold are not allowed in the same "
                       "rule"
                     : "multiple threshold options are not allowed in the same rule");
        return -CN_EINVAL;
    }
    if (value != NULL && strstr(value, "multiplier") != NULL)
        return backoff_setup(b, value, err, errlen);
    char buf[256];
    const char *v[P__N];
    int rc = cn_threshold_parts(value, part_names, P__N, v, buf, sizeof(buf),
                                "type T, track K, count N, seconds S", err, errlen);
    if (rc < 0)
        return rc;

    struct cn_threshold_spec s;
    memset(&s, 0, sizeof(s));
    if (strcasecmp(v[P_TYPE], "limit") == 0)
        s.type = CN_TH_LIMIT;
    else if (strcasecmp(v[P_TYPE], "threshold") == 0)
        s.type = CN_TH_THRESHOLD;
    else if (strcasecmp(v[P_TYPE], "both") == 0)
        s.type = CN_TH_BOTH;
    else {
        snprintf(err, errlen,
                 strcasecmp(v[P_TYPE], "backoff") == 0
                     ? "type backoff takes a multiplier, not seconds"
                     : "type must be limit, threshold, both or backoff");
        return -CN_EINVAL;
    }
    s.track = (uint8_t)cn_threshold_track(v[P_TRACK]);
    if (s.track == 0) {
        snprintf(err, errlen, "track must be by_src, by_dst, by_both, by_rule or by_flow");
        return -CN_EINVAL;
    }
    if (!cn_threshold_u32(v[P_COUNT], &s.count) || !cn_threshold_u32(v[P_SECONDS], &s.seconds)) {
        snprintf(err, errlen, "count and seconds must be numbers");
        return -CN_EINVAL;
    }
    return cn_threshold_attach(b->rule, &s, err, errlen);
}

const struct cn_keyword cn_kw_threshold = {
    .name = "threshold",
    .setup = setup,
};
