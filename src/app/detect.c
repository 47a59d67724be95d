/* detect: protocol detection, one decision per flow direction. TCP looks at the start of the
 * reassembled stream, UDP at the first datagram; a direction is named by the first recogniser
 * that accepts its opening bytes, or "failed" once enough bytes (DECIDE_BYTES) or the end of
 * the direction showed nothing known. Recognisers check what the protocols' specifications
 * put first on the wire (RFC 9112 request and status lines, RFC 8446 record header, RFC 4253
 * identification string, RFC 1035 header, ...); the ones that would also accept ordinary text
 * or binary (DNS, NTP, DHCP, banners like "220 ") are tried only on their well-known ports,
 * as Suricata's probing parsers are. */
#include <strings.h>

#include "app/app.h"
#include "stream/stream.h"

/* A TCP direction that has shown this many bytes without a match is "failed". */
#define DECIDE_BYTES 16

static const char *const names[CN_ALPROTO__COUNT] = {
    [CN_ALPROTO_UNKNOWN] = "unknown",
#define CN_ALPROTO(id, name) [CN_ALPROTO_##id] = name,
#include "app/protocols.def"
#undef CN_ALPROTO
    [CN_ALPROTO_FAILED] = "failed",
};

const char *cn_alproto_name(unsigned id)
{
    return id < CN_ALPROTO__COUNT ? names[id] : NULL;
}

const char *cn_alproto_eve_name(unsigned id)
{
    return id == CN_ALPROTO_HTTP1 ? "http" : cn_alproto_name(id);
}

