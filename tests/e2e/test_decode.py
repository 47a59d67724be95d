"""Decoder behaviour seen from outside: anomaly records for malformed packets, stats
counters, IPv4/IPv6 reassembly, tunnels and checksum validation (-k)."""

import struct

import pytest
from helpers import (ANOMALY_CONFIG, CLI_MAC, SRV_MAC, Clock, TcpSession, ether_l2,
                     flow_between, frame_len, frozen, get, only, tcp_session, udp_exchange,
                     v6full, write_pcap)
from scapy.all import GRE, ICMP, IP, TCP, UDP, Ether, Raw, fragment
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment
from scapy.layers.vxlan import VXLAN


def eth(raw_ip, c2s=True):
    e = Ether(src=CLI_MAC, dst=SRV_MAC, type=0x0800) if c2s else \
        Ether(src=SRV_MAC, dst=CLI_MAC, type=0x0800)
    return e / Raw(raw_ip)


def malformed():
    """(event name, frame) pairs, each frame malformed in exactly one way."""
    out = []
    ip_udp = bytes(IP(src="10.9.0.1", dst="10.9.0.2") / UDP(sport=1000, dport=2000) / Raw(b"x" * 20))
    out.append(("decoder.ipv4.pkt_too_small", eth(ip_udp[:12])))
    b = bytearray(ip_udp)
    b[2:4] = struct.pack("!H", 400)  # IPv4 total length past the captured bytes
    out.append(("decoder.ipv4.trunc_pkt", eth(bytes(b))))
    b = bytearray(ip_udp)
    b[24:26] = struct.pack("!H", 200)  # UDP length past the datagram
    out.append(("decoder.udp.pkt_too_small", eth(bytes(b))))
    b = bytearray(ip_udp)
    b[24:26] = struct.pack("!H", 4)  # UDP length below its own header
    out.append(("decoder.udp.len_invalid", eth(bytes(b))))
    ip_tcp = bytes(IP(src="10.9.0.1", dst="10.9.0.2", proto=6) / Raw(b"\x00" * 10))
    out.append(("decoder.tcp.pkt_too_small", eth(ip_tcp)))
    b = bytearray(bytes(IP(src="10.9.0.1", dst="10.9.0.2") / TCP(sport=1, dport=2, flags="S")))
    b[32] = 0xF0  # data offset 60 in a 20-byte segment
    out.append(("decoder.tcp.hlen_too_small", eth(bytes(b))))
    return out


