/* flow: the packet's direction within its flow and the flow's state, as Suricata reads them.
 *
 *   to_server / from_client      the packet goes from the client to the server
 *   to_client / from_server      the packet goes from the server to the client
 *   established                  the flow was established when the packet arrived: for TCP
 *                                the handshake completed on an earlier packet and the close
 *                                has not reached LAST_ACK/TIME_WAIT; for other protocols both
 *                                directions have been seen (this packet may be the first reply)
 *   not_established              the opposite (also true for a packet without a flow)
 *   stateless                    state does not matter (matches with or without a flow)
 *   only_stream / no_stream      only on reassembled stream data / only on single packets
 *   only_frag / no_frag          only on / never on datagrams rebuilt from fragments
 *
 * Options are comma separated, case-insensitive, each at most once; contradictory pairs are
 * rejected, and so is a second flow keyword in a rule unless one of the two gives only a
 * direction (Suricata treats a bare direction as a rule property, not a flow option).
 */
#include <stdio.h>
#include <strings.h>

#include "detect/kw/numeric.h"

enum {
    FL_TOSERVER = 1u << 0,
    FL_TOCLIENT = 1u << 1,
    FL_ESTABLISHED = 1u << 2,
    FL_NOT_ESTABLISHED = 1u << 3,
    FL_STATELESS = 1u << 4,
    FL_ONLYSTREAM = 1u << 5,
    FL_NOSTREAM = 1u << 6,
    FL_ONLYFRAG = 1u << 7,
    FL_NOFRAG = 1u << 8,
};
#define FL_DIRECTION (FL_TOSERVER | FL_TOCLIENT)

struct flowopt {
    uint16_t flags;
};

static const struct {
    const char *name;
    uint16_t flag;
    uint16_t conflicts;
} options[] = {
    {"to_server", FL_TOSERVER, FL_TOCLIENT},
    {"from_client", FL_TOSERVER, FL_TOCLIENT},
    {"to_client", FL_TOCLIENT, FL_TOSERVER},
    {"from_server", FL_TOCLIENT, FL_TOSERVER},
    {"established", FL_ESTABLISHED, FL_NOT_ESTABLISHED | FL_STATELESS},
    {"not_established", FL_NOT_ESTABLISHED, FL_ESTABLISHED | FL_STATELESS},
    {"stateless", FL_STATELESS, FL_ESTABLISHED | FL_NOT_ESTABLISHED},
    {"only_stream", FL_ONLYSTREAM, FL_NOSTREAM},
    {"no_stream", FL_NOSTREAM, FL_ONLYSTREAM},
    {"only_frag", FL_ONLYFRAG, FL_NOFRAG},
    {"no_frag", FL_NOFRAG, FL_ONLYFRAG},
};

static int parse(uint16_t *out, const char *value, char *err, size_t errlen)
{
    uint16_t flags = 0;
    const char *s = value;
    for (;;) {
        while (cn_num_isspace(*s))
            s++;
        const char *word = s;
        while (*s && *s != ',' && !cn_num_isspace(*s))
            s++;
        size_t len = (size_t)(s - word);
        while (cn_num_isspace(*s))
            s++;
        if (!len) {
            snprintf(err, errlen, "empty flow option");
            return -CN_EINVAL;
        }
        size_t i;
        for (i = 0; i < CN_ARRAY_LEN(options); i++)
            if (strlen(options[i].name) == len && strncasecmp(options[i].name, word, len) == 0)
                break;
        if (i == CN_ARRAY_LEN(options)) {
            snprintf(err, errlen, "unknown flow option '%.*s'", (int)CN_MIN(len, 32), word);
            return -CN_EINVAL;
        }
        if (flags & options[i].flag) {
            snprintf(err, errlen, "flow option '%s' given twice", options[i].name);
            return -CN_EINVAL;
        }
        if (flags & options[i].conflicts) {
            snprintf(err, errlen, "flow option '%s' contradicts an earlier one", options[i].name);
            return -CN_EINVAL;
        }
        flags |= options[i].flag;
        if (!*s)
            break;
        if (*s != ',') {
            snprintf(err, errlen, "expected ',' between flow options");
            return -CN_EINVAL;
        }
        s++;
    }
    *out = flags;
    return 0;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    uint16_t flags;
    if (!value) {
        snprintf(err, errlen, "flow options are required");
        return -CN_EINVAL;
    }
    int rc = parse(&flags, value, err, errlen);
    if (rc < 0)
        return rc;

    /* One flow keyword per rule, except that a bare direction may accompany another. */
    const struct cn_smlist *pl = &b->rule->lists[CN_LIST_PACKET];
    for (unsigned i = 0; i < pl->n; i++) {
        if (pl->v[i].kw != &cn_kw_flow)
            continue;
        const struct flowopt *prev = pl->v[i].data;
        if ((prev->flags & ~FL_DIRECTION) && (flags & ~FL_DIRECTION)) {
            snprintf(err, errlen, "a rule may have only one flow option");
            return -CN_EINVAL;
        }
        if (((prev->flags | flags) & FL_DIRECTION) == FL_DIRECTION) {
            snprintf(err, errlen, "contradictory flow directions");
            return -CN_EINVAL;
        }
    }

    struct flowopt *d = cn_malloc(sizeof(*d));
    if (!d)
        goto out_nomem;
    d->flags = flags;
    if (cn_rule_add_match(b->rule, CN_LIST_PACKET, &cn_kw_flow, d) < 0)
        goto out_nomem; /* the failed append freed d */
    return 0;

out_nomem:
    snprintf(err, errlen, "out of memory");
    return -CN_ENOMEM;
}

