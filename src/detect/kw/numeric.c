/* The integer comparison parser behind every numeric keyword (see numeric.h for the syntax).
 * It works on the raw option text in place, without copying, and never reads past its end:
 * all scanning is bounded by an explicit end pointer. */
#include <stdio.h>

#include "detect/kw/numeric.h"

static const char *skip_space(const char *s, const char *end)
{
    while (s < end && cn_num_isspace(*s))
        s++;
    return s;
}

/* Reads one number at *sp, bounded by max. Returns false when there is none or it is too big. */
static bool parse_number(const char **sp, const char *end, const struct cn_num_spec *spec,
                         uint64_t *out, bool *too_big)
{
    const char *s = *sp;
    unsigned base = 10;
    if ((spec->flags & CN_NUM_HEX) && end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
        cn_hex_digit(s[2]) >= 0) {
        base = 16;
        s += 2;
    } else if ((spec->flags & CN_NUM_XHEX) && end - s > 1 && (s[0] == 'x' || s[0] == 'X')) {
        base = 16;
        s += 1;
    }
    const char *digits = s;
    uint64_t v = 0;
    while (s < end) {
        int d = cn_hex_digit(*s);
        if (d < 0 || (unsigned)d >= base)
            break;
        /* max is at most UINT64_MAX / 16 in practice; checking after each digit keeps v small
         * enough that v * base + d cannot wrap. */
        v = v * base + (unsigned)d;
        if (v > spec->max) {
            *too_big = true;
            return false;
        }
        s++;
    }
    if (s == digits)
        return false;
    *out = v;
    *sp = s;
    return true;
}

int cn_num_parse(struct cn_num *out, const char *text, const struct cn_num_spec *spec, char *err,
                 size_t errlen)
{
    if (!text) {
        snprintf(err, errlen, "a value is required");
        return -CN_EINVAL;
    }
    const char *s = text, *end = text + strlen(text);
    s = skip_space(s, end);
    while (end > s && cn_num_isspace(end[-1]))
        end--;
    if (end - s >= 2 && *s == '"' && end[-1] == '"') {
        s = skip_space(s + 1, end - 1);
        end--;
        while (end > s && cn_num_isspace(end[-1]))
            end--;
    }
    if (s == end) {
        snprintf(err, errlen, "empty value");
        return -CN_EINVAL;
    }

    bool neg = false, have_op = false;
    enum cn_num_op op = CN_NUM_EQ;
    if (*s == '!') {
        neg = true;
        s++;
        if (s < end && *s == '=')
            s++;
    } else if (end - s >= 2 && s[0] == '<' && s[1] == '=') {
        op = CN_NUM_LE, have_op = true, s += 2;
    } else if (end - s >= 2 && s[0] == '>' && s[1] == '=') {
        op = CN_NUM_GE, have_op = true, s += 2;
    } else if (*s == '<') {
        op = CN_NUM_LT, have_op = true, s++;
    } else if (*s == '>') {
        op = CN_NUM_GT, have_op = true, s++;
    } else if (*s == '=') {
        s++;
    }
    s = skip_space(s, end);

    uint64_t lo = 0, hi = 0;
    bool too_big = false;
    if (!parse_number(&s, end, spec, &lo, &too_big))
        goto out_bad_number;
    s = skip_space(s, end);

    if (s < end) {
        /* Only a range may follow the first number. */
        if (*s == '-')
            s++;
        else if (end - s >= 2 && s[0] == '<' && s[1] == '>')
            s += 2;
        else
            goto out_trailing;
        if (have_op) {
            snprintf(err, errlen, "a range cannot follow a comparison operator");
            return -CN_EINVAL;
        }
        s = skip_space(s, end);
        if (!parse_number(&s, end, spec, &hi, &too_big))
            goto out_bad_number;
        s = skip_space(s, end);
        if (s != end)
            goto out_trailing;
        /* The range is exclusive: it must hold at least one value. */
        if (hi <= lo || hi - lo < 2) {
            snprintf(err, errlen, "empty range %llu-%llu", (unsigned long long)lo,
                     (unsigned long long)hi);
            return -CN_EINVAL;
        }
        op = neg ? CN_NUM_NOT_RANGE : CN_NUM_RANGE;
    } else if (neg) {
        op = CN_NUM_NE;
    }

    if (!(spec->ops & CN_NUM_OP(op))) {
        snprintf(err, errlen, "this comparison is not supported here");
        return -CN_EINVAL;
    }
    if ((op == CN_NUM_LT && lo == 0) || (op == CN_NUM_GT && lo == spec->max)) {
        snprintf(err, errlen, "comparison can never match");
        return -CN_EINVAL;
    }
    if ((op == CN_NUM_GE && lo == 0) || (op == CN_NUM_LE && lo == spec->max)) {
        snprintf(err, errlen, "comparison always matches");
        return -CN_EINVAL;
    }
    out->lo = lo;
    out->hi = hi;
    out->op = (uint8_t)op;
    return 0;

out_bad_number:
    if (too_big)
        snprintf(err, errlen, "value out of range (max %llu)", (unsigned long long)spec->max);
    else
        snprintf(err, errlen, "expected a number");
    return -CN_EINVAL;
out_trailing:
    snprintf(err, errlen, "unexpected text after the number");
    return -CN_EINVAL;
}

int cn_num_setup(struct cn_rule_builder *b, const struct cn_keyword *kw, const char *value,
                 const struct cn_num_spec *spec, char *err, size_t errlen)
{
    struct cn_num n;
    int rc = cn_num_parse(&n, value, spec, err, errlen);
    if (rc < 0)
        return rc;
    struct cn_num *d = cn_malloc(sizeof(*d));
    if (!d)
        goto out_nomem;
    *d = n;
    /* A failed append frees d itself (through kw->free). */
    if (cn_rule_add_match(b->rule, CN_LIST_PACKET, kw, d) < 0)
        goto out_nomem;
    return 0;

out_nomem:
    snprintf(err, errlen, "out of memory");
    return -CN_ENOMEM;
}
