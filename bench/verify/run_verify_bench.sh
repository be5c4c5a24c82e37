#!/usr/bin/env bash
# Verify benchmark: `vdibackup verify` of a 2-stripe set (2 workers) against the stock `lz4 -t`
# of the same stripe files, one run each, page cache warm; prints a markdown table with wall clock
# and CPU time (user + sys), so that a loaded machine shows as fewer CPUs used.
# Usage: bench/verify/run_verify_bench.sh [build dir, default build]
#   env: BENCH_DB_SIZE (default 1G), BENCH_WORK (default mktemp)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
BIN=$(cd "${1:-build}/bin" && pwd)
SIZE=${BENCH_DB_SIZE:-1G}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/vdibk-verify-bench.XXXXXX)}
SERVER_PID=
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [[ -z ${BENCH_WORK:-} ]] && rm -rf "$WORK"
  true
}
trap cleanup EXIT
DATA=$WORK/data REPO=$WORK/repo
mkdir -p "$DATA" "$REPO"
EP="ipc://$WORK/sql.sock"

"$BIN/vdi-emulator" create-database bench --data-dir "$DATA" --size "$SIZE" >/dev/null
bench_serve "$BIN" "$DATA" "$EP" "$WORK/server.log"
"$BIN/vdibackup" backup --database bench --repo "$REPO" --server "$EP" --devices 2 --workers 2 \
  --json >"$WORK/backup.json" 2>"$WORK/backup.log" || { cat "$WORK/backup.log"; exit 1; }
SET=$(ls "$REPO/bench")
STRIPES=("$REPO/bench/$SET"/stripe-*.lz4)
RAW=$(python3 -c "import json;print(json.load(open('$WORK/backup.json'))['raw_bytes'])")
STORED=$(cat "${STRIPES[@]}" | wc -c)
cat "${STRIPES[@]}" >/dev/null  # warm the page cache for both runs

# measure CMD...: WALL (s) and CPU (user + sys s of CMD and its children); CMD's stdout to /dev/null.
measure() {
  read -r WALL CPU RC < <(python3 -c '
import resource, subprocess, sys, time
# Less the children reaped before (a pyenv shim runs ~0.3 CPU s of them at interpreter start).
u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
w = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = u.ru_utime + u.ru_stime - u0.ru_utime - u0.ru_stime
print(f"{w:.3f} {cpu:.3f} {rc}")' "$@")
  [[ $RC == 0 ]] || { echo "failed ($RC): $*" >&2; exit 1; }
}
measure lz4 -t -m -q "${STRIPES[@]}"
T_LZ4=$WALL C_LZ4=$CPU
measure "$BIN/vdibackup" verify --repo "$REPO" --database bench --set "$SET" --workers 2
T_VERIFY=$WALL C_VERIFY=$CPU

py() { python3 -c "print($1)"; }
mbps() { py "f'{$RAW / 1e6 / $1:.0f}'"; }
echo "set: $SET, 2 stripes, $((RAW / 1048576)) MiB raw, $((STORED / 1048576)) MiB stored; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); one run each, page cache warm"
echo
echo "| measure | time | MB/s (raw) | CPU time (CPUs used) | ratio |"
echo "|---|---|---|---|---|"
echo "| lz4 -t of both stripe files (stock CLI, sequential) | ${T_LZ4} s | $(mbps "$T_LZ4") | ${C_LZ4} s ($(py "f'{$C_LZ4 / $T_LZ4:.2f}'")) | 1.00x |"
echo "| vdibackup verify --workers 2 (checksums + digests + manifest) | ${T_VERIFY} s | $(mbps "$T_VERIFY") | ${C_VERIFY} s ($(py "f'{$C_VERIFY / $T_VERIFY:.2f}'")) | $(py "f'{$T_LZ4 / $T_VERIFY:.2f}'")x faster (goal >= 1.5x) |"
echo
echo "CPU per raw GB: lz4 -t $(py "f'{$C_LZ4 / $RAW * 1e9:.2f}'") s, vdibackup verify $(py "f'{$C_VERIFY / $RAW * 1e9:.2f}'") s (CPUs used < 2 means other processes held the cores)"
