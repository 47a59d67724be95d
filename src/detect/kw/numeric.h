/* The comparison shared by the numeric rule keywords (dsize, ttl, tos, id, tcp.mss, itype, ...):
 * one parser for Suricata's integer syntax, with per-keyword bounds and allowed operators, and
 * an inline matcher for the hot path.
 *
 * Accepted forms (white space allowed around operators and numbers, one pair of double quotes
 * around the whole value tolerated):
 *   N  =N       equal                 !N  !=N     not equal
 *   <N  <=N     less (or equal)       >N  >=N     greater (or equal)
 *   N-M  N<>M   exclusive range, N < v < M (M must exceed N + 1, as in Suricata)
 *   !N-M        outside that range, v <= N or v >= M
 * Comparisons that can never or always match (<0, >max, >=0, <=max) are rejected, as Suricata
 * does, so a rule that looks meaningful but is not fails to load. */
#ifndef CN_DETECT_KW_NUMERIC_H
#define CN_DETECT_KW_NUMERIC_H

#include "detect/detect_int.h"

/* The header keywords, so each file can name its own descriptor before defining it. */
#define CN_KEYWORD(name) extern const struct cn_keyword cn_kw_##name;
#include "detect/kw/header.def"
#undef CN_KEYWORD

enum cn_num_op {
    CN_NUM_EQ,
    CN_NUM_NE,
    CN_NUM_LT,
    CN_NUM_LE,
    CN_NUM_GT,
    CN_NUM_GE,
    CN_NUM_RANGE,     /* lo < v < hi */
    CN_NUM_NOT_RANGE, /* v <= lo || v >= hi */
};

/* Sets of operators for cn_num_spec.ops. */
#define CN_NUM_OP(op)     (1u << (op))
#define CN_NUM_OPS_ALL    0xffu
#define CN_NUM_OPS_EQ     CN_NUM_OP(CN_NUM_EQ)
#define CN_NUM_OPS_EQ_NE  (CN_NUM_OP(CN_NUM_EQ) | CN_NUM_OP(CN_NUM_NE))
#define CN_NUM_OPS_SIMPLE (CN_NUM_OPS_EQ_NE | CN_NUM_OP(CN_NUM_LT) | CN_NUM_OP(CN_NUM_GT))

enum cn_num_flag {
    CN_NUM_HEX = 1u << 0,  /* numbers may be written 0x1f */
    CN_NUM_XHEX = 1u << 1, /* numbers may be written x1f (Snort's tos syntax) */
};

/* What a keyword accepts. */
struct cn_num_spec {
    uint64_t max;   /* largest value (e.g. UINT8_MAX for ttl) */
    uint32_t ops;   /* CN_NUM_OP() bits of the operators allowed */
    uint32_t flags; /* enum cn_num_flag */
};

/* A parsed comparison; lo is the operand of single comparisons. */
struct cn_num {
    uint64_t lo, hi;
    uint8_t op; /* enum cn_num_op */
};

/* Parses text into out. Returns 0, or -CN_EINVAL with the reason in err. */
int cn_num_parse(struct cn_num *out, const char *text, const struct cn_num_spec *spec, char *err,
                 size_t errlen);

/* The whole setup() of a plain numeric keyword: parses value and appends the comparison to the
 * rule's packet list as a sigmatch of kw (whose free must be cn_free). */
int cn_num_setup(struct cn_rule_builder *b, const struct cn_keyword *kw, const char *value,
                 const struct cn_num_spec *spec, char *err, size_t errlen);

static inline bool cn_num_match(const struct cn_num *n, uint64_t v)
{
    switch ((enum cn_num_op)n->op) {
    case CN_NUM_EQ:
        return v == n->lo;
    case CN_NUM_NE:
        return v != n->lo;
    case CN_NUM_LT:
        return v < n->lo;
    case CN_NUM_LE:
        return v <= n->lo;
    case CN_NUM_GT:
        return v > n->lo;
    case CN_NUM_GE:
        return v >= n->lo;
    case CN_NUM_RANGE:
        return v > n->lo && v < n->hi;
    case CN_NUM_NOT_RANGE:
        return v <= n->lo || v >= n->hi;
    }
    return false;
}

/* Small helpers shared by the header keyword files. */
static inline bool cn_num_isspace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Does the ICMP message carry an identifier and sequence number? ICMPv4 echo, timestamp,
 * information and address mask messages (RFC 792, RFC 950) and ICMPv6 echo (RFC 4443 section
 * 4); the icmp_id and icmp_seq keywords match nothing else, as in Suricata. */
static inline bool cn_num_icmp_has_id(const struct cn_packet *p)
{
    if (p->flags & CN_PKT_PSEUDO)
        return false;
    if (p->flags & CN_PKT_ICMPV4) {
        uint8_t t = p->icmp.type;
        return t == 0 || t == 8 || (t >= 13 && t <= 18);
    }
    if (p->flags & CN_PKT_ICMPV6)
        return p->icmp.type == 128 || p->icmp.type == 129;
    return false;
}

#endif
