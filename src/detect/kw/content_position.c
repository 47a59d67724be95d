/* detect/kw: what depth, offset, distance and within share. Each positions the last content
 * (absolute window: depth/offset; relative to the previous match: distance/within), takes one
 * integer, may be given once per content, and cannot be combined with startswith,
 * fast_pattern:only, a negated fast_pattern, or the other family. The four keyword files keep
 * only what differs: the bounds and how the value is stored.
 *
 * The value may name a byte_extract/byte_math variable: the content then gets the keyword's
 * flag plus its *_VAR flag and the variable's index, *out is 0, and the inspector reads the
 * value per attempt. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/byte_common.h"
#include "detect/kw/content.h"

/* The value names a variable: record its index under the keyword's *_VAR flag. */
static struct cn_content *set_var(struct cn_rule_builder *b, struct cn_content *c, const char *name,
                                  const char *value, uint32_t flag, int64_t *out, char *err,
                                  size_t errlen)
{
    char e[96];
    int idx = cn_byte_var_find(b, value, e, sizeof(e));
    if (idx < 0) {
        snprintf(err, errlen, "%s: %s", name, e);
        return NULL;
    }
    switch (flag) {
    case CN_CONTENT_DEPTH:
        c->depth_var = (uint8_t)idx;
        c->flags |= CN_CONTENT_DEPTH_VAR;
        break;
    case CN_CONTENT_OFFSET:
        c->offset_var = (uint8_t)idx;
        c->flags |= CN_CONTENT_OFFSET_VAR;
        break;
    case CN_CONTENT_DISTANCE:
        c->distance_var = (uint8_t)idx;
        c->flags |= CN_CONTENT_DISTANCE_VAR;
        break;
    default:
        c->within_var = (uint8_t)idx;
        c->flags |= CN_CONTENT_WITHIN_VAR;
        break;
    }
    *out = 0;
    return c;
}

struct cn_content *cn_content_position(struct cn_rule_builder *b, const char *name,
                                       const char *value, uint32_t flag, int64_t min, int64_t max,
                                       int64_t *out, char *err, size_t errlen)
{
    const bool relative = flag & (CN_CONTENT_DISTANCE | CN_CONTENT_WITHIN);
    const uint32_t other = relative ? (CN_CONTENT_DEPTH | CN_CONTENT_OFFSET)
                                    : (CN_CONTENT_DISTANCE | CN_CONTENT_WITHIN);
    struct cn_content *c = cn_rule_last_content(b, err, errlen);
    if (c == NULL)
        return NULL;
    /* startswith first: it sets the depth itself, so it is not "a second depth" */
    if (c->flags & CN_CONTENT_STARTSWITH)
        snprintf(err, errlen, "%s cannot be used with startswith", name);
    else if (c->flags & flag)
        snprintf(err, errlen, "multiple %s for one content", name);
    else if (c->flags & other)
        snprintf(err, errlen, "%s cannot be mixed with %s", name,
                 relative ? "depth/offset" : "distance/within");
    else if ((c->flags & CN_CONTENT_NEGATED) && (c->flags & CN_CONTENT_FAST_PATTERN))
        snprintf(err, errlen, "%s on a negated fast_pattern content", name);
    else if (c->flags & CN_CONTENT_FP_ONLY)
        snprintf(err, errlen, "%s cannot be used with fast_pattern:only", name);
    else if (value != NULL && cn_kw_is_varname(value))
        return set_var(b, c, name, value, flag, out, err, errlen);
    else if (!cn_kw_parse_int(value, min, max, out))
        snprintf(err, errlen, "invalid %s '%.32s'", name, value ? value : "");
    else
        return c;
    return NULL;
}
