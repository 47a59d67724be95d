/* jcheck: a strict little JSON checker for the output tests. It accepts exactly one JSON
 * value (RFC 8259) with nothing but whitespace around it, rejects duplicate keys inside an
 * object and invalid UTF-8, and can fetch the raw text of a member by a dotted path. The
 * tests use it to prove that every line the writer produces parses, independently of the
 * writer's own code. */
#ifndef CN_TEST_JCHECK_H
#define CN_TEST_JCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct jc {
    const char *s;
    size_t len, pos;
    int depth;
};

static inline bool jc_value(struct jc *c);

static inline void jc_ws(struct jc *c)
{
    while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
                               c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
        c->pos++;
}

static inline bool jc_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* A string starting at the opening quote; sets [*b, *e) to its raw contents. */
static inline bool jc_string(struct jc *c, size_t *b, size_t *e)
{
    if (c->pos >= c->len || c->s[c->pos] != '"')
        return false;
    c->pos++;
    *b = c->pos;
    while (c->pos < c->len) {
        unsigned char ch = (unsigned char)c->s[c->pos];
        if (ch == '"') {
            *e = c->pos++;
            return true;
        }
        if (ch < 0x20)
            return false;
        if (ch == '\\') {
            if (++c->pos >= c->len)
                return false;
            char x = c->s[c->pos];
            if (x == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (c->pos + i >= c->len || !jc_hex(c->s[c->pos + i]))
                        return false;
                c->pos += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", x) || x == '\0')
                return false;
            c->pos++;
            continue;
        }
        if (ch >= 0x80) {
            int n = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc2 ? 2 : 0;
            if (!n || ch > 0xf4 || c->pos + n > c->len)
                return false;
            for (int i = 1; i < n; i++)
                if (((unsigned char)c->s[c->pos + i] & 0xc0) != 0x80)
                    return false;
            c->pos += n;
            continue;
        }
        c->pos++;
    }
    return false;
}

static inline bool jc_number(struct jc *c)
{
    size_t start = c->pos;
    if (c->pos < c->len && c->s[c->pos] == '-')
        c->pos++;
    if (c->pos >= c->len)
        return false;
    if (c->s[c->pos] == '0') {
        c->pos++;
    } else if (c->s[c->pos] >= '1' && c->s[c->pos] <= '9') {
        while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9')
            c->pos++;
    } else {
        return false;
    }
    if (c->pos < c->len && c->s[c->pos] == '.') {
        c->pos++;
        size_t d = c->pos;
        while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9')
            c->pos++;
        if (d == c->pos)
            return false;
    }
    return c->pos > start;
}

static inline bool jc_object(struct jc *c)
{
    /* keys seen so far, for the duplicate check */
    size_t kb[512], ke[512];
    int nk = 0;
    c->pos++;
    jc_ws(c);
    if (c->pos < c->len && c->s[c->pos] == '}') {
        c->pos++;
        return true;
    }
    for (;;) {
        size_t b, e;
        jc_ws(c);
        if (!jc_string(c, &b, &e))
            return false;
        for (int i = 0; i < nk; i++)
            if (ke[i] - kb[i] == e - b && !memcmp(c->s + kb[i], c->s + b, e - b))
                return false;
        if (nk < 512) {
            kb[nk] = b;
            ke[nk] = e;
            nk++;
        }
        jc_ws(c);
        if (c->pos >= c->len || c->s[c->pos] != ':')
            return false;
        c->pos++;
        if (!jc_value(c))
            return false;
        jc_ws(c);
        if (c->pos >= c->len)
            return false;
        if (c->s[c->pos] == ',') {
            c->pos++;
            continue;
        }
        if (c->s[c->pos] == '}') {
            c->pos++;
            return true;
        }
        return false;
    }
}

static inline bool jc_array(struct jc *c)
{
    c->pos++;
    jc_ws(c);
    if (c->pos < c->len && c->s[c->pos] == ']') {
        c->pos++;
        return true;
    }
    for (;;) {
        if (!jc_value(c))
            return false;
        jc_ws(c);
        if (c->pos >= c->len)
            return false;
        if (c->s[c->pos] == ',') {
            c->pos++;
            continue;
        }
        if (c->s[c->pos] == ']') {
            c->pos++;
            return true;
        }
        return false;
    }
}

static inline bool jc_lit(struct jc *c, const char *lit)
{
    size_t n = strlen(lit);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, lit, n))
        return false;
    c->pos += n;
    return true;
}

static inline bool jc_value(struct jc *c)
{
    jc_ws(c);
    if (c->pos >= c->len || c->depth > 100)
        return false;
    char ch = c->s[c->pos];
    bool ok;
    c->depth++;
    if (ch == '{') {
        ok = jc_object(c);
    } else if (ch == '[') {
        ok = jc_array(c);
    } else if (ch == '"') {
        size_t b, e;
        ok = jc_string(c, &b, &e);
    } else if (ch == 't') {
        ok = jc_lit(c, "true");
    } else if (ch == 'f') {
        ok = jc_lit(c, "false");
    } else if (ch == 'n') {
        ok = jc_lit(c, "null");
    } else {
        ok = jc_number(c);
    }
    c->depth--;
    return ok;
}

/* True when s[0..len) is one JSON object. */
static inline bool jc_valid_object(const char *s, size_t len)
{
    struct jc c = {s, len, 0, 0};
    jc_ws(&c);
    if (c.pos >= len || s[c.pos] != '{')
        return false;
    if (!jc_value(&c))
        return false;
    jc_ws(&c);
    return c.pos == len;
}

/* Copies the raw JSON text of the member at a dotted path ("flow.state") of the object in
 * s into out; strings keep their quotes. False when absent. */
static inline bool jc_get(const char *s, const char *path, char *out, size_t outlen)
{
    struct jc c = {s, strlen(s), 0, 0};
    const char *seg = path;
    jc_ws(&c);
    for (;;) {
        const char *dot = strchr(seg, '.');
        size_t sl = dot ? (size_t)(dot - seg) : strlen(seg);
        if (c.pos >= c.len || c.s[c.pos] != '{')
            return false;
        c.pos++;
        bool found = false;
        for (;;) {
            size_t b, e;
            jc_ws(&c);
            if (c.pos < c.len && c.s[c.pos] == '}')
                return false;
            if (!jc_string(&c, &b, &e))
                return false;
            jc_ws(&c);
            if (c.pos >= c.len || c.s[c.pos] != ':')
                return false;
            c.pos++;
            jc_ws(&c);
            if (e - b == sl && !memcmp(c.s + b, seg, sl)) {
                found = true;
                break;
            }
            if (!jc_value(&c))
                return false;
            jc_ws(&c);
            if (c.pos < c.len && c.s[c.pos] == ',')
                c.pos++;
        }
        if (!found)
            return false;
        if (!dot) {
            size_t start = c.pos;
            if (!jc_value(&c))
                return false;
            size_t n = c.pos - start;
            if (n + 1 > outlen)
                return false;
            memcpy(out, c.s + start, n);
            out[n] = '\0';
            return true;
        }
        seg = dot + 1;
    }
}

#endif
