/* Fuzz target for the asn1 keyword's BER decoder. Byte 0 picks the checks (bit 0
 * bitstring_overflow, bit 1 double_overflow, bit 2 oversize_length) and where decoding starts
 * (bits 3-4: buffer start, absolute_offset, relative_offset, both); byte 1 is the
 * oversize_length, byte 2 the offset (signed when relative), byte 3 where a previous match
 * would have ended. The rest is the payload, copied into an exactly-sized heap buffer so ASan
 * sees any read past it. The options go through the keyword's own parser, so a change there
 * that refuses them is caught too. Invariants: the options load; without a check, or with
 * the largest oversize_length alone, nothing matches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"

int cn_fuzz_asn1(const uint8_t *d, size_t n);

static void options(const uint8_t *d, char *out, size_t len)
{
    int k = snprintf(out, len, "%s%s", (d[0] & 1) ? "bitstring_overflow, " : "",
                     (d[0] & 2) ? "double_overflow, " : "");
    if (d[0] & 4)
        k += snprintf(out + k, len - (size_t)k, "oversize_length %u, ", d[1]);
    if (d[0] & 8)
        k += snprintf(out + k, len - (size_t)k, "absolute_offset %u ", d[2]);
    if (d[0] & 16)
        k += snprintf(out + k, len - (size_t)k, "relative_offset %d", (int8_t)d[2]);
    if (k == 0)
        snprintf(out, len, "oversize_length 4294967295"); /* can never trip */
}

static void release(struct cn_rule *r)
{
    struct cn_smlist *l = &r->lists[CN_LIST_PAYLOAD];
    for (unsigned i = 0; i < l->n; i++)
        l->v[i].kw->free(l->v[i].data);
    cn_free(l->v);
}

int cn_fuzz_asn1(const uint8_t *d, size_t n)
{
    if (n < 4 || n > 65536 + 4)
        return 0;
    char opts[160];
    options(d, opts, sizeof(opts));
    const bool never = (d[0] & 7) == 0;
    struct cn_rule r;
    memset(&r, 0, sizeof(r));
    struct cn_rule_builder b = {
        .rule = &r, .list = CN_LIST_PAYLOAD, .last_content_list = -1, .last_content_index = -1};
    const struct cn_keyword *kw = cn_kw_find("asn1");
    char err[128];
    if (kw == NULL || kw->setup(&b, opts, err, sizeof(err)) != 0)
        abort(); /* every option string built above is valid */
    uint32_t len = (uint32_t)(n - 4);
    uint8_t *buf = malloc(len ? len : 1);
    if (buf != NULL) {
        memcpy(buf, d + 4, len);
        struct cn_inspect in = {.rule = &r, .buf = buf, .len = len, .pos = d[3] % (len + 1)};
        const struct cn_sigmatch *sm = &r.lists[CN_LIST_PAYLOAD].v[0];
        if (sm->kw->match(&in, sm->data) && never)
            abort();
        free(buf);
    }
    release(&r);
    return 0;
}
