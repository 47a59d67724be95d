#!/usr/bin/env python3
"""Writes a pcap of N distinct TCP SYNs (a SYN flood from many sources) for the memcap bench.

Each SYN has its own source address and port, so each one opens a new flow and a new TCP
session: with small memcaps the engine must hit its limits, count them and stay bounded.
Pure Python with struct (no scapy) so 2 million packets take seconds. Checksums are valid
(RFC 791 section 3.1 and RFC 9293 section 3.1, summed incrementally from a fixed base).
Addresses: sources in 100.64.0.0/10 (RFC 6598 shared space), target 198.18.0.10 (RFC 2544).

Usage: bench/synflood.py [--count 2000000] [--out /tmp/cn-synflood.pcap]
"""

import argparse
import struct
import sys
import time


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=2_000_000)
    ap.add_argument("--out", default="/tmp/cn-synflood.pcap")
    ap.add_argument("--start", type=int, default=1700000000, help="first timestamp (s)")
    ap.add_argument("--gap-us", type=int, default=1, help="microseconds between packets")
    a = ap.parse_args()
    if not 0 < a.count <= 50_000_000:
        sys.exit("--count must be 1..50000000")

    t0 = time.monotonic()
    dst = bytes([198, 18, 0, 10])
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    # IPv4 header without the varying source address and checksum
    ip_tmpl = struct.Struct("!BBHHHBBH4s4s")
    tcp_tmpl = struct.Struct("!HHIIBBHHH")
    rec = struct.Struct("<IIII")
    frame_len = 14 + 20 + 20
    # constant parts of the IPv4 header sum: version/IHL, length, id, ttl/proto, dst
    ip_base = 0x4500 + 40 + 0 + 0x4000 + ((64 << 8) | 6) + \
        ((dst[0] << 8) | dst[1]) + ((dst[2] << 8) | dst[3])
    # constant parts of the TCP sum: pseudo-header (dst, proto, length), dport, seq, flags, win
    tcp_base = ((dst[0] << 8) | dst[1]) + ((dst[2] << 8) | dst[3]) + 6 + 20 + 80 + \
        0x1234 + 0x5678 + ((5 << 12) | 0x02) + 64240

    with open(a.out, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(a.count):
            src_n = (100 << 24) | (64 << 16) | (i >> 4)  # 16 source ports per address
            src = struct.pack("!I", src_n)
            sport = 1024 + (i & 0xF) * 3000 + (i % 2999)
            hi, lo = src_n >> 16, src_n & 0xFFFF
            ip_ck = ~fold(ip_base + hi + lo) & 0xFFFF
            tcp_ck = ~fold(tcp_base + hi + lo + sport) & 0xFFFF
            us = a.start * 1_000_000 + i * a.gap_us
            f.write(rec.pack(us // 1_000_000, us % 1_000_000, frame_len, frame_len))
            f.write(eth)
            f.write(ip_tmpl.pack(0x45, 0, 40, 0, 0x4000, 64, 6, ip_ck, src, dst))
            f.write(tcp_tmpl.pack(sport, 80, 0x12345678, 0, 5 << 4, 0x02, 64240, tcp_ck, 0))
    print("%s: %d SYNs in %.1f s" % (a.out, a.count, time.monotonic() - t0))


if __name__ == "__main__":
    main()
