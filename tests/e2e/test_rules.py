"""Rules end to end: -S/-s and rule-files from the configuration, alerts by sid on crafted
captures, alert record fields and fast.log lines, pass suppression, -T on good and bad rule
files (exit status and the file:line of a failed rule), --list-keywords, and the detect
counters in the stats record. Every eve.json record is checked against the EVE schema by the
run_cleannet fixture."""

import json
import re

from helpers import Clock, TcpSession, ether_l2, get, only, tcp_session, udp_exchange, write_pcap
from scapy.all import IP, UDP, Ether

HTTP_REQ = b"GET /secret/admin.php HTTP/1.1\r\nHost: victim\r\nUser-Agent: evil-scanner\r\n\r\n"

FAST_RE = re.compile(r"^\d\d/\d\d/\d{4}-\d\d:\d\d:\d\d\.\d{6}  (\[wDrop\] )?\[\*\*\] "
                     r"\[(\d+):(\d+):(\d+)\] (.*) \[\*\*\] (\[Classification: [^\]]*\] )?"
                     r"\[Priority: (\d+)\] \{(\w[\w-]*)\} (\S+):(\d+) -> (\S+):(\d+)$")


def http_pcap(path):
    s = tcp_session("10.1.0.1", "10.1.0.2", 40000, 80, clock=Clock(), req=HTTP_REQ)
    write_pcap(path, s.pkts)
    return path


def rules_file(tmp_path, text, name="test.rules"):
    p = tmp_path / name
    p.write_text(text)
    return p


def alerts(r):
    return r.of_type("alert")


def sids(r):
    return sorted(a["alert"]["signature_id"] for a in alerts(r))


def fast_lines(r):
    p = r.logdir / "fast.log"
    return p.read_text().splitlines() if p.exists() else []


def test_content_rule_alerts_once(run_cleannet, tmp_path):
    rules = rules_file(tmp_path, (
        'alert tcp any any -> any 80 (msg:"admin page"; content:"/secret/admin.php"; '
        'classtype:web-application-attack; metadata: created_at 2024_01_01, tag web; '
        'sid:1000001; rev:3;)\n'
        'alert tcp any any -> any 80 (msg:"never"; content:"not in the capture"; sid:1000002;)\n'))
    r = run_cleannet(http_pcap(tmp_path / "http.pcap"), "-S", rules, check=True)
    a = only(alerts(r), "alert")
    assert a["alert"]["signature_id"] == 1000001
    assert a["alert"]["rev"] == 3 and a["alert"]["gid"] == 1
    assert a["alert"]["signature"] == "admin page"
    assert a["alert"]["action"] == "allowed"
    assert a["alert"]["category"] == "Web Application Attack"
    assert a["alert"]["severity"] == 1
    assert a["alert"]["metadata"] == {"created_at": ["2024_01_01"], "tag": ["web"]}
    assert a["src_ip"] == "10.1.0.1" and a["dest_port"] == 80 and a["proto"] == "TCP"
    assert a["direction"] == "to_server"
    # a tcp content rule inspects the reassembled stream, as Suricata does in IDS mode: the
    # request (packet 4) is inspected once the server has acknowledged it, on the client's
    # next packet (7, its FIN after the response and the close's first packets)
    assert a["pcap_cnt"] == 7
    assert a["flow"]["src_ip"] == "10.1.0.1" and a["flow"]["dest_port"] == 80
    # the flow's counters as they stood at packet 7
    assert a["flow"]["pkts_toserver"] == 4 and a["flow"]["pkts_toclient"] == 3
    flow = only([f for f in r.flows if f["src_ip"] == "10.1.0.1"], "flow")
    assert flow["flow"]["alerted"] is True
    assert flow["flow_id"] == a["flow_id"]
    assert get(r.stats, "detect.alert") == 1

    line = only(fast_lines(r), "fast.log line")
    m = FAST_RE.match(line)
    assert m, line
    assert m.group(2, 3, 4) == ("1", "1000001", "3")
    assert m.group(5) == "admin page"
    assert m.group(6) == "[Classification: Web Application Attack] "
    assert m.group(7) == "1" and m.group(8) == "TCP"
    assert m.group(9, 10, 11, 12) == ("10.1.0.1", "40000", "10.1.0.2", "80")


