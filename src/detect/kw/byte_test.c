/* byte_test: reads a number from the buffer and compares it:
 *   byte_test:<bytes>,[!]<op>,<value>,<offset>[,relative][,big|little][,string,hex|dec|oct]
 *             [,bitmask <mask>]
 * op is one of < > = <= >= & ^ (& and ^ match when the result is non-zero). bytes, value and
 * offset may name a byte_extract/byte_math variable. The inspection position does not move. */
#include "detect/kw/byte_common.h"

extern const struct cn_keyword cn_kw_byte_test;

enum byte_op { OP_LT, OP_GT, OP_EQ, OP_LE, OP_GE, OP_AND, OP_XOR };

struct byte_test {
    struct cn_byte_read r;
    enum byte_op op;
    bool negated;
    bool value_var; /* value is a variable's index */
    uint64_t value;
};

static bool parse_op(const char *s, struct byte_test *t)
{
    static const struct {
        const char *text;
        enum byte_op op;
    } ops[] = {{"<=", OP_LE}, {">=", OP_GE}, {"<", OP_LT}, {">", OP_GT},
               {"=", OP_EQ},  {"&", OP_AND}, {"^", OP_XOR}};
    if (*s == '!') {
        t->negated = true;
        s++;
        if (*s == '\0')
            return false;
    }
    for (size_t i = 0; i < CN_ARRAY_LEN(ops); i++)
        if (!strcmp(s, ops[i].text)) {
            t->op = ops[i].op;
            return true;
        }
    return false;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char buf[256], *f[12];
    if (value == NULL || strlen(value) >= sizeof(buf)) {
        snprintf(err, errlen, "byte_test needs bytes, operator, value and offset");
        return -CN_EINVAL;
    }
    strcpy(buf, value);
    unsigned n = cn_byte_fields(buf, f, CN_ARRAY_LEN(f));
    struct byte_test t = {0};
    int64_t nb, soff;
    bool var;
    if (n < 4 || n > CN_ARRAY_LEN(f) || !parse_op(f[1], &t)) {
        snprintf(err, errlen, "expected <bytes>,<op>,<value>,<offset>,...");
        return -CN_EINVAL;
    }
    if (!cn_byte_num_or_var(b, f[0], 0, 20, &nb, &var, err, errlen))
        return -CN_EINVAL;
    t.r.nbytes = (uint8_t)nb;
    t.r.var_flags |= var ? CN_BYTE_NBYTES_VAR : 0;
    if (cn_kw_is_varname(f[2])) {
        int idx = cn_byte_var_find(b, f[2], err, errlen);
        if (idx < 0)
            return -CN_EINVAL;
        t.value = (uint64_t)idx;
        t.value_var = true;
    } else if (!cn_byte_number(f[2], &t.value)) {
        snprintf(err, errlen, "bad value '%.32s'", f[2]);
        return -CN_EINVAL;
    }
    if (!cn_byte_num_or_var(b, f[3], -65535, 65535, &soff, &var, err, errlen))
        return -CN_EINVAL;
    t.r.offset = (int32_t)soff;
    t.r.var_flags |= var ? CN_BYTE_OFFSET_VAR : 0;
    for (unsigned i = 4; i < n; i++) {
        bool consumed;
        int rc = cn_byte_option(&t.r, f[i], i + 1 < n ? f[i + 1] : NULL, &consumed, err, errlen);
        if (rc < 0)
            return -CN_EINVAL;
        if (rc == 0) {
            snprintf(err, errlen, "unknown option '%.32s'", f[i]);
            return -CN_EINVAL;
        }
        i += consumed;
    }
    if (!(t.r.var_flags & CN_BYTE_NBYTES_VAR) && !cn_byte_count_ok(&t.r)) {
        snprintf(err, errlen, "%u bytes is out of range", t.r.nbytes);
        return -CN_EINVAL;
    }
    struct byte_test *d = cn_malloc(sizeof(*d));
    if (d == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *d = t;
    unsigned idx = b->rule->lists[b->list].n;
    if (cn_rule_add_match(b->rule, b->list, &cn_kw_byte_test, d) < 0) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    if (t.r.relative)
        cn_content_mark_prev(b->rule, b->list, idx, true);
    return 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct byte_test *t = data;
    int64_t start;
    uint32_t nbytes;
    uint64_t v;
    if (!cn_byte_locate(&t->r, in, &start, &nbytes) ||
        cn_byte_read_value(&t->r, in->buf + start, nbytes, &v) < 0)
        return false;
    const uint64_t value = t->value_var ? in->vars[t->value % CN_RULE_MAX_VARS] : t->value;
    bool m;
    switch (t->op) {
    case OP_LT:
        m = v < value;
        break;
    case OP_GT:
        m = v > value;
        break;
    case OP_EQ:
        m = v == value;
        break;
    case OP_LE:
        m = v <= value;
        break;
    case OP_GE:
        m = v >= value;
        break;
    case OP_AND:
        m = (v & value) != 0;
        break;
    default:
        m = (v ^ value) != 0;
        break;
    }
    return m != t->negated;
}

const struct cn_keyword cn_kw_byte_test = {
    .name = "byte_test",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
