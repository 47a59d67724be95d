"""The command line: help and version, config checks (-T, -c, --set), capture errors
(truncated, garbage, missing), -r DIR ordering and BPF filters."""

import os
import re

from helpers import (ANOMALY_CONFIG, Clock, flow_between, get, only, raw_pcap_header,
                     raw_pcap_record, tcp_session, udp_exchange, write_pcap)


def tiny_pcap(path):
    write_pcap(path, udp_exchange("10.8.0.1", "10.8.0.2", 1000, 2000, 1, 1, Clock()))
    return path


def test_help(run_cleannet):
    for flag in ("-h", "--help"):
        r = run_cleannet(None, flag, logdir=None, check=True)
        assert "-r" in r.output and "-l" in r.output and "--runmode" in r.output
        assert "usage" in r.output.lower()


def test_version(run_cleannet):
    for flag in ("-V", "--version"):
        r = run_cleannet(None, flag, check=True)
        assert "cleannet" in r.output.lower()
        assert re.search(r"\d+\.\d+\.\d+", r.output)


def test_unknown_option_fails(run_cleannet, tmp_path):
    r = run_cleannet(tiny_pcap(tmp_path / "t.pcap"), "--no-such-option", check=False)
    assert "--no-such-option" in r.output


def test_config_test_mode_good(run_cleannet, write_config):
    run_cleannet(None, "-T", check=True)
    r = run_cleannet(None, "-T", "-c", write_config(ANOMALY_CONFIG), check=True)
    assert r.records == []


def test_config_test_mode_bad_value(run_cleannet, write_config):
    cfg = write_config("flow:\n  memcap: banana\n")
    r = run_cleannet(None, "-T", "-c", cfg, check=False)
    assert "flow.memcap" in r.output
    assert str(cfg) in r.output or cfg.name in r.output


def test_bad_set_value_names_the_key(run_cleannet, tmp_path):
    r = run_cleannet(tiny_pcap(tmp_path / "t.pcap"), "--set", "flow.memcap=banana", check=False)
    assert "flow.memcap" in r.output
    assert "banana" in r.output


def test_bad_set_syntax(run_cleannet, tmp_path):
    r = run_cleannet(tiny_pcap(tmp_path / "t.pcap"), "--set", "flow.memcap", check=False)
    assert "flow.memcap" in r.output


def test_missing_config_file(run_cleannet, tmp_path):
    missing = tmp_path / "nope.yaml"
    r = run_cleannet(tiny_pcap(tmp_path / "t.pcap"), "-c", missing, check=False)
    assert "nope.yaml" in r.output


