/* header_lowercase: a transform for header blocks ("Name: value" lines): lower-cases each line's
 * name, up to and including its first ':', and leaves the values as they are. */
#include "detect/transform.h"

static int64_t apply(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap)
{
    (void)opt, (void)s;
    if (len > cap)
        return -1;
    bool value = false; /* past the name of the current line */
    for (uint32_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (value) {
            if (c == '\n')
                value = false;
            out[i] = c;
        } else {
            if (c == ':')
                value = true;
            out[i] = (uint8_t)((unsigned)(c - 'A') < 26u ? c + 32 : c);
        }
    }
    return len;
}

static const struct cn_transform_op op = {.name = "header_lowercase", .apply = apply};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    (void)value;
    return cn_transform_add(b, &op, NULL, NULL, 0, err, errlen);
}

const struct cn_keyword cn_kw_header_lowercase = {
    .name = "header_lowercase",
    .flags = CN_KW_NOVALUE,
    .setup = setup,
};
