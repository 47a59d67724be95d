/* The command line: Suricata's familiar flags, so scripts written for Suricata keep working,
 * plus --threads. --help lists exactly what this build does. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "main/main_int.h"

static const char usage_text[] =
    "Usage: cleannet [OPTIONS] [BPF FILTER]\n"
    "\n"
    "cleannet reads packets, decodes them, tracks flows and TCP sessions, matches them\n"
    "against Suricata-compatible rules, and writes Suricata-compatible EVE JSON to\n"
    "LOGDIR/eve.json (alerts also to LOGDIR/fast.log).\n"
    "\n"
    "Input (one of):\n"
    "  -r PATH                 read a pcap or pcapng file, or every capture in a folder\n"
    "                          (in the order of their first packet)\n"
    "  -i IFACE                capture live on IFACE through libpcap\n"
    "  --af-packet[=IFACE]     capture live with AF_PACKET (TPACKET_V3), one socket per\n"
    "                          worker in a fanout group; IFACE defaults to -i's\n"
    "  -F FILE                 read the BPF filter from FILE (else: trailing arguments)\n"
    "\n"
    "Output and configuration:\n"
    "  -l DIR                  log directory (default: the current directory)\n"
    "  -c FILE                 YAML configuration in Suricata's layout (default: built-in\n"
    "                          settings equal to Suricata's stock configuration)\n"
    "  --set KEY=VALUE         override a configuration key (repeatable), e.g.\n"
    "                          --set stream.midstream=true\n"
    "  -k all|none|auto        checksum validation (default auto: validate unless most\n"
    "                          early packets have bad checksums, as with offloading)\n"
    "  -T                      check the configuration and load the rules, then exit:\n"
    "                          0 when both are valid, 1 when a rule failed to load\n"
    "\n"
    "Threads:\n"
    "  --runmode single|workers  single: one thread does everything (default for files);\n"
    "                          workers: a reader hands packets to worker threads by a\n"
    "                          symmetric flow hash (default for live capture)\n"
    "  --threads N             worker threads in workers mode (default: CPU count)\n"
    "\n"
    "Rules (Suricata's rule language: the header, msg/sid/rev/classtype/metadata, content\n"
    "and its modifiers, pcre and the packet header keywords; --list-keywords shows them;\n"
    "a rule using anything else fails to load with the keyword named):\n"
    "  -S FILE                 load only this rule file (the configuration's rule-files\n"
    "                          are ignored)\n"
    "  -s FILE                 load this rule file too (repeatable)\n"
    "                          Without -S/-s: rule-files under default-rule-path from -c;\n"
    "                          with none of these, the built-in rules (rules/default.rules)\n"
    "  --list-keywords         print the rule keywords this build supports and exit\n"
    "\n"
    "Other:\n"
    "  -v                      more log messages (repeatable)\n"
    "  --simulate-ips          accepted for compatibility; no effect yet\n"
    "  -V, --version           print the version and exit: the Suricata language level\n"
    "                          (7.0, read by suricata-update) and cleannet's own version\n"
    "  --build-info            print build details (features, install directories) in\n"
    "                          Suricata's layout and exit\n"
    "  --dump-config           print the configuration (-c, --set) as key = value and exit\n"
    "  -h, --help              print this help and exit\n"
    "\n"
    "Exit status: 0 on success, 1 when the capture could not be read completely (the\n"
    "message names the file and the byte offset; eve.json keeps what was produced),\n"
    "2 on a usage or configuration error; with -T, 1 when a rule failed to load.\n"
    "Documentation: docs/options.md, docs/config.md, docs/eve.md.\n";

enum {
    OPT_SET = 256,
    OPT_RUNMODE,
    OPT_THREADS,
    OPT_AFPACKET,
    OPT_BUILD_INFO,
    OPT_SIMULATE_IPS,
    OPT_INIT_ERRORS_FATAL,
    OPT_LIST_KEYWORDS,
    OPT_DUMP_CONFIG,
};

static const struct option long_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"set", required_argument, NULL, OPT_SET},
    {"runmode", required_argument, NULL, OPT_RUNMODE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"af-packet", optional_argument, NULL, OPT_AFPACKET},
    {"build-info", no_argument, NULL, OPT_BUILD_INFO},
    {"simulate-ips", no_argument, NULL, OPT_SIMULATE_IPS},
    {"init-errors-fatal", no_argument, NULL, OPT_INIT_ERRORS_FATAL},
    {"list-keywords", optional_argument, NULL, OPT_LIST_KEYWORDS},
    {"dump-config", no_argument, NULL, OPT_DUMP_CONFIG},
    {NULL, 0, NULL, 0},
};

/* Rule-management tools read the engine's version to pick rule sources: suricata-update takes
 * the first "N.N" of -V (and of the --build-info line starting "This is Suricata version") and
 * fetches ET Open for that Suricata release. cleannet's own number would send it to a rule set
 * that does not exist, so the line names the Suricata language level cleannet targets first,
 * and cleannet's own version after it (docs/options.md). */
