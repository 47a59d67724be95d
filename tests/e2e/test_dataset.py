"""Datasets end to end: a crafted capture of UDP datagrams whose udp.hdr buffers (8 bytes:
ports, length, checksum) are checked against string datasets. The load file sits next to the
rule file (not in the working directory), dataset:set with a state file under default-data-dir
writes the new values back at the end of the run, datarep compares stored reputations, and a
rule whose save file would escape the data directory fails to load."""

import base64

from helpers import CLI_MAC, SRV_MAC, Clock, frozen, write_pcap

CONFIG = """
default-data-dir: %s
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - alert
        - stats:
            totals: yes
"""


def datagrams(clock):
    """A, B, A again: three datagrams, two distinct UDP headers. Returns the packets and the
    header bytes of A and B as they are on the wire."""
    from scapy.all import IP, UDP, Ether, Raw

    pkts, hdrs = [], []
    for sport, payload in ((5001, b"first"), (5002, b"second!"), (5001, b"first")):
        p = Ether(src=CLI_MAC, dst=SRV_MAC) / IP(src="10.7.0.1", dst="10.7.0.2") / \
            UDP(sport=sport, dport=53) / Raw(payload)
        wire = Ether(bytes(p))
        hdrs.append(bytes(wire[UDP])[:8])
        pkts.append(frozen(p, clock.tick()))
    assert hdrs[0] == hdrs[2] and hdrs[0] != hdrs[1]
    return pkts, hdrs[0], hdrs[1]


def b64(b):
    return base64.b64encode(b).decode()


def sids(r):
    return sorted(a["alert"]["signature_id"] for a in r.of_type("alert"))


def test_datasets_on_udp_headers(run_cleannet, tmp_path):
    pkts, ha, hb = datagrams(Clock())
    pcap = tmp_path / "udp.pcap"
    write_pcap(pcap, pkts)
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (rules_dir / "known.lst").write_text(b64(ha) + "\n")
    (rules_dir / "rep.lst").write_text("%s,200\n%s,50\n" % (b64(ha), b64(hb)))
    rules = rules_dir / "ds.rules"
    rules.write_text(
        'alert udp any any -> any any (msg:"known header"; udp.hdr; '
        'dataset:isset,known,type string,load known.lst; sid:1;)\n'
        'alert udp any any -> any any (msg:"unknown header"; udp.hdr; '
        'dataset:isnotset,known; sid:2;)\n'
        'alert udp any any -> any any (msg:"first sight"; udp.hdr; '
        'dataset:set,seen,type string,state seen.lst; sid:3;)\n'
        'alert udp any any -> any any (msg:"bad reputation"; udp.hdr; '
        'datarep:rep,>,100,type string,load rep.lst; sid:4;)\n')
    cfg = tmp_path / "c.yaml"
    cfg.write_text(CONFIG % data_dir)
    r = run_cleannet(pcap, "-c", cfg, "-S", rules, check=True)
    alerts = r.of_type("alert")
    by_sid = {}
    for a in alerts:
        by_sid.setdefault(a["alert"]["signature_id"], []).append(a["src_port"])
    assert sorted(by_sid[1]) == [5001, 5001]
    assert by_sid[2] == [5002]
    assert sorted(by_sid[3]) == [5001, 5002]  # set matches only when the value is new
    assert sorted(by_sid[4]) == [5001, 5001]
    # the state file holds both headers, written at shutdown, inside the data directory
    saved = sorted((data_dir / "seen.lst").read_text().split())
    assert saved == sorted([b64(ha), b64(hb)])
    assert sorted(p.name for p in data_dir.iterdir()) == ["seen.lst"]

    # a second run starts from the saved state: nothing is new any more
    r = run_cleannet(pcap, "-c", cfg, "-S", rules, check=True)
    assert 3 not in sids(r)


def test_dataset_files_stay_where_the_operator_said(run_cleannet, tmp_path):
    pkts, ha, hb = datagrams(Clock())
    pcap = tmp_path / "udp.pcap"
    write_pcap(pcap, pkts)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    rules = tmp_path / "esc.rules"
    rules.write_text(
        'alert udp any any -> any any (msg:"escape"; udp.hdr; '
        'dataset:set,esc,type string,save ../escaped.lst; sid:10;)\n'
        'alert udp any any -> any any (msg:"absolute"; udp.hdr; '
        'dataset:set,abs,type string,state %s/abs.lst; sid:11;)\n'
        'alert udp any any -> any any (msg:"payload"; content:"first"; '
        'dataset:isset,p,type string; sid:12;)\n'
        'alert udp any any -> any any (msg:"ok"; udp.hdr; '
        'dataset:set,fine,type string,save fine.lst; sid:13;)\n' % tmp_path)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(CONFIG % data_dir)
    r = run_cleannet(None, "-T", "-c", cfg, "-S", rules, check=False)
    assert "esc.rules:1:" in r.output and "esc.rules:2:" in r.output
    assert "sticky buffers" in r.output  # sid 12: no sticky buffer, as in Suricata
    assert "1 rules successfully loaded, 3 rules failed" in r.output
    r = run_cleannet(pcap, "-c", cfg, "-S", rules, check=True)
    assert sids(r) == [13, 13]  # A and B are new, the second A is not
    assert not (tmp_path / "escaped.lst").exists() and not (tmp_path / "abs.lst").exists()
    assert sorted((data_dir / "fine.lst").read_text().split()) == sorted([b64(ha), b64(hb)])
    stats = r.of_type("stats")[-1]["stats"]
    assert stats["detect"]["engines"][0]["rules_loaded"] == 1
    assert stats["detect"]["engines"][0]["rules_failed"] == 3


def test_bad_dataset_config_fails_the_check(run_cleannet, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("datasets:\n  broken:\n    type: nonsense\n")
    r = run_cleannet(None, "-T", "-c", cfg, "-S", "/dev/null", check=False)
    assert "datasets.broken.type" in r.output
