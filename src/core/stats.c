/* Statistics counter descriptions, built from stats.def, and the merge of one thread's
 * counters into a total. */
#include "core/core.h"

const struct cn_stat_desc cn_stat_descs[CN_STAT__COUNT] = {
#define CN_STAT(id, path, kind) [CN_STAT_##id] = {path, kind},
#include "core/stats.def"
#undef CN_STAT
};

void cn_stats_merge(struct cn_stats *dst, const struct cn_stats *src)
{
    for (unsigned i = 0; i < CN_STAT__COUNT; i++) {
        if (cn_stat_descs[i].kind == CN_STAT_MAX) {
            if (src->v[i] > dst->v[i])
                dst->v[i] = src->v[i];
        } else {
            dst->v[i] += src->v[i];
        }
    }
}
