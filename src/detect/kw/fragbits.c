/* fragbits: the IPv4 fragmentation bits (RFC 791 section 3.1): M (more fragments), D (don't
 * fragment), R (reserved). Without a modifier the packet's bits must be exactly those given;
 * with '+' they must all be set and at least one other too (Suricata's reading), with '*' any
 * of them is enough, with '!' not all of them may be set. IPv4 only. */
#include <stdio.h>

#include "detect/kw/numeric.h"

enum { FB_MF = 1, FB_DF = 2, FB_RF = 4 };
enum { MOD_NONE, MOD_NOT, MOD_PLUS, MOD_ANY };

struct fragbits {
    uint8_t bits, mod;
};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    if (!value)
        goto out_bad;
    struct fragbits fb = {0, MOD_NONE};
    const char *s = value;
    while (cn_num_isspace(*s))
        s++;
    if (*s == '!' || *s == '+' || *s == '*') {
        fb.mod = *s == '!' ? MOD_NOT : *s == '+' ? MOD_PLUS : MOD_ANY;
        s++;
        while (cn_num_isspace(*s))
            s++;
    }
    for (; *s && !cn_num_isspace(*s); s++) {
        switch (*s) {
        case 'M':
        case 'm':
            fb.bits |= FB_MF;
            break;
        case 'D':
        case 'd':
            fb.bits |= FB_DF;
            break;
        case 'R':
        case 'r':
            fb.bits |= FB_RF;
            break;
        default:
            goto out_bad;
        }
    }
    while (cn_num_isspace(*s))
        s++;
    if (*s || !fb.bits)
        goto out_bad;

    struct fragbits *d = cn_malloc(sizeof(*d));
    if (!d)
        goto out_nomem;
    *d = fb;
    if (cn_rule_add_match(b->rule, CN_LIST_PACKET, &cn_kw_fragbits, d) < 0)
        goto out_nomem; /* the failed append freed d */
    return 0;

out_bad:
    snprintf(err, errlen, "expected [!+*] followed by M, D and/or R");
    return -CN_EINVAL;
out_nomem:
    snprintf(err, errlen, "out of memory");
    return -CN_ENOMEM;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct fragbits *fb = data;
    const struct cn_packet *p = in->p;
    if (!(p->flags & CN_PKT_IPV4) || (p->flags & CN_PKT_PSEUDO))
        return false;
    uint8_t have =
        (uint8_t)((p->frag_mf ? FB_MF : 0) | (p->frag_df ? FB_DF : 0) | (p->frag_rf ? FB_RF : 0));
    switch (fb->mod) {
    case MOD_ANY:
        return (have & fb->bits) != 0;
    case MOD_PLUS:
        return (have & fb->bits) == fb->bits && have != fb->bits;
    case MOD_NOT:
        return (have & fb->bits) != fb->bits;
    default:
        return have == fb->bits;
    }
}

const struct cn_keyword cn_kw_fragbits = {
    .name = "fragbits",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