def test_header_direction_and_bidirectional(run_cleannet, tmp_path):
    rules = rules_file(tmp_path, (
        'alert tcp 10.1.0.2 80 -> 10.1.0.1 any (msg:"reply"; content:"200 OK"; sid:10;)\n'
        'alert tcp 10.1.0.1 any -> 10.1.0.2 80 (msg:"wrong way"; content:"200 OK"; sid:11;)\n'
        'alert tcp 10.1.0.1 any <> 10.1.0.2 80 (msg:"either"; content:"200 OK"; sid:12;)\n'
        'alert udp any any -> any any (msg:"udp only"; sid:13;)\n'
        'alert tcp any any -> any 81 (msg:"other port"; sid:14;)\n'))
    r = run_cleannet(http_pcap(tmp_path / "http.pcap"), "-S", rules, check=True)
    assert sids(r) == [10, 12]
    assert all(a["direction"] == "to_client" for a in alerts(r))
    # the flow object names the client first even on a reply
    assert all(a["flow"]["src_ip"] == "10.1.0.1" for a in alerts(r))
    assert len(fast_lines(r)) == 2


def test_ip_and_udp_rules_every_packet(run_cleannet, tmp_path):
    pcap = tmp_path / "udp.pcap"
    write_pcap(pcap, udp_exchange("10.2.0.1", "10.2.0.2", 5000, 53, 2, 1, Clock()))
    rules = rules_file(tmp_path, (
        'alert udp any any -> any 53 (msg:"to dns"; sid:20;)\n'
        'alert udp any 53 -> any any (msg:"from dns"; sid:21;)\n'
        'alert tcp any any -> any any (msg:"tcp"; sid:22;)\n'))
    r = run_cleannet(pcap, "-S", rules, check=True)
    assert sids(r) == [20, 20, 21]
    assert get(r.stats, "detect.alert") == 3


def test_pass_rule_suppresses(run_cleannet, tmp_path):
    rules = rules_file(tmp_path, (
        'alert tcp any any -> any 80 (msg:"admin"; content:"admin"; sid:30;)\n'
        'pass tcp 10.1.0.1 any -> any any (msg:"trusted client"; content:"GET"; sid:31;)\n'))
    r = run_cleannet(http_pcap(tmp_path / "http.pcap"), "-S", rules, check=True)
    assert alerts(r) == []
    assert fast_lines(r) == []


def two_sessions(path):
    clock = Clock()
    pkts = []
    for cli, sport in (("10.6.0.1", 41000), ("10.6.0.2", 41001)):
        s = TcpSession(cli, "10.6.0.9", sport, 80, clock, l2=ether_l2())
        pkts += (s.handshake() + s.send(True, b"GET /evil HTTP/1.0\r\n\r\n") +
                 s.send(False, b"HTTP/1.0 200 OK\r\n\r\nevil") + s.close())
    write_pcap(path, pkts)
    return path


def test_pass_scope_flow_or_packet(run_cleannet, tmp_path):
    """An addresses-only pass rule, as in Suricata, passes the whole flow (both directions,
    every later packet; the flow record says "action": "pass"); a pass rule with packet keywords
    passes only the packets it matches."""
    rules = rules_file(tmp_path, (
        'pass ip 10.6.0.1 any -> any any (msg:"trusted host"; sid:60;)\n'
        'pass tcp any any -> any any (msg:"only SYNs"; flags:S; sid:61;)\n'
        'alert tcp any any -> any any (msg:"any packet"; flow:stateless; sid:62;)\n'
        'alert tcp any any -> any any (msg:"evil"; content:"evil"; sid:63;)\n'))
    r = run_cleannet(two_sessions(tmp_path / "two.pcap"), "-S", rules, check=True)
    by_src = {}
    for a in alerts(r):
        by_src.setdefault(a["src_ip"] if a["src_port"] != 80 else a["dest_ip"], []).append(
            a["alert"]["signature_id"])
    assert "10.6.0.1" not in by_src
    # the second client's SYN is passed, its other 10 packets alert; evil both ways
    assert by_src["10.6.0.2"].count(62) == 10 and by_src["10.6.0.2"].count(63) == 2
    flows = {f["src_ip"]: f for f in r.flows}
    assert flows["10.6.0.1"]["flow"]["action"] == "pass"
    assert "action" not in flows["10.6.0.2"]["flow"]


