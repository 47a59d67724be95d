/* flowint: named unsigned 32-bit counters kept on the flow.
 *   flowint:<name>,=,<value>;  +,<value>;  -,<value>;     actions, run once the rule matched
 *   flowint:<name>,==|!=|<|<=|>|>=,<value>;               checks, in the packet list
 *   flowint:<name>,isset;  flowint:<name>,notset;         (isnotset is accepted for notset)
 * <value> is a number (0..4294967295) or another flowint's name, read when the rule runs (0
 * when that one is not set). As in Suricata: a comparison fails while <name> is not set, "+"
 * on an unset counter starts it at <value>, "-" on an unset counter does nothing, arithmetic
 * wraps around at 2^32, and a packet without a flow fails every check. */
#include <ctype.h>
#include <stdlib.h>

#include "detect/kw/bits.h"

extern const struct cn_keyword cn_kw_flowint;

enum fi_op {
    FI_SET,
    FI_ADD,
    FI_SUB,
    FI_EQ,
    FI_NE,
    FI_LT,
    FI_LE,
    FI_GT,
    FI_GE,
    FI_ISSET,
    FI_NOTSET
};

struct flowint {
    enum fi_op op;
    const struct cn_varstore *vs;
    uint32_t id;
    bool target_is_var;
    uint32_t target; /* the value, or the other flowint's id */
};

static const struct {
    const char *text;
    enum fi_op op;
} ops[] = {{"=", FI_SET}, {"+", FI_ADD},       {"-", FI_SUB},         {"==", FI_EQ},
           {"!=", FI_NE}, {"<", FI_LT},        {"<=", FI_LE},         {">", FI_GT},
           {">=", FI_GE}, {"isset", FI_ISSET}, {"notset", FI_NOTSET}, {"isnotset", FI_NOTSET}};

/* Suricata's names: a letter, then letters, digits, '_', '.', '/'. */
static bool name_ok(const char *s, bool dots)
{
    if (!isalpha((unsigned char)s[0]) || strlen(s) > CN_VAR_MAX_NAMELEN)
        return false;
    for (const char *c = s + 1; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && !(dots && (*c == '.' || *c == '/')))
            return false;
    return true;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int rc = -CN_EINVAL;
    struct flowint *fi = NULL;
    char *buf = cn_strdup(value);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    char *f[4];
    unsigned nf = cn_bits_split(buf, ',', f, 3);
    if (nf < 2 || nf > 3) {
        snprintf(err, errlen, "expected <name>,<operator>[,<value>]");
        goto out_free;
    }
    if (!name_ok(f[0], true)) {
        snprintf(err, errlen, "bad flowint name '%.40s'", f[0]);
        goto out_free;
    }
    fi = cn_calloc(1, sizeof(*fi));
    if (fi == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -CN_ENOMEM;
        goto out_free;
    }
    bool found = false;
    for (size_t i = 0; i < CN_ARRAY_LEN(ops) && !found; i++)
        if (strcmp(f[1], ops[i].text) == 0) {
            fi->op = ops[i].op;
            found = true;
        }
    if (!found) {
        snprintf(err, errlen, "unknown operator '%.16s'", f[1]);
        goto out_free;
    }
    bool unary = fi->op == FI_ISSET || fi->op == FI_NOTSET;
    if (unary != (nf == 2) || (!unary && f[2][0] == '\0')) {
        snprintf(err, errlen, unary ? "%s takes no value" : "%s needs a value", f[1]);
        goto out_free;
    }
    rc = cn_bits_intern(b, CN_VAR_FLOWINT, f[0], &fi->id, err, errlen);
    if (rc < 0)
        goto out_free;
    rc = -CN_EINVAL;
    if (!unary && isdigit((unsigned char)f[2][0])) {
        char *end;
        unsigned long long v = strtoull(f[2], &end, 10);
        if (*end != '\0' || strlen(f[2]) > 10 || v > UINT32_MAX) {
            snprintf(err, errlen, "value '%.16s' is not a number in 0..4294967295", f[2]);
            goto out_free;
        }
        fi->target = (uint32_t)v;
    } else if (!unary) {
        if (!name_ok(f[2], false)) {
            snprintf(err, errlen, "bad value '%.40s' (a number or a flowint name)", f[2]);
            goto out_free;
        }
        rc = cn_bits_intern(b, CN_VAR_FLOWINT, f[2], &fi->target, err, errlen);
        if (rc < 0)
            goto out_free;
        rc = -CN_EINVAL;
        fi->target_is_var = true;
    }
    fi->vs = b->ld->vs;
    bool action = fi->op == FI_SET || fi->op == FI_ADD || fi->op == FI_SUB;
    rc = cn_bits_attach(b, &cn_kw_flowint, fi, !action, err, errlen);
    fi = NULL; /* the rule owns it, or it was freed */
out_free:
    cn_free(fi);
    cn_free(buf);
    return rc;
}

static uint32_t target(const struct flowint *fi, const struct cn_flow *f)
{
    uint32_t v = 0;
    if (!fi->target_is_var)
        return fi->target;
    return cn_flowint_get(f, fi->target, &v) ? v : 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct flowint *fi = data;
    if (in->f == NULL)
        return false;
    uint32_t v;
    bool set = cn_flowint_get(in->f, fi->id, &v);
    if (fi->op == FI_ISSET || fi->op == FI_NOTSET)
        return set == (fi->op == FI_ISSET);
    if (!set)
        return false;
    uint32_t t = target(fi, in->f);
    switch (fi->op) {
    case FI_EQ:
        return v == t;
    case FI_NE:
        return v != t;
    case FI_LT:
        return v < t;
    case FI_LE:
        return v <= t;
    case FI_GT:
        return v > t;
    case FI_GE:
        return v >= t;
    default:
        return false;
    }
}

static void postmatch(struct cn_inspect *in, const void *data)
{
    const struct flowint *fi = data;
    if (in->f == NULL)
        return;
    uint32_t t = target(fi, in->f), v;
    bool set = cn_flowint_get(in->f, fi->id, &v);
    switch (fi->op) {
    case FI_SET:
        cn_flowint_put(in->f, fi->vs, fi->id, t);
        break;
    case FI_ADD:
        cn_flowint_put(in->f, fi->vs, fi->id, set ? v + t : t);
        break;
    case FI_SUB:
        if (set)
            cn_flowint_put(in->f, fi->vs, fi->id, v - t);
        break;
    default:
        break;
    }
}

static int var_class(const void *data)
{
    (void)data;
    return CN_VARCLASS_FLOWINT;
}

const struct cn_keyword cn_kw_flowint = {
    .name = "flowint",
    .setup = setup,
    .match = match,
    .free = cn_free,
    .postmatch = postmatch,
    .var_class = var_class,
};
