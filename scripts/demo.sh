#!/usr/bin/env bash
# The main job: builds everything, starts vdi-emulator, creates a database, backs it up over VDI
# with a client written only against vdi.h (the shape of Microsoft's Linux sample), restores the
# stream under a new name, compares the files and prints a summary. It becomes "vdibackup backup
# + restore through the coordinator/worker pipeline" when that lands (see README "What works").
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(bash scripts/build.sh | tail -n 1)
BIN="$PWD/$DIR/bin"
WORK=$(mktemp -d)
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
EP="ipc://$WORK/sql.sock"
SET="vdibackup-demo-$$"
DB_SIZE=${DEMO_DB_SIZE:-64M}
"$BIN/vdi-emulator" create-database sales --data-dir "$WORK/data" --size "$DB_SIZE" --ndf 1 >/dev/null
"$BIN/vdi-emulator" serve --data-dir "$WORK/data" --listen "$EP" > "$WORK/serve.out" 2>&1 &
SERVER=$!
for _ in $(seq 1 200); do grep -q "listening on" "$WORK/serve.out" 2>/dev/null && break; sleep 0.05; done
"$BIN/sample_pipe_client" "$SET" "$WORK/stream.bak" > "$WORK/client.out" &
CLIENT=$!
for _ in $(seq 1 200); do grep -q CREATED "$WORK/client.out" 2>/dev/null && break; sleep 0.05; done
t0=$(date +%s%N)
"$BIN/sqlcmd" -S "$EP" -b -Q "BACKUP DATABASE sales TO VIRTUAL_DEVICE='$SET' WITH MAXTRANSFERSIZE=1048576, CHECKSUM" > "$WORK/backup.out"
wait "$CLIENT"
t1=$(date +%s%N)
"$BIN/sqlcmd" -S "$EP" -b -Q "RESTORE DATABASE sales_copy FROM DISK='$WORK/stream.bak' WITH MOVE 'sales' TO 'sales_copy.mdf'" > "$WORK/restore.out"
t2=$(date +%s%N)
status=ok
same=0; total=0
for f in "$WORK/data/sales/"*; do
  name=$(basename "$f")
  [ "$name" = sales.mdf ] && other="$WORK/data/sales_copy/sales_copy.mdf" || other="$WORK/data/sales_copy/$name"
  total=$((total + 1))
  cmp -s "$f" "$other" && same=$((same + 1))
done
[ "$same" -eq "$total" ] || status=FAILED
bytes=$(stat -c %s "$WORK/stream.bak")
echo "== vdibackup demo: VDI backup and restore against vdi-emulator"
sed 's/^/  backup:  /' "$WORK/backup.out"
sed 's/^/  restore: /' "$WORK/restore.out"
printf '  stream over VDI      %s bytes in %d ms\n' "$bytes" "$(( (t1 - t0) / 1000000 ))"
printf '  restore from stream  %d ms\n' "$(( (t2 - t1) / 1000000 ))"
printf '  files identical      %d of %d\n' "$same" "$total"
printf '  /dev/shm leftovers   %s\n' "$(ls /dev/shm | grep -c "vdibackup.$SET" || true)"
echo "  result               $status"
[ "$status" = ok ]
