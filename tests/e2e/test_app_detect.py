"""Protocol detection end to end: flow records name each flow's application protocol (and a
direction's own when the two differ), alert records carry it, and app-layer-protocol rules
fire once per flow, on the packet that completes detection, as Suricata's do. Header
protocols (alert ssh ...) match only flows detected as that protocol. Every record is
checked against the EVE schema by run_cleannet."""

from helpers import Clock, TcpSession, ether_l2, tcp_session, udp_exchange, write_pcap

TLS_HELLO = bytes.fromhex("160301002f0100002b0303") + bytes(32) + bytes.fromhex("000002c02f0100")
DNS_QUERY = bytes.fromhex("123401000001000000000000") + b"\x03www\x07example\x03com\x00\x00\x01\x00\x01"


def mixed(path):
    clock = Clock()
    pkts = []
    pkts += tcp_session("10.3.0.1", "10.3.0.9", 40000, 8080, clock=clock).pkts  # http on 8080
    pkts += tcp_session("10.3.0.2", "10.3.0.9", 40001, 443, clock=clock, req=TLS_HELLO,
                        resp=None).pkts
    pkts += tcp_session("10.3.0.3", "10.3.0.9", 40002, 22, clock=clock,
                        req=b"GET / HTTP/1.0\r\n\r\n", resp=b"SSH-2.0-OpenSSH_9.2\r\n").pkts
    pkts += tcp_session("10.3.0.4", "10.3.0.9", 40003, 9000, clock=clock,
                        req=b"\x00\x01binary-nonsense-payload", resp=b"\x07\x07more-nonsense!!").pkts
    pkts += udp_exchange("10.3.0.5", "10.3.0.53", 50000, 53, 1, 0, clock, payload=DNS_QUERY)
    write_pcap(path, pkts)
    return path


def flow_of(r, dport):
    return [f for f in r.flows if f.get("dest_port") == dport][0]


def test_flow_records_name_the_protocol(run_cleannet, tmp_path):
    r = run_cleannet(mixed(tmp_path / "m.pcap"), "-S", "/dev/null", check=True)
    assert flow_of(r, 8080)["app_proto"] == "http"
    assert flow_of(r, 443)["app_proto"] == "tls"
    assert flow_of(r, 53)["app_proto"] == "dns"
    assert flow_of(r, 9000)["app_proto"] == "failed"
    mismatch = flow_of(r, 22)
    assert mismatch["app_proto"] == "http"
    assert mismatch["app_proto_tc"] == "ssh" and "app_proto_ts" not in mismatch


def test_app_layer_protocol_rules(run_cleannet, tmp_path):
    rules = tmp_path / "a.rules"
    rules.write_text(
        'alert tcp any any -> any any (msg:"tls"; app-layer-protocol:tls; sid:1;)\n'
        'alert tcp any any -> any any (msg:"not http"; flow:to_server; '
        'app-layer-protocol:!http; sid:2;)\n'
        'alert tcp any any -> any any (msg:"http client, ssh server"; flow:to_client; '
        'app-layer-protocol:http1,to_server; app-layer-protocol:ssh,to_client; sid:3;)\n'
        'alert ssh any any -> any any (msg:"ssh header"; content:"SSH-"; sid:4;)\n'
        'alert tcp any any -> any any (msg:"failed"; app-layer-protocol:failed,final; sid:5;)\n')
    r = run_cleannet(mixed(tmp_path / "m.pcap"), "-S", rules, check=True)
    by_sid = {}
    for a in r.of_type("alert"):
        by_sid.setdefault(a["alert"]["signature_id"], []).append(a)
    assert [a["dest_port"] for a in by_sid[1]] == [443]  # once, not on every packet
    assert by_sid[1][0]["app_proto"] == "tls"
    # to-server directions detected as something other than http: tls and the unknown one
    assert sorted(a["dest_port"] for a in by_sid[2]) == [443, 9000]
    assert len(by_sid[3]) == 1 and by_sid[3][0]["src_port"] == 22
    assert 4 not in by_sid  # the ssh banner rides on a flow detected as http
    # "failed" once both directions failed: on the server's packet that settled it
    assert [(a["src_port"], a["dest_port"]) for a in by_sid[5]] == [(9000, 40003)]


