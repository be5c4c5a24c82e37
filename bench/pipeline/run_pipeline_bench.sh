#!/usr/bin/env bash
# Pipeline benchmark: vdibackup (coordinator + workers) against the emulator's native BACKUP and the
# stock lz4 CLI, measured in one run; prints a markdown table (wall clock, including process start,
# and the CPU seconds of our processes and of the emulator, which are steadier on a loaded machine).
# Usage: bench/pipeline/run_pipeline_bench.sh [build dir, default build]
#   env: BENCH_DB_SIZE (default 1G), BENCH_SMALL_SIZE (default 128M), BENCH_TINY_SIZE (default 16M,
#   the fixed-cost rows), BENCH_BIG_SIZE (default none; e.g. 4G adds (a) rows on a database that
#   large, where the fixed cost weighs less), BENCH_WORK (default mktemp)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
BIN=$(cd "${1:-build}/bin" && pwd)
SIZE=${BENCH_DB_SIZE:-1G}
SMALL=${BENCH_SMALL_SIZE:-128M}
TINY=${BENCH_TINY_SIZE:-16M}
BIG=${BENCH_BIG_SIZE:-}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/vdibk-pipeline-bench.XXXXXX)}
# (a) and (c) measure the pipeline alone with `--target null` (workers compress and count, nothing
# is written); (e) writes to a repo in /dev/shm (tmpfs), "disk" runs to a repo under $WORK;
# (g) fans one device out to several workers.
MEMREPO=$(mktemp -d /dev/shm/vdibk-pipeline-bench.XXXXXX)
SERVER_PID=
cleanup() {
  bench_release_freed_memory
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$MEMREPO"
  [[ -z ${BENCH_WORK:-} ]] && rm -rf "$WORK"
  true
}
trap cleanup EXIT
DATA=$WORK/data DISKREPO=$WORK/repo
mkdir -p "$DATA" "$DISKREPO"
EP="ipc://$WORK/sql.sock"

"$BIN/vdi-emulator" create-database bench --data-dir "$DATA" --size "$SIZE" >/dev/null
"$BIN/vdi-emulator" create-database small --data-dir "$DATA" --size "$SMALL" >/dev/null
"$BIN/vdi-emulator" create-database tiny --data-dir "$DATA" --size "$TINY" >/dev/null
if [[ -n $BIG ]]; then
  "$BIN/vdi-emulator" create-database big --data-dir "$DATA" --size "$BIG" >/dev/null
