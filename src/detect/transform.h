/* Transforms: keywords that rewrite a sticky buffer before its content keywords see it
 * (Suricata's to_lowercase, dotprefix, url_decode, to_sha256, pcrexform, ...). Internal to
 * src/detect.
 *
 * A transform keyword must directly follow a sticky buffer keyword, as in Suricata; the
 * transforms that follow one buffer form its chain, applied in rule order, each step's output
 * the next one's input. The chain is stored as the first sigmatch of the buffer's list (keyword
 * cn_kw_transform_chain, which matches nothing itself), so the rule's usual free paths own it and
 * a list walk that does not know about transforms passes over it.
 *
 * At inspection, cn_transform_buffer() runs the chain into the worker's scratch space (bounded:
 * CN_TRANSFORM_MAX_LEN bytes per result, allocated once per worker on first use), and remembers
 * the last few results of the packet so rules with the same chain over the same buffer share
 * one run. */
#ifndef CN_DETECT_TRANSFORM_H
#define CN_DETECT_TRANSFORM_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "detect/detect_int.h"

/* Longest transformed buffer. A step whose input or output would be longer fails, and the
 * rule does not match (Suricata grows its buffers instead; packet-level buffers are far
 * smaller). */
#define CN_TRANSFORM_MAX_LEN (64u << 10)
/* Transforms per buffer, as Suricata's DETECT_TRANSFORMS_MAX. */
#define CN_TRANSFORM_MAX_STEPS 16

struct cn_transform_scratch;

/* One kind of transform, defined by its keyword file. */
struct cn_transform_op {
    const char *name;
    /* Writes the transform of in[0..len) to out (room for cap bytes, cap being
     * CN_TRANSFORM_MAX_LEN). Returns the output length, or -1 when it does not fit or the step
     * fails. opt is what the keyword's setup() passed to cn_transform_add (may be NULL). */
    int64_t (*apply)(const void *opt, struct cn_transform_scratch *s, const uint8_t *in,
                     uint32_t len, uint8_t *out, uint32_t cap);
    void (*free)(void *opt); /* NULL when opt needs no freeing */
};

/* The setup() of every transform keyword: appends op (with its options, owned by the chain
 * from now on, also on failure; id/idlen are bytes that tell two option sets apart, copied)
 * to the chain of the buffer the builder is on. Fails with Suricata's reason when the
 * builder is not directly after a sticky buffer. */
int cn_transform_add(struct cn_rule_builder *b, const struct cn_transform_op *op, void *opt,
                     const void *id, uint32_t idlen, char *err, size_t errlen);

/* The keyword of the chain sigmatch (not in the keyword table: rules cannot name it). */
extern const struct cn_keyword cn_kw_transform_chain;

/* Does list carry a transform chain? (The prefilter needs to know: its patterns are matched
 * against the transformed bytes.) */
static inline bool cn_transform_list_has_chain(const struct cn_smlist *list)
{
    return list->n > 0 && list->v[0].kw == &cn_kw_transform_chain;
}

/* For the engine: buf and len hold the bytes of the buffer that list l inspects. When list has
 * a chain, runs it (or reuses this packet's earlier result of an identical chain over the same
 * buffer) and points buf and len at the result, valid until the next call; rest becomes the
 * list without its chain. Without a chain, rest is a copy of list and the bytes are left alone.
 * False when the chain cannot run (too long, out of memory): the rule does not match. s points at
 * the worker's scratch, allocated on first use. */
bool cn_transform_buffer(struct cn_transform_scratch **s, unsigned l, const struct cn_smlist *list,
                         struct cn_smlist *rest, const uint8_t **buf, uint32_t *len);

/* A new packet: results of the previous one are not reused. NULL is fine. */
void cn_transform_scratch_next(struct cn_transform_scratch *s);
void cn_transform_scratch_free(struct cn_transform_scratch *s);

/* Per-worker PCRE2 match data with room for the whole match and one group (pcrexform). NULL
 * when it could not be allocated. */
pcre2_match_data *cn_transform_match_data(struct cn_transform_scratch *s);

/* isspace() of the C locale, which Suricata's whitespace transforms use. */
static inline bool cn_transform_isspace(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

#endif
