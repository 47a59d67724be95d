/* byte_extract: reads a number from the buffer into a named variable for the rest of the rule:
 *   byte_extract:<bytes>,<offset>,<name>[,relative][,multiplier <n>][,big|little]
 *                [,string[,hex|dec|oct]][,align 2|4]
 * The value is the number read x multiplier, rounded up to a multiple of align. Like Suricata,
 * the inspection position moves to the end of the number read, so later relative keywords
 * continue after it. Binary numbers take 1-8 bytes; strings at most 23 (octal), 20 (decimal)
 * or 14 (hex) characters, the widths that fit 64 bits. dce is refused until DCE/RPC exists.
 * Which keywords may read the variable and how: kw/byte_common.h. */
#include "detect/kw/byte_common.h"

extern const struct cn_keyword cn_kw_byte_extract;

struct byte_extract {
    struct cn_byte_read r;
    uint16_t multiplier; /* 1 = none */
    uint8_t align;       /* 0 = none, else 2 or 4 */
    uint8_t var;         /* index of the variable set */
};

/* Each option may be given once, as in Suricata. */
enum seen { SEEN_RELATIVE = 1, SEEN_MULT = 2, SEEN_ENDIAN = 4, SEEN_STRING = 8, SEEN_ALIGN = 16 };

/* Parses "<word> <n>" with n in [lo, hi]. */
static bool word_int(const char *w, size_t wl, int64_t lo, int64_t hi, int64_t *out)
{
    return isspace((unsigned char)w[wl]) && cn_kw_parse_int(w + wl, lo, hi, out);
}

/* One option field; returns 0 or -1 with the reason in err. *consumed is set when "string"
 * took its base from the next field. */
static int option(struct byte_extract *e, unsigned *seen, char *w, const char *next, bool *consumed,
                  char *err, size_t errlen)
{
    unsigned bit = 0;
    int64_t v;
    *consumed = false;
    if (!strcasecmp(w, "relative")) {
        bit = SEEN_RELATIVE;
    } else if (!strcasecmp(w, "big") || !strcasecmp(w, "little")) {
        bit = SEEN_ENDIAN;
    } else if (!strcasecmp(w, "string")) {
        bit = SEEN_STRING;
    } else if (!strncasecmp(w, "multiplier", 10) && isspace((unsigned char)w[10])) {
        if (!word_int(w, 10, 1, 65535, &v)) {
            snprintf(err, errlen, "bad multiplier (1-65535)");
            return -1;
        }
        e->multiplier = (uint16_t)v;
        bit = SEEN_MULT;
    } else if (!strncasecmp(w, "align", 5) && isspace((unsigned char)w[5])) {
        if (!word_int(w, 5, 2, 4, &v) || v == 3) {
            snprintf(err, errlen, "align must be 2 or 4");
            return -1;
        }
        e->align = (uint8_t)v;
        bit = SEEN_ALIGN;
    } else if (!strncasecmp(w, "bitmask", 7)) {
        snprintf(err, errlen, "byte_extract takes no bitmask");
        return -1;
    } else if (!strcasecmp(w, "dce") || !strcasecmp(w, "hex") || !strcasecmp(w, "dec") ||
               !strcasecmp(w, "oct")) {
        /* dce is refused by the shared parser; a lone base means "string" is missing */
        if (strcasecmp(w, "dce")) {
            snprintf(err, errlen, "base '%s' without string before it", w);
            return -1;
        }
    } else {
        snprintf(err, errlen, "unknown option '%.32s'", w);
        return -1;
    }
    if (*seen & bit) {
        snprintf(err, errlen, "option '%.32s' given twice", w);
        return -1;
    }
    *seen |= bit;
    if (bit == SEEN_MULT || bit == SEEN_ALIGN)
        return 0;
    return cn_byte_option(&e->r, w, next, consumed, err, errlen) < 0 ? -1 : 0;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char buf[256], *f[12];
    if (value == NULL || strlen(value) >= sizeof(buf)) {
        snprintf(err, errlen, "byte_extract needs bytes, offset and a variable name");
        return -CN_EINVAL;
    }
    strcpy(buf, value);
    unsigned n = cn_byte_fields(buf, f, CN_ARRAY_LEN(f));
    struct byte_extract e = {.multiplier = 1};
    int64_t nb, off;
    if (n < 3 || n > CN_ARRAY_LEN(f)) {
        snprintf(err, errlen, "expected <bytes>,<offset>,<name>,...");
        return -CN_EINVAL;
    }
    if (!cn_kw_parse_int(f[0], 1, 255, &nb) || !cn_kw_parse_int(f[1], -65535, 65535, &off)) {
        snprintf(err, errlen, "bad bytes or offset");
        return -CN_EINVAL;
    }
    e.r.nbytes = (uint8_t)nb;
    e.r.offset = (int32_t)off;
    unsigned seen = 0;
    for (unsigned i = 3; i < n; i++) {
        bool consumed;
        if (option(&e, &seen, f[i], i + 1 < n ? f[i + 1] : NULL, &consumed, err, errlen) < 0)
            return -CN_EINVAL;
        i += consumed;
    }
    if ((seen & SEEN_STRING) && (seen & SEEN_ENDIAN)) {
        snprintf(err, errlen, "string cannot be combined with big or little");
        return -CN_EINVAL;
    }
    unsigned max = e.r.base == 8 ? 23 : e.r.base == 10 ? 20 : e.r.base == 16 ? 14 : 8;
    if (e.r.nbytes > max) {
        snprintf(err, errlen, "%u bytes is out of range (at most %u)", e.r.nbytes, max);
        return -CN_EINVAL;
    }
    /* the name last: a rule that fails above must not leave a variable behind */
    int var = cn_byte_var_define(b, f[2], err, errlen);
    if (var < 0)
        return -CN_EINVAL;
    e.var = (uint8_t)var;
    struct byte_extract *d = cn_malloc(sizeof(*d));
    if (d == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *d = e;
    unsigned idx = b->rule->lists[b->list].n;
    if (cn_rule_add_match(b->rule, b->list, &cn_kw_byte_extract, d) < 0) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    /* later keywords depend on the value and on where the read ends, so an earlier content
     * may be retried at its next occurrence */
    cn_content_mark_prev(b->rule, b->list, idx, true);
    return 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct byte_extract *e = data;
    int64_t start;
    uint32_t nbytes;
    uint64_t v;
    if (!cn_byte_locate(&e->r, in, &start, &nbytes))
        return false;
    int used = cn_byte_read_value(&e->r, in->buf + start, nbytes, &v);
    if (used < 0)
        return false;
    v *= e->multiplier; /* wraps modulo 2^64, as in Suricata */
    if (e->align && v % e->align)
        v += e->align - v % e->align;
    in->vars[e->var % CN_RULE_MAX_VARS] = v;
    in->pos = (uint32_t)(start + used);
    return true;
}

const struct cn_keyword cn_kw_byte_extract = {
    .name = "byte_extract",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
