#!/usr/bin/env bash
# The main job. Today it demonstrates libsqlvdi end to end: a VDI client process (written only
# against vdi.h) receives a backup stream from a VDI server process over shared memory, and the
# bytes are checked. It grows into "backup + restore through the pipeline against vdi-emulator"
# as the emulator and the coordinator land.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(bash scripts/build.sh | tail -n 1)
BIN="$DIR/bin"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SET="vdibackup-demo-$$"
WRITES=64
"$BIN/sample_pipe_client" "$SET" "$WORK/stream.bak" > "$WORK/client.out" &
CLIENT=$!
# Wait for the client to create the set (explicit readiness: its first output line).
for _ in $(seq 1 200); do grep -q CREATED "$WORK/client.out" 2>/dev/null && break; sleep 0.05; done
start=$(date +%s%N)
"$BIN/vdi_test_peer" server "$SET" 1 "$WRITES" > "$WORK/server.out"
wait "$CLIENT"
end=$(date +%s%N)
bytes=$(stat -c %s "$WORK/stream.bak")
expected=$((WRITES * 65536))
status=ok
[ "$bytes" -eq "$expected" ] || status=FAILED
grep -q "END ok" "$WORK/server.out" || status=FAILED
echo "== vdibackup demo (libsqlvdi)"
printf '  set name          %s\n' "$SET"
printf '  server            %s\n' "$(tail -n 1 "$WORK/server.out")"
printf '  client            %s\n' "$(tail -n 1 "$WORK/client.out")"
printf '  bytes over VDI    %s (expected %s)\n' "$bytes" "$expected"
printf '  elapsed           %d ms\n' "$(( (end - start) / 1000000 ))"
printf '  leftovers in /dev/shm: %s\n' "$(ls /dev/shm | grep -c "vdibackup.$SET" || true)"
echo "  result            $status"
[ "$status" = ok ]
