#!/usr/bin/env bash
# Control-path benchmark (issue 15): vdibackup against the emulator's native BACKUP TO
# DISK='/dev/null' at 4 MiB (a) and 64 KiB (c) transfers, the device-count scaling of one
# database (e, with the default workers and buffers), and the CPU of our processes per VDI command;
# medians of interleaved runs in one run. Prints a markdown table for docs/performance.md.
# Usage: bench/pipeline/run_command_cost.sh [build dir, default build]
#   env: BENCH_DB_SIZE (default 1G), BENCH_ROUNDS (default 5), BENCH_DEVICES (default
#   "1 2 4 8 16 32 64"), BENCH_WORK (default mktemp), BENCH_NO_TOUCH=1 (skip the memory warm-up)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
BIN=$(cd "${1:-build}/bin" && pwd)
SIZE=${BENCH_DB_SIZE:-1G}
ROUNDS=${BENCH_ROUNDS:-5}
DEVICES=${BENCH_DEVICES:-1 2 4 8 16 32 64}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/vdibk-cost-bench.XXXXXX)}
SERVER_PID=
cleanup() {
  bench_release_freed_memory
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [[ -z ${BENCH_WORK:-} ]] && rm -rf "$WORK"
  true
}
trap cleanup EXIT
DATA=$WORK/data
mkdir -p "$DATA"
EP="ipc://$WORK/sql.sock"
"$BIN/vdi-emulator" create-database bench --data-dir "$DATA" --size "$SIZE" >/dev/null
bench_serve "$BIN" "$DATA" "$EP" "$WORK/server.log"
bench_hold_freed_memory
WARMUP="no memory warm-up"
[[ -n ${BENCH_NO_TOUCH:-} ]] || bench_touch_free_memory

now() { date +%s.%N; }
py() { python3 -c "$@"; }
sql() { "$BIN/sqlcmd" -S "$EP" -b -Q "$1" >/dev/null; }
native() {  # sets T
  local t0 t1
  t0=$(now); sql "BACKUP DATABASE bench TO DISK='/dev/null'"; t1=$(now)
  T=$(py "print(f'{$t1 - $t0:.3f}')")
}
# ours ARGS...: --target null --compression none --no-checksum; sets T (wall s), CPU (user+sys s
# of vdibackup and the processes it waited for: workers, sqlcmd) and CMDS (the VDI commands the
# coordinator handled, from its log line "... VDI commands").
ours() {
  local t0 t1 MTS=${*: -1}
  t0=$(now)
  if ! /usr/bin/time -f "%U %S" -o "$WORK/time.out" "$BIN/vdibackup" backup --database bench \
      --target null --server "$EP" --compression none --no-checksum --json \
      "$@" >"$WORK/backup.out" 2>"$WORK/backup.log"; then
    echo "vdibackup failed: $(cat "$WORK/backup.log")" >&2
    exit 1
  fi
  t1=$(now)
  T=$(py "print(f'{$t1 - $t0:.3f}')")
  CPU=$(py "u, s = open('$WORK/time.out').read().split()[-2:]; print(f'{float(u) + float(s):.3f}')")
  CMDS=$(sed -n 's/.* \([0-9][0-9]*\) VDI commands.*/\1/p' "$WORK/backup.log" | tail -1)
  if [[ -z $CMDS ]]; then  # an older coordinator: one write per full transfer + Flush/Complete
    CMDS=$(py "import json, sys; j = json.load(open('$WORK/backup.out')); m = int(sys.argv[1])
print(sum(-(-d['raw_bytes'] // m) + 2 for d in j['devices']))" "$MTS")
  fi
}
median() { py "import statistics; print(f'{statistics.median([$(IFS=,; echo "$*")]):.3f}')"; }
us_per() { py "print(f'{1e6 * $1 / $2:.1f}' if $2 else '-')"; }
ratio() { py "print(f'{$1 / $2:.2f}')"; }

sql "BACKUP DATABASE bench TO DISK='/dev/null'"  # warm-up: page cache, first-backup bookkeeping
NA=() OA=() CA=() NC=() OC=() CC=()
declare -A ED=()
for ((r = 0; r < ROUNDS; r++)); do
  native; NA+=("$T")
  ours --devices 1 --workers 1 --max-transfer-size 4194304; OA+=("$T"); CA+=("$CPU"); KA=$CMDS
  native; NC+=("$T")
  ours --devices 1 --workers 1 --max-transfer-size 65536; OC+=("$T"); CC+=("$CPU"); KC=$CMDS
  for d in $DEVICES; do
    ours --devices "$d"  # the default worker count and buffers (DefaultBufferArea)
    ED[$d]+="$T "
  done
done
na=$(median "${NA[@]}") oa=$(median "${OA[@]}") ca=$(median "${CA[@]}")
nc=$(median "${NC[@]}") oc=$(median "${OC[@]}") cc=$(median "${CC[@]}")
echo "database: $SIZE generated; $(nproc) cores; medians of $ROUNDS interleaved rounds;" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $WARMUP; $HOLD"
echo
echo "| measure | median time (runs) | vs native | CPU s ours (median) | VDI commands | CPU µs per command (all / marginal) |"
echo "|---|---|---|---|---|---|"
echo "| native BACKUP TO DISK='/dev/null' (a) | ${na} s (${NA[*]}) | 1.00 | | | |"
echo "| (a) vdibackup 4 MiB, 1 device, none, --target null, --no-checksum | ${oa} s (${OA[*]}) | $(ratio "$na" "$oa")x | $ca | $KA | $(us_per "$ca" "$KA") |"
echo "| native BACKUP TO DISK='/dev/null' (c) | ${nc} s (${NC[*]}) | 1.00 | | | |"
echo "| (c) vdibackup 64 KiB, 1 device, none, --target null, --no-checksum | ${oc} s (${OC[*]}) | $(ratio "$nc" "$oc")x | $cc | $KC | $(us_per "$cc" "$KC") / $(us_per "$(py "print($cc - $ca)")" "$((KC - KA))") |"
best=
for d in $DEVICES; do
  m=$(median ${ED[$d]})
  ED[$d]=$m
  [[ -z $best ]] || py "exit(0 if $m < ${ED[$best]} else 1)" && best=$d
done
for d in $DEVICES; do
  echo "| (e) $d device(s), default workers and buffers, none, --target null | ${ED[$d]} s | $(ratio "${ED[$best]}" "${ED[$d]}")x of the best ($best) | | | |"
done
echo
echo "CPU µs per command: all = our CPU seconds / VDI commands (includes process start and the"
echo "per-byte work); marginal = the extra CPU of (c) over (a) / the extra commands (same bytes):"
echo "the control path's cost of one more VDI command."
echo "vs native = native time / our time (1.00 = as fast as native); load average at the end:" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
