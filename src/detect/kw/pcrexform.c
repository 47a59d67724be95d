/* pcrexform: a transform that replaces the buffer with what the first capture group of a
 * regular expression matched: pcrexform:"[a-z]+\s+(\S+)"; (quotes required, no slashes or
 * flags; the text is handed to PCRE2 as it is). The expression must have exactly one capture
 * group. As in Suricata 7, when it does not match the buffer passes on unchanged.
 *
 * Compiled once at load (JIT when available) under Suricata's default match limits, so a
 * hostile expression cannot hold a worker; hitting a limit counts as no match. */
#include <stdio.h>

#include "detect/kw/content.h"
#include "detect/transform.h"

struct xform_re {
    pcre2_code *re;
    pcre2_match_context *mctx;
};

static void re_free(void *data)
{
    struct xform_re *x = data;
    if (x == NULL)
        return;
    pcre2_match_context_free(x->mctx);
    pcre2_code_free(x->re);
    cn_free(x);
}

static int64_t apply(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap)
{
    static const uint8_t empty[1];
    const struct xform_re *x = opt;
    pcre2_match_data *md = cn_transform_match_data(s);
    if (md == NULL || len > cap)
        return -1;
    const uint8_t *from = in;
    uint32_t n = len;
    int rc = pcre2_match(x->re, len ? in : empty, len, 0, 0, md, x->mctx);
    if (rc >= 0) {
        /* rc 0: more groups than the match data holds; group 1 is still there */
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[2] != PCRE2_UNSET && ov[3] >= ov[2] && ov[3] <= len) {
            from = in + ov[2];
            n = (uint32_t)(ov[3] - ov[2]);
        }
    }
    if (n > 0)
        memmove(out, from, n);
    return n;
}

static const struct cn_transform_op op = {.name = "pcrexform", .apply = apply, .free = re_free};

static int compile(struct xform_re *x, const char *s, size_t n, char *err, size_t errlen)
{
    int rc = cn_pcre_compile(s, n, 0, true, "pcrexform", &x->re, &x->mctx, err, errlen);
    if (rc < 0)
        return rc;
    uint32_t groups = 0;
    if (pcre2_pattern_info(x->re, PCRE2_INFO_CAPTURECOUNT, &groups) < 0 || groups != 1) {
        snprintf(err, errlen, "pcrexform needs exactly one capture group, found %u", groups);
        return -CN_EINVAL;
    }
    return 0;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    size_t n = value ? strlen(value) : 0;
    if (n < 3 || value[0] != '"' || value[n - 1] != '"') {
        snprintf(err, errlen, "the expression must be in double quotes");
        return -CN_EINVAL;
    }
    struct xform_re *x = cn_calloc(1, sizeof(*x));
    if (x == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    int rc = compile(x, value + 1, n - 2, err, errlen);
    if (rc < 0) {
        re_free(x);
        return rc;
    }
    /* the expression's text tells two pcrexform steps apart */
    return cn_transform_add(b, &op, x, value + 1, (uint32_t)(n - 2), err, errlen);
}

const struct cn_keyword cn_kw_pcrexform = {
    .name = "pcrexform",
    .setup = setup,
};
