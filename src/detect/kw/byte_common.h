/* detect/kw: what the byte_* keywords (byte_test, byte_jump, byte_extract, byte_math) share:
 * the option list after the leading numbers (relative, endianness, string with its base,
 * bitmask), locating and reading the number in the buffer, and the rule's variables.
 *
 * Variables: byte_extract and byte_math store a named value that later keywords of the rule
 * (byte_*, isdataat, content's depth/offset/distance/within) may use where they take a
 * number. Names are resolved to a small index at load time (cn_byte_var_define/find, in rule
 * order, so a use before the definition fails the rule); values live in cn_inspect.vars and
 * are written by the defining keyword on every inspection attempt, so after backtracking a
 * reader sees the value of the attempt it is part of. Suricata's syntax; dce is refused (no
 * DCE/RPC parser yet). */
#ifndef CN_DETECT_KW_BYTE_COMMON_H
#define CN_DETECT_KW_BYTE_COMMON_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

enum cn_byte_var_flag {
    CN_BYTE_NBYTES_VAR = 1u << 0, /* nbytes is a variable's index */
    CN_BYTE_OFFSET_VAR = 1u << 1, /* offset is a variable's index */
};

struct cn_byte_read {
    uint8_t nbytes;    /* 0-8 binary, 1-23 as a string (each keyword narrows it) */
    uint8_t base;      /* 0: binary; else 8, 10 or 16 (string) */
    bool little;       /* binary little-endian */
    bool relative;     /* offset counts from the end of the previous match */
    uint8_t var_flags; /* enum cn_byte_var_flag */
    int32_t offset;
    uint64_t bitmask; /* 0 = none */
};

/* Longest string a number is read from: 23 octal digits fill 64 bits (Suricata's bound). */
#define CN_BYTE_STRING_MAX 23u

/* Splits "a , b , c" in place into at most max trimmed fields; returns how many. */
static inline unsigned cn_byte_fields(char *s, char **f, unsigned max)
{
    unsigned n = 0;
    while (s && n < max) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma++ = '\0';
        while (isspace((unsigned char)*s))
            s++;
        char *e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
            *--e = '\0';
        f[n++] = s;
        s = comma;
    }
    return s ? max + 1 : n; /* more fields than allowed: report overflow */
}

