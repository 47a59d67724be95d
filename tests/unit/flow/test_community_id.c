/* Unit tests of src/flow/community_id.c against the published values of the Community ID spec
 * (corelight/community-id-spec, baseline/), plus the corner cases where Suricata (and so
 * cleannet) differs from the spec's reference, checked against values computed independently
 * from the byte layout the spec defines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pkt.h"

static struct cn_flow mk_flow(uint8_t proto, const char *src, uint16_t sp, const char *dst,
                              uint16_t dp)
{
    struct cn_flow f;
    memset(&f, 0, sizeof(f));
    f.ip_ver = strchr(src, ':') ? 6 : 4;
    f.src = f.ip_ver == 6 ? v6(src) : v4(src);
    f.dst = f.ip_ver == 6 ? v6(dst) : v4(dst);
    f.proto = proto;
    f.sp = sp;
    f.dp = dp;
    return f;
}

static void expect(uint8_t proto, const char *src, uint16_t sp, const char *dst, uint16_t dp,
                   uint16_t seed, const char *want)
{
    char out[64];
    struct cn_flow f = mk_flow(proto, src, sp, dst, dp);
    cn_flow_community_id(&f, seed, out);
    assert_string_equal(out, want);
    /* the same from the other side */
    f = mk_flow(proto, dst, dp, src, sp);
    memset(out, 'x', sizeof(out));
    cn_flow_community_id(&f, seed, out);
    assert_string_equal(out, want);
}

static void test_spec_tables(void **state)
{
    (void)state;
    /* baseline/README.md, default seed */
    expect(6, "1.2.3.4", 1122, "5.6.7.8", 3344, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
    expect(17, "1.2.3.4", 1122, "5.6.7.8", 3344, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=");
    expect(132, "1.2.3.4", 1122, "5.6.7.8", 3344, 0, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=");
    /* ICMP echo request 8 <-> reply 0: a flow's sp/dp are type and counterpart type */
    expect(1, "1.2.3.4", 8, "5.6.7.8", 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
    expect(1, "1.2.3.4", 11, "5.6.7.8", 0, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=");
    expect(58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", 128,
           "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", 129, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=");
    /* seed 1 */
    expect(6, "1.2.3.4", 1122, "5.6.7.8", 3344, 1, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=");
    expect(17, "1.2.3.4", 1122, "5.6.7.8", 3344, 1, "1:OShq+iKDAMVouh/4bMxB9Sz4amw=");
    expect(1, "1.2.3.4", 8, "5.6.7.8", 0, 1, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=");
    expect(58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", 128,
           "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", 129, 1, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=");
}

static void test_spec_json(void **state)
{
    (void)state;
    /* baseline/baseline_deflt.json and baseline_seed1.json */
    expect(6, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:c03::1a", 25, 0,
           "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=");
    expect(6, "128.232.110.120", 34855, "66.35.250.204", 80, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    expect(17, "192.168.1.52", 54585, "8.8.8.8", 53, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=");
    expect(132, "192.168.170.8", 7, "192.168.170.56", 7, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=");
    expect(1, "192.168.0.89", 8, "192.168.0.1", 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
    expect(58, "fe80::200:86ff:fe05:80da", 135, "fe80::260:97ff:fe07:69ea", 136, 0,
           "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=");
    expect(58, "fe80::260:97ff:fe07:69ea", 135, "fe80::200:86ff:fe05:80da", 136, 0,
           "1:zavyT/cezQr1fmImYCwYnMXbgck=");
    expect(58, "3ffe:507:0:1:200:86ff:fe05:80da", 128, "3ffe:501:0:1001::2", 129, 0,
           "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=");
    expect(6, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:c03::1a", 25, 1,
           "1:eJYTW6AOzFLlSUoESovMjnu7rMw=");
    expect(17, "192.168.1.52", 54585, "8.8.8.8", 53, 1, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=");
    expect(58, "fe80::200:86ff:fe05:80da", 135, "fe80::260:97ff:fe07:69ea", 136, 1,
           "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=");
}

static void test_suricata_corner_cases(void **state)
{
    (void)state;
    /* one-way ICMP from the higher address: Suricata orders the endpoints anyway (the spec's
     * reference would not, giving 1:1Vae9INpTJ+fZaSmjhtK/hyOPac=) */
    expect(1, "5.6.7.8", 11, "1.2.3.4", 0, 0, "1:h9+X3in3Um7LwSuTZOqo4J2lq/4=");
    /* port-less protocol: two zero ports are hashed (spec: 1:ikv3kmf89luf73WPz1jOs49S768=) */
    expect(46, "1.2.3.4", 0, "5.6.7.8", 0, 0, "1:hZHQjvhiT2t0BQWM3zNp/Kq7jHw=");
    /* equal addresses: ordered by port */
    expect(17, "10.0.0.1", 53, "10.0.0.1", 5353, 0, "1:sCyZhtPm4SZ/tmuWENUtwFFzmZM=");
}

static void test_from_table(void **state)
{
    (void)state;
    /* a flow made by the table from an echo reply seen first still gives the echo's id */
    struct cn_stats st = {0};
    struct cn_flow_table *t = cn_flow_table_new(NULL, NULL, &st);
    assert_non_null(t);
    struct cn_packet p = mk_icmp("5.6.7.8", "1.2.3.4", 0, 0, 1);
    struct cn_flow *f = cn_flow_handle(t, &p);
    assert_non_null(f);
    char out[64];
    cn_flow_community_id(f, 0, out);
    assert_string_equal(out, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
    p = mk_udp("8.8.8.8", 53, "192.168.1.52", 54585, 1);
    f = cn_flow_handle(t, &p);
    cn_flow_community_id(f, 0, out);
    assert_string_equal(out, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=");
    cn_flow_community_id(f, 1, out);
    assert_string_not_equal(out, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=");
    cn_flow_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_tables),
        cmocka_unit_test(test_spec_json),
        cmocka_unit_test(test_suricata_corner_cases),
        cmocka_unit_test(test_from_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
