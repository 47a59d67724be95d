/* stream_size: compares how far a TCP session's sequence numbers have advanced with a number:
 * stream_size:<server|client|both|either>,<op>,<n> with op one of < <= = != > >=. As in
 * Suricata the size of a side is its next sequence number minus its initial one, so it counts
 * the SYN and the FIN (one each) besides the payload bytes: a side that has sent nothing has
 * size 0, one that sent only its SYN has size 1. "both" needs both sides to satisfy the
 * comparison, "either" one of them. Packets without a TCP session never match. */
#include <stdio.h>
#include <strings.h>

#include "detect/kw/numeric.h"
#include "stream/stream.h"

#define TCP_FIN 0x01

/* Weak, so that linking the rule engine does not by itself drag the stream's session code
 * into programs that stand in for parts of it (unit tests of later stages). Every program that
 * tracks TCP sessions links the real function; without it no packet has a session to match. */
extern uint64_t cn_stream_bytes(const struct cn_flow *f, bool toserver) __attribute__((weak));

enum side { SIDE_SERVER, SIDE_CLIENT, SIDE_BOTH, SIDE_EITHER };

struct stream_size {
    struct cn_num cmp;
    uint8_t side; /* enum side */
};

static const struct cn_num_spec spec = {
    .max = UINT32_MAX,
    .ops = CN_NUM_OPS_SIMPLE | CN_NUM_OP(CN_NUM_LE) | CN_NUM_OP(CN_NUM_GE),
};

static const struct {
    const char *name;
    enum side side;
} sides[] = {
    {"server", SIDE_SERVER},
    {"client", SIDE_CLIENT},
    {"both", SIDE_BOTH},
    {"either", SIDE_EITHER},
};

/* Copies the comma-separated field at *s (blanks trimmed) into out. */
static bool field(const char **s, char *out, size_t outlen, bool last)
{
    const char *p = *s;
    while (cn_num_isspace(*p))
        p++;
    const char *e = last ? p + strlen(p) : strchr(p, ',');
    if (e == NULL)
        return false;
    const char *next = last ? e : e + 1;
    while (e > p && cn_num_isspace(e[-1]))
        e--;
    size_t n = (size_t)(e - p);
    if (n == 0 || n >= outlen)
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    *s = next;
    return true;
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char side[16], op[8], num[32], cmp[48];
    const char *s = value ? value : "";
    if (!field(&s, side, sizeof(side), false) || !field(&s, op, sizeof(op), false) ||
        !field(&s, num, sizeof(num), true)) {
        snprintf(err, errlen, "expected <server|client|both|either>,<operator>,<number>");
        return -CN_EINVAL;
    }
    struct stream_size d = {0};
    size_t i = 0;
    while (i < CN_ARRAY_LEN(sides) && strcmp(sides[i].name, side) != 0)
        i++;
    if (i == CN_ARRAY_LEN(sides)) {
        snprintf(err, errlen, "unknown side '%s'", side);
        return -CN_EINVAL;
    }
    d.side = (uint8_t)sides[i].side;
    static const char *const ops[] = {"<", "<=", "=", "!=", ">", ">="};
    bool known = false;
    for (size_t k = 0; k < CN_ARRAY_LEN(ops); k++)
        known |= strcmp(ops[k], op) == 0;
    /* a number only: a range or a sign would slip through the shared parser */
    bool digits = true;
    for (const char *p = num; *p; p++)
        digits &= *p >= '0' && *p <= '9';
    if (!known || !digits) {
        snprintf(err, errlen, "bad comparison '%s,%s'", op, num);
        return -CN_EINVAL;
    }
    snprintf(cmp, sizeof(cmp), "%s%s", op, num);
    int rc = cn_num_parse(&d.cmp, cmp, &spec, err, errlen);
    if (rc < 0)
        return rc;
    struct stream_size *p = cn_malloc(sizeof(*p));
    if (p == NULL)
        goto out_nomem;
    *p = d;
    if (cn_rule_add_match(b->rule, CN_LIST_PACKET, &cn_kw_stream_size, p) < 0)
        goto out_nomem;
    return 0;

out_nomem:
    snprintf(err, errlen, "out of memory");
    return -CN_ENOMEM;
}

/* next_seq - isn of one side, from what the flow and the session record: the side's payload
 * bytes that advanced its sequence, plus one for its SYN (or, for a session picked up
 * midstream, the one the tracker puts before the first byte seen) and one once it sent a FIN.
 * Wraps like the 32-bit difference Suricata compares. */
static uint32_t side_size(const struct cn_flow *f, bool client)
{
    uint64_t pkts = client ? f->pkts_toserver : f->pkts_toclient;
    if (pkts == 0)
        return 0;
    uint8_t flags = client ? f->tcp_flags_ts : f->tcp_flags_tc;
    uint64_t v = 1 + cn_stream_bytes(f, client) + ((flags & TCP_FIN) ? 1 : 0);
    return (uint32_t)v;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct stream_size *d = data;
    const struct cn_packet *p = in->p;
    const struct cn_flow *f = p->flow;
    if (!(p->flags & CN_PKT_TCP) || f == NULL || f->stream == NULL || cn_stream_bytes == NULL)
        return false;
    switch ((enum side)d->side) {
    case SIDE_SERVER:
        return cn_num_match(&d->cmp, side_size(f, false));
    case SIDE_CLIENT:
        return cn_num_match(&d->cmp, side_size(f, true));
    case SIDE_BOTH:
        return cn_num_match(&d->cmp, side_size(f, false)) &&
               cn_num_match(&d->cmp, side_size(f, true));
    case SIDE_EITHER:
        return cn_num_match(&d->cmp, side_size(f, false)) ||
               cn_num_match(&d->cmp, side_size(f, true));
    }
    return false;
}

const struct cn_keyword cn_kw_stream_size = {
    .name = "stream_size",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
