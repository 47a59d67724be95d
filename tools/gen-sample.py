#!/usr/bin/python3
"""Writes sample/sample.pcap, the small demonstration capture that ships with cleannet.

A realistic mix for one office network: complete TCP sessions (HTTP, a TLS-looking handshake,
an SSH banner exchange), DNS, ICMP echo, 802.1Q and QinQ tagged flows, IPv6 TCP and UDP, IPv4
and IPv6 fragments, GRE and VXLAN tunnels, ARP, a few malformed packets, a SYN port scan and an
HTTP request that looks like an attack (path traversal, sqlmap User-Agent).

Deterministic: fixed seed, fixed timestamps, so running it again gives a byte-identical file.
All addresses are private (RFC 1918), documentation (RFC 5737, RFC 3849) or link-local.

Usage: /usr/bin/python3 tools/gen-sample.py [OUT]   (default: sample/sample.pcap)
"""

import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pcaplib import (ACK, RST, SYN, Clock, TcpSession, ether_l2, frozen,  # noqa: E402
                     write_pcap)
from scapy.all import (ARP, DNS, DNSQR, DNSRR, GRE, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q,  # noqa: E402
                       Ether, Raw, fragment)
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402

RNG = random.Random(20231114)

GW_MAC = "00:00:5e:00:53:01"
LAN = {  # host -> (ip, mac)
    "alice": ("192.168.10.21", "02:42:c0:a8:0a:15"),
    "bob": ("192.168.10.22", "02:42:c0:a8:0a:16"),
    "scanner": ("192.168.10.66", "02:42:c0:a8:0a:42"),
}
WEB = "198.51.100.80"
TLS_SRV = "203.0.113.44"
SSH_SRV = "192.168.20.5"
DNS_SRV = "192.168.10.1"
V6_CLI, V6_SRV = "2001:db8:10::21", "2001:db8:20::80"


def lan_l2(host, inner=None):
    return ether_l2(LAN[host][1], GW_MAC, inner)


def udp_pair(clock, cli_mac, cli, srv, sport, dport, q, r, v6=False):
    ipc = IPv6 if v6 else IP
    a = Ether(src=cli_mac, dst=GW_MAC) / ipc(src=cli, dst=srv) / UDP(sport=sport, dport=dport) / q
    b = Ether(src=GW_MAC, dst=cli_mac) / ipc(src=srv, dst=cli) / UDP(sport=dport, dport=sport) / r
    return [frozen(a, clock.tick()), frozen(b, clock.tick(3000))]


