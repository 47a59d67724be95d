"""Flow records: counts per direction, orientation, TCP states and flags, timeouts, link
types, VLAN arrays and Ethernet addresses."""

import struct

import pytest
from helpers import (CLI_MAC, ETHERNET_CONFIG, LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_SLL,
                     LINKTYPE_SLL2, SRV_MAC, SYN, Clock, TcpSession, ether_l2, flow_between,
                     frame_len, get, only, tcp_session, udp_exchange, write_pcap)


def ts(clock_value):
    """Suricata's timestamp format for a Decimal epoch time (TZ=UTC)."""
    import datetime
    sec = int(clock_value)
    usec = int((clock_value - sec) * 1_000_000)
    d = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d+0000" % usec


def test_udp_flow_counts_and_orientation(tmp_path, run_cleannet):
    clock = Clock()
    pkts = udp_exchange("10.1.0.1", "10.1.0.2", 33333, 5353, 3, 2, clock)
    write_pcap(tmp_path / "u.pcap", pkts)
    r = run_cleannet(tmp_path / "u.pcap", check=True)
    f = only(r.flows, "flow record")
    assert (f["src_ip"], f["src_port"], f["dest_ip"], f["dest_port"], f["proto"]) == \
        ("10.1.0.1", 33333, "10.1.0.2", 5353, "UDP")
    fl = f["flow"]
    assert fl["pkts_toserver"] == 3 and fl["pkts_toclient"] == 2
    assert fl["bytes_toserver"] == frame_len(pkts[:3])
    assert fl["bytes_toclient"] == frame_len(pkts[3:])
    assert fl["state"] == "established"
    assert fl["reason"] == "shutdown"
    assert fl["alerted"] is False
    assert fl["start"] == ts(pkts[0].time)
    assert fl["end"] == ts(pkts[-1].time)
    assert fl["age"] == 0
    assert f["timestamp"].endswith("+0000")
    assert isinstance(f["flow_id"], int) and f["flow_id"] > 0
    st = r.stats
    assert get(st, "decoder.pkts") == 5
    assert get(st, "decoder.udp") == 5
    assert get(st, "decoder.bytes") == frame_len(pkts)
    assert get(st, "flow.total") == 1


def test_udp_one_direction_is_new(tmp_path, run_cleannet):
    clock = Clock()
    pkts = udp_exchange("10.1.0.1", "10.1.0.2", 33333, 514, 4, 0, clock)
    write_pcap(tmp_path / "u.pcap", pkts)
    f = only(run_cleannet(tmp_path / "u.pcap", check=True).flows)
    assert f["flow"]["state"] == "new"
    assert f["flow"]["pkts_toclient"] == 0 and f["flow"]["bytes_toclient"] == 0
    assert f["flow"]["pkts_toserver"] == 4


def test_tcp_closed_after_fin_handshake(tmp_path, run_cleannet):
    s = tcp_session()
    write_pcap(tmp_path / "t.pcap", s.pkts)
    r = run_cleannet(tmp_path / "t.pcap", check=True)
    f = only(r.flows)
    assert (f["src_ip"], f["src_port"], f["dest_ip"], f["dest_port"], f["proto"]) == \
        ("10.0.0.1", 40000, "10.0.0.2", 80, "TCP")
    c2s = [p for p in s.pkts if p["IP"].src == "10.0.0.1"]
    s2c = [p for p in s.pkts if p["IP"].src == "10.0.0.2"]
    assert f["flow"]["pkts_toserver"] == len(c2s)
    assert f["flow"]["pkts_toclient"] == len(s2c)
    assert f["flow"]["bytes_toserver"] == frame_len(c2s)
    assert f["flow"]["bytes_toclient"] == frame_len(s2c)
    assert f["flow"]["state"] == "closed"
    t = f["tcp"]
    assert t["tcp_flags"] == "1b" and t["tcp_flags_ts"] == "1b" and t["tcp_flags_tc"] == "1b"
    assert t["syn"] is True and t["fin"] is True and t["psh"] is True and t["ack"] is True
    assert "rst" not in t
    assert t["state"] == "closed"
    assert get(r.stats, "tcp.sessions") == 1
    assert get(r.stats, "decoder.tcp") == len(s.pkts)


def test_tcp_established(tmp_path, run_cleannet):
    s = tcp_session(close=False)
    write_pcap(tmp_path / "t.pcap", s.pkts)
    f = only(run_cleannet(tmp_path / "t.pcap", check=True).flows)
    assert f["flow"]["state"] == "established"
    assert f["tcp"]["state"] == "established"
    assert f["tcp"]["tcp_flags"] == "1a"
    assert f["tcp"]["tcp_flags_ts"] == "1a" and f["tcp"]["tcp_flags_tc"] == "1a"
    assert "fin" not in f["tcp"]


