/* classification: the class table that classtype: names (classification.config) and the
 * reference systems (reference.config). Both files use Suricata's line format:
 *   config classification: shortname,short description,priority
 *   config reference: system url
 * '#' starts a comment line. A malformed line is logged with its file and line and skipped,
 * as Suricata does; the rules that name a missing class then fail on their own.
 *
 * Without a classification file the built-in table below applies: the class names,
 * descriptions and priorities of the classification.config that Suricata and the ET Open
 * rule set ship, so classtype: in common rules resolves the same way. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect_int.h"

#define LINE_MAX_ 4096

static const struct {
    const char *name, *desc;
    int priority;
} builtin[] = {
    {"not-suspicious", "Not Suspicious Traffic", 3},
    {"unknown", "Unknown Traffic", 3},
    {"bad-unknown", "Potentially Bad Traffic", 2},
    {"attempted-recon", "Attempted Information Leak", 2},
    {"successful-recon-limited", "Information Leak", 2},
    {"successful-recon-largescale", "Large Scale Information Leak", 2},
    {"attempted-dos", "Attempted Denial of Service", 2},
    {"successful-dos", "Denial of Service", 2},
    {"attempted-user", "Attempted User Privilege Gain", 1},
    {"unsuccessful-user", "Unsuccessful User Privilege Gain", 1},
    {"successful-user", "Successful User Privilege Gain", 1},
    {"attempted-admin", "Attempted Administrator Privilege Gain", 1},
    {"successful-admin", "Successful Administrator Privilege Gain", 1},
    {"rpc-portmap-decode", "Decode of an RPC Query", 2},
    {"shellcode-detect", "Executable code was detected", 1},
    {"string-detect", "A suspicious string was detected", 3},
    {"suspicious-filename-detect", "A suspicious filename was detected", 2},
    {"suspicious-login", "An attempted login using a suspicious username was detected", 2},
    {"system-call-detect", "A system call was detected", 2},
    {"tcp-connection", "A TCP connection was detected", 4},
    {"trojan-activity", "A Network Trojan was detected", 1},
    {"unusual-client-port-connection", "A client was using an unusual port", 2},
    {"network-scan", "Detection of a Network Scan", 3},
    {"denial-of-service", "Detection of a Denial of Service Attack", 2},
    {"non-standard-protocol", "Detection of a non-standard protocol or event", 2},
    {"protocol-command-decode", "Generic Protocol Command Decode", 3},
    {"web-application-activity", "access to a potentially vulnerable web application", 2},
    {"web-application-attack", "Web Application Attack", 1},
    {"misc-activity", "Misc activity", 3},
    {"misc-attack", "Misc Attack", 2},
    {"icmp-event", "Generic ICMP event", 3},
    {"inappropriate-content", "Inappropriate Content was Detected", 1},
    {"policy-violation", "Potential Corporate Privacy Violation", 1},
    {"default-login-attempt", "Attempt to login by a default username and password", 2},
    {"targeted-activity", "Targeted Malicious Activity was Detected", 1},
    {"exploit-kit", "Exploit Kit Activity Detected", 1},
    {"external-ip-check", "Device Retrieving External IP Address Detected", 2},
    {"domain-c2", "Domain Observed Used for C2 Detected", 1},
    {"pup-activity", "Possibly Unwanted Program Detected", 2},
    {"credential-theft", "Successful Credential Theft Detected", 1},
    {"social-engineering", "Possible Social Engineering Attempted", 2},
    {"coin-mining", "Crypto Currency Mining Activity Detected", 2},
    {"command-and-control", "Malware Command and Control Activity Detected", 1},
};

struct class_vec {
    struct cn_classtype *v;
    unsigned n, cap;
};

static char *dup_range(const char *s, size_t n)
{
    char *d = cn_malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void classes_free(struct cn_classtype *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        cn_free(v[i].name);
        cn_free(v[i].desc);
    }
    cn_free(v);
}

/* Adds a class; a second definition of a name replaces the first. */
static int class_add(struct class_vec *cv, const char *name, size_t nlen, const char *desc,
                     size_t dlen, int prio)
{
    char *n = dup_range(name, nlen), *d = dup_range(desc, dlen);
    if (n == NULL || d == NULL)
        goto out_free;
    for (unsigned i = 0; i < cv->n; i++) {
        if (strcasecmp(cv->v[i].name, n) == 0) {
            cn_free(cv->v[i].name);
            cn_free(cv->v[i].desc);
            cv->v[i] = (struct cn_classtype){n, d, prio};
            return 0;
        }
    }
    if (cv->n == cv->cap) {
        unsigned cap = cv->cap ? cv->cap * 2 : 64;
        struct cn_classtype *v = cn_realloc(cv->v, cap * sizeof(*v));
        if (v == NULL)
            goto out_free;
        cv->v = v;
        cv->cap = cap;
    }
    cv->v[cv->n++] = (struct cn_classtype){n, d, prio};
    return 0;

out_free:
    cn_free(n);
    cn_free(d);
    return -CN_ENOMEM;
}

