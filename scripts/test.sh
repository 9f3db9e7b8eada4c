#!/usr/bin/env bash
# The one command that runs every test: installs what is missing, builds, runs
# the whole suite through ctest.
#   scripts/test.sh                 # build/ , RelWithDebInfo
#   PETREL_SANITIZE=1 scripts/test.sh   # build-asan/ , AddressSanitizer + UBSan
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across clones of the same tree (CI builds a fresh clone).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

bash scripts/install-deps.sh

build=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${PETREL_SANITIZE:-0}" == 1 ]]; then
  build=build-asan
  flags+=(-DPETREL_SANITIZE=ON -DPETREL_BENCH=OFF)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

cmake -S . -B "$build" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
