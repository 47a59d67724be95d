/* base64_decode: decodes base64 text of the buffer being inspected, and the rule's base64_data
 * keywords then inspect the decoded bytes (Suricata's pair). Value: [bytes N][, offset N]
 * [, relative], each at most once: decoding starts at the buffer's start (relative: where the
 * previous match ended) plus offset and reads at most N bytes (default 65535). As Suricata does
 * by default (RFC 4648 section 3.3), decoding stops at the first byte outside the alphabet,
 * padding included. It matches when something decoded and the base64_data list matches it;
 * like Suricata, that ends the payload list (the keywords after it are not checked), and a
 * rule without base64_data never matches. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/bits.h"
#include "detect/kw/content.h"

#define B64_MAX_BYTES 65535u

struct b64 {
    uint32_t bytes, offset;
    bool relative;
};

/* decoded base64 of at most B64_MAX_BYTES input bytes; one per thread, reused per call (the
 * base64_data list runs before the next call can happen) */
static _Thread_local uint8_t decoded[B64_MAX_BYTES / 4 * 3 + 3];

static int sextet(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decodes in[0..n) into out until the first byte outside the alphabet; a final group of two
 * or three symbols gives one or two bytes. Returns the decoded length. */
uint32_t cn_base64_decode(const uint8_t *in, uint32_t n, uint8_t *out)
{
    uint32_t o = 0, acc = 0, have = 0;
    for (uint32_t i = 0; i < n; i++) {
        int v = sextet(in[i]);
        if (v < 0)
            break;
        acc = acc << 6 | (uint32_t)v;
        if (++have == 4) {
            out[o++] = (uint8_t)(acc >> 16);
            out[o++] = (uint8_t)(acc >> 8);
            out[o++] = (uint8_t)acc;
            acc = have = 0;
        }
    }
    if (have >= 2) { /* the bits of a short final group, left aligned */
        acc <<= 6 * (4 - have);
        out[o++] = (uint8_t)(acc >> 16);
        if (have == 3)
            out[o++] = (uint8_t)(acc >> 8);
    }
    return o;
}

static int parse_part(char *part, struct b64 *d, unsigned *seen, char *err, size_t errlen)
{
    char *name = part, *num = part;
    while (*num && !cn_rule_blank(*num))
        num++;
    if (*num)
        *num++ = '\0';
    num = cn_rule_trim(num);
    unsigned bit = !strcmp(name, "bytes")      ? 1
                   : !strcmp(name, "offset")   ? 2
                   : !strcmp(name, "relative") ? 4
                                               : 0;
    uint64_t v = 0;
    if (!bit || (*seen & bit) || (bit == 4 && *num) ||
        (bit != 4 && (cn_parse_u64(num, &v) != 0 || v > B64_MAX_BYTES || (bit == 1 && !v)))) {
        snprintf(err, errlen,
                 "base64_decode takes [bytes N][, offset N][, relative] "
                 "(N up to 65535, bytes above 0), got '%.30s'",
                 part);
        return -CN_EINVAL;
    }
    *seen |= bit;
    if (bit == 1)
        d->bytes = (uint32_t)v;
    else if (bit == 2)
        d->offset = (uint32_t)v;
    else
        d->relative = true;
    return 0;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    extern const struct cn_keyword cn_kw_base64_decode;
    if (b->list == CN_LIST_BASE64) {
        snprintf(err, errlen, "base64_decode cannot inspect base64_data");
        return -CN_EINVAL;
    }
    struct b64 d = {B64_MAX_BYTES, 0, false};
    char buf[96], *f[3];
    unsigned n = 0, seen = 0;
    if (value && *value) {
        if (snprintf(buf, sizeof(buf), "%s", value) >= (int)sizeof(buf) ||
            (n = cn_bits_split(buf, ',', f, 3)) > 3) {
            snprintf(err, errlen, "base64_decode takes [bytes N][, offset N][, relative]");
            return -CN_EINVAL;
        }
        for (unsigned i = 0; i < n; i++)
            if (parse_part(f[i], &d, &seen, err, errlen) < 0)
                return -CN_EINVAL;
    }
    struct b64 *data = cn_malloc(sizeof(*data));
    if (!data) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *data = d;
    if (cn_rule_add_match(b->rule, b->list, &cn_kw_base64_decode, data) < 0) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    return 0;
}

/* Decoding is charged to the inspection budget (a step per 256 input bytes), and the
 * base64_data list runs on the same budget: a payload with thousands of occurrences of the
 * content that base64_decode is relative to cannot make it decode without end. */
static bool match(struct cn_inspect *in, const void *data)
{
    const struct b64 *d = data;
    const struct cn_smlist *l = &in->rule->lists[CN_LIST_BASE64];
    uint32_t at = d->relative ? in->pos : 0;
    if (l->n == 0 || at > in->len || d->offset >= in->len - at)
        return false;
    at += d->offset;
    uint32_t want = CN_MIN(in->len - at, d->bytes);
    in->depth += want / 256;
    if (in->depth >= CN_INSPECT_BUDGET)
        return false;
    uint32_t n = cn_base64_decode(in->buf + at, want, decoded);
    if (n == 0)
        return false;
    struct cn_inspect sub = *in;
    sub.buf = decoded;
    sub.len = n;
    sub.pos = 0;
    bool m = cn_inspect_run(&sub, l);
    in->depth = sub.depth;
    return m;
}

const struct cn_keyword cn_kw_base64_decode = {
    .name = "base64_decode",
    .flags = CN_KW_OPTVALUE,
    .setup = setup,
    .match = match,
    .free = cn_free,
};
