// End-to-end tests of the vestige-mcp binary's protocol, lifecycle and
// robustness: each test starts the real server on a fresh data directory and
// speaks newline-delimited JSON-RPC to it.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "e2e/mcp_test_support.h"
#include "support/subprocess.h"

namespace vestige::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string initialize_line(std::string_view version, int id = 1) {
  return Json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", version},
                {"capabilities", Json::object()},
                {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}}}}
      .dump();
}

std::string call_line(int id, std::string_view tool, const Json& arguments) {
  return Json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "tools/call"},
              {"params", {{"name", tool}, {"arguments", arguments}}}}
      .dump();
}

using McpServerTest = McpTest;

TEST_F(McpServerTest, NegotiatesEveryProtocolVersionAndFallsBackToTheNewest) {
  for (const std::string version : {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}) {
    auto server = start();
    const Json reply = server->initialize(version);
    ASSERT_TRUE(reply.contains("result")) << reply.dump();
    EXPECT_EQ(reply["result"]["protocolVersion"], version);
    EXPECT_EQ(reply["result"]["serverInfo"]["name"], "vestige");
    EXPECT_TRUE(reply["result"]["capabilities"].contains("tools"));
    EXPECT_TRUE(reply["result"]["capabilities"].contains("resources"));
  }
  auto server = start();
  const Json reply = server->initialize("2099-01-01");
  EXPECT_EQ(reply["result"]["protocolVersion"], "2025-11-25");
}

TEST_F(McpServerTest, InstructionsSayWhenToUseEachTool) {
  auto server = start();
  const Json reply = server->initialize();
  const std::string instructions = reply["result"]["instructions"].get<std::string>();
  const Json tools = server->request("tools/list")["result"]["tools"];
  ASSERT_GE(tools.size(), 3u);
  for (const Json& tool : tools) {
    const std::string name = tool["name"].get<std::string>();
    if (name == "search" || name == "stats") continue;  // aliases, named with their tool
    EXPECT_NE(instructions.find(name), std::string::npos) << name << " not in: " << instructions;
  }
}

