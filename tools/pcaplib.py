"""Packet-crafting helpers shared by tools/gen-sample.py and the end-to-end tests.

Everything here is deterministic: timestamps are exact decimals that the caller advances
explicitly, and TCP initial sequence numbers come from the caller, so the same script always
writes the same bytes. Needs Debian's python3-scapy (run with /usr/bin/python3).
"""

import struct
from decimal import Decimal

from scapy.all import IP, TCP, Ether, Raw, conf
from scapy.layers.inet6 import IPv6
from scapy.utils import PcapWriter

conf.verb = 0

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_SLL = 113
LINKTYPE_SLL2 = 276

# TCP flag bits (RFC 9293 section 3.1)
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Clock:
    """A packet clock in whole microseconds, so timestamps are exact in the pcap."""

    def __init__(self, start_s=1700000000, step_us=1000):
        self.us = int(start_s) * 1_000_000
        self.step_us = step_us

    def tick(self, us=None):
        self.us += self.step_us if us is None else us
        return self.now()

    def now(self):
        return Decimal(self.us) / Decimal(1_000_000)

    def skip(self, seconds):
        self.us += int(seconds * 1_000_000)


def stamp(pkt, clock, us=None):
    pkt.time = clock.tick(us)
    return pkt


class TcpSession:
    """Builds the packets of one TCP conversation with consistent sequence numbers.

    l2 is a callable returning the link-layer prefix for a direction (True = client to
    server), or None for no link layer (raw IP). v6 selects IPv6. Every builder method returns
    the packets it made and also appends them to self.pkts."""

    def __init__(self, cli, srv, sport, dport, clock, l2=None, v6=False, isn_c=1000,
                 isn_s=5000, window=64240):
        self.cli, self.srv, self.sport, self.dport = cli, srv, sport, dport
        self.clock, self.l2, self.v6 = clock, l2, v6
        self.seq = {True: isn_c, False: isn_s}
        self.window = window
        self.pkts = []

    def _ip(self, c2s):
        src, dst = (self.cli, self.srv) if c2s else (self.srv, self.cli)
        if self.v6:
            return IPv6(src=src, dst=dst, hlim=64)
        return IP(src=src, dst=dst, ttl=64, id=0x1000 + len(self.pkts))

    def pkt(self, c2s, flags, payload=b"", seq=None, ack=None, us=None, chksum=None):
        sp, dp = (self.sport, self.dport) if c2s else (self.dport, self.sport)
        s = self.seq[c2s] if seq is None else seq
        a = self.seq[not c2s] if ack is None else ack
        tcp = TCP(sport=sp, dport=dp, flags=flags, seq=s, ack=a if flags & ACK else 0,
                  window=self.window)
        if chksum is not None:
            tcp.chksum = chksum
        p = self._ip(c2s) / tcp
        if payload:
            p = p / Raw(payload)
        if self.l2 is not None:
            p = self.l2(c2s) / p
        # build once so scapy computes lengths and checksums now, then freeze the bytes
        p = p.__class__(bytes(p))
        stamp(p, self.clock, us)
        if seq is None:
            self.seq[c2s] = (s + len(payload) + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF
        self.pkts.append(p)
        return p

    def handshake(self):
        out = [self.pkt(True, SYN)]
        out.append(self.pkt(False, SYN | ACK))
        out.append(self.pkt(True, ACK))
        return out

    def send(self, c2s, data, mss=1400):
        out = []
        for i in range(0, len(data), mss):
            out.append(self.pkt(c2s, PSH | ACK, data[i:i + mss]))
            out.append(self.pkt(not c2s, ACK))
        return out

    def close(self, c2s_first=True):
        a = c2s_first
        return [self.pkt(a, FIN | ACK), self.pkt(not a, ACK), self.pkt(not a, FIN | ACK),
                self.pkt(a, ACK)]


def ether_l2(cmac="02:00:00:00:00:01", smac="02:00:00:00:00:02", inner=None):
    """A link-layer factory for TcpSession: Ethernet with fixed MACs, optionally with extra
    layers (for example VLAN tags) between Ethernet and IP supplied by inner()."""

    def make(c2s):
        e = Ether(src=cmac, dst=smac) if c2s else Ether(src=smac, dst=cmac)
        return e / inner() if inner else e

    return make


def write_pcap(path, pkts, linktype=LINKTYPE_ETHERNET):
    """Writes pkts (scapy packets or (time, bytes) pairs) to a classic microsecond pcap."""
    w = PcapWriter(str(path), linktype=linktype, sync=False)
    try:
        for p in pkts:
            if isinstance(p, tuple):
                t, raw = p
                r = Raw(raw)
                r.time = t
                w.write(r)
            else:
                w.write(p)
    finally:
        w.close()


def frozen(pkt, t):
    """Freezes a scapy packet to its bytes (so later field edits cannot change it) with the
    timestamp t."""
    p = pkt.__class__(bytes(pkt))
    p.time = t
    return p


def raw_pcap_header(linktype=LINKTYPE_ETHERNET, snaplen=65535):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def raw_pcap_record(ts_us, data, orig_len=None):
    sec, usec = divmod(ts_us, 1_000_000)
    return struct.pack("<IIII", sec, usec, len(data), len(data) if orig_len is None else orig_len) + data
