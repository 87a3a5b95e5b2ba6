#include "mcp/server.h"

#include <optional>
#include <stdexcept>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vestige/error.h"

namespace vestige::mcp {
namespace {

using ::testing::HasSubstr;

Tool echo_tool() {
  return Tool{"echo", "Repeats its text.", Json::parse(R"({"type":"object",
                "properties":{"text":{"type":"string"},"times":{"type":"integer"},
                              "mode":{"type":"string","enum":["plain","loud"]}},
                "required":["text"],"additionalProperties":false})"),
              [](const Json& arguments) {
                const std::string text = arguments["text"];
                return ToolResult{"echo: " + text, Json{{"text", text}}};
              }};
}

Tool throwing_tool(std::string name, std::function<void()> thrower) {
  return Tool{std::move(name), "Fails.", Json{{"type", "object"}},
              [thrower = std::move(thrower)](const Json&) -> ToolResult {
                thrower();
                return {};
              }};
}

ServerOptions options() {
  return ServerOptions{"1.2.3", "Call recall before answering.", kDefaultMaxLineBytes};
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() : server_(options()) {
    server_.add_tool(echo_tool());
    server_.add_tool(throwing_tool(
        "not_found", [] { throw Error(ErrorCode::kNotFound, "memory 42 does not exist"); }));
    server_.add_tool(throwing_tool("broken", [] { throw std::logic_error("bad state"); }));
    server_.add_tool(throwing_tool("weird", [] { throw 42; }));
    server_.add_resource(Resource{"memory://stats", "stats", "Store statistics.",
                                  "application/json", [] { return std::string(R"({"n":1})"); }});
    server_.add_resource(
        Resource{"memory://broken", "broken", "", "text/plain",
                 []() -> std::string { throw Error(ErrorCode::kBackend, "database is locked"); }});
  }

  // Sends one line and parses the reply; fails the test when there is none.
  Json send(std::string_view line) {
    const auto reply = server_.handle_line(line);
    if (!reply) {
      ADD_FAILURE() << "no reply to " << line;
      return nullptr;
    }
    EXPECT_EQ(reply->find('\n'), std::string::npos);
    return Json::parse(*reply);
  }

  Json request(int id, std::string_view method, Json params = nullptr) {
    Json message{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) message["params"] = std::move(params);
    return send(message.dump());
  }

  Json initialize(std::string_view version = "2025-06-18") {
    return request(0, "initialize",
                   Json{{"protocolVersion", version},
                        {"capabilities", Json::object()},
                        {"clientInfo", {{"name", "test"}, {"version", "0"}}}});
  }

  Json call(std::string_view tool, Json arguments) {
    return request(9, "tools/call", Json{{"name", tool}, {"arguments", std::move(arguments)}});
  }

  Server server_;
};

int error_code(const Json& reply) {
  return reply.at("error").at("code").get<int>();
}
std::string error_message(const Json& reply) {
  return reply.at("error").at("message");
}

TEST_F(ServerTest, InitializeAnswersWithCapabilitiesAndInstructions) {
  const Json reply = initialize();
  EXPECT_EQ(reply["jsonrpc"], "2.0");
  EXPECT_EQ(reply["id"], 0);
  const Json& result = reply["result"];
  EXPECT_EQ(result["protocolVersion"], "2025-06-18");
  EXPECT_EQ(result["serverInfo"], Json({{"name", "vestige"}, {"version", "1.2.3"}}));
  EXPECT_EQ(result["capabilities"],
            Json::parse(R"({"tools":{"listChanged":false},"resources":{}})"));
  EXPECT_EQ(result["instructions"], "Call recall before answering.");
  EXPECT_EQ(server_.protocol_version(), "2025-06-18");
}

TEST(ServerVersions, EachSupportedVersionIsAnsweredWithItself) {
  for (std::string_view version : kSupportedProtocolVersions) {
    Server server(options());
    const auto reply = server.handle_line(Json{
        {"jsonrpc", "2.0"},
        {"id", 1},
        {"method", "initialize"},
        {"params",
         {{"protocolVersion", version}}}}.dump());
    ASSERT_TRUE(reply);
    EXPECT_EQ(Json::parse(*reply)["result"]["protocolVersion"], version);
  }
}

TEST_F(ServerTest, AnUnsupportedVersionIsAnsweredWithTheNewest) {
  EXPECT_EQ(initialize("2099-01-01")["result"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(server_.protocol_version(), "2025-11-25");
}

TEST_F(ServerTest, InitializeNeedsAProtocolVersionString) {
  EXPECT_EQ(error_code(request(1, "initialize")), kInvalidParams);
  EXPECT_EQ(error_code(request(1, "initialize", Json{{"protocolVersion", 20250618}})),
            kInvalidParams);
  EXPECT_FALSE(server_.protocol_version());
  EXPECT_TRUE(initialize().contains("result"));
}

TEST(ServerClientInfo, InitializeKeepsTheClientAndTellsTheListeners) {
  Server server(options());
  std::vector<std::optional<ClientInfo>> heard;
  server.on_initialize([&heard](const std::optional<ClientInfo>& c) { heard.push_back(c); });
  EXPECT_FALSE(server.client_info());
  ASSERT_TRUE(server.handle_line(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
          "clientInfo":{"name":"claude-code","version":"2.1.0"}}})"));
  ASSERT_TRUE(server.client_info());
  EXPECT_EQ(server.client_info()->name, "claude-code");
  EXPECT_EQ(server.client_info()->version, "2.1.0");
  ASSERT_EQ(heard.size(), 1u);
  ASSERT_TRUE(heard[0]);
  EXPECT_EQ(heard[0]->name, "claude-code");
  // A refused second initialize changes nothing and tells nobody.
  server.handle_line(
      R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-06-18",
          "clientInfo":{"name":"other","version":"1"}}})");
  EXPECT_EQ(server.client_info()->name, "claude-code");
  EXPECT_EQ(heard.size(), 1u);
}