def _fix_ipv4_checksum(frame):
    """Recomputes the IPv4 header checksum of an Ethernet frame (RFC 791 section 3.1)."""
    raw = bytearray(bytes(frame))
    ihl = (raw[14] & 0x0F) * 4
    if len(raw) < 14 + ihl:
        return bytes(raw)
    raw[24:26] = b"\x00\x00"
    s = 0
    for i in range(14, 14 + ihl, 2):
        s += (raw[i] << 8) | raw[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    raw[24:26] = struct.pack("!H", ~s & 0xFFFF)
    return bytes(raw)


def _malformed_pcap(path):
    clock = Clock()
    cases = malformed()
    write_pcap(path, [(clock.tick(), _fix_ipv4_checksum(f)) for _, f in cases])
    return cases


@pytest.mark.parametrize("index", range(6))
def test_anomaly_record_per_malformed_packet(tmp_path, run_cleannet, write_config, index):
    clock = Clock()
    event, frame = malformed()[index]
    write_pcap(tmp_path / "m.pcap", [(clock.tick(), _fix_ipv4_checksum(frame))])
    r = run_cleannet(tmp_path / "m.pcap", "-c", write_config(ANOMALY_CONFIG), check=True)
    a = only(r.anomalies, "anomaly record")
    assert a["anomaly"]["type"] == "decode"
    assert a["anomaly"]["event"] == event
    name = event[len("decoder."):]
    assert get(r.stats, "decoder.event." + name) == 1
    assert get(r.stats, "decoder.invalid") == 1
    assert r.flows == []


def test_all_malformed_together(tmp_path, run_cleannet, write_config):
    cases = _malformed_pcap(tmp_path / "m.pcap")
    r = run_cleannet(tmp_path / "m.pcap", "-c", write_config(ANOMALY_CONFIG), check=True)
    assert sorted(a["anomaly"]["event"] for a in r.anomalies) == sorted(e for e, _ in cases)
    assert get(r.stats, "decoder.pkts") == len(cases)
    assert get(r.stats, "decoder.invalid") == len(cases)


def test_decode_anomalies_off_by_default(tmp_path, run_cleannet):
    cases = _malformed_pcap(tmp_path / "m.pcap")
    r = run_cleannet(tmp_path / "m.pcap", check=True)
    assert r.anomalies == []  # Suricata's stock config: anomaly decode: no
    assert get(r.stats, "decoder.invalid") == len(cases)


def test_stats_counters(tmp_path, run_cleannet):
    clock = Clock()
    s = tcp_session(clock=clock)
    u = udp_exchange("10.0.0.1", "10.0.0.53", 5555, 53, 1, 1, clock)
    i = [frozen(Ether(src=CLI_MAC, dst=SRV_MAC) / IP(src="10.0.0.1", dst="10.0.0.2") /
                ICMP(type=8), clock.tick())]
    pkts = s.pkts + u + i
    write_pcap(tmp_path / "s.pcap", pkts)
    r = run_cleannet(tmp_path / "s.pcap", check=True)
    st = r.stats
    assert get(st, "decoder.pkts") == len(pkts)
    assert get(st, "decoder.bytes") == frame_len(pkts)
    assert get(st, "decoder.ethernet") == len(pkts)
    assert get(st, "decoder.ipv4") == len(pkts)
    assert get(st, "decoder.tcp") == len(s.pkts)
    assert get(st, "decoder.udp") == 2
    assert get(st, "decoder.icmpv4") == 1
    assert get(st, "decoder.invalid") == 0
    assert get(st, "decoder.max_pkt_size") == max(len(bytes(p)) for p in pkts)
    assert get(st, "flow.total") == 3
    assert get(st, "tcp.sessions") == 1
    assert isinstance(st["uptime"], int)
    assert len(r.of_type("stats")) >= 1
    assert len(r.flows) == 3


def _v4_frag_pcap(path, reverse=False):
    clock = Clock()
    big = IP(src="10.6.0.1", dst="10.6.0.2", id=0x4242) / UDP(sport=9000, dport=9001) / \
        Raw(bytes(range(256)) * 12)
    frags = fragment(big, fragsize=1000)
    assert len(frags) == 4
    if reverse:
        frags = frags[::-1]
    pkts = [frozen(Ether(src=CLI_MAC, dst=SRV_MAC) / f, clock.tick()) for f in frags]
    reply = frozen(Ether(src=SRV_MAC, dst=CLI_MAC) / IP(src="10.6.0.2", dst="10.6.0.1") /
                   UDP(sport=9001, dport=9000) / Raw(b"ok"), clock.tick())
    write_pcap(path, pkts + [reply])
    return pkts


@pytest.mark.parametrize("reverse", [False, True])
def test_ipv4_fragments_reassemble_into_one_flow(tmp_path, run_cleannet, reverse):
    frags = _v4_frag_pcap(tmp_path / "f.pcap", reverse)
    r = run_cleannet(tmp_path / "f.pcap", check=True)
    f = only(r.flows)
    assert (f["src_ip"], f["src_port"], f["dest_ip"], f["dest_port"], f["proto"]) == \
        ("10.6.0.1", 9000, "10.6.0.2", 9001, "UDP")
    assert f["flow"]["pkts_toserver"] == 1  # the reassembled datagram
    assert f["flow"]["pkts_toclient"] == 1
    st = r.stats
    assert get(st, "defrag.ipv4.fragments") == len(frags)
    assert get(st, "defrag.ipv4.reassembled") == 1
    assert get(st, "decoder.pkts") == len(frags) + 1
    assert get(st, "decoder.udp") == 2


def test_ipv4_incomplete_fragments_make_no_flow(tmp_path, run_cleannet):
    clock = Clock()
    big = IP(src="10.6.0.1", dst="10.6.0.2", id=7) / UDP(sport=9000, dport=9001) / Raw(b"z" * 3000)
    frags = fragment(big, fragsize=1000)[:-1]
    write_pcap(tmp_path / "f.pcap", [frozen(Ether() / f, clock.tick()) for f in frags])
    r = run_cleannet(tmp_path / "f.pcap", check=True)
    assert r.flows == []
    assert get(r.stats, "defrag.ipv4.fragments") == len(frags)
    assert get(r.stats, "defrag.ipv4.reassembled") == 0


def test_ipv6_fragments_reassemble_into_one_flow(tmp_path, run_cleannet):
    clock = Clock()
    src, dst = "2001:db8:6::1", "2001:db8:6::2"
    whole = IPv6(src=src, dst=dst) / UDP(sport=9100, dport=9101) / Raw(bytes(range(250)) * 10)
    payload = bytes(whole[UDP])
    pkts = []
    for off in range(0, len(payload), 1000):
        more = 1 if off + 1000 < len(payload) else 0
        pkts.append(frozen(Ether(src=CLI_MAC, dst=SRV_MAC) / IPv6(src=src, dst=dst, nh=44) /
                           IPv6ExtHdrFragment(nh=17, offset=off // 8, m=more, id=0x99) /
                           Raw(payload[off:off + 1000]), clock.tick()))
    write_pcap(tmp_path / "f6.pcap", pkts)
    r = run_cleannet(tmp_path / "f6.pcap", check=True)
    f = only(r.flows)
    assert (f["src_ip"], f["src_port"], f["dest_ip"], f["dest_port"], f["proto"]) == \
        (v6full(src), 9100, v6full(dst), 9101, "UDP")
    assert f["flow"]["pkts_toserver"] == 1
    assert get(r.stats, "defrag.ipv6.fragments") == len(pkts)
    assert get(r.stats, "defrag.ipv6.reassembled") == 1


def test_gre_inner_flow(tmp_path, run_cleannet):
    def outer(c2s):
        return Ether(src=CLI_MAC, dst=SRV_MAC) / \
            IP(src="192.0.2.1" if c2s else "192.0.2.2", dst="192.0.2.2" if c2s else "192.0.2.1") / \
            GRE(proto=0x0800)
    s = tcp_session("172.16.1.1", "172.16.2.2", 45000, 80, l2=outer)
    write_pcap(tmp_path / "g.pcap", s.pkts)
    r = run_cleannet(tmp_path / "g.pcap", check=True)
    f = only(flow_between(r.records, "172.16.1.1", "172.16.2.2"))
    assert f["proto"] == "TCP" and f["src_port"] == 45000 and f["dest_port"] == 80
    assert f["flow"]["pkts_toserver"] + f["flow"]["pkts_toclient"] == len(s.pkts)
    assert f["flow"]["state"] == "closed"
    assert get(r.stats, "decoder.gre") == len(s.pkts)
    assert get(r.stats, "tcp.sessions") == 1


def test_vxlan_inner_flow(tmp_path, run_cleannet):
    clock = Clock()
    pkts = []
    for i in range(3):
        c2s = i != 1
        inner = Ether(src=CLI_MAC, dst=SRV_MAC) / \
            IP(src="10.200.0.1" if c2s else "10.200.0.2", dst="10.200.0.2" if c2s else "10.200.0.1") / \
            UDP(sport=7000 if c2s else 7001, dport=7001 if c2s else 7000) / Raw(b"inner")
        outer = Ether() / IP(src="192.0.2.11", dst="192.0.2.12") / UDP(sport=49999, dport=4789) / \
            VXLAN(vni=77, flags=0x08)
        pkts.append(frozen(outer / inner, clock.tick()))
    write_pcap(tmp_path / "x.pcap", pkts)
    r = run_cleannet(tmp_path / "x.pcap", check=True)
    f = only(flow_between(r.records, "10.200.0.1", "10.200.0.2"))
    assert f["proto"] == "UDP" and f["src_port"] == 7000 and f["dest_port"] == 7001
    assert f["flow"]["pkts_toserver"] == 2 and f["flow"]["pkts_toclient"] == 1
    assert get(r.stats, "decoder.vxlan") == 3


def _bad_checksum_session(path):
    s = TcpSession("10.7.0.1", "10.7.0.2", 42000, 80, Clock(), l2=ether_l2(CLI_MAC, SRV_MAC))
    s.pkt(True, 0x02, chksum=0xdead)
    s.pkt(False, 0x12, chksum=0xdead)
    s.pkt(True, 0x10, chksum=0xdead)
    write_pcap(path, s.pkts)


def test_checksum_k_all_ignores_bad_tcp(tmp_path, run_cleannet):
    _bad_checksum_session(tmp_path / "c.pcap")
    r = run_cleannet(tmp_path / "c.pcap", "-k", "all", check=True)
    assert get(r.stats, "tcp.sessions") == 0
    assert get(r.stats, "tcp.invalid_checksum") == 3


def test_checksum_k_none_accepts_bad_tcp(tmp_path, run_cleannet):
    _bad_checksum_session(tmp_path / "c.pcap")
    r = run_cleannet(tmp_path / "c.pcap", "-k", "none", check=True)
    assert get(r.stats, "tcp.sessions") == 1
    assert get(r.stats, "tcp.invalid_checksum", 0) == 0
    f = only(r.flows)
    assert f["flow"]["state"] == "established"
    assert f["tcp"]["state"] == "established"
