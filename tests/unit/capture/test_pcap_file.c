/* Reading capture files and folders: frames and their metadata, BPF filters, truncated and
 * garbage files with the position of the break, pcapng, and folder ordering. Every capture
 * is written here, byte by byte, into a fresh temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/capture.h"

struct pkt {
    uint32_t sec, frac; /* frac in microseconds, or nanoseconds for a nanosecond file */
    const uint8_t *data;
    uint32_t caplen, wirelen;
};

/* a temporary folder, emptied and removed by each test's teardown */
static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cn_capture_test_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    (void)state;
    rm_tree(tmpdir);
    return 0;
}

static const char *tpath(const char *name)
{
    static char p[512];
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    return p;
}

static void put_le16(FILE *fp, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    fwrite(b, 1, 2, fp);
}

static void put_le32(FILE *fp, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, fp);
}

/* Writes a classic little-endian pcap file; offs[i] receives where record i starts. */
static void write_pcap(const char *path, uint32_t magic, uint32_t linktype, uint32_t snaplen,
                       const struct pkt *pkts, size_t n, long *offs)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    put_le32(fp, magic);
    put_le16(fp, 2);
    put_le16(fp, 4);
    put_le32(fp, 0);
    put_le32(fp, 0);
    put_le32(fp, snaplen);
    put_le32(fp, linktype);
    for (size_t i = 0; i < n; i++) {
        if (offs)
            offs[i] = ftell(fp);
        put_le32(fp, pkts[i].sec);
        put_le32(fp, pkts[i].frac);
        put_le32(fp, pkts[i].caplen);
        put_le32(fp, pkts[i].wirelen);
        fwrite(pkts[i].data, 1, pkts[i].caplen, fp);
    }
    assert_int_equal(fclose(fp), 0);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    if (len)
        assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void cut_file(const char *path, long len)
{
    assert_int_equal(truncate(path, len), 0);
}

/* Ethernet + IPv4 + UDP or TCP, 10.0.0.1 -> 10.0.0.2; enough for BPF to tell them apart. */
static uint32_t make_frame(uint8_t *b, uint8_t proto, uint8_t tag)
{
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    uint32_t l4 = proto == 6 ? 20 : 8, payload = 6;
    uint32_t iplen = 20 + l4 + payload;
    memcpy(b, eth, 14);
    uint8_t *ip = b + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(iplen >> 8);
    ip[3] = (uint8_t)iplen;
    ip[8] = 64;
    ip[9] = proto;
    ip[12] = 10, ip[15] = 1;
    ip[16] = 10, ip[19] = 2;
    uint8_t *l = ip + 20;
    memset(l, 0, l4);
    l[0] = 0x30, l[1] = 0x39; /* 12345 */
    l[2] = 0, l[3] = 53;
    if (proto == 6)
        l[12] = 5 << 4;
    else
        l[5] = (uint8_t)(l4 + payload);
    memset(l + l4, tag, payload);
    return 14 + iplen;
}

static struct cn_capture *open_file(const char *path, const char *bpf, char *err, size_t errlen)
{
    struct cn_capture_config cfg;
    cn_capture_config_defaults(&cfg);
    cfg.kind = CN_CAPTURE_FILE;
    cfg.source = path;
    cfg.bpf = bpf;
    err[0] = '\0';
    return cn_capture_open(&cfg, 0, err, errlen);
}

