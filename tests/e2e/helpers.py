"""Helpers for the end-to-end tests: packet builders (tools/pcaplib.py), configs, record
lookups."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

from pcaplib import (ACK, FIN, LINKTYPE_ETHERNET, LINKTYPE_NULL, LINKTYPE_RAW,  # noqa: E402,F401
                     LINKTYPE_SLL, LINKTYPE_SLL2, PSH, RST, SYN, Clock, TcpSession, ether_l2,
                     frozen, raw_pcap_header, raw_pcap_record, write_pcap)

CLI_MAC = "02:00:00:00:00:01"
SRV_MAC = "02:00:00:00:00:02"

# Suricata's layout; anomaly decode/stream events on, flow and stats on.
ANOMALY_CONFIG = """
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - anomaly:
            enabled: yes
            types:
              decode: yes
              stream: yes
              applayer: yes
        - flow
        - stats:
            totals: yes
"""

ETHERNET_CONFIG = """
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      ethernet: yes
      types:
        - flow
        - stats:
            totals: yes
"""


def get(obj, path, default=None):
    """obj["a"]["b"]... for a dotted path; default when any step is missing."""
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def v6full(addr):
    """An IPv6 address the way Suricata writes it: eight groups of four hex digits."""
    import ipaddress
    return ipaddress.IPv6Address(addr).exploded


def flow_between(records, src_ip, dest_ip, proto=None):
    out = [r for r in records if r.get("event_type") == "flow" and r.get("src_ip") == src_ip and
           r.get("dest_ip") == dest_ip and (proto is None or r.get("proto") == proto)]
    return out


def only(items, what="record"):
    assert len(items) == 1, "expected exactly one %s, got %d: %r" % (what, len(items), items)
    return items[0]


def frame_len(pkts):
    return sum(len(bytes(p)) for p in pkts)


def udp_exchange(cli, srv, sport, dport, n_c2s, n_s2c, clock, payload=b"data", l2=True,
                 v6=False, inner=None):
    """n_c2s client datagrams then n_s2c server datagrams, Ethernet-framed unless l2=False."""
    from scapy.all import IP, UDP, Ether, Raw
    from scapy.layers.inet6 import IPv6

    ipc = IPv6 if v6 else IP
    pkts = []
    for c2s, n in ((True, n_c2s), (False, n_s2c)):
        for i in range(n):
            src, dst = (cli, srv) if c2s else (srv, cli)
            sp, dp = (sport, dport) if c2s else (dport, sport)
            p = ipc(src=src, dst=dst) / UDP(sport=sp, dport=dp) / Raw(payload + b"%d" % i)
            if l2:
                e = Ether(src=CLI_MAC, dst=SRV_MAC) if c2s else Ether(src=SRV_MAC, dst=CLI_MAC)
                p = e / inner() / p if inner else e / p
            pkts.append(frozen(p, clock.tick()))
    return pkts


def tcp_session(cli="10.0.0.1", srv="10.0.0.2", sport=40000, dport=80, clock=None, close=True,
                req=b"GET / HTTP/1.1\r\nHost: test\r\n\r\n", resp=b"HTTP/1.1 200 OK\r\n"
                b"Content-Length: 2\r\n\r\nok", v6=False, l2=None):
    clock = clock or Clock()
    s = TcpSession(cli, srv, sport, dport, clock, l2=l2 or ether_l2(CLI_MAC, SRV_MAC), v6=v6)
    s.handshake()
    if req:
        s.send(True, req)
    if resp:
        s.send(False, resp)
    if close:
        s.close()
    return s
