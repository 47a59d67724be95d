/* detect/kw: rev, the rule's revision (EVE alert.rev). */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int64_t v;
    if (!cn_kw_parse_int(value, 0, UINT32_MAX - 1, &v)) {
        snprintf(err, errlen, "invalid rev '%s'", value ? value : "");
        return -CN_EINVAL;
    }
    if (b->rule->rev != 0) {
        snprintf(err, errlen, "duplicated rev");
        return -CN_EINVAL;
    }
    b->rule->rev = (uint32_t)v;
    return 0;
}

const struct cn_keyword cn_kw_rev = {
    .name = "rev",
    .setup = setup,
};
