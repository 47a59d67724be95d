"""tag:session end to end: after an alert, the flow's next packets are written as EVE "packet"
records (the whole frame, base64) until the tag's count runs out; the alerting packet itself
is not repeated; a config that lists alert without tagged-packets writes none; tag:host and
bad values fail to load with a reason while the other rules load."""

import base64

from helpers import Clock, TcpSession, ether_l2, write_pcap


def capture(path):
    clock = Clock()
    s = TcpSession("10.5.0.1", "10.5.0.9", 42000, 80, clock, l2=ether_l2())
    pkts = (s.handshake() + s.send(True, b"HELLO-TRIGGER") + s.send(False, b"x" * 10) +
            s.send(True, b"more") + s.close())
    write_pcap(path, pkts)
    return path, pkts


def rules(tmp_path, tag):
    p = tmp_path / "t.rules"
    p.write_text('alert tcp any any -> any any (msg:"trigger"; flow:to_server; '
                 'content:"TRIGGER"; tag:%s; sid:1;)\n' % tag)
    return p


def test_tagged_packets_follow_the_alert(run_cleannet, tmp_path):
    pcap, pkts = capture(tmp_path / "tag.pcap")
    r = run_cleannet(pcap, "-S", rules(tmp_path, "session,3,packets"), "-k", "none",
                     check=True)
    alert = r.of_type("alert")
    assert len(alert) == 1
    first = alert[0]["pcap_cnt"]
    tagged = r.of_type("packet")
    # count 3 includes the alerting packet: the two after it are tagged
    assert [t["pcap_cnt"] for t in tagged] == [first + 1, first + 2]
    for t in tagged:
        assert t["flow_id"] == alert[0]["flow_id"]
        assert base64.b64decode(t["packet"]) == bytes(pkts[t["pcap_cnt"] - 1])
        assert t["packet_info"] == {"linktype": 1, "linktype_name": "EN10MB"}


def test_default_session_tag_covers_the_rest_of_the_flow(run_cleannet, tmp_path):
    pcap, pkts = capture(tmp_path / "tag.pcap")
    r = run_cleannet(pcap, "-S", rules(tmp_path, "session"), "-k", "none", check=True)
    first = r.of_type("alert")[0]["pcap_cnt"]
    assert [t["pcap_cnt"] for t in r.of_type("packet")] == list(range(first + 1, len(pkts) + 1))


def test_config_without_tagged_packets_writes_none(run_cleannet, tmp_path):
    pcap, _ = capture(tmp_path / "tag.pcap")
    conf = tmp_path / "c.yaml"
    conf.write_text("outputs:\n  - eve-log:\n      enabled: yes\n      types:\n"
                    "        - alert\n        - flow\n")
    r = run_cleannet(pcap, "-S", rules(tmp_path, "session"), "-k", "none", "-c", conf,
                     check=True)
    assert len(r.of_type("alert")) == 1 and r.of_type("packet") == []
    conf.write_text("outputs:\n  - eve-log:\n      enabled: yes\n      types:\n"
                    "        - alert:\n            tagged-packets: yes\n")
    r = run_cleannet(pcap, "-S", rules(tmp_path, "session,2,packets"), "-k", "none", "-c",
                     conf, check=True)
    assert len(r.of_type("packet")) == 1


def test_bad_tags_fail_with_a_reason(run_cleannet, tmp_path):
    p = tmp_path / "bad.rules"
    p.write_text('alert tcp any any -> any any (content:"a"; tag:host,100,packets,src; sid:1;)\n'
                 'alert tcp any any -> any any (content:"a"; tag:session,5,frames; sid:2;)\n'
                 'alert tcp any any -> any any (content:"a"; tag:session,10,seconds; sid:3;)\n')
    r = run_cleannet(None, "-S", p, "-T", check=False)
    assert r.rc != 0
    assert "tag:host is not supported yet" in r.stderr
    assert "unknown metric 'frames'" in r.stderr
    assert "1 rules successfully loaded, 2 rules failed" in r.output
