/* detect/kw: content, a byte pattern to find in the current buffer (the payload unless a
 * sticky buffer selected another). Suricata's syntax: the value is in double quotes, with
 * |hex bytes| sections (pairs of hex digits; blanks and commas between them are ignored),
 * the escapes \" \; \\ \: and negation as !"...". The modifiers (nocase, depth, offset,
 * distance, within, ...) are keywords of their own that edit the struct parsed here.
 *
 * Also the pattern search the inspector uses: memmem for exact patterns and a memchr-driven
 * loop for nocase ones (the multi-pattern prefilter comes later and does not replace it). */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

/* Decodes the text between the quotes into out (at most n bytes: the decoded form is never
 * longer than the text). Returns the length or -1 with the reason in err. */
static long decode(const char *s, size_t n, uint8_t *out, char *err, size_t errlen)
{
    size_t o = 0;
    bool hex = false;
    int nib = -1; /* pending high nibble in a hex section */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '|') {
            if (hex && nib >= 0) {
                snprintf(err, errlen, "odd number of hex digits in content");
                return -1;
            }
            hex = !hex;
            continue;
        }
        if (hex) {
            int v = cn_hex_digit(c);
            if (v >= 0) {
                if (nib < 0) {
                    nib = v;
                } else {
                    out[o++] = (uint8_t)(nib << 4 | v);
                    nib = -1;
                }
            } else if (c != ' ' && c != ',' && c != '\t') {
                snprintf(err, errlen, "invalid hex '%c' in content", c);
                return -1;
            }
            continue;
        }
        if (c == '\\') {
            char e = i + 1 < n ? s[i + 1] : '\0';
            if (e != '"' && e != ';' && e != '\\' && e != ':') {
                snprintf(err, errlen, "invalid escape in content");
                return -1;
            }
            out[o++] = (uint8_t)e;
            i++;
            continue;
        }
        if (c == '"') {
            snprintf(err, errlen, "unescaped quote in content");
            return -1;
        }
        out[o++] = (uint8_t)c;
    }
    if (hex) {
        snprintf(err, errlen, "unterminated hex section in content");
        return -1;
    }
    return (long)o;
}

/* Parses a content value into a new struct (no modifiers yet). */
static struct cn_content *parse(const char *value, char *err, size_t errlen)
{
    const char *s = value ? value : "";
    bool neg = false;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '!') {
        neg = true;
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
    }
    size_t n = strlen(s);
    /* the closing quote must not be escaped: count the backslashes before it */
    size_t bs = 0;
    while (n >= 2 && bs < n - 2 && s[n - 2 - bs] == '\\')
        bs++;
    if (n < 2 || s[0] != '"' || s[n - 1] != '"' || bs % 2) {
        snprintf(err, errlen, "content must be in double quotes");
        return NULL;
    }
    if (n == 2) {
        snprintf(err, errlen, "empty content");
        return NULL;
    }
    struct cn_content *c = cn_calloc(1, sizeof(*c));
    uint8_t *bytes = cn_malloc(n - 2);
    if (c == NULL || bytes == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    long len = decode(s + 1, n - 2, bytes, err, errlen);
    if (len < 0)
        goto out_free;
    if (len == 0) {
        snprintf(err, errlen, "empty content");
        goto out_free;
    }
    if ((unsigned long)len > CN_CONTENT_MAX_LEN) {
        snprintf(err, errlen, "content longer than %u bytes", CN_CONTENT_MAX_LEN);
        goto out_free;
    }
    c->bytes = bytes;
    c->len = (uint32_t)len;
    if (neg)
        c->flags |= CN_CONTENT_NEGATED;
    return c;

out_free:
    cn_free(bytes);
    cn_free(c);
    return NULL;
}

static void content_free(void *data)
{
    struct cn_content *c = data;
    if (c == NULL)
        return;
    cn_free(c->bytes);
    cn_free(c);
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    struct cn_content *c = parse(value, err, errlen);
    if (c == NULL)
        return -CN_EINVAL;
    struct cn_smlist *l = b->list < CN_LIST__MAX ? &b->rule->lists[b->list] : NULL;
    unsigned idx = l ? l->n : 0;
    int rc = cn_rule_add_match(b->rule, b->list, &cn_kw_content, c);
    if (rc < 0) {
        snprintf(err, errlen, rc == -CN_ENOMEM ? "out of memory" : "bad buffer");
        return rc;
    }
    b->last_content_list = (int)b->list;
    b->last_content_index = (int)idx;
    return 0;
}

/* On its own (outside a list walk) a content is tried once, relative to in->pos. */
static bool match(struct cn_inspect *in, const void *data)
{
    struct cn_sigmatch sm = {&cn_kw_content, (void *)(uintptr_t)data};
    struct cn_smlist l = {&sm, 1, 1};
    return cn_inspect_run(in, &l);
}

const struct cn_keyword cn_kw_content = {
    .name = "content",
    .setup = setup,
    .match = match,
    .free = content_free,
};

/* ---- search ---- */

static inline uint8_t lc(uint8_t c)
{
    return (uint8_t)((unsigned)(c - 'A') < 26u ? c + 32 : c);
}

static bool eq_nocase(const uint8_t *a, const uint8_t *lower, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (lc(a[i]) != lower[i])
            return false;
    return true;
}

/* p is lower-cased. Candidates come from memchr on the first byte's two cases, so the
 * common case runs at memchr speed. */
static int64_t find_nocase(const uint8_t *h, uint32_t n, const uint8_t *p, uint32_t m)
{
    if (m > n)
        return -1;
    const uint8_t *last = h + (n - m); /* the last start that fits */
    uint8_t a = p[0];
    uint8_t u = (uint8_t)((unsigned)(a - 'a') < 26u ? a - 32 : a);
    if (a == u) {
        const uint8_t *x = h;
        while (x <= last && (x = memchr(x, a, (size_t)(last - x) + 1)) != NULL) {
            if (eq_nocase(x + 1, p + 1, m - 1))
                return x - h;
            x++;
        }
        return -1;
    }
    const uint8_t *x = memchr(h, a, (size_t)(last - h) + 1);
    const uint8_t *y = memchr(h, u, (size_t)(last - h) + 1);
    while (x != NULL || y != NULL) {
        bool takex = y == NULL || (x != NULL && x < y);
        const uint8_t *c = takex ? x : y;
        if (eq_nocase(c + 1, p + 1, m - 1))
            return c - h;
        const uint8_t *nx = c + 1;
        const uint8_t *next =
            nx <= last ? memchr(nx, takex ? a : u, (size_t)(last - nx) + 1) : NULL;
        if (takex)
            x = next;
        else
            y = next;
    }
    return -1;
}

int64_t cn_content_find(const struct cn_content *c, const uint8_t *hay, uint32_t n)
{
    if (c->len > n)
        return -1;
    if (c->flags & CN_CONTENT_NOCASE)
        return find_nocase(hay, n, c->bytes, c->len);
    const uint8_t *f = memmem(hay, n, c->bytes, c->len);
    return f ? f - hay : -1;
}
