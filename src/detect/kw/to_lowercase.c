/* to_lowercase: a transform that lower-cases the buffer's ASCII letters (other bytes are
 * left alone), so content:"abc" finds "aBc" without nocase. */
#include "detect/transform.h"

static int64_t apply(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap)
{
    (void)opt, (void)s;
    if (len > cap)
        return -1;
    for (uint32_t i = 0; i < len; i++)
        out[i] = (uint8_t)((unsigned)(in[i] - 'A') < 26u ? in[i] + 32 : in[i]);
    return len;
}

static const struct cn_transform_op op = {.name = "to_lowercase", .apply = apply};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    return cn_transform_add(b, &op, NULL, NULL, 0, err, errlen);
}

const struct cn_keyword cn_kw_to_lowercase = {
    .name = "to_lowercase",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
