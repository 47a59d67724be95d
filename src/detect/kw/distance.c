/* detect/kw: distance, makes the last content relative: its search starts this many bytes
 * (possibly negative) after the end of the previous match. With nothing before it in the
 * buffer, "the previous match" ends at 0. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

#define RELATIVE_MAX (1 << 20) /* Suricata's bound on relative values */

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int64_t v;
    struct cn_content *c = cn_content_position(b, "distance", value, CN_CONTENT_DISTANCE,
                                               -RELATIVE_MAX, RELATIVE_MAX, &v, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
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
