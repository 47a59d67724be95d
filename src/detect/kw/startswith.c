/* detect/kw: startswith, the last content must be at the very start of the buffer: a
 * shorthand for offset 0 and depth equal to the content's length. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    struct cn_content *c = cn_rule_last_content(b, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    if (c->flags & CN_CONTENT_STARTSWITH) {
        snprintf(err, errlen, "multiple startswith for one content");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_DEPTH) {
        snprintf(err, errlen, "startswith cannot be used with depth");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_OFFSET) {
        snprintf(err, errlen, "startswith cannot be used with offset");
        return -CN_EINVAL;
    }
    if (c->flags & (CN_CONTENT_DISTANCE | CN_CONTENT_WITHIN)) {
        snprintf(err, errlen, "startswith cannot be used with distance/within");
        return -CN_EINVAL;
    }
    c->offset = 0;
    c->depth = c->len;
    c->flags |= CN_CONTENT_STARTSWITH | CN_CONTENT_DEPTH;
    return 0;
}

const struct cn_keyword cn_kw_startswith = {
    .name = "startswith",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
