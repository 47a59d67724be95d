/* dataset: the named sets behind the dataset and datarep keywords, and the datasets: section of
 * the configuration. A set holds values of one type (string, md5, sha256, ipv4, ip), each with
 * a 16-bit reputation (0 unless the load file gave one). Sets belong to the rule set and are
 * shared by every worker: dataset:set and dataset:unset change them while packets are being
 * inspected, so each set is a chained hash table whose buckets are guarded by a small array of
 * read-write locks (bucket i by lock i % nlocks): lookups of different buckets never wait on
 * each other, and a lookup waits only for a writer of its own stripe. Every entry and the bucket
 * array count against the set's memcap; an add that would pass it is refused.
 *
 * Files follow Suricata: one value per line, optionally ",<reputation>" (0-65535); string
 * values are base64 (nettle decodes and encodes), md5 and sha256 are hex, addresses are text.
 * A bad line is reported as "file:line: reason" and skipped; the rest still loads. Sets with a
 * save (or state) file are written back by cn_datasets_save() when the engine stops, in the
 * same format, and only to the path resolved at load time. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <nettle/base64.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#include "detect/detect_int.h"

#define LINE_MAX_LEN    (64u * 1024u) /* longer lines are refused, not truncated */
#define LOCKS_MAX       256u
#define HASHSIZE_LIMIT  65536u    /* datasets.limits.single-hashsize default */
#define HASHSIZES_LIMIT 16777216u /* datasets.limits.total-hashsizes default */
#define ENTRY_OVERHEAD  ((uint64_t)sizeof(struct entry) + 16u)

struct entry {
    struct entry *next;
    uint32_t hash;
    uint32_t len;
    uint16_t rep;
    uint8_t data[];
};

struct cn_dataset {
    char name[CN_DATASET_NAME_MAX + 1];
    enum cn_dataset_type type;
    char *load, *save; /* owned; NULL when none */
    uint64_t memcap;
    uint32_t nbuckets, nlocks;
    struct entry **buckets;
    pthread_rwlock_t *locks;
    uint64_t seed;
    uint64_t memuse;  /* atomic */
    uint64_t count;   /* atomic */
    uint64_t refused; /* atomic: adds refused at the memcap */
    unsigned bad_lines;
    char first_bad[192];
};

struct cn_datasets {
    struct cn_dataset **v;
    unsigned n;
    uint64_t def_memcap;
    uint32_t def_hashsize;
    uint32_t single_hashsize, total_hashsizes, used_hashsizes;
    bool allow_absolute, allow_write;
    char *data_dir;       /* default-data-dir; NULL: not configured */
    char *rule_path;      /* default-rule-path; NULL: none */
    pthread_mutex_t lock; /* the list of sets (rules load on one thread, but keep it honest) */
};

/* ---- values ---- */

static uint32_t fixed_len(enum cn_dataset_type t)
{
    switch (t) {
    case CN_DATASET_MD5:
        return 16;
    case CN_DATASET_SHA256:
        return 32;
    case CN_DATASET_IPV4:
        return 4;
    case CN_DATASET_IP:
        return 16;
    default:
        return 0;
    }
}

enum cn_dataset_type cn_dataset_type_parse(const char *s)
{
    static const struct {
        const char *name;
        enum cn_dataset_type t;
    } types[] = {{"string", CN_DATASET_STRING}, {"md5", CN_DATASET_MD5},
                 {"sha256", CN_DATASET_SHA256}, {"ipv4", CN_DATASET_IPV4},
                 {"ip", CN_DATASET_IP},         {"ipv6", CN_DATASET_IP}};
    for (size_t i = 0; s != NULL && i < CN_ARRAY_LEN(types); i++)
        if (strcasecmp(s, types[i].name) == 0)
            return types[i].t;
    return CN_DATASET_NOTSET;
}

static const char *type_name(enum cn_dataset_type t)
{
    static const char *const names[] = {"notset", "string", "md5", "sha256", "ipv4", "ip"};
    return (unsigned)t < CN_ARRAY_LEN(names) ? names[t] : "?";
}

/* The stored form of data for a lookup, or NULL when data cannot be of the set's type: fixed
 * types need their exact length, except that an ip set takes a 4-byte IPv4 address (stored
 * zero-padded), as Suricata's lookup does. */