#define CN_SURICATA_LEVEL "7.0"

#ifndef CN_PREFIX /* the install directories, from meson (see meson.build) */
#define CN_PREFIX        "/usr/local"
#define CN_SYSCONFDIR    "/usr/local/etc"
#define CN_LOCALSTATEDIR "/usr/local/var"
#define CN_DATAROOTDIR   "/usr/local/share"
#endif

static void print_version(void)
{
    printf("This is Suricata version " CN_SURICATA_LEVEL "-compatible cleannet version %s\n",
           CN_VERSION);
}

/* Suricata's --build-info layout, as far as cleannet has something true to say: the version
 * line, "Features:" (only what this build has; no HAVE_NSS, so ja3 rules get disabled by
 * suricata-update), and the configure-style directory lines that tools read to find
 * configuration and state. */
static void print_build_info(void)
{
    print_version();
    printf("Features: PCAP_SET_BUFF AF_PACKET HAVE_PACKET_FANOUT PCRE_JIT\n");
    printf("%d-bits, %s-endian architecture\n", (int)(sizeof(void *) * 8),
           __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "Little" : "Big");
    printf("compiled with: %s, C version %ld\n", __VERSION__, (long)__STDC_VERSION__);
    printf("libraries: libpcap, libyaml, libpcre2-8, nettle\n");
    printf("\n");
    printf("Generic build parameters:\n");
    printf("  Installation prefix:                     %s\n", CN_PREFIX);
    printf("  Configuration directory:                 %s\n", CN_SYSCONFDIR);
    printf("\n");
    printf("  --prefix                                 %s\n", CN_PREFIX);
    printf("  --sysconfdir                             %s\n", CN_SYSCONFDIR);
    printf("  --localstatedir                          %s\n", CN_LOCALSTATEDIR);
    printf("  --datarootdir                            %s\n", CN_DATAROOTDIR);
}

/* --dump-config: every scalar of the configuration tree as "dotted.key = value", one per line,
 * as Suricata prints it (sequence items are numbered from 0). suricata-update reads this to
 * find disabled app-layer protocols. */
static void dump_node(struct cn_conf *n, char *path, size_t plen, size_t cap)
{
    unsigned idx = 0;
    for (struct cn_conf *c = cn_conf_first(n); c; c = cn_conf_next(c), idx++) {
        char num[16];
        const char *name = cn_conf_name(c);
        if (name == NULL || cn_conf_is_seq(n)) {
            snprintf(num, sizeof(num), "%u", idx);
            name = num;
        }
        size_t nl = strlen(name);
        if (plen + nl + 2 >= cap)
            continue; /* deeper than any real configuration; leave it out */
        size_t len = plen;
        if (len)
            path[len++] = '.';
        memcpy(path + len, name, nl + 1);
        const char *v = cn_conf_value(c);
        if (v)
            printf("%s = %s\n", path, v);
        else
            dump_node(c, path, len + nl, cap);
        path[plen] = '\0';
    }
}

void cn_main_dump_config(struct cn_conf *root)
{
    char path[1024] = "";
    if (root)
        dump_node(root, path, 0, sizeof(path));
}

static char *read_bpf_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "Error: -F %s: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    char *buf = cn_calloc(1, 65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++) /* one expression, whatever the line breaks */
        if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')
            buf[i] = ' ';
    return buf;
}

static char *join_words(char **words, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(words[i]) + 1;
    char *s = cn_malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, words[i]);
    }
    return s;
}

static int parse_runmode(const char *s, enum cn_runmode *out)
{
    if (!strcmp(s, "single"))
        *out = CN_RUNMODE_SINGLE;
    else if (!strcmp(s, "workers") || !strcmp(s, "autofp"))
        *out = CN_RUNMODE_WORKERS; /* autofp: Suricata's name; our workers mode fits it */
    else
        return -1;
    return 0;
}

