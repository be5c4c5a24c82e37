#!/usr/bin/env bash
# Restore benchmark: `vdibackup restore` from the lz4 stripes of a 2-device set (2 workers, VDI)
# against the emulator's native RESTORE FROM DISK of the uncompressed backup stream in 2 files,
# alternating rounds (3, or 5 against the direct-I/O server) through the same `vdi-emulator serve`,
# first with the page cache warm, then (as root) with it dropped before each restore, then warm
# against `serve --direct-io` (restored files written with O_DIRECT, as SQL Server does); prints
# a markdown table with the median and best wall clock, and the CPU time of the best (the
# client's: vdibackup + workers + sqlcmd, or sqlcmd; the server's meanwhile). The two restored
# databases are compared byte for byte.
# Usage: bench/restore/run_restore_bench.sh [build dir, default build]
#   env: BENCH_DB_SIZE (default 1G), BENCH_WORK (default mktemp)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
BIN=$(cd "${1:-build}/bin" && pwd)
SIZE=${BENCH_DB_SIZE:-1G}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/vdibk-restore-bench.XXXXXX)}
SERVER_PID=
cleanup() {
  bench_release_freed_memory
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [[ -z ${BENCH_WORK:-} ]] && rm -rf "$WORK"
  true
}
trap cleanup EXIT
DATA=$WORK/data REPO=$WORK/repo NATIVE=$WORK/native
mkdir -p "$DATA" "$REPO" "$NATIVE"
EP="ipc://$WORK/sql.sock"

"$BIN/vdi-emulator" create-database bench --data-dir "$DATA" --size "$SIZE" >/dev/null
bench_serve "$BIN" "$DATA" "$EP" "$WORK/server.log"
sql() { "$BIN/sqlcmd" -S "$EP" -b -Q "$1" >"$WORK/sql.out" || { cat "$WORK/sql.out" >&2; exit 1; }; }

# The same database twice: lz4 stripes through vdibackup, the plain stream in 2 files natively.
"$BIN/vdibackup" backup --database bench --repo "$REPO" --server "$EP" --devices 2 --workers 2 \
  --json >"$WORK/backup.json" 2>"$WORK/backup.log" || { cat "$WORK/backup.log"; exit 1; }