static const uint8_t *key_of(const struct cn_dataset *s, const uint8_t *data, uint32_t len,
                             uint8_t tmp[16], uint32_t *klen)
{
    uint32_t want = fixed_len(s->type);
    if (want == 0) {
        *klen = len;
        return data;
    }
    if (s->type == CN_DATASET_IP && len == 4) {
        memset(tmp, 0, 16);
        memcpy(tmp, data, 4);
        *klen = 16;
        return tmp;
    }
    if (len != want)
        return NULL;
    *klen = len;
    return data;
}

/* ---- the table ---- */

static inline uint32_t bucket_of(const struct cn_dataset *s, uint32_t h)
{
    return h % s->nbuckets;
}

static inline pthread_rwlock_t *lock_of(struct cn_dataset *s, uint32_t b)
{
    return &s->locks[b % s->nlocks];
}

static uint32_t hash_of(const struct cn_dataset *s, const uint8_t *k, uint32_t n)
{
    return (uint32_t)cn_hash_bytes(k, n, s->seed);
}

static struct entry *find(struct entry *e, uint32_t h, const uint8_t *k, uint32_t n)
{
    for (; e != NULL; e = e->next)
        if (e->hash == h && e->len == n && memcmp(e->data, k, n) == 0)
            return e;
    return NULL;
}

int cn_dataset_lookup(struct cn_dataset *s, const uint8_t *data, uint32_t len, uint16_t *rep)
{
    uint8_t tmp[16];
    uint32_t n;
    if (s == NULL || (data == NULL && len > 0))
        return -1;
    const uint8_t *k = key_of(s, data, len, tmp, &n);
    if (k == NULL)
        return -1;
    uint32_t h = hash_of(s, k, n), b = bucket_of(s, h);
    pthread_rwlock_t *l = lock_of(s, b);
    pthread_rwlock_rdlock(l);
    struct entry *e = find(s->buckets[b], h, k, n);
    if (e != NULL && rep != NULL)
        *rep = e->rep;
    pthread_rwlock_unlock(l);
    return e != NULL;
}

/* Adds k (already in stored form). */
static int add_key(struct cn_dataset *s, const uint8_t *k, uint32_t n, uint16_t rep)
{
    uint32_t h = hash_of(s, k, n), b = bucket_of(s, h);
    uint64_t cost = ENTRY_OVERHEAD + n;
    pthread_rwlock_t *l = lock_of(s, b);
    pthread_rwlock_wrlock(l);
    int rc = 0;
    if (find(s->buckets[b], h, k, n) != NULL)
        goto out_unlock;
    /* reserve first so two writers on different stripes cannot both pass the cap */
    uint64_t was = __atomic_fetch_add(&s->memuse, cost, __ATOMIC_RELAXED);
    if (was + cost > s->memcap) {
        __atomic_fetch_sub(&s->memuse, cost, __ATOMIC_RELAXED);
        __atomic_fetch_add(&s->refused, 1, __ATOMIC_RELAXED);
        rc = -1;
        goto out_unlock;
    }
    struct entry *e = cn_malloc(sizeof(*e) + n);
    if (e == NULL) {
        __atomic_fetch_sub(&s->memuse, cost, __ATOMIC_RELAXED);
        rc = -1;
        goto out_unlock;
    }
    e->hash = h;
    e->len = n;
    e->rep = rep;
    if (n)
        memcpy(e->data, k, n);
    e->next = s->buckets[b];
    s->buckets[b] = e;
    __atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
    rc = 1;
out_unlock:
    pthread_rwlock_unlock(l);
    return rc;
}

int cn_dataset_add(struct cn_dataset *s, const uint8_t *data, uint32_t len, uint16_t rep)
{
    if (s == NULL || (data == NULL && len > 0))
        return -1;
    /* adding takes the exact stored length (Suricata refuses a 4-byte value for an ip set) */
    uint32_t want = fixed_len(s->type);
    if (want && len != want)
        return -1;
    return add_key(s, data, len, rep);
}