TEST(ServerClientInfo, AClientInfoWithoutAUsableNameIsIgnored) {
  for (const char* info : {"", R"(,"clientInfo":"cli")", R"(,"clientInfo":{"version":"1"})",
                           R"(,"clientInfo":{"name":""})", R"(,"clientInfo":{"name":["x"]})"}) {
    SCOPED_TRACE(info);
    Server server(options());
    int calls = 0;
    server.on_initialize([&calls](const std::optional<ClientInfo>& c) {
      ++calls;
      EXPECT_FALSE(c);
    });
    const auto reply = server.handle_line(
        std::string(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{)") +
        R"("protocolVersion":"2025-06-18")" + info + "}}");
    ASSERT_TRUE(reply);
    EXPECT_TRUE(Json::parse(*reply).contains("result")) << *reply;
    EXPECT_FALSE(server.client_info());
    EXPECT_EQ(calls, 1);
  }
  Server server(options());
  server.handle_line(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
          "clientInfo":{"name":"bare","version":3}}})");
  ASSERT_TRUE(server.client_info());
  EXPECT_EQ(server.client_info()->name, "bare");
  EXPECT_EQ(server.client_info()->version, "");
}

TEST_F(ServerTest, InstructionsAreOmittedWhenEmpty) {
  Server server(ServerOptions{"1", "", kDefaultMaxLineBytes});
  const auto reply = server.handle_line(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})");
  ASSERT_TRUE(reply);
  EXPECT_FALSE(Json::parse(*reply)["result"].contains("instructions"));
}

TEST_F(ServerTest, SecondInitializeIsRejected) {
  initialize();
  const Json reply = initialize("2024-11-05");
  EXPECT_EQ(error_code(reply), kInvalidRequest);
  EXPECT_THAT(error_message(reply), HasSubstr("already initialized"));
  EXPECT_EQ(server_.protocol_version(), "2025-06-18");
}

