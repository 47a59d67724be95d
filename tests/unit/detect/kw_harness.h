/* Helpers for the keyword tests: apply one keyword to a bare rule through the keyword table
 * (so a keyword missing from its .def list fails here), run the rule's packet list over a
 * hand-built packet, and release the rule. */
#ifndef CN_TEST_KW_HARNESS_H
#define CN_TEST_KW_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "detect/detect_int.h"

static inline int kw_add(struct cn_rule *r, const char *name, const char *value, char *err,
                         size_t errlen)
{
    const struct cn_keyword *kw = cn_kw_find(name);
    if (!kw)
        fail_msg("keyword '%s' is not registered", name);
    struct cn_rule_builder b = {
        .rule = r, .list = CN_LIST_PAYLOAD, .last_content_list = -1, .last_content_index = -1};
    err[0] = '\0';
    return kw->setup(&b, value, err, errlen);
}

/* Does every sigmatch of the packet list match p? */
static inline bool kw_run(const struct cn_rule *r, struct cn_packet *p)
{
    struct cn_inspect in = {
        .rule = r, .p = p, .f = p->flow, .buf = p->payload, .len = p->payload_len};
    const struct cn_smlist *l = &r->lists[CN_LIST_PACKET];
    assert_true(l->n > 0);
    for (unsigned i = 0; i < l->n; i++)
        if (!l->v[i].kw->match(&in, l->v[i].data))
            return false;
    return true;
}

static inline void kw_clear(struct cn_rule *r)
{
    for (unsigned li = 0; li < CN_LIST__MAX; li++) {
        struct cn_smlist *l = &r->lists[li];
        for (unsigned i = 0; i < l->n; i++)
            if (l->v[i].kw->free)
                l->v[i].kw->free(l->v[i].data);
        cn_free(l->v);
    }
    memset(r, 0, sizeof(*r));
}

/* One keyword with one value against one packet; the value must be accepted. */
static inline bool kw_match1(const char *name, const char *value, struct cn_packet *p)
{
    struct cn_rule r;
    char err[128];
    memset(&r, 0, sizeof(r));
    if (kw_add(&r, name, value, err, sizeof(err)) != 0)
        fail_msg("%s:%s rejected: %s", name, value ? value : "(none)", err);
    bool m = kw_run(&r, p);
    kw_clear(&r);
    return m;
}

/* The value must be refused with a reason, adding nothing to the rule. */
static inline void kw_rejects(const char *name, const char *value)
{
    struct cn_rule r;
    char err[128];
    memset(&r, 0, sizeof(r));
    int rc = kw_add(&r, name, value, err, sizeof(err));
    if (rc != -CN_EINVAL)
        fail_msg("%s:%s accepted", name, value ? value : "(none)");
    assert_true(err[0] != '\0');
    assert_int_equal(r.lists[CN_LIST_PACKET].n, 0);
    kw_clear(&r);
}

#define MATCH(name, value, p)    assert_true(kw_match1((name), (value), (p)))
#define NO_MATCH(name, value, p) assert_false(kw_match1((name), (value), (p)))

#endif
