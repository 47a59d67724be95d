/* The allocator hook: every allocation in cleannet goes through these functions so that tests
 * and fuzzers can swap in an allocator that fails on demand. The hook is per thread. */
#include <stdlib.h>

#include "core/core.h"

static _Thread_local const struct cn_alloc_hook *alloc_hook;

void cn_alloc_set_hook(const struct cn_alloc_hook *hook)
{
    alloc_hook = hook;
}

void *cn_malloc(size_t size)
{
    if (CN_UNLIKELY(alloc_hook != NULL))
        return alloc_hook->alloc(alloc_hook->ctx, size);
    return malloc(size);
}

void *cn_calloc(size_t n, size_t size)
{
    if (CN_LIKELY(alloc_hook == NULL))
        return calloc(n, size);
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = alloc_hook->alloc(alloc_hook->ctx, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *cn_realloc(void *p, size_t size)
{
    if (CN_UNLIKELY(alloc_hook != NULL))
        return alloc_hook->realloc(alloc_hook->ctx, p, size);
    return realloc(p, size);
}

void cn_free(void *p)
{
    if (!p)
        return;
    if (CN_UNLIKELY(alloc_hook != NULL)) {
        alloc_hook->free(alloc_hook->ctx, p);
        return;
    }
    free(p);
}

char *cn_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = cn_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}
