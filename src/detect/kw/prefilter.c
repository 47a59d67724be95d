/* prefilter: Suricata's hint that a rule without content should use one of its header
 * keywords as its prefilter. cleannet files such rules by port or tries them on every packet
 * (prefilter.c) whatever the hint says, so the keyword is accepted and changes nothing about
 * which packets match. Takes no value. */
#include "detect/detect_int.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)b, (void)value, (void)err, (void)errlen; /* CN_KW_NOVALUE: the parser rejects one */
    return 0;
}

const struct cn_keyword cn_kw_prefilter = {
    .name = "prefilter",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
