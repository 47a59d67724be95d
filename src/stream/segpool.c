/* segpool: the segment allocator. A segment is one buffer (header and bytes) of a fixed size
 * class, so a freed segment is reused by the next one of its class without touching malloc;
 * each context keeps its own free lists (no locks, no global state), bounded to
 * STREAM_SEG_CACHE_BYTES per class. Payloads larger than the biggest class get a one-off
 * buffer. The reassembly memcap counts every live buffer at its full size. */
#include "stream/stream_int.h"

/* Data capacities: small requests, a typical MTU-sized segment, and jumbo/GRO sizes. */
static const uint32_t class_cap[SEG_CLASSES] = {128, 512, 1536, 4096, 16384};

static size_t seg_size(uint32_t cap)
{
    return sizeof(struct cn_seg) + cap;
}

struct cn_seg *cn_stream_seg_get(struct cn_stream_ctx *ctx, uint32_t len)
{
    uint8_t cls = SEG_CLASS_NONE;
    uint32_t cap = len;
    for (uint8_t i = 0; i < SEG_CLASSES; i++) {
        if (len <= class_cap[i]) {
            cls = i;
            cap = class_cap[i];
            break;
        }
    }
    size_t size = seg_size(cap);
    if (!cn_memcap_try(&ctx->ra_mc, size))
        return NULL;
    struct cn_seg *s;
    if (cls != SEG_CLASS_NONE && ctx->seg_free[cls]) {
        s = ctx->seg_free[cls];
        ctx->seg_free[cls] = s->next;
        ctx->seg_free_n[cls]--;
        cn_stream_count(ctx, CN_STAT_TCP_SEGMENT_FROM_CACHE);
    } else {
        s = cn_malloc(size);
        if (!s) {
            cn_memcap_release(&ctx->ra_mc, size);
            return NULL;
        }
        cn_stream_count(ctx, CN_STAT_TCP_SEGMENT_FROM_POOL);
    }
    s->next = NULL;
    s->seq = 0;
    s->len = 0;
    s->cap = cap;
    s->cls = cls;
    return s;
}

void cn_stream_seg_put(struct cn_stream_ctx *ctx, struct cn_seg *s)
{
    cn_memcap_release(&ctx->ra_mc, seg_size(s->cap));
    if (s->cls != SEG_CLASS_NONE &&
        ctx->seg_free_n[s->cls] < STREAM_SEG_CACHE_BYTES / seg_size(s->cap)) {
        s->next = ctx->seg_free[s->cls];
        ctx->seg_free[s->cls] = s;
        ctx->seg_free_n[s->cls]++;
        return;
    }
    cn_free(s);
}

void cn_stream_seg_pool_free(struct cn_stream_ctx *ctx)
{
    for (int i = 0; i < SEG_CLASSES; i++) {
        while (ctx->seg_free[i]) {
            struct cn_seg *s = ctx->seg_free[i];
            ctx->seg_free[i] = s->next;
            cn_free(s);
        }
        ctx->seg_free_n[i] = 0;
    }
}
