/* detect/kw: within, makes the last content relative: it must end at most this many bytes
 * after the previous match (after distance, when both are given). */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

#define WITHIN_MAX (1 << 20) /* Suricata's bound on relative values */

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    struct cn_content *c = cn_rule_last_content(b, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    if (value != NULL && cn_kw_is_varname(value)) {
        snprintf(err, errlen, "byte_extract variables not supported yet");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_WITHIN) {
        snprintf(err, errlen, "multiple within for one content");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_STARTSWITH) {
        snprintf(err, errlen, "within cannot be used with startswith");
        return -CN_EINVAL;
    }
    if (c->flags & (CN_CONTENT_DEPTH | CN_CONTENT_OFFSET)) {
        snprintf(err, errlen, "within cannot be mixed with depth/offset");
        return -CN_EINVAL;
    }
    if ((c->flags & CN_CONTENT_NEGATED) && (c->flags & CN_CONTENT_FAST_PATTERN)) {
        snprintf(err, errlen, "within on a negated fast_pattern content");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_FP_ONLY) {
        snprintf(err, errlen, "within cannot be used with fast_pattern:only");
        return -CN_EINVAL;
    }
    int64_t v;
    if (!cn_kw_parse_int(value, -WITHIN_MAX, WITHIN_MAX, &v)) {
        snprintf(err, errlen, "invalid within '%.32s'", value ? value : "");
        return -CN_EINVAL;
    }
    if (v < (int64_t)c->len) {
        snprintf(err, errlen, "within must be >= content length");
        return -CN_EINVAL;
    }
    c->within = (int32_t)v;
    c->flags |= CN_CONTENT_WITHIN;
    cn_content_mark_prev(b->rule, (unsigned)b->last_content_list, (unsigned)b->last_content_index,
                         true);
    return 0;
}

const struct cn_keyword cn_kw_within = {
    .name = "within",
    .setup = setup,
};
