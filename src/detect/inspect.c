/* inspect: runs a content list (the payload list or a sticky buffer's list) over one buffer
 * with Suricata's semantics. Keywords run in rule order; relative ones (distance, within,
 * pcre R, isdataat relative, byte_* relative) start where the previous match ended. When a
 * later keyword fails, an earlier content or pcre that a later keyword is relative to is
 * retried at its next occurrence, so "content:a; content:b; distance:0; within:1;" finds
 * the "ab" in "a.ab". Each step returns match, no match, or give up (no other occurrence of
 * an earlier match can help), and every step counts against a budget, so hostile rules and
 * payloads cost bounded time.
 *
 * Keywords of other families in a content list are called through kw->match with in->pos
 * at the previous match's end; they may move in->pos (byte_jump). When a list holds such a
 * keyword, earlier contents are retried on failure whatever their flags: the result is the
 * same as Suricata's, retrying only costs time.
 *
 * byte_extract/byte_math variables: a content window or isdataat that reads one is computed
 * per attempt from in->vars, which the defining keyword (earlier in the list, or in a list
 * inspected before) rewrote on the current path. Such a step never gives up on failure, since
 * another occurrence of an earlier match may set a value that succeeds. */
#include "detect/detect_int.h"
#include "detect/kw/byte_common.h"
#include "detect/kw/content.h"

enum { NO_MATCH = 0, MATCH = 1, GIVE_UP = -1 };

extern const struct cn_keyword cn_kw_base64_decode;

struct cn_inspect_scratch {
    pcre2_match_data *md; /* one ovector pair: only the whole match's bounds are used */
};

struct cn_inspect_scratch *cn_inspect_scratch_new(void)
{
    struct cn_inspect_scratch *s = cn_calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->md = cn_pcre_match_data_new(1);
    if (s->md == NULL) {
        cn_free(s);
        return NULL;
    }
    return s;
}

void cn_inspect_scratch_free(struct cn_inspect_scratch *s)
{
    if (s == NULL)
        return;
    pcre2_match_data_free(s->md);
    cn_free(s);
}

bool cn_pcre_exec(const struct cn_pcre *pe, struct cn_inspect *in, const uint8_t *subj,
                  uint32_t len, uint32_t start, uint32_t *mstart, uint32_t *mend)
{
    static const uint8_t empty[1];
    if (start > len)
        return false;
    pcre2_match_data *md = in->scratch ? in->scratch->md : NULL;
    pcre2_match_data *own = NULL;
    if (md == NULL) {
        /* slow path for callers without scratch space (tests, tools) */
        own = md = pcre2_match_data_create(1, NULL);
        if (md == NULL)
            return false;
    }
    int rc = pcre2_match(pe->re, subj ? subj : empty, len, start, 0, md, pe->mctx);
    bool ok = rc >= 0; /* 0: matched, ovector too small for the groups, which we ignore */
    if (ok) {
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        *mstart = (uint32_t)ov[0];
        *mend = (uint32_t)ov[1];
        if (*mend < *mstart || *mend > len)
            ok = false; /* \K can put the start after the end; treat as no match */
    }
    pcre2_match_data_free(own);
    return ok;
}

static int run(struct cn_inspect *in, const struct cn_smlist *l, unsigned i);

static inline int next(struct cn_inspect *in, const struct cn_smlist *l, unsigned i)
{
    return i + 1 >= l->n ? MATCH : run(in, l, i + 1);
}

/* Does some keyword after i, outside the content family, possibly depend on the position
 * that sigmatch i leaves behind? Unknown keywords are assumed to. */
static bool foreign_after(const struct cn_smlist *l, unsigned i)
{
    for (unsigned j = i + 1; j < l->n; j++) {
        const struct cn_keyword *kw = l->v[j].kw;
        if (kw != &cn_kw_content && kw != &cn_kw_pcre && kw != &cn_kw_isdataat)
            return true;
    }
    return false;
}

