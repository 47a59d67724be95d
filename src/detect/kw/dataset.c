/* detect/kw: dataset, matches the whole current sticky buffer against a named set:
 *   dataset:<isset|isnotset|set|unset>,<name>[, type <string|md5|sha256|ipv4|ip>,
 *           load <file>, save <file>, state <file>, memcap <size>, hashsize <n>]
 * isset matches when the buffer is in the set, isnotset when it is not (or cannot be: a buffer
 * of the wrong length for an md5 set), set adds it and matches when it was new, unset removes
 * it and matches when it was there. As in Suricata the keyword needs a sticky buffer (a rule
 * on the bare payload fails to load), an empty buffer never matches, and the buffer is the
 * transformed one when transforms apply. The sets live in dataset.c; the option parser here
 * is shared with datarep (kw/dataset_opts.h). */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "detect/kw/dataset_opts.h"

extern const struct cn_keyword cn_kw_dataset;

enum ds_cmd { CMD_ISSET, CMD_ISNOTSET, CMD_SET, CMD_UNSET };

struct ds_match {
    struct cn_dataset *set; /* owned by the rule set's registry */
    enum ds_cmd cmd;
};

static bool allowed_key(const char *allowed, const char *key)
{
    size_t kl = strlen(key);
    for (const char *a = allowed; *a;) {
        size_t n = strcspn(a, " ");
        if (n == kl && strncmp(a, key, n) == 0)
            return true;
        a += n;
        while (*a == ' ')
            a++;
    }
    return false;
}

int cn_dataset_opts_parse(char *buf, unsigned npos, const char *allowed, struct cn_dataset_opts *o,
                          char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    unsigned nfield = 0, npositional = 0;
    char *save = NULL;
    for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        f = cn_rule_trim(f);
        if (*f == '\0')
            continue; /* Suricata skips empty fields */
        if (++nfield > CN_DATASET_MAX_FIELDS) {
            snprintf(err, errlen, "too many options");
            return -CN_EINVAL;
        }
        if (npositional < npos) {
            if (strpbrk(f, " \t")) {
                snprintf(err, errlen, "'%.40s': no blanks allowed here", f);
                return -CN_EINVAL;
            }
            o->pos[npositional++] = f;
            continue;
        }
        char *val = strpbrk(f, " \t");
        if (val == NULL) {
            snprintf(err, errlen, "option '%.40s' needs a value", f);
            return -CN_EINVAL;
        }
        *val++ = '\0';
        val = cn_rule_trim(val);
        if (!allowed_key(allowed, f)) {
            snprintf(err, errlen, "unknown option '%.40s'", f);
            return -CN_EINVAL;
        }
        const char **slot = NULL;
        if (!strcmp(f, "type")) {
            if ((o->type = cn_dataset_type_parse(val)) == CN_DATASET_NOTSET) {
                snprintf(err, errlen, "bad type '%.40s' (string, md5, sha256, ipv4, ip)", val);
                return -CN_EINVAL;
            }
        } else if (!strcmp(f, "load")) {
            slot = &o->load;
        } else if (!strcmp(f, "save")) {
            slot = &o->save;
        } else if (!strcmp(f, "state")) {
            slot = &o->state;
        } else if (!strcmp(f, "memcap")) {
            if (cn_parse_size(val, &o->memcap) != 0 || o->memcap == 0) {
                snprintf(err, errlen, "bad memcap '%.40s'", val);
                return -CN_EINVAL;
            }
        } else { /* hashsize */
            uint64_t v;
            if (cn_parse_u64(val, &v) != 0 || v == 0 || v > UINT32_MAX) {
                snprintf(err, errlen, "bad hashsize '%.40s'", val);
                return -CN_EINVAL;
            }
            o->hashsize = (uint32_t)v;
        }
        if (slot != NULL) {
            if (*slot != NULL) {
                snprintf(err, errlen, "'%s' given twice", f);
                return -CN_EINVAL;
            }
            *slot = val;
        }
    }
    if (npositional < npos) {
        snprintf(err, errlen, "missing fields");
        return -CN_EINVAL;
    }
    if (o->state && (o->load || o->save)) {
        snprintf(err, errlen, "'state' cannot be mixed with 'load' or 'save'");
        return -CN_EINVAL;
    }
    return 0;
}

