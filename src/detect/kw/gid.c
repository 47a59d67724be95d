/* detect/kw: gid, the generator id (EVE alert.gid; 1 unless the rule says otherwise). */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int64_t v;
    if (!cn_kw_parse_int(value, 0, UINT32_MAX - 1, &v)) {
        snprintf(err, errlen, "invalid gid '%s'", value ? value : "");
        return -CN_EINVAL;
    }
    b->rule->gid = (uint32_t)v;
    return 0;
}

const struct cn_keyword cn_kw_gid = {
    .name = "gid",
    .setup = setup,
};
