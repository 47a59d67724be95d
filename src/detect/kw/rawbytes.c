/* detect/kw: rawbytes, accepted for compatibility: packet payload content is already
 * matched on raw bytes. Meaningless inside a sticky buffer, where Suricata refuses it. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    if (b->list != CN_LIST_PAYLOAD) {
        snprintf(err, errlen, "rawbytes cannot be used with a sticky buffer");
        return -CN_EINVAL;
    }
    struct cn_content *c = cn_rule_last_content(b, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    if (b->last_content_list != CN_LIST_PAYLOAD) {
        snprintf(err, errlen, "rawbytes only applies to payload content");
        return -CN_EINVAL;
    }
    c->flags |= CN_CONTENT_RAWBYTES;
    return 0;
}

const struct cn_keyword cn_kw_rawbytes = {
    .name = "rawbytes",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
