#!/usr/bin/env bash
# Build only: installs what the build needs and builds everything into build/.
# (The README's main command is the live demo, scripts/demo.sh, which calls this.)
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across clones of the same tree (CI builds a fresh clone).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
bash scripts/install-deps.sh --build-only
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
echo "built: libraries under build/, tests under build/tests/, benchmarks under build/bench/"
