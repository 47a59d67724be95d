/* detect/kw: msg, the rule's message (EVE alert.signature). The value is quoted; as in
 * Suricata, a backslash escapes whatever follows it and is dropped. */
#include <stdio.h>

#include "detect/detect_int.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    size_t n = value ? strlen(value) : 0;
    if (n < 2 || value[0] != '"' || value[n - 1] != '"') {
        snprintf(err, errlen, "msg must be in double quotes");
        return -CN_EINVAL;
    }
    if (b->rule->msg != NULL) {
        snprintf(err, errlen, "duplicated msg");
        return -CN_EINVAL;
    }
    char *m = cn_malloc(n - 1);
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    size_t o = 0;
    for (size_t i = 1; i < n - 1; i++) {
        if (value[i] == '\\' && i + 1 < n - 1)
            i++;
        m[o++] = value[i];
    }
    m[o] = '\0';
    b->rule->msg = m;
    return 0;
}

const struct cn_keyword cn_kw_msg = {
    .name = "msg",
    .setup = setup,
};
