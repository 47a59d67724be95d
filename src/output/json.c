/* json: the small JSON writer behind every EVE record, and the timestamp cache.
 *
 * It appends compact JSON (RFC 8259) to one growable buffer per thread and tracks, per
 * nesting level, whether a comma is due. Each writer reserves the worst case for what it is
 * about to write and then stores without further checks, so the common path is a bounds
 * test and a few stores. Integers are converted by hand: no printf per field. String escaping
 * follows Suricata's JsonBuilder so records compare equal byte for byte: "\b \t \n \f \r" get
 * their short escapes, other control characters \u00XX (lower-case hex), '"' and '\' a
 * backslash; input that is not valid UTF-8 has every byte >= 0x80 written as the text \xNN. */
#include <stdlib.h>

#include "output/output_int.h"

static const char hexdig[] = "0123456789abcdef";

/* 0: copy as is; 'u': \u00XX; other: a backslash and this character */
static const uint8_t esc[256] = {
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f',  ['\r'] = 'r', [0x00] = 'u',
    [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',  [0x05] = 'u', [0x06] = 'u',
    [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u',  [0x10] = 'u', [0x11] = 'u',
    [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u',  [0x16] = 'u', [0x17] = 'u',
    [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u',  [0x1c] = 'u', [0x1d] = 'u',
    [0x1e] = 'u', [0x1f] = 'u', ['"'] = '"',  ['\\'] = '\\',
};

bool cn_json_init(struct cn_json *j, size_t cap)
{
    memset(j, 0, sizeof(*j));
    if (cap < 64)
        cap = 64;
    j->buf = cn_malloc(cap);
    if (!j->buf) {
        j->err = true;
        return false;
    }
    j->cap = cap;
    return true;
}

void cn_json_free(struct cn_json *j)
{
    cn_free(j->buf);
    j->buf = NULL;
    j->cap = j->len = 0;
}

/* Slow path of reserve(): doubles the buffer until n more bytes fit, within the limit. */
static __attribute__((noinline)) bool grow(struct cn_json *j, size_t n)
{
    if (j->err)
        return false;
    if (n > CN_JSON_MAX_SIZE || j->len > CN_JSON_MAX_SIZE - n)
        goto out_err;
    size_t cap = j->cap ? j->cap : 64;
    while (cap - j->len < n)
        cap *= 2;
    if (cap > CN_JSON_MAX_SIZE)
        cap = CN_JSON_MAX_SIZE;
    char *nb = cn_realloc(j->buf, cap);
    if (!nb)
        goto out_err;
    j->buf = nb;
    j->cap = cap;
    return true;
out_err:
    j->err = true;
    return false;
}

static inline bool reserve(struct cn_json *j, size_t n)
{
    if (CN_LIKELY(!j->err && j->cap - j->len >= n))
        return true;
    return grow(j, n);
}

bool cn_json_reserve(struct cn_json *j, size_t n)
{
    return reserve(j, n);
}

/* Room for a separator and a key: ',' '"' key '"' ':' */
#define KEY_ROOM(klen) ((klen) + 4)

/* Writes the comma (when the container already has a member) and the key. */
static inline char *put_key(struct cn_json *j, char *w, const char *key, size_t klen)
{
    uint64_t bit = 1ull << j->depth;
    if (j->nonempty & bit)
        *w++ = ',';
    else
        j->nonempty |= bit;
    if (key) {
        *w++ = '"';
        memcpy(w, key, klen);
        w += klen;
        *w++ = '"';
        *w++ = ':';
    }
    return w;
}

static void open_container(struct cn_json *j, const char *key, size_t klen, bool array)
{
    if (j->depth >= CN_JSON_MAX_DEPTH) {
        j->err = true;
        return;
    }
    if (!reserve(j, KEY_ROOM(klen) + 1))
        return;
    char *w = put_key(j, j->buf + j->len, key, klen);
    *w++ = array ? '[' : '{';
    j->len = (size_t)(w - j->buf);
    j->depth++;
    uint64_t bit = 1ull << j->depth;
    j->nonempty &= ~bit;
    if (array)
        j->array |= bit;
    else
        j->array &= ~bit;
}

void cn_json_open_object_n(struct cn_json *j, const char *key, size_t klen)
{
    open_container(j, key, klen, false);
}

void cn_json_open_array_n(struct cn_json *j, const char *key, size_t klen)
{
    open_container(j, key, klen, true);
}

void cn_json_close(struct cn_json *j)
{
    if (j->depth == 0) {
        j->err = true;
        return;
    }
    if (!reserve(j, 1))
        return;
    j->buf[j->len++] = (j->array >> j->depth) & 1 ? ']' : '}';
    j->depth--;
}

/* Length of the valid UTF-8 sequence starting at s[0] (a byte >= 0x80), or 0 when it is not
 * valid: overlong forms, surrogates and code points above U+10FFFF are rejected
 * (RFC 3629 section 4). */
static size_t utf8_seq(const uint8_t *s, size_t left)
{
    uint8_t c = s[0];
    if (c >= 0xc2 && c <= 0xdf)
        return left >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (left < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        if (c == 0xe0 && s[1] < 0xa0)
            return 0; /* overlong */
        if (c == 0xed && s[1] >= 0xa0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (left < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        if (c == 0xf0 && s[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xf4 && s[1] >= 0x90)
            return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static bool utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* skip ASCII eight bytes at a time */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_seq(s + i, len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

/* Escapes one chunk; w has room for 6 bytes per input byte. */
static char *escape_chunk(char *w, const uint8_t *s, size_t len, bool raw_high)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        uint8_t e = esc[c];
        if (CN_LIKELY(e == 0)) {
            if (c < 0x80 || raw_high) {
                *w++ = (char)c;
            } else {
                /* the text \xNN, its backslash escaped for JSON */
                *w++ = '\\';
                *w++ = '\\';
                *w++ = 'x';
                *w++ = hexdig[c >> 4];
                *w++ = hexdig[c & 15];
            }
        } else if (e == 'u') {
            memcpy(w, "\\u00", 4);
            w[4] = hexdig[c >> 4];
            w[5] = hexdig[c & 15];
            w += 6;
        } else {
            *w++ = '\\';
            *w++ = (char)e;
        }
    }
    return w;
}

#define STR_CHUNK 4096

void cn_json_str_n(struct cn_json *j, const char *key, size_t klen, const void *sv, size_t len)
{
    const uint8_t *s = sv;
    bool valid = utf8_valid(s, len);
    size_t first = len < STR_CHUNK ? len : STR_CHUNK;
    if (!reserve(j, KEY_ROOM(klen) + 2 + 6 * first))
        return;
    char *w = put_key(j, j->buf + j->len, key, klen);
    *w++ = '"';
    size_t off = 0;
    for (;;) {
        size_t n = len - off < STR_CHUNK ? len - off : STR_CHUNK;
        w = escape_chunk(w, s + off, n, valid);
        off += n;
        j->len = (size_t)(w - j->buf);
        if (off >= len)
            break;
        size_t next = len - off < STR_CHUNK ? len - off : STR_CHUNK;
        if (!reserve(j, 1 + 6 * next))
            return;
        w = j->buf + j->len;
    }
    if (!reserve(j, 1))
        return;
    j->buf[j->len++] = '"';
}

/* Decimal digits of v, written backwards from end; returns the first digit. */
static inline char *u64_digits(char *end, uint64_t v)
{
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

void cn_json_u64_n(struct cn_json *j, const char *key, size_t klen, uint64_t v)
{
    if (!reserve(j, KEY_ROOM(klen) + 20))
        return;
    char *w = put_key(j, j->buf + j->len, key, klen);
    char tmp[20];
    char *p = u64_digits(tmp + sizeof(tmp), v);
    size_t n = (size_t)(tmp + sizeof(tmp) - p);
    memcpy(w, p, n);
    j->len = (size_t)(w + n - j->buf);
}

void cn_json_i64_n(struct cn_json *j, const char *key, size_t klen, int64_t v)
{
    if (!reserve(j, KEY_ROOM(klen) + 21))
        return;
    char *w = put_key(j, j->buf + j->len, key, klen);
    uint64_t m = (uint64_t)v;
    if (v < 0) {
        *w++ = '-';
        m = 0 - m; /* well defined for INT64_MIN too */
    }
    char tmp[20];
    char *p = u64_digits(tmp + sizeof(tmp), m);
    size_t n = (size_t)(tmp + sizeof(tmp) - p);
    memcpy(w, p, n);
    j->len = (size_t)(w + n - j->buf);
}

static void put_literal(struct cn_json *j, const char *key, size_t klen, const char *lit, size_t n)
{
    if (!reserve(j, KEY_ROOM(klen) + n))
        return;
    char *w = put_key(j, j->buf + j->len, key, klen);
    memcpy(w, lit, n);
    j->len = (size_t)(w + n - j->buf);
}

void cn_json_bool_n(struct cn_json *j, const char *key, size_t klen, bool v)
{
    if (v)
        put_literal(j, key, klen, "true", 4);
    else
        put_literal(j, key, klen, "false", 5);
}

void cn_json_null_n(struct cn_json *j, const char *key, size_t klen)
{
    put_literal(j, key, klen, "null", 4);
}

void cn_json_hex_n(struct cn_json *j, const char *key, size_t klen, const uint8_t *d, size_t len)
{
    if (len > CN_JSON_MAX_SIZE / 2) {
        j->err = true;
        return;
    }
    if (!reserve(j, KEY_ROOM(klen) + 2 + 2 * len))
        return;
    char *w = put_key(j, j->buf + j->len, key, klen);
    *w++ = '"';
    for (size_t i = 0; i < len; i++) {
        *w++ = hexdig[d[i] >> 4];
        *w++ = hexdig[d[i] & 15];
    }
    *w++ = '"';
    j->len = (size_t)(w - j->buf);
}

void cn_json_mac_n(struct cn_json *j, const char *key, size_t klen, const uint8_t mac[6])
{
    if (!reserve(j, KEY_ROOM(klen) + 19))
        return;
    char *w = put_key(j, j->buf + j->len, key, klen);
    *w++ = '"';
    for (int i = 0; i < 6; i++) {
        if (i)
            *w++ = ':';
        *w++ = hexdig[mac[i] >> 4];
        *w++ = hexdig[mac[i] & 15];
    }
    *w++ = '"';
    j->len = (size_t)(w - j->buf);
}

void cn_json_ip_n(struct cn_json *j, const char *key, size_t klen, const union cn_addr *a,
                  int family)
{
    if (!reserve(j, KEY_ROOM(klen) + 2 + CN_ADDR_STRLEN))
        return;
    char *w = put_key(j, j->buf + j->len, key, klen);
    *w++ = '"';
    if (family == 4) {
        /* the dotted quad by hand: this runs for two addresses in every record */
        for (int i = 0; i < 4; i++) {
            if (i)
                *w++ = '.';
            uint8_t b = a->b[i];
            if (b >= 100)
                *w++ = (char)('0' + b / 100);
            if (b >= 10)
                *w++ = (char)('0' + b / 10 % 10);
            *w++ = (char)('0' + b % 10);
        }
    } else {
        char tmp[CN_ADDR_STRLEN];
        int n = cn_addr_format(a, 6, tmp);
        if (n < 0 || n >= CN_ADDR_STRLEN)
            n = 0;
        memcpy(w, tmp, (size_t)n);
        w += n;
    }
    *w++ = '"';
    j->len = (size_t)(w - j->buf);
}

void cn_tscache_init(struct cn_tscache *c)
{
    for (int i = 0; i < 2; i++) {
        c->e[i].sec = UINT64_MAX;
        c->e[i].len = 0;
        c->e[i].frac = 0;
        c->e[i].s[0] = '\0';
    }
    c->victim = 0;
}

int cn_tscache_format(struct cn_tscache *c, cn_time_t t, char *out)
{
    uint64_t sec = t / CN_USEC;
    uint32_t usec = (uint32_t)(t % CN_USEC);
    struct cn_tscache_ent *e;
    if (c->e[0].sec == sec) {
        e = &c->e[0];
        c->victim = 1;
    } else if (c->e[1].sec == sec) {
        e = &c->e[1];
        c->victim = 0;
    } else {
        char tmp[CN_TIME_STRLEN];
        int n = cn_time_format(sec * CN_USEC, tmp);
        const char *dot = n > 0 && n < CN_TIME_STRLEN ? memchr(tmp, '.', (size_t)n) : NULL;
        if (!dot || (dot - tmp) + 7 > n) {
            /* not the shape we patch; format every time rather than guess */
            n = cn_time_format(t, out);
            return n < 0 ? 0 : (n >= CN_TIME_STRLEN ? CN_TIME_STRLEN - 1 : n);
        }
        e = &c->e[c->victim];
        c->victim ^= 1;
        memcpy(e->s, tmp, (size_t)n + 1);
        e->len = (uint8_t)n;
        e->frac = (uint8_t)(dot - tmp + 1);
        e->sec = sec;
    }
    memcpy(out, e->s, (size_t)e->len + 1);
    char *d = out + e->frac + 6;
    for (int i = 0; i < 6; i++) {
        *--d = (char)('0' + usec % 10);
        usec /= 10;
    }
    return e->len;
}

void cn_json_time_n(struct cn_json *j, const char *key, size_t klen, struct cn_tscache *c,
                    cn_time_t t)
{
    char tmp[CN_TIME_STRLEN];
    int n = cn_tscache_format(c, t, tmp);
    if (!reserve(j, KEY_ROOM(klen) + 2 + (size_t)n))
        return;
    char *w = put_key(j, j->buf + j->len, key, klen);
    *w++ = '"';
    memcpy(w, tmp, (size_t)n);
    w += n;
    *w++ = '"';
    j->len = (size_t)(w - j->buf);
}
