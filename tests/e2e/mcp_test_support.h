#pragma once

// Shared fixture of the vestige-mcp end-to-end tests: a fresh data directory
// per test and the real binary started on it.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "e2e/mcp_process.h"

namespace vestige::testing {

class McpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("vestige-mcp-" + std::to_string(std::random_device{}()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_);
    data_dir_ = root_ / "data";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<McpProcess> start(std::vector<std::string> args = {}) {
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
};

}  // namespace vestige::testing
