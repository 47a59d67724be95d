/* dotprefix: a transform that puts a '.' before a non-empty buffer, so that
 * content:".example.com"; endswith; matches example.com and its subdomains only. */
#include "detect/transform.h"

static int64_t apply(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap)
{
    (void)opt, (void)s;
    if (len == 0)
        return 0;
    if (len >= cap)
        return -1;
    out[0] = '.';
    memcpy(out + 1, in, len);
    return (int64_t)len + 1;
}

static const struct cn_transform_op op = {.name = "dotprefix", .apply = apply};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    return cn_transform_add(b, &op, NULL, NULL, 0, err, errlen);
}

const struct cn_keyword cn_kw_dotprefix = {
    .name = "dotprefix",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
