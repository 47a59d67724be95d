/* detect/kw: classtype, the rule's class from classification.config. The class gives the
 * alert its category (EVE alert.category) and its priority unless the rule sets priority
 * itself. An unknown class fails the rule, as in Suricata. */
#include <stdio.h>

#include "detect/detect_int.h"

static const struct cn_classtype *lookup(const struct cn_detect_loader *ld, const char *name)
{
    return ld ? cn_detect_classtype(ld, name) : NULL;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    if (value == NULL || *value == '\0') {
        snprintf(err, errlen, "classtype needs a class name");
        return -CN_EINVAL;
    }
    if (b->rule->classtype != NULL) {
        snprintf(err, errlen, "duplicated classtype");
        return -CN_EINVAL;
    }
    const struct cn_classtype *ct = lookup(b->ld, value);
    if (ct == NULL) {
        snprintf(err, errlen, "unknown classtype '%.40s'", value);
        return -CN_EINVAL;
    }
    char *desc = cn_strdup(ct->desc ? ct->desc : ct->name);
    if (desc == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    b->rule->classtype = desc;
    if (!(b->rule->flags & CN_RULE_PRIO_SET))
        b->rule->priority = ct->priority;
    return 0;
}

const struct cn_keyword cn_kw_classtype = {
    .name = "classtype",
    .setup = setup,
};