def test_drop_and_reject_in_ids_mode(run_cleannet, tmp_path):
    rules = rules_file(tmp_path, (
        'drop tcp any any -> any 80 (msg:"drop it"; content:"admin"; sid:40;)\n'
        'reject tcp any any -> any 80 (msg:"reject it"; content:"admin"; sid:41;)\n'))
    r = run_cleannet(http_pcap(tmp_path / "http.pcap"), "-S", rules, check=True)
    by_sid = {a["alert"]["signature_id"]: a for a in alerts(r)}
    assert by_sid[40]["alert"]["action"] == "allowed"
    assert by_sid[41]["alert"]["action"] == "blocked"
    # drop first, as in Suricata's action order
    assert [a["alert"]["signature_id"] for a in alerts(r)] == [40, 41]
    assert all(line.split("  ", 1)[1].startswith("[wDrop] [**]") for line in fast_lines(r))


def test_rule_without_classtype(run_cleannet, tmp_path):
    rules = rules_file(tmp_path, 'alert tcp any any -> any 80 (msg:"plain"; content:"GET"; '
                                 'sid:50;)\n')
    r = run_cleannet(http_pcap(tmp_path / "http.pcap"), "-S", rules, check=True)
    a = only(alerts(r), "alert")
    assert a["alert"]["category"] == "" and a["alert"]["severity"] == 3
    assert a["alert"]["rev"] == 0
    assert "metadata" not in a["alert"]
    line = only(fast_lines(r), "fast.log line")
    assert "Classification" not in line and "[Priority: 3] {TCP}" in line


def test_s_adds_to_S_and_config_rule_files(run_cleannet, tmp_path, write_config):
    a = rules_file(tmp_path, 'alert tcp any any -> any 80 (msg:"a"; content:"GET"; sid:60;)\n',
                   "a.rules")
    b = rules_file(tmp_path, 'alert tcp any any -> any 80 (msg:"b"; content:"Host"; sid:61;)\n',
                   "b.rules")
    c = rules_file(tmp_path, 'alert tcp any any -> any 80 (msg:"c"; content:"evil"; sid:62;)\n',
                   "c.rules")
    pcap = http_pcap(tmp_path / "http.pcap")
    assert sids(run_cleannet(pcap, "-S", a, "-s", b, check=True)) == [60, 61]
    assert sids(run_cleannet(pcap, "-s", b, "-s", c, check=True)) == [61, 62]
    cfg = write_config("default-rule-path: %s\nrule-files:\n  - a.rules\n  - %s\n" % (tmp_path, c))
    assert sids(run_cleannet(pcap, "-c", cfg, check=True)) == [60, 62]
    # -S replaces the configuration's rule-files
    assert sids(run_cleannet(pcap, "-c", cfg, "-S", b, check=True)) == [61]
    # no rules at all: no alerts, a clean run
    r = run_cleannet(pcap, check=True)
    assert alerts(r) == [] and len(r.flows) == 1


def test_bad_rule_reported_and_others_load(run_cleannet, tmp_path):
    rules = rules_file(tmp_path, (
        '# a comment\n'
        'alert tcp any any -> any 80 (msg:"good"; content:"GET"; sid:70;)\n'
        'alert tcp any any -> any 80 (msg:"bad"; no_such_keyword; sid:71;)\n'))
    r = run_cleannet(http_pcap(tmp_path / "http.pcap"), "-S", rules, check=True)
    assert sids(r) == [70]
    assert "%s:3" % rules in r.output
    assert "no_such_keyword" in r.output


def test_T_good_rules(run_cleannet, tmp_path):
    rules = rules_file(tmp_path, 'alert tcp any any -> any 80 (msg:"good"; content:"GET"; '
                                 'sid:80;)\n')
    r = run_cleannet(None, "-T", "-S", rules, check=True)
    assert "1 rule files processed. 1 rules successfully loaded, 0 rules failed" in r.output


