/* profile: per-rule counters of the rule profiler (profile.c), shared by engine.c. */
#ifndef CN_DETECT_PROFILE_H
#define CN_DETECT_PROFILE_H

#include "detect/detect.h"

struct cn_rule_counts {
    uint64_t checks, matches, ns, ns_max;
};

/* A zeroed array for one worker (one entry per rule, by rule->num); NULL without memory. */
struct cn_rule_counts *cn_rule_profile_counts(const struct cn_rule_profile *p);
/* Adds a worker's counts into the shared profile (thread-safe). */
void cn_rule_profile_add(struct cn_rule_profile *p, const struct cn_rule_counts *c);

#endif
