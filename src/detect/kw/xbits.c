/* xbits: named bits kept per host or per address pair, seen by every flow between them.
 *   xbits:<set|unset|toggle|isset|isnotset>,<name>,track <ip_src|ip_dst|ip_pair>[,expire <s>];
 *   xbits:noalert;
 * track ip_src keys the bit on the packet's source address, ip_dst on its destination, ip_pair
 * on both (either direction). set and toggle give the bit a lifetime of <s> seconds of packet
 * time (default 30, as Suricata), renewed by every later set; an expired bit is unset. set,
 * unset and toggle run once the rule matched; isset and isnotset are checks. The bits live in
 * the rule set's xbits table (xbits_table.c), shared by all workers. */
#include <stdlib.h>

#include "detect/kw/bits.h"

extern const struct cn_keyword cn_kw_xbits;

enum xb_cmd { XB_SET, XB_UNSET, XB_TOGGLE, XB_ISSET, XB_ISNOTSET };
#define XB_EXPIRE_DEFAULT 30

struct xbits {
    enum xb_cmd cmd;
    enum cn_xbits_track track;
    uint32_t id;
    uint32_t expire;
    struct cn_xbits *table;
};

static const struct {
    const char *name;
    enum xb_cmd cmd;
} cmds[] = {{"set", XB_SET},
            {"unset", XB_UNSET},
            {"toggle", XB_TOGGLE},
            {"isset", XB_ISSET},
            {"isnotset", XB_ISNOTSET}};

static const struct {
    const char *name;
    enum cn_xbits_track track;
} tracks[] = {
    {"ip_src", CN_XBITS_IP_SRC}, {"ip_dst", CN_XBITS_IP_DST}, {"ip_pair", CN_XBITS_IP_PAIR}};

/* "<word> <arg>" with blanks between: the argument, or NULL when the word differs. */
static char *word_arg(char *field, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(field, word, n) != 0 || !cn_rule_blank(field[n]))
        return NULL;
    return cn_rule_trim(field + n);
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    int rc = -CN_EINVAL;
    struct xbits *xb = NULL;
    char *buf = cn_strdup(value);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    char *f[5];
    unsigned nf = cn_bits_split(buf, ',', f, 4);
    if (nf == 1 && strcmp(f[0], "noalert") == 0) {
        b->rule->flags |= CN_RULE_NOALERT;
        rc = 0;
        goto out_free;
    }
    if (nf < 3 || nf > 4) {
        snprintf(err, errlen,
                 "expected <command>,<name>,track <ip_src|ip_dst|ip_pair>"
                 "[,expire <seconds>]");
        goto out_free;
    }
    xb = cn_calloc(1, sizeof(*xb));
    if (xb == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -CN_ENOMEM;
        goto out_free;
    }
    int cmd = -1, track = -1;
    for (size_t i = 0; i < CN_ARRAY_LEN(cmds); i++)
        if (strcmp(f[0], cmds[i].name) == 0)
            cmd = (int)cmds[i].cmd;
    if (cmd < 0) {
        snprintf(err, errlen, "unknown command '%.32s'", f[0]);
        goto out_free;
    }
    if (!cn_bits_name_ok(f[1])) {
        snprintf(err, errlen, "bad xbits name '%.40s' (no blanks, at most %u bytes)", f[1],
                 CN_VAR_MAX_NAMELEN);
        goto out_free;
    }
    char *t = word_arg(f[2], "track");
    for (size_t i = 0; t != NULL && i < CN_ARRAY_LEN(tracks); i++)
        if (strcmp(t, tracks[i].name) == 0)
            track = (int)tracks[i].track;
    if (track < 0) {
        snprintf(err, errlen, "expected track ip_src, ip_dst or ip_pair, not '%.32s'", f[2]);
        goto out_free;
    }
    xb->expire = XB_EXPIRE_DEFAULT;
    if (nf == 4) {
        char *e = word_arg(f[3], "expire"), *end = NULL;
        unsigned long long v = e != NULL && *e >= '0' && *e <= '9' ? strtoull(e, &end, 10) : 0;
        if (e == NULL || end == NULL || *end != '\0' || v == 0 || v > UINT32_MAX) {
            snprintf(err, errlen, "expected expire <seconds> (1..4294967295)");
            goto out_free;
        }
        xb->expire = (uint32_t)v;
    }
    xb->cmd = (enum xb_cmd)cmd;
    xb->track = (enum cn_xbits_track)track;
    rc = cn_bits_intern(b, CN_VAR_XBIT, f[1], &xb->id, err, errlen);
    if (rc < 0)
        goto out_free;
    xb->table = cn_varstore_xbits(b->ld->vs);
    if (xb->table == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -CN_ENOMEM;
        goto out_free;
    }
    rc = cn_bits_attach(b, &cn_kw_xbits, xb, xb->cmd == XB_ISSET || xb->cmd == XB_ISNOTSET, err,
                        errlen);
    xb = NULL; /* the rule owns it, or it was freed */
out_free:
    cn_free(xb);
    cn_free(buf);
    return rc;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct xbits *xb = data;
    bool set = cn_xbits_isset(xb->table, xb->track, in->p, xb->id);
    return set == (xb->cmd == XB_ISSET);
}

static void postmatch(struct cn_inspect *in, const void *data)
{
    const struct xbits *xb = data;
    int op = xb->cmd == XB_SET ? 1 : xb->cmd == XB_UNSET ? 0 : 2;
    if (!cn_xbits_update(xb->table, xb->track, in->p, xb->id, op, xb->expire) && in->stats)
        cn_stat_add(in->stats,
                    xb->track == CN_XBITS_IP_PAIR ? CN_STAT_IPPAIR_MEMCAP : CN_STAT_HOST_MEMCAP, 1);
}

static int var_class(const void *data)
{
    const struct xbits *xb = data;
    return xb->track == CN_XBITS_IP_PAIR ? CN_VARCLASS_IPPAIRBITS : CN_VARCLASS_HOSTBITS;
}

const struct cn_keyword cn_kw_xbits = {
    .name = "xbits",
    .setup = setup,
    .match = match,
    .free = cn_free,
    .postmatch = postmatch,
    .var_class = var_class,
};
