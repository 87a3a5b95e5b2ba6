#!/usr/bin/env bash
# Configures and builds Vestige into ./build (Release with debug info, ccache, -j2).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${VESTIGE_BUILD_DIR:-build}"
# Share ccache hits between build directories of the same checkout.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE="${VESTIGE_BUILD_TYPE:-RelWithDebInfo}" \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$build_dir" -j "${VESTIGE_JOBS:-2}" "$@"
