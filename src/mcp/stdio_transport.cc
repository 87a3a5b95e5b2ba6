#include "mcp/stdio_transport.h"

#include <istream>
#include <ostream>
#include <string>

namespace vestige::mcp {
namespace {

// Reads up to the next '\n' (consumed, not stored). Keeps at most `limit` + 1
// bytes, enough for the server to see that the line is over its limit without
// holding all of it. Returns false at end of input with nothing read.
bool read_line(std::istream& in, std::size_t limit, std::string& line) {
  line.clear();
  std::streambuf* buffer = in.rdbuf();
  std::size_t length = 0;  // bytes before the '\n', kept or not
  for (;;) {
    const auto c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return length > 0;
    }
    if (c == '\n') break;
    ++length;
    if (line.size() <= limit) line.push_back(static_cast<char>(c));
  }
  // Only a line kept whole ends with its own '\r'; a cut one ends mid-line.
  if (length == line.size() && !line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace

StdioReport serve_stdio(Server& server, std::istream& in, std::ostream& out) {
  StdioReport report;
  std::string line;
  while (out && read_line(in, server.max_line_bytes(), line)) {
    ++report.lines;
    if (const auto reply = server.handle_line(line)) {
      out << *reply << '\n';
      out.flush();
      ++report.replies;
    }
  }
  return report;
}

}  // namespace vestige::mcp
