#!/usr/bin/env bash
# Smoke test of scripts/s3-server.sh: start, PUT/GET/DELETE an object with curl --aws-sigv4, a
# wrong secret refused (the server checks signatures), stop, and nothing left behind.
# Usage: s3_server_smoke.sh REPO_ROOT. Exit 77 (skipped) when the Ceph packages are missing.
set -euo pipefail
ROOT=$1
SERVER="$ROOT/scripts/s3-server.sh"
for b in ceph-mon ceph-osd radosgw radosgw-admin curl; do
  command -v "$b" >/dev/null 2>&1 || { echo "SKIP: $b is not installed (scripts/install-deps.sh)"; exit 77; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vdibk-s3-smoke-XXXXXX")
STATE="$WORK/server"
cleanup() { "$SERVER" stop --dir "$STATE" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 143' TERM INT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$SERVER" start --dir "$STATE" >/dev/null
"$SERVER" status --dir "$STATE"
eval "$("$SERVER" env --dir "$STATE")"
for v in AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION S3_BUCKET; do
  [ -n "${!v:-}" ] || fail "env does not set $v"
done
case "$AWS_ENDPOINT_URL" in http://127.0.0.1:*) ;; *) fail "endpoint $AWS_ENDPOINT_URL is not on loopback" ;; esac
PIDS=$(cat "$STATE"/run/*.pid)

# s3 SECRET CURL-ARGS...: the keys go to curl on stdin, never on its command line.
s3() {
  local secret=$1; shift
  printf 'user = "%s:%s"\n' "$AWS_ACCESS_KEY_ID" "$secret" |
    curl -sS --max-time 30 -K - --aws-sigv4 "aws:amz:$AWS_REGION:s3" \
      -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
URL="$AWS_ENDPOINT_URL/$S3_BUCKET/smoke/object.bin"
head -c 3000000 /dev/urandom > "$WORK/object.bin"
code=$(s3 "$AWS_SECRET_ACCESS_KEY" -o /dev/null -w '%{http_code}' -T "$WORK/object.bin" "$URL")
[ "$code" = 200 ] || fail "PUT: HTTP $code"
code=$(s3 "$AWS_SECRET_ACCESS_KEY" -o "$WORK/back.bin" -w '%{http_code}' "$URL")
[ "$code" = 200 ] || fail "GET: HTTP $code"
cmp -s "$WORK/object.bin" "$WORK/back.bin" || fail "GET returned other bytes than were PUT"
code=$(s3 "not-the-secret" -o "$WORK/denied.xml" -w '%{http_code}' "$URL")
[ "$code" = 403 ] || fail "a wrong secret gave HTTP $code, not 403"
grep -q SignatureDoesNotMatch "$WORK/denied.xml" || fail "a wrong secret: $(cat "$WORK/denied.xml")"
code=$(s3 "$AWS_SECRET_ACCESS_KEY" -o /dev/null -w '%{http_code}' -X DELETE "$URL")
[ "$code" = 204 ] || fail "DELETE: HTTP $code"
code=$(s3 "$AWS_SECRET_ACCESS_KEY" -o /dev/null -w '%{http_code}' "$URL")
[ "$code" = 404 ] || fail "GET after DELETE: HTTP $code"

"$SERVER" stop --dir "$STATE"
[ ! -e "$STATE" ] || fail "stop left $STATE"
for pid in $PIDS; do
  [ ! -d "/proc/$pid" ] || fail "stop left process $pid: $(tr '\0' ' ' < "/proc/$pid/cmdline")"
done
if findmnt -rn -o TARGET | grep -q "^$WORK"; then fail "a mount is left under $WORK"; fi
"$SERVER" status --dir "$STATE" >/dev/null && fail "status says running after stop"
echo "PASS"
