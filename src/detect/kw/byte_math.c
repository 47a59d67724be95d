/* byte_math: reads a number from the buffer, applies one operation and stores the result in a
 * named variable for the rest of the rule:
 *   byte_math:bytes <n|var>, offset <n|var>, oper <op>, rvalue <n|var>, result <name>
 *             [, relative][, endian big|little][, string hex|dec|oct][, bitmask <hex>]
 * Options come in any order, each once. op is + - * / << >>; arithmetic is on 64 bits and
 * wraps like Suricata's; a division by zero does not match; a shift by 64 or more gives 0.
 * bytes is 1-10 (1-4 for shifts; more than 8 binary bytes never match, as in Suricata),
 * rvalue a 32-bit number or a variable. The bitmask applies to the result (shifted right by
 * the mask's trailing zeros). Like byte_extract, the inspection position moves to the end of
 * the number read. dce is refused until DCE/RPC exists. */
#include "detect/kw/byte_common.h"

extern const struct cn_keyword cn_kw_byte_math;

enum math_op { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SHL, OP_SHR };

struct byte_math {
    struct cn_byte_read r; /* r.bitmask stays 0: the mask applies to the result */
    enum math_op op;
    bool rvalue_var; /* rvalue is a variable's index */
    uint32_t rvalue;
    uint32_t bitmask; /* 0 = none */
    uint8_t var;      /* index of the result variable */
};

enum field {
    F_BYTES = 1,
    F_OFFSET = 2,
    F_OPER = 4,
    F_RVALUE = 8,
    F_RESULT = 16,
    F_RELATIVE = 32,
    F_ENDIAN = 64,
    F_STRING = 128,
    F_BITMASK = 256,
};
#define REQUIRED (F_BYTES | F_OFFSET | F_OPER | F_RVALUE | F_RESULT)

static bool parse_op(const char *s, enum math_op *op)
{
    static const struct {
        const char *text;
        enum math_op op;
    } ops[] = {{"+", OP_ADD}, {"-", OP_SUB},  {"*", OP_MUL},
               {"/", OP_DIV}, {"<<", OP_SHL}, {">>", OP_SHR}};
    for (size_t i = 0; i < CN_ARRAY_LEN(ops); i++)
        if (!strcmp(s, ops[i].text)) {
            *op = ops[i].op;
            return true;
        }
    return false;
}

/* The bitmask is hexadecimal, with or without 0x, and fits 32 bits (Suricata). */
static bool parse_mask(const char *s, uint32_t *out)
{
    if (!strncasecmp(s, "0x", 2))
        s += 2;
    if (*s == '\0' || strlen(s) > 8 || strspn(s, "0123456789abcdefABCDEF") != strlen(s))
        return false;
    *out = (uint32_t)strtoul(s, NULL, 16);
    return true;
}

/* One "name value" field; returns the field's bit, or 0 with the reason in err. The result
 * name is only checked here; it is defined once the rest of the rule text has parsed. */
