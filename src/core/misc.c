/* Small shared helpers: address and time formatting, the table hash, and parsing of the
 * numbers, sizes and booleans found in configuration values. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/core.h"

int cn_addr_format(const union cn_addr *a, int family, char out[CN_ADDR_STRLEN])
{
    if (family == 4)
        return snprintf(out, CN_ADDR_STRLEN, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
    /* Suricata writes IPv6 addresses uncompressed: eight groups of four hex digits */
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        *o++ = hex[a->b[i] >> 4];
        *o++ = hex[a->b[i] & 15];
        if ((i & 1) && i != 15)
            *o++ = ':';
    }
    *o = '\0';
    return (int)(o - out);
}

int cn_time_format(cn_time_t t, char out[CN_TIME_STRLEN])
{
    time_t sec = (time_t)(t / CN_USEC);
    unsigned usec = (unsigned)(t % CN_USEC);
    struct tm tm;
    if (!gmtime_r(&sec, &tm))
        memset(&tm, 0, sizeof(tm));
    return snprintf(out, CN_TIME_STRLEN, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000",
                    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                    usec);
}

cn_time_t cn_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (cn_time_t)ts.tv_sec * CN_USEC + (cn_time_t)ts.tv_nsec / 1000;
}

uint64_t cn_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A simple word-at-a-time multiply-mix hash; good spread for table keys, not cryptographic. */
uint64_t cn_hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const uint8_t *p = data;
    uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = cn_hash_mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, len);
    return cn_hash_mix64(h ^ tail ^ ((uint64_t)len << 56));
}

int cn_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return -CN_EINVAL;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0')
        return -CN_EINVAL;
    *out = v;
    return 0;
}

/* Accepts Suricata's forms: "1024", "64kb", "64mb", "1gb", "32 MiB", "8KiB" (case-insensitive,
 * optional space). kb/mb/gb are powers of 1024, as in Suricata. */
int cn_parse_size(const char *s, uint64_t *out)
{
    if (!s)
        return -CN_EINVAL;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -CN_EINVAL;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || v < 0)
        return -CN_EINVAL;
    while (isspace((unsigned char)*end))
        end++;
    char unit[8] = {0};
    size_t n = 0;
    while (*end && n < sizeof(unit) - 1)
        unit[n++] = (char)tolower((unsigned char)*end++);
    if (*end)
        return -CN_EINVAL;
    double mul;
    if (n == 0 || !strcmp(unit, "b"))
        mul = 1;
    else if (!strcmp(unit, "kb") || !strcmp(unit, "kib") || !strcmp(unit, "k"))
        mul = 1024.0;
    else if (!strcmp(unit, "mb") || !strcmp(unit, "mib") || !strcmp(unit, "m"))
        mul = 1024.0 * 1024;
    else if (!strcmp(unit, "gb") || !strcmp(unit, "gib") || !strcmp(unit, "g"))
        mul = 1024.0 * 1024 * 1024;
    else
        return -CN_EINVAL;
    double r = v * mul;
    if (r > 1.8e19)
        return -CN_EINVAL;
    *out = (uint64_t)r;
    return 0;
}

int cn_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1", "y", "enable", "enabled"};
    static const char *const no[] = {"no", "false", "off", "0", "n", "disable", "disabled"};
    if (!s)
        return -CN_EINVAL;
    for (size_t i = 0; i < CN_ARRAY_LEN(yes); i++) {
        if (!strcasecmp(s, yes[i])) {
            *out = true;
            return 0;
        }
        if (!strcasecmp(s, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -CN_EINVAL;
}

bool cn_hex_decode(const char *s, uint8_t *out, size_t outlen)
{
    for (size_t i = 0; i < outlen; i++) {
        int hi = cn_hex_digit((unsigned char)s[2 * i]),
            lo = cn_hex_digit((unsigned char)s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}
