/* The configuration tree: a YAML document in Suricata's layout loaded with libyaml into
 * nodes (scalar, map, sequence), with Suricata's two include forms (a top-level or nested
 * `include: FILE` key merges FILE's map into the map that holds it; a value tagged `!include`
 * is replaced by FILE's document), `--set a.b.c=value` overrides and typed getters.
 *
 * Configuration files are untrusted input: nesting depth, node count and include depth are
 * bounded, and every error names the file, the line and the key path. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

#include "core/core.h"

enum conf_kind { CONF_SCALAR, CONF_MAP, CONF_SEQ };

struct cn_conf {
    char *name;  /* key in the parent map, or the index in a parent sequence */
    char *value; /* scalars only */
    enum conf_kind kind;
    struct cn_conf *first, *last, *next;
    const char *file; /* interned in the root's file list; not owned */
    int line;
};

#define CONF_MAX_DEPTH         64
#define CONF_MAX_NODES         200000
#define CONF_MAX_INCLUDE_DEPTH 8

struct loader {
    char *err;
    size_t errlen;
    unsigned nodes;
    int include_depth;
};

static struct cn_conf *node_new(enum conf_kind kind, const char *name, const char *file, int line)
{
    struct cn_conf *n = cn_calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->kind = kind;
    n->file = file;
    n->line = line;
    if (name && !(n->name = cn_strdup(name))) {
        cn_free(n);
        return NULL;
    }
    return n;
}

static void node_free(struct cn_conf *n)
{
    while (n) {
        struct cn_conf *next = n->next;
        node_free(n->first);
        cn_free(n->name);
        cn_free(n->value);
        cn_free(n);
        n = next;
    }
}

/* File names are kept for messages for the life of the process: a handful of strings. */
static const char *intern_file(const char *path)
{
    static char *files[64];
    static unsigned nfiles;
    for (unsigned i = 0; i < nfiles; i++)
        if (!strcmp(files[i], path))
            return files[i];
    char *copy = strdup(path);
    if (!copy)
        return "?";
    if (nfiles < CN_ARRAY_LEN(files))
        files[nfiles++] = copy;
    return copy;
}

static struct cn_conf *child_by_name(struct cn_conf *parent, const char *name, size_t len)
{
    for (struct cn_conf *c = parent->first; c; c = c->next)
        if (c->name && strlen(c->name) == len && !memcmp(c->name, name, len))
            return c;
    return NULL;
}

static void child_append(struct cn_conf *parent, struct cn_conf *child)
{
    if (parent->kind == CONF_SEQ && !child->name) {
        unsigned idx = 0;
        for (struct cn_conf *c = parent->first; c; c = c->next)
            idx++;
        char buf[16];
        snprintf(buf, sizeof(buf), "%u", idx);
        child->name = cn_strdup(buf);
    }
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
}

static void child_remove(struct cn_conf *parent, struct cn_conf *child)
{
    struct cn_conf **pp = &parent->first, *prev = NULL;
    while (*pp && *pp != child) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = child->next;
    if (parent->last == child)
        parent->last = prev;
    child->next = NULL;
}

/* Puts child into a map, replacing an existing key of the same name (later keys win, as when
 * an include or a repeated key overrides an earlier value). */
static void map_put(struct cn_conf *map, struct cn_conf *child)
{
    struct cn_conf *old = child_by_name(map, child->name, strlen(child->name));
    if (old) {
        child_remove(map, old);
        node_free(old);
    }
    child_append(map, child);
}

/* Merges every key of src (a map) into dst (a map); src is consumed. */
static void map_merge(struct cn_conf *dst, struct cn_conf *src)
{
    struct cn_conf *c = src->first;
    src->first = src->last = NULL;
    while (c) {
        struct cn_conf *next = c->next;
        c->next = NULL;
        map_put(dst, c);
        c = next;
    }
    node_free(src);
}

static struct cn_conf *load_file(struct loader *ld, const char *path);

static char *include_path(const char *including_file, const char *target)
{
    if (target[0] == '/')
        return cn_strdup(target);
    char *tmp = cn_strdup(including_file);
    if (!tmp)
        return NULL;
    const char *dir = dirname(tmp);
    size_t n = strlen(dir) + strlen(target) + 2;
    char *out = cn_malloc(n);
    if (out)
        snprintf(out, n, "%s/%s", dir, target);
    cn_free(tmp);
    return out;
}

static struct cn_conf *load_include(struct loader *ld, const char *from, int line,
                                    const char *target)
{
    if (ld->include_depth >= CONF_MAX_INCLUDE_DEPTH) {
        snprintf(ld->err, ld->errlen, "%s:%d: includes nested deeper than %d (a loop?)", from, line,
                 CONF_MAX_INCLUDE_DEPTH);
        return NULL;
    }
    char *path = include_path(from, target);
    if (!path) {
        snprintf(ld->err, ld->errlen, "out of memory");
        return NULL;
    }
    ld->include_depth++;
    struct cn_conf *root = load_file(ld, path);
    ld->include_depth--;
    cn_free(path);
    return root;
}