int cn_dataset_remove(struct cn_dataset *s, const uint8_t *data, uint32_t len)
{
    uint8_t tmp[16];
    uint32_t n;
    if (s == NULL || (data == NULL && len > 0))
        return -1;
    const uint8_t *k = key_of(s, data, len, tmp, &n);
    if (k == NULL)
        return -1;
    uint32_t h = hash_of(s, k, n), b = bucket_of(s, h);
    pthread_rwlock_t *l = lock_of(s, b);
    pthread_rwlock_wrlock(l);
    int rc = 0;
    for (struct entry **pp = &s->buckets[b]; *pp != NULL; pp = &(*pp)->next) {
        struct entry *e = *pp;
        if (e->hash == h && e->len == n && memcmp(e->data, k, n) == 0) {
            *pp = e->next;
            __atomic_fetch_sub(&s->memuse, ENTRY_OVERHEAD + e->len, __ATOMIC_RELAXED);
            __atomic_fetch_sub(&s->count, 1, __ATOMIC_RELAXED);
            cn_free(e);
            rc = 1;
            break;
        }
    }
    pthread_rwlock_unlock(l);
    return rc;
}

uint64_t cn_dataset_count(const struct cn_dataset *s)
{
    return s ? __atomic_load_n(&s->count, __ATOMIC_RELAXED) : 0;
}

uint64_t cn_dataset_memuse(const struct cn_dataset *s)
{
    return s ? __atomic_load_n(&s->memuse, __ATOMIC_RELAXED) : 0;
}

unsigned cn_dataset_bad_lines(const struct cn_dataset *s, const char **first)
{
    if (first)
        *first = s && s->bad_lines ? s->first_bad : NULL;
    return s ? s->bad_lines : 0;
}

static void set_free(struct cn_dataset *s)
{
    if (s == NULL)
        return;
    for (uint32_t b = 0; s->buckets && b < s->nbuckets; b++) {
        struct entry *e = s->buckets[b];
        while (e) {
            struct entry *nx = e->next;
            cn_free(e);
            e = nx;
        }
    }
    for (uint32_t i = 0; s->locks && i < s->nlocks; i++)
        pthread_rwlock_destroy(&s->locks[i]);
    cn_free(s->locks);
    cn_free(s->buckets);
    cn_free(s->load);
    cn_free(s->save);
    cn_free(s);
}

static struct cn_dataset *set_new(const char *name, enum cn_dataset_type type, uint64_t memcap,
                                  uint32_t hashsize)
{
    struct cn_dataset *s = cn_calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->type = type;
    s->memcap = memcap;
    s->nbuckets = hashsize;
    s->nlocks = CN_MIN(hashsize, LOCKS_MAX);
    s->seed = cn_hash_mix64((uint64_t)cn_monotonic_ns() ^ (uint64_t)(uintptr_t)s);
    s->buckets = cn_calloc(hashsize, sizeof(*s->buckets));
    s->locks = cn_calloc(s->nlocks, sizeof(*s->locks));
    if (s->buckets == NULL || s->locks == NULL)
        goto out_free;
    for (uint32_t i = 0; i < s->nlocks; i++)
        pthread_rwlock_init(&s->locks[i], NULL);
    s->memuse = (uint64_t)hashsize * sizeof(*s->buckets);
    return s;
out_free:
    cn_free(s->buckets);
    cn_free(s->locks);
    s->buckets = NULL;
    s->locks = NULL;
    cn_free(s);
    return NULL;
}

/* ---- loading ---- */

static bool parse_hex(const char *s, size_t n, uint8_t *out, size_t outlen)
{
    return n == outlen * 2 && cn_hex_decode(s, out, outlen);
}

static bool parse_rep(const char *s, uint16_t *rep)
{
    if (*s == '\0' || strlen(s) > 5)
        return false;
    unsigned v = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
        v = v * 10 + (unsigned)(*s - '0');
    }
    if (v > 65535)
        return false;
    *rep = (uint16_t)v;
    return true;
}

/* IPv4 text, or IPv6 text (an IPv4-mapped ::ffff:a.b.c.d becomes the IPv4 form). */
static bool parse_ip(const char *s, enum cn_dataset_type t, uint8_t out[16])
{
    memset(out, 0, 16);
    if (t == CN_DATASET_IPV4 || strchr(s, ':') == NULL)
        return inet_pton(AF_INET, s, out) == 1;
    if (inet_pton(AF_INET6, s, out) != 1)
        return false;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(out, mapped, 12) == 0) {
        memmove(out, out + 12, 4);
        memset(out + 4, 0, 12);
    }
    return true;
}

