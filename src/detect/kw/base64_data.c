/* base64_data: the content keywords after it inspect what the rule's base64_decode decoded
 * (a sticky buffer of its own, run from base64_decode). It must follow a base64_decode and
 * takes no value. */
#include <stdio.h>

#include "detect/detect_int.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    extern const struct cn_keyword cn_kw_base64_decode;
    (void)value;
    const struct cn_smlist *l = &b->rule->lists[CN_LIST_PAYLOAD];
    bool decode = false;
    for (unsigned i = 0; i < l->n; i++)
        decode |= l->v[i].kw == &cn_kw_base64_decode;
    for (unsigned k = CN_LIST__BUILTIN; k < b->rule->nlists && k < CN_LIST__MAX; k++)
        for (unsigned i = 0; i < b->rule->lists[k].n; i++)
            decode |= b->rule->lists[k].v[i].kw == &cn_kw_base64_decode;
    if (!decode) {
        snprintf(err, errlen, "base64_data needs a base64_decode before it");
        return -CN_EINVAL;
    }
    b->list = CN_LIST_BASE64;
    return 0;
}

const struct cn_keyword cn_kw_base64_data = {
    .name = "base64_data",
    .flags = CN_KW_NOVALUE | CN_KW_STICKY,
    .setup = setup,
};
