/* detect/kw: asn1, Suricata's checks of BER-encoded ASN.1 in the payload:
 *   asn1:<option>[,<option>...]  with bitstring_overflow, double_overflow, oversize_length <n>,
 *                                absolute_offset <n>, relative_offset <[-]n>
 * Options are separated by commas or blanks; a number follows its option after blanks.
 * Decoding starts at absolute_offset, else relative_offset bytes from the end of the previous
 * match, else at the buffer's start, and reads elements one after another. The keyword
 * matches when a decoded element trips a requested check:
 *   oversize_length N   its length is above N (indefinite: the bytes up to its end marker)
 *   bitstring_overflow  a primitive universal BIT STRING whose unused-bits count is above the
 *                       number of bits its length covers (count > 8 * length)
 *   double_overflow     a primitive universal REAL of more than 256 bytes in decimal (text)
 *                       encoding: the MS ASN.1 library's overflow
 * What counts as decoded follows Suricata's decoder (der-parser): only universal SEQUENCE
 * and SET are opened, every other element is one opaque unit (indefinite ones are scanned for
 * their end); a top-level element counts only once it and all it holds decoded, and the
 * first one that does not ends decoding. The work is bounded: ASN1_MAX_TOP top-level
 * elements, ASN1_MAX_DEPTH levels, ASN1_MAX_ELEMENTS headers read per call, since one
 * packet may call it up to CN_INSPECT_BUDGET times. The position does not move. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

extern const struct cn_keyword cn_kw_asn1;

/* Suricata's asn1-max-frames default bounds top-level elements and nesting alike. */
#define ASN1_MAX_TOP       30u
#define ASN1_MAX_DEPTH     30u
#define ASN1_MAX_ELEMENTS  256u
#define ASN1_MAX_TAG_BYTES 4u /* after the first octet: tag numbers of up to 28 bits */
#define ASN1_MAX_LEN_BYTES 4u /* longer lengths cannot fit any buffer we inspect */
#define ASN1_REAL_MAX      256u

enum asn1_check {
    ASN1_BITSTRING = 1u << 0,
    ASN1_DOUBLE = 1u << 1,
    ASN1_OVERSIZE = 1u << 2,
};

struct cn_asn1 {
    uint32_t checks;   /* enum asn1_check; none: the keyword never matches */
    uint32_t oversize; /* oversize_length */
    int32_t offset;    /* absolute_offset, or relative_offset when relative */
    bool relative;
};

/* ---- option parsing ---- */

static const char *skip_blanks(const char *s)
{
    while (cn_rule_blank(*s))
        s++;
    return s;
}

/* Length of the word at s: up to a blank, a comma or the end. */
static size_t word_len(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0' && s[n] != ',' && !cn_rule_blank(s[n]))
        n++;
    return n;
}

static bool word_is(const char *w, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(w, name, n) == 0;
}