enum cn_alproto cn_alproto_by_name(const char *name)
{
    for (unsigned i = 1; i < CN_ALPROTO__COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return (enum cn_alproto)i;
    return CN_ALPROTO_UNKNOWN;
}

bool cn_alproto_covers(unsigned rule, unsigned flow)
{
    if (rule == CN_ALPROTO_HTTP) /* never on a flow: detection names the version */
        return flow == CN_ALPROTO_HTTP1 || flow == CN_ALPROTO_HTTP2;
    return rule == flow;
}

/* ---- recognisers: data/len is the direction's first bytes ---- */

static bool starts(const uint8_t *d, uint32_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len >= n && memcmp(d, lit, n) == 0;
}

static bool starts_nocase(const uint8_t *d, uint32_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len >= n && strncasecmp((const char *)d, lit, n) == 0;
}

static bool is_http1(const uint8_t *d, uint32_t len)
{
    static const char *const methods[] = {
        "GET ",      "POST ",  "HEAD ",   "PUT ",       "DELETE ",      "OPTIONS ",
        "CONNECT ",  "TRACE ", "PATCH ",  "PROPFIND ",  "PROPPATCH ",   "MKCOL ",
        "COPY ",     "MOVE ",  "LOCK ",   "UNLOCK ",    "SEARCH ",      "REPORT ",
        "CHECKOUT ", "MERGE ", "NOTIFY ", "SUBSCRIBE ", "UNSUBSCRIBE ", "M-SEARCH ",
    };
    if (starts(d, len, "HTTP/1.") || starts(d, len, "HTTP/0.9"))
        return true;
    for (size_t i = 0; i < CN_ARRAY_LEN(methods); i++)
        if (starts(d, len, methods[i]))
            return true;
    return false;
}

/* RFC 8446 section 5.1 record header (content type 20-23, legacy version 3.x), or an SSLv2
 * CLIENT-HELLO / SERVER-HELLO (RFC 6101 appendix E) with its two-byte length. */
static bool is_tls(const uint8_t *d, uint32_t len)
{
    if (len >= 3 && d[0] >= 0x14 && d[0] <= 0x17 && d[1] == 3 && d[2] <= 4)
        return true;
    if (len >= 5 && (d[0] & 0x80) && (d[2] == 1 || d[2] == 4) && (d[3] == 0 || d[3] == 3) &&
        d[4] <= 4)
        return true;
    return false;
}

/* NetBIOS session message, then the SMB1/SMB2/SMB3-transform magic. */
static bool is_smb(const uint8_t *d, uint32_t len)
{
    return len >= 8 && d[0] == 0 && (d[4] == 0xff || d[4] == 0xfe || d[4] == 0xfd) &&
           memcmp(d + 5, "SMB", 3) == 0;
}

/* DCE/RPC connection-oriented PDU header (C706 chapter 12): version 5.0/5.1, a known PDU
 * type, a data representation of 0x10 or 0x00, a fragment length of at least 16. */
static bool is_dcerpc(const uint8_t *d, uint32_t len)
{
    if (len < 10 || d[0] != 5 || d[1] > 1 || d[2] > 20 || (d[4] != 0x10 && d[4] != 0x00))
        return false;
    uint16_t frag = d[4] == 0x10 ? (uint16_t)(d[8] | d[9] << 8) : (uint16_t)(d[8] << 8 | d[9]);
    return frag >= 16;
}

/* TPKT (RFC 1006) carrying an X.224 connection request or confirm (the RDP handshake). */
static bool is_rdp(const uint8_t *d, uint32_t len)
{
    if (len < 7 || d[0] != 3 || d[1] != 0)
        return false;
    uint16_t tpkt = (uint16_t)(d[2] << 8 | d[3]);
    return tpkt >= 11 && d[4] + 5u <= tpkt && (d[5] == 0xe0 || d[5] == 0xd0);
}

/* "RFB 003.008\n" (RFC 6143 section 7.1.1). */
static bool is_rfb(const uint8_t *d, uint32_t len)
{
    return len >= 12 && starts(d, len, "RFB ") && d[7] == '.' && d[11] == '\n';
}

static bool is_sip(const uint8_t *d, uint32_t len)
{
    static const char *const m[] = {
        "SIP/2.0", "INVITE ",        "REGISTER ",   "OPTIONS sip:", "ACK ",  "BYE ",
        "CANCEL ", "SUBSCRIBE sip:", "NOTIFY sip:", "MESSAGE ",     "INFO ", "REFER "};
    for (size_t i = 0; i < CN_ARRAY_LEN(m); i++)
        if (starts(d, len, m[i]))
            return true;
    return false;
}

/* RFC 1035 section 4.1.1 header: at least one question, counts that fit the message. */
static bool dns_header_ok(const uint8_t *d, uint32_t len)
{
    if (len < 12)
        return false;
    unsigned opcode = (d[2] >> 3) & 0x0f, qd = (unsigned)(d[4] << 8 | d[5]);
    unsigned rest = (unsigned)(d[6] << 8 | d[7]) + (unsigned)(d[8] << 8 | d[9]) +
                    (unsigned)(d[10] << 8 | d[11]);
    return opcode <= 6 && qd >= 1 && qd <= 16 && (qd + rest) * 5 <= len;
}

static bool port_is(const struct cn_flow *f, uint16_t a, uint16_t b)
{
    return f->sp == a || f->dp == a || f->sp == b || f->dp == b;
}

/* Banners and commands that only mean something on their protocol's usual ports. */
static enum cn_alproto tcp_by_port(const struct cn_flow *f, const uint8_t *d, uint32_t len)
{
    if (port_is(f, 53, 53) && len >= 14 && (uint32_t)(d[0] << 8 | d[1]) >= 12 &&
        dns_header_ok(d + 2, len - 2))
        return CN_ALPROTO_DNS;
    if (port_is(f, 25, 587) || port_is(f, 465, 2525)) {
        if (starts(d, len, "220") || starts_nocase(d, len, "EHLO") || starts_nocase(d, len, "HELO"))
            return CN_ALPROTO_SMTP;
    }
    if (port_is(f, 21, 21)) {
        if (starts(d, len, "220") || starts_nocase(d, len, "USER ") ||
            starts_nocase(d, len, "AUTH ") || starts_nocase(d, len, "FEAT"))
            return CN_ALPROTO_FTP;
    }
    if (port_is(f, 143, 143) && (starts(d, len, "* OK") || starts(d, len, "* PREAUTH")))
        return CN_ALPROTO_IMAP;
    return CN_ALPROTO_UNKNOWN;
}

static enum cn_alproto detect_tcp(const struct cn_flow *f, const uint8_t *d, uint32_t len)
{
    if (starts(d, len, "SSH-"))
        return CN_ALPROTO_SSH;
    if (starts(d, len, "PRI * HTTP/2.0\r\n"))
        return CN_ALPROTO_HTTP2;
    if (is_http1(d, len))
        return CN_ALPROTO_HTTP1;
    if (is_tls(d, len))
        return CN_ALPROTO_TLS;
    if (is_smb(d, len))
        return CN_ALPROTO_SMB;
    if (is_dcerpc(d, len))
        return CN_ALPROTO_DCERPC;
    if (is_rdp(d, len))
        return CN_ALPROTO_RDP;
    if (is_rfb(d, len))
        return CN_ALPROTO_RFB;
    if (starts_nocase(d, len, "EHLO ") || starts_nocase(d, len, "HELO "))
        return CN_ALPROTO_SMTP;
    if (is_sip(d, len))
        return CN_ALPROTO_SIP;
    return tcp_by_port(f, d, len);
}

static enum cn_alproto detect_udp(const struct cn_flow *f, const uint8_t *d, uint32_t len)
{
    if (port_is(f, 53, 5353) && dns_header_ok(d, len))
        return CN_ALPROTO_DNS;
    /* RFC 5905 section 7.3: version 1-4, mode 1-5, a 48-byte header at least */
    if (port_is(f, 123, 123) && len >= 48 && ((d[0] >> 3) & 7) >= 1 && ((d[0] >> 3) & 7) <= 4 &&
        (d[0] & 7) >= 1 && (d[0] & 7) <= 5)
        return CN_ALPROTO_NTP;
    /* RFC 2131 section 3: the magic cookie after the 236-byte fixed part */
    if (port_is(f, 67, 68) && len >= 240 && d[236] == 99 && d[237] == 130 && d[238] == 83 &&
        d[239] == 99)
        return CN_ALPROTO_DHCP;
    if (port_is(f, 5060, 5061) && is_sip(d, len))
        return CN_ALPROTO_SIP;
    return CN_ALPROTO_UNKNOWN;
}

/* ---- per-flow bookkeeping ---- */

static bool names_protocol(unsigned a)
{
    return a != CN_ALPROTO_UNKNOWN && a != CN_ALPROTO_FAILED;
}

/* Records a direction's decision, flags the packet when there is one and settles the flow's
 * protocol: the first direction that names one (its data would already be with that
 * protocol's parser, so Suricata keeps it too), or "failed" when both failed. Two directions
 * naming different protocols raise APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS. */
static void decide(struct cn_flow *f, struct cn_packet *p, bool toserver, enum cn_alproto a)
{
    unsigned other = toserver ? f->alproto_tc : f->alproto_ts;
    if (toserver)
        f->alproto_ts = (uint8_t)a;
    else
        f->alproto_tc = (uint8_t)a;
    if (p && names_protocol(a) && names_protocol(other) && other != (unsigned)a)
        cn_packet_event(p, CN_EV_APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS);
    if (p && !(p->flags & CN_PKT_PSEUDO))
        p->flags |= toserver ? CN_PKT_PD_TS_DONE : CN_PKT_PD_TC_DONE;
    if (a != CN_ALPROTO_FAILED) {
        if (f->app_proto == CN_ALPROTO_UNKNOWN || f->app_proto == CN_ALPROTO_FAILED)
            f->app_proto = (uint16_t)a;
    } else if (f->app_proto == CN_ALPROTO_UNKNOWN && f->alproto_ts == CN_ALPROTO_FAILED &&
               f->alproto_tc == CN_ALPROTO_FAILED) {
        f->app_proto = CN_ALPROTO_FAILED;
    }
}

void cn_app_stream_data(struct cn_flow *f, struct cn_packet *p, bool toserver, const uint8_t *data,
                        uint32_t len, uint64_t offset, uint32_t flags)
{
    if ((toserver ? f->alproto_ts : f->alproto_tc) != CN_ALPROTO_UNKNOWN)
        return;
    if (flags & CN_STREAM_GAP) { /* the opening bytes are lost */
        decide(f, p, toserver, CN_ALPROTO_FAILED);
        return;
    }
    if (!len) { /* the end: a direction that sent nothing stays unnamed */
        if ((flags & CN_STREAM_EOF) && offset > 0)
            decide(f, p, toserver, CN_ALPROTO_FAILED);
        return;
    }
    if (offset == 0) {
        enum cn_alproto a = detect_tcp(f, data, len);
        if (a != CN_ALPROTO_UNKNOWN) {
            decide(f, p, toserver, a);
            return;
        }
        if (len < DECIDE_BYTES && !(flags & CN_STREAM_EOF))
            return; /* too little to tell: wait for more */
    }
    decide(f, p, toserver, CN_ALPROTO_FAILED);
}

void cn_app_udp_packet(struct cn_flow *f, struct cn_packet *p)
{
    bool ts = p->toserver;
    if (!p->payload_len || (ts ? f->alproto_ts : f->alproto_tc) != CN_ALPROTO_UNKNOWN)
        return;
    enum cn_alproto a = detect_udp(f, p->payload, p->payload_len);
    decide(f, p, ts, a != CN_ALPROTO_UNKNOWN ? a : CN_ALPROTO_FAILED);
}
