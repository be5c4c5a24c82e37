#!/usr/bin/env bash
# Verify benchmark: `vdibackup verify` of a 2-stripe set (2 workers) against the stock `lz4 -t`
# of the same stripe files, one run each, page cache warm; prints a markdown table.
# Usage: bench/verify/run_verify_bench.sh [build dir, default build]
#   env: BENCH_DB_SIZE (default 1G), BENCH_WORK (default mktemp)
set -euo pipefail
cd "$(dirname "$0")/../.."
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
"$BIN/vdi-emulator" serve --data-dir "$DATA" --listen "$EP" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
until grep -q "listening on" "$WORK/server.log"; do
  kill -0 "$SERVER_PID" || { cat "$WORK/server.log"; exit 1; }
  sleep 0.05
done
"$BIN/vdibackup" backup --database bench --repo "$REPO" --server "$EP" --devices 2 --workers 2 \
  --json >"$WORK/backup.json" 2>"$WORK/backup.log" || { cat "$WORK/backup.log"; exit 1; }
SET=$(ls "$REPO/bench")
STRIPES=("$REPO/bench/$SET"/stripe-*.lz4)
RAW=$(python3 -c "import json;print(json.load(open('$WORK/backup.json'))['raw_bytes'])")
STORED=$(cat "${STRIPES[@]}" | wc -c)
cat "${STRIPES[@]}" >/dev/null  # warm the page cache for both runs

now() { date +%s.%N; }
t0=$(now); lz4 -t -m -q "${STRIPES[@]}"; t1=$(now)
T_LZ4=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
t0=$(now)
"$BIN/vdibackup" verify --repo "$REPO" --database bench --set "$SET" --workers 2 >"$WORK/verify.out"
t1=$(now)
T_VERIFY=$(python3 -c "print(f'{$t1 - $t0:.3f}')")

mbps() { python3 -c "print(f'{$RAW / 1e6 / $1:.0f}')"; }
echo "set: $SET, 2 stripes, $((RAW / 1048576)) MiB raw, $((STORED / 1048576)) MiB stored; $(nproc) cores; one run each, page cache warm"
echo
echo "| measure | time | MB/s (raw) | ratio |"
echo "|---|---|---|---|"
echo "| lz4 -t of both stripe files (stock CLI, sequential) | ${T_LZ4} s | $(mbps "$T_LZ4") | 1.00x |"
echo "| vdibackup verify --workers 2 (checksums + digests + manifest) | ${T_VERIFY} s | $(mbps "$T_VERIFY") | $(python3 -c "print(f'{$T_LZ4 / $T_VERIFY:.2f}')")x faster (goal >= 1.5x) |"
