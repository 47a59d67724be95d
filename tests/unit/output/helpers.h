/* helpers: what the output tests share: a scratch log directory, reading a log back, and a
 * hand-built IPv4/TCP packet with one anomaly event. */
#ifndef CN_TEST_OUTPUT_HELPERS_H
#define CN_TEST_OUTPUT_HELPERS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "output/output_int.h"

/* A fresh directory under /tmp; rm_tree() removes it and the logs in it. */
static inline char *tmp_logdir(void)
{
    char tmpl[] = "/tmp/cn-output-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static inline void rm_tree(char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
    free(dir);
}

/* The whole file, NUL-terminated (len excludes the NUL); NULL when it cannot be read. */
static inline char *read_all(const char *dir, const char *name, size_t *len)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static inline int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* First event id of the given layer, or CN_EV_NONE. */
static inline unsigned first_event(enum cn_event_layer layer)
{
    for (unsigned i = CN_EV_NONE + 1; i < CN_EV__COUNT; i++)
        if (cn_event_descs[i].layer == layer)
            return i;
    return CN_EV_NONE;
}

/* 10.0.0.1:1234 -> 10.0.0.2:80 TCP over Ethernet, at 2024-01-02T03:04:05.000001 */
static const uint8_t test_frame[54] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
};

static inline void test_packet(struct cn_packet *p)
{
    memset(p, 0, sizeof(*p));
    p->data = test_frame;
    p->caplen = p->wirelen = sizeof(test_frame);
    p->ts = 1704164645ULL * CN_USEC + 1;
    p->pcap_cnt = 7;
    p->linktype = CN_LINK_ETHERNET;
    p->flags = CN_PKT_ETH | CN_PKT_IPV4 | CN_PKT_TCP;
    p->eth_dst = test_frame;
    p->eth_src = test_frame + 6;
    p->ip_ver = 4;
    p->src.b[0] = 10;
    p->src.b[3] = 1;
    p->dst.b[0] = 10;
    p->dst.b[3] = 2;
    p->proto = 6;
    p->sp = 1234;
    p->dp = 80;
}

#endif
