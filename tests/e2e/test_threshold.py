"""Alert thresholds end to end on a crafted capture of ICMP echo requests one second apart:
the threshold keyword (limit, threshold, both), detection_filter, and threshold.config
(suppress with and without addresses, an event_filter replacing a rule's own threshold,
rate_filter changing the action), a bad threshold.config line reported with its file and
line while the others apply, and the counters in the stats record. Every record is checked
against the EVE schema by run_cleannet."""

from scapy.all import ICMP, IP, Ether

from helpers import write_pcap

T0 = 1700000000


def pings(path, src="10.4.0.1", dst="10.4.0.9", n=10, t0=T0, step=1.0):
    pkts = []
    for i in range(n):
        p = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
             IP(src=src, dst=dst) / ICMP(type=8, id=7, seq=i) / (b"x" * 16))
        p.time = t0 + i * step
        pkts.append(p)
    write_pcap(path, pkts)
    return path


def alert_sids(r):
    return [a["alert"]["signature_id"] for a in r.of_type("alert")]


def run_rules(run_cleannet, tmp_path, rules, conf=None, pcap=None, extra=()):
    rf = tmp_path / "t.rules"
    rf.write_text(rules)
    args = ["-S", rf, "-k", "none", *extra]
    if conf is not None:
        cf = tmp_path / "threshold.config"
        cf.write_text(conf)
        args += ["--set", "threshold-file=%s" % cf]
    return run_cleannet(pcap or pings(tmp_path / "p.pcap"), *args, check=True)


def test_limit_one_alert(run_cleannet, tmp_path):
    r = run_rules(run_cleannet, tmp_path,
                  'alert icmp any any -> any any (msg:"ping"; itype:8; threshold:type limit, '
                  'track by_src, count 1, seconds 60; sid:1;)\n')
    assert alert_sids(r) == [1]
    assert r.stats["detect"]["alert"] == 1
    assert r.stats["detect"]["alerts_suppressed"] == 9


def test_types_and_detection_filter(run_cleannet, tmp_path):
    r = run_rules(run_cleannet, tmp_path,
                  'alert icmp any any -> any any (itype:8; threshold:type threshold, '
                  'track by_dst, count 3, seconds 60; sid:2;)\n'
                  'alert icmp any any -> any any (itype:8; threshold:type both, '
                  'track by_rule, count 4, seconds 60; sid:3;)\n'
                  'alert icmp any any -> any any (itype:8; detection_filter:track by_src, '
                  'count 7, seconds 60; sid:4;)\n'
                  'alert icmp any any -> any any (itype:8; threshold:type limit, '
                  'track by_flow, count 2, seconds 60; sid:5;)\n')
    sids = alert_sids(r)
    assert sids.count(2) == 3      # the 3rd, 6th and 9th match
    assert sids.count(3) == 1      # once, at the 4th
    assert sids.count(4) == 3      # every match after the 7th
    assert sids.count(5) == 2      # the flow's first two


def test_window_in_packet_time(run_cleannet, tmp_path):
    # 10 pings 25 s apart: a 60 s limit window holds 3 of them (t, t+25, t+50), so 4 alerts
    # with limit 1 (at 0, 75, 150, 225 s) whatever the wall clock did during the run
    pcap = pings(tmp_path / "slow.pcap", n=10, step=25.0)
    r = run_rules(run_cleannet, tmp_path,
                  'alert icmp any any -> any any (itype:8; threshold:type limit, '
                  'track by_src, count 1, seconds 60; sid:1;)\n', pcap=pcap)
    assert alert_sids(r) == [1] * 4