/* Builds the tree from libyaml events with an explicit stack (no recursion on input depth). */
static struct cn_conf *parse_events(struct loader *ld, yaml_parser_t *yp, const char *file)
{
    struct frame {
        struct cn_conf *node;
        char *pending_key; /* map: key read, value not yet */
        int key_line;
    } stack[CONF_MAX_DEPTH];
    int depth = -1;
    struct cn_conf *root = NULL;
    bool done = false;

    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(yp, &ev)) {
            snprintf(ld->err, ld->errlen, "%s:%zu: YAML error: %s", file, yp->problem_mark.line + 1,
                     yp->problem ? yp->problem : "unknown");
            goto out_fail;
        }
        int line = (int)ev.start_mark.line + 1;
        struct cn_conf *newnode = NULL;
        bool is_container = false;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_SCALAR_EVENT: {
            const char *val = (const char *)ev.data.scalar.value;
            const char *tag = (const char *)ev.data.scalar.tag;
            if (depth >= 0 && stack[depth].node->kind == CONF_MAP && !stack[depth].pending_key) {
                stack[depth].pending_key = cn_strdup(val);
                stack[depth].key_line = line;
                if (!stack[depth].pending_key) {
                    yaml_event_delete(&ev);
                    goto out_nomem;
                }
                break;
            }
            if (tag && !strcmp(tag, "!include")) {
                newnode = load_include(ld, file, line, val);
                if (!newnode) {
                    yaml_event_delete(&ev);
                    goto out_fail;
                }
            } else {
                newnode = node_new(CONF_SCALAR, NULL, file, line);
                if (!newnode || !(newnode->value = cn_strdup(val))) {
                    node_free(newnode);
                    yaml_event_delete(&ev);
                    goto out_nomem;
                }
            }
            break;
        }
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            newnode = node_new(ev.type == YAML_MAPPING_START_EVENT ? CONF_MAP : CONF_SEQ, NULL,
                               file, line);
            if (!newnode) {
                yaml_event_delete(&ev);
                goto out_nomem;
            }
            is_container = true;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (depth >= 0) {
                cn_free(stack[depth].pending_key);
                depth--;
            }
            break;
        case YAML_ALIAS_EVENT:
            snprintf(ld->err, ld->errlen, "%s:%d: YAML aliases are not supported", file, line);
            yaml_event_delete(&ev);
            goto out_fail;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (!newnode)
            continue;
        if (++ld->nodes > CONF_MAX_NODES) {
            node_free(newnode);
            snprintf(ld->err, ld->errlen, "%s:%d: more than %d configuration nodes", file, line,
                     CONF_MAX_NODES);
            goto out_fail;
        }
        if (depth < 0) {
            if (root) { /* a second document: ignore it */
                node_free(newnode);
                continue;
            }
            root = newnode;
        } else {
            struct frame *top = &stack[depth];
            if (top->node->kind == CONF_MAP) {
                char *key = top->pending_key;
                top->pending_key = NULL;
                if (!strcmp(key, "include") && !is_container && newnode->value) {
                    struct cn_conf *inc = load_include(ld, file, line, newnode->value);
                    node_free(newnode);
                    cn_free(key);
                    if (!inc)
                        goto out_fail;
                    if (inc->kind == CONF_MAP)
                        map_merge(top->node, inc);
                    else
                        node_free(inc);
                    continue;
                }
                newnode->name = key;
                newnode->line = top->key_line;
                map_put(top->node, newnode);
            } else {
                child_append(top->node, newnode);
            }
        }
        if (is_container) {
            if (depth + 1 >= CONF_MAX_DEPTH) {
                snprintf(ld->err, ld->errlen, "%s:%d: nested deeper than %d levels", file, line,
                         CONF_MAX_DEPTH);
                goto out_fail;
            }
            depth++;
            stack[depth].node = newnode;
            stack[depth].pending_key = NULL;
        }
    }
    if (!root)
        root = node_new(CONF_MAP, NULL, file, 1);
    return root;

out_nomem:
    snprintf(ld->err, ld->errlen, "%s: out of memory", file);
out_fail:
    for (; depth >= 0; depth--)
        cn_free(stack[depth].pending_key);
    node_free(root);
    return NULL;
}

static struct cn_conf *load_file(struct loader *ld, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(ld->err, ld->errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp)) {
        fclose(f);
        snprintf(ld->err, ld->errlen, "%s: cannot initialise the YAML parser", path);
        return NULL;
    }
    yaml_parser_set_input_file(&yp, f);
    struct cn_conf *root = parse_events(ld, &yp, intern_file(path));
    yaml_parser_delete(&yp);
    fclose(f);
    if (root && root->kind != CONF_MAP) {
        snprintf(ld->err, ld->errlen, "%s:%d: expected a map of keys at the top level", path,
                 root->line);
        node_free(root);
        return NULL;
    }
    return root;
}

struct cn_conf *cn_conf_load(const char *path, char *err, size_t errlen)
{
    struct loader ld = {err, errlen, 0, 0};
    return load_file(&ld, path);
}

