"""Teredo (RFC 4380, IPv6 over UDP 3544) and ERSPAN (mirrored Ethernet in GRE, types I-III)
seen from outside: the inner flows' records, the decoder.teredo / decoder.erspan counters,
the datagrams on the Teredo port that stay plain UDP, and the ERSPAN header anomalies."""

import struct

from helpers import (ANOMALY_CONFIG, CLI_MAC, SRV_MAC, Clock, frozen, flow_between, get, only,
                     v6full, write_pcap)
from scapy.all import GRE, IP, UDP, Ether, Raw
from scapy.layers.inet6 import IPv6

TEREDO_CLIENT = "2001:0:4136:e378:8000:63bf:3fff:fdd2"
TEREDO_PEER = "2001:db8::80"
SERVER_V4 = "198.51.100.7"
CLIENT_V4 = "192.0.2.33"


def teredo(c2s, payload, origin=False):
    """One Teredo datagram between the client (NAT port 40001) and the relay (3544)."""
    src, dst = (CLIENT_V4, SERVER_V4) if c2s else (SERVER_V4, CLIENT_V4)
    sp, dp = (40001, 3544) if c2s else (3544, 40001)
    inner = IPv6(src=TEREDO_CLIENT if c2s else TEREDO_PEER,
                 dst=TEREDO_PEER if c2s else TEREDO_CLIENT) / \
        UDP(sport=5353 if c2s else 53, dport=53 if c2s else 5353) / Raw(payload)
    # origin indication (RFC 4380 5.1.1): 0x0000, obfuscated port and IPv4 address
    ind = Raw(b"\x00\x00" + struct.pack("!H", 40001 ^ 0xffff) + bytes([0x3f, 0x3f, 0xff, 0xde])) \
        if origin else Raw(b"")
    e = Ether(src=CLI_MAC, dst=SRV_MAC) if c2s else Ether(src=SRV_MAC, dst=CLI_MAC)
    return e / IP(src=src, dst=dst) / UDP(sport=sp, dport=dp) / ind / inner


def test_teredo_inner_flow(tmp_path, run_cleannet):
    clock = Clock()
    pkts = [frozen(teredo(True, b"query"), clock.tick()),
            frozen(teredo(False, b"answer", origin=True), clock.tick()),
            frozen(teredo(True, b"query2"), clock.tick())]
    # not Teredo although on its port: stays a plain UDP flow
    pkts.append(frozen(Ether(src=CLI_MAC, dst=SRV_MAC) / IP(src="192.0.2.50", dst=SERVER_V4) /
                       UDP(sport=40050, dport=3544) / Raw(b"x" * 64), clock.tick()))
    write_pcap(tmp_path / "t.pcap", pkts)
    r = run_cleannet(tmp_path / "t.pcap", check=True)

    f = only(flow_between(r.records, v6full(TEREDO_CLIENT), v6full(TEREDO_PEER)))
    assert f["proto"] == "UDP" and f["src_port"] == 5353 and f["dest_port"] == 53
    assert f["ip_v"] == 6
    assert f["flow"]["pkts_toserver"] == 2 and f["flow"]["pkts_toclient"] == 1
    plain = only(flow_between(r.records, "192.0.2.50", SERVER_V4))
    assert plain["proto"] == "UDP" and plain["dest_port"] == 3544
    assert plain["flow"]["pkts_toserver"] == 1
    # the tunnelled datagrams make no outer flow of their own
    assert flow_between(r.records, CLIENT_V4, SERVER_V4) == []
    assert get(r.stats, "decoder.teredo") == 3
    assert get(r.stats, "decoder.ipv6") == 3
    assert get(r.stats, "decoder.udp") == 7


def test_teredo_disabled(tmp_path, run_cleannet, write_config):
    pkts = [frozen(teredo(True, b"query"), Clock().tick())]
    write_pcap(tmp_path / "t.pcap", pkts)
    r = run_cleannet(tmp_path / "t.pcap", "-c", write_config(ANOMALY_CONFIG + """
decoder:
  teredo:
    enabled: no
"""), check=True)
    f = only(flow_between(r.records, CLIENT_V4, SERVER_V4))
    assert f["proto"] == "UDP" and f["dest_port"] == 3544
    assert get(r.stats, "decoder.teredo") == 0


