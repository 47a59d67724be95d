/* detect/kw: target, which side of the alert is the target (src_ip or dest_ip); EVE's
 * alert.source and alert.target follow from it. */
#include <stdio.h>

#include "detect/detect_int.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    if (b->rule->flags & (CN_RULE_TARGET_SRC | CN_RULE_TARGET_DST)) {
        snprintf(err, errlen, "duplicated target");
        return -CN_EINVAL;
    }
    if (value != NULL && strcmp(value, "src_ip") == 0) {
        b->rule->flags |= CN_RULE_TARGET_SRC;
    } else if (value != NULL && strcmp(value, "dest_ip") == 0) {
        b->rule->flags |= CN_RULE_TARGET_DST;
    } else {
        snprintf(err, errlen, "target must be src_ip or dest_ip");
        return -CN_EINVAL;
    }
    return 0;
}

const struct cn_keyword cn_kw_target = {
    .name = "target",
    .setup = setup,
};