static void reads_frames(void **state)
{
    (void)state;
    uint8_t f1[128], f2[128], f3[128];
    uint32_t l1 = make_frame(f1, 17, 0xa1), l2 = make_frame(f2, 6, 0xb2),
             l3 = make_frame(f3, 17, 0xc3);
    struct pkt pk[] = {
        {1700000000, 123456, f1, l1, l1},
        {1700000000, 999999, f2, l2, l2 + 100}, /* cut by the snapshot length */
        {1700000001, 0, f3, l3, l3},
    };
    write_pcap(tpath("a.pcap"), 0xa1b2c3d4, 1, 65535, pk, 3, NULL);

    char err[256];
    struct cn_capture *c = open_file(tpath("a.pcap"), NULL, err, sizeof(err));
    assert_non_null(c);
    struct cn_frame f;
    const uint8_t *first = NULL;
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(cn_capture_next(c, &f), 0);
        /* a well-formed classic pcap file is mapped: its frames outlive the next read */
        assert_true(f.stable);
        if (i == 0)
            first = f.data;
        assert_int_equal(f.caplen, pk[i].caplen);
        assert_int_equal(f.wirelen, pk[i].wirelen);
        assert_int_equal(f.ts, (uint64_t)pk[i].sec * 1000000 + pk[i].frac);
        assert_int_equal(f.linktype, CN_LINK_ETHERNET);
        assert_int_equal(f.pcap_cnt, i + 1);
        assert_memory_equal(f.data, pk[i].data, pk[i].caplen);
    }
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    assert_memory_equal(first, pk[0].data, pk[0].caplen);
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    assert_false(cn_capture_had_errors(c));
    assert_string_equal(cn_capture_error(c), "");
    uint64_t recv = 1, drop = 1;
    cn_capture_kernel_stats(c, &recv, &drop);
    assert_int_equal(recv, 0);
    assert_int_equal(drop, 0);
    cn_capture_break(c); /* a file never blocks: nothing to interrupt, nothing breaks */
    cn_capture_close(c);
}

static void nanosecond_file(void **state)
{
    (void)state;
    uint8_t f1[128];
    uint32_t l1 = make_frame(f1, 17, 1);
    struct pkt pk[] = {{1600000000, 123456789, f1, l1, l1}};
    write_pcap(tpath("ns.pcap"), 0xa1b23c4d, 1, 65535, pk, 1, NULL);
    char err[256];
    struct cn_capture *c = open_file(tpath("ns.pcap"), NULL, err, sizeof(err));
    assert_non_null(c);
    struct cn_frame f;
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 1600000000ULL * 1000000 + 123456);
    cn_capture_close(c);
}

static void bpf_filter(void **state)
{
    (void)state;
    uint8_t f1[128], f2[128], f3[128];
    uint32_t l1 = make_frame(f1, 17, 1), l2 = make_frame(f2, 6, 2), l3 = make_frame(f3, 17, 3);
    struct pkt pk[] = {{10, 1, f1, l1, l1}, {10, 2, f2, l2, l2}, {10, 3, f3, l3, l3}};
    write_pcap(tpath("f.pcap"), 0xa1b2c3d4, 1, 65535, pk, 3, NULL);

    char err[256];
    struct cn_frame f;
    struct cn_capture *c = open_file(tpath("f.pcap"), "udp", err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 10000001);
    assert_int_equal(f.pcap_cnt, 1);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 10000003);
    assert_int_equal(f.pcap_cnt, 2);
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    cn_capture_close(c);

    c = open_file(tpath("f.pcap"), "tcp", err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 10000002);
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    cn_capture_close(c);

    /* a filter that does not compile: the message names the filter and the file */
    c = open_file(tpath("f.pcap"), "port banana((", err, sizeof(err));
    assert_null(c);
    assert_non_null(strstr(err, "port banana(("));
    assert_non_null(strstr(err, "f.pcap"));
}

/* Three records, the file cut at cut_at bytes into the third: two frames, then the error
 * naming the file and where the third record starts. */
static void check_truncated(long cut_into_third)
{
    uint8_t f1[128];
    uint32_t l1 = make_frame(f1, 17, 1);
    struct pkt pk[] = {{1, 0, f1, l1, l1}, {2, 0, f1, l1 - 4, l1}, {3, 0, f1, l1, l1}};
    long offs[3];
    write_pcap(tpath("t.pcap"), 0xa1b2c3d4, 1, 65535, pk, 3, offs);
    cut_file(tpath("t.pcap"), offs[2] + cut_into_third);

    char err[256], want[64];
    struct cn_frame f;
    struct cn_capture *c = open_file(tpath("t.pcap"), NULL, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.caplen, l1 - 4);
    assert_int_equal(cn_capture_next(c, &f), -CN_ETRUNC);
    snprintf(want, sizeof(want), " at byte %ld", offs[2]);
    const char *msg = cn_capture_error(c);
    assert_non_null(strstr(msg, tpath("t.pcap")));
    assert_non_null(strstr(msg, "truncated"));
    assert_non_null(strstr(msg, want));
    assert_true(cn_capture_had_errors(c));
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    cn_capture_close(c);
}