def test_T_bad_rules_fail(run_cleannet, tmp_path):
    rules = rules_file(tmp_path, (
        'alert tcp any any -> any 80 (msg:"good"; sid:81;)\n'
        'alert tcp any any -> any 80 (msg:"no sid";)\n'
        'alert tcp 999.1.1.1 any -> any 80 (msg:"bad address"; sid:83;)\n'))
    r = run_cleannet(None, "-T", "-S", rules, check=False)
    assert r.rc == 1
    assert "1 rules successfully loaded, 2 rules failed" in r.output
    assert "%s:2" % rules in r.output and "%s:3" % rules in r.output
    # a missing rule file is a failure too
    r = run_cleannet(None, "-T", "-S", tmp_path / "missing.rules", check=False)
    assert "missing.rules" in r.output


def test_list_keywords(run_cleannet):
    r = run_cleannet(None, "--list-keywords", check=True)
    words = r.stdout.split()
    for kw in ("msg", "sid", "content", "ttl"):
        assert kw in words
    assert len(words) == len(set(words))


def test_payload_and_packet_options(run_cleannet, tmp_path, write_config):
    import base64
    # tcp-pkt: the packet's own payload and frame (stream alerts are in
    # test_stream_and_packet_rules)
    rules = rules_file(tmp_path, 'alert tcp-pkt any any -> any 80 (msg:"p"; content:"evil"; '
                                 'sid:90;)\n')
    cfg = write_config("""
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      ethernet: yes
      types:
        - alert:
            payload: yes
            payload-printable: yes
            packet: yes
        - stats:
            totals: yes
""")
    r = run_cleannet(http_pcap(tmp_path / "http.pcap"), "-c", cfg, "-S", rules, check=True)
    a = only(alerts(r), "alert")
    assert base64.b64decode(a["payload"]) == HTTP_REQ
    assert a["payload_printable"] == HTTP_REQ.decode()
    assert a["stream"] == 0
    frame = base64.b64decode(a["packet"])
    assert frame.endswith(HTTP_REQ)
    assert a["packet_info"] == {"linktype": 1, "linktype_name": "EN10MB"}
    assert a["ether"]["src_mac"] == "02:00:00:00:00:01"
    assert not r.flows  # flow records were not asked for


def test_rule_profile(run_cleannet, tmp_path):
    """profiling.rules.enabled writes rule_perf.log: per rule, checks after the prefilter,
    matches and time, sorted by time; a rule the prefilter never lets through is absent."""
    rules = rules_file(tmp_path, (
        'alert tcp any any -> any 80 (msg:"admin"; content:"/secret/admin.php"; sid:11;)\n'
        'alert tcp any any -> any 80 (msg:"never"; content:"not in the capture"; sid:12;)\n'
        'alert tcp any any -> any any (msg:"every packet"; flags:S; sid:13;)\n'))
    r = run_cleannet(http_pcap(tmp_path / "http.pcap"), "-S", rules,
                     "--set", "profiling.rules.enabled=yes", "--set", "profiling.rules.limit=0",
                     check=True)
    prof = json.loads((r.logdir / "rule_perf.log").read_text())
    by_sid = {x["signature_id"]: x for x in prof["rules"]}
    assert 12 not in by_sid
    assert by_sid[11]["checks"] == 1 and by_sid[11]["matches"] == 1
    npkts = r.stats["decoder"]["pkts"]
    assert by_sid[13]["checks"] == npkts and by_sid[13]["matches"] == 1  # flags:S is the SYN alone
    times = [x["time_total_ns"] for x in prof["rules"]]
    assert times == sorted(times, reverse=True)
    assert prof["rules_checked"] == 2