static int step_content(struct cn_inspect *in, const struct cn_smlist *l, unsigned i,
                        const struct cn_content *c)
{
    const uint32_t len = in->len;
    const uint32_t prev = in->pos; /* where the previous match ended */
    const bool rel = c->flags & (CN_CONTENT_DISTANCE | CN_CONTENT_WITHIN);
    const bool neg = c->flags & CN_CONTENT_NEGATED;
    /* an absolute window that depends on a variable may differ on another attempt */
    const int miss =
        rel || (c->flags & (CN_CONTENT_DEPTH_VAR | CN_CONTENT_OFFSET_VAR)) ? NO_MATCH : GIVE_UP;
    uint32_t retry = 0; /* after a failed tail: search again from here */

    for (;;) {
        int64_t start, end;
        if (rel) {
            int64_t dist = 0;
            if (c->flags & CN_CONTENT_DISTANCE)
                dist = (c->flags & CN_CONTENT_DISTANCE_VAR) ? cn_byte_var_pos(in, c->distance_var)
                                                            : c->distance;
            start = (int64_t)prev + dist;
            if (start < 0)
                start = 0;
            end = len;
            if (c->flags & CN_CONTENT_WITHIN) {
                int64_t wv = (c->flags & CN_CONTENT_WITHIN_VAR) ? cn_byte_var_pos(in, c->within_var)
                                                                : c->within;
                int64_t w = (int64_t)prev + dist + wv;
                if (w < end)
                    end = w < 0 ? 0 : w;
            }
        } else {
            const bool offvar = c->flags & CN_CONTENT_OFFSET_VAR;
            start = offvar ? cn_byte_var_pos(in, c->offset_var) : c->offset;
            if (c->flags & CN_CONTENT_DEPTH_VAR)
                end = start + cn_byte_var_pos(in, c->depth_var); /* depth counts from offset */
            else if (c->depth)
                end = offvar ? start + c->depth : c->depth; /* static depth holds offset+depth */
            else
                end = len;
        }
        if (retry)
            start = retry;
        if (end > len)
            end = len;
        /* an empty or inverted window cannot hold the pattern; a negated one is satisfied */
        if (start > end || end == 0)
            return neg ? next(in, l, i) : NO_MATCH;

        int64_t at;
        if (c->flags & CN_CONTENT_ENDSWITH) {
            /* only one place can end at the buffer's end */
            at = -1;
            if (end == len && c->len <= len && (int64_t)(len - c->len) >= start) {
                uint32_t s = len - c->len;
                if (cn_content_find(c, in->buf + s, c->len) == 0)
                    at = s;
            }
        } else {
            at = cn_content_find(c, in->buf + start, (uint32_t)(end - start));
            if (at >= 0)
                at += start;
        }

        if (at < 0) {
            if (neg)
                return next(in, l, i);
            /* an absolute content that is not there will not appear for another try */
            return miss;
        }
        if (neg) {
            bool single = !(c->flags & (CN_CONTENT_DISTANCE | CN_CONTENT_WITHIN | CN_CONTENT_DEPTH |
                                        CN_CONTENT_OFFSET | CN_CONTENT_WITHIN_NEXT |
                                        CN_CONTENT_DISTANCE_NEXT));
            return single ? GIVE_UP : NO_MATCH;
        }

        uint32_t mend = (uint32_t)at + c->len;
        in->pos = mend;
        if (i + 1 >= l->n)
            return MATCH;
        int r = run(in, l, i + 1);
        if (r != NO_MATCH)
            return r;
        /* Retry only when a later keyword could be satisfied by a later occurrence. */
        if (!(c->flags & CN_CONTENT_WITHIN_NEXT) && !foreign_after(l, i))
            return GIVE_UP;
        if (c->flags & CN_CONTENT_ENDSWITH)
            return miss;
        in->pos = prev;
        retry = (uint32_t)at + 1;
    }
}

static int step_pcre(struct cn_inspect *in, const struct cn_smlist *l, unsigned i,
                     const struct cn_pcre *pe)
{
    const uint32_t prev = in->pos;
    const uint32_t base = (pe->flags & CN_PCRE_RELATIVE) ? CN_MIN(prev, in->len) : 0;
    const uint8_t *subj = in->buf ? in->buf + base : NULL;
    const uint32_t slen = in->len - base;
    const bool retry_ok = (pe->flags & CN_PCRE_RELATIVE_NEXT) || foreign_after(l, i);
    uint32_t start = 0;

    for (;;) {
        uint32_t ms, me;
        bool m = cn_pcre_exec(pe, in, subj, slen, start, &ms, &me);
        if (pe->flags & CN_PCRE_NEGATED)
            return m ? NO_MATCH : next(in, l, i); /* the position does not move */
        if (!m)
            return NO_MATCH;
        in->pos = base + me;
        int r = next(in, l, i);
        if (r != NO_MATCH || !retry_ok)
            return r;
        in->pos = prev;
        start = ms + 1;
    }
}

static int step_isdataat(struct cn_inspect *in, const struct cn_smlist *l, unsigned i,
                         const struct cn_isdataat *d)
{
    const bool neg = d->flags & CN_ISDATAAT_NEGATED;
    uint64_t dataat = d->dataat;
    int miss = GIVE_UP;
    if (d->flags & CN_ISDATAAT_VAR) {
        /* another attempt may set another value; Suricata's cap on extracted values */
        dataat = in->vars[d->dataat % CN_RULE_MAX_VARS];
        miss = NO_MATCH;
        if (dataat >= 100000000u)
            return neg ? next(in, l, i) : NO_MATCH;
    }
    if (d->flags & CN_ISDATAAT_RELATIVE) {
        if ((uint64_t)in->pos + dataat > in->len)
            return neg ? next(in, l, i) : miss;
        return neg ? NO_MATCH : next(in, l, i);
    }
    if (dataat < in->len)
        return neg ? miss : next(in, l, i);
    return neg ? next(in, l, i) : miss;
}

static int run(struct cn_inspect *in, const struct cn_smlist *l, unsigned i)
{
    if (++in->depth >= CN_INSPECT_BUDGET)
        return GIVE_UP;
    const struct cn_sigmatch *sm = &l->v[i];
    if (sm->kw == &cn_kw_content)
        return step_content(in, l, i, sm->data);
    if (sm->kw == &cn_kw_pcre)
        return step_pcre(in, l, i, sm->data);
    if (sm->kw == &cn_kw_isdataat)
        return step_isdataat(in, l, i, sm->data);
    if (sm->kw == &cn_kw_base64_decode) /* terminal, as in Suricata: base64_data decides */
        return sm->kw->match(in, sm->data) ? MATCH : NO_MATCH;
    if (sm->kw->match != NULL && !sm->kw->match(in, sm->data))
        return NO_MATCH;
    return next(in, l, i);
}

bool cn_inspect_run(struct cn_inspect *in, const struct cn_smlist *list)
{
    if (list == NULL || list->n == 0)
        return true;
    if (in->buf == NULL)
        in->len = 0;
    if (in->pos > in->len)
        in->pos = in->len;
    return run(in, list, 0) == MATCH;
}

bool cn_inspect_list(struct cn_inspect *in, const struct cn_smlist *list)
{
    in->pos = 0;
    in->depth = 0;
    return cn_inspect_run(in, list);
}
