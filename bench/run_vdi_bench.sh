#!/usr/bin/env bash
# Runs the libsqlvdi benchmark once and prints the docs/performance.md table: the VDI round trip
# next to a raw process-to-process semaphore ping-pong measured in the same run, and commands/s.
# Usage: bench/run_vdi_bench.sh [build dir, default build]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-build}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$DIR/bin/vdi_roundtrip_bench" --benchmark_format=json --benchmark_min_time=1 \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true > "$OUT"
python3 - "$OUT" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
rows = {b["name"]: b for b in data["benchmarks"] if b.get("aggregate_name") == "median"}
def get(prefix):
    for name, b in rows.items():
        if name.startswith(prefix):
            return b
    raise SystemExit("missing " + prefix)
# Time per item (ns): one ping-pong, one round trip (the chained benchmark runs 1000 per iteration).
def per_item(b):
    return 1e9 / b["items_per_second"]
ping = per_item(get("BM_SemaphorePingPong"))
rt = per_item(get("BM_VdiRoundTripChained"))
rt_wait = per_item(get("BM_VdiRoundTrip/"))
print("| measure (median of 3) | value | ratio |")
print("|---|---|---|")
print(f"| raw semaphore ping-pong, process to process | {ping/1000:.1f} µs | 1.00x (floor) |")
print(f"| VDI round trip (SendCommand → GetCommand → CompleteCommand → completion routine sends the next) | {rt/1000:.1f} µs | {rt/ping:.2f}x |")
print(f"| VDI round trip + hand-back to a waiting thread (one more wake-up) | {rt_wait/1000:.1f} µs | {rt_wait/ping:.2f}x |")
for name, b in sorted(rows.items()):
    if not name.startswith("BM_VdiThroughput"):
        continue
    parts = dict(p.split(":") for p in name.split("/")[1:3])
    size = int(parts["transfer"])
    label = f"{size // 1024} KiB" if size < (1 << 20) else f"{size >> 20} MiB"
    print(f"| commands/s, {label} transfers, {parts['devices']} device(s), 4 in flight each | "
          f"{b['items_per_second']:,.0f} /s ({b['bytes_per_second']/2**30:.2f} GiB/s) | |")
PY