def test_bad_app_layer_protocol_values(run_cleannet, tmp_path):
    rules = tmp_path / "bad.rules"
    rules.write_text(
        'alert tcp any any -> any any (app-layer-protocol:nosuch; sid:1;)\n'
        'alert tcp any any -> any any (app-layer-protocol:tls,sideways; sid:2;)\n'
        'alert tcp any any -> any any (app-layer-protocol:tls; app-layer-protocol:!ssh; sid:3;)\n'
        'alert tcp any any -> any any (app-layer-protocol:!tls; app-layer-protocol:!ssh; sid:4;)\n')
    r = run_cleannet(mixed(tmp_path / "m.pcap"), "-S", rules, "-T", check=False)
    assert r.rc != 0
    assert "unknown protocol 'nosuch'" in r.stderr
    assert "unknown mode 'sideways'" in r.stderr
    assert "cannot combine" in r.stderr
    assert "1 rules successfully loaded, 3 rules failed" in r.output


def test_mismatch_is_an_applayer_anomaly(run_cleannet, tmp_path):
    rules = tmp_path / "ev.rules"
    rules.write_text(
        'alert tcp any any -> any any (msg:"mismatch"; '
        'app-layer-event:applayer_mismatch_protocol_both_directions; sid:1;)\n'
        'alert tcp any any -> any any (msg:"parser event"; '
        'app-layer-event:http.invalid_transfer_encoding_value_in_request; sid:2;)\n')
    r = run_cleannet(mixed(tmp_path / "m.pcap"), "-S", rules, check=True)
    # stock anomaly settings log app-layer events only: one, from the server's SSH banner
    anomalies = r.of_type("anomaly")
    assert [(a["src_port"], a["dest_port"]) for a in anomalies] == [(22, 40002)]
    assert anomalies[0]["anomaly"] == {
        "app_proto": "http", "type": "applayer", "layer": "proto_detect",
        "event": "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS"}
    alerts = r.of_type("alert")
    assert [(a["alert"]["signature_id"], a["src_port"]) for a in alerts] == [(1, 22)]
    assert alerts[0]["pcap_cnt"] == anomalies[0]["pcap_cnt"]
    # a parser's event names the parser it waits for; the other rule still loads
    assert "needs the http parser" in r.stderr
    assert "1 rules successfully loaded, 1 rules failed" in r.output


def test_protocol_rules_inspect_the_stream(run_cleannet, tmp_path):
    """A content rule with an application-layer header protocol inspects the reassembled
    stream, as Suricata's do: a content cut between two segments matches once, and only on
    a flow detected as that protocol."""
    clock = Clock()
    hello = TLS_HELLO[:15] + b"ABCDEFGHIJ" + TLS_HELLO[15:]
    pkts = []
    for sport, dport, first in ((41000, 443, hello), (41001, 80, b"GET / HTTP/1.0\r\n" + hello)):
        s = TcpSession("10.4.0.1", "10.4.0.9", sport, dport, clock, l2=ether_l2())
        pkts += s.handshake() + s.send(True, first, mss=20) + s.close()
    write_pcap(tmp_path / "split.pcap", pkts)
    rules = tmp_path / "s.rules"
    rules.write_text('alert tls any any -> any any (msg:"split"; flow:to_server; '
                     'content:"ABCDEFGHIJ"; sid:1;)\n')
    r = run_cleannet(tmp_path / "split.pcap", "-S", rules, check=True)
    alerts = r.of_type("alert")
    assert [(a["alert"]["signature_id"], a["dest_port"]) for a in alerts] == [(1, 443)]
    assert alerts[0]["app_proto"] == "tls"


def test_dns_rules_still_inspect_udp_packets(run_cleannet, tmp_path):
    rules = tmp_path / "d.rules"
    rules.write_text('alert dns any any -> any any (msg:"dns"; content:"example"; sid:7;)\n')
    r = run_cleannet(mixed(tmp_path / "m.pcap"), "-S", rules, check=True)
    assert [(a["alert"]["signature_id"], a["proto"], a["dest_port"])
            for a in r.of_type("alert")] == [(7, "UDP", 53)]
