/* rules: reading rule files. Turns a file into rule texts with their line numbers: blank
 * lines and '#' comments are dropped (a commented-out rule is counted as skipped), a line
 * ending in a backslash continues on the next one, CRLF line ends are accepted, and a rule
 * longer than CN_RULE_MAX_LEN is reported as too long without being buffered whole, so a
 * hostile file cannot make the loader grow without bound. A NUL byte inside a rule fails
 * that rule. Parsing the text is parse.c's job. */
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include "detect/detect_int.h"

#define READ_CHUNK (64u * 1024u)

struct reader {
    struct cn_detect_report *report;
    cn_detect_rule_fn fn;
    void *arg;
    char *acc;      /* the logical line being assembled, NUL-terminated when handed on */
    size_t len;     /* bytes in acc */
    int start_line; /* line the logical line began on; 0 = none begun */
    bool overflow;  /* more than CN_RULE_MAX_LEN bytes: the rest is dropped */
    bool nul;       /* a NUL byte was seen */
};

/* "# alert tcp ..." is a disabled rule, "# some words" a comment. */
static bool commented_rule(const char *s)
{
    static const char *const actions[] = {"alert",     "pass",      "drop",      "reject",
                                          "rejectsrc", "rejectdst", "rejectboth"};
    while (*s == '#' || cn_rule_blank(*s))
        s++;
    for (size_t i = 0; i < CN_ARRAY_LEN(actions); i++) {
        size_t n = strlen(actions[i]);
        if (strncmp(s, actions[i], n) == 0 && (s[n] == ' ' || s[n] == '\t'))
            return true;
    }
    return false;
}

static void finish_logical(struct reader *rd)
{
    char *s = rd->acc;
    size_t n = rd->len;
    s[n] = '\0';
    while (n > 0 && cn_rule_blank(s[n - 1]))
        s[--n] = '\0';
    while (*s != '\0' && cn_rule_blank(*s))
        s++;
    int line = rd->start_line;
    bool overflow = rd->overflow, nul = rd->nul;
    rd->len = 0;
    rd->start_line = 0;
    rd->overflow = rd->nul = false;

    if (*s == '\0')
        return;
    if (*s == '#') {
        if (commented_rule(s))
            rd->report->skipped++;
        return;
    }
    if (overflow)
        rd->fn(rd->arg, NULL, line);
    else if (nul)
        rd->fn(rd->arg, "", line);
    else
        rd->fn(rd->arg, s, line);
}

/* The physical line just ended: either the rule goes on (backslash) or it is complete. */
static void end_physical(struct reader *rd, size_t phys_start, char last)
{
    if (last == '\\' && !rd->overflow) {
        /* drop the trailing white space and the backslash; join directly */
        while (rd->len > phys_start && cn_rule_blank(rd->acc[rd->len - 1]))
            rd->len--;
        if (rd->len > phys_start && rd->acc[rd->len - 1] == '\\')
            rd->len--;
        return;
    }
    if (last == '\\')
        return; /* an over-long rule still ends where its continuation ends */
    finish_logical(rd);
}

static int read_stream(FILE *f, struct cn_detect_report *report, cn_detect_rule_fn fn, void *arg);

int cn_detect_read_rules(const char *path, struct cn_detect_report *report, cn_detect_rule_fn fn,
                         void *arg)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return errno == ENOENT ? -CN_ENOENT : -CN_EIO;
    return read_stream(f, report, fn, arg);
}

int cn_detect_read_rules_text(const char *text, struct cn_detect_report *report,
                              cn_detect_rule_fn fn, void *arg)
{
    size_t len = strlen(text);
    if (len == 0)
        return 0;
    FILE *f = fmemopen((void *)text, len, "rb");
    if (f == NULL)
        return -CN_ENOMEM;
    return read_stream(f, report, fn, arg);
}

/* Reads rules from f and closes it. */
static int read_stream(FILE *f, struct cn_detect_report *report, cn_detect_rule_fn fn, void *arg)
{
    int rc = 0;
    struct reader rd = {.report = report, .fn = fn, .arg = arg};
    char *buf = cn_malloc(READ_CHUNK);
    rd.acc = cn_malloc(CN_RULE_MAX_LEN + 1);
    if (buf == NULL || rd.acc == NULL) {
        rc = -CN_ENOMEM;
        goto out_free;
    }
    int lineno = 1;
    size_t phys_start = 0;
    char last = 0; /* last non-blank byte of the physical line */
    size_t got;
    while ((got = fread(buf, 1, READ_CHUNK, f)) > 0) {
        for (size_t i = 0; i < got; i++) {
            char c = buf[i];
            if (rd.start_line == 0)
                rd.start_line = lineno;
            if (c == '\n') {
                end_physical(&rd, phys_start, last);
                phys_start = rd.len;
                last = 0;
                lineno++;
                continue;
            }
            if (!cn_rule_blank(c))
                last = c;
            if (c == '\0')
                rd.nul = true;
            if (rd.len < CN_RULE_MAX_LEN)
                rd.acc[rd.len++] = c;
            else
                rd.overflow = true;
        }
    }
    if (ferror(f))
        rc = -CN_EIO;
    if (rd.start_line != 0)
        finish_logical(&rd);

out_free:
    cn_free(buf);
    cn_free(rd.acc);
    fclose(f);
    return rc;
}