def http_session(clock, host, sport, path, ua, status=b"200 OK", body=b""):
    ip, _ = LAN[host]
    s = TcpSession(ip, WEB, sport, 80, clock, l2=lan_l2(host), isn_c=RNG.getrandbits(32),
                   isn_s=RNG.getrandbits(32))
    s.handshake()
    s.send(True, b"GET " + path + b" HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: " + ua +
           b"\r\nAccept: */*\r\nConnection: close\r\n\r\n")
    s.send(False, b"HTTP/1.1 " + status + b"\r\nServer: nginx\r\nContent-Type: text/html\r\n"
           b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    s.close(c2s_first=False)
    return s.pkts


def tls_client_hello(sni):
    """A TLS 1.2-framed ClientHello offering TLS 1.3 (RFC 8446 section 4.1.2) with SNI."""
    name = sni.encode()
    sni_ext = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    versions = struct.pack("!HHB", 43, 5, 4) + b"\x03\x04\x03\x03"
    groups = struct.pack("!HHH", 10, 4, 2) + b"\x00\x1d"
    alpn = struct.pack("!HHHB", 16, 5, 3, 2) + b"h2"
    exts = sni_ext + versions + groups + alpn
    suites = b"\x13\x01\x13\x02\xc0\x2f\xc0\x30"
    body = (b"\x03\x03" + bytes(RNG.getrandbits(8) for _ in range(32)) + b"\x00" +
            struct.pack("!H", len(suites)) + suites + b"\x01\x00" + struct.pack("!H", len(exts)) +
            exts)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls_server_flight():
    body = (b"\x03\x03" + bytes(RNG.getrandbits(8) for _ in range(32)) + b"\x00" + b"\xc0\x2f" +
            b"\x00" + struct.pack("!H", 5) + struct.pack("!HHB", 0xff01, 1, 0))
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    done = b"\x0e\x00\x00\x00"
    recs = b"\x16\x03\x03" + struct.pack("!H", len(hs + done)) + hs + done
    return recs


def app_data(n):
    return b"\x17\x03\x03" + struct.pack("!H", n) + bytes(RNG.getrandbits(8) for _ in range(n))


def build():
    clock = Clock(start_s=1700000000, step_us=700)
    pkts = []

    # ARP for the gateway
    a_ip, a_mac = LAN["alice"]
    pkts.append(frozen(Ether(src=a_mac, dst="ff:ff:ff:ff:ff:ff") /
                       ARP(op=1, hwsrc=a_mac, psrc=a_ip, pdst=DNS_SRV), clock.tick()))
    pkts.append(frozen(Ether(src=GW_MAC, dst=a_mac) /
                       ARP(op=2, hwsrc=GW_MAC, psrc=DNS_SRV, hwdst=a_mac, pdst=a_ip),
                       clock.tick()))

    # DNS lookup, then the HTTP download it was for
    q = DNS(id=0x1a2b, rd=1, qd=DNSQR(qname="www.example.com", qtype="A"))
    r = DNS(id=0x1a2b, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.example.com", qtype="A"),
            an=DNSRR(rrname="www.example.com", type="A", ttl=300, rdata=WEB))
    pkts += udp_pair(clock, a_mac, a_ip, DNS_SRV, 53001, 53, q, r)
    page = b"<html><head><title>Example</title></head><body>" + b"hello " * 300 + b"</body></html>"
    pkts += http_session(clock, "alice", 49200, b"/index.html", b"Mozilla/5.0 (X11; Linux x86_64)",
                         body=page)

    # TLS handshake to 443 with SNI, then some application data
    q = DNS(id=0x2b3c, rd=1, qd=DNSQR(qname="mail.example.org", qtype="A"))
    r = DNS(id=0x2b3c, qr=1, rd=1, ra=1, qd=DNSQR(qname="mail.example.org", qtype="A"),
            an=DNSRR(rrname="mail.example.org", type="A", ttl=60, rdata=TLS_SRV))
    pkts += udp_pair(clock, a_mac, a_ip, DNS_SRV, 53002, 53, q, r)
    s = TcpSession(a_ip, TLS_SRV, 49310, 443, clock, l2=lan_l2("alice"),
                   isn_c=RNG.getrandbits(32), isn_s=RNG.getrandbits(32))
    s.handshake()
    s.send(True, tls_client_hello("mail.example.org"))
    s.send(False, tls_server_flight())
    s.send(True, b"\x14\x03\x03\x00\x01\x01" + app_data(40))
    s.send(False, b"\x14\x03\x03\x00\x01\x01" + app_data(40))
    s.send(True, app_data(300))
    s.send(False, app_data(2600))
    s.close()
    pkts += s.pkts

    # SSH banner exchange and key-exchange start
    b_ip, _ = LAN["bob"]
    s = TcpSession(b_ip, SSH_SRV, 50022, 22, clock, l2=lan_l2("bob"), isn_c=RNG.getrandbits(32),
                   isn_s=RNG.getrandbits(32))
    s.handshake()
    s.send(False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u1\r\n")
    s.send(True, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u1\r\n")
    kex = b"\x14" + bytes(RNG.getrandbits(8) for _ in range(16)) + b"\x00\x00\x00\x1acurve25519-sha256,ext-info-c"
    pkt = struct.pack("!IB", len(kex) + 4 + 1, 4) + kex + b"\x00" * 4
    s.send(True, pkt)
    s.send(False, pkt)
    s.close()
    pkts += s.pkts

    # ICMP echo
    for i in range(3):
        pkts.append(frozen(Ether(src=b_mac(), dst=GW_MAC) / IP(src=b_ip, dst=WEB) /
                           ICMP(type=8, id=0x77, seq=i + 1) / Raw(b"cleannet-ping-%02d" % i),
                           clock.tick()))
        pkts.append(frozen(Ether(src=GW_MAC, dst=b_mac()) / IP(src=WEB, dst=b_ip) /
                           ICMP(type=0, id=0x77, seq=i + 1) / Raw(b"cleannet-ping-%02d" % i),
                           clock.tick(9000)))

    # 802.1Q (VLAN 100) DNS and QinQ (outer 300, inner 100) TCP
    q = DNS(id=0x3c4d, rd=1, qd=DNSQR(qname="printer.lan.example", qtype="AAAA"))
    r = DNS(id=0x3c4d, qr=1, rd=1, ra=1, rcode=3, qd=DNSQR(qname="printer.lan.example",
                                                           qtype="AAAA"))
    for c2s, pl in ((True, q), (False, r)):
        src, dst = ("192.168.100.7", DNS_SRV) if c2s else (DNS_SRV, "192.168.100.7")
        sp, dp = (53100, 53) if c2s else (53, 53100)
        e = Ether(src="02:00:00:00:64:07", dst=GW_MAC) if c2s else \
            Ether(src=GW_MAC, dst="02:00:00:00:64:07")
        pkts.append(frozen(e / Dot1Q(vlan=100) / IP(src=src, dst=dst) / UDP(sport=sp, dport=dp) /
                           pl, clock.tick()))
    s = TcpSession("10.30.100.5", "10.30.100.9", 40100, 8080, clock,
                   l2=ether_l2("02:00:00:1e:64:05", "02:00:00:1e:64:09",
                               inner=lambda: Dot1AD(vlan=300) / Dot1Q(vlan=100)),
                   isn_c=RNG.getrandbits(32), isn_s=RNG.getrandbits(32))
    s.handshake()
    s.send(True, b"GET /status HTTP/1.1\r\nHost: 10.30.100.9\r\n\r\n")
    s.send(False, b"HTTP/1.1 204 No Content\r\n\r\n")
    s.close()
    pkts += s.pkts

    # IPv6 TCP (HTTP) and UDP (DNS)
    s = TcpSession(V6_CLI, V6_SRV, 51000, 80, clock,
                   l2=ether_l2("02:42:c0:a8:0a:15", GW_MAC), v6=True,
                   isn_c=RNG.getrandbits(32), isn_s=RNG.getrandbits(32))
    s.handshake()
    s.send(True, b"GET /v6.txt HTTP/1.1\r\nHost: v6.example.com\r\n\r\n")
    s.send(False, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nv6\n")
    s.close()
    pkts += s.pkts
    q = DNS(id=0x4d5e, rd=1, qd=DNSQR(qname="v6.example.com", qtype="AAAA"))
    r = DNS(id=0x4d5e, qr=1, rd=1, ra=1, qd=DNSQR(qname="v6.example.com", qtype="AAAA"),
            an=DNSRR(rrname="v6.example.com", type="AAAA", ttl=300, rdata=V6_SRV))
    pkts += udp_pair(clock, a_mac, V6_CLI, "2001:db8:10::1", 53003, 53, q, r, v6=True)

    # IPv4 fragments (a 3000-byte UDP datagram in three pieces) and IPv6 fragments
    big = IP(src=b_ip, dst="192.168.20.9", id=0xbeef) / UDP(sport=40000, dport=5004) / \
        Raw(bytes((i * 7) & 0xFF for i in range(3000)))
    for frag in fragment(big, fragsize=1200):
        pkts.append(frozen(Ether(src=b_mac(), dst=GW_MAC) / frag, clock.tick()))
    # UDP checksum over the IPv6 pseudo-header must see the whole datagram: build it unfragmented
    whole = IPv6(src=V6_CLI, dst=V6_SRV, nh=17) / UDP(sport=40001, dport=5004) / \
        Raw(bytes((i * 11) & 0xFF for i in range(2000)))
    v6payload = bytes(whole[UDP])
    for off in range(0, len(v6payload), 1232):
        chunk = v6payload[off:off + 1232]
        more = 1 if off + 1232 < len(v6payload) else 0
        f = Ether(src="02:42:c0:a8:0a:15", dst=GW_MAC) / IPv6(src=V6_CLI, dst=V6_SRV, nh=44) / \
            IPv6ExtHdrFragment(nh=17, offset=off // 8, m=more, id=0x5eed) / Raw(chunk)
        pkts.append(frozen(f, clock.tick()))

    # GRE-tunnelled ICMP and TCP between branch offices
    gre_outer = lambda c2s: Ether(src="02:00:00:00:0e:01", dst="02:00:00:00:0e:02") / \
        IP(src="192.0.2.1" if c2s else "192.0.2.2", dst="192.0.2.2" if c2s else "192.0.2.1") / \
        GRE(proto=0x0800)
    s = TcpSession("172.16.1.10", "172.16.2.20", 45000, 80, clock, l2=gre_outer,
                   isn_c=RNG.getrandbits(32), isn_s=RNG.getrandbits(32))
    s.handshake()
    s.send(True, b"GET /branch HTTP/1.1\r\nHost: intranet\r\n\r\n")
    s.send(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    s.close()
    pkts += s.pkts

    # VXLAN (UDP 4789, VNI 4242) carrying an inner Ethernet/IPv4/UDP exchange
    for i in range(4):
        c2s = i % 2 == 0
        outer = Ether(src="02:00:00:00:0f:01", dst="02:00:00:00:0f:02") / \
            IP(src="192.0.2.11" if c2s else "192.0.2.12", dst="192.0.2.12" if c2s else "192.0.2.11") / \
            UDP(sport=49999, dport=4789) / VXLAN(vni=4242, flags=0x08)
        inner = Ether(src="02:00:00:00:aa:01" if c2s else "02:00:00:00:aa:02",
                      dst="02:00:00:00:aa:02" if c2s else "02:00:00:00:aa:01") / \
            IP(src="10.200.0.1" if c2s else "10.200.0.2", dst="10.200.0.2" if c2s else "10.200.0.1") / \
            UDP(sport=7000 if c2s else 7001, dport=7001 if c2s else 7000) / Raw(b"overlay %d" % i)
        pkts.append(frozen(outer / inner, clock.tick()))

    # Malformed: a truncated IPv4 header, a UDP length larger than the datagram, a UDP length
    # below the header size, a TCP header length running past the packet
    eth = Ether(src=b_mac(), dst=GW_MAC, type=0x0800)
    pkts.append(frozen(eth / Raw(bytes(IP(src=b_ip, dst=WEB) / UDP())[:12]), clock.tick()))
    bad_udp = bytearray(bytes(IP(src=b_ip, dst=DNS_SRV) / UDP(sport=5353, dport=5353) / Raw(b"x" * 20)))
    bad_udp[24:26] = struct.pack("!H", 200)
    pkts.append(frozen(eth / Raw(bytes(bad_udp)), clock.tick()))
    bad_udp[24:26] = struct.pack("!H", 4)
    pkts.append(frozen(eth / Raw(bytes(bad_udp)), clock.tick()))
    bad_tcp = bytearray(bytes(IP(src=b_ip, dst=WEB) / TCP(sport=1234, dport=80, flags="S")))
    bad_tcp[32] = 0xF0  # data offset 60 bytes in a 20-byte segment
    pkts.append(frozen(eth / Raw(bytes(bad_tcp)), clock.tick()))

    # A SYN scan of one host: closed ports answer RST, open ones SYN-ACK and get reset
    sc_ip, sc_mac = LAN["scanner"]
    ports = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1723,
             3306, 3389, 5432, 5900, 6379, 8080, 8443, 9200, 11211, 27017]
    l2 = ether_l2(sc_mac, GW_MAC)
    for n, port in enumerate(ports):
        s = TcpSession(sc_ip, SSH_SRV, 61000 + n, port, clock, l2=l2, isn_c=RNG.getrandbits(32),
                       isn_s=RNG.getrandbits(32))
        s.pkt(True, SYN, us=200)
        if port in (22, 80, 443):
            s.pkt(False, SYN | ACK, us=300)
            s.pkt(True, RST, us=100)
        else:
            s.pkt(False, RST | ACK, us=300)
        pkts += s.pkts

    # An attack-looking HTTP request: path traversal from sqlmap, answered 404
    pkts += http_session(clock, "scanner", 61500,
                         b"/cgi-bin/../../../../etc/passwd?id=1%27%20OR%20%271%27=%271",
                         b"sqlmap/1.7.2#stable (https://sqlmap.org)",
                         status=b"404 Not Found", body=b"not found\n")
    return pkts


def b_mac():
    return LAN["bob"][1]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "sample", "sample.pcap")
    pkts = build()
    write_pcap(out, pkts)
    print("%s: %d packets, %d bytes" % (out, len(pkts), os.path.getsize(out)))


if __name__ == "__main__":
    main()
