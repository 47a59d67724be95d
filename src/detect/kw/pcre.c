/* detect/kw: pcre, a Perl-compatible regular expression over the current buffer, compiled
 * once at load time with PCRE2 (JIT when available). Syntax "/regex/flags", negated as
 * !"/regex/flags". Flags: i s m x A E G (PCRE2 options), R (relative to the previous match),
 * O (PCRE2's larger default match limit instead of Suricata's), B (rawbytes, a no-op on
 * payload). The buffer flags (U H P C M V W Y S I D Q Z) select application-layer buffers,
 * which come later: such rules fail to load.
 *
 * Matching is bounded by Suricata's default match limits so a hostile pattern cannot hang a
 * worker; hitting the limit counts as no match. PCRE2's own allocations go through the
 * cleannet allocator. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

static void *pc_malloc(size_t n, void *ctx)
{
    (void)ctx;
    return cn_malloc(n);
}

static void pc_free(void *p, void *ctx)
{
    (void)ctx;
    cn_free(p);
}

pcre2_match_data *cn_pcre_match_data_new(uint32_t pairs)
{
    pcre2_general_context *g = pcre2_general_context_create(pc_malloc, pc_free, NULL);
    if (g == NULL)
        return NULL;
    pcre2_match_data *md = pcre2_match_data_create(pairs, g);
    pcre2_general_context_free(g);
    return md;
}

static void pcre_free(void *data)
{
    struct cn_pcre *pe = data;
    if (pe == NULL)
        return;
    pcre2_match_context_free(pe->mctx);
    pcre2_code_free(pe->re);
    cn_free(pe);
}

int cn_pcre_compile(const char *pat, size_t len, uint32_t opts, bool limits, const char *who,
                    pcre2_code **re, pcre2_match_context **mctx, char *err, size_t errlen)
{
    pcre2_general_context *gctx = pcre2_general_context_create(pc_malloc, pc_free, NULL);
    pcre2_compile_context *cctx = gctx ? pcre2_compile_context_create(gctx) : NULL;
    int rc = -CN_ENOMEM;
    if (cctx == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out_ctx;
    }
    int ecode;
    PCRE2_SIZE eoff;
    *re = pcre2_compile((PCRE2_SPTR)pat, len, opts, &ecode, &eoff, cctx);
    if (*re == NULL) {
        PCRE2_UCHAR msg[96];
        if (pcre2_get_error_message(ecode, msg, sizeof(msg)) < 0)
            snprintf((char *)msg, sizeof(msg), "error %d", ecode);
        snprintf(err, errlen, "%s at %zu: %s", who, (size_t)eoff, (const char *)msg);
        rc = -CN_EINVAL;
        goto out_ctx;
    }
    /* JIT is an optimisation: without it (unsupported CPU, no memory) the interpreter runs */
    (void)pcre2_jit_compile(*re, PCRE2_JIT_COMPLETE);
    if (limits) {
        *mctx = pcre2_match_context_create(gctx);
        if (*mctx == NULL) {
            snprintf(err, errlen, "out of memory");
            goto out_ctx;
        }
        pcre2_set_match_limit(*mctx, CN_PCRE_MATCH_LIMIT);
        pcre2_set_depth_limit(*mctx, CN_PCRE_DEPTH_LIMIT);
    }
    rc = 0;
out_ctx:
    pcre2_compile_context_free(cctx);
    pcre2_general_context_free(gctx);
    return rc;
}

/* The modifiers after the closing slash: PCRE2 options or cleannet flags. */
struct modifier {
    char c;
    uint32_t option; /* PCRE2_* */
    uint32_t flag;   /* CN_PCRE_* */
};
static const struct modifier modifiers[] = {
    {'i', PCRE2_CASELESS, 0},   {'s', PCRE2_DOTALL, 0},     {'m', PCRE2_MULTILINE, 0},
    {'x', PCRE2_EXTENDED, 0},   {'A', PCRE2_ANCHORED, 0},   {'E', PCRE2_DOLLAR_ENDONLY, 0},
    {'G', PCRE2_UNGREEDY, 0},   {'R', 0, CN_PCRE_RELATIVE}, {'O', 0, CN_PCRE_NO_LIMITS},
    {'B', 0, CN_PCRE_RAWBYTES},
};
/* Suricata's modifiers that pick an application-layer buffer (uri, headers, body, ...). */
#define BUFFER_MODIFIERS "UHPCMVWYSIDQZ"

/* Splits "/re/flags" (quotes already removed) and compiles it into pe. */
static int compile(struct cn_pcre *pe, const char *s, size_t n, char *err, size_t errlen)
{
    const char *last = n > 0 ? memrchr(s, '/', n) : NULL;
    if (n < 2 || s[0] != '/' || last == NULL || last == s) {
        snprintf(err, errlen, "pcre must be /regex/flags");
        return -CN_EINVAL;
    }
    uint32_t opts = 0;
    for (const char *f = last + 1; f < s + n; f++) {
        const struct modifier *m = NULL;
        for (size_t i = 0; i < CN_ARRAY_LEN(modifiers) && m == NULL; i++)
            if (modifiers[i].c == *f)
                m = &modifiers[i];
        if (m == NULL) {
            bool buffer = *f != '\0' && strchr(BUFFER_MODIFIERS, *f) != NULL;
            if (buffer)
                snprintf(err, errlen,
                         "unsupported pcre modifier '%c' (an HTTP buffer: needs the HTTP parser)",
                         *f);
            else
                snprintf(err, errlen, "unknown pcre modifier '%c'", *f);
            return -CN_EINVAL;
        }
        opts |= m->option;
        pe->flags |= m->flag;
    }
    return cn_pcre_compile((const char *)(s + 1), (size_t)(last - s - 1), opts,
                           !(pe->flags & CN_PCRE_NO_LIMITS), "pcre", &pe->re, &pe->mctx, err,
                           errlen);
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    const char *s = value ? value : "";
    uint32_t flags = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '!') {
        flags |= CN_PCRE_NEGATED;
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
    }
    size_t n = strlen(s);
    if (n > 0 && s[0] == '"') {
        if (n < 2 || s[n - 1] != '"') {
            snprintf(err, errlen, "unbalanced quotes in pcre");
            return -CN_EINVAL;
        }
        s++;
        n -= 2;
    }
    struct cn_pcre *pe = cn_calloc(1, sizeof(*pe));
    if (pe == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    pe->flags = flags;
    int rc = compile(pe, s, n, err, errlen);
    if (rc < 0) {
        pcre_free(pe);
        return rc;
    }
    unsigned idx = b->list < CN_LIST__MAX ? b->rule->lists[b->list].n : 0;
    rc = cn_rule_add_match(b->rule, b->list, &cn_kw_pcre, pe);
    if (rc < 0) {
        snprintf(err, errlen, rc == -CN_ENOMEM ? "out of memory" : "bad buffer");
        return rc;
    }
    if (pe->flags & CN_PCRE_RELATIVE)
        cn_content_mark_prev(b->rule, b->list, idx, true);
    return 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    struct cn_sigmatch sm = {&cn_kw_pcre, (void *)(uintptr_t)data};
    struct cn_smlist l = {&sm, 1, 1};
    return cn_inspect_run(in, &l);
}

const struct cn_keyword cn_kw_pcre = {
    .name = "pcre",
    .setup = setup,
    .match = match,
    .free = pcre_free,
};
