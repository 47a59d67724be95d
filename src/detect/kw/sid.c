/* detect/kw: sid, the rule's signature id. Suricata refuses 0, values beyond 32 bits and a
 * second sid in the same rule. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int64_t v;
    if (!cn_kw_parse_int(value, 0, UINT32_MAX - 1, &v)) {
        snprintf(err, errlen, "invalid sid '%s'", value ? value : "");
        return -CN_EINVAL;
    }
    if (v == 0) {
        snprintf(err, errlen, "sid 0 is invalid");
        return -CN_EINVAL;
    }
    if (b->rule->sid != 0) {
        snprintf(err, errlen, "duplicated sid");
        return -CN_EINVAL;
    }
    b->rule->sid = (uint32_t)v;
    return 0;
}

const struct cn_keyword cn_kw_sid = {
    .name = "sid",
    .setup = setup,
};