/* Parses one line (no line break) into the stored key. Returns the key length, or -1 with the
 * reason in why. */
static long parse_line(enum cn_dataset_type t, char *line, uint8_t *key, size_t keycap,
                       uint16_t *rep, const char **why)
{
    *rep = 0;
    char *comma = strchr(line, ',');
    if (comma != NULL) {
        *comma = '\0';
        if (!parse_rep(comma + 1, rep)) {
            *why = "bad reputation value (expected 0-65535)";
            return -1;
        }
    }
    size_t n = strlen(line);
    switch (t) {
    case CN_DATASET_STRING: {
        struct base64_decode_ctx b64;
        size_t out = keycap;
        base64_decode_init(&b64);
        if (BASE64_DECODE_LENGTH(n) > keycap || !base64_decode_update(&b64, &out, key, n, line) ||
            !base64_decode_final(&b64)) {
            *why = "bad base64 value";
            return -1;
        }
        return (long)out;
    }
    case CN_DATASET_MD5:
    case CN_DATASET_SHA256:
        if (!parse_hex(line, n, key, fixed_len(t))) {
            *why = t == CN_DATASET_MD5 ? "expected 32 hex digits (md5)"
                                       : "expected 64 hex digits (sha256)";
            return -1;
        }
        return fixed_len(t);
    case CN_DATASET_IPV4:
    case CN_DATASET_IP:
        if (!parse_ip(line, t, key)) {
            *why = t == CN_DATASET_IPV4 ? "bad IPv4 address" : "bad IP address";
            return -1;
        }
        return fixed_len(t);
    default:
        *why = "no type";
        return -1;
    }
}

static void bad_line(struct cn_dataset *s, const char *file, unsigned line, const char *why)
{
    char msg[sizeof(s->first_bad)];
    snprintf(msg, sizeof(msg), "%s:%u: dataset '%s': %s", file, line, s->name, why);
    cn_err("%s", msg);
    if (s->bad_lines++ == 0)
        memcpy(s->first_bad, msg, sizeof(msg));
}

/* Loads s->load. A missing file is an error unless the set keeps its state in it (state: a
 * first run starts empty). */
static int set_load(struct cn_dataset *s, bool is_state, char *err, size_t errlen)
{
    FILE *f = fopen(s->load, "r");
    if (f == NULL) {
        if (errno == ENOENT && is_state)
            return 0;
        snprintf(err, errlen, "dataset '%s': cannot open %s: %s", s->name, s->load,
                 strerror(errno));
        return -CN_EIO;
    }
    int rc = 0;
    char *line = cn_malloc(LINE_MAX_LEN + 2);
    uint8_t *key = cn_malloc(LINE_MAX_LEN);
    if (line == NULL || key == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -CN_ENOMEM;
        goto out_close;
    }
    unsigned lineno = 0;
    while (fgets(line, LINE_MAX_LEN + 2, f) != NULL) {
        lineno++;
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
            bad_line(s, s->load, lineno, "line too long");
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
            continue;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        uint16_t rep;
        const char *why = NULL;
        long kl = parse_line(s->type, line, key, LINE_MAX_LEN, &rep, &why);
        if (kl < 0) {
            bad_line(s, s->load, lineno, why);
            continue;
        }
        if (add_key(s, key, (uint32_t)kl, rep) < 0) {
            snprintf(err, errlen, "dataset '%s': %s:%u: set memcap (%llu bytes) reached", s->name,
                     s->load, lineno, (unsigned long long)s->memcap);
            rc = -CN_ENOMEM;
            goto out_close;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "dataset '%s': read error on %s", s->name, s->load);
        rc = -CN_EIO;
    }
out_close:
    cn_free(line);
    cn_free(key);
    fclose(f);
    return rc;
}

/* ---- the registry ---- */

static struct cn_dataset *find_set(const struct cn_datasets *ds, const char *name)
{
    for (unsigned i = 0; i < ds->n; i++)
        if (strcasecmp(ds->v[i]->name, name) == 0)
            return ds->v[i];
    return NULL;
}

