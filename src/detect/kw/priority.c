/* detect/kw: priority, the alert's severity (1 highest .. 255). An explicit priority wins
 * over the classtype's, whichever comes first in the rule; 0 in the rule means "not set"
 * until the loader applies the default of 3. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int64_t v;
    if (!cn_kw_parse_int(value, 1, 255, &v)) {
        snprintf(err, errlen, "priority must be 1..255");
        return -CN_EINVAL;
    }
    b->rule->priority = (int)v;
    b->rule->flags |= CN_RULE_PRIO_SET;
    return 0;
}

const struct cn_keyword cn_kw_priority = {
    .name = "priority",
    .setup = setup,
};