static void truncated_in_data(void **state)
{
    (void)state;
    check_truncated(16 + 5);
}

static void truncated_in_header(void **state)
{
    (void)state;
    check_truncated(7);
}

/* libpcap cuts a record longer than the file's snapshot length and skips its tail; the
 * offsets that follow must still be right. */
static void record_over_snaplen(void **state)
{
    (void)state;
    uint8_t big[200], f1[128];
    memset(big, 0x5a, sizeof(big));
    uint32_t l1 = make_frame(f1, 17, 1);
    memcpy(big, f1, l1);
    /* the long record comes after offsets are already kept by arithmetic */
    struct pkt pk[] = {{1, 0, f1, l1, l1}, {2, 0, big, 200, 200}, {3, 0, f1, l1, l1}};
    long offs[3];
    write_pcap(tpath("s.pcap"), 0xa1b2c3d4, 1, 100, pk, 3, offs);
    cut_file(tpath("s.pcap"), offs[2] + 20);

    char err[256], want[64];
    struct cn_frame f;
    struct cn_capture *c = open_file(tpath("s.pcap"), NULL, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.caplen, l1);
    assert_true(f.stable);
    /* the mapped walk hands a record longer than the snapshot length to libpcap */
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_false(f.stable);
    assert_int_equal(f.caplen, 100);
    assert_int_equal(f.wirelen, 200);
    assert_int_equal(cn_capture_next(c, &f), -CN_ETRUNC);
    snprintf(want, sizeof(want), " at byte %ld", offs[2]);
    assert_non_null(strstr(cn_capture_error(c), want));
    cn_capture_close(c);
}

