"""SCTP (IP protocol 132) and ESP (IP protocol 50) as Suricata 7 handles them: SCTP flows are
keyed by ports and logged with them, ESP flows are keyed by SPI in one direction and logged
with "spi"; too-short headers raise decoder.sctp.pkt_too_small / decoder.esp.pkt_too_small."""

import pytest
from helpers import (ANOMALY_CONFIG, CLI_MAC, SRV_MAC, Clock, flow_between, frame_len, frozen,
                     get, only, v6full, write_pcap)
from scapy.all import IP, Ether, Raw
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP
from scapy.layers.sctp import SCTP, SCTPChunkData

CLI4, SRV4 = "10.7.0.1", "10.7.0.2"
CLI6, SRV6 = "2001:db8:7::1", "2001:db8:7::2"


def ip(c2s, v6=False):
    cli, srv = (CLI6, SRV6) if v6 else (CLI4, SRV4)
    l3 = IPv6 if v6 else IP
    l2 = Ether(src=CLI_MAC, dst=SRV_MAC) if c2s else Ether(src=SRV_MAC, dst=CLI_MAC)
    return l2 / l3(src=cli if c2s else srv, dst=srv if c2s else cli)


def sctp_exchange(clock, v6=False, n=3):
    """n client chunks and n - 1 replies on one association, 36412 -> 2905."""
    pkts = []
    for i in range(n):
        pkts.append(frozen(ip(True, v6) / SCTP(sport=36412, dport=2905) /
                           SCTPChunkData(tsn=i, data=b"req%d" % i), clock.tick()))
        if i < n - 1:
            pkts.append(frozen(ip(False, v6) / SCTP(sport=2905, dport=36412) /
                               SCTPChunkData(tsn=100 + i, data=b"rsp%d" % i), clock.tick()))
    return pkts


def esp(clock, c2s, spi, seq, v6=False):
    return frozen(ip(c2s, v6) / ESP(spi=spi, seq=seq, data=b"\xa5" * 24), clock.tick())


@pytest.mark.parametrize("v6", [False, True])
def test_sctp_flow_keyed_by_ports(tmp_path, run_cleannet, v6):
    clock = Clock()
    a = sctp_exchange(clock, v6)
    # a second association between the same hosts: another flow, told apart by its ports
    b = [frozen(ip(True, v6) / SCTP(sport=36413, dport=2905) / SCTPChunkData(data=b"x"),
                clock.tick())]
    write_pcap(tmp_path / "s.pcap", a + b)
    r = run_cleannet(tmp_path / "s.pcap", check=True)
    cli, srv = (v6full(CLI6), v6full(SRV6)) if v6 else (CLI4, SRV4)
    flows = flow_between(r.records, cli, srv, "SCTP")
    assert sorted(f["src_port"] for f in flows) == [36412, 36413]
    f = only([f for f in flows if f["src_port"] == 36412])
    assert f["dest_port"] == 2905 and f["ip_v"] == (6 if v6 else 4)
    c2s = [p for p in a if p[SCTP].sport == 36412]
    s2c = [p for p in a if p[SCTP].sport == 2905]
    assert f["flow"]["pkts_toserver"] == len(c2s)
    assert f["flow"]["pkts_toclient"] == len(s2c)
    assert f["flow"]["bytes_toserver"] == frame_len(c2s)
    assert f["flow"]["bytes_toclient"] == frame_len(s2c)
    assert f["flow"]["state"] == "established"
    assert "spi" not in f
    assert get(r.stats, "decoder.sctp") == len(a) + len(b)
    assert get(r.stats, "decoder.event.sctp.pkt_too_small") == 0
    assert get(r.stats, "decoder.event.ipv6.unknown_next_header") == 0
    assert get(r.stats, "flow.total") == 2


