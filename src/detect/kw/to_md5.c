/* to_md5: a transform that replaces the buffer with its MD5 digest, in raw bytes (16 of
 * them), so a rule can match a hash with content:"|...|" (computed by nettle). */
#include <nettle/md5.h>

#include "detect/transform.h"

static int64_t apply(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap)
{
    (void)opt, (void)s;
    if (cap < MD5_DIGEST_SIZE)
        return -1;
    struct md5_ctx ctx;
    md5_init(&ctx);
    md5_update(&ctx, len, in);
    md5_digest(&ctx, MD5_DIGEST_SIZE, out);
    return MD5_DIGEST_SIZE;
}

static const struct cn_transform_op op = {.name = "to_md5", .apply = apply};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    return cn_transform_add(b, &op, NULL, NULL, 0, err, errlen);
}

const struct cn_keyword cn_kw_to_md5 = {
    .name = "to_md5",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