/* A record whose length field is absurd: corrupt, reported where the record starts. */
static void corrupt_record(void **state)
{
    (void)state;
    uint8_t f1[128];
    uint32_t l1 = make_frame(f1, 17, 1);
    struct pkt pk[] = {{1, 0, f1, l1, l1}, {2, 0, f1, l1, l1}};
    long offs[2];
    write_pcap(tpath("c.pcap"), 0xa1b2c3d4, 1, 65535, pk, 2, offs);
    FILE *fp = fopen(tpath("c.pcap"), "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, offs[1] + 8, SEEK_SET), 0);
    put_le32(fp, 0x7fffffff);
    assert_int_equal(fclose(fp), 0);

    char err[256], want[64];
    struct cn_frame f;
    struct cn_capture *c = open_file(tpath("c.pcap"), NULL, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(cn_capture_next(c, &f), -CN_ETRUNC);
    snprintf(want, sizeof(want), " at byte %ld", offs[1]);
    assert_non_null(strstr(cn_capture_error(c), want));
    assert_non_null(strstr(cn_capture_error(c), "2147483647"));
    cn_capture_close(c);
}

static void bad_files(void **state)
{
    (void)state;
    char err[256];
    static const char junk[] = "this is not a capture file at all, just some text\n";
    write_bytes(tpath("junk.pcap"), junk, sizeof(junk));
    assert_null(open_file(tpath("junk.pcap"), NULL, err, sizeof(err)));
    assert_non_null(strstr(err, tpath("junk.pcap")));

    write_bytes(tpath("empty.pcap"), "", 0);
    assert_null(open_file(tpath("empty.pcap"), NULL, err, sizeof(err)));
    assert_non_null(strstr(err, tpath("empty.pcap")));

    /* the right magic, but the file header stops early */
    static const uint8_t half[] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    write_bytes(tpath("half.pcap"), half, sizeof(half));
    assert_null(open_file(tpath("half.pcap"), NULL, err, sizeof(err)));
    assert_non_null(strstr(err, tpath("half.pcap")));

    assert_null(open_file(tpath("missing.pcap"), NULL, err, sizeof(err)));
    assert_non_null(strstr(err, tpath("missing.pcap")));
    assert_non_null(strstr(err, "No such file"));
}

static void unsupported_linktype(void **state)
{
    (void)state;
    uint8_t f1[128];
    uint32_t l1 = make_frame(f1, 17, 1);
    struct pkt pk[] = {{1, 0, f1, l1, l1}};
    write_pcap(tpath("u.pcap"), 0xa1b2c3d4, 147 /* LINKTYPE_USER0 */, 65535, pk, 1, NULL);
    char err[256];
    assert_null(open_file(tpath("u.pcap"), NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "link type"));
    assert_non_null(strstr(err, "147"));
    assert_non_null(strstr(err, "u.pcap"));
}

/* pcapng: Section Header, Interface Description (Ethernet, default microsecond resolution),
 * then Enhanced Packet Blocks (draft-ietf-opsawg-pcapng sections 4.1, 4.2, 4.3). */
static void pcapng_epb(FILE *fp, uint64_t ts_us, const uint8_t *data, uint32_t len)
{
    uint32_t pad = (4 - len % 4) % 4, total = 32 + len + pad;
    static const uint8_t zeros[4];
    put_le32(fp, 6);
    put_le32(fp, total);
    put_le32(fp, 0);
    put_le32(fp, (uint32_t)(ts_us >> 32));
    put_le32(fp, (uint32_t)ts_us);
    put_le32(fp, len);
    put_le32(fp, len);
    fwrite(data, 1, len, fp);
    fwrite(zeros, 1, pad, fp);
    put_le32(fp, total);
}

static void pcapng_file(void **state)
{
    (void)state;
    uint8_t f1[128], f2[128];
    uint32_t l1 = make_frame(f1, 17, 1), l2 = make_frame(f2, 6, 2);
    FILE *fp = fopen(tpath("n.pcapng"), "wb");
    assert_non_null(fp);
    put_le32(fp, 0x0a0d0d0a); /* SHB */
    put_le32(fp, 28);
    put_le32(fp, 0x1a2b3c4d);
    put_le16(fp, 1);
    put_le16(fp, 0);
    put_le32(fp, 0xffffffff);
    put_le32(fp, 0xffffffff);
    put_le32(fp, 28);
    put_le32(fp, 1); /* IDB */
    put_le32(fp, 20);
    put_le16(fp, 1);
    put_le16(fp, 0);
    put_le32(fp, 0);
    put_le32(fp, 20);
    pcapng_epb(fp, 5000000123ULL, f1, l1);
    long second = ftell(fp);
    pcapng_epb(fp, 5000000456ULL, f2, l2);
    long end = ftell(fp);
    assert_int_equal(fclose(fp), 0);

    char err[256], want[64];
    struct cn_frame f;
    struct cn_capture *c = open_file(tpath("n.pcapng"), NULL, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 5000000123ULL);
    assert_int_equal(f.caplen, l1);
    assert_int_equal(f.linktype, CN_LINK_ETHERNET);
    assert_memory_equal(f.data, f1, l1);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 5000000456ULL);
    assert_int_equal(f.pcap_cnt, 2);
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    cn_capture_close(c);

    cut_file(tpath("n.pcapng"), end - 10);
    c = open_file(tpath("n.pcapng"), NULL, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(cn_capture_next(c, &f), -CN_ETRUNC);
    snprintf(want, sizeof(want), " at byte %ld", second);
    assert_non_null(strstr(cn_capture_error(c), want));
    assert_non_null(strstr(cn_capture_error(c), "n.pcapng"));
    cn_capture_close(c);
}

static void folder_in_time_order(void **state)
{
    (void)state;
    uint8_t f1[128];
    uint32_t l1 = make_frame(f1, 17, 1);
    /* "a" sorts first by name but starts later */
    struct pkt late[] = {{200, 0, f1, l1, l1}, {201, 0, f1, l1, l1}};
    struct pkt early[] = {{100, 0, f1, l1, l1}, {101, 0, f1, l1, l1}, {300, 0, f1, l1, l1}};
    char sub[256];
    snprintf(sub, sizeof(sub), "%s/dir", tmpdir);
    assert_int_equal(mkdir(sub, 0700), 0);
    char p[512];
    snprintf(p, sizeof(p), "%s/a.pcap", sub);
    write_pcap(p, 0xa1b2c3d4, 1, 65535, late, 2, NULL);
    snprintf(p, sizeof(p), "%s/b.pcap", sub);
    write_pcap(p, 0xa1b2c3d4, 1, 65535, early, 3, NULL);
    snprintf(p, sizeof(p), "%s/notes.txt", sub); /* not a capture: skipped, not an error */
    write_bytes(p, "hello world\n", 12);
    snprintf(p, sizeof(p), "%s/nested", sub); /* folders inside are not read */
    assert_int_equal(mkdir(p, 0700), 0);

    char err[256];
    struct cn_frame f;
    struct cn_capture *c = open_file(sub, NULL, err, sizeof(err));
    assert_non_null(c);
    static const uint64_t want[] = {100, 101, 300, 200, 201};
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(cn_capture_next(c, &f), 0);
        assert_int_equal(f.ts, want[i] * 1000000);
        assert_int_equal(f.pcap_cnt, i + 1);
    }
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    assert_false(cn_capture_had_errors(c));
    cn_capture_close(c);

    /* a filter applies to every file */
    c = open_file(sub, "tcp", err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    cn_capture_close(c);
}

static void folder_ties_and_breaks(void **state)
{
    (void)state;
    uint8_t f1[128];
    uint32_t l1 = make_frame(f1, 17, 1);
    struct pkt p1[] = {{50, 0, f1, l1, l1}, {51, 0, f1, l1, l1}, {52, 0, f1, l1, l1}};
    struct pkt p2[] = {{50, 0, f1, l1, l1}, {60, 0, f1, l1, l1}};
    char sub[256], p[512];
    snprintf(sub, sizeof(sub), "%s/dir2/", tmpdir); /* a trailing slash is fine */
    assert_int_equal(mkdir(sub, 0700), 0);
    long offs[3];
    /* same first timestamp: y before z by name; y is cut inside its third record */
    snprintf(p, sizeof(p), "%sy.pcap", sub);
    write_pcap(p, 0xa1b2c3d4, 1, 65535, p1, 3, offs);
    cut_file(p, offs[2] + 20);
    snprintf(p, sizeof(p), "%sz.pcap", sub);
    write_pcap(p, 0xa1b2c3d4, 1, 65535, p2, 2, NULL);

    char err[256], want[64];
    struct cn_frame f;
    struct cn_capture *c = open_file(sub, NULL, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 50000000);
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 51000000);
    /* y breaks: reported, then z is read and the count goes on */
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 50000000);
    assert_int_equal(f.pcap_cnt, 3);
    assert_true(cn_capture_had_errors(c));
    snprintf(want, sizeof(want), "y.pcap: ");
    assert_non_null(strstr(cn_capture_error(c), want));
    snprintf(want, sizeof(want), " at byte %ld", offs[2]);
    assert_non_null(strstr(cn_capture_error(c), want));
    assert_int_equal(cn_capture_next(c, &f), 0);
    assert_int_equal(f.ts, 60000000);
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    cn_capture_close(c);
}

