#!/usr/bin/env bash
# Configures and builds vdibackup into build/ (or build-<sanitizer>/ with --sanitizer address|thread).
# Usage: scripts/build.sh [--sanitizer address|thread] [--no-deps] [--target T]
# Prints the build directory on its last line. Unity build (CMake batches of 8 sources per
# compiler run): about half the compile time of a clean build, which is what CI and a fresh
# machine do; VDIBK_UNITY=OFF turns it off (smaller rebuilds after editing one file).
set -euo pipefail
cd "$(dirname "$0")/.."
SAN=""; DEPS=1; TARGET=all
while (($#)); do
  case "$1" in
    --sanitizer) SAN="$2"; shift 2 ;;
    --no-deps) DEPS=0; shift ;;
    --target) TARGET="$2"; shift 2 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
((DEPS)) && bash scripts/install-deps.sh
DIR=build${SAN:+-$SAN}
BENCH=ON; [ -n "$SAN" ] && BENCH=OFF
# ccache, where installed, makes rebuilds of unchanged sources (other worktrees, sanitizer dirs) cheap.
LAUNCHER=""; command -v ccache >/dev/null 2>&1 && LAUNCHER=ccache
cmake -S . -B "$DIR" -DVDIBK_SANITIZER="$SAN" -DVDIBK_BUILD_BENCH=$BENCH -DVDIBK_SKIP_DIRS="" \
  -DCMAKE_UNITY_BUILD="${VDIBK_UNITY:-ON}" -DCMAKE_CXX_COMPILER_LAUNCHER="$LAUNCHER" >&2
cmake --build "$DIR" -j"$(nproc)" --target "$TARGET" >&2
echo "$DIR"
