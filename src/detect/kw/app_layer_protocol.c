/* app-layer-protocol: the protocol the application layer detected on the flow.
 * Value: [!]NAME[,MODE], NAME as src/app names it ("http" covers http1 and http2; "failed":
 * detection ran and named nothing), MODE one of direction (the default: the packet's own
 * direction), to_server, to_client, either, final (the flow's protocol) or original (the same
 * here: cleannet does not change a flow's protocol yet). An unknown (not yet detected)
 * protocol never equals NAME, so "!NAME" holds until detection says otherwise, as in
 * Suricata. A rule whose only payload-free conditions include this keyword is checked only on
 * the packets that complete a direction's detection (Suricata's "PD-only" rules), so it
 * alerts once per flow, not on every packet. Several of these keywords may be combined, but
 * not positive with negated, nor two positive ones, for the same mode. */
#include "detect/kw/bits.h"
#include "detect/kw/numeric.h"

enum mode { M_DIRECTION, M_TOSERVER, M_TOCLIENT, M_EITHER, M_FINAL, M_ORIGINAL };

struct alp {
    uint8_t proto;
    uint8_t mode;
    bool negated;
};

static const char *const mode_names[] = {"direction", "to_server", "to_client",
                                         "either",    "final",     "original"};

static int parse(const char *value, struct alp *a, char *err, size_t errlen)
{
    char buf[96], *f[2] = {NULL, NULL};
    if (snprintf(buf, sizeof(buf), "%s", value) >= (int)sizeof(buf) ||
        cn_bits_split(buf, ',', f, 2) > 2) {
        snprintf(err, errlen, "app-layer-protocol takes [!]NAME[,MODE]");
        return -CN_EINVAL;
    }
    char *name = f[0];
    a->negated = *name == '!';
    if (a->negated)
        name = cn_rule_trim(name + 1);
    a->proto = (uint8_t)cn_alproto_by_name(name);
    if (a->proto == CN_ALPROTO_UNKNOWN) {
        snprintf(err, errlen, "app-layer-protocol: unknown protocol '%.32s'", name);
        return -CN_EINVAL;
    }
    a->mode = M_DIRECTION;
    if (f[1] == NULL)
        return 0;
    for (size_t i = 0; i < CN_ARRAY_LEN(mode_names); i++) {
        if (strcmp(f[1], mode_names[i]) == 0) {
            a->mode = (uint8_t)i;
            return 0;
        }
    }
    snprintf(err, errlen, "app-layer-protocol: unknown mode '%.32s'", f[1]);
    return -CN_EINVAL;
}

static bool conflicts(const struct alp *a, const struct alp *b)
{
    if (a->mode != b->mode)
        return false;
    return a->negated != b->negated || !a->negated || a->proto == b->proto;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    struct alp a;
    int rc = parse(value, &a, err, errlen);
    if (rc < 0)
        return rc;
    const struct cn_smlist *pl = &b->rule->lists[CN_LIST_PACKET];
    for (unsigned i = 0; b->rule->nlists > CN_LIST_PACKET && i < pl->n; i++) {
        if (pl->v[i].kw == &cn_kw_app_layer_protocol && conflicts(&a, pl->v[i].data)) {
            snprintf(err, errlen,
                     "app-layer-protocol: cannot combine a positive match with "
                     "another match for the same mode");
            return -CN_EINVAL;
        }
    }
    struct alp *d = cn_malloc(sizeof(*d));
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *d = a;
    /* checks only: the rule owns d from here (a failed append frees it) */
    return cn_bits_attach(b, &cn_kw_app_layer_protocol, d, true, err, errlen);
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct alp *a = data;
    const struct cn_packet *p = in->p;
    const struct cn_flow *f = in->f;
    if (!f)
        return false;
    /* no payload and no application-layer header: checked where detection completes */
    bool pd_only = !(in->rule->flags & CN_RULE_HAS_PAYLOAD) && !in->rule->app_proto;
    if (pd_only && !(p->flags & (CN_PKT_PD_TS_DONE | CN_PKT_PD_TC_DONE)))
        return false;
    unsigned seen = CN_ALPROTO_UNKNOWN;
    bool r = false;
    switch (a->mode) {
    case M_DIRECTION:
        seen = p->toserver ? f->alproto_ts : f->alproto_tc;
        break;
    case M_TOSERVER:
        seen = f->alproto_ts;
        break;
    case M_TOCLIENT:
        seen = f->alproto_tc;
        break;
    case M_EITHER:
        r = cn_alproto_covers(a->proto, f->alproto_ts) ||
            cn_alproto_covers(a->proto, f->alproto_tc);
        break;
    default: /* final, original */
        seen = f->app_proto;
        break;
    }
    if (seen != CN_ALPROTO_UNKNOWN)
        r = cn_alproto_covers(a->proto, seen);
    return r != a->negated;
}

const struct cn_keyword cn_kw_app_layer_protocol = {
    .name = "app-layer-protocol",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
