"""Results do not depend on the number of workers (DESIGN.md): --runmode single and
--runmode workers --threads 2 give the same multiset of records, stats aside."""

import json
import random
from collections import Counter

from helpers import (ANOMALY_CONFIG, CLI_MAC, SRV_MAC, Clock, TcpSession, ether_l2, frozen,
                     udp_exchange, write_pcap)
from scapy.all import IP, UDP, Ether, Raw, fragment


def build_mix(path, seed=7):
    rng = random.Random(seed)
    clock = Clock(step_us=150)
    sessions = []
    for n in range(40):
        s = TcpSession("10.%d.%d.%d" % (20 + n % 3, rng.randrange(256), rng.randrange(1, 255)),
                       "10.99.0.%d" % (1 + n % 7), 20000 + n, rng.choice([80, 443, 22, 8080]),
                       clock, l2=ether_l2(CLI_MAC, SRV_MAC), v6=False,
                       isn_c=rng.getrandbits(32), isn_s=rng.getrandbits(32))
        sessions.append(s)
    # interleave the sessions' packets so flows overlap in time
    steps = []
    for s in sessions:
        steps.append([lambda s=s: s.handshake(),
                      lambda s=s: s.send(True, b"Q" * rng.randrange(1, 3000)),
                      lambda s=s: s.send(False, b"R" * rng.randrange(1, 5000))] +
                     ([lambda s=s: s.close()] if rng.random() < 0.7 else []))
    while any(steps):
        i = rng.randrange(len(steps))
        if steps[i]:
            steps[i].pop(0)()
    pkts = [p for s in sessions for p in s.pkts]
    for n in range(60):
        pkts += udp_exchange("172.20.%d.%d" % (n % 4, 1 + n), "172.21.0.%d" % (1 + n % 5),
                             30000 + n, 53 + n % 3, 1 + n % 3, n % 2, clock)
    for n in range(10):
        v6 = udp_exchange("2001:db8:aa::%x" % (n + 1), "2001:db8:bb::1", 31000 + n, 123, 1, 1,
                          clock, v6=True)
        pkts += v6
    for n in range(5):
        big = IP(src="10.50.0.%d" % (n + 1), dst="10.51.0.1", id=100 + n) / \
            UDP(sport=32000 + n, dport=5004) / Raw(b"F" * 2500)
        pkts += [frozen(Ether(src=CLI_MAC, dst=SRV_MAC) / f, clock.tick()) for f in
                 fragment(big, fragsize=800)]
    # malformed: UDP length past the end, so anomaly records are compared too
    for n in range(3):
        b = bytearray(bytes(IP(src="10.60.0.%d" % (n + 1), dst="10.60.1.1") /
                            UDP(sport=1, dport=2) / Raw(b"m" * 8)))
        b[24:26] = b"\x01\x00"
        pkts.append(frozen(Ether(src=CLI_MAC, dst=SRV_MAC, type=0x0800) / Raw(bytes(b)),
                           clock.tick()))
    pkts.sort(key=lambda p: p.time)
    write_pcap(path, pkts)
    return pkts


def canon(records):
    return Counter(json.dumps(r, sort_keys=True) for r in records
                   if r.get("event_type") != "stats")


def test_single_and_workers_agree(tmp_path, run_cleannet, write_config):
    pkts = build_mix(tmp_path / "mix.pcap")
    cfg = write_config(ANOMALY_CONFIG)
    one = run_cleannet(tmp_path / "mix.pcap", "-c", cfg, "--runmode", "single", check=True)
    two = run_cleannet(tmp_path / "mix.pcap", "-c", cfg, "--runmode", "workers", "--threads",
                       "2", check=True)
    a, b = canon(one.records), canon(two.records)
    assert len(one.flows) >= 100
    assert len([a for a in one.anomalies if a["anomaly"]["type"] == "decode"]) == 3
    only_a = list((a - b).elements())[:5]
    only_b = list((b - a).elements())[:5]
    assert a == b, "single-only: %s\nworkers-only: %s" % (only_a, only_b)
    # the totals agree as well
    for key in ("pkts", "bytes", "tcp", "udp", "invalid"):
        assert one.stats["decoder"][key] == two.stats["decoder"][key], key
    assert one.stats["flow"]["total"] == two.stats["flow"]["total"]
    assert one.stats["decoder"]["pkts"] == len(pkts)


def test_workers_agree_when_libpcap_takes_over(tmp_path, run_cleannet, write_config):
    """Workers walk a mapped file each; at the first record longer than the snapshot length
    they all stop and libpcap reads the rest (cutting such records). The results still match
    the single worker's."""
    path = tmp_path / "mix.pcap"
    pkts = build_mix(path, seed=11)
    raw = bytearray(path.read_bytes())
    raw[16:20] = (1200).to_bytes(4, "little")  # the header's snapshot length
    path.write_bytes(bytes(raw))
    longer = sum(1 for p in pkts if len(bytes(p)) > 1200)
    assert 0 < longer < len(pkts) - 100
    cfg = write_config(ANOMALY_CONFIG)
    one = run_cleannet(path, "-c", cfg, "--runmode", "single", check=True)
    two = run_cleannet(path, "-c", cfg, "--runmode", "workers", "--threads", "2", check=True)
    assert canon(one.records) == canon(two.records)
    assert one.stats["decoder"]["pkts"] == two.stats["decoder"]["pkts"] == len(pkts)
    assert one.stats["decoder"]["bytes"] == two.stats["decoder"]["bytes"]