static void folder_without_captures(void **state)
{
    (void)state;
    char sub[256], p[512], err[256];
    snprintf(sub, sizeof(sub), "%s/empty", tmpdir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_null(open_file(sub, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, sub));
    snprintf(p, sizeof(p), "%s/readme", sub);
    write_bytes(p, "nothing here", 12);
    assert_null(open_file(sub, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "no capture files"));

    /* a filter that does not compile fails the folder at open */
    uint8_t f1[128];
    uint32_t l1 = make_frame(f1, 17, 1);
    struct pkt pk[] = {{1, 0, f1, l1, l1}};
    snprintf(p, sizeof(p), "%s/x.pcap", sub);
    write_pcap(p, 0xa1b2c3d4, 1, 65535, pk, 1, NULL);
    assert_null(open_file(sub, "host (", err, sizeof(err)));
    assert_non_null(strstr(err, "host ("));
    struct cn_capture *c = open_file(sub, "udp", err, sizeof(err));
    assert_non_null(c);
    cn_capture_close(c);
}

/* An allocator that fails after a budget of successful calls. */
static int alloc_budget;

static void *budget_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return alloc_budget-- > 0 ? malloc(size) : NULL;
}

static void *budget_realloc(void *ctx, void *p, size_t size)
{
    (void)ctx;
    return alloc_budget-- > 0 ? realloc(p, size) : NULL;
}

