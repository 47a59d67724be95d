/* xor: a transform that XORs the buffer with a repeating key, given in quotes as hex digits:
 * xor:"0d0ac8ff"; byte i of the buffer is XORed with key byte i modulo the key's length. As in
 * Suricata the key holds 1 to 255 bytes and the quotes are required. */
#include <stdio.h>

#include "detect/transform.h"

struct xor_key {
    uint8_t len;
    uint8_t key[UINT8_MAX];
};

static int64_t apply(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap)
{
    (void)s;
    const struct xor_key *k = opt;
    if (len > cap)
        return -1;
    uint32_t j = 0;
    for (uint32_t i = 0; i < len; i++) {
        out[i] = in[i] ^ k->key[j];
        if (++j == k->len)
            j = 0;
    }
    return len;
}

static const struct cn_transform_op op = {.name = "xor", .apply = apply, .free = cn_free};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    size_t n = value ? strlen(value) : 0;
    if (n < 2 || value[0] != '"' || value[n - 1] != '"') {
        snprintf(err, errlen, "the key must be hex digits in double quotes");
        return -CN_EINVAL;
    }
    const char *hex = value + 1;
    n -= 2;
    if (n == 0 || n % 2 != 0) {
        snprintf(err, errlen, "the key needs an even, non-zero number of hex digits");
        return -CN_EINVAL;
    }
    if (n / 2 > UINT8_MAX) {
        snprintf(err, errlen, "key longer than %u bytes", UINT8_MAX);
        return -CN_EINVAL;
    }
    struct xor_key *k = cn_calloc(1, sizeof(*k));
    if (k == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    k->len = (uint8_t)(n / 2);
    if (!cn_hex_decode(hex, k->key, k->len)) {
        snprintf(err, errlen, "invalid hex digit in key");
        cn_free(k);
        return -CN_EINVAL;
    }
    return cn_transform_add(b, &op, k, k->key, k->len, err, errlen);
}

const struct cn_keyword cn_kw_xor = {
    .name = "xor",
    .setup = setup,
};
