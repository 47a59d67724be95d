/* detect/kw: reference, "system,id" pointing at outside documentation (url, cve, ...).
 * Checked for form only: alerts do not carry references yet, and a system missing from
 * reference.config is accepted, as Suricata does with a warning. */
#include <stdio.h>

#include "detect/detect_int.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)b;
    const char *comma = value ? strchr(value, ',') : NULL;
    if (comma == NULL) {
        snprintf(err, errlen, "reference must be 'system,id'");
        return -CN_EINVAL;
    }
    const char *sys = value;
    while (*sys == ' ' || *sys == '"')
        sys++;
    const char *id = comma + 1;
    /* ET writes some ids in quotes; Suricata's parser tolerates them */
    while (*id == ' ' || *id == '\t' || *id == '"')
        id++;
    if (sys == comma || *id == '\0') {
        snprintf(err, errlen, "reference must be 'system,id'");
        return -CN_EINVAL;
    }
    return 0;
}

const struct cn_keyword cn_kw_reference = {
    .name = "reference",
    .setup = setup,
};
