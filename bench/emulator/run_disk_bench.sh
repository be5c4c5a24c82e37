#!/usr/bin/env bash
# BACKUP DATABASE ... TO DISK='/dev/null' through a running `vdi-emulator serve` + `sqlcmd`, next
# to `cat` of the same data files to /dev/null (page cache warm, 3 runs each); prints a markdown
# table with MB/s (best of 3) and the ratio. Goal: the emulator's backup reads at >= 0.8x of cat.
# Usage: bench/emulator/run_disk_bench.sh [build dir, default build] [size, default 1G]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
SIZE=${2:-1G}
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

backup=() catrun=()
for i in 1 2 3; do
  t0=$(now)
  "$SQLCMD" -S "$ENDPOINT" -b -Q "BACKUP DATABASE benchdb TO DISK='/dev/null'" > "$WORK/out.txt"
  t1=$(now)
  grep -q "successfully processed" "$WORK/out.txt" || { cat "$WORK/out.txt" >&2; exit 1; }
  backup+=("$(rate "$BYTES" "$t0" "$t1")")
  t0=$(now)
  cat $FILES > /dev/null
  t1=$(now)
  catrun+=("$(rate "$BYTES" "$t0" "$t1")")
done
B=$(best "${backup[@]}")
C=$(best "${catrun[@]}")
echo "Database: $((BYTES / 1048576)) MiB in $(echo "$FILES" | wc -l) files, page cache warm, best of 3 runs"
echo
echo "| measure | runs (MB/s) | best MB/s | ratio to cat |"
echo "|---|---|---|---|"
echo "| cat data files > /dev/null | ${catrun[*]} | $C | 1.00x |"
python3 -c "import sys; b, c = float(sys.argv[1]), float(sys.argv[2]); print(f'| BACKUP DATABASE TO DISK=\'/dev/null\' (serve + sqlcmd) | {sys.argv[3]} | {b:.0f} | {b / c:.2f}x |')" "$B" "$C" "${backup[*]}"
