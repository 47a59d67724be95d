"""Live capture: cleannet -i and --af-packet on one end of a veth pair between two network
namespaces made for this test, with crafted traffic sent from the other end.

Traffic stays between the two namespaces (10.231.0.1 and 10.231.0.2 exist only inside them).
Frames are addressed to a MAC no interface owns, so neither kernel answers them: the capture
sees exactly what the sender crafted. Needs root and iproute2; skipped otherwise."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import binary_path, read_eve, validate_records
from helpers import REPO, flow_between, get, only

NS_A, NS_B = "cn-e2e-a-%d" % os.getpid(), "cn-e2e-b-%d" % os.getpid()
DEV_A, DEV_B = "cne2ea", "cne2eb"
IP_A, IP_B = "10.231.0.1", "10.231.0.2"
NOBODY_MAC = "02:00:00:e2:e2:e2"

SENDER = r'''
import sys
sys.path.insert(0, sys.argv[1])
from pcaplib import Clock, TcpSession, ether_l2, frozen
from scapy.all import IP, UDP, Ether, Raw, sendp
dev, mac, ip_a, ip_b, nobody = sys.argv[2:7]
clock = Clock()
pkts = []
for i in range(3):
    pkts.append(Ether(src=mac, dst=nobody) / IP(src=ip_b, dst=ip_a) /
                UDP(sport=40000, dport=9999) / Raw(b"live-udp-%d" % i))
pkts.append(Ether(src=nobody, dst=mac) / IP(src=ip_a, dst=ip_b) /
            UDP(sport=9999, dport=40000) / Raw(b"live-reply"))
s = TcpSession(ip_b, ip_a, 40001, 8080, clock, l2=ether_l2(mac, nobody), isn_c=100, isn_s=900)
s.handshake()
s.send(True, b"GET /live HTTP/1.1\r\nHost: ns\r\n\r\n")
s.send(False, b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlive")
s.close()
pkts += s.pkts
sendp(pkts, iface=dev, inter=0.02, verbose=False)
print(len(pkts))
'''


def sh(*args, timeout=20, check=True):
    return subprocess.run(list(args), capture_output=True, timeout=timeout, check=check,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def netns():
    if os.geteuid() != 0:
        pytest.skip("live capture needs root")
    if not shutil.which("ip"):
        pytest.skip("live capture needs iproute2 (ip)")
    b = binary_path()
    if not b.is_file():
        pytest.skip("no cleannet binary at %s" % b)
    try:
        sh("ip", "netns", "add", NS_A)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        pytest.skip("cannot create network namespaces here: %s" % getattr(e, "stderr", e))
    try:
        sh("ip", "netns", "add", NS_B)
        sh("ip", "link", "add", DEV_A, "netns", NS_A, "type", "veth", "peer", "name", DEV_B,
           "netns", NS_B)
        for ns, dev, addr in ((NS_A, DEV_A, IP_A), (NS_B, DEV_B, IP_B)):
            sh("ip", "netns", "exec", ns, "sysctl", "-q", "-w",
               "net.ipv6.conf.all.disable_ipv6=1", check=False)
            sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        yield
    finally:
        sh("ip", "netns", "del", NS_B, check=False)
        sh("ip", "netns", "del", NS_A, check=False)


def mac_of(ns, dev):
    out = sh("ip", "-n", ns, "-o", "link", "show", dev).stdout.decode()
    return out.split("link/ether")[1].split()[0]


def run_live(tmp_path, *capture_args):
    logdir = tmp_path / "live"
    logdir.mkdir()
    cmd = ["ip", "netns", "exec", NS_A, str(binary_path()), *capture_args, "-l", str(logdir)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=dict(os.environ, TZ="UTC"))
    try:
        deadline = time.monotonic() + 15
        while not (logdir / "eve.json").exists() and time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        time.sleep(1.5)  # let the capture threads attach to the interface
        assert proc.poll() is None, "cleannet exited early: %s" % proc.communicate(timeout=5)[1]
        sent = sh("ip", "netns", "exec", NS_B, sys.executable, "-c", SENDER, str(REPO / "tools"),
                  DEV_B, mac_of(NS_B, DEV_B), IP_A, IP_B, NOBODY_MAC, timeout=60)
        assert int(sent.stdout.decode().strip()) > 10
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0, "exit %s: %s" % (proc.returncode, err.decode()[-3000:])
    records = read_eve(logdir / "eve.json")
    validate_records(records, str(logdir / "eve.json"))
    return records


def check_records(records):
    udp = only(flow_between(records, IP_B, IP_A, "UDP"))
    assert udp["src_port"] == 40000 and udp["dest_port"] == 9999
    assert udp["flow"]["pkts_toserver"] == 3 and udp["flow"]["pkts_toclient"] == 1
    tcp = only(flow_between(records, IP_B, IP_A, "TCP"))
    assert tcp["src_port"] == 40001 and tcp["dest_port"] == 8080
    assert tcp["flow"]["state"] == "closed"
    assert tcp["tcp"]["tcp_flags"] == "1b"
    assert tcp["flow"]["pkts_toserver"] + tcp["flow"]["pkts_toclient"] == 11
    stats = [r for r in records if r.get("event_type") == "stats"]
    assert stats, "no stats record"
    assert get(stats[-1]["stats"], "decoder.pkts") >= 15
    assert get(stats[-1]["stats"], "tcp.sessions") >= 1


def test_live_pcap(netns, tmp_path):
    check_records(run_live(tmp_path, "-i", DEV_A))


def test_live_af_packet_two_threads(netns, tmp_path):
    check_records(run_live(tmp_path, "--af-packet=" + DEV_A, "--threads", "2"))
