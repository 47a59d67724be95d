/* detect/kw: offset, where in the buffer the search for the last content starts. An
 * absolute window: it cannot be combined with distance/within. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int64_t v;
    struct cn_content *c = cn_content_position(b, "offset", value, CN_CONTENT_OFFSET, 0,
                                               CN_CONTENT_MAX_LEN, &v, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    c->offset = (uint32_t)v;
    /* depth is kept as the window's end, so a depth given first moves with the offset */
    if (c->depth != 0)
        c->depth += (uint32_t)v;
    c->flags |= CN_CONTENT_OFFSET;
    return 0;
}

const struct cn_keyword cn_kw_offset = {
    .name = "offset",
    .setup = setup,
};