TEST_F(ServerTest, InitializedNotificationGetsNoReply) {
  initialize();
  EXPECT_FALSE(server_.handle_line(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
}

TEST_F(ServerTest, NotificationsGetNoReplyEvenWhenUnknownOrEarly) {
  EXPECT_FALSE(server_.handle_line(R"({"jsonrpc":"2.0","method":"no/such"})"));
  EXPECT_FALSE(server_.handle_line(R"({"jsonrpc":"2.0","method":"tools/call","params":{}})"));
  EXPECT_FALSE(server_.handle_line(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})"));
}

TEST_F(ServerTest, ResponsesFromTheClientGetNoReply) {
  EXPECT_FALSE(server_.handle_line(R"({"jsonrpc":"2.0","id":1,"result":{}})"));
}

TEST_F(ServerTest, BlankLinesAreIgnored) {
  EXPECT_FALSE(server_.handle_line(""));
  EXPECT_FALSE(server_.handle_line(" \t\r"));
}

TEST_F(ServerTest, PingWorksBeforeAndAfterInitialize) {
  EXPECT_EQ(request(1, "ping")["result"], Json::object());
  initialize();
  EXPECT_EQ(request(2, "ping", Json::object())["result"], Json::object());
}

TEST_F(ServerTest, RequestsBeforeInitializeAreRejected) {
  for (const char* method : {"tools/list", "tools/call", "resources/list", "resources/read"}) {
    const Json reply = request(3, method, Json::object());
    EXPECT_EQ(error_code(reply), kInvalidRequest) << method;
    EXPECT_THAT(error_message(reply), HasSubstr("not initialized")) << method;
    EXPECT_EQ(reply["id"], 3);
  }
}

TEST_F(ServerTest, UnknownMethodIsMethodNotFound) {
  initialize();
  const Json reply = request(4, "prompts/list");
  EXPECT_EQ(error_code(reply), kMethodNotFound);
  EXPECT_THAT(error_message(reply), HasSubstr("prompts/list"));
  EXPECT_EQ(reply["id"], 4);
}

TEST_F(ServerTest, MalformedJsonIsAParseError) {
  const Json reply = send(R"({"jsonrpc":"2.0","id":1,"method":"ping")");
  EXPECT_EQ(error_code(reply), kParseError);
  EXPECT_TRUE(reply["id"].is_null());
}

TEST_F(ServerTest, WrongJsonRpcVersionIsInvalidRequest) {
  const Json reply = send(R"({"jsonrpc":"1.0","id":"x","method":"ping"})");
  EXPECT_EQ(error_code(reply), kInvalidRequest);
  EXPECT_EQ(reply["id"], "x");
}

TEST_F(ServerTest, MissingMethodIsInvalidRequest) {
  EXPECT_EQ(error_code(send(R"({"jsonrpc":"2.0","id":1,"params":{}})")), kInvalidRequest);
}

TEST_F(ServerTest, NonObjectParamsAreRejected) {
  initialize();
  // A scalar is not valid JSON-RPC at all; an array is, but MCP params are objects.
  EXPECT_EQ(error_code(send(R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":"x"})")),
            kInvalidRequest);
  const Json reply = request(2, "tools/list", Json::array({1}));
  EXPECT_EQ(error_code(reply), kInvalidParams);
  EXPECT_EQ(reply["id"], 2);
}

TEST_F(ServerTest, StringAndIntegerIdsAreEchoedWithTheirType) {
  EXPECT_EQ(send(R"({"jsonrpc":"2.0","id":"abc","method":"ping"})")["id"], "abc");
  EXPECT_EQ(send(R"({"jsonrpc":"2.0","id":12,"method":"ping"})")["id"], 12);
  const Json reply = send(R"({"jsonrpc":"2.0","id":null,"method":"ping"})");
  EXPECT_EQ(error_code(reply), kInvalidRequest);
  EXPECT_TRUE(reply["id"].is_null());
}

TEST_F(ServerTest, ToolsListShowsToolsInRegistrationOrder) {
  initialize();
  const Json tools = request(1, "tools/list")["result"]["tools"];
  ASSERT_EQ(tools.size(), 4u);
  EXPECT_EQ(tools[0]["name"], "echo");
  EXPECT_EQ(tools[0]["description"], "Repeats its text.");
  EXPECT_EQ(tools[0]["inputSchema"], echo_tool().input_schema);
  EXPECT_EQ(tools[3]["name"], "weird");
  EXPECT_EQ(request(2, "tools/list", Json{{"cursor", "anything"}})["result"]["tools"].size(), 4u);
}

TEST_F(ServerTest, ToolCallReturnsTextAndStructuredContent) {
  initialize();
  const Json reply = call("echo", Json{{"text", "hi"}});
  EXPECT_EQ(reply["id"], 9);
  const Json& result = reply["result"];
  EXPECT_EQ(result["content"], Json::parse(R"([{"type":"text","text":"echo: hi"}])"));
  EXPECT_EQ(result["structuredContent"], Json({{"text", "hi"}}));
  EXPECT_EQ(result["isError"], false);
}

TEST_F(ServerTest, NonObjectStructuredResultsAreWrappedAndNullOmitted) {
  server_.add_tool(Tool{"list", "", Json{{"type", "object"}}, [](const Json&) {
                          return ToolResult{"two", Json::array({1, 2})};
                        }});
  server_.add_tool(Tool{"plain", "", Json{{"type", "object"}}, [](const Json&) {
                          return ToolResult{"t", {}};
                        }});
  initialize();
  EXPECT_EQ(call("list", Json::object())["result"]["structuredContent"],
            Json({{"result", {1, 2}}}));
  EXPECT_FALSE(call("plain", Json::object())["result"].contains("structuredContent"));
}

TEST_F(ServerTest, ArgumentsMayBeOmitted) {
  server_.add_tool(Tool{"noargs", "", Json{{"type", "object"}}, [](const Json& arguments) {
                          return ToolResult{arguments.dump(), nullptr};
                        }});
  initialize();
  const Json reply = request(1, "tools/call", Json{{"name", "noargs"}});
  EXPECT_EQ(reply["result"]["content"][0]["text"], "{}");
}

TEST_F(ServerTest, UnknownToolIsInvalidParamsListingKnownTools) {
  initialize();
  const Json reply = call("recal", Json::object());
  EXPECT_EQ(error_code(reply), kInvalidParams);
  EXPECT_THAT(error_message(reply), HasSubstr("'recal'"));
  EXPECT_THAT(error_message(reply), HasSubstr("echo, not_found, broken, weird"));
  EXPECT_EQ(reply["error"]["data"]["known_tools"].size(), 4u);
}

TEST_F(ServerTest, ToolCallNeedsANameAndObjectArguments) {
  initialize();
  EXPECT_EQ(error_code(request(1, "tools/call", Json::object())), kInvalidParams);
  EXPECT_EQ(error_code(request(1, "tools/call", Json{{"name", 3}})), kInvalidParams);
  EXPECT_EQ(error_code(request(1, "tools/call", Json{{"name", "echo"}, {"arguments", "hi"}})),
            kInvalidParams);
}

// The text of a tool error result, checking its shape on the way.
std::string tool_error_text(const Json& reply, std::string_view code) {
  const Json& result = reply.at("result");
  EXPECT_EQ(result.at("isError"), true);
  EXPECT_EQ(result.at("structuredContent").at("error").at("code"), code);
  EXPECT_EQ(result.at("content").at(0).at("type"), "text");
  return result.at("content").at(0).at("text");
}

TEST_F(ServerTest, MissingRequiredArgumentIsAToolError) {
  initialize();
  const std::string text = tool_error_text(call("echo", Json::object()), "invalid_input");
  EXPECT_THAT(text, HasSubstr("tool 'echo'"));
  EXPECT_THAT(text, HasSubstr("argument 'text' is required (a string)"));
}

TEST_F(ServerTest, WrongArgumentTypeIsAToolError) {
  initialize();
  EXPECT_THAT(tool_error_text(call("echo", Json{{"text", 5}}), "invalid_input"),
              HasSubstr("argument 'text' must be a string; got an integer (5)"));
  EXPECT_THAT(tool_error_text(call("echo", Json{{"text", "a"}, {"times", "two"}}), "invalid_input"),
              HasSubstr("argument 'times' must be an integer"));
}

TEST_F(ServerTest, EnumViolationIsAToolError) {
  initialize();
  EXPECT_THAT(
      tool_error_text(call("echo", Json{{"text", "a"}, {"mode", "quiet"}}), "invalid_input"),
      HasSubstr("argument 'mode' must be one of \"plain\", \"loud\"; got \"quiet\""));
}

TEST_F(ServerTest, UnexpectedArgumentIsAToolError) {
  initialize();
  EXPECT_THAT(tool_error_text(call("echo", Json{{"text", "a"}, {"txet", "b"}}), "invalid_input"),
              HasSubstr("argument 'txet' is not accepted; accepted arguments: "));
}

TEST_F(ServerTest, ManyProblemsAreSummarised) {
  Json properties = Json::object();
  Json arguments = Json::object();
  for (int i = 0; i < 30; ++i) {
    properties["p" + std::to_string(i)] = Json{{"type", "string"}};
    arguments["p" + std::to_string(i)] = i;
  }
  server_.add_tool(Tool{"wide", "", Json{{"type", "object"}, {"properties", properties}},
                        [](const Json&) { return ToolResult{}; }});
  initialize();
  EXPECT_THAT(tool_error_text(call("wide", arguments), "invalid_input"),
              HasSubstr("and 20 more problems"));
}

TEST_F(ServerTest, VestigeErrorFromHandlerIsAToolErrorWithItsCode) {
  initialize();
  EXPECT_EQ(tool_error_text(call("not_found", Json::object()), "not_found"),
            "memory 42 does not exist");
}

TEST_F(ServerTest, ModelMismatchCarriesBothSignatures) {
  const ModelSignature registered{"builtin/hash-384", 384, "aa"};
  const ModelSignature requested{"ollama/nomic", 768, "bb"};
  server_.add_tool(
      throwing_tool("mismatch", [&] { throw Error::model_mismatch(registered, requested); }));
  initialize();
  const Json reply = call("mismatch", Json::object());
  tool_error_text(reply, "model_mismatch");
  const Json& error = reply["result"]["structuredContent"]["error"];
  EXPECT_EQ(error["registered_model"]["name"], "builtin/hash-384");
  EXPECT_EQ(error["requested_model"]["dimension"], 768);
}

TEST_F(ServerTest, OtherExceptionsAreInternalToolErrorsAndTheServerGoesOn) {
  initialize();
  EXPECT_THAT(tool_error_text(call("broken", Json::object()), "internal"),
              HasSubstr("internal error in tool 'broken': bad state"));
  EXPECT_THAT(tool_error_text(call("weird", Json::object()), "internal"),
              HasSubstr("internal error"));
  EXPECT_EQ(call("echo", Json{{"text", "still here"}})["result"]["isError"], false);
}

TEST_F(ServerTest, ResourcesList) {
  initialize();
  const Json resources = request(1, "resources/list")["result"]["resources"];
  ASSERT_EQ(resources.size(), 2u);
  EXPECT_EQ(resources[0], Json({{"uri", "memory://stats"},
                                {"name", "stats"},
                                {"description", "Store statistics."},
                                {"mimeType", "application/json"}}));
  EXPECT_FALSE(resources[1].contains("description"));
}

TEST_F(ServerTest, ResourcesRead) {
  initialize();
  const Json reply = request(1, "resources/read", Json{{"uri", "memory://stats"}});
  EXPECT_EQ(reply["result"]["contents"],
            Json::parse(R"([{"uri":"memory://stats","mimeType":"application/json",
                             "text":"{\"n\":1}"}])"));
}

TEST_F(ServerTest, UnknownResourceIsResourceNotFound) {
  initialize();
  const Json reply = request(1, "resources/read", Json{{"uri", "memory://nope"}});
  EXPECT_EQ(error_code(reply), kResourceNotFound);
  EXPECT_EQ(error_message(reply), "Resource not found");
  EXPECT_EQ(reply["error"]["data"]["uri"], "memory://nope");
  EXPECT_EQ(error_code(request(2, "resources/read", Json::object())), kInvalidParams);
}

TEST_F(ServerTest, FailingResourceReaderIsAnInternalError) {
  initialize();
  const Json reply = request(1, "resources/read", Json{{"uri", "memory://broken"}});
  EXPECT_EQ(error_code(reply), kInternalError);
  EXPECT_EQ(error_message(reply), "database is locked");
  EXPECT_EQ(reply["error"]["data"]["code"], "backend");
}

TEST_F(ServerTest, ReaderThrowingAnythingElseIsAnInternalError) {
  server_.add_resource(Resource{"memory://odd", "odd", "", "",
                                []() -> std::string { throw std::runtime_error("disk on fire"); }});
  initialize();
  const Json reply = request(1, "resources/read", Json{{"uri", "memory://odd"}});
  EXPECT_EQ(error_code(reply), kInternalError);
  EXPECT_THAT(error_message(reply), HasSubstr("disk on fire"));
  EXPECT_EQ(reply["id"], 1);
  EXPECT_EQ(request(2, "ping")["result"], Json::object());
}

TEST_F(ServerTest, OversizedLineIsAnErrorNotACrash) {
  Server server(ServerOptions{"1", "", 64});
  const std::string line = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" +
                           std::string(100, 'x') + R"("}})";
  const auto reply = server.handle_line(line);
  ASSERT_TRUE(reply);
  const Json json = Json::parse(*reply);
  EXPECT_EQ(error_code(json), kInvalidRequest);
  EXPECT_THAT(error_message(json), HasSubstr("limit of 64 bytes"));
  EXPECT_TRUE(json["id"].is_null());
  EXPECT_TRUE(server.handle_line(R"({"jsonrpc":"2.0","id":2,"method":"ping"})"));
}

