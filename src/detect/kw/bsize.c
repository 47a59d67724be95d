/* bsize: compares the size of the current sticky buffer (after its transforms) with a number
 * or range, in the numeric keywords' syntax (bsize:10; bsize:<10; bsize:>=4; bsize:4<>10;
 * bsize:4-10). As in Suricata it must follow a sticky buffer; after pkt_data or with no buffer
 * named it fails to load. */
#include <stdio.h>

#include "detect/kw/numeric.h"

extern const struct cn_keyword cn_kw_bsize;

static const struct cn_num_spec spec = {.max = UINT32_MAX, .ops = CN_NUM_OPS_ALL};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    if (b->list < CN_LIST__BUILTIN || b->list >= CN_LIST__MAX) {
        snprintf(err, errlen, "bsize must follow a sticky buffer");
        return -CN_EINVAL;
    }
    struct cn_num n;
    int rc = cn_num_parse(&n, value, &spec, err, errlen);
    if (rc < 0)
        return rc;
    struct cn_num *d = cn_malloc(sizeof(*d));
    if (d == NULL)
        goto out_nomem;
    *d = n;
    /* a failed append frees d (through kw->free) */
    if (cn_rule_add_match(b->rule, b->list, &cn_kw_bsize, d) < 0)
        goto out_nomem;
    return 0;

out_nomem:
    snprintf(err, errlen, "out of memory");
    return -CN_ENOMEM;
}

/* Runs inside the buffer's list: in->len is the buffer's size, whatever the position. */
static bool match(struct cn_inspect *in, const void *data)
{
    return cn_num_match(data, in->buf != NULL ? in->len : 0);
}

const struct cn_keyword cn_kw_bsize = {
    .name = "bsize",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
