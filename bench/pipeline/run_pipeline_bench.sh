#!/usr/bin/env bash
# Pipeline benchmark: vdibackup (coordinator + workers) against the emulator's native BACKUP and the
# stock lz4 CLI, measured in one run; prints a markdown table (wall clock, including process start).
# Usage: bench/pipeline/run_pipeline_bench.sh [build dir, default build]
#   env: BENCH_DB_SIZE (default 1G), BENCH_SMALL_SIZE (default 128M), BENCH_WORK (default mktemp)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(cd "${1:-build}/bin" && pwd)
SIZE=${BENCH_DB_SIZE:-1G}
SMALL=${BENCH_SMALL_SIZE:-128M}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/vdibk-pipeline-bench.XXXXXX)}
# (a) and (c) measure the pipeline alone with `--target null` (workers compress and count, nothing
# is written); (e) writes to a repo in /dev/shm (tmpfs), "disk" runs to a repo under $WORK.
MEMREPO=$(mktemp -d /dev/shm/vdibk-pipeline-bench.XXXXXX)
SERVER_PID=
cleanup() {
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
"$BIN/vdi-emulator" serve --data-dir "$DATA" --listen "$EP" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
until grep -q "listening on" "$WORK/server.log"; do
  kill -0 "$SERVER_PID" || { cat "$WORK/server.log"; exit 1; }
  sleep 0.05
done

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
mbps() { python3 -c "print(f'{$1 / 1e6 / $2:.0f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
sql() { "$BIN/sqlcmd" -S "$EP" -b -Q "$1" >/dev/null; }

# vdibackup backup DB REPO ARGS... (REPO "null": --target null, nothing kept); sets T (seconds)
# and BYTES (raw bytes) and, while it runs, samples VmHWM of the coordinator and of each of its
# vdibackup-worker children into HWM_*.
backup() {
  local db=$1 repo=$2; shift 2
  local out=$WORK/backup.json t0 t1 pid where=(--repo "$repo")
  [[ $repo == null ]] && where=(--target null)
  t0=$(now)
  "$BIN/vdibackup" backup --database "$db" "${where[@]}" --server "$EP" --json "$@" >"$out" 2>"$WORK/backup.log" &
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
  wait "$pid" || { echo "vdibackup failed: $(cat "$out" "$WORK/backup.log")" >&2; exit 1; }
  t1=$(now)
  T=$(secs "$t0" "$t1")
  BYTES=$(python3 -c "import json;print(json.load(open('$out'))['raw_bytes'])")
  local k
  for k in "${!hw[@]}"; do HWM_WORKERS+="${hw[$k]} "; done
  [[ $repo == null ]] || rm -rf "${repo:?}/$db"
}
native() {  # native DB TARGET; sets T
  local t0 t1
  t0=$(now); sql "BACKUP DATABASE $1 TO DISK='$2'"; t1=$(now)
  T=$(secs "$t0" "$t1")
}

echo "database: $SIZE generated (bench), $SMALL (small); $(nproc) cores; wall clock incl. process start"
echo
echo "| measure | time | MB/s | ratio |"
echo "|---|---|---|---|"
# (a) 4 MiB transfers, no compression, discarded, vs native BACKUP TO DISK='/dev/null'.
native bench /dev/null; NT=$T
backup bench null --compression none --devices 1 --workers 1 --max-transfer-size 4194304
echo "| (a) native BACKUP TO DISK='/dev/null' | ${NT} s | $(mbps "$BYTES" "$NT") | 1.00 |"
echo "| (a) vdibackup --compression none, 4 MiB transfers, 1 device, --target null | ${T} s | $(mbps "$BYTES" "$T") | $(ratio "$T" "$NT")x time |"
# (c) 64 KiB transfers vs native.
backup bench null --compression none --devices 1 --workers 1 --max-transfer-size 65536
echo "| (c) vdibackup --compression none, 64 KiB transfers, 1 device, --target null | ${T} s | $(mbps "$BYTES" "$T") | $(ratio "$T" "$NT")x time |"
# (b) lz4, 2 devices / 2 workers, to disk, vs lz4 -1 of the raw stream to disk.
native bench "$WORK/raw.bak"
sync
t0=$(now); lz4 -q -1 -f "$WORK/raw.bak" "$WORK/out.lz4"; sync; t1=$(now); LT=$(secs "$t0" "$t1")
RAW=$(stat -c %s "$WORK/raw.bak")
rm -f "$WORK/raw.bak" "$WORK/out.lz4"
backup bench "$DISKREPO" --compression lz4 --devices 2 --workers 2
echo "| (b) stock lz4 -1 raw.bak -> out.lz4 on disk (+sync) | ${LT} s | $(mbps "$RAW" "$LT") | 1.00 |"
echo "| (b) vdibackup lz4, 2 devices, 2 workers, repo on disk (fsync'd) | ${T} s | $(mbps "$BYTES" "$T") | $(ratio "$T" "$LT")x time |"
BIG_COORD=$HWM_COORD BIG_WORKERS=$HWM_WORKERS
backup small "$DISKREPO" --compression lz4 --devices 2 --workers 2
echo "| (d) peak RSS (VmHWM), lz4 2x2, $SIZE database | coordinator ${BIG_COORD} KiB, workers ${BIG_WORKERS}KiB | | |"
echo "| (d) peak RSS (VmHWM), lz4 2x2, $SMALL database | coordinator ${HWM_COORD} KiB, workers ${HWM_WORKERS}KiB | | |"
# (e) device scaling, no compression, workers = devices, repo in /dev/shm.
for d in 1 2 4 8 16; do
  backup bench "$MEMREPO" --compression none --devices "$d" --workers "$d"
  echo "| (e) $d device(s), $d worker(s), --compression none, /dev/shm | ${T} s | $(mbps "$BYTES" "$T") | |"
done
