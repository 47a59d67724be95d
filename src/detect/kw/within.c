/* detect/kw: within, makes the last content relative: it must end at most this many bytes
 * after the previous match (after distance, when both are given). */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

#define RELATIVE_MAX (1 << 20) /* Suricata's bound on relative values */

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int64_t v;
    struct cn_content *c = cn_content_position(b, "within", value, CN_CONTENT_WITHIN, -RELATIVE_MAX,
                                               RELATIVE_MAX, &v, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    if (!(c->flags & CN_CONTENT_WITHIN_VAR) && v < (int64_t)c->len) {
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
