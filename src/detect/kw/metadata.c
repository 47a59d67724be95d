/* detect/kw: metadata, a comma list of "key value" pairs kept in rule order for EVE's
 * alert.metadata. As in Suricata, an entry without a value (or with an empty key or value)
 * is skipped, not an error: rule sets carry free-form metadata. */
#include <stdio.h>

#include "detect/detect_int.h"

#define MAX_META 256 /* per rule; more is a hostile rule, not a real one */

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

static int add_pair(struct cn_rule *r, const char *k, size_t kl, const char *v, size_t vl)
{
    char **keys = cn_realloc(r->meta_key, (r->nmeta + 1) * sizeof(*keys));
    if (keys == NULL)
        return -CN_ENOMEM;
    r->meta_key = keys;
    char **vals = cn_realloc(r->meta_value, (r->nmeta + 1) * sizeof(*vals));
    if (vals == NULL)
        return -CN_ENOMEM;
    r->meta_value = vals;
    char *ks = cn_malloc(kl + 1), *vs = cn_malloc(vl + 1);
    if (ks == NULL || vs == NULL) {
        cn_free(ks);
        cn_free(vs);
        return -CN_ENOMEM;
    }
    memcpy(ks, k, kl);
    ks[kl] = '\0';
    memcpy(vs, v, vl);
    vs[vl] = '\0';
    keys[r->nmeta] = ks;
    vals[r->nmeta] = vs;
    r->nmeta++;
    return 0;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    if (value == NULL) {
        snprintf(err, errlen, "metadata needs 'key value' pairs");
        return -CN_EINVAL;
    }
    const char *p = value;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        const char *k = p;
        while (k < end && blank(*k))
            k++;
        const char *ke = k;
        while (ke < end && *ke != ' ')
            ke++;
        const char *v = ke;
        while (v < end && blank(*v))
            v++;
        const char *ve = end;
        while (ve > v && blank(ve[-1]))
            ve--;
        if (ke > k && ve > v) {
            if (b->rule->nmeta >= MAX_META) {
                snprintf(err, errlen, "too many metadata entries");
                return -CN_EINVAL;
            }
            if (add_pair(b->rule, k, (size_t)(ke - k), v, (size_t)(ve - v)) < 0) {
                snprintf(err, errlen, "out of memory");
                return -CN_ENOMEM;
            }
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}

const struct cn_keyword cn_kw_metadata = {
    .name = "metadata",
    .setup = setup,
};
