#!/usr/bin/env bash
# BACKUP DATABASE ... TO DISK='/dev/null' through a running `vdi-emulator serve` + `sqlcmd`, next
# to `cat` of the same data files to /dev/null (page cache warm, RUNS runs each, interleaved);
# prints a markdown table with MB/s per run, best and median, and the ratios of both to cat, plus
# the load average (the machine may be shared). Goal: the backup runs at >= 0.8x of cat.
# Usage: [RUNS=5] bench/emulator/run_disk_bench.sh [build dir, default build] [size, default 1G]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
SIZE=${2:-1G}
RUNS=${RUNS:-5}
EMU="$BUILD/bin/vdi-emulator"
SQLCMD="$BUILD/bin/sqlcmd"
[ -x "$EMU" ] && [ -x "$SQLCMD" ] || { echo "build vdi-emulator and sqlcmd in $BUILD first" >&2; exit 64; }
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
DATA="$WORK/data"
ENDPOINT="ipc://$WORK/sql.sock"
"$EMU" create-database benchdb --data-dir "$DATA" --size "$SIZE" --profile mixed > /dev/null
FILES=$(find "$DATA/benchdb" -type f | sort)
BYTES=$(cat $FILES | wc -c)
cat $FILES > /dev/null; cat $FILES > /dev/null  # warm the page cache

# Start the server and wait for its readiness line (no sleeps).
mkfifo "$WORK/ready"
"$EMU" serve --data-dir "$DATA" --listen "$ENDPOINT" > "$WORK/ready" 2> "$WORK/serve.err" &
SERVER_PID=$!
read -r line < "$WORK/ready"
case "$line" in *listening*) ;; *) echo "server did not start: $line" >&2; cat "$WORK/serve.err" >&2; exit 1 ;; esac

now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2])) / 1e6:.0f}')" "$@"; }
best() { printf '%s\n' "$@" | sort -n | tail -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# One timed BACKUP statement; prints its MB/s.
timed_backup() {
  local t0 t1
  t0=$(now)
  "$SQLCMD" -S "$ENDPOINT" -b -Q "BACKUP DATABASE benchdb TO DISK='/dev/null'$1" > "$WORK/out.txt"
  t1=$(now)
  grep -q "successfully processed" "$WORK/out.txt" || { cat "$WORK/out.txt" >&2; exit 1; }
  rate "$BYTES" "$t0" "$t1"
}

backup=() catrun=() checksum=()
for i in $(seq "$RUNS"); do
  backup+=("$(timed_backup "")")
  # Every page hashed (what every full backup did before the changed-extent map).
  checksum+=("$(timed_backup " WITH CHECKSUM, COPY_ONLY")")
  t0=$(now)
  cat $FILES > /dev/null
  t1=$(now)
  catrun+=("$(rate "$BYTES" "$t0" "$t1")")
done
C=$(best "${catrun[@]}") CM=$(median "${catrun[@]}")
echo "Database: $((BYTES / 1048576)) MiB in $(echo "$FILES" | wc -l) files, page cache warm, $RUNS runs each (interleaved)"
echo "Load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
echo
echo "| measure | runs (MB/s) | best MB/s | median MB/s | best/best | median/median |"
echo "|---|---|---|---|---|---|"
echo "| cat data files > /dev/null | ${catrun[*]} | $C | $CM | 1.00x | 1.00x |"
row() {
  python3 -c "import sys; b, bm, c, cm = map(float, sys.argv[1:5]); print(f'| {sys.argv[6]} | {sys.argv[5]} | {b:.0f} | {bm:.0f} | {b / c:.2f}x | {bm / cm:.2f}x |')" \
    "$(best "${@:2}")" "$(median "${@:2}")" "$C" "$CM" "${*:2}" "$1"
}
row "BACKUP DATABASE TO DISK='/dev/null' (serve + sqlcmd)" "${backup[@]}"
row "... WITH CHECKSUM, COPY_ONLY (every page hashed)" "${checksum[@]}"
