/* detect/kw: distance, makes the last content relative: its search starts this many bytes
 * (possibly negative) after the end of the previous match. With nothing before it in the
 * buffer, "the previous match" ends at 0. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

#define DISTANCE_MAX (1 << 20) /* Suricata's bound on relative values */

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    struct cn_content *c = cn_rule_last_content(b, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    if (value != NULL && cn_kw_is_varname(value)) {
        snprintf(err, errlen, "byte_extract variables not supported yet");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_DISTANCE) {
        snprintf(err, errlen, "multiple distance for one content");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_STARTSWITH) {
        snprintf(err, errlen, "distance cannot be used with startswith");
        return -CN_EINVAL;
    }
    if (c->flags & (CN_CONTENT_DEPTH | CN_CONTENT_OFFSET)) {
        snprintf(err, errlen, "distance cannot be mixed with depth/offset");
        return -CN_EINVAL;
    }
    if ((c->flags & CN_CONTENT_NEGATED) && (c->flags & CN_CONTENT_FAST_PATTERN)) {
        snprintf(err, errlen, "distance on a negated fast_pattern content");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_FP_ONLY) {
        snprintf(err, errlen, "distance cannot be used with fast_pattern:only");
        return -CN_EINVAL;
    }
    int64_t v;
    if (!cn_kw_parse_int(value, -DISTANCE_MAX, DISTANCE_MAX, &v)) {
        snprintf(err, errlen, "invalid distance '%.32s'", value ? value : "");
        return -CN_EINVAL;
    }
    c->distance = (int32_t)v;
    c->flags |= CN_CONTENT_DISTANCE;
    /* A positive content further on can only lose candidates when the content before it
     * moves on, so only a negated one makes retrying the previous content worthwhile. */
    cn_content_mark_prev(b->rule, (unsigned)b->last_content_list, (unsigned)b->last_content_index,
                         (c->flags & CN_CONTENT_NEGATED) != 0);
    return 0;
}

const struct cn_keyword cn_kw_distance = {
    .name = "distance",
    .setup = setup,
};