static void budget_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

/* Every allocation failure during open is an error with a message, never a crash or leak. */
static void open_without_memory(void **state)
{
    (void)state;
    uint8_t f1[128];
    uint32_t l1 = make_frame(f1, 17, 1);
    struct pkt pk[] = {{1, 0, f1, l1, l1}};
    char sub[256], p[512], err[256];
    snprintf(sub, sizeof(sub), "%s/many", tmpdir);
    assert_int_equal(mkdir(sub, 0700), 0);
    for (unsigned i = 0; i < 40; i++) {
        snprintf(p, sizeof(p), "%s/f%02u.pcap", sub, i);
        pk[0].sec = 1000 - i;
        write_pcap(p, 0xa1b2c3d4, 1, 65535, pk, 1, NULL);
    }
    const struct cn_alloc_hook hook = {budget_alloc, budget_realloc, budget_free, NULL};
    struct cn_capture *c = NULL;
    int budget;
    for (budget = 0; budget < 1000 && !c; budget++) {
        alloc_budget = budget;
        cn_alloc_set_hook(&hook);
        err[0] = '\0';
        c = open_file(sub, "udp", err, sizeof(err));
        cn_alloc_set_hook(NULL);
        if (!c)
            assert_non_null(strstr(err, "out of memory"));
    }
    assert_non_null(c);
    assert_true(budget > 3); /* the handle, the filter copy, the buffer, the list */
    struct cn_frame f;
    for (unsigned i = 0; i < 40; i++) {
        assert_int_equal(cn_capture_next(c, &f), 0);
        assert_int_equal(f.ts, (uint64_t)(961 + i) * 1000000);
    }
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    cn_capture_close(c);
}

/* Shared walks: two cursors over the same mapped file each see every frame, in order, with
 * the same pcap_cnt; a record the walk cannot take stops both at the same place, and the
 * rest is read by cn_capture_next() with the count going on. */
static void shared_walk(void **state)
{
    (void)state;
    enum { N = 300, ODD = 200 };
    static uint8_t frames[N][128], big[200];
    struct pkt pk[N];
    for (unsigned i = 0; i < N; i++) {
        uint32_t l = make_frame(frames[i], i % 2 ? 17 : 6, (uint8_t)i);
        pk[i] = (struct pkt){1000 + i, i, frames[i], l, l};
    }
    memset(big, 0x5a, sizeof(big));
    pk[ODD] = (struct pkt){1000 + ODD, 0, big, sizeof(big), sizeof(big)};
    write_pcap(tpath("w.pcap"), 0xa1b2c3d4, 1, 150, pk, N, NULL);

    char err[256];
    struct cn_capture *c = open_file(tpath("w.pcap"), NULL, err, sizeof(err));
    assert_non_null(c);
    struct cn_frame f;
    assert_int_equal(cn_capture_next(c, &f), 0); /* shared from the second record on */
    assert_int_equal(cn_capture_share(c, CN_CAPTURE_MAX_WALKERS + 1), 0);
    assert_int_equal(cn_capture_share(c, 2), 2);
    struct cn_capture_cursor cur[2];
    cn_capture_cursor(c, &cur[0], 0);
    cn_capture_cursor(c, &cur[1], 1);
    for (unsigned i = 1; i < ODD; i++) {
        for (unsigned k = 0; k < 2; k++) {
            assert_int_equal(cn_capture_cursor_next(&cur[k], &f), 0);
            assert_int_equal(f.pcap_cnt, i + 1);
            assert_int_equal(f.ts, (uint64_t)(1000 + i) * 1000000 + i);
            assert_int_equal(f.caplen, pk[i].caplen);
            assert_memory_equal(f.data, frames[i], f.caplen);
            assert_true(f.stable);
        }
    }
    assert_int_equal(cn_capture_cursor_next(&cur[0], &f), -CN_EAGAIN);
    assert_int_equal(cn_capture_cursor_next(&cur[1], &f), -CN_EAGAIN);
    cn_capture_unshare(c, &cur[1]);
    assert_int_equal(cn_capture_next(c, &f), 0); /* libpcap cuts the long record */
    assert_int_equal(f.caplen, 150);
    assert_int_equal(f.pcap_cnt, ODD + 1);
    for (unsigned i = ODD + 1; i < N; i++) {
        assert_int_equal(cn_capture_next(c, &f), 0);
        assert_int_equal(f.pcap_cnt, i + 1);
        assert_memory_equal(f.data, frames[i], f.caplen);
    }
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    cn_capture_close(c);
}

