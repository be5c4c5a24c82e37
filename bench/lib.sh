# Shared helpers of the bench/ scripts (sourced, not run): the emulator they measure against and
# the memory warm-up that keeps this VM's lazy memory out of the numbers.

# bench_serve BIN DATA EP LOG [SERVE OPTION...]: starts `vdi-emulator serve` on DATA at EP (its
# output to LOG), sets SERVER_PID and returns once the server printed its readiness line. The
# caller's EXIT trap kills SERVER_PID.
bench_serve() {
  local bin=$1 data=$2 ep=$3 log=$4
  shift 4
  "$bin/vdi-emulator" serve --data-dir "$data" --listen "$ep" "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  until grep -q "listening on" "$log"; do
    kill -0 "$SERVER_PID" || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
}

# bench_hold_freed_memory: this VM's kernel hands freed memory back to the host (free page
# reporting) about a second after it is freed (page_reporting min_free_ms 0, or at once past
# max_waiting_mib 1024); the next write to such a page faults in the host. Measured here (1 GiB
# written to a new file in 256 KiB pieces): 0.15 s of CPU into memory freed < 0.5 s before,
# 1.0-1.3 s into memory freed 1 s or more before. In an alternating comparison whichever side
# started later after the last DROP DATABASE paid the second price. As root, where this kernel
# has the knobs, freed memory is kept for 60 s (the most it accepts) and up to 16 GiB for the
# run; bench_release_freed_memory (call it from the EXIT trap) puts the old values back. Sets
# HOLD to a line for the report. Call it before bench_touch_free_memory.
BENCH_REPORTING=/sys/module/page_reporting/parameters
bench_hold_freed_memory() {
  HOLD="free page reporting as the kernel has it"
  [[ -w $BENCH_REPORTING/min_free_ms && -w $BENCH_REPORTING/max_waiting_mib ]] || return 0
  BENCH_OLD_MIN_FREE=$(cat "$BENCH_REPORTING/min_free_ms")
  BENCH_OLD_MAX_WAITING=$(cat "$BENCH_REPORTING/max_waiting_mib")
  echo 60000 >"$BENCH_REPORTING/min_free_ms" 2>/dev/null || return 0
  echo 16384 >"$BENCH_REPORTING/max_waiting_mib" 2>/dev/null || return 0
  HOLD="freed memory kept from the host during the run (page_reporting min_free_ms 60000, was $BENCH_OLD_MIN_FREE; max_waiting_mib 16384, was $BENCH_OLD_MAX_WAITING)"
}
bench_release_freed_memory() {
  [[ -n ${BENCH_OLD_MIN_FREE:-} ]] && echo "$BENCH_OLD_MIN_FREE" >"$BENCH_REPORTING/min_free_ms"
  [[ -n ${BENCH_OLD_MAX_WAITING:-} ]] &&
    echo "$BENCH_OLD_MAX_WAITING" >"$BENCH_REPORTING/max_waiting_mib"
  true
}

# bench_touch_free_memory: writes to all but 1 GiB of MemFree once, then frees it; sets WARMUP to
# a line for the report. These machines are VMs whose host backs guest memory lazily: the first
# write to a guest page costs ~2.3-3.5 s per GiB here (touching 12 GiB took 28 s; dd of 1 GiB to a
# new file: 3 s before, 0.6 s after). Anything that allocates much new memory (a restore's page
# cache, a backup's stripes) paid that whenever it got never-touched pages, whichever side it was
# on. It helps for a while only: the guest reports freed memory to the host (virtio-balloon free
# page reporting), which takes it back (bench/README.md).
bench_touch_free_memory() {
  local free_kb bytes t0
  free_kb=$(awk '/^MemFree:/{print $2}' /proc/meminfo)
  bytes=$((free_kb > 2097152 ? (free_kb - 1048576) * 1024 : 0))
  t0=$(date +%s.%N)
  python3 -c "b = b'\\x01' * $bytes; del b"
  WARMUP="$((bytes >> 30)) GiB of free memory touched first ($(python3 -c \
    "print(f'{$(date +%s.%N) - $t0:.0f}')") s)"
}
