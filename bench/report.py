#!/usr/bin/python3
"""Turns bench/run.sh's measurements into a Markdown report (stdout).

Usage: report.py throughput|synflood PCAP WORKDIR"""

import json
import os
import platform
import re
import subprocess
import sys

COUNTERS = [  # shown when the engine reports them; Suricata's names
    "flow.total", "flow.memcap", "flow.emerg_mode_entered", "flow.emerg_mode_over",
    "flow.memuse", "tcp.sessions", "tcp.ssn_memcap_drop", "tcp.segment_memcap_drop",
    "tcp.reassembly_gap", "tcp.memuse", "tcp.reassembly_memuse", "defrag.max_trackers_reached",
    "memcap.pressure_max", "capture.kernel_drops", "decoder.invalid",
]


def get(d, path):
    for p in path.split("."):
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def floor_seconds(workdir):
    path = os.path.join(workdir, "floor.txt")
    if not os.path.exists(path):
        return None, ""
    text = open(path).read()
    m = re.search(r"^libpcap seconds=([0-9.]+)", text, re.M)
    return (float(m.group(1)) if m else None), text


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d cores, %s" % (cpu, os.cpu_count() or 0, platform.release())


def main():
    mode, pcap, workdir = sys.argv[1:4]
    results = [l.split() for l in open(os.path.join(workdir, "results.txt")) if l.strip()]
    floor, floor_text = floor_seconds(workdir)
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        rev = "?"
    size = os.path.getsize(pcap)
    print("## cleannet bench: %s\n" % mode)
    print("- capture: `%s` (%s bytes)" % (pcap, format(size, ",")))
    print("- commit: %s; machine: %s" % (rev, machine()))
    print("- median of the runs by wall time; Gbit/s = 8 x decoder.bytes / wall\n")
    hdr = ["config", "wall s", "packets/s", "Gbit/s", "peak RSS MiB", "x libpcap floor",
           "flows"]
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    stats_by = {}
    for label, wall, rss in results:
        wall, rss = float(wall), int(rss)
        d = json.load(open(os.path.join(workdir, "result-%s.json" % label)))
        st = d["stats"]
        stats_by[label] = d
        pkts = get(st, "decoder.pkts") or 0
        byts = get(st, "decoder.bytes") or 0
        flows = d["counts"].get("flow", 0)
        ratio = "%.2f" % (wall / floor) if floor else "n/a"
        print("| %s | %.2f | %s | %.2f | %.0f | %s | %s |" % (
            label, wall, format(int(pkts / wall) if wall else 0, ","),
            8 * byts / wall / 1e9 if wall else 0, rss / 1024, ratio, format(flows, ",")))
    print()
    print("Counters from the final stats record (memcap hits prove loss or its absence):\n")
    labels = [r[0] for r in results]
    print("| counter | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for c in ["decoder.pkts", "decoder.bytes"] + COUNTERS:
        vals = [get(stats_by[l]["stats"], c) for l in labels]
        if all(v is None for v in vals):
            vals = ["n/a"] * len(vals)
        print("| %s | %s |" % (c, " | ".join("n/a" if v is None else format(v, ",")
                                             if isinstance(v, int) else str(v) for v in vals)))
    if floor_text:
        print("\nRead floors for the same file (shared/bench/floor.sh, median of 3):\n")
        print("```\n" + floor_text.strip() + "\n```")


if __name__ == "__main__":
    main()
