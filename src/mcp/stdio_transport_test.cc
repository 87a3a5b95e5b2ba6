#include "mcp/stdio_transport.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace vestige::mcp {
namespace {

Server make_server(std::size_t max_line_bytes = kDefaultMaxLineBytes) {
  Server server(ServerOptions{"0.1.0", "Use recall.", max_line_bytes});
  server.add_tool(Tool{"add", "Adds two integers.",
                       Json::parse(R"({"type":"object","properties":{"a":{"type":"integer"},
                                       "b":{"type":"integer"}},"required":["a","b"]})"),
                       [](const Json& arguments) {
                         const int sum = arguments["a"].get<int>() + arguments["b"].get<int>();
                         return ToolResult{std::to_string(sum), Json{{"sum", sum}}};
                       }});
  server.add_resource(Resource{"memory://stats", "stats", "", "application/json",
                               [] { return std::string("{}"); }});
  return server;
}

std::vector<Json> output_lines(const std::string& text) {
  std::vector<Json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
  return lines;
}

TEST(StdioTransport, FullSession) {
  Server server = make_server();
  std::istringstream in(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n"
      "\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})"
      "\r\n"
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}})"
      "\n"
      R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"add","arguments":{"a":2}}})"
      "\n"
      "garbage\n"
      R"({"jsonrpc":"2.0","id":5,"method":"resources/read","params":{"uri":"memory://stats"}})"
      "\n"
      R"({"jsonrpc":"2.0","id":6,"method":"ping"})");  // the last line has no newline
  std::ostringstream out;
  const StdioReport report = serve_stdio(server, in, out);
  EXPECT_EQ(report.lines, 9);
  EXPECT_EQ(report.replies, 7);

  const std::vector<Json> replies = output_lines(out.str());
  ASSERT_EQ(replies.size(), 7u);
  EXPECT_EQ(replies[0]["result"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(replies[1]["id"], 2);
  EXPECT_EQ(replies[1]["result"]["tools"][0]["name"], "add");
  EXPECT_EQ(replies[2]["result"]["structuredContent"]["sum"], 5);
  EXPECT_EQ(replies[2]["result"]["content"][0]["text"], "5");
  EXPECT_EQ(replies[3]["result"]["isError"], true);
  EXPECT_EQ(replies[4]["error"]["code"], kParseError);
  EXPECT_EQ(replies[5]["result"]["contents"][0]["text"], "{}");
  EXPECT_EQ(replies[6]["id"], 6);
  EXPECT_EQ(out.str().back(), '\n');
}

TEST(StdioTransport, EmptyInputEndsAtOnce) {
  Server server = make_server();
  std::istringstream in("");
  std::ostringstream out;
  const StdioReport report = serve_stdio(server, in, out);
  EXPECT_EQ(report.lines, 0);
  EXPECT_TRUE(out.str().empty());
}

TEST(StdioTransport, OversizedLineIsAnsweredAndTheSessionGoesOn) {
  Server server = make_server(128);
  std::string huge = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" +
                     std::string(100000, 'x') + "\"}}";
  std::istringstream in(huge + "\n" + R"({"jsonrpc":"2.0","id":2,"method":"ping"})" + "\n");
  std::ostringstream out;
  serve_stdio(server, in, out);
  const std::vector<Json> replies = output_lines(out.str());
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0]["error"]["code"], kInvalidRequest);
  EXPECT_TRUE(replies[0]["id"].is_null());
  EXPECT_EQ(replies[1]["id"], 2);
  EXPECT_EQ(replies[1]["result"], Json::object());
}

TEST(StdioTransport, LineOfExactlyTheLimitWithCrlfIsAccepted) {
  const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  Server server = make_server(ping.size());
  std::istringstream in(ping + "\r\n");
  std::ostringstream out;
  serve_stdio(server, in, out);
  const std::vector<Json> replies = output_lines(out.str());
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["result"], Json::object());
}

TEST(StdioTransport, StopsWhenOutputFails) {
  Server server = make_server();
  std::istringstream in(R"({"jsonrpc":"2.0","id":1,"method":"ping"})"
                        "\n"
                        R"({"jsonrpc":"2.0","id":2,"method":"ping"})"
                        "\n");
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_EQ(serve_stdio(server, in, out).lines, 0);
}

}  // namespace
}  // namespace vestige::mcp