static bool same_path(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > CN_DATASET_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (isspace((unsigned char)name[i]) || name[i] == ',' || name[i] == ';')
            return false;
    return true;
}

struct cn_dataset *cn_datasets_get(struct cn_datasets *ds, const struct cn_dataset_spec *sp,
                                   char *err, size_t errlen)
{
    if (ds == NULL || sp == NULL || sp->name == NULL || !name_ok(sp->name)) {
        snprintf(err, errlen, "bad dataset name (1-%u characters, no blanks)", CN_DATASET_NAME_MAX);
        return NULL;
    }
    const char *load = sp->load && *sp->load ? sp->load : NULL;
    const char *save = sp->save && *sp->save ? sp->save : NULL;
    pthread_mutex_lock(&ds->lock);
    struct cn_dataset *s = find_set(ds, sp->name);
    if (s != NULL) {
        if (sp->type != CN_DATASET_NOTSET && sp->type != s->type) {
            snprintf(err, errlen, "dataset '%s' already exists with type %s", s->name,
                     type_name(s->type));
            s = NULL;
        } else if ((load || save) && (!same_path(load, s->load) || !same_path(save, s->save))) {
            /* a rule may use a set without naming its files, but not name other ones */
            snprintf(err, errlen, "dataset '%s' already exists with other load/save files",
                     s->name);
            s = NULL;
        }
        goto out_unlock;
    }
    if (sp->type == CN_DATASET_NOTSET) {
        snprintf(err, errlen, "dataset '%s' is not defined (give its type)", sp->name);
        goto out_unlock;
    }
    if (ds->n >= CN_DATASET_MAX_SETS) {
        snprintf(err, errlen, "too many datasets (at most %u)", CN_DATASET_MAX_SETS);
        goto out_unlock;
    }
    uint32_t hashsize = sp->hashsize ? sp->hashsize : ds->def_hashsize;
    uint64_t memcap = sp->memcap ? sp->memcap : ds->def_memcap;
    if (hashsize == 0 || hashsize > ds->single_hashsize) {
        snprintf(err, errlen, "dataset '%s': hashsize %u out of range (1-%u)", sp->name, hashsize,
                 ds->single_hashsize);
        goto out_unlock;
    }
    if ((uint64_t)ds->used_hashsizes + hashsize > ds->total_hashsizes) {
        snprintf(err, errlen, "dataset '%s': hashsize %u passes datasets.limits.total-hashsizes",
                 sp->name, hashsize);
        goto out_unlock;
    }
    if ((uint64_t)hashsize * sizeof(void *) >= memcap) {
        snprintf(err, errlen, "dataset '%s': memcap %llu is too small for hashsize %u", sp->name,
                 (unsigned long long)memcap, hashsize);
        goto out_unlock;
    }
    struct cn_dataset **v = cn_realloc(ds->v, (ds->n + 1) * sizeof(*v));
    if (v == NULL)
        goto out_nomem;
    ds->v = v;
    s = set_new(sp->name, sp->type, memcap, hashsize);
    if (s == NULL)
        goto out_nomem;
    if ((load && !(s->load = cn_strdup(load))) || (save && !(s->save = cn_strdup(save))))
        goto out_nomem_free;
    if (load && set_load(s, same_path(load, save), err, errlen) < 0) {
        set_free(s);
        s = NULL;
        goto out_unlock;
    }
    ds->v[ds->n++] = s;
    ds->used_hashsizes += hashsize;
    goto out_unlock;

out_nomem_free:
    set_free(s);
out_nomem:
    s = NULL;
    snprintf(err, errlen, "out of memory");
out_unlock:
    pthread_mutex_unlock(&ds->lock);
    return s;
}

/* ---- paths ---- */

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static bool has_traversal(const char *p)
{
    for (const char *s = p; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 2 && s[0] == '.' && s[1] == '.')
            return true;
        s += n;
        while (*s == '/')
            s++;
    }
    return false;
}

