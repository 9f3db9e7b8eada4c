#!/usr/bin/env bash
# Bounded fuzzing, as CI runs it: builds the libFuzzer targets of tests/fuzz/ with
# clang 14 in build-fuzz/ (ASan + UBSan), then runs each target for an equal share
# of the time given, over a copy of its seed corpus (and kept crashers) in a
# temporary directory: the repository is never written. Exits non-zero when a
# target crashes, trips a sanitizer, leaks, hangs or breaks an invariant, and says
# where the input is.
#   scripts/fuzz.sh --seconds 60           # all five targets, 12 s each
#   scripts/fuzz.sh --seconds 300 update   # one target, 300 s
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

seconds=60
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds="${2:-}"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "fuzz.sh: --seconds wants a positive number of seconds, not '$seconds'" >&2
  exit 2
fi
all=(framer open update nlri bfd)
((${#targets[@]})) || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ -d "tests/fuzz/corpus/$t" ]] || { echo "fuzz.sh: no target '$t' (have: ${all[*]})" >&2; exit 2; }
done
per=$((seconds / ${#targets[@]}))
((per >= 1)) || per=1

# Inputs up to the largest message each target can be handed.
max_len() {
  case "$1" in
    update) echo 65536 ;;  # context byte + an RFC 8654 extended UPDATE body
    framer) echo 16384 ;;  # a few messages, one of them extended
    *) echo 4096 ;;
  esac
}

# clang 14 and its libFuzzer runtime come with the test packages.
if ! command -v clang++-14 >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
  bash scripts/install-deps.sh
fi
build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DPETREL_FUZZ=ON -DPETREL_BENCH=OFF >/dev/null
cmake --build "$build" -j "${PETREL_JOBS:-$(nproc)}" --target "${targets[@]/%/_fuzz}"

work=$(mktemp -d "${TMPDIR:-/tmp}/petrel-fuzz.XXXXXX")
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=()
for t in "${targets[@]}"; do
  dir="$work/$t"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  # Seeds and kept crashers (not their README or dot files) start the run.
  find "tests/fuzz/corpus/$t" "tests/fuzz/crashers/$t" -maxdepth 1 -type f \
    ! -name '.*' ! -name 'README.md' -exec cp -t "$dir/corpus" {} + 2>/dev/null || true
  echo "== fuzz $t: ${per}s, max_len $(max_len "$t") =="
  status=0
  (cd "$dir" && "$repo/$build/tests/fuzz/${t}_fuzz" "$dir/corpus" \
    -max_total_time="$per" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$dir/artifacts/" -print_final_stats=1 >"$dir/log" 2>&1) || status=$?
  # The closing figures: executions, speed, coverage, corpus size.
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
    "$dir/log" | sed 's/^/  /' || true
  shopt -s nullglob
  artifacts=("$dir"/artifacts/*)
  shopt -u nullglob
  if ((status != 0 || ${#artifacts[@]} > 0)); then
    failed+=("$t")
    echo "!! $t failed (exit $status). The end of its log ($dir/log):"
    tail -n 60 "$dir/log" | sed 's/^/  | /'
    for a in "${artifacts[@]}"; do
      echo "!! input: $a ($(stat -c %s "$a") bytes)"
      echo "   hex: $(od -An -v -tx1 "$a" | tr -d ' \n' | head -c 2048)"
    done
    echo "!! Minimize it:  $build/tests/fuzz/${t}_fuzz -minimize_crash=1 -runs=100000 -exact_artifact_path=min <input>"
    echo "!! then copy it to tests/fuzz/crashers/$t/ with the fix (see tests/fuzz/crashers/README.md)."
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}; inputs and logs kept in $work"
  exit 1
fi
rm -rf "$work"
echo "fuzz: ${#targets[@]} targets, ${per}s each, no crash"