int cn_main_parse_args(int argc, char **argv, struct cn_options *o)
{
    memset(o, 0, sizeof(*o));
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+r:i:l:c:k:S:s:F:TVhvq:", long_opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            o->read_path = optarg;
            break;
        case 'i':
            o->iface = optarg;
            break;
        case 'l':
            o->logdir = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'k':
            o->checksum = optarg;
            break;
        case 'S':
            o->rules_exclusive = optarg;
            break;
        case 's':
            if (o->nrules_additional >= CN_MAX_RULE_FILES) {
                fprintf(stderr, "Error: more than %d -s options\n", CN_MAX_RULE_FILES);
                return -1;
            }
            o->rules_additional[o->nrules_additional++] = optarg;
            break;
        case 'F':
            o->bpf_file = optarg;
            break;
        case 'T':
            o->test_only = true;
            break;
        case 'v':
            o->verbosity++;
            break;
        case 'V':
            print_version();
            return 1;
        case 'h':
            fputs(usage_text, stdout);
            return 1;
        case OPT_BUILD_INFO:
            print_build_info();
            return 1;
        case OPT_SET:
            if (o->nsets >= CN_MAX_SETS) {
                fprintf(stderr, "Error: more than %d --set options\n", CN_MAX_SETS);
                return -1;
            }
            o->sets[o->nsets++] = optarg;
            break;
        case OPT_RUNMODE:
            if (parse_runmode(optarg, &o->runmode) != 0) {
                fprintf(stderr, "Error: --runmode %s: expected single or workers\n", optarg);
                return -1;
            }
            break;
        case OPT_THREADS: {
            uint64_t n;
            if (cn_parse_u64(optarg, &n) != 0 || n == 0 || n > CN_MAX_WORKERS) {
                fprintf(stderr, "Error: --threads %s: expected a number from 1 to %d\n", optarg,
                        CN_MAX_WORKERS);
                return -1;
            }
            o->threads = (unsigned)n;
            break;
        }
        case OPT_AFPACKET:
            o->afpacket = optarg ? optarg : "";
            break;
        case OPT_SIMULATE_IPS:
            o->simulate_ips = true;
            break;
        case OPT_INIT_ERRORS_FATAL:
            break;
        case OPT_DUMP_CONFIG:
            o->dump_config = true;
            break;
        case OPT_LIST_KEYWORDS:
            /* Suricata's optional =all|csv|NAME is accepted; the list is always the plain one */
            for (unsigned i = 0; cn_detect_keyword_name(i); i++)
                puts(cn_detect_keyword_name(i));
            return 1;
        case '?':
        default:
            if (optopt && optopt < 256)
                fprintf(stderr, "Error: option -%c %s\n", optopt,
                        strchr("rilckSsFq", optopt) ? "needs a value" : "is not known");
            else
                fprintf(stderr, "Error: option %s is not known or needs a value\n",
                        argv[optind - 1]);
            fprintf(stderr, "Try 'cleannet --help'.\n");
            return -1;
        }
    }
    if (o->bpf_file) {
        if (!(o->bpf = read_bpf_file(o->bpf_file)))
            return -1;
    } else if (optind < argc) {
        if (!(o->bpf = join_words(argv + optind, argc - optind)))
            return -1;
    }
    int inputs = !!o->read_path + !!o->iface + (o->afpacket != NULL);
    if (o->afpacket && o->iface && !o->read_path)
        inputs = 1; /* --af-packet with -i naming the interface */
    if (inputs > 1) {
        fprintf(stderr, "Error: give only one input: -r, -i or --af-packet\n");
        return -1;
    }
    if (inputs == 0 && !o->test_only && !o->dump_config) {
        fprintf(stderr, "Error: no input: give -r FILE, -i IFACE or --af-packet=IFACE\n"
                        "Try 'cleannet --help'.\n");
        return -1;
    }
    if (o->afpacket && !*o->afpacket && !o->iface) {
        fprintf(stderr, "Error: --af-packet needs an interface: --af-packet=IFACE or -i\n");
        return -1;
    }
    return 0;
}

void cn_main_free_args(struct cn_options *o)
{
    cn_free(o->bpf);
    o->bpf = NULL;
}