struct cn_conf *cn_conf_new(void)
{
    return node_new(CONF_MAP, NULL, "(built-in)", 0);
}

void cn_conf_free(struct cn_conf *root)
{
    node_free(root);
}

/* Walks one dotted component; create makes missing maps (or appends to a sequence when the
 * component is the next index). */
static struct cn_conf *step(struct cn_conf *n, const char *comp, size_t len, bool create)
{
    struct cn_conf *c = child_by_name(n, comp, len);
    if (c || !create)
        return c;
    char name[128];
    if (len >= sizeof(name))
        return NULL;
    memcpy(name, comp, len);
    name[len] = '\0';
    if (n->kind == CONF_SCALAR) { /* a scalar becomes a map when a key is set below it */
        cn_free(n->value);
        n->value = NULL;
        n->kind = CONF_MAP;
    }
    c = node_new(CONF_MAP, name, "--set", 0);
    if (!c)
        return NULL;
    child_append(n, c);
    return c;
}

static struct cn_conf *walk(struct cn_conf *root, const char *path, bool create)
{
    struct cn_conf *n = root;
    const char *p = path;
    while (n && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        n = step(n, p, len, create);
        p += len;
        if (*p == '.')
            p++;
    }
    return n;
}

struct cn_conf *cn_conf_find(struct cn_conf *root, const char *path)
{
    return root ? walk(root, path, false) : NULL;
}

int cn_conf_set(struct cn_conf *root, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        snprintf(err, errlen, "--set %s: expected key=value", assignment);
        return -CN_EINVAL;
    }
    char key[256];
    size_t klen = (size_t)(eq - assignment);
    if (klen >= sizeof(key)) {
        snprintf(err, errlen, "--set: key too long");
        return -CN_EINVAL;
    }
    memcpy(key, assignment, klen);
    key[klen] = '\0';
    struct cn_conf *n = walk(root, key, true);
    if (!n) {
        snprintf(err, errlen, "--set %s: cannot create the key", key);
        return -CN_EINVAL;
    }
    node_free(n->first);
    n->first = n->last = NULL;
    cn_free(n->value);
    n->kind = CONF_SCALAR;
    n->value = cn_strdup(eq + 1);
    n->file = "--set";
    n->line = 0;
    return n->value ? 0 : -CN_ENOMEM;
}

const char *cn_conf_value(const struct cn_conf *n)
{
    return n && n->kind == CONF_SCALAR ? n->value : NULL;
}

const char *cn_conf_name(const struct cn_conf *n)
{
    return n ? n->name : NULL;
}

bool cn_conf_is_seq(const struct cn_conf *n)
{
    return n && n->kind == CONF_SEQ;
}

bool cn_conf_is_map(const struct cn_conf *n)
{
    return n && n->kind == CONF_MAP;
}

struct cn_conf *cn_conf_first(struct cn_conf *n)
{
    return n ? n->first : NULL;
}

struct cn_conf *cn_conf_next(struct cn_conf *n)
{
    return n ? n->next : NULL;
}

const char *cn_conf_file(const struct cn_conf *n)
{
    return n ? n->file : NULL;
}

int cn_conf_line(const struct cn_conf *n)
{
    return n ? n->line : 0;
}

static int bad_value(const struct cn_conf *n, const char *path, const char *what, char *err,
                     size_t errlen)
{
    const char *v = cn_conf_value(n);
    if (n->line > 0)
        snprintf(err, errlen, "%s: expected %s, got '%s' (%s:%d)", path, what,
                 v ? v : "a map or list", n->file, n->line);
    else
        snprintf(err, errlen, "%s: expected %s, got '%s' (%s)", path, what, v ? v : "a map or list",
                 n->file);
    return -CN_EINVAL;
}

int cn_conf_get_bool(struct cn_conf *root, const char *path, bool def, bool *out, char *err,
                     size_t errlen)
{
    struct cn_conf *n = cn_conf_find(root, path);
    *out = def;
    if (!n)
        return 0;
    if (cn_parse_bool(cn_conf_value(n), out) != 0)
        return bad_value(n, path, "yes or no", err, errlen);
    return 0;
}

int cn_conf_get_u64(struct cn_conf *root, const char *path, uint64_t def, uint64_t *out, char *err,
                    size_t errlen)
{
    struct cn_conf *n = cn_conf_find(root, path);
    *out = def;
    if (!n)
        return 0;
    if (cn_parse_u64(cn_conf_value(n), out) != 0)
        return bad_value(n, path, "a whole number", err, errlen);
    return 0;
}

int cn_conf_get_size(struct cn_conf *root, const char *path, uint64_t def, uint64_t *out, char *err,
                     size_t errlen)
{
    struct cn_conf *n = cn_conf_find(root, path);
    *out = def;
    if (!n)
        return 0;
    if (cn_parse_size(cn_conf_value(n), out) != 0)
        return bad_value(n, path, "a size such as 64mb or 1gb", err, errlen);
    return 0;
}

const char *cn_conf_get_str(struct cn_conf *root, const char *path, const char *def)
{
    const char *v = cn_conf_value(cn_conf_find(root, path));
    return v ? v : def;
}
