/* The list syntax address and port expressions share: elements separated by commas outside
 * brackets, each optionally negated by one or more '!' ([1.2.3.0/24, ![80,443]]). The two
 * parsers differ only in their elements and their set arithmetic. */
#include <stdio.h>

#include "detect/detect_int.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int cn_set_fail(struct cn_set_parse *ps, int rc, const char *what, const char *s, size_t len)
{
    if (rc == -CN_ENOMEM)
        snprintf(ps->err, ps->errlen, "out of memory");
    else
        snprintf(ps->err, ps->errlen, "%s '%.*s'", what, (int)CN_MIN(len, 60), s);
    return rc;
}

long cn_set_match_bracket(const char *s, size_t len)
{
    unsigned d = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '[')
            d++;
        else if (s[i] == ']' && --d == 0)
            return (long)i;
    }
    return -1;
}

void cn_set_trim(const char **s, size_t *len)
{
    while (*len > 0 && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_space((*s)[*len - 1]))
        (*len)--;
}

bool cn_set_list_next(const char *s, size_t len, size_t *pos, const char **elem, size_t *elen,
                      bool *negated)
{
    if (*pos > len)
        return false;
    size_t i = *pos, start = i;
    unsigned depth = 0;
    while (i < len && !(s[i] == ',' && depth == 0)) {
        if (s[i] == '[')
            depth++;
        else if (s[i] == ']' && depth > 0)
            depth--;
        i++;
    }
    const char *e = s + start;
    size_t n = i - start;
    cn_set_trim(&e, &n);
    bool neg = false;
    while (n > 0 && *e == '!') {
        neg = !neg;
        e++;
        n--;
        cn_set_trim(&e, &n);
    }
    *elem = e;
    *elen = n;
    *negated = neg;
    *pos = i + 1; /* past the comma (or the end) */
    return true;
}
