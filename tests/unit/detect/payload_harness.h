/* Helpers for the payload keyword tests: a rule under construction with one builder kept
 * across options (so modifiers reach the content before them), a tiny option splitter
 * ("content:\"a\"; distance:0;"), a run of the payload list over a buffer, and release. */
#ifndef CN_TEST_PAYLOAD_HARNESS_H
#define CN_TEST_PAYLOAD_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "detect/detect_int.h"
#include "detect/kw/content.h"

struct rb {
    struct cn_rule r;
    struct cn_rule_builder b;
    char err[160];
};

static inline void rb_init(struct rb *x, const struct cn_detect_loader *ld)
{
    memset(x, 0, sizeof(*x));
    x->b.rule = &x->r;
    x->b.list = CN_LIST_PAYLOAD;
    x->b.last_content_list = -1;
    x->b.last_content_index = -1;
    x->b.ld = ld;
}

static inline void rb_free(struct rb *x)
{
    struct cn_rule *r = &x->r;
    for (unsigned li = 0; li < CN_LIST__MAX; li++) {
        struct cn_smlist *l = &r->lists[li];
        for (unsigned i = 0; i < l->n; i++)
            if (l->v[i].kw->free)
                l->v[i].kw->free(l->v[i].data);
        cn_free(l->v);
    }
    for (unsigned i = 0; i < r->nmeta; i++) {
        cn_free(r->meta_key[i]);
        cn_free(r->meta_value[i]);
    }
    cn_free(r->meta_key);
    cn_free(r->meta_value);
    cn_free(r->msg);
    cn_free(r->classtype);
    memset(r, 0, sizeof(*r));
}

/* One option through the keyword table; value NULL means "name;" without ':'. */
static inline int rb_opt(struct rb *x, const char *name, const char *value)
{
    const struct cn_keyword *kw = cn_kw_find(name);
    if (kw == NULL)
        fail_msg("keyword '%s' is not registered", name);
    x->err[0] = '\0';
    int rc = kw->setup(&x->b, value, x->err, sizeof(x->err));
    if (rc != 0 && x->err[0] == '\0')
        fail_msg("%s failed without a reason", name);
    return rc;
}

/* Options separated by unescaped ';'. Returns 0 or the first failing setup's code. */
static inline int rb_opts(struct rb *x, const char *text)
{
    char buf[1024];
    size_t n = strlen(text);
    assert_true(n < sizeof(buf));
    memcpy(buf, text, n + 1);
    char *s = buf;
    while (*s) {
        char *e = s;
        while (*e && !(*e == ';' && (e == s || e[-1] != '\\')))
            e++;
        bool last = *e == '\0';
        *e = '\0';
        while (*s == ' ')
            s++;
        if (*s) {
            char *colon = strchr(s, ':');
            char *val = NULL;
            if (colon) {
                *colon = '\0';
                val = colon + 1;
                while (*val == ' ')
                    val++;
                size_t vl = strlen(val);
                while (vl > 0 && val[vl - 1] == ' ')
                    val[--vl] = '\0';
            }
            size_t nl = strlen(s);
            while (nl > 0 && s[nl - 1] == ' ')
                s[--nl] = '\0';
            int rc = rb_opt(x, s, val);
            if (rc != 0)
                return rc;
        }
        if (last)
            break;
        s = e + 1;
    }
    return 0;
}

/* The options must load. */
static inline void rb_ok(struct rb *x, const char *text)
{
    if (rb_opts(x, text) != 0)
        fail_msg("'%s' rejected: %s", text, x->err);
}

/* The options must fail, with a reason containing want. */
static inline void rb_fails(const char *text, const char *want)
{
    struct rb x;
    rb_init(&x, NULL);
    int rc = rb_opts(&x, text);
    if (rc == 0)
        fail_msg("'%s' accepted", text);
    if (want != NULL && strstr(x.err, want) == NULL)
        fail_msg("'%s': reason '%s' lacks '%s'", text, x.err, want);
    rb_free(&x);
}

static inline bool rb_match_len(struct rb *x, const void *buf, size_t len,
                                struct cn_inspect_scratch *scratch)
{
    struct cn_inspect in = {.rule = &x->r, .buf = buf, .len = (uint32_t)len, .scratch = scratch};
    return cn_inspect_list(&in, &x->r.lists[CN_LIST_PAYLOAD]);
}

/* Builds a rule from opts and runs it over a C string. */
static inline bool payload_match(const char *opts, const char *buf)
{
    struct rb x;
    rb_init(&x, NULL);
    rb_ok(&x, opts);
    struct cn_inspect_scratch *s = cn_inspect_scratch_new();
    assert_non_null(s);
    bool m = rb_match_len(&x, buf, strlen(buf), s);
    /* the slow path without scratch must agree */
    bool m2 = rb_match_len(&x, buf, strlen(buf), NULL);
    assert_int_equal(m, m2);
    cn_inspect_scratch_free(s);
    rb_free(&x);
    return m;
}

#define HIT(opts, buf)  assert_true(payload_match((opts), (buf)))
#define MISS(opts, buf) assert_false(payload_match((opts), (buf)))

#endif
