#!/usr/bin/python3
"""ET Open figures for bench/run.sh etopen: load time and peak RSS of the ruleset (-T),
throughput on the benchmark capture with and without the ruleset for one and two workers,
and the alert count of every run (it must not change between runs or worker counts).

Usage: etopen.py BIN PCAP RULEDIR WORKDIR RUNS   (Markdown report on stdout)

The rules are every *.rules file of RULEDIR (enabled rules as shipped). Throughput uses
the engine's own packet-processing time (the "in N s" of its summary line), which leaves out
rule loading as the issue asks; whole-process wall time is reported next to it."""

import glob
import os
import re
import statistics
import subprocess
import sys
import time

SUMMARY = re.compile(r"(\d+) packets, (\d+) bytes in ([0-9.]+) s")
LOADED = re.compile(r"(\d+) rule files processed\. (\d+) rules successfully loaded, (\d+) rules failed")


def run(argv, logdir):
    os.makedirs(logdir, exist_ok=True)
    for f in glob.glob(os.path.join(logdir, "*")):
        os.unlink(f)
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "RSSKB %M"] + argv, capture_output=True,
                       text=True, timeout=3600)
    wall = time.monotonic() - t0
    out = p.stdout + p.stderr
    if p.returncode not in (0, 1):
        sys.exit("run failed (%d): %s\n%s" % (p.returncode, " ".join(argv), out[-2000:]))
    rss = int(re.search(r"RSSKB (\d+)", out).group(1)) // 1024
    m = SUMMARY.search(out)
    proc = float(m.group(3)) if m else None
    alerts = 0
    eve = os.path.join(logdir, "eve.json")
    if os.path.exists(eve):
        with open(eve, "rb") as f:
            alerts = sum(1 for line in f if b'"event_type":"alert"' in line)
    return {"wall": wall, "rss": rss, "proc": proc, "alerts": alerts, "out": out}


def median_run(runs, key):
    runs = sorted(runs, key=lambda r: r[key])
    return runs[(len(runs) - 1) // 2]


def main():
    binary, pcap, ruledir, work, nruns = sys.argv[1:6]
    nruns = int(nruns)
    files = sorted(os.path.basename(f) for f in glob.glob(os.path.join(ruledir, "*.rules")))
    in_files = enabled = 0
    for f in files:
        with open(os.path.join(ruledir, f), errors="replace") as fh:
            for line in fh:
                s = line.strip()
                if re.match(r"^#?\s*(alert|drop|pass|reject|rejectsrc|rejectdst|rejectboth)\s", s):
                    in_files += 1
                    enabled += not s.startswith("#")
    conf = os.path.join(work, "et.yaml")
    with open(conf, "w") as fh:
        fh.write("default-rule-path: %s\n" % ruledir)
        for key, name in (("classification-file", "classification.config"),
                          ("reference-config-file", "reference.config")):
            if os.path.exists(os.path.join(ruledir, name)):
                fh.write("%s: %s\n" % (key, os.path.join(ruledir, name)))
        fh.write("rule-files:\n")
        for f in files:
            fh.write("  - %s\n" % f)
    logdir = os.path.join(work, "log")

    loads = [run([binary, "-c", conf, "-T", "-l", logdir], logdir) for _ in range(nruns)]
    load = median_run(loads, "wall")
    m = LOADED.search(load["out"])
    reasons = re.findall(r"(\d+) rules? failed: (.*)", load["out"])

    results = {}
    for label, args in (("no rules, 1 worker", ["-S", "/dev/null", "--runmode", "single"]),
                        ("no rules, 2 workers",
                         ["-S", "/dev/null", "--runmode", "workers", "--threads", "2"]),
                        ("ET Open, 1 worker", ["-c", conf, "--runmode", "single"]),
                        ("ET Open, 2 workers",
                         ["-c", conf, "--runmode", "workers", "--threads", "2"])):
        runs = [run([binary, "-r", pcap, "-l", logdir] + args, logdir) for _ in range(nruns)]
        for i, r in enumerate(runs):
            print("%s run %d: %.2f s processing, %.2f s wall, %d MiB, %d alerts" %
                  (label, i + 1, r["proc"], r["wall"], r["rss"], r["alerts"]), file=sys.stderr)
        results[label] = runs

    print("## ET Open (bench/run.sh etopen)\n")
    print("- rules: %d in %d files, %d enabled" % (in_files, len(files), enabled))
    if m:
        print("- loaded: %s, failed: %s (%s rule files)" % (m.group(2), m.group(3), m.group(1)))
    print("- load (`-T`, median of %d): %.2f s wall, peak RSS %d MiB" %
          (nruns, load["wall"], load["rss"]))
    print("- failures by reason (top 15):")
    for count, reason in sorted(reasons, key=lambda x: -int(x[0]))[:15]:
        print("  - %s: %s" % (count, reason))
    print()
    print("| run | processing s (median) | wall s | peak RSS MiB | alerts, every run |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, runs in results.items():
        r = median_run(runs, "proc")
        print("| %s | %.2f | %.2f | %d | %s |" % (label, r["proc"], r["wall"], r["rss"],
                                                 ", ".join(str(x["alerts"]) for x in runs)))
    base1 = median_run(results["no rules, 1 worker"], "proc")["proc"]
    et1 = median_run(results["ET Open, 1 worker"], "proc")["proc"]
    et2 = median_run(results["ET Open, 2 workers"], "proc")["proc"]
    base2 = median_run(results["no rules, 2 workers"], "proc")["proc"]
    print()
    print("- ET Open throughput vs no rules, 1 worker: %.1f%% (target >= 35%%)" %
          (100 * base1 / et1))
    print("- ET Open throughput vs no rules, 2 workers: %.1f%%" % (100 * base2 / et2))
    alerts = {x["alerts"] for label in results if label.startswith("ET") for x in results[label]}
    print("- alert counts over all ET runs: %s (%s)" %
          (sorted(alerts), "identical" if len(alerts) == 1 else "DIFFER"))


if __name__ == "__main__":
    main()
