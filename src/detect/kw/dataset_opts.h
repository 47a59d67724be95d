/* detect/kw: the option list that dataset and datarep share (kw/dataset.c parses it):
 * comma-separated fields, the first ones positional (dataset: command and name; datarep: name,
 * operator and value), then "key value" options: type, load, save, state, memcap, hashsize. */
#ifndef CN_DETECT_KW_DATASET_OPTS_H
#define CN_DETECT_KW_DATASET_OPTS_H

#include "detect/detect_int.h"

#define CN_DATASET_MAX_FIELDS 12

struct cn_dataset_opts {
    char *pos[3]; /* the positional fields, trimmed; NULL when missing */
    enum cn_dataset_type type;
    const char *load, *save, *state; /* as written; NULL when not given */
    uint64_t memcap;
    uint32_t hashsize;
};

/* Splits buf (modified in place) into npos positional fields and the options; allowed is the
 * option keys accepted ("type load save state memcap hashsize" or a subset). Returns 0 or
 * -CN_EINVAL with the reason in err. */
int cn_dataset_opts_parse(char *buf, unsigned npos, const char *allowed, struct cn_dataset_opts *o,
                          char *err, size_t errlen);

/* Resolves the files and gets the set for the rule being built (b->ld->datasets):
 * load next to the rule file (or under default-rule-path), save/state under default-data-dir.
 * NULL with the reason in err. */
struct cn_dataset *cn_dataset_opts_set(struct cn_rule_builder *b, const char *name,
                                       const struct cn_dataset_opts *o, char *err, size_t errlen);

#endif
