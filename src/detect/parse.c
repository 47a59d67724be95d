/* parse: one rule's text into a struct cn_rule. The header gives the action, protocol,
 * addresses, ports and direction; the options in parentheses are split at every ';' that is
 * neither escaped nor inside double quotes, each "name:value" is split at its first ':', and
 * the keyword named is looked up in the keyword table and handed the raw value. The first
 * failure ends the rule with a short reason; the loader adds file and line.
 *
 * Protocols. ip and pkthdr mean any packet; ipv4/ip4 and ipv6/ip6 any packet of that family
 * (the family is folded into the address sets, which is how the engine sees it); tcp, udp,
 * icmp (ICMPv4 and ICMPv6, as in Suricata), icmpv4, icmpv6 and sctp their IP protocol;
 * tcp-pkt and tcp-stream are tcp whose payload keywords see only packets, or only the
 * reassembled stream (plain tcp: the stream when the packet went into it). Application-layer
 * names map to their transport and set rule->app_proto (src/app's ids), so such rules match
 * only on flows detected as that protocol: http, http1, http2, tls, ssh, smb, dcerpc, ftp,
 * smtp, imap, rdp and rfb ride on TCP; dns and sip on TCP and UDP, so their transport is
 * "any" and app_proto does the narrowing; ntp and dhcp on UDP. */
#include <stdio.h>
#include <strings.h>

#include "detect/detect_int.h"

enum family_only { FAM_ANY, FAM_V4, FAM_V6 };

struct proto_name {
    const char *name;
    uint8_t proto;  /* IP protocol, when !any */
    bool any;       /* any IP protocol */
    uint8_t family; /* enum family_only */
    uint16_t app;   /* application-layer protocol id; 0 = none */
    uint32_t flags; /* CN_RULE_PKT_ONLY / CN_RULE_STREAM_ONLY for tcp-pkt / tcp-stream */
};

static const struct proto_name protos[] = {
    {"ip", 0, true, FAM_ANY, 0},
    {"pkthdr", 0, true, FAM_ANY, 0},
    {"ipv4", 0, true, FAM_V4, 0},
    {"ip4", 0, true, FAM_V4, 0},
    {"ipv6", 0, true, FAM_V6, 0},
    {"ip6", 0, true, FAM_V6, 0},
    {"tcp", 6, false, FAM_ANY, 0},
    {"tcp-pkt", 6, false, FAM_ANY, 0, CN_RULE_PKT_ONLY},
    {"tcp-stream", 6, false, FAM_ANY, 0, CN_RULE_STREAM_ONLY},
    {"udp", 17, false, FAM_ANY, 0},
    {"icmp", 1, false, FAM_ANY, 0},
    /* the engine's proto 1 group also takes ICMPv6: icmpv4 is as wide as icmp for now */
    {"icmpv4", 1, false, FAM_ANY, 0},
    {"icmpv6", 58, false, FAM_ANY, 0},
    {"sctp", 132, false, FAM_ANY, 0},
    {"http", 6, false, FAM_ANY, CN_ALPROTO_HTTP},
    {"http1", 6, false, FAM_ANY, CN_ALPROTO_HTTP1},
    {"http2", 6, false, FAM_ANY, CN_ALPROTO_HTTP2},
    {"tls", 6, false, FAM_ANY, CN_ALPROTO_TLS},
    {"ssh", 6, false, FAM_ANY, CN_ALPROTO_SSH},
    {"smb", 6, false, FAM_ANY, CN_ALPROTO_SMB},
    {"dcerpc", 6, false, FAM_ANY, CN_ALPROTO_DCERPC},
    {"ftp", 6, false, FAM_ANY, CN_ALPROTO_FTP},
    {"smtp", 6, false, FAM_ANY, CN_ALPROTO_SMTP},
    {"imap", 6, false, FAM_ANY, CN_ALPROTO_IMAP},
    {"rdp", 6, false, FAM_ANY, CN_ALPROTO_RDP},
    {"rfb", 6, false, FAM_ANY, CN_ALPROTO_RFB},
    {"dns", 0, true, FAM_ANY, CN_ALPROTO_DNS},
    {"sip", 0, true, FAM_ANY, CN_ALPROTO_SIP},
    {"ntp", 17, false, FAM_ANY, CN_ALPROTO_NTP},
    {"dhcp", 17, false, FAM_ANY, CN_ALPROTO_DHCP},
};

static const char *const action_names[] = {
    [CN_ACTION_ALERT] = "alert",
    [CN_ACTION_PASS] = "pass",
    [CN_ACTION_DROP] = "drop",
    [CN_ACTION_REJECT] = "reject",
    [CN_ACTION_REJECTSRC] = "rejectsrc",
    [CN_ACTION_REJECTDST] = "rejectdst",
    [CN_ACTION_REJECTBOTH] = "rejectboth",
};

const char *cn_action_name(enum cn_action a)
{
    return (unsigned)a < CN_ARRAY_LEN(action_names) ? action_names[a] : "unknown";
}