def erspan(c2s, payload, typ=2, vlan=0):
    """A mirrored Ethernet frame in GRE from the switch 203.0.113.1 to the collector .2."""
    frame = (Ether(src=CLI_MAC, dst=SRV_MAC) if c2s else Ether(src=SRV_MAC, dst=CLI_MAC)) / \
        IP(src="10.60.0.1" if c2s else "10.60.0.2", dst="10.60.0.2" if c2s else "10.60.0.1") / \
        UDP(sport=6000 if c2s else 6001, dport=6001 if c2s else 6000) / Raw(payload)
    outer = Ether() / IP(src="203.0.113.1", dst="203.0.113.2")
    if typ == 1:
        return outer / GRE(proto=0x88BE) / frame
    if typ == 2:
        # version 1, VLAN, COS/En/T 0, session 9; reserved, index 0
        hdr = struct.pack("!HHI", 0x1000 | vlan, 9, 0)
        return outer / GRE(proto=0x88BE, seqnum_present=1, sequence_number=1) / Raw(hdr) / frame
    # type III: version 2, VLAN, session 9; timestamp; SGT/flags with O clear
    hdr = struct.pack("!HHII", 0x2000 | vlan, 9, 12345, 0)
    return outer / GRE(proto=0x22EB, seqnum_present=1, sequence_number=1) / Raw(hdr) / frame


def test_erspan_inner_flow(tmp_path, run_cleannet):
    clock = Clock()
    pkts = [frozen(erspan(True, b"one", typ=2, vlan=42), clock.tick()),
            frozen(erspan(False, b"two", typ=2, vlan=42), clock.tick()),
            frozen(erspan(True, b"three", typ=2, vlan=42), clock.tick()),
            frozen(erspan(True, b"four", typ=1), clock.tick()),
            frozen(erspan(False, b"five", typ=3, vlan=43), clock.tick())]
    write_pcap(tmp_path / "e.pcap", pkts)
    r = run_cleannet(tmp_path / "e.pcap", check=True)

    flows = flow_between(r.records, "10.60.0.1", "10.60.0.2")
    by_vlan = {tuple(f.get("vlan", [])): f for f in flows}
    assert sorted(by_vlan) == [(), (42,)], flows
    f = by_vlan[(42,)]
    assert f["proto"] == "UDP" and f["src_port"] == 6000 and f["dest_port"] == 6001
    assert f["flow"]["pkts_toserver"] == 2 and f["flow"]["pkts_toclient"] == 1
    assert by_vlan[()]["flow"]["pkts_toserver"] == 1
    # type III's VLAN 43 names a flow of its own, seen from the server side first
    f3 = only(flow_between(r.records, "10.60.0.2", "10.60.0.1"))
    assert f3["vlan"] == [43] and f3["src_port"] == 6001
    assert get(r.stats, "decoder.erspan") == 5
    assert get(r.stats, "decoder.gre") == 5
    assert get(r.stats, "decoder.ethernet") == 10


def test_erspan_malformed(tmp_path, run_cleannet, write_config):
    clock = Clock()
    outer = Ether() / IP(src="203.0.113.1", dst="203.0.113.2")
    seq = GRE(proto=0x88BE, seqnum_present=1, sequence_number=1)
    pkts = [frozen(outer / seq / Raw(b"\x10\x00\x00"), clock.tick()),  # header cut short
            frozen(outer / seq / Raw(struct.pack("!HHI", 0x3000, 9, 0)) /  # version 3
                   Ether() / IP() / UDP(), clock.tick())]
    write_pcap(tmp_path / "m.pcap", pkts)
    r = run_cleannet(tmp_path / "m.pcap", "-c", write_config(ANOMALY_CONFIG), check=True)
    events = sorted(a["anomaly"]["event"] for a in r.anomalies)
    assert events == ["decoder.erspan.header_too_small", "decoder.erspan.unsupported_version"]
    assert get(r.stats, "decoder.erspan") == 2
    assert get(r.stats, "decoder.event.erspan.header_too_small") == 1
    assert get(r.stats, "decoder.event.erspan.unsupported_version") == 1
    assert get(r.stats, "decoder.event.erspan.too_many_vlan_layers") == 0
    assert get(r.stats, "decoder.invalid") == 0
