#!/usr/bin/env bash
# Builds and runs the test suite (ctest). The README's test command.
# Usage: scripts/test.sh [--sanitizer address|thread] [-- extra ctest args, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
SAN_ARGS=(); CTEST_ARGS=()
while (($#)); do
  case "$1" in
    --sanitizer) SAN_ARGS=(--sanitizer "$2" --target sanitize_tests); shift 2 ;;
    --) shift; CTEST_ARGS=("$@"); break ;;
    *) echo "test.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
DIR=$(bash scripts/build.sh "${SAN_ARGS[@]}" | tail -n 1)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
cd "$DIR"
ctest --output-on-failure -j2 "${CTEST_ARGS[@]}"
