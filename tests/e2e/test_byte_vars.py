"""byte_extract and byte_math end to end: a length field read from a TCP payload bounds where a
later content may match (content's depth from a variable), a byte_math result tested by
byte_test, and a rule reading an undefined variable fails to load with its reason while the
others load. Every eve.json record is checked against the EVE schema by the run_cleannet
fixture."""

import struct

from helpers import Clock, tcp_session, write_pcap

# byte_extract reads the 2-byte length after "LEN:"; EVIL must lie within that many bytes of
# the payload's start (depth:size). byte_math: the length minus 6 (the header) must equal the
# body's length byte written after the marker.
RULES = (
    'alert tcp any any -> any 9000 (msg:"evil within the declared length"; '
    'content:"LEN:"; depth:4; byte_extract:2,0,size,relative; '
    'content:"EVIL"; depth:size; sid:9101;)\n'
    'alert tcp any any -> any 9000 (msg:"length minus header"; content:"LEN:"; depth:4; '
    'byte_math:bytes 2, offset 0, oper -, rvalue 6, result body, relative; '
    'content:"#"; byte_test:1,=,body,0,relative; sid:9102;)\n')


def message(declared):
    body = b"xxxxxxxxEVILyy"  # EVIL ends 18 bytes into the payload
    return b"LEN:" + struct.pack(">H", declared) + body + b"#" + bytes([declared - 6 & 0xff])


def test_length_field_bounds_content(run_cleannet, tmp_path):
    clock = Clock()
    pkts = []
    # port 41000: the declared length (20) covers EVIL; port 41001: it (16) does not
    for sport, declared in ((41000, 20), (41001, 16)):
        s = tcp_session("10.9.0.1", "10.9.0.2", sport, 9000, clock=clock, req=message(declared),
                        resp=b"ok")
        pkts += s.pkts
    pcap = tmp_path / "lenfield.pcap"
    write_pcap(pcap, pkts)
    rules = tmp_path / "vars.rules"
    rules.write_text(RULES)
    r = run_cleannet(pcap, "-S", rules, check=True)
    got = sorted((a["alert"]["signature_id"], a["src_port"]) for a in r.of_type("alert"))
    # 9101 only where the length covers EVIL; 9102 on both (the body byte is written to agree)
    assert got == [(9101, 41000), (9102, 41000), (9102, 41001)]


def test_undefined_variable_fails_to_load(run_cleannet, tmp_path):
    rules = tmp_path / "bad.rules"
    rules.write_text(
        'alert tcp any any -> any any (msg:"ok"; content:"LEN:"; '
        'byte_extract:2,0,size,relative; isdataat:size,relative; sid:9201;)\n'
        'alert tcp any any -> any any (msg:"undefined"; content:"LEN:"; depth:nosuch; '
        'sid:9202;)\n'
        'alert tcp any any -> any any (msg:"used too early"; byte_test:1,=,later,0; '
        'byte_extract:1,0,later; sid:9203;)\n')
    r = run_cleannet(None, "-T", "-S", rules, check=False)
    assert "1 rules successfully loaded, 2 rules failed" in r.output
    assert "unknown variable 'nosuch'" in r.output
    assert "unknown variable 'later'" in r.output
    assert "%s:2" % rules in r.output and "%s:3" % rules in r.output
