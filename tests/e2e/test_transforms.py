"""Transforms, bsize and stream_size end to end: rules whose sticky buffers (tcp.hdr,
ipv4.hdr) go through hash, xor and case transforms alert on exactly the packet whose header
bytes the rule names; stream_size compares the sides' sequence progress; a transform without
a sticky buffer fails to load with Suricata's reason. Every eve.json record is checked against
the EVE schema by the run_cleannet fixture."""

import hashlib

from helpers import Clock, tcp_session, write_pcap

REQ = b"GET /Transform/Test HTTP/1.1\r\nHost: example\r\n\r\n"


def hexbytes(b):
    return "|" + " ".join("%02x" % x for x in b) + "|"


def session(tmp_path):
    s = tcp_session("10.2.0.1", "10.2.0.2", 41000, 80, clock=Clock(), req=REQ)
    path = tmp_path / "t.pcap"
    write_pcap(path, s.pkts)
    return s.pkts, path


def headers(pkt):
    """(IPv4 header, TCP header) bytes of a scapy packet as written to the capture."""
    from scapy.all import IP, TCP

    ip = bytes(pkt[IP])[: pkt[IP].ihl * 4]
    tcp = bytes(pkt[TCP])[: pkt[TCP].dataofs * 4]
    return ip, tcp


def request_index(pkts):
    from scapy.all import Raw

    return next(i for i, p in enumerate(pkts) if Raw in p and bytes(p[Raw]).startswith(b"GET"))


def alerts_by_sid(r):
    out = {}
    for a in r.of_type("alert"):
        out.setdefault(a["alert"]["signature_id"], []).append(a)
    return out


def test_header_transforms(run_cleannet, tmp_path):
    pkts, pcap = session(tmp_path)
    i = request_index(pkts)
    ip, tcp = headers(pkts[i])
    xored = bytes(b ^ 0x5A for b in tcp)  # the checksum makes it unique
    rules = tmp_path / "t.rules"
    rules.write_text("".join([
        # the request packet's TCP header, hashed: that packet only
        'alert tcp any any -> any any (msg:"sha256"; tcp.hdr; to_sha256; content:"%s"; '
        'sid:1;)\n' % hexbytes(hashlib.sha256(tcp).digest()),
        # its IPv4 header through md5 (the id differs per packet), size checked after it
        'alert ip any any -> any any (msg:"md5"; ipv4.hdr; to_md5; bsize:16; content:"%s"; '
        'sid:2;)\n' % hexbytes(hashlib.md5(ip).digest()),
        # xor with a one-byte key, anchored at the start of the header
        'alert tcp any any -> any any (msg:"xor"; tcp.hdr; xor:"5a"; content:"%s"; '
        'startswith; sid:3;)\n' % hexbytes(xored),
        # sha1 of the same header never equals its sha256 prefix: no alert
        'alert tcp any any -> any any (msg:"never"; tcp.hdr; to_sha1; content:"%s"; '
        'sid:4;)\n' % hexbytes(hashlib.sha256(tcp).digest()[:20]),
        # a chain and bsize on every TCP packet of the session (20-byte headers)
        'alert tcp any any -> any any (msg:"size"; tcp.hdr; to_lowercase; dotprefix; bsize:21; '
        'sid:5;)\n',
        # the same chain on payload-less and payload packets alike, then the payload
        'alert tcp any any -> any any (msg:"mix"; tcp.hdr; to_uppercase; bsize:20; pkt_data; '
        'content:"/Transform/"; sid:6;)\n',
    ]))
    r = run_cleannet(pcap, "-S", rules, "-k", "none", check=True)
    got = alerts_by_sid(r)
    for sid in (1, 2, 3, 6):
        assert len(got.get(sid, [])) == 1, (sid, got.keys(), r.describe())
        assert got[sid][0]["pcap_cnt"] == i + 1
    assert 4 not in got
    assert len(got.get(5, [])) == len(pkts)


def test_stream_size(run_cleannet, tmp_path):
    pkts, pcap = session(tmp_path)
    n = len(REQ)
    rules = tmp_path / "s.rules"
    rules.write_text("".join([
        # tcp-pkt: on the request packet itself (a tcp rule would see the request in the stream
        # once acknowledged, when the server's side has grown). The client's side is its SYN
        # plus the request, the server's its SYN
        'alert tcp-pkt any any -> any any (flow:to_server; stream_size:client,=,%d; content:"GET"; '
        'sid:11;)\n' % (n + 1),
        'alert tcp-pkt any any -> any any (flow:to_server; stream_size:server,=,1; content:"GET"; '
        'sid:12;)\n',
        'alert tcp-pkt any any -> any any (flow:to_server; stream_size:server,>,1; content:"GET"; '
        'sid:13;)\n',
        'alert tcp-pkt any any -> any any (stream_size:both,>=,1; content:"GET"; sid:14;)\n',
        'alert tcp-pkt any any -> any any (stream_size:either,>,%d; content:"GET"; sid:15;)\n' % n,
        'alert tcp-pkt any any -> any any (stream_size:either,>,%d; content:"GET"; sid:16;)\n'
        % (n + 1),
    ]))
    r = run_cleannet(pcap, "-S", rules, "-k", "none", check=True)
    got = alerts_by_sid(r)
    assert sorted(got) == [11, 12, 14, 15], r.describe()


def test_transform_without_buffer_fails(run_cleannet, tmp_path):
    _, pcap = session(tmp_path)
    rules = tmp_path / "bad.rules"
    rules.write_text(
        'alert tcp any any -> any any (to_lowercase; content:"get"; sid:21;)\n'
        'alert tcp any any -> any any (tcp.hdr; content:"a"; pkt_data; dotprefix; sid:22;)\n'
        'alert tcp any any -> any any (tcp.hdr; xor:"123"; content:"a"; sid:23;)\n'
        'alert tcp any any -> any any (tcp.hdr; to_lowercase; bsize:20; sid:24;)\n')
    r = run_cleannet(pcap, "-S", rules, "-k", "none")
    assert r.output.count("transforms must directly follow stickybuffers") >= 2, r.describe()
    assert "bad.rules:3" in r.output
    assert "1 rules successfully loaded, 3 rules failed" in r.output
    got = alerts_by_sid(r)
    assert list(got) == [24] and len(got[24]) > 0
