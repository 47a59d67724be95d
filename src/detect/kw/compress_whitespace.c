/* compress_whitespace: a transform that shortens each run of white space to its first byte
 * (as Suricata does: the byte is kept as it is, not turned into a space). */
#include "detect/transform.h"

static int64_t apply(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap)
{
    (void)opt, (void)s;
    uint32_t n = 0;
    for (uint32_t i = 0; i < len; i++) {
        if (i > 0 && cn_transform_isspace(in[i]) && cn_transform_isspace(in[i - 1]))
            continue;
        if (n == cap)
            return -1;
        out[n++] = in[i];
    }
    return n;
}

static const struct cn_transform_op op = {.name = "compress_whitespace", .apply = apply};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    return cn_transform_add(b, &op, NULL, NULL, 0, err, errlen);
}

const struct cn_keyword cn_kw_compress_whitespace = {
    .name = "compress_whitespace",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
