/* vars: the rule variables ($HOME_NET, $HTTP_PORTS, ...). They come from the configuration's
 * vars.address-groups and vars.port-groups maps; Suricata's stock values are the starting
 * point, so a configuration that names only HOME_NET still gets EXTERNAL_NET and the port
 * groups the usual rule sets expect. A variable's value is kept as text and parsed where it
 * is used (address.c, port.c), because variables refer to each other and the same text can
 * be an address list in one place and negated in another. */
#include <stdio.h>
#include <strings.h>

#include "detect/detect_int.h"

struct var {
    char *name, *value;
};
struct var_list {
    struct var *v;
    unsigned n, cap;
};
struct cn_detect_vars {
    struct var_list addr, port;
};

/* Suricata's stock suricata.yaml (vars section). */
static const char *const stock_addr[][2] = {
    {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
    {"EXTERNAL_NET", "!$HOME_NET"},
    {"HTTP_SERVERS", "$HOME_NET"},
    {"SMTP_SERVERS", "$HOME_NET"},
    {"SQL_SERVERS", "$HOME_NET"},
    {"DNS_SERVERS", "$HOME_NET"},
    {"TELNET_SERVERS", "$HOME_NET"},
    {"AIM_SERVERS", "$EXTERNAL_NET"},
    {"DC_SERVERS", "$HOME_NET"},
    {"DNP3_SERVER", "$HOME_NET"},
    {"DNP3_CLIENT", "$HOME_NET"},
    {"MODBUS_CLIENT", "$HOME_NET"},
    {"MODBUS_SERVER", "$HOME_NET"},
    {"ENIP_CLIENT", "$HOME_NET"},
    {"ENIP_SERVER", "$HOME_NET"},
};
static const char *const stock_port[][2] = {
    {"HTTP_PORTS", "80"},
    {"SHELLCODE_PORTS", "!80"},
    {"ORACLE_PORTS", "1521"},
    {"SSH_PORTS", "22"},
    {"DNP3_PORTS", "20000"},
    {"MODBUS_PORTS", "502"},
    {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
    {"FTP_PORTS", "21"},
    {"GENEVE_PORTS", "6081"},
    {"VXLAN_PORTS", "4789"},
    {"TEREDO_PORTS", "3544"},
    {"SIP_PORTS", "[5060, 5061]"},
};

/* Sets name to value, replacing an earlier definition (the configuration overrides the
 * stock value). */
static int var_set(struct var_list *l, const char *name, const char *value)
{
    char *v = cn_strdup(value);
    if (v == NULL)
        return -CN_ENOMEM;
    for (unsigned i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].name, name) == 0) {
            cn_free(l->v[i].value);
            l->v[i].value = v;
            return 0;
        }
    }
    if (l->n == l->cap) {
        unsigned cap = l->cap ? l->cap * 2 : 16;
        struct var *nv = cn_realloc(l->v, cap * sizeof(*nv));
        if (nv == NULL)
            goto out_value;
        l->v = nv;
        l->cap = cap;
    }
    char *n = cn_strdup(name);
    if (n == NULL)
        goto out_value;
    l->v[l->n].name = n;
    l->v[l->n].value = v;
    l->n++;
    return 0;

out_value:
    cn_free(v);
    return -CN_ENOMEM;
}

static void var_list_free(struct var_list *l)
{
    for (unsigned i = 0; i < l->n; i++) {
        cn_free(l->v[i].name);
        cn_free(l->v[i].value);
    }
    cn_free(l->v);
}

static int from_conf(struct var_list *l, struct cn_conf *conf, const char *path)
{
    struct cn_conf *map = cn_conf_find(conf, path);
    if (map == NULL)
        return 0;
    for (struct cn_conf *c = cn_conf_first(map); c != NULL; c = cn_conf_next(c)) {
        const char *name = cn_conf_name(c), *value = cn_conf_value(c);
        if (name == NULL)
            continue;
        if (value == NULL) {
            /* a list or map where a string belongs: rules using it will fail to load */
            cn_warn("%s:%d: %s.%s: expected a string", cn_conf_file(c) ? cn_conf_file(c) : "?",
                    cn_conf_line(c), path, name);
            continue;
        }
        if (var_set(l, name, value) < 0)
            return -CN_ENOMEM;
    }
    return 0;
}

struct cn_detect_vars *cn_detect_vars_new(struct cn_conf *conf)
{
    struct cn_detect_vars *v = cn_calloc(1, sizeof(*v));
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < CN_ARRAY_LEN(stock_addr); i++)
        if (var_set(&v->addr, stock_addr[i][0], stock_addr[i][1]) < 0)
            goto out_free;
    for (size_t i = 0; i < CN_ARRAY_LEN(stock_port); i++)
        if (var_set(&v->port, stock_port[i][0], stock_port[i][1]) < 0)
            goto out_free;
    if (conf != NULL) {
        if (from_conf(&v->addr, conf, "vars.address-groups") < 0)
            goto out_free;
        if (from_conf(&v->port, conf, "vars.port-groups") < 0)
            goto out_free;
    }
    return v;

out_free:
    cn_detect_vars_free(v);
    return NULL;
}

void cn_detect_vars_free(struct cn_detect_vars *v)
{
    if (v == NULL)
        return;
    var_list_free(&v->addr);
    var_list_free(&v->port);
    cn_free(v);
}

static const char *lookup(const struct var_list *l, const char *name)
{
    for (unsigned i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0)
            return l->v[i].value;
    return NULL;
}

const char *cn_detect_var_address(const struct cn_detect_vars *v, const char *name)
{
    return v != NULL ? lookup(&v->addr, name) : NULL;
}

const char *cn_detect_var_port(const struct cn_detect_vars *v, const char *name)
{
    return v != NULL ? lookup(&v->port, name) : NULL;
}
