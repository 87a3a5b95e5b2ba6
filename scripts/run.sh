#!/usr/bin/env bash
# Installs every dependency, builds Vestige and starts the MCP server
# (vestige-mcp) on standard input and output, on the embedded default (SQLite,
# builtin embedder) unless vestige.toml says otherwise. This is the README's
# run command. Arguments are passed to the server (--data-dir, --config,
# --log-level).
#
# Standard output belongs to the MCP protocol once the server runs, so
# everything before it (installation, build, the connection hint) goes to
# standard error; an MCP client may therefore use this script as its command.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 3>&1 1>&2

scripts/install-deps.sh
scripts/build.sh --target vestige_mcp_server vestige_cli
server="$PWD/${VESTIGE_BUILD_DIR:-build}/bin/vestige-mcp"

cat <<EOF

vestige-mcp is built: $server
It speaks MCP (newline-delimited JSON-RPC) on stdin/stdout; logs go to stderr.
Connect an agent by giving it this command, e.g. for Claude Code:
  claude mcp add vestige -- $server
or in the "mcpServers" section of Claude Desktop / Cursor (see README.md):
  "vestige": {"command": "$server", "args": []}
Data directory: --data-dir when given, else ${VESTIGE_DATA_DIR:-~/.vestige}.
Starting the server now; end it with Ctrl-D or Ctrl-C.

EOF
exec "$server" "$@" 1>&3 3>&-
