/* Helpers shared by flowbits, flowint and xbits: splitting "a, b ,c" values into trimmed
 * fields and checking variable names. */
#ifndef CN_DETECT_KW_BITS_H
#define CN_DETECT_KW_BITS_H

#include <stdio.h>

#include "detect/detect_int.h"

/* Splits s in place at every sep into at most max trimmed fields; returns how many there are
 * (max + 1 when there are more). */
static inline unsigned cn_bits_split(char *s, char sep, char **f, unsigned max)
{
    unsigned n = 0;
    for (;;) {
        char *end = strchr(s, sep);
        if (end != NULL)
            *end = '\0';
        if (n == max)
            return max + 1;
        f[n++] = cn_rule_trim(s);
        if (end == NULL)
            return n;
        s = end + 1;
    }
}

/* A variable name: not empty, no blanks, at most CN_VAR_MAX_NAMELEN bytes. */
static inline bool cn_bits_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CN_VAR_MAX_NAMELEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (cn_rule_blank(s[i]))
            return false;
    return true;
}

/* Interns name into the loader's store, with the reason in err on failure. */
static inline int cn_bits_intern(struct cn_rule_builder *b, enum cn_var_kind k, const char *name,
                                 uint32_t *id, char *err, size_t errlen)
{
    if (b->ld == NULL || b->ld->vs == NULL) {
        snprintf(err, errlen, "needs a rule set to hold its names");
        return -CN_EINVAL;
    }
    int rc = cn_var_intern(b->ld->vs, k, name, strlen(name), id);
    if (rc == -CN_ENOMEM)
        snprintf(err, errlen, "out of memory");
    else if (rc < 0)
        snprintf(err, errlen, "more than %u names of this kind in the rule set", CN_VAR_MAX_NAMES);
    return rc;
}

/* Files a flowbits/flowint/xbits option: checks (isset, ...) in the packet list, actions
 * (set, ...) among the post-match actions. The rule owns data from the call on (a failed
 * append frees it). */
static inline int cn_bits_attach(struct cn_rule_builder *b, const struct cn_keyword *kw, void *data,
                                 bool check, char *err, size_t errlen)
{
    int rc = check ? cn_rule_add_match(b->rule, CN_LIST_PACKET, kw, data)
                   : cn_rule_add_post(b->rule, kw, data);
    if (rc < 0)
        snprintf(err, errlen, "out of memory");
    return rc;
}

#endif