/* A file without surprises: every cursor reaches the end, frames filtered alike. Folders
 * are not shared. */
static void shared_walk_to_end(void **state)
{
    (void)state;
    enum { N = 50 };
    static uint8_t frames[N][128];
    struct pkt pk[N];
    for (unsigned i = 0; i < N; i++) {
        uint32_t l = make_frame(frames[i], i % 2 ? 17 : 6, (uint8_t)i);
        pk[i] = (struct pkt){1000 + i, 0, frames[i], l, l};
    }
    write_pcap(tpath("e.pcap"), 0xa1b2c3d4, 1, 65535, pk, N, NULL);
    char err[256];
    struct cn_capture *c = open_file(tpath("e.pcap"), "udp", err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_share(c, 3), 3);
    struct cn_capture_cursor cur[3];
    for (unsigned k = 0; k < 3; k++)
        cn_capture_cursor(c, &cur[k], k);
    struct cn_frame f;
    for (unsigned k = 0; k < 3; k++) {
        unsigned n = 0;
        while (cn_capture_cursor_next(&cur[k], &f) == 0) {
            assert_int_equal(f.ts, (uint64_t)(1000 + 2 * n + 1) * 1000000);
            n++;
        }
        assert_int_equal(n, N / 2);
        assert_int_equal(cn_capture_cursor_next(&cur[k], &f), -CN_EEOF);
    }
    cn_capture_unshare(c, &cur[0]);
    assert_int_equal(cn_capture_next(c, &f), -CN_EEOF);
    cn_capture_close(c);

    char sub[256];
    snprintf(sub, sizeof(sub), "%s/dir", tmpdir);
    assert_int_equal(mkdir(sub, 0700), 0);
    char p[512];
    snprintf(p, sizeof(p), "%s/a.pcap", sub);
    write_pcap(p, 0xa1b2c3d4, 1, 65535, pk, N, NULL);
    c = open_file(sub, NULL, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(cn_capture_share(c, 2), 0);
    cn_capture_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(nanosecond_file, setup, teardown),
        cmocka_unit_test_setup_teardown(bpf_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated_in_data, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated_in_header, setup, teardown),
        cmocka_unit_test_setup_teardown(record_over_snaplen, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupt_record, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(unsupported_linktype, setup, teardown),
        cmocka_unit_test_setup_teardown(pcapng_file, setup, teardown),
        cmocka_unit_test_setup_teardown(folder_in_time_order, setup, teardown),
        cmocka_unit_test_setup_teardown(folder_ties_and_breaks, setup, teardown),
        cmocka_unit_test_setup_teardown(folder_without_captures, setup, teardown),
        cmocka_unit_test_setup_teardown(open_without_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(shared_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(shared_walk_to_end, setup, teardown),
    };
    cn_log_set_level(CN_LOG_ERROR + 0); /* keep the expected warnings out of the test log */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
