#!/usr/bin/env bash
# A real S3-compatible server for tests and demos: a one-node Ceph cluster (mon + one OSD) with a
# RADOS Gateway (beast) on 127.0.0.1, a user with fresh keys and a fresh bucket. docs/operations.md.
#
# Usage: scripts/s3-server.sh start [--dir DIR] [--port PORT] [--store bluestore|memstore]
#                                   [--timeout SECONDS]
#        scripts/s3-server.sh env|status|stop [--dir DIR]
#   start   creates DIR (default: a new ${TMPDIR:-/tmp}/vdibk-s3-XXXXXX), starts the daemons and
#           returns once the bucket answers (exit 69 when the Ceph packages are missing).
#   env     prints export lines: eval "$(scripts/s3-server.sh env)"
#   status  exit 0 when the gateway answers, 3 when it is not running.
#   stop    ends every daemon of DIR and removes DIR (exit 0 when there is nothing to stop).
# Without --dir, env/status/stop use $VDIBK_S3_DIR or the last server started without --dir.
# All state (data, sockets, logs, keys) lives in DIR; nothing is mounted and nothing in /etc or
# /var is touched. The secret key is only in DIR/env (mode 600), never on a command line.
set -euo pipefail

POINTER="${TMPDIR:-/tmp}/vdibk-s3.current"
MARKER=".vdibk-s3-server"
DAEMONS=(rgw osd mon)  # stop order
CMD=${1:-}
[ $# -gt 0 ] && shift
DIR="" PORT="" STORE=bluestore TIMEOUT=120
while (($#)); do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --store) STORE="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    *) echo "s3-server: unknown argument $1" >&2; exit 64 ;;
  esac
done

die() { echo "s3-server: $*" >&2; exit 1; }
log() { echo "s3-server: $*" >&2; }

resolve_dir() {  # for env/status/stop
  if [ -z "$DIR" ]; then
    DIR=${VDIBK_S3_DIR:-}
    [ -z "$DIR" ] && [ -f "$POINTER" ] && DIR=$(cat "$POINTER")
  fi
  [ -n "$DIR" ] || { echo "s3-server: no server (give --dir or start one)" >&2; exit 3; }
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

rand_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# True when the pid in run/NAME.pid is alive and still runs the daemon we started.
daemon_pid() {
  local f="$DIR/run/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "-c $DIR/ceph.conf" || return 1
  echo "$pid"
}

# Runs a daemon in the foreground of its own session, output to DIR/log, pid to DIR/run.
launch() {
  local name=$1; shift
  setsid "$@" -f -c "$DIR/ceph.conf" </dev/null >>"$DIR/log/$name.out" 2>&1 9>&- &
  echo $! > "$DIR/run/$name.pid"
}

# wait_until DESCRIPTION DAEMON... -- COMMAND: polls COMMAND until it succeeds, the deadline
# passes or one of the daemons ends.
wait_until() {
  local what=$1; shift
  local daemons=()
  while [ "$1" != "--" ]; do daemons+=("$1"); shift; done
  shift
  while ! "$@" >/dev/null 2>&1; do
    for d in "${daemons[@]}"; do
      daemon_pid "$d" >/dev/null || {
        tail -n 20 "$DIR/log/$d.out" "$DIR"/log/*"$d"*.log 2>/dev/null >&2 || true
        die "$d ended while waiting for $what (logs in $DIR/log)"
      }
    done
    (($(date +%s) < DEADLINE)) || die "timed out after ${TIMEOUT}s waiting for $what (logs in $DIR/log)"
    sleep 0.2  # poll interval
  done
}

rgw_answers() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$1/"; }

osd_up() { ceph --connect-timeout 5 osd dump 2>/dev/null | grep -q '^osd\.0 up'; }

# curl with SigV4 and the keys from DIR/env passed on stdin (not on the command line).
s3_curl() {
  # shellcheck disable=SC1091
  (. "$DIR/env"
   printf 'user = "%s:%s"\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" |
     curl -sS --fail-with-body --max-time 30 -K - --aws-sigv4 "aws:amz:$AWS_REGION:s3" \
       -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@")
}

# The pools the gateway and its first bucket use (zone "default"), 8 PGs each, in one client
# session through the rados module of the ceph CLI's own Python (one CLI call per pool is slower).
create_pools() {
  /usr/bin/python3 - "$DIR/ceph.conf" <<'PY'
import json, sys
import rados
pools = [".rgw.root", "default.rgw.log", "default.rgw.control", "default.rgw.meta",
         "default.rgw.buckets.index", "default.rgw.buckets.data", "default.rgw.buckets.non-ec"]
cluster = rados.Rados(conffile=sys.argv[1])
cluster.connect(timeout=30)
for pool in pools:
    for cmd in ({"prefix": "osd pool create", "pool": pool, "pg_num": 8, "pgp_num": 8},
                {"prefix": "osd pool application enable", "pool": pool, "app": "rgw"}):
        ret, _, err = cluster.mon_command(json.dumps(cmd), b"")
        if ret != 0:
            sys.exit(f"{cmd['prefix']} {pool}: {err}")
cluster.shutdown()
PY
}

write_conf() {
  local fsid=$1 mon_port=$2 rgw_port=$3
  cat > "$DIR/ceph.conf" <<EOF
# Written by scripts/s3-server.sh: a throw-away one-node cluster on loopback.
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
paxos propose interval = 0.1
mon data avail warn = 1
mon data avail crit = 0
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
mon cluster log file = default=$DIR/log/cluster.\$channel.log cluster=$DIR/log/cluster.log
crash dir = $DIR/crash
keyring = $DIR/keyring
[mon]
mon data = $DIR/mon/\$id
[osd]
osd data = $DIR/osd/\$id
osd objectstore = $STORE
osd memory target = 939524096
memstore device bytes = 8589934592
bluestore block create = true
bluestore block size = 21474836480
bluestore fsck on mount = false
[client.rgw.vdibk]
rgw data = $DIR/rgw
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
EOF
}

cmd_start() {
  for b in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool curl python3; do
    command -v "$b" >/dev/null 2>&1 || {
      echo "s3-server: $b is missing (install radosgw ceph-mon ceph-osd: scripts/install-deps.sh)" >&2
      exit 69
    }
  done
  case "$STORE" in bluestore|memstore) ;; *) die "--store must be bluestore or memstore" ;; esac
  local t0; t0=$(date +%s%N)
  DEADLINE=$(($(date +%s) + TIMEOUT))
  local own_pointer=0
  if [ -z "$DIR" ]; then
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/vdibk-s3-XXXXXX")
    own_pointer=1
  else
    mkdir -p "$DIR"
    [ -z "$(ls -A "$DIR")" ] || die "$DIR is not empty"
  fi
  DIR=$(cd "$DIR" && pwd)
  touch "$DIR/$MARKER"
  exec 9>"$DIR/lock"
  flock -n 9 || die "$DIR is locked by another s3-server.sh"
  # A failed start leaves nothing behind.
  trap 'rc=$?; if ((rc)); then exec 9>&-; "$0" stop --dir "$DIR" >/dev/null 2>&1 || true; fi' EXIT
  trap 'exit 143' TERM INT
  mkdir -p "$DIR"/{mon,osd/0,rgw,run,log}
  ((own_pointer)) && echo "$DIR" > "$POINTER"
  local mon_port fsid
  mon_port=$(free_port)
  [ -n "$PORT" ] || PORT=$(free_port)
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid" "$mon_port" "$PORT"
  export CEPH_CONF="$DIR/ceph.conf"

  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$DIR/monmap" \
    >>"$DIR/log/setup.out" 2>&1
  ceph-mon --mkfs -i a --monmap "$DIR/monmap" -c "$DIR/ceph.conf" >>"$DIR/log/setup.out" 2>&1
  launch mon ceph-mon -i a
  wait_until "the monitor" mon -- ceph --connect-timeout 5 mon stat
  # The gateway's pools, made at once: one map change and one round of peering instead of one
  # per pool while the gateway starts.
  create_pools >>"$DIR/log/setup.out" 2>&1 || die "creating the pools failed (logs in $DIR/log)"

  local osd_uuid; osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  [ "$(ceph osd new "$osd_uuid" 2>>"$DIR/log/setup.out")" = 0 ] || die "ceph osd new failed"
  ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" -c "$DIR/ceph.conf" >>"$DIR/log/setup.out" 2>&1 ||
    die "ceph-osd --mkfs failed (logs in $DIR/log)"
  launch osd ceph-osd -i 0
  # The gateway creates its pools as soon as the OSD is up; no need to wait for it here.
  launch rgw radosgw -n client.rgw.vdibk
  wait_until "the OSD" mon osd -- osd_up
  wait_until "the gateway on 127.0.0.1:$PORT" mon osd rgw -- rgw_answers "$PORT"

  local keys access secret bucket
  keys=$(radosgw-admin -n client.admin user create --uid=vdibk \
           --display-name="vdibackup tests" 2>>"$DIR/log/setup.out") || die "radosgw-admin user create failed"
  access=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["keys"][0]["access_key"])' <<<"$keys")
  secret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["keys"][0]["secret_key"])' <<<"$keys")
  bucket="vdibk-$(rand_hex 4)"
  (umask 077
   cat > "$DIR/env" <<EOF
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
export AWS_ACCESS_KEY_ID=$access
export AWS_SECRET_ACCESS_KEY=$secret
export AWS_REGION=us-east-1
export S3_BUCKET=$bucket
export VDIBK_S3_DIR=$DIR
EOF
  )
  s3_curl -X PUT "http://127.0.0.1:$PORT/$bucket" >>"$DIR/log/setup.out" 2>&1 ||
    die "creating bucket $bucket failed (logs in $DIR/log)"
  echo "running" > "$DIR/state"
  trap - EXIT
  log "RADOS Gateway on 127.0.0.1:$PORT, bucket $bucket, $STORE OSD, ready after" \
      "$(( ($(date +%s%N) - t0) / 1000000000 )).$(( ($(date +%s%N) - t0) / 100000000 % 10 )) s (state in $DIR)"
  echo "$DIR"
}

cmd_env() {
  resolve_dir
  if [ ! -f "$DIR/state" ] || [ ! -f "$DIR/env" ]; then die "no running server in $DIR"; fi
  cat "$DIR/env"
}

cmd_status() {
  resolve_dir
  local port
  port=$(sed -n 's|^export AWS_ENDPOINT_URL=http://127.0.0.1:||p' "$DIR/env" 2>/dev/null || true)
  if [ -n "$port" ] && daemon_pid rgw >/dev/null && rgw_answers "$port"; then
    echo "running: RADOS Gateway on 127.0.0.1:$port (state in $DIR)"
    return 0
  fi
  echo "not running (state dir $DIR)"
  return 3
}

cmd_stop() {
  [ -n "$DIR" ] || [ -n "${VDIBK_S3_DIR:-}" ] || [ -f "$POINTER" ] || { log "no server to stop"; return 0; }
  resolve_dir
  [ -d "$DIR" ] || { log "$DIR does not exist"; return 0; }
  [ -f "$DIR/$MARKER" ] || die "$DIR was not made by s3-server.sh; not touching it"
  DIR=$(cd "$DIR" && pwd)
  # Wait for a start in progress (it holds the lock) to finish or fail.
  exec 9>"$DIR/lock"
  flock -w 180 9 || die "$DIR stays locked"
  local d pid pids=()
  for d in "${DAEMONS[@]}"; do
    pid=$(daemon_pid "$d") || continue
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  # The data goes with DIR, so a daemon gets 2 s to end cleanly, then SIGKILL.
  local deadline=$(($(date +%s%N) / 1000000 + 2000)) alive
  while :; do
    alive=()
    for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && alive+=("$pid"); done
    ((${#alive[@]})) || break
    if (($(date +%s%N) / 1000000 >= deadline)); then
      kill -KILL "${alive[@]}" 2>/dev/null || true
      deadline=$(($(date +%s%N) / 1000000 + 5000))
    fi
    sleep 0.1  # poll interval
  done
  exec 9>&-
  if findmnt -rn -o TARGET | grep -q "^$DIR"; then die "something is mounted under $DIR"; fi
  rm -rf "$DIR"
  if [ -f "$POINTER" ] && [ "$(cat "$POINTER")" = "$DIR" ]; then rm -f "$POINTER"; fi
  log "stopped; removed $DIR"
}

case "$CMD" in
  start) cmd_start ;;
  env) cmd_env ;;
  status) cmd_status ;;
  stop) cmd_stop ;;
  *) echo "usage: s3-server.sh start|stop|env|status [--dir DIR] (see the file's header)" >&2; exit 64 ;;
esac