static int join(char *out, size_t outlen, const char *dir, size_t dlen, const char *name)
{
    int n = snprintf(out, outlen, "%.*s%s%s", (int)dlen, dir,
                     dlen && dir[dlen - 1] != '/' ? "/" : "", name);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int cn_datasets_load_path(const struct cn_datasets *ds, const char *rule_file, const char *name,
                          char *out, size_t outlen, char *err, size_t errlen)
{
    if (name[0] == '/' || (rule_file == NULL && (ds == NULL || ds->rule_path == NULL)))
        goto out_as_given;
    if (rule_file != NULL) {
        const char *slash = strrchr(rule_file, '/');
        size_t dlen = slash ? (size_t)(slash - rule_file) + 1 : 0;
        if (join(out, outlen, rule_file, dlen, name) == 0 && exists(out))
            return 0;
    }
    if (ds != NULL && ds->rule_path != NULL &&
        join(out, outlen, ds->rule_path, strlen(ds->rule_path), name) == 0 && exists(out))
        return 0;
out_as_given:
    if (snprintf(out, outlen, "%s", name) >= (int)outlen) {
        snprintf(err, errlen, "dataset file name too long");
        return -CN_EINVAL;
    }
    return 0;
}

int cn_datasets_save_path(const struct cn_datasets *ds, const char *name, char *out, size_t outlen,
                          char *err, size_t errlen)
{
    if (ds == NULL || !ds->allow_write) {
        snprintf(err, errlen,
                 "rules with dataset save/state are disabled "
                 "(datasets.rules.allow-write)");
        return -CN_EINVAL;
    }
    bool absolute = name[0] == '/';
    if (!ds->allow_absolute && (absolute || has_traversal(name))) {
        snprintf(err, errlen,
                 "dataset file '%.64s' must be a relative name without '..' "
                 "(datasets.rules.allow-absolute-filenames)",
                 name);
        return -CN_EINVAL;
    }
    if (absolute) {
        if (snprintf(out, outlen, "%s", name) >= (int)outlen)
            goto out_long;
        return 0;
    }
    if (ds->data_dir == NULL) {
        snprintf(err, errlen,
                 "dataset save/state files go under default-data-dir, which is "
                 "not configured");
        return -CN_EINVAL;
    }
    if (join(out, outlen, ds->data_dir, strlen(ds->data_dir), name) == 0)
        return 0;
out_long:
    snprintf(err, errlen, "dataset file name too long");
    return -CN_EINVAL;
}

/* ---- the datasets: section ---- */

static void conf_bad(unsigned *bad, const char *name, const char *key, const char *what)
{
    cn_err("datasets.%s%s%s: %s", name, key ? "." : "", key ? key : "", what);
    (*bad)++;
}

/* A configured set's file: relative names are under default-data-dir when one is configured,
 * else as written (relative to the working directory). */
static int conf_path(const struct cn_datasets *ds, const char *v, char *out, size_t outlen)
{
    if (v[0] != '/' && ds->data_dir != NULL)
        return join(out, outlen, ds->data_dir, strlen(ds->data_dir), v);
    return snprintf(out, outlen, "%s", v) >= (int)outlen ? -1 : 0;
}

static void conf_set(struct cn_datasets *ds, struct cn_conf *node, unsigned *bad)
{
    const char *name = cn_conf_name(node);
    if (!cn_conf_is_map(node)) {
        conf_bad(bad, name, NULL, "expected a map with type and optional load/state");
        return;
    }
    const char *type = cn_conf_get_str(node, "type", NULL);
    const char *state = cn_conf_get_str(node, "state", NULL);
    const char *load = cn_conf_get_str(node, "load", NULL);
    char lpath[CN_DATASET_PATH_MAX] = "", spath[CN_DATASET_PATH_MAX] = "", err[256];
    struct cn_dataset_spec sp = {.name = name, .type = cn_dataset_type_parse(type)};
    if (sp.type == CN_DATASET_NOTSET) {
        conf_bad(bad, name, "type", "expected string, md5, sha256, ipv4 or ip");
        return;
    }
    /* as in Suricata, state wins over load: the set is loaded from and saved to one file */
    if ((state && conf_path(ds, state, spath, sizeof(spath)) < 0) ||
        (!state && load && conf_path(ds, load, lpath, sizeof(lpath)) < 0)) {
        conf_bad(bad, name, NULL, "file name too long");
        return;
    }
    if (state)
        memcpy(lpath, spath, sizeof(lpath));
    sp.load = lpath;
    sp.save = spath;
    if (cn_conf_get_size(node, "memcap", 0, &sp.memcap, err, sizeof(err)) != 0) {
        conf_bad(bad, name, NULL, err);
        return;
    }
    uint64_t hs = 0;
    if (cn_conf_get_u64(node, "hashsize", 0, &hs, err, sizeof(err)) != 0 || hs > UINT32_MAX) {
        conf_bad(bad, name, "hashsize", "expected a number");
        return;
    }
    sp.hashsize = (uint32_t)hs;
    if (cn_datasets_get(ds, &sp, err, sizeof(err)) == NULL)
        conf_bad(bad, name, NULL, err);
}

static int conf_limits(struct cn_datasets *ds, struct cn_conf *conf, unsigned *bad)
{
    char err[256];
    uint64_t v = 0;
    bool b;
#define CONF_OR_BAD(call)                                                                          \
    do {                                                                                           \
        if ((call) != 0) {                                                                         \
            cn_err("%s", err);                                                                     \
            (*bad)++;                                                                              \
        }                                                                                          \
    } while (0)
    CONF_OR_BAD(cn_conf_get_size(conf, "datasets.defaults.memcap", CN_DATASET_MEMCAP_DEFAULT, &v,
                                 err, sizeof(err)));
    ds->def_memcap = v ? v : CN_DATASET_MEMCAP_DEFAULT;
    v = 0;
    CONF_OR_BAD(cn_conf_get_u64(conf, "datasets.defaults.hashsize", CN_DATASET_HASHSIZE_DEFAULT, &v,
                                err, sizeof(err)));
    ds->def_hashsize = v && v <= UINT32_MAX ? (uint32_t)v : CN_DATASET_HASHSIZE_DEFAULT;
    v = 0;
    CONF_OR_BAD(cn_conf_get_u64(conf, "datasets.limits.single-hashsize", HASHSIZE_LIMIT, &v, err,
                                sizeof(err)));
    /* bucket arrays are allocated up front: keep even an operator's limit sane */
    ds->single_hashsize = (uint32_t)CN_MIN(v ? v : HASHSIZE_LIMIT, 1u << 24);
    v = 0;
    CONF_OR_BAD(cn_conf_get_u64(conf, "datasets.limits.total-hashsizes", HASHSIZES_LIMIT, &v, err,
                                sizeof(err)));
    ds->total_hashsizes = (uint32_t)CN_MIN(v ? v : HASHSIZES_LIMIT, 1u << 26);
    b = false;
    CONF_OR_BAD(cn_conf_get_bool(conf, "datasets.rules.allow-absolute-filenames", false, &b, err,
                                 sizeof(err)));
    ds->allow_absolute = b;
    b = true;
    CONF_OR_BAD(cn_conf_get_bool(conf, "datasets.rules.allow-write", true, &b, err, sizeof(err)));
    ds->allow_write = b;
#undef CONF_OR_BAD
    const char *dd = cn_conf_get_str(conf, "default-data-dir", NULL);
    const char *rp = cn_conf_get_str(conf, "default-rule-path", NULL);
    if ((dd && *dd && !(ds->data_dir = cn_strdup(dd))) ||
        (rp && *rp && !(ds->rule_path = cn_strdup(rp))))
        return -CN_ENOMEM;
    return 0;
}

struct cn_datasets *cn_datasets_new(struct cn_conf *conf, unsigned *bad)
{
    unsigned scratch = 0;
    if (bad == NULL)
        bad = &scratch;
    struct cn_datasets *ds = cn_calloc(1, sizeof(*ds));
    if (ds == NULL)
        return NULL;
    pthread_mutex_init(&ds->lock, NULL);
    ds->def_memcap = CN_DATASET_MEMCAP_DEFAULT;
    ds->def_hashsize = CN_DATASET_HASHSIZE_DEFAULT;
    ds->single_hashsize = HASHSIZE_LIMIT;
    ds->total_hashsizes = HASHSIZES_LIMIT;
    ds->allow_write = true;
    if (conf == NULL)
        return ds;
    if (conf_limits(ds, conf, bad) < 0)
        goto out_free;
    struct cn_conf *sec = cn_conf_find(conf, "datasets");
    if (sec == NULL)
        return ds;
    if (!cn_conf_is_map(sec)) {
        cn_err("datasets: expected a map of named sets");
        (*bad)++;
        return ds;
    }
    for (struct cn_conf *c = cn_conf_first(sec); c; c = cn_conf_next(c)) {
        const char *name = cn_conf_name(c);
        if (name == NULL || !strcmp(name, "defaults") || !strcmp(name, "limits") ||
            !strcmp(name, "rules"))
            continue;
        conf_set(ds, c, bad);
    }
    return ds;
out_free:
    cn_datasets_free(ds);
    return NULL;
}

void cn_datasets_free(struct cn_datasets *ds)
{
    if (ds == NULL)
        return;
    for (unsigned i = 0; i < ds->n; i++) {
        struct cn_dataset *s = ds->v[i];
        uint64_t refused = __atomic_load_n(&s->refused, __ATOMIC_RELAXED);
        if (refused)
            cn_warn("dataset '%s': %llu additions refused at its memcap (%llu bytes)", s->name,
                    (unsigned long long)refused, (unsigned long long)s->memcap);
        set_free(s);
    }
    cn_free(ds->v);
    cn_free(ds->data_dir);
    cn_free(ds->rule_path);
    pthread_mutex_destroy(&ds->lock);
    cn_free(ds);
}

/* ---- saving ---- */

static bool write_entry(FILE *f, enum cn_dataset_type t, const struct entry *e, char *buf,
                        size_t buflen)
{
    switch (t) {
    case CN_DATASET_STRING:
        if (BASE64_ENCODE_RAW_LENGTH((size_t)e->len) + 1 > buflen)
            return false;
        base64_encode_raw(buf, e->len, e->data);
        buf[BASE64_ENCODE_RAW_LENGTH((size_t)e->len)] = '\0';
        break;
    case CN_DATASET_MD5:
    case CN_DATASET_SHA256:
        for (uint32_t i = 0; i < e->len; i++)
            snprintf(buf + 2 * i, 3, "%02x", e->data[i]);
        break;
    case CN_DATASET_IPV4:
        inet_ntop(AF_INET, e->data, buf, (socklen_t)buflen);
        break;
    case CN_DATASET_IP: {
        static const uint8_t zero[12];
        bool v4 = memcmp(e->data + 4, zero, 12) == 0;
        inet_ntop(v4 ? AF_INET : AF_INET6, e->data, buf, (socklen_t)buflen);
        break;
    }
    default:
        return false;
    }
    return fprintf(f, "%s\n", buf) > 0;
}

unsigned cn_datasets_save(struct cn_datasets *ds)
{
    unsigned failed = 0;
    if (ds == NULL)
        return 0;
    char *buf = cn_malloc(BASE64_ENCODE_RAW_LENGTH((size_t)LINE_MAX_LEN) + 64);
    if (buf == NULL)
        return ds->n;
    size_t buflen = BASE64_ENCODE_RAW_LENGTH((size_t)LINE_MAX_LEN) + 64;
    pthread_mutex_lock(&ds->lock);
    for (unsigned i = 0; i < ds->n; i++) {
        struct cn_dataset *s = ds->v[i];
        if (s->save == NULL)
            continue;
        FILE *f = fopen(s->save, "w");
        if (f == NULL) {
            cn_err("dataset '%s': cannot write %s: %s", s->name, s->save, strerror(errno));
            failed++;
            continue;
        }
        bool ok = true;
        for (uint32_t b = 0; b < s->nbuckets && ok; b++) {
            pthread_rwlock_t *l = lock_of(s, b);
            pthread_rwlock_rdlock(l);
            for (const struct entry *e = s->buckets[b]; e && ok; e = e->next)
                ok = write_entry(f, s->type, e, buf, buflen);
            pthread_rwlock_unlock(l);
        }
        if (fclose(f) != 0 || !ok) {
            cn_err("dataset '%s': write error on %s", s->name, s->save);
            failed++;
        }
    }
    pthread_mutex_unlock(&ds->lock);
    cn_free(buf);
    return failed;
}

unsigned cn_detect_datasets_save(const struct cn_ruleset *rs)
{
    return rs ? cn_datasets_save(rs->ld.datasets) : 0;
}
