#!/usr/bin/env bash
# Configures and builds vdibackup into build/ (or build-<sanitizer>/ with --sanitizer address|thread).
# Usage: scripts/build.sh [--sanitizer address|thread] [--no-deps]
set -euo pipefail
cd "$(dirname "$0")/.."
SAN=""; DEPS=1
while (($#)); do
  case "$1" in
    --sanitizer) SAN="$2"; shift 2 ;;
    --no-deps) DEPS=0; shift ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
((DEPS)) && bash scripts/install-deps.sh
DIR=build${SAN:+-$SAN}
BENCH=ON; [ -n "$SAN" ] && BENCH=OFF
cmake -S . -B "$DIR" -DVDIBK_SANITIZER="$SAN" -DVDIBK_BUILD_BENCH=$BENCH >/dev/null
cmake --build "$DIR" -j"$(nproc)"
echo "$DIR"
