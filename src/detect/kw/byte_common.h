/* detect/kw: what byte_test and byte_jump share: the option list after the leading numbers
 * (relative, endianness, string with its base, bitmask) and reading the number from the
 * buffer. Suricata's syntax; dce and byte_extract variables are refused for now. */
#ifndef CN_DETECT_KW_BYTE_COMMON_H
#define CN_DETECT_KW_BYTE_COMMON_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

struct cn_byte_read {
    uint8_t nbytes; /* 1-8 binary, 1-20 as a string */
    uint8_t base;   /* 0: binary; else 8, 10 or 16 (string) */
    bool little;    /* binary little-endian */
    bool relative;  /* offset counts from the end of the previous match */
    int32_t offset;
    uint64_t bitmask; /* 0 = none */
};

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

/* Reads the number at start (already bounds-checked by the caller), masked. False when a
 * string holds no digits of its base. */
static inline bool cn_byte_read_value(const struct cn_byte_read *r, const uint8_t *p, uint64_t *out)
{
    uint64_t v = 0;
    if (r->base) {
        char tmp[24];
        memcpy(tmp, p, r->nbytes);
        tmp[r->nbytes] = '\0';
        char *end;
        if (!isxdigit((unsigned char)tmp[0]))
            return false;
        v = strtoull(tmp, &end, r->base);
        if (end == tmp)
            return false;
    } else if (r->little) {
        for (unsigned i = r->nbytes; i-- > 0;)
            v = v << 8 | p[i];
    } else {
        for (unsigned i = 0; i < r->nbytes; i++)
            v = v << 8 | p[i];
    }
    if (r->bitmask) {
        v &= r->bitmask;
        v >>= __builtin_ctzll(r->bitmask); /* as Suricata: shift out the mask's low zeros */
    }
    *out = v;
    return true;
}

/* Where the number starts in in->buf, or -1 when it does not fit. */
static inline int64_t cn_byte_start(const struct cn_byte_read *r, const struct cn_inspect *in)
{
    int64_t start = (r->relative ? (int64_t)in->pos : 0) + r->offset;
    if (start < 0 || start + r->nbytes > (int64_t)in->len || in->buf == NULL)
        return -1;
    return start;
}

#endif