char *cn_rule_trim(char *s)
{
    while (cn_rule_blank(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && cn_rule_blank(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Splits the header into its seven fields in place. White space inside [brackets] does not
 * split, so "[1.2.3.4, 5.6.7.8]" stays one field. */
#define HDR_FIELDS 7
static int split_header(char *h, char *f[HDR_FIELDS])
{
    unsigned n = 0;
    char *p = h;
    for (;;) {
        while (cn_rule_blank(*p))
            p++;
        if (*p == '\0')
            break;
        if (n == HDR_FIELDS)
            return -1;
        f[n++] = p;
        int depth = 0;
        while (*p != '\0' && !(depth == 0 && cn_rule_blank(*p))) {
            if (*p == '[')
                depth++;
            else if (*p == ']' && depth > 0)
                depth--;
            p++;
        }
        if (*p != '\0')
            *p++ = '\0';
    }
    return n == HDR_FIELDS ? 0 : -1;
}

/* Keeps only the given family in an address set ("alert ipv6 ..."). */
static int restrict_family(struct cn_addr_set *s, int fam, char *err, size_t errlen)
{
    if (s->any) {
        struct cn_addr_range *r = cn_calloc(1, sizeof(*r));
        if (r == NULL) {
            snprintf(err, errlen, "out of memory");
            return -CN_ENOMEM;
        }
        memset(r->hi.b, 0xff, fam == FAM_V4 ? 4 : 16);
        s->any = false;
        if (fam == FAM_V4) {
            s->v4 = r;
            s->n4 = 1;
        } else {
            s->v6 = r;
            s->n6 = 1;
        }
        return 0;
    }
    if (fam == FAM_V4) {
        cn_free(s->v6);
        s->v6 = NULL;
        s->n6 = 0;
    } else {
        cn_free(s->v4);
        s->v4 = NULL;
        s->n4 = 0;
    }
    if (s->n4 == 0 && s->n6 == 0) {
        snprintf(err, errlen, "address set has no %s address", fam == FAM_V4 ? "IPv4" : "IPv6");
        return -CN_EINVAL;
    }
    return 0;
}

static int parse_header(struct cn_rule *r, char *h, const struct cn_detect_loader *ld, char *err,
                        size_t errlen)
{
    char *f[HDR_FIELDS];
    if (split_header(h, f) < 0) {
        snprintf(err, errlen, "bad rule header (expected: action proto src sport -> dst dport)");
        return -CN_EINVAL;
    }

    bool found = false;
    for (size_t i = 0; i < CN_ARRAY_LEN(action_names); i++) {
        if (strcasecmp(f[0], action_names[i]) == 0) {
            r->action = (enum cn_action)i;
            found = true;
            break;
        }
    }
    if (!found) {
        snprintf(err, errlen, "unknown action '%.32s'", f[0]);
        return -CN_EINVAL;
    }

    const struct proto_name *pn = NULL;
    for (size_t i = 0; i < CN_ARRAY_LEN(protos); i++) {
        if (strcasecmp(f[1], protos[i].name) == 0) {
            pn = &protos[i];
            break;
        }
    }
    if (pn == NULL) {
        snprintf(err, errlen, "unsupported protocol '%.32s'", f[1]);
        return -CN_EINVAL;
    }
    r->proto = pn->proto;
    r->proto_any = pn->any;
    r->app_proto = pn->app;
    r->flags |= pn->flags;

    if (strcmp(f[4], "<>") == 0) {
        r->flags |= CN_RULE_BIDIR;
    } else if (strcmp(f[4], "->") != 0) {
        snprintf(err, errlen, "bad direction '%.8s'", f[4]);
        return -CN_EINVAL;
    }

    const struct cn_detect_vars *v = ld ? ld->vars : NULL;
    char e2[128];
    if (cn_addr_set_parse(&r->src, f[2], v, e2, sizeof(e2)) < 0 ||
        cn_port_set_parse(&r->sp, f[3], v, e2, sizeof(e2)) < 0 ||
        cn_addr_set_parse(&r->dst, f[5], v, e2, sizeof(e2)) < 0 ||
        cn_port_set_parse(&r->dp, f[6], v, e2, sizeof(e2)) < 0) {
        snprintf(err, errlen, "%s", e2);
        return -CN_EINVAL;
    }
    if (pn->family != FAM_ANY) {
        int rc = restrict_family(&r->src, pn->family, err, errlen);
        if (rc == 0)
            rc = restrict_family(&r->dst, pn->family, err, errlen);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The parser an application-layer keyword waits for (its sticky buffers and keywords come with
 * the application-layer parsers), or NULL for any other name. Only the load report uses it. */
static const char *parser_of(const char *name)
{
    static const struct {
        const char *prefix, *parser;
    } owners[] = {
        {"http2.", "http2"},  {"http.", "http"},     {"http_", "http"},   {"uricontent", "http"},
        {"urilen", "http"},   {"file.", "file"},     {"file_", "file"},   {"filename", "file"},
        {"fileext", "file"},  {"filemagic", "file"}, {"filemd5", "file"}, {"filesha", "file"},
        {"filesize", "file"}, {"dns.", "dns"},       {"dns_", "dns"},     {"tls.", "tls"},
        {"tls_", "tls"},      {"ssl_", "tls"},       {"ja3", "tls"},      {"ja4", "tls"},
        {"ssh.", "ssh"},      {"ssh_", "ssh"},       {"hassh", "ssh"},    {"smb.", "smb"},
        {"smtp.", "smtp"},    {"ftp.", "ftp"},       {"sip.", "sip"},     {"krb5", "krb5"},
        {"snmp.", "snmp"},    {"dhcp.", "dhcp"},     {"rfb.", "rfb"},     {"dcerpc.", "dcerpc"},
    };
    for (size_t i = 0; i < CN_ARRAY_LEN(owners); i++)
        if (!strncmp(name, owners[i].prefix, strlen(owners[i].prefix)))
            return owners[i].parser;
    return NULL;
}

/* One option "name" or "name:value" (already NUL-terminated). */
static int apply_option(struct cn_rule_builder *b, char *opt, char *err, size_t errlen)
{
    char *colon = strchr(opt, ':');
    char *value = NULL;
    if (colon != NULL) {
        *colon = '\0';
        value = cn_rule_trim(colon + 1);
    }
    char *name = cn_rule_trim(opt);
    if (*name == '\0') {
        snprintf(err, errlen, "option without a keyword name");
        return -CN_EINVAL;
    }
    const struct cn_keyword *kw = cn_kw_find(name);
    if (kw == NULL) {
        const char *parser = parser_of(name);
        if (parser)
            snprintf(err, errlen,
                     "unsupported keyword '%.48s' (needs the %s parser, not yet in "
                     "cleannet)",
                     name, parser);
        else
            snprintf(err, errlen, "unsupported keyword '%.48s'", name);
        return -CN_EINVAL;
    }
    if (value != NULL && (kw->flags & CN_KW_NOVALUE)) {
        snprintf(err, errlen, "%s: takes no value", kw->name);
        return -CN_EINVAL;
    }
    if (value == NULL && !(kw->flags & (CN_KW_NOVALUE | CN_KW_OPTVALUE))) {
        snprintf(err, errlen, "%s: needs a value", kw->name);
        return -CN_EINVAL;
    }
    char kerr[128];
    kerr[0] = '\0';
    int rc = kw->setup(b, value, kerr, sizeof(kerr));
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", kw->name, kerr[0] ? kerr : "invalid value");
        return rc;
    }
    return 0;
}

/* Walks the option text, applying each option at its terminating ';'. */
static int parse_options(struct cn_rule_builder *b, char *s, char *err, size_t errlen)
{
    char *start = s;
    bool quoted = false;
    for (char *p = s; *p != '\0'; p++) {
        if (*p == '\\') {
            if (p[1] == '\0')
                break;
            p++;
            continue;
        }
        if (*p == '"') {
            quoted = !quoted;
            continue;
        }
        if (*p != ';' || quoted)
            continue;
        *p = '\0';
        char *opt = cn_rule_trim(start);
        start = p + 1;
        if (*opt == '\0')
            continue; /* ";;": nothing to apply */
        int rc = apply_option(b, opt, err, errlen);
        if (rc < 0)
            return rc;
    }
    if (quoted) {
        snprintf(err, errlen, "unbalanced quotes in the options");
        return -CN_EINVAL;
    }
    char *rest = cn_rule_trim(start);
    if (*rest != '\0') {
        snprintf(err, errlen, "last option '%.40s' not terminated by ';'", rest);
        return -CN_EINVAL;
    }
    return 0;
}

struct cn_rule *cn_rule_parse(const char *text, const struct cn_detect_loader *ld, char *err,
                              size_t errlen)
{
    err[0] = '\0';
    if (text == NULL || strlen(text) > CN_RULE_MAX_LEN) {
        snprintf(err, errlen, "rule too long");
        return NULL;
    }
    char *buf = cn_strdup(text);
    struct cn_rule *r = cn_calloc(1, sizeof(*r));
    if (buf == NULL || r == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    r->gid = 1;

    char *open = strchr(buf, '(');
    char *close = strrchr(buf, ')');
    if (open == NULL || close == NULL || close < open) {
        snprintf(err, errlen, "rule has no (options)");
        goto out_free;
    }
    if (*cn_rule_trim(close + 1) != '\0') {
        snprintf(err, errlen, "text after the closing ')'");
        goto out_free;
    }
    *open = '\0';
    *close = '\0';
    if (parse_header(r, buf, ld, err, errlen) < 0)
        goto out_free;

    struct cn_rule_builder b = {
        .rule = r,
        .list = CN_LIST_PAYLOAD,
        .last_content_list = -1,
        .last_content_index = -1,
        .ld = ld,
    };
    if (parse_options(&b, open + 1, err, errlen) < 0)
        goto out_free;
    if (r->sid == 0) {
        snprintf(err, errlen, "rule has no sid");
        goto out_free;
    }
    if (r->priority == 0)
        r->priority = 3;
    cn_free(buf);
    return r;

out_free:
    if (err[0] == '\0')
        snprintf(err, errlen, "invalid rule");
    cn_rule_free(r);
    cn_free(buf);
    return NULL;
}