def test_tcp_lone_syn_is_new(tmp_path, run_cleannet):
    s = TcpSession("10.0.0.1", "10.0.0.2", 40001, 22, Clock(), l2=ether_l2(CLI_MAC, SRV_MAC))
    s.pkt(True, SYN)
    write_pcap(tmp_path / "t.pcap", s.pkts)
    r = run_cleannet(tmp_path / "t.pcap", check=True)
    f = only(r.flows)
    assert f["flow"]["state"] == "new"
    assert f["flow"]["pkts_toserver"] == 1 and f["flow"]["pkts_toclient"] == 0
    assert f["tcp"]["tcp_flags"] == "02" and f["tcp"]["tcp_flags_ts"] == "02"
    assert f["tcp"]["tcp_flags_tc"] == "00"
    assert f["tcp"]["syn"] is True and f["tcp"]["state"] == "syn_sent"
    assert get(r.stats, "tcp.sessions") == 1


def test_tcp_rst(tmp_path, run_cleannet):
    s = TcpSession("10.0.0.1", "10.0.0.2", 40002, 23, Clock(), l2=ether_l2(CLI_MAC, SRV_MAC))
    s.pkt(True, SYN)
    s.pkt(False, 0x14)  # RST|ACK
    write_pcap(tmp_path / "t.pcap", s.pkts)
    f = only(run_cleannet(tmp_path / "t.pcap", check=True).flows)
    assert f["tcp"]["tcp_flags"] == "16" and f["tcp"]["tcp_flags_tc"] == "14"
    assert f["tcp"]["rst"] is True
    assert f["flow"]["state"] == "closed"
    assert f["tcp"]["state"] == "closed"


