/* detect/kw: datarep, looks the whole current sticky buffer up in a named set and compares the
 * reputation stored with it:
 *   datarep:<name>,<op>,<value>[, type <string|md5|sha256|ipv4|ip>, load <file>,
 *           memcap <size>, hashsize <n>]
 * op is > < or == (Suricata's three), value 0-65535. A buffer that is not in the set never
 * matches. Like dataset it needs a sticky buffer; the load file holds "<value>,<reputation>"
 * lines and is found next to the rule file (kw/dataset.c shares the option parser). */
#include <stdio.h>

#include "detect/kw/content.h"
#include "detect/kw/dataset_opts.h"

extern const struct cn_keyword cn_kw_datarep;

enum rep_op { OP_GT, OP_LT, OP_EQ };

struct rep_match {
    struct cn_dataset *set;
    enum rep_op op;
    uint16_t value;
};

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char buf[2048];
    if (b->list == CN_LIST_PAYLOAD || b->list == CN_LIST_PACKET) {
        snprintf(err, errlen, "datarep is only supported for sticky buffers");
        return -CN_EINVAL;
    }
    if (value == NULL || strlen(value) >= sizeof(buf)) {
        snprintf(err, errlen, "expected <name>,<op>,<value>[,options]");
        return -CN_EINVAL;
    }
    strcpy(buf, value);
    struct cn_dataset_opts o;
    if (cn_dataset_opts_parse(buf, 3, "type load memcap hashsize", &o, err, errlen) < 0)
        return -CN_EINVAL;
    struct rep_match m = {0};
    if (!strcmp(o.pos[1], ">"))
        m.op = OP_GT;
    else if (!strcmp(o.pos[1], "<"))
        m.op = OP_LT;
    else if (!strcmp(o.pos[1], "=="))
        m.op = OP_EQ;
    else {
        snprintf(err, errlen, "datarep operation '%.8s' is not supported (>, <, ==)", o.pos[1]);
        return -CN_EINVAL;
    }
    int64_t v;
    if (!cn_kw_parse_int(o.pos[2], 0, 65535, &v)) {
        snprintf(err, errlen, "bad reputation value '%.16s' (0-65535)", o.pos[2]);
        return -CN_EINVAL;
    }
    m.value = (uint16_t)v;
    if (o.load && o.type == CN_DATASET_NOTSET) {
        snprintf(err, errlen, "if load is used type must be set as well");
        return -CN_EINVAL;
    }
    if ((m.set = cn_dataset_opts_set(b, o.pos[0], &o, err, errlen)) == NULL)
        return -CN_EINVAL;
    struct rep_match *d = cn_malloc(sizeof(*d));
    if (d == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    *d = m;
    if (cn_rule_add_match(b->rule, b->list, &cn_kw_datarep, d) < 0) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    return 0;
}

static bool match(struct cn_inspect *in, const void *data)
{
    const struct rep_match *d = data;
    uint16_t rep;
    if (in->buf == NULL || in->len == 0 || cn_dataset_lookup(d->set, in->buf, in->len, &rep) != 1)
        return false;
    switch (d->op) {
    case OP_GT:
        return rep > d->value;
    case OP_LT:
        return rep < d->value;
    case OP_EQ:
        return rep == d->value;
    }
    return false;
}

const struct cn_keyword cn_kw_datarep = {
    .name = "datarep",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
