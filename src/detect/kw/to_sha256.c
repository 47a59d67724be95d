/* to_sha256: a transform that replaces the buffer with its SHA-256 digest, in raw bytes (32 of
 * them), so a rule can match a hash with content:"|...|" (computed by nettle). */
#include <nettle/sha2.h>

#include "detect/transform.h"

static int64_t apply(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap)
{
    (void)opt, (void)s;
    if (cap < SHA256_DIGEST_SIZE)
        return -1;
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, in);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
    return SHA256_DIGEST_SIZE;
}

static const struct cn_transform_op op = {.name = "to_sha256", .apply = apply};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    return cn_transform_add(b, &op, NULL, NULL, 0, err, errlen);
}

const struct cn_keyword cn_kw_to_sha256 = {
    .name = "to_sha256",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
