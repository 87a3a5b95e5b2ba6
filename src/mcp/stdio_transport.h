#pragma once

// MCP's stdio transport: newline-delimited JSON-RPC messages in, responses
// out. The output stream carries protocol messages only; anything else
// written there would corrupt the stream for the client, so logging belongs
// on stderr (the caller's business).

#include <cstdint>
#include <iosfwd>

#include "mcp/server.h"

namespace vestige::mcp {

struct StdioReport {
  std::int64_t lines = 0;    // lines read, blank ones included
  std::int64_t replies = 0;  // lines written
};

// Reads lines from `in` until end of input (or until `out` fails, because a
// client that stopped reading cannot be served) and writes each reply as one
// line, flushed at once so that the client is never left waiting on a
// buffer. A trailing "\r" is dropped, for clients that end lines with CRLF.
// Memory per line is bounded: a line longer than server.max_line_bytes() is
// not kept beyond that limit; the rest of it is skipped and the server
// answers it with its "message too large" error.
StdioReport serve_stdio(Server& server, std::istream& in, std::ostream& out);

}  // namespace vestige::mcp
