#!/usr/bin/env bash
# Builds and runs the benchmarks (not part of the default test run).
# VESTIGE_BENCH_LARGE=1 adds the 100k-memory runs (minutes of seeding).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --target store_search_bench ingest_bench quality_bench
build_dir="${VESTIGE_BUILD_DIR:-build}"
"$build_dir/bench/ingest_bench" "$@"
"$build_dir/bench/store_search_bench" "$@"
"$build_dir/bench/quality_bench" --json "$build_dir/bench/quality.json"
