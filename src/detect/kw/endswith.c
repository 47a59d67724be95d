/* detect/kw: endswith, the last content must end exactly at the end of the buffer. It
 * combines with the other modifiers (distance and within bound how much may come before). */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    struct cn_content *c = cn_rule_last_content(b, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    if (c->flags & CN_CONTENT_ENDSWITH) {
        snprintf(err, errlen, "multiple endswith for one content");
        return -CN_EINVAL;
    }
    c->flags |= CN_CONTENT_ENDSWITH;
    return 0;
}

const struct cn_keyword cn_kw_endswith = {
    .name = "endswith",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
