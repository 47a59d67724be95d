/* prefilter: the Hyperscan literal prefilter of a rule group (prefilter.c). Internal to
 * src/detect; engine.c builds one per group at load time and runs it per packet. */
#ifndef CN_DETECT_PREFILTER_H
#define CN_DETECT_PREFILTER_H

#include "detect/detect_int.h"

struct cn_prefilter;         /* one group's patterns; read-only, shared by the workers */
struct cn_prefilter_scratch; /* per worker */

/* Compiles the fast patterns of the rules rules[idx[0..n)] (idx ascending: a subset of a
 * group, in evaluation order); results are group indexes (idx values). NULL with the reason
 * in err when Hyperscan or memory fails. */
struct cn_prefilter *cn_prefilter_build(const struct cn_rule *const *rules, const uint32_t *idx,
                                        unsigned n, char *err, size_t errlen);
void cn_prefilter_free(struct cn_prefilter *pf);
unsigned cn_prefilter_patterns(const struct cn_prefilter *pf); /* distinct patterns */
unsigned cn_prefilter_always(const struct cn_prefilter *pf);   /* no pattern, tried always */
unsigned cn_prefilter_ported(const struct cn_prefilter *pf);   /* no pattern, filed by port */

struct cn_prefilter_scratch *cn_prefilter_scratch_new(void);
/* Grows s to serve pf too (call once per prefilter of the rule set). 0 or -CN_ENOMEM. */
int cn_prefilter_scratch_fit(struct cn_prefilter_scratch *s, const struct cn_prefilter *pf);
void cn_prefilter_scratch_free(struct cn_prefilter_scratch *s);

/* The group's rules that can match buf[0..len) with these ports: indexes into the group,
 * ascending, in *out (valid until the next call with s). Rules without a fast pattern are
 * included when their ports allow (has_ports false: only those not filed by port). */
unsigned cn_prefilter_run(const struct cn_prefilter *pf, struct cn_prefilter_scratch *s,
                          const uint8_t *buf, uint32_t len, bool has_ports, uint16_t sp,
                          uint16_t dp, const uint32_t **out);

#endif