static int class_cmp(const void *a, const void *b)
{
    const struct cn_classtype *x = a, *y = b;
    return strcasecmp(x->name, y->name);
}

/* "config <what>:" at the start of line (after white space); returns what follows. */
static const char *config_line(const char *line, const char *what)
{
    while (cn_rule_blank(*line))
        line++;
    if (strncmp(line, "config", 6) != 0 || !cn_rule_blank(line[6]))
        return NULL;
    line += 6;
    while (cn_rule_blank(*line))
        line++;
    size_t wl = strlen(what);
    if (strncasecmp(line, what, wl) != 0)
        return NULL;
    line += wl;
    while (cn_rule_blank(*line))
        line++;
    return *line == ':' ? line + 1 : NULL;
}

/* name,description,priority: the description may hold commas, the priority follows the
 * last one. Returns 0, -CN_EINVAL for a malformed line, -CN_ENOMEM. */
static int class_line(struct class_vec *cv, const char *rest)
{
    const char *c1 = strchr(rest, ','), *c2 = strrchr(rest, ',');
    if (c1 == NULL || c2 == c1)
        return -CN_EINVAL;
    const char *name = rest, *desc = c1 + 1, *prio = c2 + 1;
    size_t nl = (size_t)(c1 - rest), dl = (size_t)(c2 - desc), pl = strlen(prio);
    cn_set_trim(&name, &nl);
    cn_set_trim(&desc, &dl);
    cn_set_trim(&prio, &pl);
    if (nl == 0 || dl == 0 || pl == 0 || pl > 3)
        return -CN_EINVAL;
    for (size_t i = 0; i < nl; i++)
        if (!(isalnum((unsigned char)name[i]) || name[i] == '-' || name[i] == '_'))
            return -CN_EINVAL;
    int p = 0;
    for (size_t i = 0; i < pl; i++) {
        if (prio[i] < '0' || prio[i] > '9')
            return -CN_EINVAL;
        p = p * 10 + (prio[i] - '0');
    }
    if (p < 1 || p > 255)
        return -CN_EINVAL;
    return class_add(cv, name, nl, desc, dl, p);
}

/* Reads a config file line by line; fn handles each line's text after "config <what>:". */
static int read_config(const char *path, const char *what, int (*fn)(void *, const char *),
                       void *arg)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        cn_err("%s: cannot open %s file: %s", path, what, strerror(errno));
        return -CN_EINVAL;
    }
    char line[LINE_MAX_];
    int lineno = 0, rc = 0;
    bool truncated = false;
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t n = strlen(line);
        bool whole = n > 0 && line[n - 1] == '\n';
        bool cont = truncated;
        truncated = !whole && !feof(f);
        if (cont)
            continue; /* the rest of an over-long line */
        lineno++;
        if (truncated) {
            cn_warn("%s:%d: line too long, ignored", path, lineno);
            continue;
        }
        const char *s = line;
        while (cn_rule_blank(*s))
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        const char *rest = config_line(s, what);
        int r = rest != NULL ? fn(arg, rest) : -CN_EINVAL;
        if (r == -CN_ENOMEM) {
            rc = r;
            break;
        }
        if (r < 0)
            cn_warn("%s:%d: malformed %s line, ignored", path, lineno, what);
    }
    fclose(f);
    return rc;
}

