#!/usr/bin/env bash
# Starts or stops the PostgreSQL server the Postgres tests run against.
#
#   pg_test_server.sh start <state dir> [--db=<dir>] [--port=<port>]
#   pg_test_server.sh stop <state dir>
#
# start writes the server's URL to <state dir>/url once it accepts
# connections. When VESTIGE_TEST_PG_URL is set, that server is used and
# nothing is started. Otherwise a PGlite server (PostgreSQL compiled to
# WebAssembly, with pgvector and pgcrypto) from node_modules is started in the
# background; its pid goes to <state dir>/pid, its log to <state dir>/server.log.
set -euo pipefail
command=${1:?usage: pg_test_server.sh start|stop <state dir>}
state=${2:?usage: pg_test_server.sh start|stop <state dir>}
shift 2
root="$(cd "$(dirname "$0")/../.." && pwd)"

stop() {
  if [[ -f "$state/pid" ]]; then
    pid=$(cat "$state/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$state/pid"
  fi
  rm -f "$state/url"
}

case "$command" in
  stop)
    stop
    exit 0
    ;;
  start) ;;
  *)
    echo "unknown command $command; use start or stop" >&2
    exit 2
    ;;
esac

mkdir -p "$state"
if [[ -n "${VESTIGE_TEST_PG_URL:-}" ]]; then
  printf '%s\n' "$VESTIGE_TEST_PG_URL" >"$state/url"
  exit 0
fi

db="memory://"
port=""
for arg in "$@"; do
  case "$arg" in
    --db=*) db="${arg#--db=}" ;;
    --port=*) port="${arg#--port=}" ;;
    *)
      echo "unknown option $arg" >&2
      exit 2
      ;;
  esac
done

server="$root/node_modules/@electric-sql/pglite-socket/dist/scripts/server.js"
if [[ ! -f "$server" ]]; then
  echo "the PGlite test server is not installed: run 'npm ci' in $root, or set" \
    "VESTIGE_TEST_PG_URL to a PostgreSQL server with pgvector" >&2
  exit 1
fi

stop
if [[ -z "$port" ]]; then
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
setsid node "$server" --db="$db" --host=127.0.0.1 --port="$port" \
  --extensions=@electric-sql/pglite-pgvector:vector,pgcrypto --max-connections=8 \
  >"$state/server.log" 2>&1 </dev/null &
echo $! >"$state/pid"

url="postgresql://postgres@127.0.0.1:$port/postgres?sslmode=disable"
for _ in $(seq 1 600); do
  if pg_isready -q -d "$url" 2>/dev/null; then
    printf '%s\n' "$url" >"$state/url"
    exit 0
  fi
  if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
    echo "the PGlite test server exited; its log:" >&2
    cat "$state/server.log" >&2
    rm -f "$state/pid"
    exit 1
  fi
  sleep 0.1
done
echo "the PGlite test server did not accept connections within 60 s; its log:" >&2
cat "$state/server.log" >&2
stop
exit 1