static unsigned field(struct cn_rule_builder *b, struct byte_math *m, char *w, char **result,
                      char *err, size_t errlen)
{
    char *v = w + strcspn(w, " \t");
    if (*v != '\0') {
        *v++ = '\0';
        v += strspn(v, " \t");
    }
    int64_t n;
    bool var;
    if (!strcasecmp(w, "relative") && *v == '\0') {
        m->r.relative = true;
        return F_RELATIVE;
    }
    if (!strcasecmp(w, "dce") && *v == '\0') {
        snprintf(err, errlen, "dce is not supported yet");
        return 0;
    }
    if (*v == '\0') {
        snprintf(err, errlen, "'%.32s' needs a value", w);
        return 0;
    }
    if (!strcasecmp(w, "bytes")) {
        if (!cn_byte_num_or_var(b, v, 1, 10, &n, &var, err, errlen))
            return 0;
        m->r.nbytes = (uint8_t)n;
        m->r.var_flags |= var ? CN_BYTE_NBYTES_VAR : 0;
        return F_BYTES;
    }
    if (!strcasecmp(w, "offset")) {
        if (!cn_byte_num_or_var(b, v, -65535, 65535, &n, &var, err, errlen))
            return 0;
        m->r.offset = (int32_t)n;
        m->r.var_flags |= var ? CN_BYTE_OFFSET_VAR : 0;
        return F_OFFSET;
    }
    if (!strcasecmp(w, "oper")) {
        if (!parse_op(v, &m->op)) {
            snprintf(err, errlen, "unknown operator '%.8s' (+ - * / << >>)", v);
            return 0;
        }
        return F_OPER;
    }
    if (!strcasecmp(w, "rvalue")) {
        if (!cn_byte_num_or_var(b, v, 0, UINT32_MAX, &n, &var, err, errlen))
            return 0;
        m->rvalue = (uint32_t)n;
        m->rvalue_var = var;
        return F_RVALUE;
    }
    if (!strcasecmp(w, "result")) {
        *result = v;
        return F_RESULT;
    }
    if (!strcasecmp(w, "endian")) {
        if (!strcasecmp(v, "dce")) {
            snprintf(err, errlen, "dce is not supported yet");
            return 0;
        }
        if (strcasecmp(v, "big") && strcasecmp(v, "little")) {
            snprintf(err, errlen, "endian must be big or little");
            return 0;
        }
        m->r.little = !strcasecmp(v, "little");
        return F_ENDIAN;
    }
    if (!strcasecmp(w, "string")) {
        m->r.base = !strcasecmp(v, "hex")   ? 16
                    : !strcasecmp(v, "dec") ? 10
                    : !strcasecmp(v, "oct") ? 8
                                            : 0;
        if (m->r.base == 0) {
            snprintf(err, errlen, "string must be hex, dec or oct");
            return 0;
        }
        return F_STRING;
    }
    if (!strcasecmp(w, "bitmask")) {
        if (!parse_mask(v, &m->bitmask)) {
            snprintf(err, errlen, "bad bitmask '%.16s'", v);
            return 0;
        }
        return F_BITMASK;
    }
    snprintf(err, errlen, "unknown option '%.32s'", w);
    return 0;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char buf[256], *f[11];
    if (value == NULL || strlen(value) >= sizeof(buf)) {
        snprintf(err, errlen, "byte_math needs bytes, offset, oper, rvalue and result");
        return -CN_EINVAL;
    }
    strcpy(buf, value);
    unsigned n = cn_byte_fields(buf, f, CN_ARRAY_LEN(f));
    if (n > 10) {
        snprintf(err, errlen, "too many options");
        return -CN_EINVAL;
    }
    struct byte_math m = {.op = OP_ADD};
    char *result = NULL;
    unsigned seen = 0;
    for (unsigned i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(f[i], " \t"), f[i]);
        unsigned bit = field(b, &m, f[i], &result, err, errlen);
        if (bit == 0)
            return -CN_EINVAL;
        if (seen & bit) {
            snprintf(err, errlen, "'%s' given twice", name);
            return -CN_EINVAL;
        }
        seen |= bit;
    }
    if ((seen & REQUIRED) != REQUIRED) {
        snprintf(err, errlen, "needs bytes, offset, oper, rvalue and result");
        return -CN_EINVAL;
    }
    if ((m.op == OP_SHL || m.op == OP_SHR) && !(m.r.var_flags & CN_BYTE_NBYTES_VAR) &&
        m.r.nbytes > 4) {
        snprintf(err, errlen, "bytes must be 1-4 with << and >>");
        return -CN_EINVAL;
    }
    int var = cn_byte_var_define(b, result, err, errlen);
    if (var < 0)
        return -CN_EINVAL;
    m.var = (uint8_t)var;
    struct byte_math *d = cn_malloc(sizeof(*d));
    if (d == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *d = m;
    unsigned idx = b->rule->lists[b->list].n;
    if (cn_rule_add_match(b->rule, b->list, &cn_kw_byte_math, d) < 0) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    cn_content_mark_prev(b->rule, b->list, idx, true);
    return 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct byte_math *m = data;
    int64_t start;
    uint32_t nbytes;
    uint64_t v;
    if (!cn_byte_locate(&m->r, in, &start, &nbytes))
        return false;
    int used = cn_byte_read_value(&m->r, in->buf + start, nbytes, &v);
    if (used < 0)
        return false;
    uint64_t rv = m->rvalue_var ? in->vars[m->rvalue % CN_RULE_MAX_VARS] : m->rvalue;
    switch (m->op) {
    case OP_ADD:
        v += rv;
        break;
    case OP_SUB:
        v -= rv;
        break;
    case OP_MUL:
        v *= rv;
        break;
    case OP_DIV:
        if (rv == 0)
            return false;
        v /= rv;
        break;
    case OP_SHL:
        v = rv >= 64 ? 0 : v << rv;
        break;
    default:
        v = rv >= 64 ? 0 : v >> rv;
        break;
    }
    if (m->bitmask) {
        v &= m->bitmask;
        v >>= __builtin_ctz(m->bitmask);
    }
    in->vars[m->var % CN_RULE_MAX_VARS] = v;
    in->pos = (uint32_t)(start + used);
    return true;
}

const struct cn_keyword cn_kw_byte_math = {
    .name = "byte_math",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
