/* detect/kw: offset, where in the buffer the search for the last content starts. An
 * absolute window: it cannot be combined with distance/within. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    struct cn_content *c = cn_rule_last_content(b, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    if (value != NULL && cn_kw_is_varname(value)) {
        snprintf(err, errlen, "byte_extract variables not supported yet");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_STARTSWITH) {
        snprintf(err, errlen, "offset cannot be used with startswith");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_OFFSET) {
        snprintf(err, errlen, "multiple offset for one content");
        return -CN_EINVAL;
    }
    if (c->flags & (CN_CONTENT_DISTANCE | CN_CONTENT_WITHIN)) {
        snprintf(err, errlen, "offset cannot be mixed with distance/within");
        return -CN_EINVAL;
    }
    if ((c->flags & CN_CONTENT_NEGATED) && (c->flags & CN_CONTENT_FAST_PATTERN)) {
        snprintf(err, errlen, "offset on a negated fast_pattern content");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_FP_ONLY) {
        snprintf(err, errlen, "offset cannot be used with fast_pattern:only");
        return -CN_EINVAL;
    }
    int64_t v;
    if (!cn_kw_parse_int(value, 0, CN_CONTENT_MAX_LEN, &v)) {
        snprintf(err, errlen, "invalid offset '%.32s'", value ? value : "");
        return -CN_EINVAL;
    }
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