/* Suricata's "established" is the flow's state when the packet arrived, before the stream
 * engine saw it: both directions seen for connectionless protocols, and for TCP a session
 * the stream engine set up on an earlier packet and has not closed (FIN_WAIT and CLOSE_WAIT
 * still count; LAST_ACK, TIME_WAIT and CLOSED do not). The flow table records it on the
 * packet. */
static bool flow_established(const struct cn_packet *p)
{
    return p->flags & CN_PKT_FLOW_ESTABLISHED;
}

/* Is the rule being tried on reassembled stream data (raw-stream inspection) rather than on a
 * packet? */
static bool inspecting_stream(const struct cn_inspect *in)
{
    return in->stream;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct flowopt *fo = data;
    const struct cn_packet *p = in->p;
    const struct cn_flow *f = p->flow;
    uint16_t want = fo->flags;

    /* A bare direction: a packet without a flow counts as going to the server, as Suricata
     * files flowless packets with the to-server rules. */
    if (want == FL_TOSERVER)
        return !f || p->toserver;
    if (want == FL_TOCLIENT)
        return f && !p->toserver;

    if ((want & FL_TOSERVER) && !(f && p->toserver))
        return false;
    if ((want & FL_TOCLIENT) && !(f && !p->toserver))
        return false;
    if (want & (FL_ESTABLISHED | FL_NOT_ESTABLISHED)) {
        bool est = f && flow_established(p);
        if (est != !!(want & FL_ESTABLISHED))
            return false;
    }
    if ((want & FL_NOFRAG) && (p->flags & CN_PKT_REBUILT))
        return false;
    if ((want & FL_ONLYFRAG) && !(p->flags & CN_PKT_REBUILT))
        return false;
    if ((want & FL_ONLYSTREAM) && !inspecting_stream(in))
        return false;
    if ((want & FL_NOSTREAM) && inspecting_stream(in))
        return false;
    return true;
}

const struct cn_keyword cn_kw_flow = {
    .name = "flow",
    .setup = setup,
    .match = match,
    .free = cn_free,
};

int cn_kw_flow_stream(const struct cn_rule *r)
{
    const struct cn_smlist *pl = &r->lists[CN_LIST_PACKET];
    for (unsigned i = 0; i < pl->n; i++) {
        if (pl->v[i].kw != &cn_kw_flow)
            continue;
        const struct flowopt *fo = pl->v[i].data;
        if (fo->flags & FL_ONLYSTREAM)
            return 1;
        if (fo->flags & FL_NOSTREAM)
            return -1;
    }
    return 0;
}

unsigned cn_kw_flow_direction(const struct cn_rule *r)
{
    unsigned dir = 0;
    const struct cn_smlist *pl = &r->lists[CN_LIST_PACKET];
    for (unsigned i = 0; i < pl->n; i++) {
        if (pl->v[i].kw != &cn_kw_flow)
            continue;
        const struct flowopt *fo = pl->v[i].data;
        if (fo->flags & FL_TOSERVER)
            dir = CN_FLOW_DIR_TOSERVER;
        else if (fo->flags & FL_TOCLIENT)
            dir = CN_FLOW_DIR_TOCLIENT;
    }
    return dir;
}