def test_stream_and_packet_rules(run_cleannet, tmp_path):
    """tcp-pkt rules see each packet's payload; tcp and tcp-stream rules see the reassembled
    stream, so a content split over two segments matches there only, and the alert's payload
    (with "stream": 1) is the reassembled data."""
    s = tcp_session("10.1.0.1", "10.1.0.2", 40001, 80, clock=Clock(), req=None, resp=None,
                    close=False)
    s.send(True, b"GET /sec")
    s.send(True, b"ret HTTP/1.0\r\n\r\n")
    s.send(False, b"HTTP/1.0 200 OK\r\n\r\n")
    s.close()
    pcap = tmp_path / "split.pcap"
    write_pcap(pcap, s.pkts)
    rules = rules_file(tmp_path, (
        'alert tcp any any -> any 80 (msg:"stream"; content:"/secret"; sid:21;)\n'
        'alert tcp-stream any any -> any 80 (msg:"stream only"; content:"/secret"; sid:22;)\n'
        'alert tcp-pkt any any -> any 80 (msg:"packets"; content:"/secret"; sid:23;)\n'
        'alert tcp-pkt any any -> any 80 (msg:"one packet"; content:"/sec"; sid:24;)\n'))
    conf = tmp_path / "payload.yaml"
    conf.write_text("outputs:\n  - eve-log:\n      types:\n        - alert:\n"
                    "            payload: yes\n        - flow\n        - stats\n")
    r = run_cleannet(pcap, "-S", rules, "-c", conf, check=True)
    assert sids(r) == [21, 22, 24]
    for a in alerts(r):
        if a["alert"]["signature_id"] in (21, 22):
            assert a["stream"] == 1
            assert a["payload"] == "R0VUIC9zZWNyZXQgSFRUUC8xLjANCg0K"  # the whole request
        else:
            assert a["stream"] == 0 and a["pcap_cnt"] == 4


def test_decode_event_rules_on_packets_without_ip(run_cleannet, tmp_path):
    """A frame too short for its Ethernet header carries no IP: only decode-event rules for any
    address can judge it (Suricata's pkthdr rules); rules that need IP never see it."""
    pcap = tmp_path / "short.pcap"
    ok = bytes(Ether() / IP(src="10.7.0.1", dst="10.7.0.2") / UDP(sport=1, dport=2))
    write_pcap(pcap, [(1.0, b"\x02\x00\x00\x00\x00\x01\x02\x00"), (2.0, ok)])
    rules = rules_file(tmp_path, (
        'alert pkthdr any any -> any any (msg:"short"; '
        'decode-event:ethernet.pkt_too_small; sid:70;)\n'
        'alert pkthdr 10.7.0.1 any -> any any (msg:"needs ip"; '
        'decode-event:ethernet.pkt_too_small; sid:71;)\n'
        'alert ip any any -> any any (msg:"any ip"; sid:72;)\n'))
    r = run_cleannet(pcap, "-S", rules, check=True)
    assert [(a["alert"]["signature_id"], a["pcap_cnt"]) for a in alerts(r)] == [(70, 1), (72, 2)]
    assert "src_ip" not in alerts(r)[0]


def test_base64_decode_on_an_smtp_stream(run_cleannet, tmp_path):
    """base64_decode/base64_data on a mail body cut over several segments (stream rule of an
    application protocol), as ET's CVE-2023-23397 rules use them."""
    import base64
    body = base64.b64encode(b"hello, this is an evil payload inside").decode()
    mail = ("EHLO client\r\nMAIL FROM:<a@b>\r\nDATA\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + body + "\r\n.\r\n").encode()
    clock = Clock()
    s = TcpSession("10.8.0.1", "10.8.0.25", 42500, 25, clock, l2=ether_l2())
    write_pcap(tmp_path / "smtp.pcap", s.handshake() + s.send(True, mail, mss=40) + s.close())
    rules = rules_file(tmp_path, (
        'alert smtp any any -> any any (msg:"b64"; content:"base64|0d 0a 0d 0a|"; '
        'base64_decode:relative; base64_data; content:"evil payload"; sid:80;)\n'
        'alert smtp any any -> any any (msg:"b64 miss"; content:"base64|0d 0a 0d 0a|"; '
        'base64_decode:relative; base64_data; content:"harmless"; sid:81;)\n'))
    r = run_cleannet(tmp_path / "smtp.pcap", "-S", rules, check=True)
    assert [a["alert"]["signature_id"] for a in alerts(r)] == [80]
    assert alerts(r)[0]["app_proto"] == "smtp"
