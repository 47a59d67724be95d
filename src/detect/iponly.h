/* iponly: the address index of a group's IP-only rules (iponly.c). Internal to src/detect. */
#ifndef CN_DETECT_IPONLY_H
#define CN_DETECT_IPONLY_H

#include "detect/detect_int.h"

struct cn_iponly; /* read-only once built, shared by the workers */

/* Indexes rules[0..n) (IP-only rules of one group, in evaluation order). NULL when memory
 * runs out. */
struct cn_iponly *cn_iponly_build(const struct cn_rule *const *rules, unsigned n);
void cn_iponly_free(struct cn_iponly *ix);

/* The rules whose addresses may match a packet from src to dst: indexes into the group's
 * rules, ascending, written to out (room for n entries). The caller checks each in full. */
unsigned cn_iponly_candidates(const struct cn_iponly *ix, const union cn_addr *src,
                              const union cn_addr *dst, bool v6, uint32_t *out);

#endif