/* Decimal digits with an optional '-', in [min, max]. */
static bool parse_number(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    bool neg = n > 0 && *s == '-';
    if (neg) {
        s++;
        n--;
    }
    if (n == 0 || n > 18) /* 18 digits cannot overflow int64_t */
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    v = neg ? -v : v;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* The number after an option's name at *s (blanks first), advancing *s past it. */
static bool option_number(const char **s, const char *name, int64_t min, int64_t max, int64_t *out,
                          char *err, size_t errlen)
{
    const char *p = skip_blanks(*s);
    size_t n = p > *s ? word_len(p) : 0; /* "oversize_length,5" has no number */
    if (n == 0) {
        snprintf(err, errlen, "%s needs a number", name);
        return false;
    }
    if (!parse_number(p, n, min, max, out)) {
        snprintf(err, errlen, "invalid %s '%.*s' (%lld to %lld)", name, (int)CN_MIN(n, 24), p,
                 (long long)min, (long long)max);
        return false;
    }
    *s = p + n;
    return true;
}

/* The options as read: both offsets are kept until the end, since absolute_offset wins
 * whichever comes first. */
struct asn1_parse {
    struct cn_asn1 a;
    bool has_abs, has_rel;
    int32_t abs, rel;
};

/* Applies the option named w[0..n); its number, if any, is read from *s. */
static bool apply_option(struct asn1_parse *ps, const char *w, size_t n, const char **s, char *err,
                         size_t errlen)
{
    int64_t v;
    if (word_is(w, n, "bitstring_overflow")) {
        ps->a.checks |= ASN1_BITSTRING;
    } else if (word_is(w, n, "double_overflow")) {
        ps->a.checks |= ASN1_DOUBLE;
    } else if (word_is(w, n, "oversize_length")) {
        if (!option_number(s, "oversize_length", 0, UINT32_MAX, &v, err, errlen))
            return false;
        ps->a.checks |= ASN1_OVERSIZE;
        ps->a.oversize = (uint32_t)v;
    } else if (word_is(w, n, "absolute_offset")) {
        if (!option_number(s, "absolute_offset", 0, UINT16_MAX, &v, err, errlen))
            return false;
        ps->has_abs = true;
        ps->abs = (int32_t)v;
    } else if (word_is(w, n, "relative_offset")) {
        if (!option_number(s, "relative_offset", -(int64_t)UINT16_MAX, UINT16_MAX, &v, err, errlen))
            return false;
        ps->has_rel = true;
        ps->rel = (int32_t)v;
    } else {
        snprintf(err, errlen, "unknown option '%.*s'", (int)CN_MIN(n, 32), w);
        return false;
    }
    return true;
}

/* Suricata's option list; blanks around commas are accepted too, empty options are not. */
static bool parse_options(const char *value, struct cn_asn1 *out, char *err, size_t errlen)
{
    const char *s = value ? skip_blanks(value) : "";
    if (*s == '\0') {
        snprintf(err, errlen,
                 "needs an option: bitstring_overflow, double_overflow, "
                 "oversize_length N, absolute_offset N or relative_offset N");
        return false;
    }
    struct asn1_parse ps = {0};
    while (*s != '\0') {
        size_t n = word_len(s);
        if (n == 0) {
            snprintf(err, errlen, "empty option in '%.40s'", value);
            return false;
        }
        const char *w = s;
        s += n;
        if (!apply_option(&ps, w, n, &s, err, errlen))
            return false;
        s = skip_blanks(s);
        if (*s == ',')
            s = skip_blanks(s + 1);
    }
    /* as in Suricata, absolute_offset wins over relative_offset */
    ps.a.relative = !ps.has_abs && ps.has_rel;
    ps.a.offset = ps.has_abs ? ps.abs : ps.has_rel ? ps.rel : 0;
    *out = ps.a;
    return true;
}

/* ---- the decoder ---- */

enum { ASN1_UNIVERSAL = 0 };
enum { TAG_BIT_STRING = 3, TAG_REAL = 9, TAG_SEQUENCE = 16, TAG_SET = 17 };

struct asn1_elem {
    uint32_t tag;
    uint32_t start; /* offset of the content */
    uint32_t len;   /* content length, when definite */
    uint8_t cls;
    bool constructed, indefinite;
};

struct asn1_walk {
    const uint8_t *buf;
    const struct cn_asn1 *opt;
    unsigned elements; /* headers read so far */
    bool hit;          /* a check tripped in the current top-level element */
};

static bool read_identifier(const uint8_t *b, uint32_t *p, uint32_t limit, struct asn1_elem *e)
{
    if (*p >= limit)
        return false;
    uint8_t id = b[(*p)++];
    e->cls = id >> 6;
    e->constructed = id & 0x20;
    e->tag = id & 0x1f;
    if (e->tag != 0x1f)
        return true;
    e->tag = 0; /* high tag number: base-128 digits, the last without bit 8 */
    for (unsigned i = 0; i < ASN1_MAX_TAG_BYTES && *p < limit; i++) {
        uint8_t c = b[(*p)++];
        e->tag = (e->tag << 7) | (c & 0x7fu);
        if (!(c & 0x80))
            return true;
    }
    return false;
}

static bool read_length(const uint8_t *b, uint32_t *p, uint32_t limit, struct asn1_elem *e)
{
    if (*p >= limit)
        return false;
    uint8_t first = b[(*p)++];
    e->indefinite = first == 0x80;
    e->len = first & 0x7fu;
    if (first < 0x80 || e->indefinite)
        return true;
    unsigned n = first & 0x7fu; /* 0xff (reserved) fails here too */
    if (n > ASN1_MAX_LEN_BYTES || limit - *p < n)
        return false;
    e->len = 0;
    for (unsigned i = 0; i < n; i++)
        e->len = (e->len << 8) | b[(*p)++];
    return true;
}

/* The header at pos; a definite content must end by limit, an indefinite one needs a
 * constructed element (X.690 8.1.3.2). */
static bool read_header(const uint8_t *b, uint32_t pos, uint32_t limit, struct asn1_elem *e)
{
    if (!read_identifier(b, &pos, limit, e) || !read_length(b, &pos, limit, e))
        return false;
    e->start = pos;
    if (e->indefinite)
        return e->constructed;
    return e->len <= limit - pos;
}

/* Elements Suricata's decoder refuses, which end decoding there. */
static bool acceptable(const struct asn1_elem *e)
{
    if (e->cls != ASN1_UNIVERSAL)
        return true;
    if (e->tag == TAG_SEQUENCE || e->tag == TAG_SET)
        return e->constructed;
    if (e->tag == TAG_BIT_STRING) /* the unused-bits octet is mandatory */
        return !e->constructed && e->len > 0;
    return true;
}

static bool opened(const struct asn1_elem *e)
{
    return e->cls == ASN1_UNIVERSAL && (e->tag == TAG_SEQUENCE || e->tag == TAG_SET);
}

/* The checks on one decoded element whose content is clen bytes. */
static void check(struct asn1_walk *w, const struct asn1_elem *e, uint32_t clen)
{
    const struct cn_asn1 *o = w->opt;
    if ((o->checks & ASN1_OVERSIZE) && clen > o->oversize)
        w->hit = true;
    if (e->cls != ASN1_UNIVERSAL || e->constructed || e->len == 0)
        return;
    const uint8_t first = w->buf[e->start]; /* within the content: len > 0 */
    if ((o->checks & ASN1_BITSTRING) && e->tag == TAG_BIT_STRING && first > 8ull * e->len)
        w->hit = true;
    if ((o->checks & ASN1_DOUBLE) && e->tag == TAG_REAL && e->len > ASN1_REAL_MAX &&
        (first & 0xc0) == 0)
        w->hit = true;
}

static bool walk(struct asn1_walk *w, uint32_t pos, uint32_t limit, unsigned depth, bool inspect,
                 uint32_t *end);

/* The elements inside e, up to its end (definite) or its end-of-contents octets 00 00 within
 * limit (indefinite); *end is where e ends. */
static bool walk_children(struct asn1_walk *w, const struct asn1_elem *e, uint32_t limit,
                          unsigned depth, bool inspect, uint32_t *end)
{
    const uint32_t stop = e->indefinite ? limit : e->start + e->len;
    uint32_t p = e->start;
    for (;;) {
        if (e->indefinite && stop - p >= 2 && w->buf[p] == 0 && w->buf[p + 1] == 0) {
            *end = p + 2;
            return true;
        }
        if (p >= stop) {
            *end = stop;
            return !e->indefinite; /* an indefinite element never closed */
        }
        if (!walk(w, p, stop, depth + 1, inspect, &p))
            return false;
    }
}

/* Decodes the element at pos (ending by limit) at nesting level depth (1: top level), sets
 * *end past it, and, when inspect, runs the checks on it and on what it opens. False when it
 * does not decode within the bounds. */
static bool walk(struct asn1_walk *w, uint32_t pos, uint32_t limit, unsigned depth, bool inspect,
                 uint32_t *end)
{
    struct asn1_elem e;
    if (++w->elements > ASN1_MAX_ELEMENTS || depth > ASN1_MAX_DEPTH ||
        !read_header(w->buf, pos, limit, &e) || (inspect && !acceptable(&e)))
        return false;
    const bool descend = inspect && opened(&e);
    if (descend || e.indefinite) {
        /* an opaque indefinite element is only scanned for its end */
        if (!walk_children(w, &e, limit, depth, descend, end))
            return false;
    } else {
        *end = e.start + e.len;
    }
    if (inspect)
        check(w, &e, e.indefinite ? *end - 2 - e.start : e.len);
    return true;
}

/* Does buf[start..len) hold, within the bounds, a top-level element that trips a check? */
static bool asn1_decode(const struct cn_asn1 *o, const uint8_t *buf, uint32_t len, uint32_t start)
{
    struct asn1_walk w = {.buf = buf, .opt = o};
    uint32_t p = start;
    for (unsigned n = 0; n < ASN1_MAX_TOP && p < len; n++) {
        if (!walk(&w, p, len, 1, true, &p))
            return false; /* what this element tripped does not count */
        if (w.hit)
            return true;
    }
    return false;
}

/* ---- the keyword ---- */

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    if (value != NULL && strlen(value) > 256) {
        snprintf(err, errlen, "options too long");
        return -CN_EINVAL;
    }
    struct cn_asn1 a;
    if (!parse_options(value, &a, err, errlen))
        return -CN_EINVAL;
    struct cn_asn1 *d = cn_malloc(sizeof(*d));
    if (d == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *d = a;
    /* Suricata decodes the packet payload whatever sticky buffer came before */
    unsigned idx = b->rule->lists[CN_LIST_PAYLOAD].n;
    if (cn_rule_add_match(b->rule, CN_LIST_PAYLOAD, &cn_kw_asn1, d) < 0) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    if (a.relative)
        cn_content_mark_prev(b->rule, CN_LIST_PAYLOAD, idx, true);
    return 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct cn_asn1 *o = data;
    const int64_t start = o->relative ? (int64_t)in->pos + o->offset : o->offset;
    if (o->checks == 0 || in->buf == NULL || start < 0 || start >= in->len)
        return false;
    return asn1_decode(o, in->buf, in->len, (uint32_t)start);
}

const struct cn_keyword cn_kw_asn1 = {
    .name = "asn1",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
