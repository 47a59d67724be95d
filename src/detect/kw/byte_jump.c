/* byte_jump: reads a number from the buffer and moves the inspection position by it:
 *   byte_jump:<bytes>,<offset>[,relative][,multiplier <n>][,big|little]
 *             [,string,hex|dec|oct][,align][,from_beginning|from_end][,post_offset <n>]
 *             [,bitmask <mask>]
 * bytes and offset may name a byte_extract/byte_math variable. As in Suricata: the new
 * position is (the end of the number read, or the buffer's start or end) + value x multiplier
 * (rounded up to 4 with align) + post_offset; a string number ends at its first non-digit;
 * zero bytes read the value 0; a jump past the end fails, one before the start lands on the
 * start. */
#include "detect/kw/byte_common.h"

extern const struct cn_keyword cn_kw_byte_jump;

enum jump_from { FROM_READ, FROM_BEGINNING, FROM_END };

struct byte_jump {
    struct cn_byte_read r;
    uint32_t multiplier;
    int32_t post_offset;
    bool align;
    enum jump_from from;
};

/* The byte_jump-only options; returns 1 when used, 0 when unknown, -1 on a bad value. */
static int jump_option(struct byte_jump *j, const char *w, char *err, size_t errlen)
{
    int64_t v;
    if (!strcasecmp(w, "align")) {
        j->align = true;
    } else if (!strcasecmp(w, "from_beginning") || !strcasecmp(w, "from_end")) {
        enum jump_from from = !strcasecmp(w, "from_end") ? FROM_END : FROM_BEGINNING;
        if (j->from != FROM_READ && j->from != from) {
            snprintf(err, errlen, "from_beginning and from_end together");
            return -1;
        }
        j->from = from;
    } else if (!strncasecmp(w, "multiplier", 10) && isspace((unsigned char)w[10])) {
        if (!cn_kw_parse_int(w + 11, 1, 65535, &v)) {
            snprintf(err, errlen, "bad multiplier");
            return -1;
        }
        j->multiplier = (uint32_t)v;
    } else if (!strncasecmp(w, "post_offset", 11) && isspace((unsigned char)w[11])) {
        if (!cn_kw_parse_int(w + 12, -65535, 65535, &v)) {
            snprintf(err, errlen, "bad post_offset");
            return -1;
        }
        j->post_offset = (int32_t)v;
    } else {
        return 0;
    }
    return 1;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char buf[256], *f[14];
    if (value == NULL || strlen(value) >= sizeof(buf)) {
        snprintf(err, errlen, "byte_jump needs bytes and offset");
        return -CN_EINVAL;
    }
    strcpy(buf, value);
    unsigned n = cn_byte_fields(buf, f, CN_ARRAY_LEN(f));
    struct byte_jump j = {.multiplier = 1};
    int64_t nb, off;
    bool var;
    if (n < 2 || n > CN_ARRAY_LEN(f)) {
        snprintf(err, errlen, "expected <bytes>,<offset>,...");
        return -CN_EINVAL;
    }
    if (!cn_byte_num_or_var(b, f[0], 0, 255, &nb, &var, err, errlen))
        return -CN_EINVAL;
    j.r.nbytes = (uint8_t)nb;
    j.r.var_flags |= var ? CN_BYTE_NBYTES_VAR : 0;
    if (!cn_byte_num_or_var(b, f[1], -65535, 65535, &off, &var, err, errlen))
        return -CN_EINVAL;
    j.r.offset = (int32_t)off;
    j.r.var_flags |= var ? CN_BYTE_OFFSET_VAR : 0;
    for (unsigned i = 2; i < n; i++) {
        bool consumed;
        int rc = cn_byte_option(&j.r, f[i], i + 1 < n ? f[i + 1] : NULL, &consumed, err, errlen);
        if (rc == 0)
            rc = jump_option(&j, f[i], err, errlen);
        if (rc < 0)
            return -CN_EINVAL;
        if (rc == 0) {
            snprintf(err, errlen, "unknown option '%.32s'", f[i]);
            return -CN_EINVAL;
        }
        i += consumed;
    }
    /* Suricata: up to 8 binary bytes (zero reads 0: a jump by post_offset alone), 1 to 23
     * string characters */
    if (!(j.r.var_flags & CN_BYTE_NBYTES_VAR) &&
        (j.r.nbytes > (j.r.base ? CN_BYTE_STRING_MAX : 8u) || (j.r.base && j.r.nbytes == 0))) {
        snprintf(err, errlen, "%u bytes is out of range", j.r.nbytes);
        return -CN_EINVAL;
    }
    struct byte_jump *d = cn_malloc(sizeof(*d));
    if (d == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *d = j;
    unsigned idx = b->rule->lists[b->list].n;
    if (cn_rule_add_match(b->rule, b->list, &cn_kw_byte_jump, d) < 0) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    /* later relative keywords depend on where this lands, so an earlier content may be
     * retried at its next occurrence */
    cn_content_mark_prev(b->rule, b->list, idx, true);
    return 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct byte_jump *j = data;
    int64_t start;
    uint32_t nbytes;
    uint64_t v;
    if (!cn_byte_locate(&j->r, in, &start, &nbytes))
        return false;
    int used = cn_byte_read_value(&j->r, in->buf + start, nbytes, &v);
    /* a larger jump leaves any buffer (< 4 GiB) even after a negative post_offset */
    if (used < 0 || v > UINT32_MAX)
        return false;
    int64_t dist = (int64_t)v * j->multiplier;
    if (j->align)
        dist = (dist + 3) & ~(int64_t)3;
    int64_t base = j->from == FROM_BEGINNING ? 0
                   : j->from == FROM_END     ? (int64_t)in->len
                                             : start + used;
    int64_t pos = base + dist + j->post_offset;
    if (pos > (int64_t)in->len)
        return false;
    if (pos < 0)
        pos = 0; /* Suricata clamps a jump before the buffer to its start */
    in->pos = (uint32_t)pos;
    return true;
}

const struct cn_keyword cn_kw_byte_jump = {
    .name = "byte_jump",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
