#!/usr/bin/env bash
# Coverage-guided fuzzing (docs/reliability.md, "Fuzzing"): builds the tests/fuzz targets with
# clang++, libFuzzer and ASan+UBSan into build-fuzz/, runs them one at a time for N minutes each
# on tests/fuzz/corpus/<target>/ (plus tests/fuzz/regressions/<target>/ and the built-in seeds),
# then keeps an edge cover of everything as the corpus. Not for CI: `ctest -L fuzz` is the short run.
# Usage: scripts/fuzz.sh [--minutes N] [--no-build] [--merge-only] [target...]
#   (default: all targets, 15 min each; --merge-only only rebuilds the committed corpus)
# Env: FUZZ_NICE (default 19), FUZZ_RSS_MB (default 2048), FUZZ_ARGS (more libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."
ALL=(stripe_reader_fuzz manifest_fuzz envelope_fuzz tsql_parser_fuzz sql_protocol_fuzz
     agent_json_fuzz)
MINUTES=15; BUILD=1; RUN=1; TARGETS=()
while (($#)); do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --merge-only) RUN=0; shift ;;
    -*) echo "fuzz.sh: unknown argument $1" >&2; exit 64 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
((${#TARGETS[@]})) || TARGETS=("${ALL[@]}")
DIR=build-fuzz
if ((BUILD)); then
  bash scripts/install-deps.sh
  # clang++ and its sanitizer and libFuzzer runtimes (Debian 12: clang 14).
  if ! dpkg-query -W -f='${Status}\n' clang libclang-rt-14-dev 2>/dev/null |
      grep -c "install ok installed" | grep -qx 2; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang \
      libclang-rt-14-dev >/dev/null
  fi
  LAUNCHER=""; command -v ccache >/dev/null 2>&1 && LAUNCHER=ccache
  CC=clang CXX=clang++ cmake -S . -B "$DIR" -DVDIBK_LIBFUZZER=ON -DVDIBK_BUILD_BENCH=OFF \
    -DCMAKE_CXX_COMPILER_LAUNCHER="$LAUNCHER" >&2
  BUILD_TARGETS=()
  for t in "${TARGETS[@]}"; do BUILD_TARGETS+=("$t" "${t}_seeds"); done
  cmake --build "$DIR" -j"$(nproc)" --target "${BUILD_TARGETS[@]}" >&2
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$DIR/fuzz-logs" "$DIR/fuzz-artifacts"
for t in "${TARGETS[@]}"; do
  corpus=tests/fuzz/corpus/$t; regressions=tests/fuzz/regressions/$t
  work=$DIR/fuzz-work/$t; log=$DIR/fuzz-logs/$t.log
  mkdir -p "$corpus" "$work"
  "$DIR/bin/${t}_seeds" --write-seeds="$work" >/dev/null
  inputs=("$work" "$corpus"); [ -d "$regressions" ] && inputs+=("$regressions")
  echo "== $t: $( ((RUN)) && echo "$MINUTES min" || echo "merge only"), log $log"
  # -max_len keeps corpus files small; -timeout turns a hang into a finding.
  # shellcheck disable=SC2086
  if ((RUN)) && ! nice -n "${FUZZ_NICE:-19}" "$DIR/bin/$t" -max_total_time=$((MINUTES * 60)) \
      -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -max_len=65536 -timeout=25 -print_final_stats=1 \
      -artifact_prefix="$DIR/fuzz-artifacts/$t-" ${FUZZ_ARGS:-} "${inputs[@]}" >"$log" 2>&1; then
    echo "$t: FOUND something (see $log and $DIR/fuzz-artifacts/)" >&2
    grep -E "ERROR|runtime error|invariant broken|Test unit written" "$log" | head -n 5 >&2
    exit 1
  fi
  ((RUN)) && grep -E "DONE|stat::number_of_executed_units|stat::average_exec_per_sec" "$log"
  # libFuzzer's merge measures every input (its control file); the committed corpus is an edge
  # cover of them, smallest first: an input stays if it reaches an edge no smaller one does. A few
  # hundred small files, where a feature-minimal merge keeps thousands; $work keeps the rest here.
  ctl=$work.merge; rm -rf "$ctl" "$work.merged" "$corpus.new"; mkdir -p "$work.merged" "$corpus.new"
  nice -n "${FUZZ_NICE:-19}" "$DIR/bin/$t" -merge=1 -merge_control_file="$ctl" -max_len=65536 \
    -rss_limit_mb="${FUZZ_RSS_MB:-2048}" "$work.merged" "$corpus" "$work" >>"$log" 2>&1
  awk 'NR == 1 { n = $1; next } NR == 2 { next } NR <= n + 2 { path[NR - 3] = $0; next }
       $1 == "STARTED" { size[$2] = $3 }
       $1 == "COV" { c = $2; for (i = 3; i <= NF; i++) c = c " " $i; cov[$2] = c }
       END { for (i in cov) print size[i], path[i], cov[i] }' "$ctl" | sort -n -s -k1,1 |
    awk '{ keep = 0; for (i = 4; i <= NF; i++) if (!($i in seen)) { seen[$i] = 1; keep = 1 } }
         keep { print $2 }' | awk -F/ '!seen[$NF]++' | xargs -r cp -t "$corpus.new"
  rm -rf "$corpus"; mv "$corpus.new" "$corpus"
  echo "$t: corpus $(find "$corpus" -type f | wc -l) files, $(du -sk --apparent-size "$corpus" | cut -f1) KiB"
done
