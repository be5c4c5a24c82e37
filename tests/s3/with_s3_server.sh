#!/usr/bin/env bash
# Runs a command against a fresh S3 server: scripts/s3-server.sh start in a temp dir, its env
# exported, the command, stop (always). Exit: the command's, or 77 (skipped) without the packages.
# Usage: with_s3_server.sh REPO_ROOT COMMAND [ARGS...]
set -euo pipefail
ROOT=$1; shift
for b in ceph-mon ceph-osd radosgw radosgw-admin; do
  command -v "$b" >/dev/null 2>&1 || { echo "SKIP: $b is not installed (scripts/install-deps.sh)"; exit 77; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vdibk-s3-test-XXXXXX")
trap '"$ROOT/scripts/s3-server.sh" stop --dir "$WORK/server" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
trap 'exit 143' TERM INT  # a timeout's SIGTERM still stops the server
"$ROOT/scripts/s3-server.sh" start --dir "$WORK/server" >/dev/null
eval "$("$ROOT/scripts/s3-server.sh" env --dir "$WORK/server")"
rc=0
"$@" || rc=$?
exit "$rc"
