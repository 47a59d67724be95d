/* pkt_data: points later content keywords back at the packet payload after a sticky buffer
 * (Suricata's reset keyword). Takes no value. */
#include "detect/detect_int.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value, (void)err, (void)errlen;
    b->list = CN_LIST_PAYLOAD;
    return 0;
}

const struct cn_keyword cn_kw_pkt_data = {
    .name = "pkt_data",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
