/* detect/kw: depth, how far into the buffer (from offset, or from its start) the last
 * content may extend. An absolute window: it cannot be combined with distance/within. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int64_t v;
    struct cn_content *c = cn_content_position(b, "depth", value, CN_CONTENT_DEPTH, 0,
                                               CN_CONTENT_MAX_LEN, &v, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    c->flags |= CN_CONTENT_DEPTH;
    if (c->flags & CN_CONTENT_DEPTH_VAR)
        return 0; /* a variable: the inspector adds the offset per attempt */
    if ((uint32_t)v < c->len) {
        snprintf(err, errlen, "depth must be >= content length");
        c->flags &= ~(uint32_t)CN_CONTENT_DEPTH;
        return -CN_EINVAL;
    }
    c->depth = (uint32_t)v + c->offset;
    return 0;
}

const struct cn_keyword cn_kw_depth = {
    .name = "depth",
    .setup = setup,
};
