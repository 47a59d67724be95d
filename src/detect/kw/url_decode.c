/* url_decode: a transform that decodes %HH escapes and turns '+' into a space, as Suricata
 * does: a '%' not followed by two hex digits, or too close to the end for them, stays as it
 * is, and the output is not decoded again ("%2541" gives "%41"). */
#include "detect/transform.h"

static int64_t apply(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap)
{
    (void)opt, (void)s;
    if (len > cap)
        return -1; /* the output is never longer than the input */
    uint32_t n = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (c == '%' && len - i > 2 && cn_hex_digit(in[i + 1]) >= 0 &&
            cn_hex_digit(in[i + 2]) >= 0) {
            out[n++] = (uint8_t)(cn_hex_digit(in[i + 1]) << 4 | cn_hex_digit(in[i + 2]));
            i += 2;
        } else {
            out[n++] = c == '+' ? ' ' : c;
        }
    }
    return n;
}

static const struct cn_transform_op op = {.name = "url_decode", .apply = apply};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    return cn_transform_add(b, &op, NULL, NULL, 0, err, errlen);
}

const struct cn_keyword cn_kw_url_decode = {
    .name = "url_decode",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
