/* The capture front door: the source table from sources.def, argument checks, errors that
 * name the interface, and (when the test may open packet sockets) a round trip over the
 * loopback interface through libpcap and through AF_PACKET, with break and kernel counters.
 * Loopback traffic stays on this host: one UDP datagram to 127.0.0.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/capture.h"

static void defaults(void **state)
{
    (void)state;
    struct cn_capture_config cfg;
    memset(&cfg, 0xff, sizeof(cfg));
    cn_capture_config_defaults(&cfg);
    assert_int_equal(cfg.kind, CN_CAPTURE_FILE);
    assert_null(cfg.source);
    assert_null(cfg.bpf);
    assert_int_equal(cfg.snaplen, 65535);
    assert_true(cfg.promisc);
    assert_int_equal(cfg.fanout_id, 99);
    assert_int_equal(cfg.ring_mb, 32);
    /* the enum comes from sources.def; its order is the public numbering */
    assert_int_equal(CN_CAPTURE_FILE, 0);
    assert_int_equal(CN_CAPTURE_LIVE, 1);
    assert_int_equal(CN_CAPTURE_AFPACKET, 2);
    assert_int_equal(CN_CAPTURE__COUNT, 3);
}

static void bad_arguments(void **state)
{
    (void)state;
    char err[256];
    struct cn_capture_config cfg;
    cn_capture_config_defaults(&cfg);
    err[0] = '\0';
    assert_null(cn_capture_open(&cfg, 0, err, sizeof(err))); /* no source */
    assert_true(err[0] != '\0');
    cfg.source = "";
    assert_null(cn_capture_open(&cfg, 0, err, sizeof(err)));
    cfg.source = "somewhere";
    cfg.kind = CN_CAPTURE__COUNT;
    assert_null(cn_capture_open(&cfg, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "somewhere"));
    cfg.kind = CN_CAPTURE_FILE;
    assert_null(cn_capture_open(&cfg, -1, err, sizeof(err)));
    assert_null(cn_capture_open(NULL, 0, err, sizeof(err)));
    cn_capture_close(NULL);
}

static void missing_interfaces(void **state)
{
    (void)state;
    char err[256];
    struct cn_capture_config cfg;
    cn_capture_config_defaults(&cfg);
    cfg.source = "cnnosuch0";
    cfg.kind = CN_CAPTURE_LIVE;
    err[0] = '\0';
    assert_null(cn_capture_open(&cfg, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "cnnosuch0"));
    cfg.kind = CN_CAPTURE_AFPACKET;
    err[0] = '\0';
    assert_null(cn_capture_open(&cfg, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "cnnosuch0"));
    cfg.source = "an-interface-name-far-too-long";
    assert_null(cn_capture_open(&cfg, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "too long"));
}

static bool can_capture(void)
{
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

static uint16_t send_udp(uint16_t port, const char *msg)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ssize_t n = sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sin, sizeof(sin));
    assert_int_equal(n, (ssize_t)strlen(msg));
    close(fd);
    return port;
}

static void loopback_round_trip(enum cn_capture_kind kind)
{
    if (!can_capture())
        skip();
    uint16_t port = (uint16_t)(40000 + getpid() % 20000);
    char bpf[64], err[256];
    snprintf(bpf, sizeof(bpf), "udp and dst port %u", port);
    struct cn_capture_config cfg;
    cn_capture_config_defaults(&cfg);
    cfg.kind = kind;
    cfg.source = "lo";
    cfg.bpf = bpf;
    cfg.ring_mb = 4;
    cfg.fanout_id = (uint16_t)(getpid() & 0x7fff);
    struct cn_capture *c = cn_capture_open(&cfg, 0, err, sizeof(err));
    if (!c)
        fail_msg("open lo: %s", err);

    struct cn_frame f;
    /* nothing sent yet: the poll interval passes and the call says so */
    assert_int_equal(cn_capture_next(c, &f), -CN_EAGAIN);

    static const char msg[] = "cleannet-capture-test";
    send_udp(port, msg);
    int rc = -CN_EAGAIN;
    for (int i = 0; i < 30 && rc == -CN_EAGAIN; i++)
        rc = cn_capture_next(c, &f);
    assert_int_equal(rc, 0);
    assert_int_equal(f.linktype, CN_LINK_ETHERNET);
    assert_int_equal(f.caplen, 14 + 20 + 8 + strlen(msg));
    assert_int_equal(f.wirelen, f.caplen);
    assert_memory_equal(f.data + 42, msg, strlen(msg));
    assert_int_equal(f.pcap_cnt, 0);
    cn_time_t now = cn_time_now();
    assert_true(f.ts <= now + CN_USEC && f.ts + 60 * CN_USEC >= now);

    /* drain the loopback's second copy, then a break wakes a waiting call early */
    while (cn_capture_next(c, &f) == 0)
        ;
    cn_capture_break(c);
    uint64_t t0 = cn_monotonic_ns();
    assert_int_equal(cn_capture_next(c, &f), -CN_EAGAIN);
    assert_true(cn_monotonic_ns() - t0 < 50000000ULL);

    uint64_t recv = 0, drop = 0;
    cn_capture_kernel_stats(c, &recv, &drop);
    assert_true(recv >= 1);
    uint64_t recv2 = 0;
    cn_capture_kernel_stats(c, &recv2, &drop);
    assert_true(recv2 >= recv); /* totals, not deltas */
    assert_false(cn_capture_had_errors(c));
    cn_capture_close(c);
}

static void live_loopback(void **state)
{
    (void)state;
    loopback_round_trip(CN_CAPTURE_LIVE);
}

static void afpacket_loopback(void **state)
{
    (void)state;
    loopback_round_trip(CN_CAPTURE_AFPACKET);
}

static void afpacket_bad_filter(void **state)
{
    (void)state;
    if (!can_capture())
        skip();
    char err[256];
    struct cn_capture_config cfg;
    cn_capture_config_defaults(&cfg);
    cfg.kind = CN_CAPTURE_AFPACKET;
    cfg.source = "lo";
    cfg.bpf = "udp and port ((";
    cfg.ring_mb = 1;
    assert_null(cn_capture_open(&cfg, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "udp and port (("));
    assert_non_null(strstr(err, "lo"));
    cfg.kind = CN_CAPTURE_LIVE;
    assert_null(cn_capture_open(&cfg, 0, err, sizeof(err)));
    assert_non_null(strstr(err, "udp and port (("));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),           cmocka_unit_test(bad_arguments),
        cmocka_unit_test(missing_interfaces), cmocka_unit_test(live_loopback),
        cmocka_unit_test(afpacket_loopback),  cmocka_unit_test(afpacket_bad_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