/* Parses a number in decimal or 0x hex. */
static inline bool cn_byte_number(const char *s, uint64_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-')
        return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

/* Applies one option word of the shared set; returns 1 when used, 0 when not one of them,
 * -1 on a bad value. word may be followed by its argument in the same field ("bitmask 0x0f")
 * or, for "string", by its optional base in the next field (*consumed set then). */
static inline int cn_byte_option(struct cn_byte_read *r, char *word, const char *next,
                                 bool *consumed, char *err, size_t errlen)
{
    *consumed = false;
    if (!strcasecmp(word, "relative")) {
        r->relative = true;
    } else if (!strcasecmp(word, "big")) {
        r->little = false;
    } else if (!strcasecmp(word, "little")) {
        r->little = true;
    } else if (!strcasecmp(word, "string")) {
        /* the base is optional and defaults to decimal */
        r->base = 10;
        if (next != NULL &&
            (!strcasecmp(next, "hex") || !strcasecmp(next, "dec") || !strcasecmp(next, "oct"))) {
            r->base = !strcasecmp(next, "hex") ? 16 : !strcasecmp(next, "dec") ? 10 : 8;
            *consumed = true;
        }
    } else if (!strncasecmp(word, "bitmask", 7) && isspace((unsigned char)word[7])) {
        if (!cn_byte_number(word + 8 + strspn(word + 8, " \t"), &r->bitmask) || !r->bitmask) {
            snprintf(err, errlen, "bad bitmask");
            return -1;
        }
    } else if (!strcasecmp(word, "dce")) {
        snprintf(err, errlen, "dce is not supported yet");
        return -1;
    } else {
        return 0;
    }
    return 1;
}

/* Checks the byte count against the encoding. */
static inline bool cn_byte_count_ok(const struct cn_byte_read *r)
{
    return r->nbytes >= 1 && r->nbytes <= (r->base ? 20 : 8);
}

/* ---- variables ---- */

/* A variable name: a letter or '_', then letters, digits, '_', '-' or '.'. */
static inline bool cn_byte_var_name_ok(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return false;
    size_t n = 0;
    for (; s[n] != '\0'; n++)
        if (!isalnum((unsigned char)s[n]) && s[n] != '_' && s[n] != '-' && s[n] != '.')
            return false;
    return n < CN_VAR_NAME_MAX;
}

/* Position of list in the rule's variable-setting lists, or -1. */
static inline int cn_byte_var_list_pos(const struct cn_rule *r, unsigned list)
{
    for (unsigned i = 0; i < r->nvar_lists; i++)
        if (r->var_lists[i] == list)
            return (int)i;
    return -1;
}

/* Defines a new variable set by a keyword of the builder's current list. Returns its index,
 * or -1 with the reason in err (bad or duplicate name, too many variables). */
static inline int cn_byte_var_define(struct cn_rule_builder *b, const char *name, char *err,
                                     size_t errlen)
{
    if (!cn_byte_var_name_ok(name)) {
        snprintf(err, errlen, "bad variable name '%.32s'%s", name,
                 strlen(name) >= CN_VAR_NAME_MAX ? " (longer than 31)" : "");
        return -1;
    }
    for (unsigned i = 0; i < b->nvars; i++)
        if (!strcmp(b->var_name[i], name)) {
            /* one name, one value: a second definition would make earlier readers ambiguous */
            snprintf(err, errlen, "variable '%s' already defined", name);
            return -1;
        }
    if (b->nvars >= CN_RULE_MAX_VARS) {
        snprintf(err, errlen, "more than %u variables in one rule", CN_RULE_MAX_VARS);
        return -1;
    }
    struct cn_rule *r = b->rule;
    if (cn_byte_var_list_pos(r, b->list) < 0)
        r->var_lists[r->nvar_lists++] = (uint8_t)b->list;
    unsigned i = b->nvars++;
    snprintf(b->var_name[i], sizeof(b->var_name[i]), "%s", name);
    b->var_list[i] = (uint8_t)b->list;
    return (int)i;
}

/* Resolves a variable read by a keyword of the builder's current list: its index, or -1 with
 * the reason in err (unknown, or set in a buffer the engine inspects after this one). */
static inline int cn_byte_var_find(const struct cn_rule_builder *b, const char *name, char *err,
                                   size_t errlen)
{
    while (isspace((unsigned char)*name))
        name++;
    size_t n = strlen(name);
    while (n > 0 && isspace((unsigned char)name[n - 1]))
        n--;
    for (unsigned i = 0; i < b->nvars; i++) {
        if (strlen(b->var_name[i]) != n || memcmp(b->var_name[i], name, n) != 0)
            continue;
        int def = cn_byte_var_list_pos(b->rule, b->var_list[i]);
        int use = cn_byte_var_list_pos(b->rule, b->list);
        if (b->var_list[i] != b->list && use >= 0 && use < def) {
            snprintf(err, errlen, "variable '%s' is set in a buffer inspected after this one",
                     b->var_name[i]);
            return -1;
        }
        return (int)i;
    }
    snprintf(err, errlen,
             "unknown variable '%.*s' (not set by an earlier byte_extract or "
             "byte_math)",
             (int)CN_MIN(n, 32), name);
    return -1;
}

/* A variable's value where a position or length is expected: values past INT32_MAX are
 * clamped (they lie outside any buffer either way). */
static inline int64_t cn_byte_var_pos(const struct cn_inspect *in, unsigned idx)
{
    uint64_t v = in->vars[idx % CN_RULE_MAX_VARS];
    return v > INT32_MAX ? INT32_MAX : (int64_t)v;
}

/* Parses a field that is an integer in [min, max] or a variable name. On success *out is the
 * number or the variable's index and *is_var says which. */
static inline bool cn_byte_num_or_var(const struct cn_rule_builder *b, const char *s, int64_t min,
                                      int64_t max, int64_t *out, bool *is_var, char *err,
                                      size_t errlen)
{
    *is_var = cn_kw_is_varname(s);
    if (*is_var) {
        int idx = cn_byte_var_find(b, s, err, errlen);
        *out = idx;
        return idx >= 0;
    }
    if (!cn_kw_parse_int(s, min, max, out)) {
        snprintf(err, errlen, "bad number '%.32s'", s);
        return false;
    }
    return true;
}

/* ---- reading ---- */

/* Where this attempt reads (variables resolved): false when a variable byte count is out of
 * range for the encoding or the bytes are not all inside the buffer. */
static inline bool cn_byte_locate(const struct cn_byte_read *r, const struct cn_inspect *in,
                                  int64_t *start, uint32_t *nbytes)
{
    uint64_t n = r->nbytes;
    if (r->var_flags & CN_BYTE_NBYTES_VAR) {
        n = in->vars[r->nbytes % CN_RULE_MAX_VARS];
        if (n > (r->base ? CN_BYTE_STRING_MAX : 8u) || (r->base && n == 0))
            return false;
    }
    int64_t off =
        (r->var_flags & CN_BYTE_OFFSET_VAR) ? cn_byte_var_pos(in, (unsigned)r->offset) : r->offset;
    int64_t s = (r->relative ? (int64_t)in->pos : 0) + off;
    if (in->buf == NULL || s < 0 || s + (int64_t)n > (int64_t)in->len)
        return false;
    *start = s;
    *nbytes = (uint32_t)n;
    return true;
}

/* Reads the nbytes-long number at p (bounds already checked), masked by r->bitmask. Returns
 * how many bytes the number used (a string ends at its first non-digit, as strtoull does in
 * Suricata), or -1 when a string holds no number of its base or overflows 64 bits. Zero
 * binary bytes read as 0. */
static inline int cn_byte_read_value(const struct cn_byte_read *r, const uint8_t *p,
                                     uint32_t nbytes, uint64_t *out)
{
    uint64_t v = 0;
    int used = (int)nbytes;
    if (r->base) {
        char tmp[CN_BYTE_STRING_MAX + 1];
        if (nbytes == 0 || nbytes > CN_BYTE_STRING_MAX)
            return -1;
        memcpy(tmp, p, nbytes);
        tmp[nbytes] = '\0';
        char *end;
        errno = 0;
        v = strtoull(tmp, &end, r->base);
        if (end == tmp || errno == ERANGE)
            return -1;
        used = (int)(end - tmp);
    } else if (nbytes > 8) {
        return -1;
    } else if (r->little) {
        for (unsigned i = nbytes; i-- > 0;)
            v = v << 8 | p[i];
    } else {
        for (unsigned i = 0; i < nbytes; i++)
            v = v << 8 | p[i];
    }
    if (r->bitmask) {
        v &= r->bitmask;
        v >>= __builtin_ctzll(r->bitmask); /* as Suricata: shift out the mask's low zeros */
    }
    *out = v;
    return used;
}

#endif
