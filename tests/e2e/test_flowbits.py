"""flowbits, flowint and xbits end to end on crafted TCP sessions: a rule sets a bit on the
request and another alerts on the response only when it is set (and not on a session whose
request did not set it), whatever the order of the two rules in the file; noalert rules raise
nothing but their actions run and count in detect.alerts_suppressed; the flow's bits and
counters appear in the EVE "metadata" object of alert and flow records; xbits carry a host's
bit to its next session. Every record is checked against the EVE schema by run_cleannet."""

from helpers import Clock, tcp_session, write_pcap

REQ_EVIL = b"GET /evil HTTP/1.1\r\nHost: x\r\n\r\n"
REQ_GOOD = b"GET /good HTTP/1.1\r\nHost: x\r\n\r\n"
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

SETTER = ('alert tcp any any -> any 80 (msg:"evil request"; content:"GET /evil"; '
          'flowbits:set,evil.req; flowint:reqs,+,1; noalert; sid:1;)\n')
CHECKER = ('alert tcp any 80 -> any any (msg:"answer to evil request"; content:"200 OK"; '
           'flowbits:isset,evil.req; sid:2;)\n')


def two_sessions(path):
    clock = Clock()
    evil = tcp_session("10.2.0.1", "10.2.0.9", 40000, 80, clock=clock, req=REQ_EVIL, resp=RESP)
    good = tcp_session("10.2.0.2", "10.2.0.9", 40001, 80, clock=clock, req=REQ_GOOD, resp=RESP)
    write_pcap(path, evil.pkts + good.pkts)
    return path


def run_rules(run_cleannet, tmp_path, text):
    rules = tmp_path / "fb.rules"
    rules.write_text(text)
    return run_cleannet(two_sessions(tmp_path / "s.pcap"), "-S", rules, check=True)


def test_bit_set_on_request_alerts_on_response(run_cleannet, tmp_path):
    for text in (SETTER + CHECKER, CHECKER + SETTER):  # file order does not matter
        r = run_rules(run_cleannet, tmp_path, text)
        alerts = r.of_type("alert")
        assert [a["alert"]["signature_id"] for a in alerts] == [2], text
        a = alerts[0]
        # only the session whose request set the bit, on its response
        assert a["src_ip"] == "10.2.0.9" and a["dest_ip"] == "10.2.0.1"
        assert a["direction"] == "to_client"
        assert a["metadata"] == {"flowbits": ["evil.req"], "flowints": {"reqs": 1}}
        flows = {f["src_ip"]: f for f in r.of_type("flow")}
        assert flows["10.2.0.1"]["metadata"]["flowbits"] == ["evil.req"]
        assert flows["10.2.0.1"]["flow"]["alerted"] is True
        assert "metadata" not in flows["10.2.0.2"]
        stats = r.stats
        assert stats["detect"]["alerts_suppressed"] == 1  # the setter matched once, silently


def test_isnotset_and_traffic_labels(run_cleannet, tmp_path):
    text = ('alert tcp any any -> any 80 (content:"GET /"; flowbits:set,traffic/id/web; '
            'flowbits:set,traffic/label/browsing; noalert; sid:1;)\n'
            'alert tcp any 80 -> any any (content:"200 OK"; flowbits:isnotset,evil.req; sid:3;)\n'
            'alert tcp any any -> any 80 (content:"GET /evil"; flowbits:set,evil.req; '
            'noalert; sid:4;)\n')
    r = run_rules(run_cleannet, tmp_path, text)
    alerts = r.of_type("alert")
    assert [a["dest_ip"] for a in alerts] == ["10.2.0.2"]  # only the good session's answer
    assert alerts[0]["traffic"] == {"id": ["web"], "label": ["browsing"]}
    assert "metadata" not in alerts[0]


def test_xbits_follow_the_host(run_cleannet, tmp_path):
    clock = Clock()
    first = tcp_session("10.3.0.1", "10.3.0.9", 40000, 80, clock=clock, req=REQ_EVIL, resp=RESP)
    second = tcp_session("10.3.0.1", "10.3.0.8", 40002, 80, clock=clock, req=REQ_GOOD, resp=RESP)
    other = tcp_session("10.3.0.2", "10.3.0.8", 40003, 80, clock=clock, req=REQ_GOOD, resp=RESP)
    pcap = tmp_path / "x.pcap"
    write_pcap(pcap, first.pkts + second.pkts + other.pkts)
    rules = tmp_path / "x.rules"
    rules.write_text('alert tcp any any -> any 80 (content:"GET /evil"; '
                     'xbits:set,bad.host,track ip_src,expire 300; noalert; sid:1;)\n'
                     'alert tcp any any -> any 80 (content:"GET /good"; '
                     'xbits:isset,bad.host,track ip_src; sid:2;)\n')
    r = run_cleannet(pcap, "-S", rules, check=True)
    alerts = r.of_type("alert")
    assert [(a["alert"]["signature_id"], a["src_ip"], a["dest_ip"]) for a in alerts] == [
        (2, "10.3.0.1", "10.3.0.8")]