fi
bench_serve "$BIN" "$DATA" "$EP" "$WORK/server.log"
bench_hold_freed_memory
bench_touch_free_memory

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
mbps() { python3 -c "print(f'{$1 / 1e6 / $2:.0f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
sql() { "$BIN/sqlcmd" -S "$EP" -b -Q "$1" >/dev/null; }
TICK=$(getconf CLK_TCK)
emu_cpu() { awk -v tk="$TICK" '{printf "%.2f", ($14 + $15) / tk}' "/proc/$SERVER_PID/stat"; }

# vdibackup backup DB REPO ARGS... (REPO "null": --target null, nothing kept). Sets T (wall
# seconds), BYTES (raw bytes), CPU_OURS (user+sys of vdibackup and every process it waited for:
# workers, sqlcmd) and CPU_EMU (the emulator's CPU seconds during the run). Nothing else runs
# meanwhile (see backup_rss for the peak-RSS runs).
backup() {
  local db=$1 repo=$2; shift 2
  local out=$WORK/backup.json t0 t1 e0 e1 where=(--repo "$repo")
  [[ $repo == null ]] && where=(--target null)
  e0=$(emu_cpu)
  t0=$(now)
  if ! /usr/bin/time -f "%U %S" -o "$WORK/time.out" "$BIN/vdibackup" backup --database "$db" \
      "${where[@]}" --server "$EP" --json "$@" >"$out" 2>"$WORK/backup.log"; then
    echo "vdibackup failed: $(cat "$out" "$WORK/backup.log")" >&2
    exit 1
  fi
  t1=$(now)
  e1=$(emu_cpu)
  T=$(secs "$t0" "$t1")
  CPU_EMU=$(secs "$e0" "$e1")
  CPU_OURS=$(python3 -c "u, s = open('$WORK/time.out').read().split()[-2:]; print(f'{float(u) + float(s):.2f}')")
  BYTES=$(python3 -c "import json;print(json.load(open('$out'))['raw_bytes'])")
  [[ $repo == null ]] || rm -rf "${repo:?}/$db"
}
# The same backup, sampling VmHWM of the coordinator and of each vdibackup-worker child while it
# runs (into HWM_COORD, HWM_WORKERS). The sampling loop costs CPU, so these runs are not timed.
backup_rss() {
  local db=$1 repo=$2; shift 2
  local pid
  "$BIN/vdibackup" backup --database "$db" --repo "$repo" --server "$EP" --json "$@" \
    >"$WORK/backup.json" 2>"$WORK/backup.log" &
  pid=$!
  HWM_COORD=0 HWM_WORKERS=""
  declare -A hw=()
  while kill -0 "$pid" 2>/dev/null; do
    local v c
    v=$(awk '/VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n $v && $v -gt $HWM_COORD ]] && HWM_COORD=$v
    for c in $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do
      grep -q vdibackup-worker "/proc/$c/cmdline" 2>/dev/null || continue
      v=$(awk '/VmHWM/{print $2}' "/proc/$c/status" 2>/dev/null || true)
      [[ -n $v && $v -gt ${hw[$c]:-0} ]] && hw[$c]=$v
    done
    sleep 0.02
  done
  wait "$pid" || { echo "vdibackup failed: $(cat "$WORK/backup.log")" >&2; exit 1; }
  local k
  for k in "${!hw[@]}"; do HWM_WORKERS+="${hw[$k]} "; done
  rm -rf "${repo:?}/$db"
}
native() {  # native DB TARGET [WITH ...]; sets T and CPU_EMU
  local t0 t1 e0 e1
  e0=$(emu_cpu)
  t0=$(now); sql "BACKUP DATABASE $1 TO DISK='$2' ${3:-}"; t1=$(now)
  e1=$(emu_cpu)
  T=$(secs "$t0" "$t1")
  CPU_EMU=$(secs "$e0" "$e1")
}
cpu_cell() { echo "${CPU_OURS:--} / $CPU_EMU"; }
# Warm-up: one untimed native backup of each database (page cache, the emulator's first-backup
# bookkeeping), so the first timed row does not pay for it.
for db in tiny bench ${BIG:+big}; do sql "BACKUP DATABASE $db TO DISK='/dev/null'"; done
# (a) for database $1 ($2 = its size, for the labels; $3 a label prefix): like with like, without
# and with CHECKSUM.
null_vs_native() {
  local db=$1 size=${3:-}$2 nt ncpu
  native "$db" /dev/null; nt=$T; ncpu=$CPU_EMU
  backup "$db" null --compression none --devices 1 --workers 1 --max-transfer-size 4194304 --no-checksum
  echo "| (a) $size: native BACKUP TO DISK='/dev/null' | ${nt} s | $(mbps "$BYTES" "$nt") | 1.00 | - / $ncpu |"
  echo "| (a) $size: vdibackup none, 4 MiB, 1 device, --target null, --no-checksum | ${T} s | $(mbps "$BYTES" "$T") | $(ratio "$T" "$nt")x time | $(cpu_cell) |"
  native "$db" /dev/null "WITH CHECKSUM"; nt=$T; ncpu=$CPU_EMU
  backup "$db" null --compression none --devices 1 --workers 1 --max-transfer-size 4194304
  echo "| (a) $size: native BACKUP TO DISK='/dev/null' WITH CHECKSUM | ${nt} s | $(mbps "$BYTES" "$nt") | 1.00 | - / $ncpu |"
  echo "| (a) $size: vdibackup none, 4 MiB, 1 device, --target null (CHECKSUM, the default) | ${T} s | $(mbps "$BYTES" "$T") | $(ratio "$T" "$nt")x time | $(cpu_cell) |"
}

echo "database: $SIZE generated (bench), $SMALL (small), $TINY (tiny)${BIG:+, $BIG (big)};" \
  "$(nproc) cores; wall clock incl. process start; load average at start:" \
  "$(cut -d' ' -f1-3 /proc/loadavg); $WARMUP; $HOLD"
echo
echo "| measure | time | MB/s | ratio | CPU s: ours / emulator |"
echo "|---|---|---|---|---|"
# (f) fixed cost: the same runs on a tiny database (process start, preflight, set up, tear down).
native tiny /dev/null "WITH CHECKSUM"; FT=$T
echo "| (f) $TINY: native BACKUP TO DISK='/dev/null' WITH CHECKSUM | ${FT} s | | 1.00 | - / $CPU_EMU |"
backup tiny null --compression none --devices 1 --workers 1 --max-transfer-size 4194304
echo "| (f) $TINY: vdibackup none, 4 MiB, 1 device, --target null | ${T} s | | +$(secs "$FT" "$T") s | $(cpu_cell) |"
# (a) 4 MiB transfers, no compression, discarded, vs native BACKUP TO DISK='/dev/null'.
null_vs_native bench "$SIZE"
if [[ -n $BIG ]]; then null_vs_native big "$BIG"; fi
# (c) 64 KiB transfers vs native (WITH CHECKSUM, like vdibackup's default).
native bench /dev/null "WITH CHECKSUM"; NT=$T
backup bench null --compression none --devices 1 --workers 1 --max-transfer-size 65536
echo "| (c) $SIZE: vdibackup none, 64 KiB transfers, 1 device, --target null | ${T} s | $(mbps "$BYTES" "$T") | $(ratio "$T" "$NT")x time | $(cpu_cell) |"
# (b) lz4, 2 devices / 2 workers, to disk, vs lz4 -1 of the raw stream to disk: medians of 3
# interleaved pairs (one pair moved between 1.4x and 2.4x on this shared machine).
native bench "$WORK/raw.bak"
RAW=$(stat -c %s "$WORK/raw.bak")
LTS=() BTS=()
for _ in 1 2 3; do
  sync
  t0=$(now)
  /usr/bin/time -f "%U %S" -o "$WORK/time.out" lz4 -q -1 -f "$WORK/raw.bak" "$WORK/out.lz4"
  sync
  t1=$(now)
  LTS+=("$(secs "$t0" "$t1")")
  LCPU=$(python3 -c "u, s = open('$WORK/time.out').read().split()[-2:]; print(f'{float(u) + float(s):.2f}')")
  rm -f "$WORK/out.lz4"
  backup bench "$DISKREPO" --compression lz4 --devices 2 --workers 2
  BTS+=("$T")
done
rm -f "$WORK/raw.bak"
median() { python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"; }
LT=$(median "${LTS[@]}") T=$(median "${BTS[@]}")
echo "| (b) stock lz4 -1 raw.bak -> out.lz4 on disk (+sync) (${LTS[*]}) | ${LT} s | $(mbps "$RAW" "$LT") | 1.00 | $LCPU (lz4, last) |"
echo "| (b) vdibackup lz4, 2 devices, 2 workers, repo on disk (fsync'd) (${BTS[*]}) | ${T} s | $(mbps "$BYTES" "$T") | $(ratio "$LT" "$T")x faster | $(cpu_cell) (last) |"
# (g) fan-out: one device, its buffers compressed by 1, 2 and 4 workers (proto/README.md §9).
for w in 1 2 4; do
  backup bench "$DISKREPO" --compression lz4 --devices 1 --workers "$w"
  [[ $w == 1 ]] && G1=$T
  echo "| (g) vdibackup lz4, 1 device, $w worker(s), repo on disk | ${T} s | $(mbps "$BYTES" "$T") | $(ratio "$G1" "$T")x faster | $(cpu_cell) |"
done
# (d) peak RSS: separate, untimed runs.
backup_rss bench "$DISKREPO" --compression lz4 --devices 2 --workers 2
echo "| (d) peak RSS (VmHWM), lz4 2x2, $SIZE database | coordinator ${HWM_COORD} KiB, workers ${HWM_WORKERS}KiB | | | |"
backup_rss small "$DISKREPO" --compression lz4 --devices 2 --workers 2
echo "| (d) peak RSS (VmHWM), lz4 2x2, $SMALL database | coordinator ${HWM_COORD} KiB, workers ${HWM_WORKERS}KiB | | | |"
# (e) device scaling, no compression, workers = devices, repo in /dev/shm.
for d in 1 2 4 8 16; do
  backup bench "$MEMREPO" --compression none --devices "$d" --workers "$d"
  echo "| (e) $d device(s), $d worker(s), --compression none, /dev/shm | ${T} s | $(mbps "$BYTES" "$T") | | $(cpu_cell) |"
done
# (a) again against a server that reads its data files the way SQL Server does (serve
# --direct-io: O_DIRECT, not the page cache), on both sides: the native backup then runs at the
# disk's speed instead of memcpy's. The disk's speed varies from run to run by +-15% here, so
# these rows are the medians of 5 interleaved pairs (native, vdibackup).
kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
EP="ipc://$WORK/sql-direct.sock"
bench_serve "$BIN" "$DATA" "$EP" "$WORK/server.log" --direct-io
sql "BACKUP DATABASE bench TO DISK='/dev/null'"
direct_vs_native() {  # direct_vs_native LABEL [--no-checksum]
  local label=$1 with="WITH CHECKSUM" nts=() ts=() nt t
  [[ ${2:-} == --no-checksum ]] && with=""
  for _ in 1 2 3 4 5; do
    native bench /dev/null "$with"; nts+=("$T")
    backup bench null --compression none --devices 1 --workers 1 --max-transfer-size 4194304 ${2:-}
    ts+=("$T")
  done
  nt=$(median "${nts[@]}"); t=$(median "${ts[@]}")
  echo "| (a) direct I/O server, $SIZE: native BACKUP TO DISK='/dev/null' ${with:+$with }(${nts[*]}) | ${nt} s | $(mbps "$BYTES" "$nt") | 1.00 | |"
  echo "| (a) direct I/O server, $SIZE: vdibackup none, 4 MiB, 1 device, --target null $label (${ts[*]}) | ${t} s | $(mbps "$BYTES" "$t") | $(ratio "$t" "$nt")x time | |"
}
direct_vs_native "--no-checksum" --no-checksum
direct_vs_native "(CHECKSUM, the default)"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