TEST_F(McpServerTest, ToolsListHasClosedObjectSchemasAndDescriptions) {
  auto server = start_initialized();
  const Json tools = server->request("tools/list")["result"]["tools"];
  std::vector<std::string> names;
  for (const Json& tool : tools) {
    names.push_back(tool["name"].get<std::string>());
    EXPECT_FALSE(tool["description"].get<std::string>().empty()) << tool.dump();
    EXPECT_EQ(tool["inputSchema"]["type"], "object") << tool.dump();
    EXPECT_EQ(tool["inputSchema"]["additionalProperties"], false) << tool.dump();
  }
  for (const std::string expected : {"smart_ingest", "memory", "memory_status", "stats"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

TEST_F(McpServerTest, RequestBeforeInitializeIsAnInvalidRequestAndThenInitializeWorks) {
  auto server = start();
  const Json early = server->request("tools/list");
  EXPECT_EQ(early["error"]["code"], -32600) << early.dump();
  EXPECT_NE(early["error"]["message"].get<std::string>().find("initialize"), std::string::npos);
  const Json reply = server->initialize();
  EXPECT_TRUE(reply.contains("result")) << reply.dump();
  EXPECT_TRUE(server->request("tools/list").contains("result"));
}

TEST_F(McpServerTest, MalformedJsonIsAParseErrorAndTheServerKeepsServing) {
  auto server = start_initialized();
  server->send(R"({"jsonrpc":"2.0","id":5,"method":"ping")");  // cut short
  const Json reply = Json::parse(*server->read_line());
  EXPECT_EQ(reply["error"]["code"], -32700) << reply.dump();
  EXPECT_TRUE(reply["id"].is_null());
  server->send("not json at all");
  EXPECT_EQ(Json::parse(*server->read_line())["error"]["code"], -32700);
  EXPECT_TRUE(server->request("ping").contains("result"));
}

TEST_F(McpServerTest, UnknownMethodIsMethodNotFound) {
  auto server = start_initialized();
  const Json reply = server->request("memories/teleport");
  EXPECT_EQ(reply["error"]["code"], -32601) << reply.dump();
  EXPECT_TRUE(server->request("ping").contains("result"));
}

TEST_F(McpServerTest, UnknownToolIsAProtocolErrorNamingTheKnownTools) {
  auto server = start_initialized();
  const Json reply =
      server->request("tools/call", Json{{"name", "forget_everything"}, {"arguments", {}}});
  EXPECT_EQ(reply["error"]["code"], -32602) << reply.dump();
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("smart_ingest"), std::string::npos);
}

TEST_F(McpServerTest, WrongArgumentTypesAreToolErrorsThatSayWhatIsWrong) {
  auto server = start_initialized();
  Json error = tool_error(*server, "smart_ingest", Json{{"content", 42}});
  EXPECT_EQ(error["code"], "invalid_input");
  EXPECT_NE(error["message"].get<std::string>().find("'content'"), std::string::npos)
      << error.dump();

  error = tool_error(*server, "smart_ingest", Json{{"content", "x"}, {"colour", "red"}});
  EXPECT_NE(error["message"].get<std::string>().find("'colour' is not accepted"), std::string::npos)
      << error.dump();

  error = tool_error(*server, "memory", Json{{"action", "review"}, {"id", "x"}, {"rating", 9}});
  EXPECT_NE(error["message"].get<std::string>().find("'rating'"), std::string::npos)
      << error.dump();

  error = tool_error(*server, "memory", Json{{"action", "get"}, {"id", "not-a-uuid"}});
  EXPECT_EQ(error["code"], "invalid_input");
  EXPECT_NE(error["message"].get<std::string>().find("UUID"), std::string::npos) << error.dump();
  EXPECT_TRUE(server->request("ping").contains("result"));
}

TEST_F(McpServerTest, ContentOverOneMebibyteIsAToolErrorAndNothingIsStored) {
  auto server = start_initialized();
  const std::string huge(1024 * 1024 + 1, 'a');
  const Json error = tool_error(*server, "smart_ingest", Json{{"content", huge}});
  EXPECT_EQ(error["code"], "invalid_input");
  EXPECT_NE(error["message"].get<std::string>().find("1 MiB"), std::string::npos) << error.dump();

  const Json batch_error = tool_error(
      *server, "smart_ingest",
      Json{{"items", Json::array({Json{{"content", "small"}}, Json{{"content", huge}}})}});
  EXPECT_NE(batch_error["message"].get<std::string>().find("items[1].content"), std::string::npos)
      << batch_error.dump();

  const Json status = ok(*server, "memory_status", Json::object());
  EXPECT_EQ(status["counts"]["memories"], 0);
  // Exactly 1 MiB is accepted.
  const Json stored = ok(*server, "smart_ingest", Json{{"content", std::string(1024 * 1024, 'b')}});
  EXPECT_EQ(stored["decision"], "create");
}

TEST_F(McpServerTest, StdoutCarriesOnlyProtocolLinesAndStderrHasTheReadyLine) {
  std::string input = initialize_line("2025-06-18") + "\n";
  input += R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
           "\n";
  input += "garbage\n\n";
  input +=
      call_line(2, "smart_ingest", Json{{"content", "The build uses Ninja and ccache"}}) + "\n";
  input += call_line(3, "smart_ingest", Json{{"content", 7}}) + "\n";
  input += call_line(4, "memory_status", Json::object()) + "\n";
  input += R"({"jsonrpc":"2.0","id":5,"method":"nope"})"
           "\n";
  ProcessOptions options;
  options.stdin_text = input;
  options.unset_env = {"VESTIGE_CONFIG", "VESTIGE_DATA_DIR", "VESTIGE_LOG"};
  const ProcessResult r =
      run_process(VESTIGE_MCP_PATH, {"--data-dir", data_dir_.string()}, options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int replies = 0;
  while (std::getline(lines, line)) {
    const Json message = Json::parse(line);  // throws (fails the test) on anything else
    EXPECT_EQ(message["jsonrpc"], "2.0") << line;
    ++replies;
  }
  EXPECT_EQ(replies, 6) << r.out;  // every request and the garbage line; not the notification
  EXPECT_NE(r.err.find(backend_ready()), std::string::npos) << r.err;
}

TEST_F(McpServerTest, EndOfInputShutsDownCleanlyWithEverythingCommitted) {
  std::string id;
  {
    auto server = start_initialized();
    id = ok(*server, "smart_ingest",
            Json{{"content", "Releases are tagged from main after CI passes"}})["id"];
    server->close_stdin();
    EXPECT_EQ(server->wait(), 0) << server->err();
    EXPECT_NE(server->err().find("end of input"), std::string::npos) << server->err();
  }
  auto server = start_initialized();
  const Json got = ok(*server, "memory", Json{{"action", "get"}, {"id", id}});
  EXPECT_EQ(got["memory"]["content"], "Releases are tagged from main after CI passes");
}

TEST_F(McpServerTest, SigtermShutsDownCleanlyWithEverythingCommitted) {
  std::vector<std::string> ids;
  {
    auto server = start_initialized();
    for (const std::string text : {"The staging database is refreshed every Monday",
                                   "Feature flags live in config/flags.yaml"}) {
      ids.push_back(ok(*server, "smart_ingest", Json{{"content", text}})["id"]);
    }
    server->kill(SIGTERM);
    EXPECT_EQ(server->wait(), 0) << server->err();
    EXPECT_NE(server->err().find("shutting down"), std::string::npos) << server->err();
  }
  auto server = start_initialized();
  const Json got = ok(*server, "memory", Json{{"action", "get_batch"}, {"ids", ids}});
  EXPECT_EQ(got["memories"].size(), 2u) << got.dump();
}

TEST_F(McpServerTest, SigtermBeforeAnyRequestExitsAtOnce) {
  auto server = start();
  ASSERT_TRUE(server->wait_for_err("backend ready")) << server->err();
  server->kill(SIGTERM);
  EXPECT_EQ(server->wait(std::chrono::seconds(10)), 0) << server->err();
}

TEST_F(McpServerTest, AStoreThatCannotBeOpenedGivesToolErrorsUntilItCan) {
  if (on_postgres()) GTEST_SKIP() << "the obstacle here is a SQLite data directory";
  // The data directory's parent is a file, so the directory cannot be created.
  const fs::path blocker = root_ / "blocker";
  std::ofstream(blocker) << "not a directory";
  data_dir_ = blocker / "data";
  auto server = start_initialized();
  const Json error = tool_error(*server, "memory_status", Json::object());
  EXPECT_EQ(error["code"], "init") << error.dump();
  EXPECT_NE(error["message"].get<std::string>().find(blocker.string()), std::string::npos)
      << error.dump();
  EXPECT_TRUE(server->request("ping").contains("result"));
  const Json again = tool_error(*server, "smart_ingest", Json{{"content", "still down"}});
  EXPECT_EQ(again["code"], "init");

  // Once the obstacle is gone the next call opens the store.
  fs::remove(blocker);
  const Json stored = ok(*server, "smart_ingest", Json{{"content", "The store is back"}});
  EXPECT_EQ(stored["decision"], "create");
  EXPECT_TRUE(server->wait_for_err("SQLite backend ready"));
}

TEST_F(McpServerTest, CheckConfigValidatesWithoutTouchingTheDatabase) {
  ProcessOptions options;
  options.unset_env = {"VESTIGE_CONFIG", "VESTIGE_DATA_DIR", "VESTIGE_LOG"};
  ProcessResult r =
      run_process(VESTIGE_MCP_PATH, {"--data-dir", data_dir_.string(), "--check-config"}, options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_FALSE(fs::exists(data_dir_ / "vestige.db"));

  fs::create_directories(data_dir_);
  std::ofstream(data_dir_ / "vestige.toml") << "[embeddings]\nmodle = 1\n";
  r = run_process(VESTIGE_MCP_PATH, {"--data-dir", data_dir_.string(), "--check-config"}, options);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("modle"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(data_dir_ / "vestige.db"));

  // Serving with that configuration fails the same way, before reading input.
  r = run_process(VESTIGE_MCP_PATH, {"--data-dir", data_dir_.string()}, options);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(McpServerTest, ResourcesListAndReadAndUnknownUri) {
  auto server = start_initialized();
  const Json list = server->request("resources/list")["result"]["resources"];
  std::vector<std::string> uris;
  for (const Json& r : list) uris.push_back(r["uri"].get<std::string>());
  EXPECT_NE(std::find(uris.begin(), uris.end(), "memory://stats"), uris.end());
  EXPECT_NE(std::find(uris.begin(), uris.end(), "memory://due"), uris.end());

  ok(*server, "smart_ingest", Json{{"content", "Use UTC timestamps everywhere"}});
  const Json stats = server->request("resources/read", Json{{"uri", "memory://stats"}});
  const Json contents = stats["result"]["contents"][0];
  EXPECT_EQ(contents["uri"], "memory://stats");
  EXPECT_EQ(Json::parse(contents["text"].get<std::string>())["counts"]["memories"], 1);

  // A new memory is due at once (its first review).
  const Json due = server->request("resources/read", Json{{"uri", "memory://due"}});
  const Json due_list = Json::parse(due["result"]["contents"][0]["text"].get<std::string>())["due"];
  ASSERT_EQ(due_list.size(), 1u) << due.dump();
  EXPECT_EQ(due_list[0]["content"], "Use UTC timestamps everywhere");

  const Json missing = server->request("resources/read", Json{{"uri", "memory://nowhere"}});
  EXPECT_EQ(missing["error"]["code"], -32002) << missing.dump();
}

}  // namespace
}  // namespace vestige::testing
