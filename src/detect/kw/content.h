/* detect/kw: the payload keyword family's shared definitions. content and its modifiers
 * (nocase, depth, offset, distance, within, rawbytes, fast_pattern, startswith, endswith),
 * isdataat and pcre keep their parsed form here, because the modifiers edit the last content
 * in place and inspect.c walks these structs directly for Suricata's relative matching and
 * backtracking. Later users: the prefilter (fast pattern choice). depth, offset, distance,
 * within and isdataat may name a byte_extract/byte_math variable (the *_VAR flags), read
 * per inspection attempt from cn_inspect.vars.
 *
 * Internal to src/detect. */
#ifndef CN_DETECT_KW_CONTENT_H
#define CN_DETECT_KW_CONTENT_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "detect/detect_int.h"

/* Suricata keeps content length, depth and offset in 16 bits; rules beyond that fail. */
#define CN_CONTENT_MAX_LEN 65535u

enum cn_content_flag {
    CN_CONTENT_NOCASE = 1u << 0,   /* bytes are stored lower-cased */
    CN_CONTENT_NEGATED = 1u << 1,  /* content:!"..." */
    CN_CONTENT_RAWBYTES = 1u << 2, /* accepted for compatibility; payload is raw already */
    CN_CONTENT_DEPTH = 1u << 3,
    CN_CONTENT_OFFSET = 1u << 4,
    CN_CONTENT_DISTANCE = 1u << 5,
    CN_CONTENT_WITHIN = 1u << 6,
    CN_CONTENT_STARTSWITH = 1u << 7,
    CN_CONTENT_ENDSWITH = 1u << 8,
    CN_CONTENT_FAST_PATTERN = 1u << 9,
    CN_CONTENT_FP_ONLY = 1u << 10,
    CN_CONTENT_FP_CHOP = 1u << 11,
    /* A later keyword is relative to this content in a way that a later occurrence of this
     * content could satisfy (within, a negated relative content, pcre R, isdataat relative):
     * the inspector retries this content at its next occurrence when the rest fails. */
    CN_CONTENT_WITHIN_NEXT = 1u << 12,
    /* A relative content follows (distance only): retrying cannot help, but the list is
     * still relative to us. */
    CN_CONTENT_DISTANCE_NEXT = 1u << 13,
    /* The value is the variable *_var (byte_extract/byte_math), read per attempt. */
    CN_CONTENT_DEPTH_VAR = 1u << 14,
    CN_CONTENT_OFFSET_VAR = 1u << 15,
    CN_CONTENT_DISTANCE_VAR = 1u << 16,
    CN_CONTENT_WITHIN_VAR = 1u << 17,
};

struct cn_content {
    uint8_t *bytes; /* the pattern; lower-cased when NOCASE */
    uint32_t len;
    uint32_t flags; /* enum cn_content_flag */
    /* depth is stored as the absolute end of the window (offset + depth), as Suricata does,
     * so the inspector does not add them per packet. */
    uint32_t depth, offset;
    int32_t distance, within;
    uint16_t fp_chop_offset, fp_chop_len;
    /* variable indexes under the *_VAR flags; the static field is then unused (0) */
    uint8_t depth_var, offset_var, distance_var, within_var;
};

enum cn_isdataat_flag {
    CN_ISDATAAT_RELATIVE = 1u << 0,
    CN_ISDATAAT_NEGATED = 1u << 1,
    CN_ISDATAAT_RAWBYTES = 1u << 2,
    CN_ISDATAAT_VAR = 1u << 3, /* dataat is a byte_extract/byte_math variable's index */
};
struct cn_isdataat {
    uint32_t dataat;
    uint32_t flags;
};

enum cn_pcre_flag {
    CN_PCRE_RELATIVE = 1u << 0, /* R: match after the previous match */
    CN_PCRE_NEGATED = 1u << 1,
    CN_PCRE_RAWBYTES = 1u << 2,      /* B */
    CN_PCRE_NO_LIMITS = 1u << 3,     /* O: PCRE2's default limits, not Suricata's */
    CN_PCRE_RELATIVE_NEXT = 1u << 4, /* a later keyword is relative to this pcre's match */
};
struct cn_pcre {
    pcre2_code *re;
    pcre2_match_context *mctx; /* match limits; read-only at match time, so shared by workers */
    uint32_t flags;
};

/* Suricata's default pcre match limits (pcre.match-limit, pcre.match-limit-recursion). */
#define CN_PCRE_MATCH_LIMIT 3500u
#define CN_PCRE_DEPTH_LIMIT 1500u

/* Budget of inspection steps per list, as Suricata's inspection-recursion-limit default:
 * hostile rules and payloads cannot make backtracking explode. */
#define CN_INSPECT_BUDGET 3000u

extern const struct cn_keyword cn_kw_content;
extern const struct cn_keyword cn_kw_isdataat;
extern const struct cn_keyword cn_kw_pcre;

/* Finds the first occurrence of c's pattern in hay[0..n) (case-insensitively under NOCASE).
 * Returns its offset, or -1. */
int64_t cn_content_find(const struct cn_content *c, const uint8_t *hay, uint32_t n);

/* Compiles pat[0..len) with PCRE2 options opts through cleannet's allocator, JIT when
 * available, and, when limits, a match context with Suricata's default match limits. On
 * failure err says "<who> at <offset>: <reason>" (or "out of memory"); what was made is left in
 * *re / *mctx for the caller to free. */
int cn_pcre_compile(const char *pat, size_t len, uint32_t opts, bool limits, const char *who,
                    pcre2_code **re, pcre2_match_context **mctx, char *err, size_t errlen);
/* Match data for pairs ovector pairs, allocated through cleannet's allocator; NULL when out
 * of memory. */
pcre2_match_data *cn_pcre_match_data_new(uint32_t pairs);

/* Runs pe over subj[0..len) from start. Returns true on a match (before negation is applied)
 * and sets mstart and mend to the match bounds in subj. Errors, including the match limit,
 * count as no match. */
bool cn_pcre_exec(const struct cn_pcre *pe, struct cn_inspect *in, const uint8_t *subj,
                  uint32_t len, uint32_t start, uint32_t *mstart, uint32_t *mend);

/* Like cn_inspect_list() but starts at in->pos: for a keyword's match() used alone. */
bool cn_inspect_run(struct cn_inspect *in, const struct cn_smlist *list);

/* Marks the nearest content or pcre before index `before` in list as having a relative
 * keyword next (within_next: a retry of that content can help). */
void cn_content_mark_prev(struct cn_rule *r, unsigned list, unsigned before, bool within_next);

/* Parses a decimal integer (optionally in double quotes, with surrounding blanks) in
 * [min, max]. False on anything else. */
bool cn_kw_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* The checks depth, offset, distance and within share (content_position.c): returns the last
 * content with the value parsed into *out (min..max), or NULL with "<name> <reason>" in err.
 * flag is the keyword's own CN_CONTENT_* flag. */
struct cn_content *cn_content_position(struct cn_rule_builder *b, const char *name,
                                       const char *value, uint32_t flag, int64_t min, int64_t max,
                                       int64_t *out, char *err, size_t errlen);

/* Does a modifier's value name a byte_extract/byte_math variable (rather than a number)? */
static inline bool cn_kw_is_varname(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_';
}

#endif
