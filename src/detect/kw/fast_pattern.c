/* detect/kw: fast_pattern, picks the last content as the rule's prefilter pattern. Forms:
 * "fast_pattern" , "fast_pattern:only" (the prefilter hit alone confirms the content) and
 * "fast_pattern:<offset>,<length>" (only that slice of the content goes to the prefilter).
 * Only recorded here; the prefilter that uses it comes later. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static bool rule_has_fast_pattern(const struct cn_rule *r)
{
    for (unsigned li = 0; li < r->nlists && li < CN_LIST__MAX; li++) {
        const struct cn_smlist *l = &r->lists[li];
        for (unsigned i = 0; i < l->n; i++) {
            if (l->v[i].kw != &cn_kw_content)
                continue;
            const struct cn_content *c = l->v[i].data;
            if (c->flags & CN_CONTENT_FAST_PATTERN)
                return true;
        }
    }
    return false;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    struct cn_content *c = cn_rule_last_content(b, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    if (c->flags & CN_CONTENT_FAST_PATTERN) {
        snprintf(err, errlen, "multiple fast_pattern for one content");
        return -CN_EINVAL;
    }
    if (rule_has_fast_pattern(b->rule)) {
        snprintf(err, errlen, "fast_pattern may be set on one content only");
        return -CN_EINVAL;
    }
    bool positional =
        c->flags & (CN_CONTENT_DISTANCE | CN_CONTENT_WITHIN | CN_CONTENT_DEPTH | CN_CONTENT_OFFSET);
    if ((c->flags & CN_CONTENT_NEGATED) && positional) {
        snprintf(err, errlen, "fast_pattern on a negated content with a position");
        return -CN_EINVAL;
    }
    const char *v = value;
    while (v != NULL && (*v == ' ' || *v == '\t'))
        v++;
    if (v == NULL || *v == '\0') {
        c->flags |= CN_CONTENT_FAST_PATTERN;
        return 0;
    }
    if (strcmp(v, "only") == 0) {
        if (c->flags & CN_CONTENT_NEGATED) {
            snprintf(err, errlen, "fast_pattern:only on a negated content");
            return -CN_EINVAL;
        }
        if (positional || (c->flags & (CN_CONTENT_WITHIN_NEXT | CN_CONTENT_DISTANCE_NEXT))) {
            snprintf(err, errlen, "fast_pattern:only cannot be used with relative modifiers");
            return -CN_EINVAL;
        }
        c->flags |= CN_CONTENT_FAST_PATTERN | CN_CONTENT_FP_ONLY;
        return 0;
    }
    const char *comma = strchr(v, ',');
    if (comma == NULL || (size_t)(comma - v) >= 16) {
        snprintf(err, errlen, "fast_pattern takes only or offset,length");
        return -CN_EINVAL;
    }
    char first[16];
    memcpy(first, v, (size_t)(comma - v));
    first[comma - v] = '\0';
    int64_t off, len;
    if (!cn_kw_parse_int(first, 0, UINT16_MAX, &off) ||
        !cn_kw_parse_int(comma + 1, 1, UINT16_MAX, &len)) {
        snprintf(err, errlen, "fast_pattern takes only or offset,length");
        return -CN_EINVAL;
    }
    if (c->flags & CN_CONTENT_NEGATED) {
        snprintf(err, errlen, "fast_pattern chop on a negated content");
        return -CN_EINVAL;
    }
    if (off + len > (int64_t)c->len) {
        snprintf(err, errlen, "fast_pattern offset+length exceeds content length");
        return -CN_EINVAL;
    }
    c->fp_chop_offset = (uint16_t)off;
    c->fp_chop_len = (uint16_t)len;
    c->flags |= CN_CONTENT_FAST_PATTERN | CN_CONTENT_FP_CHOP;
    return 0;
}

const struct cn_keyword cn_kw_fast_pattern = {
    .name = "fast_pattern",
    .flags = CN_KW_OPTVALUE,
    .setup = setup,
};