def _midstream_pcap(path):
    clock = Clock()
    s = TcpSession("10.0.0.1", "10.0.0.2", 40003, 8080, clock, l2=ether_l2(CLI_MAC, SRV_MAC),
                   isn_c=7000, isn_s=9000)
    s.send(True, b"GET /mid HTTP/1.1\r\nHost: x\r\n\r\n")
    s.send(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    write_pcap(path, s.pkts)
    return s


def test_midstream_off_by_default(tmp_path, run_cleannet):
    _midstream_pcap(tmp_path / "m.pcap")
    r = run_cleannet(tmp_path / "m.pcap", check=True)
    assert get(r.stats, "tcp.sessions") == 0
    assert get(r.stats, "tcp.midstream_pickups", 0) == 0
    assert len(r.flows) == 1


def test_midstream_pickup(tmp_path, run_cleannet):
    s = _midstream_pcap(tmp_path / "m.pcap")
    r = run_cleannet(tmp_path / "m.pcap", "--set", "stream.midstream=true", check=True)
    assert get(r.stats, "tcp.sessions") == 1
    assert get(r.stats, "tcp.midstream_pickups") == 1
    f = only(r.flows)
    assert f["src_ip"] == "10.0.0.1" and f["dest_port"] == 8080
    assert f["flow"]["state"] == "established"
    assert f["flow"]["pkts_toserver"] + f["flow"]["pkts_toclient"] == len(s.pkts)


def test_flow_timeout_reason(tmp_path, run_cleannet):
    clock = Clock()
    a = udp_exchange("10.2.0.1", "10.2.0.2", 1111, 2222, 1, 1, clock)
    clock.skip(1000)  # past every stock UDP timeout (new 30 s, established 300 s)
    b = udp_exchange("10.2.0.3", "10.2.0.4", 3333, 4444, 1, 1, clock)
    write_pcap(tmp_path / "t.pcap", a + b)
    r = run_cleannet(tmp_path / "t.pcap", check=True)
    first = only(flow_between(r.records, "10.2.0.1", "10.2.0.2"))
    second = only(flow_between(r.records, "10.2.0.3", "10.2.0.4"))
    assert first["flow"]["reason"] == "timeout"
    assert second["flow"]["reason"] == "shutdown"
    # a longer timeout given on the command line keeps the first flow open until shutdown
    r = run_cleannet(tmp_path / "t.pcap", "--set", "flow-timeouts.udp.established=5000",
                     check=True)
    first = only(flow_between(r.records, "10.2.0.1", "10.2.0.2"))
    assert first["flow"]["reason"] == "shutdown"


def test_icmp_echo_flow(tmp_path, run_cleannet):
    from scapy.all import ICMP, IP, Ether, Raw
    from helpers import frozen
    clock = Clock()
    pkts = []
    for i in range(2):
        pkts.append(frozen(Ether(src=CLI_MAC, dst=SRV_MAC) / IP(src="10.3.0.1", dst="10.3.0.2") /
                           ICMP(type=8, id=9, seq=i) / Raw(b"ping"), clock.tick()))
        pkts.append(frozen(Ether(src=SRV_MAC, dst=CLI_MAC) / IP(src="10.3.0.2", dst="10.3.0.1") /
                           ICMP(type=0, id=9, seq=i) / Raw(b"ping"), clock.tick()))
    write_pcap(tmp_path / "i.pcap", pkts)
    r = run_cleannet(tmp_path / "i.pcap", check=True)
    f = only(r.flows)
    assert f["proto"] == "ICMP" and f["src_ip"] == "10.3.0.1"
    assert f["flow"]["pkts_toserver"] == 2 and f["flow"]["pkts_toclient"] == 2
    assert get(r.stats, "decoder.icmpv4") == 4


def test_ipv6_tcp_and_udp(tmp_path, run_cleannet):
    clock = Clock()
    s = tcp_session("2001:db8::1", "2001:db8::2", 41000, 80, clock=clock, v6=True)
    u = udp_exchange("2001:db8::1", "2001:db8::53", 41001, 53, 1, 1, clock, v6=True)
    write_pcap(tmp_path / "v6.pcap", s.pkts + u)
    r = run_cleannet(tmp_path / "v6.pcap", check=True)
    # Suricata writes IPv6 addresses uncompressed
    t = only(flow_between(r.records, "2001:0db8:0000:0000:0000:0000:0000:0001",
                          "2001:0db8:0000:0000:0000:0000:0000:0002"))
    assert t["proto"] == "TCP" and t["flow"]["state"] == "closed"
    assert t["flow"]["pkts_toserver"] + t["flow"]["pkts_toclient"] == len(s.pkts)
    assert len(r.flows) == 2
    assert get(r.stats, "decoder.ipv6") == len(s.pkts) + 2


def _vlan_pcap(path, inner):
    clock = Clock()
    pkts = udp_exchange("10.4.0.1", "10.4.0.2", 5000, 6000, 2, 1, clock, inner=inner)
    write_pcap(path, pkts)
    return pkts


def test_vlan_array(tmp_path, run_cleannet):
    from scapy.all import Dot1Q
    _vlan_pcap(tmp_path / "v.pcap", lambda: Dot1Q(vlan=100))
    r = run_cleannet(tmp_path / "v.pcap", check=True)
    f = only(r.flows)
    assert f["vlan"] == [100]
    assert f["flow"]["pkts_toserver"] == 2 and f["flow"]["pkts_toclient"] == 1
    assert get(r.stats, "decoder.vlan") == 3


def test_qinq_array(tmp_path, run_cleannet):
    from scapy.all import Dot1AD, Dot1Q
    _vlan_pcap(tmp_path / "q.pcap", lambda: Dot1AD(vlan=300) / Dot1Q(vlan=100))
    r = run_cleannet(tmp_path / "q.pcap", check=True)
    f = only(r.flows)
    assert f["vlan"] == [300, 100]


def test_same_tuple_different_vlan_are_two_flows(tmp_path, run_cleannet):
    from scapy.all import Dot1Q
    clock = Clock()
    a = udp_exchange("10.4.0.1", "10.4.0.2", 5000, 6000, 1, 0, clock, inner=lambda: Dot1Q(vlan=10))
    b = udp_exchange("10.4.0.1", "10.4.0.2", 5000, 6000, 1, 0, clock, inner=lambda: Dot1Q(vlan=20))
    write_pcap(tmp_path / "v.pcap", a + b)
    r = run_cleannet(tmp_path / "v.pcap", check=True)
    assert sorted(f["vlan"][0] for f in r.flows) == [10, 20]


def test_no_ether_by_default(tmp_path, run_cleannet):
    write_pcap(tmp_path / "u.pcap", udp_exchange("10.1.0.1", "10.1.0.2", 1, 2, 1, 1, Clock()))
    f = only(run_cleannet(tmp_path / "u.pcap", check=True).flows)
    assert "ether" not in f


def test_ether_macs_with_config(tmp_path, run_cleannet, write_config):
    write_pcap(tmp_path / "u.pcap", udp_exchange("10.1.0.1", "10.1.0.2", 1, 2, 2, 1, Clock()))
    cfg = write_config(ETHERNET_CONFIG)
    f = only(run_cleannet(tmp_path / "u.pcap", "-c", cfg, check=True).flows)
    assert f["ether"]["src_macs"] == [CLI_MAC]
    assert f["ether"]["dest_macs"] == [SRV_MAC]


def _udp_ip_pkts(clock):
    from scapy.all import IP, UDP, Raw
    pkts = []
    for c2s in (True, True, False):
        src, dst = ("10.5.0.1", "10.5.0.2") if c2s else ("10.5.0.2", "10.5.0.1")
        sp, dp = (7000, 7001) if c2s else (7001, 7000)
        pkts.append((clock.tick(), bytes(IP(src=src, dst=dst) / UDP(sport=sp, dport=dp) /
                                         Raw(b"linktype"))))
    return pkts


def _cooked(ip_bytes, linktype):
    from scapy.layers.l2 import CookedLinux, CookedLinuxV2
    if linktype == LINKTYPE_RAW:
        return ip_bytes
    if linktype == LINKTYPE_NULL:
        return struct.pack("<I", 2) + ip_bytes  # AF_INET in the writer's (little-endian) order
    if linktype == LINKTYPE_SLL:
        return bytes(CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6,
                                 src=b"\x02\x00\x00\x00\x00\x01\x00\x00", proto=0x0800)) + ip_bytes
    return bytes(CookedLinuxV2(proto=0x0800, ifindex=2, lladdrtype=1, pkttype=0, lladdrlen=6,
                               src=b"\x02\x00\x00\x00\x00\x01\x00\x00")) + ip_bytes