def test_sctp_alert_has_ports(tmp_path, run_cleannet):
    clock = Clock()
    pkts = sctp_exchange(clock, n=1)
    write_pcap(tmp_path / "s.pcap", pkts)
    rules = tmp_path / "r.rules"
    rules.write_text('alert sctp any any -> any 2905 (msg:"sctp to 2905"; sid:1;)\n'
                     'alert sctp any any -> any 2906 (msg:"wrong port"; sid:2;)\n')
    r = run_cleannet(tmp_path / "s.pcap", "-S", rules, check=True)
    a = only(r.of_type("alert"), "alert")
    assert a["alert"]["signature_id"] == 1
    assert a["proto"] == "SCTP"
    assert (a["src_ip"], a["src_port"], a["dest_ip"], a["dest_port"]) == \
        (CLI4, 36412, SRV4, 2905)
    f = only(flow_between(r.records, CLI4, SRV4, "SCTP"))
    assert f["flow_id"] == a["flow_id"]


@pytest.mark.parametrize("v6", [False, True])
def test_esp_flow_per_spi_and_direction(tmp_path, run_cleannet, v6):
    clock = Clock()
    out = [esp(clock, True, 0x1001, i, v6) for i in range(1, 4)]
    back = [esp(clock, False, 0x2002, i, v6) for i in range(1, 3)]
    rekey = [esp(clock, True, 0x3003, 1, v6)]
    write_pcap(tmp_path / "e.pcap", out + back + rekey)
    r = run_cleannet(tmp_path / "e.pcap", check=True)
    cli, srv = (v6full(CLI6), v6full(SRV6)) if v6 else (CLI4, SRV4)
    fwd = flow_between(r.records, cli, srv, "ESP")
    rev = flow_between(r.records, srv, cli, "ESP")
    assert sorted(f["spi"] for f in fwd) == [0x1001, 0x3003]
    f = only([f for f in fwd if f["spi"] == 0x1001])
    assert "src_port" not in f and "dest_port" not in f
    assert f["flow"]["pkts_toserver"] == len(out) and f["flow"]["pkts_toclient"] == 0
    assert f["flow"]["bytes_toserver"] == frame_len(out)
    g = only(rev)  # the reply SA is a flow of its own, as in Suricata
    assert g["spi"] == 0x2002
    assert g["flow"]["pkts_toserver"] == len(back) and g["flow"]["bytes_toserver"] == \
        frame_len(back)
    assert get(r.stats, "decoder.esp") == len(out) + len(back) + len(rekey)
    assert get(r.stats, "flow.total") == 3


def truncated(v6, proto, n):
    """An IP packet of protocol proto carrying only n bytes of its header."""
    l3 = IPv6(src=CLI6, dst=SRV6, nh=proto) if v6 else IP(src=CLI4, dst=SRV4, proto=proto)
    return Ether(src=CLI_MAC, dst=SRV_MAC) / l3 / Raw(b"\x01" * n)


@pytest.mark.parametrize("v6", [False, True])
@pytest.mark.parametrize("proto,name,n", [(132, "sctp", 11), (50, "esp", 7)])
def test_truncated_header_anomaly(tmp_path, run_cleannet, write_config, v6, proto, name, n):
    clock = Clock()
    write_pcap(tmp_path / "t.pcap", [frozen(truncated(v6, proto, n), clock.tick())])
    r = run_cleannet(tmp_path / "t.pcap", "-c", write_config(ANOMALY_CONFIG), check=True)
    a = only(r.anomalies, "anomaly record")
    assert a["anomaly"] == {"type": "decode", "event": "decoder.%s.pkt_too_small" % name}
    assert a["proto"] == name.upper()
    assert "src_port" not in a
    assert get(r.stats, "decoder." + name) == 1
    assert get(r.stats, "decoder.event.%s.pkt_too_small" % name) == 1
    assert get(r.stats, "decoder.invalid") == 1
    assert r.flows == []  # as Suricata: no flow for a packet whose header failed
