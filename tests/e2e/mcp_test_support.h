#pragma once

// Shared fixture of the vestige-mcp end-to-end tests: a fresh data directory
// per test and the real binary started on it.
//
// The same tests run on both backends. With VESTIGE_TEST_BACKEND=postgres
// (set by ctest for the tests labelled postgres), each test starts from an
// empty database on the PostgreSQL test server, and the data directory's
// vestige.toml gets a [storage] section naming that server; a test that
// writes its own vestige.toml keeps it, with the section added at its end
// when the server starts.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/mcp_process.h"
#include "support/pg_test_server.h"

namespace vestige::testing {

class McpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("vestige-mcp-" + std::to_string(std::random_device{}()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_);
    data_dir_ = root_ / "data";
    if (on_postgres()) {
      const std::string url = test_pg_url();
      reset_test_database(url);
      storage_section_ = "[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = \"" + url +
                         "\"\nmax_connections = 4\n";
      add_storage_section();
    }
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static bool on_postgres() {
    const char* backend = std::getenv("VESTIGE_TEST_BACKEND");
    return backend != nullptr && std::string_view(backend) == "postgres";
  }
  // What the server logs once its store is open.
  static std::string backend_ready() {
    return on_postgres() ? "Postgres backend ready" : "SQLite backend ready";
  }
  static std::string backend_name() { return on_postgres() ? "postgres" : "sqlite"; }

  // Adds the [storage] section at the end of the data directory's
  // vestige.toml (creating it) unless the file has one. At the end, because
  // keys before the file's first table belong to the top level.
  void add_storage_section() {
    if (storage_section_.empty()) return;
    const auto file = data_dir_ / "vestige.toml";
    std::stringstream existing;
    if (std::ifstream in(file); in) existing << in.rdbuf();
    if (existing.str().find("[storage") != std::string::npos) return;
    std::filesystem::create_directories(data_dir_);
    std::ofstream(file) << existing.str() << "\n" << storage_section_;
  }

  std::unique_ptr<McpProcess> start(std::vector<std::string> args = {}) {
    add_storage_section();
    args.insert(args.begin(), {"--data-dir", data_dir_.string()});
    return std::make_unique<McpProcess>(VESTIGE_MCP_PATH, args);
  }

  // A server that has answered initialize.
  std::unique_ptr<McpProcess> start_initialized() {
    auto server = start();
    const Json reply = server->initialize();
    EXPECT_TRUE(reply.contains("result")) << reply.dump();
    return server;
  }

  // The text of a tool result's first content block.
  static std::string text_of(const Json& result) {
    return result.at("content").at(0).at("text").get<std::string>();
  }

  // Calls a tool that must succeed and returns its structuredContent.
  static Json ok(McpProcess& server, std::string_view tool, Json arguments) {
    const Json result = server.call_tool(tool, std::move(arguments));
    EXPECT_EQ(result.value("isError", true), false) << result.dump();
    EXPECT_EQ(result["content"][0]["type"], "text");
    return result.value("structuredContent", Json::object());
  }

  // Calls a tool that must fail and returns structuredContent.error.
  static Json tool_error(McpProcess& server, std::string_view tool, Json arguments) {
    const Json result = server.call_tool(tool, std::move(arguments));
    EXPECT_EQ(result.value("isError", false), true) << result.dump();
    return result["structuredContent"]["error"];
  }

  std::filesystem::path root_;
  std::filesystem::path data_dir_;
  std::string storage_section_;  // empty on SQLite
};

}  // namespace vestige::testing
