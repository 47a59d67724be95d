/* detect/kw: the keyword framework. The keyword table is built at compile time from
 * keywords.def (one CN_KEYWORD(name) line per keyword file), so adding a keyword never edits
 * this file. Also the helpers every keyword's setup() shares: appending sigmatches to a
 * rule's lists, finding the content a modifier applies to, unquoting values and parsing
 * integers. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

#define CN_KEYWORD(name) extern const struct cn_keyword cn_kw_##name;
#include "detect/kw/keywords.def"
#undef CN_KEYWORD

/* the sticky buffers' keywords, one per line of buffers.def (buffers.c) */
#define CN_BUFFER(id, kw, fn) extern const struct cn_keyword cn_kw_buffer_##id;
#include "detect/buffers.def"
#undef CN_BUFFER

static const struct cn_keyword *const table[] = {
#define CN_KEYWORD(name) &cn_kw_##name,
#include "detect/kw/keywords.def"
#undef CN_KEYWORD
#define CN_BUFFER(id, kw, fn) &cn_kw_buffer_##id,
#include "detect/buffers.def"
#undef CN_BUFFER
};

const struct cn_keyword *cn_kw_find(const char *name)
{
    if (name == NULL || *name == '\0')
        return NULL;
    /* Rule keywords are case-insensitive in Suricata. A linear scan is fine: there are
     * under a hundred keywords and comparing the first letter first rejects most. */
    int c0 = tolower((unsigned char)name[0]);
    for (size_t i = 0; i < CN_ARRAY_LEN(table); i++) {
        const struct cn_keyword *kw = table[i];
        if (tolower((unsigned char)kw->name[0]) == c0 && strcasecmp(kw->name, name) == 0)
            return kw;
        if (kw->alias != NULL && strcasecmp(kw->alias, name) == 0)
            return kw;
    }
    return NULL;
}

unsigned cn_kw_count(void)
{
    return (unsigned)CN_ARRAY_LEN(table);
}

const struct cn_keyword *cn_kw_at(unsigned i)
{
    return i < CN_ARRAY_LEN(table) ? table[i] : NULL;
}

const char *cn_detect_keyword_name(unsigned i)
{
    return i < CN_ARRAY_LEN(table) ? table[i]->name : NULL;
}

int cn_rule_add_match(struct cn_rule *r, unsigned list, const struct cn_keyword *kw, void *data)
{
    if (list >= CN_LIST__MAX)
        goto out_free;
    struct cn_smlist *l = &r->lists[list];
    if (l->n == l->cap) {
        unsigned cap = l->cap ? l->cap * 2 : 4;
        struct cn_sigmatch *v = cn_realloc(l->v, (size_t)cap * sizeof(*v));
        if (v == NULL)
            goto out_free;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].kw = kw;
    l->v[l->n].data = data;
    l->n++;
    if (list + 1 > r->nlists)
        r->nlists = list + 1;
    if (list != CN_LIST_PACKET)
        r->flags |= CN_RULE_HAS_PAYLOAD;
    return 0;

out_free:
    /* The rule owns data from the call on, so a failed append must not leak it. */
    if (kw != NULL && kw->free != NULL && data != NULL)
        kw->free(data);
    return list >= CN_LIST__MAX ? -CN_EINVAL : -CN_ENOMEM;
}

void *cn_rule_last_content(struct cn_rule_builder *b, char *err, size_t errlen)
{
    int li = b->last_content_list, ix = b->last_content_index;
    /* Inside a sticky buffer, a modifier may only reach content of that buffer, as in
     * Suricata; otherwise the last content anywhere. */
    bool ok = li >= 0 && li < CN_LIST__MAX && ix >= 0 &&
              (b->list == CN_LIST_PAYLOAD || (unsigned)li == b->list);
    if (ok) {
        const struct cn_smlist *l = &b->rule->lists[li];
        if ((unsigned)ix < l->n && l->v[ix].kw == &cn_kw_content)
            return l->v[ix].data;
    }
    snprintf(err, errlen, "no preceding content");
    return NULL;
}

bool cn_kw_unquote(char *s)
{
    size_t n = strlen(s);
    char *src = s;
    if (n > 0 && s[0] == '"') {
        /* the closing quote must be the last byte and must not be escaped */
        if (n < 2 || s[n - 1] != '"')
            return false;
        size_t bs = 0;
        for (size_t i = n - 1; i > 1 && s[i - 1] == '\\'; i--)
            bs++;
        if (bs % 2)
            return false;
        s[n - 1] = '\0';
        src = s + 1;
    } else if (n > 0 && s[n - 1] == '"') {
        size_t bs = 0;
        for (size_t i = n - 1; i > 0 && s[i - 1] == '\\'; i--)
            bs++;
        if (bs % 2 == 0)
            return false;
    }
    char *dst = s;
    for (; *src != '\0'; src++) {
        if (src[0] == '\\' && (src[1] == '"' || src[1] == '\\' || src[1] == ';' || src[1] == ':'))
            src++;
        *dst++ = *src;
    }
    *dst = '\0';
    return true;
}

bool cn_kw_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (s == NULL)
        return false;
    while (*s == ' ' || *s == '\t')
        s++;
    bool quoted = *s == '"';
    if (quoted)
        s++;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0)
        return false;
    if (quoted) {
        if (*end != '"')
            return false;
        end++;
    }
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

void cn_content_mark_prev(struct cn_rule *r, unsigned list, unsigned before, bool within_next)
{
    if (list >= CN_LIST__MAX)
        return;
    struct cn_smlist *l = &r->lists[list];
    for (unsigned i = CN_MIN(before, l->n); i-- > 0;) {
        if (l->v[i].kw == &cn_kw_content) {
            struct cn_content *c = l->v[i].data;
            c->flags |= within_next ? CN_CONTENT_WITHIN_NEXT : CN_CONTENT_DISTANCE_NEXT;
            return;
        }
        if (l->v[i].kw == &cn_kw_pcre) {
            struct cn_pcre *pe = l->v[i].data;
            pe->flags |= CN_PCRE_RELATIVE_NEXT;
            return;
        }
    }
}