struct cn_dataset *cn_dataset_opts_set(struct cn_rule_builder *b, const char *name,
                                       const struct cn_dataset_opts *o, char *err, size_t errlen)
{
    char load[CN_DATASET_PATH_MAX] = "", save[CN_DATASET_PATH_MAX] = "";
    struct cn_datasets *ds = b->ld ? b->ld->datasets : NULL;
    if (ds == NULL) {
        snprintf(err, errlen, "datasets are not available");
        return NULL;
    }
    /* state: one file under the data directory, read at start and written at the end */
    const char *w = o->state ? o->state : o->save;
    if (w && cn_datasets_save_path(ds, w, save, sizeof(save), err, errlen) < 0)
        return NULL;
    if (o->state)
        memcpy(load, save, sizeof(load));
    else if (o->load && cn_datasets_load_path(ds, b->ld->cur_file, o->load, load, sizeof(load), err,
                                              errlen) < 0)
        return NULL;
    struct cn_dataset_spec sp = {
        .name = name,
        .type = o->type,
        .load = load,
        .save = save,
        .memcap = o->memcap,
        .hashsize = o->hashsize,
    };
    return cn_datasets_get(ds, &sp, err, errlen);
}

static int setup(struct cn_rule_builder *b, const char *value, char *err, size_t errlen)
{
    char buf[2048];
    if (b->list == CN_LIST_PAYLOAD || b->list == CN_LIST_PACKET) {
        snprintf(err, errlen, "datasets are only supported for sticky buffers");
        return -CN_EINVAL;
    }
    if (value == NULL || strlen(value) >= sizeof(buf)) {
        snprintf(err, errlen, "expected <cmd>,<name>[,options]");
        return -CN_EINVAL;
    }
    strcpy(buf, value);
    struct cn_dataset_opts o;
    if (cn_dataset_opts_parse(buf, 2, "type load save state memcap hashsize", &o, err, errlen) < 0)
        return -CN_EINVAL;
    static const char *const cmds[] = {"isset", "isnotset", "set", "unset"};
    int cmd = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(o.pos[0], cmds[i]))
            cmd = i;
    if (cmd < 0) {
        snprintf(err, errlen, "dataset action '%.20s' is not supported", o.pos[0]);
        return -CN_EINVAL;
    }
    struct cn_dataset *set = cn_dataset_opts_set(b, o.pos[1], &o, err, errlen);
    if (set == NULL)
        return -CN_EINVAL;
    struct ds_match *d = cn_malloc(sizeof(*d));
    if (d == NULL) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    d->set = set;
    d->cmd = (enum ds_cmd)cmd;
    if (cn_rule_add_match(b->rule, b->list, &cn_kw_dataset, d) < 0) {
        snprintf(err, errlen, "out of memory");
        return -CN_ENOMEM;
    }
    return 0;
}

/* The whole buffer, whatever the previous keyword matched, as Suricata inspects it. */
static bool match(struct cn_inspect *in, const void *data)
{
    const struct ds_match *d = data;
    if (in->buf == NULL || in->len == 0)
        return false;
    switch (d->cmd) {
    case CMD_ISSET:
        return cn_dataset_lookup(d->set, in->buf, in->len, NULL) == 1;
    case CMD_ISNOTSET:
        return cn_dataset_lookup(d->set, in->buf, in->len, NULL) < 1;
    case CMD_SET:
        return cn_dataset_add(d->set, in->buf, in->len, 0) == 1;
    case CMD_UNSET:
        return cn_dataset_remove(d->set, in->buf, in->len) == 1;
    }
    return false;
}

const struct cn_keyword cn_kw_dataset = {
    .name = "dataset",
    .setup = setup,
    .match = match,
    .free = cn_free,
};
