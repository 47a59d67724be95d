#!/usr/bin/env bash
# cleannet throughput and memory benchmark. See bench/README.md.
#
#   bench/run.sh                 reference capture: floor, then single and workers --threads 2
#   bench/run.sh synflood        2 million distinct SYNs with 32 MB flow and stream memcaps
#   bench/run.sh etopen          ET Open: load time and RSS, throughput with and without it
#
# Options (environment): CLEANNET_BIN (default build/cleannet), BENCH_PCAP (default
# /tmp/cn-bench.pcap), BENCH_ARGS (make-bench.py arguments, default "--size 2G --seed 1"),
# RUNS (default 3), SYN_COUNT (default 2000000), BENCH_OUT (default out/bench),
# ET_RULES (default ../shared/rules/et-open; etopen mode).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
mode=${1:-throughput}
bin=${CLEANNET_BIN:-$repo/build/cleannet}
shared=$repo/../shared/bench
runs=${RUNS:-3}
out=${BENCH_OUT:-$repo/out/bench}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
report=$out/$stamp-$mode.md
mkdir -p "$out"

[ -x "$bin" ] || { echo "no cleannet binary at $bin: run tools/build first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: run tools/install-deps" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cn-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# one timed run: prints "wall_s rss_kib" and leaves the final stats record in $work/stats.json
timed_run() {
    local pcap=$1
    shift
    local logdir=$work/log
    rm -rf "$logdir"
    mkdir -p "$logdir"
    if ! timeout 3600 /usr/bin/time -v -o "$work/time.txt" \
        "$bin" -r "$pcap" -l "$logdir" "$@" >"$work/stdout.txt" 2>"$work/stderr.txt"; then
        echo "cleannet failed ($*):" >&2
        tail -n 20 "$work/stderr.txt" "$work/time.txt" >&2
        exit 1
    fi
    /usr/bin/python3 "$repo/bench/evestats.py" "$logdir/eve.json" >"$work/stats.json"
    rm -rf "$logdir"
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                    for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
                /Maximum resident set size/ { rss = $2 }
                END { printf "%.3f %d\n", wall, rss }' "$work/time.txt"
}

# runs a configuration $runs times and keeps the median run's numbers and stats
measure() {
    local label=$1 pcap=$2
    shift 2
    local i
    : >"$work/runs.txt"
    for i in $(seq 1 "$runs"); do
        read -r wall rss < <(timed_run "$pcap" "$@")
        echo "$label run $i: ${wall}s, peak RSS $((rss / 1024)) MiB" >&2
        cp "$work/stats.json" "$work/stats-$i.json"
        echo "$wall $rss $i" >>"$work/runs.txt"
    done
    # median by wall time; its stats record goes with it
    local med
    med=$(sort -n "$work/runs.txt" | sed -n "$(((runs + 1) / 2))p")
    read -r wall rss i <<<"$med"
    cp "$work/stats-$i.json" "$work/result-$label.json"
    echo "$label $wall $rss" >>"$work/results.txt"
}

case $mode in
throughput)
    pcap=${BENCH_PCAP:-/tmp/cn-bench.pcap}
    args=${BENCH_ARGS:---size 2G --seed 1}
    ref_sha=0bf8bc1e5dc21cc1d086b98f2458bc290cda61bced40b43a3a638542487cdbce
    want=""
    [ "$args" = "--size 2G --seed 1" ] && want=$ref_sha
    have=""
    if [ -f "$pcap" ]; then
        if [ -n "$want" ]; then
            echo "checking SHA-256 of $pcap" >&2
            have=$(sha256sum "$pcap" | cut -d' ' -f1)
        elif [ -f "$pcap.args" ] && [ "$(cat "$pcap.args")" = "$args" ]; then
            have=reuse
            want=reuse
        fi
    fi
    if [ -z "$have" ] || [ "$have" != "$want" ]; then
        echo "building $pcap with make-bench.py $args" >&2
        # shellcheck disable=SC2086
        timeout 1800 python3 "$shared/make-bench.py" --out "$pcap" $args -q
        echo "$args" >"$pcap.args"
        if [ -n "$want" ] && [ "$want" != reuse ]; then
            have=$(sha256sum "$pcap" | cut -d' ' -f1)
            [ "$have" = "$want" ] || echo "WARNING: $pcap SHA-256 $have, README says $want" >&2
        fi
    fi
    echo "warming the page cache" >&2
    cat "$pcap" >/dev/null
    echo "read floors (shared/bench/floor.sh)" >&2
    timeout 1800 sh "$shared/floor.sh" "$pcap" | tee "$work/floor.txt" >&2
    : >"$work/results.txt"
    # no rules: -S /dev/null keeps the built-in rule set out of the core-sensor figures
    measure single "$pcap" -S /dev/null --runmode single
    measure workers-1 "$pcap" -S /dev/null --runmode workers --threads 1
    measure workers-2 "$pcap" -S /dev/null --runmode workers --threads 2
    /usr/bin/python3 "$repo/bench/report.py" throughput "$pcap" "$work" | tee "$report"
    ;;
synflood)
    pcap=${SYN_PCAP:-/tmp/cn-synflood.pcap}
    count=${SYN_COUNT:-2000000}
    if [ ! -f "$pcap" ] || [ "$(cat "$pcap.args" 2>/dev/null)" != "$count" ]; then
        timeout 600 /usr/bin/python3 "$repo/bench/synflood.py" --count "$count" --out "$pcap" >&2
        echo "$count" >"$pcap.args"
    fi
    cat "$pcap" >/dev/null
    : >"$work/results.txt"
    measure synflood "$pcap" -S /dev/null --set flow.memcap=32mb --set stream.memcap=32mb
    /usr/bin/python3 "$repo/bench/report.py" synflood "$pcap" "$work" | tee "$report"
    ;;
etopen)
    pcap=${BENCH_PCAP:-/tmp/cn-bench.pcap}
    [ -f "$pcap" ] || { echo "no $pcap: run bench/run.sh (throughput) first" >&2; exit 1; }
    cat "$pcap" >/dev/null
    /usr/bin/python3 "$repo/bench/etopen.py" "$bin" "$pcap" "${ET_RULES:-$shared/../rules/et-open}" \
        "$work" "$runs" | tee "$report"
    ;;
*)
    echo "usage: bench/run.sh [throughput|synflood|etopen]" >&2
    exit 2
    ;;
esac
echo "report written to $report" >&2