def test_threshold_config(run_cleannet, tmp_path):
    rules = ('alert icmp any any -> any any (msg:"ping"; itype:8; sid:1;)\n'
             'alert icmp any any -> any any (itype:8; threshold:type limit, track by_src, '
             'count 5, seconds 60; sid:2;)\n'
             'alert icmp any any -> any any (itype:8; sid:3;)\n'
             'alert icmp any any -> any any (itype:8; sid:4;)\n')
    conf = ("# comment\n"
            "suppress gen_id 1, sig_id 1\n"
            "event_filter gen_id 1, sig_id 2, type limit, track by_src, count 1, seconds 60\n"
            "suppress gen_id 1, sig_id 3, track by_src, ip [10.4.0.0/24, 192.0.2.1]\n"
            "threshold gen_id 1, sig_id 4, type sometimes, track by_src, count 1, seconds 60\n")
    r = run_rules(run_cleannet, tmp_path, rules, conf)
    sids = alert_sids(r)
    assert sids.count(1) == 0      # suppressed
    assert sids.count(2) == 1      # the config's limit 1 replaced the rule's limit 5
    assert sids.count(3) == 0      # suppressed for that source
    assert sids.count(4) == 10     # its line was bad: no threshold
    assert r.stats["detect"]["alerts_suppressed"] == 10 + 9 + 10
    assert "threshold.config:5:" in r.stderr


def test_suppress_only_listed_source(run_cleannet, tmp_path):
    rules = 'alert icmp any any -> any any (itype:8; sid:1;)\n'
    conf = "suppress gen_id 1, sig_id 1, track by_src, ip 10.9.9.9\n"
    r = run_rules(run_cleannet, tmp_path, rules, conf)
    assert alert_sids(r) == [1] * 10


def test_rate_filter_changes_action(run_cleannet, tmp_path):
    rules = 'alert icmp any any -> any any (itype:8; sid:1;)\n'
    conf = ("rate_filter gen_id 1, sig_id 1, track by_src, count 3, seconds 60, "
            "new_action drop, timeout 30\n")
    r = run_rules(run_cleannet, tmp_path, rules, conf, extra=("--simulate-ips",))
    actions = [a["alert"]["action"] for a in r.of_type("alert")]
    # 10 alerts; the first 3 keep the rule's action, the rest are drops (shown as blocked in
    # IPS mode)
    assert len(actions) == 10
    assert actions[:3] == ["allowed"] * 3
    assert set(actions[3:]) == {"blocked"}


def test_missing_threshold_file_warns(run_cleannet, tmp_path):
    rf = tmp_path / "t.rules"
    rf.write_text('alert icmp any any -> any any (itype:8; sid:1;)\n')
    missing = tmp_path / "nope.config"
    r = run_cleannet(pings(tmp_path / "p.pcap"), "-S", rf, "-k", "none",
                     "--set", "threshold-file=%s" % missing, check=True)
    assert str(missing) in r.stderr
    assert alert_sids(r) == [1] * 10
    # nobody named one: the default path is skipped without a word
    r = run_cleannet(pings(tmp_path / "p2.pcap"), "-S", rf, "-k", "none", check=True)
    assert "threshold" not in r.stderr


def test_shared_counts_with_two_workers(run_cleannet, tmp_path):
    # 20 hosts ping one server 5 times each, interleaved; the by_rule and by_dst counters are
    # shared by the workers, so the totals match a single-threaded run
    pkts = []
    for i in range(5):
        for h in range(20):
            p = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
                 IP(src="10.5.0.%d" % (h + 1), dst="10.5.1.1") / ICMP(type=8, id=h, seq=i))
            p.time = T0 + i + h / 100.0
            pkts.append(p)
    pcap = tmp_path / "many.pcap"
    write_pcap(pcap, pkts)
    rf = tmp_path / "t.rules"
    rf.write_text('alert icmp any any -> any any (itype:8; threshold:type limit, track by_rule, '
                  'count 3, seconds 60; sid:1;)\n'
                  'alert icmp any any -> any any (itype:8; threshold:type limit, track by_src, '
                  'count 1, seconds 60; sid:2;)\n'
                  'alert icmp any any -> any any (itype:8; detection_filter:track by_dst, '
                  'count 90, seconds 60; sid:3;)\n')
    for mode in (["--runmode", "single"], ["--runmode", "workers", "--threads", "2"]):
        r = run_cleannet(pcap, "-S", rf, "-k", "none", *mode, check=True)
        sids = alert_sids(r)
        assert (sids.count(1), sids.count(2), sids.count(3)) == (3, 20, 10), mode
