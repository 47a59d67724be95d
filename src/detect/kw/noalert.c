/* noalert: the rule raises no alert when it matches; its actions (flowbits:set, ...) still
 * run, and the match is counted in detect.alerts_suppressed. The same as flowbits:noalert.
 * Takes no value. */
#include "detect/detect_int.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value, (void)err, (void)errlen; /* CN_KW_NOVALUE: the parser rejects a value */
    b->rule->flags |= CN_RULE_NOALERT;
    return 0;
}

const struct cn_keyword cn_kw_noalert = {
    .name = "noalert",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
