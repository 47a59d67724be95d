/* detect/kw: nocase, makes the last content match without regard to ASCII case. The pattern
 * is lower-cased once here so the search compares against one case only. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    struct cn_content *c = cn_rule_last_content(b, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    if (c->flags & CN_CONTENT_NOCASE) {
        snprintf(err, errlen, "multiple nocase for one content");
        return -CN_EINVAL;
    }
    for (uint32_t i = 0; i < c->len; i++)
        if (c->bytes[i] >= 'A' && c->bytes[i] <= 'Z')
            c->bytes[i] = (uint8_t)(c->bytes[i] + 32);
    c->flags |= CN_CONTENT_NOCASE;
    return 0;
}

const struct cn_keyword cn_kw_nocase = {
    .name = "nocase",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
