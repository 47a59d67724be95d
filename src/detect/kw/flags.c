/* flags (alias tcp.flags): the TCP flags (RFC 9293 section 3.1, RFC 3168 section 6.1 for ECE
 * and CWR), written as letters: F S R P A U, C or 1 (CWR), E or 2 (ECE), 0 for "no flag".
 * One modifier may precede or follow the letters: '+' the flags given are set (others may be),
 * '*' any of them is set, '!' not all of them are set; without one the flags must be exactly
 * those given. After a comma come the flags to ignore before comparing ("S,12" matches a SYN
 * whatever its ECN bits). TCP packets only. */
#include <stdio.h>

#include "detect/kw/numeric.h"

enum { MOD_NONE, MOD_NOT, MOD_PLUS, MOD_ANY };

struct tcpflags {
    uint8_t flags; /* the flags to compare */
    uint8_t keep;  /* packet flags taken into account (the ignored ones cleared) */
    uint8_t mod;
};

/* The flag a letter names, or 0. */
static uint8_t flag_bit(char c)
{
    switch (c) {
    case 'F':
    case 'f':
        return CN_TH_FIN;
    case 'S':
    case 's':
        return CN_TH_SYN;
    case 'R':
    case 'r':
        return CN_TH_RST;
    case 'P':
    case 'p':
        return CN_TH_PUSH;
    case 'A':
    case 'a':
        return CN_TH_ACK;
    case 'U':
    case 'u':
        return CN_TH_URG;
    case 'E':
    case 'e':
    case '2':
        return CN_TH_ECE;
    case 'C':
    case 'c':
    case '1':
        return CN_TH_CWR;
    }
    return 0;
}

static int parse(struct tcpflags *tf, const char *value, char *err, size_t errlen)
{
    const char *s = value;
    unsigned found = 0;
    tf->flags = 0;
    tf->keep = 0xff;
    tf->mod = MOD_NONE;
    while (cn_num_isspace(*s))
        s++;
    for (; *s && *s != ',' && !cn_num_isspace(*s); s++) {
        uint8_t bit = flag_bit(*s);
        if (bit) {
            tf->flags |= bit;
            found++;
        } else if (*s == '0') {
            /* "no flag": only meaningful alone, but Suricata lets it reset what came before */
            tf->flags = 0;
            found++;
        } else if (*s == '!' || *s == '+' || *s == '*') {
            if (tf->mod != MOD_NONE) {
                snprintf(err, errlen, "only one modifier (+ * !) is allowed");
                return -CN_EINVAL;
            }
            tf->mod = *s == '!' ? MOD_NOT : *s == '+' ? MOD_PLUS : MOD_ANY;
            /* white space may separate a leading modifier from the flags */
            if (!found)
                while (cn_num_isspace(s[1]))
                    s++;
        } else {
            snprintf(err, errlen, "unknown TCP flag '%c'", *s);
            return -CN_EINVAL;
        }
    }
    if (!found) {
        snprintf(err, errlen, "no TCP flag given");
        return -CN_EINVAL;
    }
    while (cn_num_isspace(*s))
        s++;
    if (*s == ',') {
        unsigned ignored = 0;
        s++;
        while (cn_num_isspace(*s))
            s++;
        for (; *s && !cn_num_isspace(*s); s++) {
            uint8_t bit = flag_bit(*s);
            if (bit) {
                tf->keep &= (uint8_t)~bit;
                ignored++;
            } else if (*s != '0') {
                snprintf(err, errlen, "unknown TCP flag '%c' in the mask", *s);
                return -CN_EINVAL;
            }
        }
        if (!ignored) {
            snprintf(err, errlen, "empty flag mask");
            return -CN_EINVAL;
        }
        while (cn_num_isspace(*s))
            s++;
    }
    if (*s) {
        snprintf(err, errlen, "unexpected text after the flags");
        return -CN_EINVAL;
    }
    return 0;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    struct tcpflags tf;
    if (!value) {
        snprintf(err, errlen, "flags are required");
        return -CN_EINVAL;
    }
    int rc = parse(&tf, value, err, errlen);
    if (rc < 0)
        return rc;
    struct tcpflags *d = cn_malloc(sizeof(*d));
    if (!d)
        goto out_nomem;
    *d = tf;
    if (cn_rule_add_match(b->rule, CN_LIST_PACKET, &cn_kw_flags, d) < 0)
        goto out_nomem; /* the failed append freed d */
    return 0;

out_nomem:
    snprintf(err, errlen, "out of memory");
    return -CN_ENOMEM;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct tcpflags *tf = data;
    const struct cn_packet *p = in->p;
    if (!(p->flags & CN_PKT_TCP) || (p->flags & CN_PKT_PSEUDO))
        return false;
    uint8_t have = p->tcp.flags;
    /* "0": no flag at all (with '!': any flag), whatever the mask says, as in Suricata */
    if (!tf->flags && have)
        return tf->mod == MOD_NOT;
    have &= tf->keep;
    switch (tf->mod) {
    case MOD_ANY:
        return (have & tf->flags) != 0;
    case MOD_PLUS:
        return (have & tf->flags) == tf->flags;
    case MOD_NOT:
        return (have & tf->flags) != tf->flags;
    default:
        return have == tf->flags;
    }
}

const struct cn_keyword cn_kw_flags = {
    .name = "flags",
    .alias = "tcp.flags",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
