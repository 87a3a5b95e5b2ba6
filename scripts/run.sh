#!/usr/bin/env bash
# Installs every dependency, builds Vestige and runs it on the embedded default
# (SQLite, builtin embedder) in a fresh data directory: a few memories are
# ingested and searched, and the results printed. This is the README's run command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --target vestige_cli
vestige="${VESTIGE_BUILD_DIR:-build}/bin/vestige"

data_dir="${VESTIGE_DEMO_DIR:-$(mktemp -d -t vestige-demo.XXXXXX)}"
export VESTIGE_DATA_DIR="$data_dir"
echo "data directory: $data_dir"
echo

"$vestige" ingest --type decision --tags ops,backup --codebase vestige \
  "Back up the Postgres memory database nightly with pg_dump in custom format" >/dev/null
"$vestige" ingest --type preference --tags editor \
  "The user prefers tabs over spaces and a 100-column limit" >/dev/null
"$vestige" ingest --type fact --tags sqlite \
  "Several agents can share one SQLite store: writers wait for the lock instead of failing" >/dev/null
"$vestige" ingest --type pattern --codebase vestige \
  "Errors say what happened and what to do next" >/dev/null
echo "ingested 4 memories"
echo

for query in "how do we back up the database" "what editor settings does the user like"; do
  echo "\$ vestige search \"$query\" --limit 2"
  "$vestige" search "$query" --limit 2
  echo
done
"$vestige" stats
