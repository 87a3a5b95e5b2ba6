// End-to-end: the client named in initialize's clientInfo is the default
// provenance of what the session stores, and session_start reports it.

#include "e2e/mcp_test_support.h"

namespace vestige::testing {
namespace {

using McpClientTest = McpTest;

std::unique_ptr<McpProcess> initialize_with(std::unique_ptr<McpProcess> server, Json params) {
  const Json reply = server->request("initialize", std::move(params));
  EXPECT_TRUE(reply.contains("result")) << reply.dump();
  return server;
}

Json stored_metadata(McpProcess& server, const Json& id) {
  const Json result = server.call_tool("memory", Json{{"action", "get"}, {"id", id}});
  EXPECT_EQ(result.value("isError", true), false) << result.dump();
  return result["structuredContent"]["memory"]["metadata"];
}

TEST_F(McpClientTest, ClientInfoNameIsTheDefaultClientOfIngestAndSessionStart) {
  auto server = initialize_with(
      start(), Json{{"protocolVersion", "2025-06-18"},
                    {"capabilities", Json::object()},
                    {"clientInfo", {{"name", "claude-code"}, {"version", "2.1.0"}}}});

  // One memory without a client: the session's client is recorded.
  const Json single =
      ok(*server, "smart_ingest", Json{{"content", "The staging database is called shop_stage"}});
  EXPECT_EQ(stored_metadata(*server, single["id"])["mcp_client_id"], "claude-code");

  // A client named in the call wins, per item or for the whole batch.
  const Json batch = ok(*server, "smart_ingest",
                        Json{{"items",
                              {Json{{"content", "Release notes are written in CHANGES.md"}},
                               Json{{"content", "Feature flags live in config/flags.yaml"},
                                    {"context", {{"client", "cursor"}}}}}}});
  ASSERT_EQ(batch["results"].size(), 2u) << batch.dump();
  EXPECT_EQ(stored_metadata(*server, batch["results"][0]["id"])["mcp_client_id"], "claude-code");
  EXPECT_EQ(stored_metadata(*server, batch["results"][1]["id"])["mcp_client_id"], "cursor");
  const Json named = ok(
      *server, "smart_ingest",
      Json{{"content", "The CI runs on every pull request"}, {"context", {{"client", "codex"}}}});
  EXPECT_EQ(stored_metadata(*server, named["id"])["mcp_client_id"], "codex");

  // codebase remember_* goes through the same gate.
  const Json pattern = ok(*server, "codebase",
                          Json{{"action", "remember_pattern"},
                               {"codebase", "shop"},
                               {"content", "Handlers return Result values instead of throwing"}});
  EXPECT_EQ(stored_metadata(*server, pattern["id"])["mcp_client_id"], "claude-code");

  const Json session = ok(*server, "session_start", Json{{"task", "deploy to staging"}});
  EXPECT_EQ(session["client"], (Json{{"name", "claude-code"}, {"version", "2.1.0"}}));
  const Json result = server->call_tool("session_start", Json::object());
  EXPECT_NE(text_of(result).find("(client claude-code 2.1.0)"), std::string::npos)
      << text_of(result);
}

TEST_F(McpClientTest, WithoutClientInfoNothingIsRecorded) {
  // clientInfo missing, or without a usable name: no provenance is invented.
  for (const Json& info : {Json(nullptr), Json{{"version", "1"}}, Json{{"name", 7}},
                           Json{{"name", ""}, {"version", "1"}}}) {
    SCOPED_TRACE(info.dump());
    Json params{{"protocolVersion", "2025-06-18"}, {"capabilities", Json::object()}};
    if (!info.is_null()) params["clientInfo"] = info;
    auto server = initialize_with(start(), params);
    const Json stored = ok(
        *server, "smart_ingest",
        Json{{"content", "Backups run nightly at 02:00 " + info.dump()}, {"force_create", true}});
    EXPECT_FALSE(stored_metadata(*server, stored["id"]).contains("mcp_client_id"));
    EXPECT_TRUE(ok(*server, "session_start", Json::object())["client"].is_null());
    server->close_stdin();
    EXPECT_EQ(server->wait(), 0);
  }
}

}  // namespace
}  // namespace vestige::testing
