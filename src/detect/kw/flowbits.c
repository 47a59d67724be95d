/* flowbits: named boolean conditions kept on the flow.
 *   flowbits:set,<name>;  unset,<name>;  toggle,<name>;   actions, run once the rule matched
 *   flowbits:isset,<name>;  isnotset,<name>;              checks, in the packet list
 *   flowbits:isset,<a>|<b>|...;  isnotset,<a>|<b>|...;    true when any one name is (not) set
 *   flowbits:noalert;                                     the rule raises no alert
 * As in Suricata, a packet without a flow fails both checks, and a rule with isset and
 * isnotset on the same name fails to load. The "|" form is for checks only; Suricata has no
 * "&" form or "setx" (those are Snort's): "&" is an ordinary character of a name there and
 * here, and setx is an unknown command. */
#include "detect/kw/bits.h"

extern const struct cn_keyword cn_kw_flowbits;

enum fb_cmd { FB_SET, FB_UNSET, FB_TOGGLE, FB_ISSET, FB_ISNOTSET };
#define FB_MAX_OR 100 /* names in one a|b|... list, as Suricata's limit */

struct flowbits {
    enum fb_cmd cmd;
    const struct cn_varstore *vs;
    unsigned n;     /* names in id[]: 1, or the length of an a|b|... list */
    uint32_t id[1]; /* grows with n */
};

static const struct {
    const char *name;
    enum fb_cmd cmd;
} cmds[] = {{"set", FB_SET},
            {"unset", FB_UNSET},
            {"toggle", FB_TOGGLE},
            {"isset", FB_ISSET},
            {"isnotset", FB_ISNOTSET}};

/* isset and isnotset of one same name in a rule can never match: Suricata refuses it. */
static bool contradicts(const struct cn_rule *r, const struct flowbits *fb)
{
    if (fb->n != 1 || (fb->cmd != FB_ISSET && fb->cmd != FB_ISNOTSET))
        return false;
    const struct cn_smlist *l = &r->lists[CN_LIST_PACKET];
    for (unsigned i = 0; i < l->n; i++) {
        const struct flowbits *o = l->v[i].data;
        if (l->v[i].kw == &cn_kw_flowbits && o->n == 1 && o->id[0] == fb->id[0] &&
            o->cmd != fb->cmd)
            return true;
    }
    return false;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int rc = -CN_EINVAL;
    struct flowbits *fb = NULL;
    char *buf = cn_strdup(value);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    char *f[3];
    unsigned nf = cn_bits_split(buf, ',', f, 2);
    if (nf > 2) {
        snprintf(err, errlen, "expected <command>,<name>");
        goto out_free;
    }
    if (strcmp(f[0], "noalert") == 0) {
        if (nf != 1) {
            snprintf(err, errlen, "noalert takes no name");
            goto out_free;
        }
        b->rule->flags |= CN_RULE_NOALERT;
        rc = 0;
        goto out_free;
    }
    int cmd = -1;
    for (size_t i = 0; i < CN_ARRAY_LEN(cmds); i++)
        if (strcmp(f[0], cmds[i].name) == 0)
            cmd = (int)cmds[i].cmd;
    if (cmd < 0) {
        snprintf(err, errlen, "unknown command '%.32s'", f[0]);
        goto out_free;
    }
    if (nf != 2 || f[1][0] == '\0') {
        snprintf(err, errlen, "%s needs a name", f[0]);
        goto out_free;
    }
    char *names[FB_MAX_OR + 1];
    unsigned n = 1;
    names[0] = f[1];
    if (strchr(f[1], '|') != NULL) {
        if (cmd != FB_ISSET && cmd != FB_ISNOTSET) {
            snprintf(err, errlen, "a|b lists are for isset and isnotset only");
            goto out_free;
        }
        char *parts[FB_MAX_OR + 1];
        unsigned np = cn_bits_split(f[1], '|', parts, FB_MAX_OR + 1);
        n = 0;
        for (unsigned i = 0; i < np && i <= FB_MAX_OR; i++) {
            if (parts[i][0] == '\0')
                continue; /* "a||b": Suricata skips empty names */
            if (n == FB_MAX_OR) {
                snprintf(err, errlen, "more than %u names in one list", FB_MAX_OR);
                goto out_free;
            }
            names[n++] = parts[i];
        }
        if (np > FB_MAX_OR + 1 || n == 0) {
            snprintf(err, errlen, n ? "too many names in one list" : "no name in the list");
            goto out_free;
        }
    }
    fb = cn_calloc(1, sizeof(*fb) + n * sizeof(uint32_t));
    if (fb == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -CN_ENOMEM;
        goto out_free;
    }
    fb->cmd = (enum fb_cmd)cmd;
    fb->n = n;
    for (unsigned i = 0; i < n; i++) {
        if (!cn_bits_name_ok(names[i])) {
            snprintf(err, errlen, "bad flowbit name '%.40s' (no blanks, at most %u bytes)",
                     names[i], CN_VAR_MAX_NAMELEN);
            goto out_free;
        }
        rc = cn_bits_intern(b, CN_VAR_FLOWBIT, names[i], &fb->id[i], err, errlen);
        if (rc < 0)
            goto out_free;
    }
    rc = -CN_EINVAL;
    fb->vs = b->ld->vs;
    if (contradicts(b->rule, fb)) {
        snprintf(err, errlen, "isset and isnotset of '%.40s' in one rule can never match",
                 names[0]);
        goto out_free;
    }
    rc = cn_bits_attach(b, &cn_kw_flowbits, fb, fb->cmd == FB_ISSET || fb->cmd == FB_ISNOTSET, err,
                        errlen);
    fb = NULL; /* the rule owns it, or it was freed */
out_free:
    cn_free(fb);
    cn_free(buf);
    return rc;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct flowbits *fb = data;
    if (in->f == NULL)
        return false;
    bool want = fb->cmd == FB_ISSET;
    for (unsigned i = 0; i < fb->n; i++)
        if (cn_flowbit_isset(in->f, fb->id[i]) == want)
            return true;
    return false;
}

static void postmatch(struct cn_inspect *in, const void *data)
{
    const struct flowbits *fb = data;
    if (in->f == NULL)
        return;
    uint32_t id = fb->id[0];
    bool on = fb->cmd == FB_SET || (fb->cmd == FB_TOGGLE && !cn_flowbit_isset(in->f, id));
    cn_flowbit_set(in->f, fb->vs, id, on);
}

static int var_class(const void *data)
{
    (void)data;
    return CN_VARCLASS_FLOWBITS;
}

const struct cn_keyword cn_kw_flowbits = {
    .name = "flowbits",
    .setup = setup,
    .match = match,
    .free = cn_free,
    .postmatch = postmatch,
    .var_class = var_class,
};
