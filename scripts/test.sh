#!/usr/bin/env bash
# Installs every dependency, builds Vestige and runs the whole default test suite.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
scripts/build.sh
build_dir="${VESTIGE_BUILD_DIR:-build}"
ctest --test-dir "$build_dir" --output-on-failure -j 2 -LE bench "$@"