@pytest.mark.parametrize("linktype,counter", [(LINKTYPE_RAW, "raw"), (LINKTYPE_NULL, "null"),
                                              (LINKTYPE_SLL, "sll"), (LINKTYPE_SLL2, "sll2")])
def test_linktypes(tmp_path, run_cleannet, linktype, counter):
    pkts = [(t, _cooked(b, linktype)) for t, b in _udp_ip_pkts(Clock())]
    write_pcap(tmp_path / "l.pcap", pkts, linktype=linktype)
    r = run_cleannet(tmp_path / "l.pcap", check=True)
    f = only(r.flows)
    assert (f["src_ip"], f["src_port"], f["dest_ip"], f["dest_port"]) == \
        ("10.5.0.1", 7000, "10.5.0.2", 7001)
    assert f["flow"]["pkts_toserver"] == 2 and f["flow"]["pkts_toclient"] == 1
    assert f["flow"]["bytes_toserver"] == len(pkts[0][1]) + len(pkts[1][1])
    assert f["flow"]["bytes_toclient"] == len(pkts[2][1])
    assert get(r.stats, "decoder.pkts") == 3
    assert get(r.stats, "decoder.udp") == 3
    assert get(r.stats, "decoder." + counter) == 3


def test_tcp_port_reuse_starts_a_new_flow(tmp_path, run_cleannet):
    """A SYN with a new ISN on the ports of a closed connection starts a new flow, as in
    Suricata: the old flow ends (reason timeout) and flow.tcp_reuse counts it. A SYN
    retransmission does not."""
    clock = Clock()
    old = TcpSession("10.9.1.1", "10.9.1.2", 45000, 8080, clock, l2=ether_l2(), isn_c=1000)
    pkts = old.handshake() + old.send(True, b"first connection") + old.close()
    new = TcpSession("10.9.1.1", "10.9.1.2", 45000, 8080, clock, l2=ether_l2(), isn_c=700000)
    syn = new.handshake()
    pkts += syn[:1] + syn + new.send(True, b"second") + new.close()  # the SYN sent twice
    write_pcap(tmp_path / "reuse.pcap", pkts)
    r = run_cleannet(tmp_path / "reuse.pcap", check=True)
    flows = sorted(r.flows, key=lambda f: f["flow"]["start"])
    assert len(flows) == 2
    assert flows[0]["flow"]["reason"] == "timeout" and flows[0]["tcp"]["state"] == "closed"
    assert flows[0]["flow"]["pkts_toserver"] == 5 and flows[0]["flow"]["pkts_toclient"] == 4
    assert flows[1]["flow"]["reason"] == "shutdown" and flows[1]["flow"]["pkts_toserver"] == 6
    assert get(r.stats, "flow.tcp_reuse") == 1
    assert get(r.stats, "tcp.sessions") == 2