TEST_F(ServerTest, BatchesAreRejectedOutsideProtocol20250326) {
  const std::string batch =
      R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}])";
  Json reply = send(batch);
  EXPECT_EQ(error_code(reply), kInvalidRequest);
  EXPECT_TRUE(reply["id"].is_null());
  initialize("2025-06-18");
  reply = send(batch);
  EXPECT_EQ(error_code(reply), kInvalidRequest);
  EXPECT_THAT(error_message(reply), HasSubstr("2025-06-18"));
}

TEST_F(ServerTest, BatchesAreProcessedWithProtocol20250326) {
  initialize("2025-03-26");
  const Json reply = send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
                             {"jsonrpc":"2.0","method":"notifications/initialized"},
                             {"jsonrpc":"2.0","id":2,"method":"tools/call",
                              "params":{"name":"echo","arguments":{"text":"b"}}},
                             {"jsonrpc":"2.0","id":3,"method":"initialize",
                              "params":{"protocolVersion":"2025-03-26"}},
                             7])");
  ASSERT_TRUE(reply.is_array());
  ASSERT_EQ(reply.size(), 4u);
  EXPECT_EQ(reply[0]["id"], 1);
  EXPECT_EQ(reply[1]["result"]["structuredContent"]["text"], "b");
  EXPECT_EQ(error_code(reply[2]), kInvalidRequest);
  EXPECT_THAT(error_message(reply[2]), HasSubstr("batch"));
  EXPECT_EQ(error_code(reply[3]), kInvalidRequest);
  EXPECT_FALSE(
      server_.handle_line(R"([{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}])"));
}

TEST_F(ServerTest, InvalidUtf8FromAToolIsStillSent) {
  server_.add_tool(Tool{"bytes", "", Json{{"type", "object"}}, [](const Json&) {
                          return ToolResult{"bad \xff byte", nullptr};
                        }});
  initialize();
  EXPECT_THAT(call("bytes", Json::object())["result"]["content"][0]["text"].get<std::string>(),
              HasSubstr("bad"));
}

TEST(ServerRegistration, BadRegistrationsThrow) {
  Server server(options());
  server.add_tool(echo_tool());
  EXPECT_THROW(server.add_tool(echo_tool()), Error);
  Tool no_schema = echo_tool();
  no_schema.name = "other";
  no_schema.input_schema = Json{{"type", "string"}};
  EXPECT_THROW(server.add_tool(no_schema), Error);
  Tool no_handler = echo_tool();
  no_handler.name = "third";
  no_handler.handler = nullptr;
  EXPECT_THROW(server.add_tool(no_handler), Error);
  const Resource resource{"memory://a", "a", "", "", [] { return std::string(); }};
  server.add_resource(resource);
  EXPECT_THROW(server.add_resource(resource), Error);
}

}  // namespace
}  // namespace vestige::mcp