def test_unparseable_config_file(run_cleannet, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("%YAML 1.1\n---\noutputs: [\n  - eve-log: {\n")
    r = run_cleannet(tiny_pcap(tmp_path / "t.pcap"), "-c", bad, check=False)
    assert "bad.yaml" in r.output


def test_unknown_config_key_warns_once(run_cleannet, write_config, tmp_path):
    cfg = write_config("cleannet-e2e-unknown-key: 5\nflow:\n  memcap: 64mb\n")
    r = run_cleannet(tiny_pcap(tmp_path / "t.pcap"), "-c", cfg, check=True)
    assert r.output.count("cleannet-e2e-unknown-key") == 1, r.describe()
    assert len(r.flows) == 1


def test_missing_capture_file(run_cleannet, tmp_path):
    r = run_cleannet(tmp_path / "does-not-exist.pcap", check=False)
    assert "does-not-exist.pcap" in r.output


def test_garbage_capture_file(run_cleannet, tmp_path):
    g = tmp_path / "garbage.pcap"
    g.write_bytes(bytes((i * 131 + 7) & 0xFF for i in range(4096)))
    r = run_cleannet(g, check=False)
    assert "garbage.pcap" in r.output
    assert r.flows == []


def test_empty_capture_file(run_cleannet, tmp_path):
    e = tmp_path / "empty.pcap"
    e.write_bytes(b"")
    r = run_cleannet(e, check=False)
    assert "empty.pcap" in r.output


def test_header_only_capture_is_fine(run_cleannet, tmp_path):
    h = tmp_path / "header.pcap"
    h.write_bytes(raw_pcap_header())
    r = run_cleannet(h, check=True)
    assert r.flows == []
    assert (r.logdir / "eve.json").exists()
    assert get(r.stats, "decoder.pkts") == 0


def test_truncated_capture_keeps_earlier_records(run_cleannet, tmp_path):
    clock = Clock()
    frames = []
    for n in range(8):  # eight single-packet UDP flows
        frames += udp_exchange("10.8.1.%d" % (n + 1), "10.8.2.1", 3000 + n, 53, 1, 0, clock)
    data = bytearray(raw_pcap_header())
    offsets = []
    for p in frames:
        offsets.append(len(data))
        data += raw_pcap_record(int(p.time * 1_000_000), bytes(p))
    cut = offsets[5] + 16 + 10  # record 6's header and 10 bytes of its data
    path = tmp_path / "cut.pcap"
    path.write_bytes(bytes(data[:cut]))
    r = run_cleannet(path, check=False)
    assert "cut.pcap" in r.stderr, r.describe()
    numbers = set(int(x) for x in re.findall(r"\d+", r.stderr.replace("cut.pcap", "")))
    assert offsets[5] in numbers or cut in numbers, \
        "stderr should name the byte offset %d (record start) or %d (end): %s" % (
            offsets[5], cut, r.stderr)
    assert sorted(f["src_ip"] for f in r.flows) == ["10.8.1.%d" % (n + 1) for n in range(5)]


def test_truncated_record_header(run_cleannet, tmp_path):
    clock = Clock()
    frames = udp_exchange("10.8.3.1", "10.8.3.2", 1, 2, 2, 0, clock)
    data = raw_pcap_header() + raw_pcap_record(int(frames[0].time * 1_000_000), bytes(frames[0]))
    data += raw_pcap_record(int(frames[1].time * 1_000_000), bytes(frames[1]))[:7]
    path = tmp_path / "cuthdr.pcap"
    path.write_bytes(data)
    r = run_cleannet(path, check=False)
    assert "cuthdr.pcap" in r.stderr
    f = only(r.flows)
    assert f["flow"]["pkts_toserver"] == 1


def test_read_directory_in_time_order(run_cleannet, tmp_path):
    d = tmp_path / "caps"
    d.mkdir()
    s = tcp_session("10.8.4.1", "10.8.4.2", 41000, 80)
    first, second = s.pkts[:3], s.pkts[3:]
    # name order is the opposite of time order; modification times follow packet times
    write_pcap(d / "b-first.pcap", first)
    write_pcap(d / "a-second.pcap", second)
    t0 = int(first[0].time)
    os.utime(d / "b-first.pcap", (t0 + 1, t0 + 1))
    os.utime(d / "a-second.pcap", (t0 + 2, t0 + 2))
    r = run_cleannet(d, check=True)
    f = only(r.flows)
    assert f["flow"]["pkts_toserver"] + f["flow"]["pkts_toclient"] == len(s.pkts)
    assert f["flow"]["state"] == "closed"
    assert f["src_ip"] == "10.8.4.1"
    assert get(r.stats, "tcp.sessions") == 1
    assert get(r.stats, "decoder.pkts") == len(s.pkts)


def _mixed_pcap(path):
    clock = Clock()
    s = tcp_session("10.8.5.1", "10.8.5.2", 41001, 80, clock=clock)
    u = udp_exchange("10.8.5.1", "10.8.5.53", 41002, 53, 2, 2, clock)
    write_pcap(path, s.pkts + u)
    return s.pkts, u


def test_bpf_filter_words(run_cleannet, tmp_path):
    tcp, udp = _mixed_pcap(tmp_path / "mix.pcap")
    r = run_cleannet(tmp_path / "mix.pcap", "udp", "and", "port", "53", check=True)
    f = only(r.flows)
    assert f["proto"] == "UDP"
    assert get(r.stats, "decoder.pkts") == len(udp)


def test_bpf_filter_file(run_cleannet, tmp_path):
    tcp, udp = _mixed_pcap(tmp_path / "mix.pcap")
    bpf = tmp_path / "filter.bpf"
    bpf.write_text("tcp port 80\n")
    r = run_cleannet(tmp_path / "mix.pcap", "-F", bpf, check=True)
    f = only(flow_between(r.records, "10.8.5.1", "10.8.5.2"))
    assert f["proto"] == "TCP"
    assert len(r.flows) == 1
    assert get(r.stats, "decoder.pkts") == len(tcp)


def test_bad_bpf_filter(run_cleannet, tmp_path):
    _mixed_pcap(tmp_path / "mix.pcap")
    r = run_cleannet(tmp_path / "mix.pcap", "port", "notaport", check=False)
    assert "bpf" in r.output.lower() or "filter" in r.output.lower()


def test_fast_log_exists(run_cleannet, tmp_path):
    r = run_cleannet(tiny_pcap(tmp_path / "t.pcap"), check=True)
    assert (r.logdir / "eve.json").is_file()
    assert (r.logdir / "fast.log").is_file()


def test_writes_only_under_logdir(run_cleannet, tmp_path):
    pcap = tiny_pcap(tmp_path / "t.pcap")
    before = set(os.listdir(tmp_path))
    r = run_cleannet(pcap, check=True)
    after = set(os.listdir(tmp_path))
    assert after - before <= {r.logdir.name}
