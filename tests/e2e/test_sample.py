"""The committed sample capture (sample/sample.pcap) runs clean with the embedded defaults."""

from helpers import ANOMALY_CONFIG, REPO, flow_between, get, only

SAMPLE = REPO / "sample" / "sample.pcap"


def test_sample_runs_clean(run_cleannet):
    r = run_cleannet(SAMPLE, check=True)
    assert len(r.flows) >= 40
    http = only(flow_between(r.records, "192.168.10.21", "198.51.100.80", "TCP"))
    assert http["dest_port"] == 80 and http["flow"]["state"] == "closed"
    assert only(flow_between(r.records, "10.30.100.5", "10.30.100.9"))["vlan"] == [300, 100]
    assert only(flow_between(r.records, "172.16.1.10", "172.16.2.20"))["proto"] == "TCP"
    assert only(flow_between(r.records, "10.200.0.1", "10.200.0.2"))["proto"] == "UDP"
    scan = [f for f in r.flows if f["src_ip"] == "192.168.10.66" and f["dest_ip"] == "192.168.20.5"]
    assert len(scan) == 27
    st = r.stats
    assert get(st, "decoder.pkts") == 179
    assert get(st, "decoder.invalid") == 4
    assert get(st, "defrag.ipv4.reassembled") == 1
    assert get(st, "defrag.ipv6.reassembled") == 1


def test_sample_anomalies_with_config(run_cleannet, write_config):
    r = run_cleannet(SAMPLE, "-c", write_config(ANOMALY_CONFIG), check=True)
    events = sorted(a["anomaly"]["event"] for a in r.anomalies if a["anomaly"]["type"] == "decode")
    assert events == sorted(["decoder.ipv4.pkt_too_small", "decoder.udp.pkt_too_small",
                             "decoder.udp.len_invalid", "decoder.tcp.hlen_too_small"])


def test_sample_alerts_with_builtin_rules(run_cleannet):
    """Without -S/-s/rule-files the built-in rule set loads, and the sample's attack request
    raises its alerts in eve.json and fast.log."""
    r = run_cleannet(SAMPLE, check=True)
    alerts = [x for x in r.records if x["event_type"] == "alert"]
    assert sorted(a["alert"]["signature_id"] for a in alerts) == [9100001, 9100002, 9100003,
                                                                   9100010, 9100060, 9100061]
    web = [a for a in alerts if a["alert"]["signature_id"] < 9100060]
    for a in web:
        assert a["src_ip"] == "192.168.10.66" and a["dest_port"] == 80
        assert a["alert"]["category"] == "Web Application Attack"
    # the sample's malformed UDP length and short TCP header raise the decode-event rules
    decode = [a for a in alerts if a["alert"]["signature_id"] >= 9100060]
    assert all(a["alert"]["category"] == "Generic Protocol Command Decode" for a in decode)
    fast = (r.logdir / "fast.log").read_text().splitlines()
    assert len(fast) == 6 and all("[1:9100" in line for line in fast)


def test_builtin_rules_all_load(cleannet_bin):
    import subprocess
    out = subprocess.run([cleannet_bin, "-T"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "22 rules successfully loaded, 0 rules failed" in out.stdout


def test_empty_rule_file_loads_no_rules(run_cleannet):
    r = run_cleannet(SAMPLE, "-S", "/dev/null", check=True)
    assert not [x for x in r.records if x["event_type"] == "alert"]