static int class_fn(void *arg, const char *rest)
{
    return class_line(arg, rest);
}

int cn_detect_classes_load(struct cn_detect_loader *ld, const char *path)
{
    struct class_vec cv = {0};
    int rc = -CN_EINVAL;
    if (path != NULL) {
        rc = read_config(path, "classification", class_fn, &cv);
        if (rc == -CN_ENOMEM)
            goto out_free;
        if (rc < 0)
            cn_err("%s: using the built-in classification table", path);
    }
    if (rc < 0) {
        classes_free(cv.v, cv.n);
        memset(&cv, 0, sizeof(cv));
        for (size_t i = 0; i < CN_ARRAY_LEN(builtin); i++) {
            if (class_add(&cv, builtin[i].name, strlen(builtin[i].name), builtin[i].desc,
                          strlen(builtin[i].desc), builtin[i].priority) < 0) {
                rc = -CN_ENOMEM;
                goto out_free;
            }
        }
    }
    if (cv.n > 1)
        qsort(cv.v, cv.n, sizeof(*cv.v), class_cmp);
    classes_free(ld->classes, ld->nclasses);
    ld->classes = cv.v;
    ld->nclasses = cv.n;
    return 0;

out_free:
    classes_free(cv.v, cv.n);
    return -CN_ENOMEM;
}

const struct cn_classtype *cn_detect_classtype(const struct cn_detect_loader *ld, const char *name)
{
    if (ld == NULL || name == NULL)
        return NULL;
    unsigned lo = 0, hi = ld->nclasses;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        int c = strcasecmp(ld->classes[mid].name, name);
        if (c == 0)
            return &ld->classes[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

struct ref_vec {
    char **v;
    unsigned n, cap;
};

static int ref_fn(void *arg, const char *rest)
{
    struct ref_vec *rv = arg;
    while (cn_rule_blank(*rest))
        rest++;
    size_t n = 0;
    while (rest[n] != '\0' && !cn_rule_blank(rest[n]))
        n++;
    const char *url = rest + n;
    while (cn_rule_blank(*url))
        url++;
    if (n == 0 || *url == '\0')
        return -CN_EINVAL;
    for (unsigned i = 0; i < rv->n; i++)
        if (strlen(rv->v[i]) == n && strncasecmp(rv->v[i], rest, n) == 0)
            return 0;
    if (rv->n == rv->cap) {
        unsigned cap = rv->cap ? rv->cap * 2 : 32;
        char **v = cn_realloc(rv->v, cap * sizeof(*v));
        if (v == NULL)
            return -CN_ENOMEM;
        rv->v = v;
        rv->cap = cap;
    }
    char *name = dup_range(rest, n);
    if (name == NULL)
        return -CN_ENOMEM;
    rv->v[rv->n++] = name;
    return 0;
}

static void refs_free(char **v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        cn_free(v[i]);
    cn_free(v);
}

int cn_detect_references_load(struct cn_detect_loader *ld, const char *path)
{
    if (path == NULL)
        return 0;
    struct ref_vec rv = {0};
    int rc = read_config(path, "reference", ref_fn, &rv);
    if (rc == -CN_ENOMEM) {
        refs_free(rv.v, rv.n);
        return rc;
    }
    refs_free(ld->ref_names, ld->nrefs);
    ld->ref_names = rv.v;
    ld->nrefs = rv.n;
    return 0;
}

void cn_detect_loader_clear(struct cn_detect_loader *ld)
{
    classes_free(ld->classes, ld->nclasses);
    refs_free(ld->ref_names, ld->nrefs);
    ld->classes = NULL;
    ld->ref_names = NULL;
    ld->nclasses = ld->nrefs = 0;
}
