/* detect/kw: isdataat, "is there data at offset N" in the current buffer: N[,relative]
 * [,rawbytes], negated as !N. Relative means N bytes remain after the previous match
 * (Suricata's arithmetic: pos + N <= len); absolute means byte N exists (N < len). N may name
 * a byte_extract/byte_math variable. The inspector evaluates it inline to keep Suricata's give-up
 * semantics; match() below serves callers outside a list walk. */
#include <stdio.h>

#include "detect/detect_int.h"
#include "detect/kw/byte_common.h"
#include "detect/kw/content.h"

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char buf[64];
    if (value == NULL || strlen(value) >= sizeof(buf)) {
        snprintf(err, errlen, "isdataat takes N[,relative][,rawbytes]");
        return -CN_EINVAL;
    }
    strcpy(buf, value);
    struct cn_isdataat d = {0};
    char *s = buf;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '!') {
        d.flags |= CN_ISDATAAT_NEGATED;
        s++;
    }
    char *opts = strchr(s, ',');
    if (opts != NULL)
        *opts++ = '\0';
    int64_t n;
    if (cn_kw_is_varname(s)) {
        int idx = cn_byte_var_find(b, s, err, errlen);
        if (idx < 0)
            return -CN_EINVAL;
        n = idx;
        d.flags |= CN_ISDATAAT_VAR;
    } else if (!cn_kw_parse_int(s, 0, CN_CONTENT_MAX_LEN, &n)) {
        snprintf(err, errlen, "invalid isdataat offset");
        return -CN_EINVAL;
    }
    d.dataat = (uint32_t)n;
    while (opts != NULL) {
        char *next = strchr(opts, ',');
        if (next != NULL)
            *next++ = '\0';
        while (*opts == ' ' || *opts == '\t')
            opts++;
        size_t l = strlen(opts);
        while (l > 0 && (opts[l - 1] == ' ' || opts[l - 1] == '\t'))
            opts[--l] = '\0';
        if (strcmp(opts, "relative") == 0) {
            d.flags |= CN_ISDATAAT_RELATIVE;
        } else if (strcmp(opts, "rawbytes") == 0) {
            d.flags |= CN_ISDATAAT_RAWBYTES;
        } else {
            snprintf(err, errlen, "unknown isdataat option '%.24s'", opts);
            return -CN_EINVAL;
        }
        opts = next;
    }
    struct cn_isdataat *p = cn_malloc(sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *p = d;
    unsigned idx = b->list < CN_LIST__MAX ? b->rule->lists[b->list].n : 0;
    int rc = cn_rule_add_match(b->rule, b->list, &cn_kw_isdataat, p);
    if (rc < 0) {
        snprintf(err, errlen, rc == -CN_ENOMEM ? "out of memory" : "bad buffer");
        return rc;
    }
    if (d.flags & CN_ISDATAAT_RELATIVE)
        cn_content_mark_prev(b->rule, b->list, idx, true);
    return 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    struct cn_sigmatch sm = {&cn_kw_isdataat, (void *)(uintptr_t)data};
    struct cn_smlist l = {&sm, 1, 1};
    return cn_inspect_run(in, &l);
}

static void isdataat_free(void *data)
{
    cn_free(data);
}

const struct cn_keyword cn_kw_isdataat = {
    .name = "isdataat",
    .setup = setup,
    .match = match,
    .free = isdataat_free,
};