sql "BACKUP DATABASE bench TO DISK='$NATIVE/a.bak', DISK='$NATIVE/b.bak'"
SET=$(ls "$REPO/bench")
RAW=$(python3 -c "import json;print(json.load(open('$WORK/backup.json'))['raw_bytes'])")
STORED=$(cat "$REPO/bench/$SET"/stripe-*.lz4 | wc -c)
PLAIN=$(cat "$NATIVE"/*.bak | wc -c)
bench_hold_freed_memory
bench_touch_free_memory
cat "$REPO/bench/$SET"/stripe-*.lz4 "$NATIVE"/*.bak >/dev/null  # warm the page cache

# measure CMD...: WALL (s), CPU (user + sys s of CMD and its children) and SRV (the server's CPU s
# meanwhile); CMD's output goes to $WORK/cmd.log.
srv_cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$SERVER_PID/stat"; }
measure() {
  local s0 s1
  s0=$(srv_cpu)
  read -r WALL CPU RC < <(python3 -c '
import resource, subprocess, sys, time
# Less the children reaped before (a pyenv shim runs ~0.3 CPU s of them at interpreter start).
u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t = time.monotonic()
with open(sys.argv[1], "w") as log:
    rc = subprocess.run(sys.argv[2:], stdout=log, stderr=log).returncode
w = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = u.ru_utime + u.ru_stime - u0.ru_utime - u0.ru_stime
print(f"{w:.3f} {cpu:.3f} {rc}")' "$WORK/cmd.log" "$@")
  s1=$(srv_cpu)
  SRV=$(python3 -c "print(f'{$s1 - $s0:.2f}')")
  [[ $RC == 0 ]] || { cat "$WORK/cmd.log" >&2; exit 1; }
}
move() { echo "MOVE N'bench' TO N'$1.mdf', MOVE N'bench_log' TO N'$1_log.ldf'"; }

# N rounds, each restore followed by DROP DATABASE; the median and the best of each are reported
# (the first restore onto a fresh file system costs the server more: new files, block allocation).
# rounds warm|cold [N, default 2] sets T_/C_/S_NATIVE and T_/C_/S_VDI (best wall, its client and
# server CPU) and RUNS_* (every wall time). cold: before each restore, sync and drop the page
# cache (needs root), so both read their
# backup files from disk, as a restore usually does.
rounds() {
  T_NATIVE=999 T_VDI=999 RUNS_NATIVE="" RUNS_VDI=""
  for round in $(seq 1 "${2:-2}"); do
    [[ $1 == cold ]] && { sync; echo 3 >/proc/sys/vm/drop_caches; }
    measure "$BIN/sqlcmd" -S "$EP" -b -Q \
      "RESTORE DATABASE native_copy FROM DISK='$NATIVE/a.bak', DISK='$NATIVE/b.bak' WITH $(move native_copy)"
    RUNS_NATIVE+="$WALL "
    if python3 -c "import sys; sys.exit(not $WALL < $T_NATIVE)"; then T_NATIVE=$WALL C_NATIVE=$CPU S_NATIVE=$SRV; fi
    [[ $1 == cold ]] && { sync; echo 3 >/proc/sys/vm/drop_caches; }
    measure "$BIN/vdibackup" restore --database bench --repo "$REPO" --set "$SET" --as vdi_copy \
      --move "bench=vdi_copy.mdf" --move "bench_log=vdi_copy_log.ldf" --workers 2 --server "$EP" --json
    RUNS_VDI+="$WALL "
    if python3 -c "import sys; sys.exit(not $WALL < $T_VDI)"; then T_VDI=$WALL C_VDI=$CPU S_VDI=$SRV; fi
    cmp -s "$DATA/native_copy/native_copy.mdf" "$DATA/vdi_copy/vdi_copy.mdf" ||
      { echo "the two restores differ" >&2; exit 1; }
    sql "DROP DATABASE native_copy"
    sql "DROP DATABASE vdi_copy"
  done
}
py() { python3 -c "print($1)"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" $1; }
mbps() { py "f'{$RAW / 1e6 / $1:.0f}'"; }
# row WHAT: the two table rows of the last rounds (ratio: of the medians, then of the bests).
rows() {
  local mn mv
  mn=$(median "$RUNS_NATIVE") mv=$(median "$RUNS_VDI")
  echo "| $1: RESTORE DATABASE FROM DISK (2 plain files, serve + sqlcmd) | ${RUNS_NATIVE}-> ${mn} / ${T_NATIVE} s | $(mbps "$mn") | ${C_NATIVE} s / ${S_NATIVE} s | 1.00x |"
  echo "| $1: vdibackup restore (2 lz4 stripes, 2 devices, 2 workers) | ${RUNS_VDI}-> ${mv} / ${T_VDI} s | $(mbps "$mv") | ${C_VDI} s / ${S_VDI} s | $(py "f'{$mn / $mv:.2f}'")x / $(py "f'{$T_NATIVE / $T_VDI:.2f}'")x (goal >= 0.9x) |"
}
rounds warm 3
WARM_ROWS=$(rows "page cache warm")
COLD_ROWS=""
if [[ -w /proc/sys/vm/drop_caches ]]; then
  rounds cold 3
  COLD_ROWS=$(rows "page cache dropped")
fi
# Again against a server that writes the restored data files with O_DIRECT, as SQL Server does
# (serve --direct-io), backup files in the page cache: both restores then write at the disk's
# speed instead of into the page cache (whose flush is the commit's fsync otherwise).
kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
EP="ipc://$WORK/sql-direct.sock"
bench_serve "$BIN" "$DATA" "$EP" "$WORK/server.log" --direct-io
cat "$REPO/bench/$SET"/stripe-*.lz4 "$NATIVE"/*.bak >/dev/null
rounds warm 5
DIRECT_ROWS=$(rows "direct I/O server, 5 rounds")

echo "set: $SET, 2 devices, $((RAW / 1048576)) MiB raw, $((STORED / 1048576)) MiB in lz4 stripes, $((PLAIN / 1048576)) MiB plain; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); 3 alternating rounds (5 against the direct-I/O server; each restore then dropped), wall clock incl. process start; $WARMUP; $HOLD"
echo
echo "| measure | runs -> median / best | MB/s (raw, median) | CPU of the best: client / server | ratio of medians / of bests |"
echo "|---|---|---|---|---|"
echo "$WARM_ROWS"
[[ -n $COLD_ROWS ]] && echo "$COLD_ROWS"
echo "$DIRECT_ROWS"
[[ -n $COLD_ROWS ]] || echo "(not root: no rounds with the page cache dropped)"
